// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Toasts: views send HX-Trigger {"toast": {"message": "..."}}.
  function showToast(message) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var item = document.createElement("div");
    item.className = "toast";
    item.textContent = message;
    box.appendChild(item);
    setTimeout(function () { item.classList.add("toast-leaving"); }, 4000);
    setTimeout(function () { item.remove(); }, 4600);
  }

  document.body.addEventListener("toast", function (event) {
    showToast(event.detail && event.detail.message);
  });

  // After a failed form swap (422), move focus to the error summary for keyboard and
  // screen-reader users.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      var summary = document.querySelector(".alert-error[tabindex]");
      if (summary) summary.focus();
    }
  });

  // Pickers (templates/_macros/picker.html): Enter in the search box searches now instead of
  // submitting the whole form, and picks the match when there is only one; the down arrow
  // moves to the options.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-picker-search")) return;
    var options = document.getElementById(box.getAttribute("aria-controls"));
    if (!options) return;
    if (event.key === "Enter") {
      event.preventDefault();
      var found = options.querySelectorAll("ul[aria-labelledby$='-found-heading'] input");
      if (found.length === 1 && !found[0].checked) {
        found[0].checked = true;
        box.value = "";
      }
      box.dispatchEvent(new Event("search"));
    } else if (event.key === "ArrowDown") {
      var first = options.querySelector("input");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });

  // Confirm dialogs for destructive forms that are not boosted by htmx (JS on, htmx off).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
