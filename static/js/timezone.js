// The time zone picker (templates/settings/_timezone.html): a search box over the select,
// and the browser's own zone as a first guess at setup. Without this file the select works.
(function () {
  "use strict";

  function guessZone(select, options) {
    var aliases = {};
    var zone = "";
    try { aliases = JSON.parse(select.getAttribute("data-aliases") || "{}"); } catch (e) { /* none */ }
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return null; }
    zone = aliases[zone] || zone;
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === zone) return options[i];
    }
    return null;
  }

  function enhance(select) {
    if (select.getAttribute("data-enhanced")) return;
    select.setAttribute("data-enhanced", "1");
    var options = Array.prototype.slice.call(select.options);
    var status = document.createElement("p");
    status.className = "hint zone-status";
    status.id = select.id + "-status";
    status.setAttribute("aria-live", "polite");

    if (select.getAttribute("data-guess")) {
      var guessed = guessZone(select, options);
      if (guessed) {
        select.value = guessed.value;
        status.textContent = "Set from this device's clock: " + guessed.textContent + ".";
      }
    }

    var label = document.createElement("label");
    var search = document.createElement("input");
    search.type = "search";
    search.id = select.id + "-search";
    search.className = "zone-search";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);
    search.setAttribute("aria-describedby", status.id);
    label.htmlFor = search.id;
    label.className = "zone-search-label";
    label.textContent = "Find it by city, country or time name";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(search, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var current = select.value;
      var shown = options.filter(function (option) {
        var text = (option.textContent + " " + (option.getAttribute("data-search") || "")).toLowerCase();
        return words.every(function (word) { return text.indexOf(word) !== -1; });
      });
      if (!shown.length) {
        status.textContent = "No time zone matches \u201c" + search.value + "\u201d; all are listed.";
        shown = options;
      } else {
        status.textContent = words.length ? shown.length + (shown.length === 1 ? " zone matches." : " zones match.") : "";
      }
      select.replaceChildren.apply(select, shown);
      var keep = shown.filter(function (option) { return option.value === current; })[0];
      select.value = keep ? current : shown[0].value;
    });
    // Enter in the search box chooses, it doesn't send the form half-filled.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function enhanceAll(root) {
    var found = (root || document).querySelectorAll("select[data-timezone-picker]");
    for (var i = 0; i < found.length; i++) enhance(found[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
