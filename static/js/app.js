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

  // After a failed form swap (422), or an edit that met someone else's (409), move focus
  // to the notice for keyboard and screen-reader users.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status === 422 || status === 409) {
      var notice = document.querySelector("#conflict, .alert-error[tabindex]");
      if (notice) notice.focus();
    }
  });

  // Confirm dialogs for destructive forms that are not boosted by htmx (JS on, htmx off).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
