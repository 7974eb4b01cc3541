// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // The main menu folds behind one button on narrow screens (CSS shows the button only
  // under html.js). The state lives in aria-expanded, so a boosted navigation, which brings
  // a fresh header, lands with the menu closed.
  document.documentElement.classList.add("js");
  function toggles() { return document.querySelectorAll(".nav-toggle[aria-expanded]"); }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".nav-toggle");
    if (!button) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    toggles().forEach(function (button) {
      if (button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });

  // A table too wide for the screen scrolls in its box (.table-wrap): let keyboard users
  // reach and scroll it too, named after the table's caption.
  function scrollableTables(root) {
    var boxes = Array.prototype.slice.call((root.querySelectorAll ? root : document).querySelectorAll(".table-wrap"));
    if (root.matches && root.matches(".table-wrap")) boxes.push(root);
    boxes.forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollableTables(document); });
  document.body.addEventListener("htmx:load", function (event) { scrollableTables(event.target); });
  window.addEventListener("resize", function () { scrollableTables(document); });

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

  // Words typed into a live search box before htmx listened to it (a slow phone still
  // loading the page, or the moment a boosted page settles) still search: once htmx has
  // taken in a box whose words differ from those the page came with, the box searches.
  document.body.addEventListener("htmx:load", function (event) {
    var root = event.target;
    if (!root.querySelectorAll || !window.htmx) return;
    root.querySelectorAll("input[type=search], input[type=text]").forEach(function (box) {
      if (box.value !== box.defaultValue && box.closest("[hx-trigger*='search']")) {
        htmx.trigger(box, "search");
      }
    });
  });

  // A boosted navigation (a link, a form, signing out) replaces the page: the old page's
  // reads still in flight (a dashboard panel loading itself, a live search) are dropped, so
  // none of their answers lands on the new page. Without this, a panel answered after
  // signing out (401, "sign in") sent the browser to the sign-in page a second time, wiping
  // what was being typed there. Writes are never dropped.
  var reading = new Set();
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail;
    if (detail.boosted) {
      reading.forEach(function (elt) { if (elt !== detail.elt) htmx.trigger(elt, "htmx:abort"); });
      reading.clear();
    } else if (detail.requestConfig && detail.requestConfig.verb === "get") {
      reading.add(detail.elt);
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    reading.delete(event.detail.elt);
  });

  // Confirm dialogs for destructive forms that are not boosted by htmx (JS on, htmx off).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
