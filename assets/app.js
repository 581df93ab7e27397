// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The error summary takes focus, so a screen reader reads it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // A live character count under each textarea that has a limit.
  document.querySelectorAll(".char-count[data-max-chars]").forEach(function (field) {
    var max = parseInt(field.getAttribute("data-max-chars"), 10);
    var box = field.querySelector("textarea");
    var shown = field.querySelector(".char-count__message");
    if (!box || !shown || !max) return;
    var spoken = document.createElement("div");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.appendChild(spoken);
    shown.setAttribute("aria-hidden", "true");
    var timer;
    var update = function () {
      var left = max - Array.from(box.value).length;
      var words = left >= 0 ? "还可输入 " + left + " 字" : "已超出 " + -left + " 字";
      shown.textContent = words;
      shown.classList.toggle("char-count__message--over", left < 0);
      clearTimeout(timer);
      timer = setTimeout(function () { spoken.textContent = words; }, 1000);
    };
    box.addEventListener("input", update);
    update();
  });

  // A copy button beside each [data-copy] element (receipt number, access secret).
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy]").forEach(function (el) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary button--small";
      button.textContent = "复制";
      button.setAttribute("aria-label", "复制" + (el.getAttribute("data-copy") || ""));
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(el.textContent.trim()).then(function () {
          button.textContent = "已复制";
        });
      });
      el.insertAdjacentElement("afterend", button);
    });
  }

  // A print button where a page asks for one ([data-print]); without script, the browser's own.
  document.querySelectorAll("[data-print]").forEach(function (slot) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = "打印此页";
    button.addEventListener("click", function () { window.print(); });
    slot.appendChild(button);
  });

  // A second click on a submit button does not send the form again (the server is safe anyway).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-submitting") === "1") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "1");
    setTimeout(function () { form.removeAttribute("data-submitting"); }, 3000);
  });
  // Coming back by the back button shows the page as it was: let it submit again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
    });
  });
})();
