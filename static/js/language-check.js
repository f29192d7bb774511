// The care-language check before saving (programmes.views.coordinator_language_check). A
// form with data-language-check="<address>" and data-language-fields="name other" gets a
// polite live region under each named field. While someone types, the text is sent to the
// address, and the words found are listed with their kinder ones, under the text's reading
// age. Nothing is ever blocked; without JavaScript, the same is said after saving.
(function () {
  "use strict";
  var WAIT_MS = 800;

  function watch(form, name) {
    var field = form.elements[name];
    var token = form.elements.csrfmiddlewaretoken;
    if (!field || !token) {
      return;
    }
    var box = document.createElement("div");
    box.className = "language-check";
    box.setAttribute("role", "status");
    field.insertAdjacentElement("afterend", box);
    var timer = null;
    var asked = "";

    function show(findings, readingAge) {
      box.textContent = "";
      if (readingAge) {
        var age = document.createElement("p");
        age.textContent = readingAge;
        box.appendChild(age);
      }
      if (!findings.length) {
        return;
      }
      var list = document.createElement("ul");
      findings.forEach(function (finding) {
        var item = document.createElement("li");
        item.textContent = finding.sentence;
        list.appendChild(item);
      });
      box.appendChild(list);
    }

    function ask() {
      var text = field.value;
      if (text === asked) {
        return;
      }
      asked = text;
      var body = new URLSearchParams();
      body.append("text", text);
      fetch(form.getAttribute("data-language-check"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value },
        body: body,
      })
        .then(function (response) {
          return response.ok ? response.json() : { findings: [], reading_age: "" };
        })
        .then(function (answer) {
          var seen = {};
          show(
            answer.findings.filter(function (finding) {
              var key = finding.term.toLowerCase();
              var fresh = !seen[key];
              seen[key] = true;
              return fresh;
            }),
            answer.reading_age
          );
        })
        .catch(function () {});
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, WAIT_MS);
    });
    field.addEventListener("blur", ask);
    if (field.value) {
      ask();
    }
  }

  document.querySelectorAll("form[data-language-check]").forEach(function (form) {
    (form.getAttribute("data-language-fields") || "").split(" ").forEach(function (name) {
      if (name) {
        watch(form, name);
      }
    });
  });
})();
