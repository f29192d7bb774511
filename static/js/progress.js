// Keeps a progress box (role="status", data-progress-from="<its own page>") up to date
// without reloading: every few seconds it asks that page for the same box and puts its new
// words (data-progress-words) in, which screen readers announce politely. It stops once the box says it has
// finished (data-progress-done), or after many failed tries in a row. Without JavaScript
// the box's link shows the latest.
(function () {
  var EVERY_MS = 2000;
  var TRIES = 10;

  function poll(box, failures) {
    if (box.hasAttribute("data-progress-done") || failures >= TRIES) {
      return;
    }
    window.setTimeout(function () {
      fetch(box.getAttribute("data-progress-from"), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("progress page answered " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById(box.id);
          var words = box.querySelector("[data-progress-words]");
          var freshWords = fresh && fresh.querySelector("[data-progress-words]");
          if (!freshWords || !words) {
            return;
          }
          // Only the words change, so screen readers hear the news and nothing else moves.
          if (freshWords.innerHTML !== words.innerHTML) {
            words.innerHTML = freshWords.innerHTML;
          }
          if (fresh.hasAttribute("data-progress-done")) {
            box.setAttribute("data-progress-done", "");
          } else {
            poll(box, 0);
          }
        })
        .catch(function () {
          // Try again a little later; the box's link still shows the latest.
          poll(box, failures + 1);
        });
    }, EVERY_MS * (failures + 1));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress-from]").forEach(function (box) {
      poll(box, 0);
    });
  });
})();
