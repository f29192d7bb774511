// A matching round's progress (templates/matching/_round_progress.html): while it runs, ask
// its JSON address every few seconds and put the words in the live region, which screen
// readers read out politely. Nothing else on the page changes. Once the round has finished or
// failed, the "Check again" link gives way to a link to the round, and the asking stops.
(function () {
  "use strict";
  var EVERY_MS = 3000;
  var GIVE_UP_MS = 60 * 60 * 1000;

  function watch(box) {
    var address = box.getAttribute("data-round-progress");
    var words = box.querySelector("[data-round-progress-words]");
    var again = box.querySelector("[data-round-progress-again]");
    var done = box.querySelector("[data-round-progress-done]");
    var began = Date.now();

    function later() {
      if (Date.now() - began < GIVE_UP_MS) {
        window.setTimeout(ask, EVERY_MS);
      }
    }

    function show(progress) {
      if (words && words.textContent !== progress.words) {
        words.textContent = progress.words;
      }
      if (progress.working) {
        later();
        return;
      }
      if (again) {
        again.hidden = true;
      }
      if (done) {
        done.hidden = false;
      }
    }

    function ask() {
      window
        .fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("The progress address answered " + response.status);
          }
          return response.json();
        })
        .then(show)
        .catch(later);
    }

    if (done && done.hidden) {
      later();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-round-progress]"), watch);
  });
})();
