// The community map on Leaflet (served from our own origin). Every map page works without
// this file: the list, the coordinate fields and the corners box are the real interface;
// the map fills them in. Nothing here depends on the tiles: without them the markers and
// outlines draw on a plain background.
(function () {
  "use strict";

  function escapeText(text) {
    return String(text || "").replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function idUrl(template, id) {
    return template.replace(/\/0(\/|$)/, "/" + encodeURIComponent(id) + "$1");
  }

  function fixed(n) { return Number(n).toFixed(6); }

  // --- print buttons (walk sheets) -----------------------------------------------------------
  function wirePrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.wired) return;
      button.dataset.wired = "1";
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // --- the map --------------------------------------------------------------------------------
  function init() {
    wirePrint(document);
    var box = document.getElementById("map");
    if (!box || box.dataset.ready || !window.L) return;
    box.dataset.ready = "1";
    var shell = box.closest("[data-map-shell]");
    if (shell) shell.hidden = false;
    document.querySelectorAll("[data-map-hint]").forEach(function (n) { n.hidden = false; });

    var mode = box.dataset.mode;
    var map = L.map(box, {zoomControl: true});
    var tiles = L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: escapeText(box.dataset.attribution)});
    var offline = shell && shell.querySelector("[data-map-offline]");
    tiles.on("tileerror", function () {
      box.classList.add("tiles-offline");
      if (offline) offline.hidden = false;
    });
    tiles.on("tileload", function () { box.classList.remove("tiles-offline"); });
    tiles.addTo(map);
    map.setView([20, 0], 2);  // until the data says where we are

    var editing = mode === "point" || mode === "polygon";
    var state = {map: map, box: box, mode: mode, layers: L.layerGroup().addTo(map),
                 shapes: L.layerGroup().addTo(map), features: [], editing: editing};
    box.mapState = state;

    fetch(box.dataset.geojson, {credentials: "same-origin", headers: {"Accept": "application/geo+json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { draw(state, data); })
      .catch(function () { box.classList.add("map-failed"); });

    if (mode === "point") pointMode(state);
    if (mode === "polygon") polygonMode(state);
  }

  function markerIcon(kind, glyph, classes, label) {
    var inner = el("span", "marker-glyph", glyph);
    inner.setAttribute("aria-hidden", "true");
    return L.divIcon({className: "map-marker " + kind + "-marker " + classes, html: inner,
                      iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -12]});
  }

  function draw(state, data) {
    state.data = data;
    var bounds = L.latLngBounds([]);
    var focus = state.box.dataset.focus || "";
    var focused = null;
    var interactive = !state.editing;
    data.features.forEach(function (f) {
      var p = f.properties || {};
      var layer = null;
      if (p.kind === "area") {
        var ring = f.geometry.coordinates[0].map(function (c) { return [c[1], c[0]]; });
        layer = L.polygon(ring, {className: "area-shape area-" + p.area + (p.private ? " area-private" : ""),
                                 interactive: interactive, weight: 2, fillOpacity: 0.12});
        var tip = el("span", "", p.name);
        layer.bindTooltip(tip, {sticky: true});
        if (interactive) layer.on("click", function () { areaPopup(state, layer, p); });
        state.shapes.addLayer(layer);
        if (focus === "area-" + p.id) focused = layer.getBounds();
        bounds.extend(layer.getBounds());
      } else {
        var at = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        if (p.kind === "site") {
          layer = L.marker(at, {icon: markerIcon("site", "★", "", p.name), title: p.name + " (service site)",
                                interactive: interactive, keyboard: interactive, zIndexOffset: 1000});
          state.layers.addLayer(layer);
          bounds.extend(at);
        } else if (p.kind === "event") {
          layer = L.marker(at, {icon: markerIcon("event", "E", "", p.name), title: p.name + " (event, " + p.when + ")",
                                interactive: interactive, keyboard: interactive, zIndexOffset: 500});
          if (interactive) layer.on("click", function () { eventPopup(state, layer, p); });
          state.layers.addLayer(layer);
        } else if (p.kind === "place") {
          var cat = (data.categories || {})[p.category] || {label: p.category, glyph: "•"};
          var classes = "cat-" + p.category + " stance-" + (p.stance || "none") + (p.issue ? " has-issue" : "");
          layer = L.marker(at, {icon: markerIcon("place", cat.glyph, classes, p.name),
                                title: p.name + " (" + cat.label + ")", interactive: interactive,
                                keyboard: interactive});
          layer.feature = f;
          if (interactive) layer.on("click", function () { placeCard(state, layer, p); });
          state.features.push(layer);
          bounds.extend(at);
          if (focus === "place-" + p.id) focused = L.latLngBounds([at, at]);
        }
      }
    });
    applyFilters(state);
    if (focused) {
      state.map.fitBounds(focused.pad(0.5), {maxZoom: 17});
    } else if (state.pending) {
      state.map.setView(state.pending, 17);
    } else if (state.corners && state.corners.length) {
      state.map.fitBounds(L.latLngBounds(state.corners).pad(0.5), {maxZoom: 18});
    } else if (bounds.isValid()) {
      state.map.fitBounds(bounds.pad(0.1), {maxZoom: 17});
    }
    state.box.classList.add("map-drawn");
  }

  function placeCard(state, marker, p) {
    var popup = L.popup({maxWidth: 320}).setLatLng(marker.getLatLng())
      .setContent(el("p", "muted", "Loading…")).openOn(state.map);
    fetch(idUrl(state.box.dataset.placeUrl, p.id), {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { popup.setContent(html); })  // our own server's escaped HTML
      .catch(function () {
        var link = el("a", "", p.name);
        link.href = idUrl(state.box.dataset.placeUrl, p.id);
        popup.setContent(link);
      });
  }

  function areaPopup(state, layer, p) {
    var body = el("div", "area-card");
    var link = el("a", "", p.name);
    link.href = idUrl(state.box.dataset.areaUrl, p.id);
    body.appendChild(link);
    body.appendChild(el("p", "muted", (p.area === "block" ? "Block" : "Area") + (p.private ? " · private" : "")));
    L.popup().setLatLng(layer.getBounds().getCenter()).setContent(body).openOn(state.map);
  }

  function eventPopup(state, marker, p) {
    var body = el("div", "event-card");
    var link = el("a", "", p.name);
    link.href = idUrl(state.box.dataset.eventUrl, p.id);
    body.appendChild(link);
    body.appendChild(el("p", "muted", p.when));
    L.popup().setLatLng(marker.getLatLng()).setContent(body).openOn(state.map);
  }

  // --- filters: the same form that filters the list ---------------------------------------------
  function currentFilters() {
    var form = document.getElementById("map-filters");
    if (!form) return {};
    var value = function (name) { var f = form.elements[name]; return f ? f.value : ""; };
    var issues = form.elements.issues;
    return {category: value("category"), stance: value("stance"),
            within: parseInt(value("within"), 10) || 0, q: value("q").trim().toLowerCase(),
            issues: !!(issues && issues.checked)};
  }

  function applyFilters(state) {
    if (!state.data) return;
    var f = currentFilters();
    state.features.forEach(function (marker) {
      var p = marker.feature.properties;
      var show = (!f.category || p.category === f.category) && (!f.stance || p.stance === f.stance)
        && (!f.within || (p.distance !== undefined && p.distance <= f.within))
        && (!f.q || p.name.toLowerCase().indexOf(f.q) >= 0) && (!f.issues || p.issue);
      if (show && !state.layers.hasLayer(marker)) state.layers.addLayer(marker);
      if (!show && state.layers.hasLayer(marker)) state.layers.removeLayer(marker);
    });
  }

  document.addEventListener("change", function (event) {
    if (!event.target.closest || !event.target.closest("#map-filters")) return;
    var box = document.getElementById("map");
    if (box && box.mapState) applyFilters(box.mapState);
  });
  document.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("#map-filters")) return;
    var box = document.getElementById("map");
    if (box && box.mapState) applyFilters(box.mapState);
  });

  // --- finding a point: click the map, or type ---------------------------------------------------
  function pointMode(state) {
    var lat = document.getElementById(state.box.dataset.latInput);
    var lng = document.getElementById(state.box.dataset.lngInput);
    if (!lat || !lng) return;
    var marker = null;
    function show(at, pan) {
      if (!marker) {
        marker = L.marker(at, {icon: markerIcon("pending", "✚", "", "New position"), keyboard: false,
                               interactive: false, zIndexOffset: 2000}).addTo(state.map);
      } else {
        marker.setLatLng(at);
      }
      if (pan) state.map.panTo(at);
    }
    function fromInputs() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) return [a, b];
      return null;
    }
    var start = fromInputs();
    if (start) { state.pending = start; show(start, false); }
    state.map.on("click", function (e) {
      lat.value = fixed(e.latlng.lat);
      lng.value = fixed(e.latlng.lng);
      lat.dispatchEvent(new Event("change", {bubbles: true}));
      show([e.latlng.lat, e.latlng.lng], false);
    });
    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () { var at = fromInputs(); if (at) show(at, true); });
    });
  }

  // --- drawing a block: click its corners ---------------------------------------------------------
  function parseCorners(text) {
    var out = [];
    String(text || "").split(/[\n;]+/).forEach(function (line) {
      var parts = line.replace(/,/g, " ").trim().split(/\s+/);
      if (parts.length !== 2) return;
      var a = parseFloat(parts[0]), b = parseFloat(parts[1]);
      if (isFinite(a) && isFinite(b)) out.push([a, b]);
    });
    return out;
  }

  function polygonMode(state) {
    var input = document.getElementById(state.box.dataset.cornersInput);
    if (!input) return;
    state.corners = parseCorners(input.value);
    var outline = null;
    var dots = L.layerGroup().addTo(state.map);
    function redraw() {
      if (outline) state.map.removeLayer(outline);
      dots.clearLayers();
      var c = state.corners;
      if (c.length >= 3) {
        outline = L.polygon(c, {className: "area-shape area-drawing", interactive: false, weight: 3});
      } else if (c.length) {
        outline = L.polyline(c, {className: "area-shape area-drawing", interactive: false, weight: 3});
      } else {
        outline = null;
      }
      if (outline) outline.addTo(state.map);
      c.forEach(function (at) {
        dots.addLayer(L.circleMarker(at, {radius: 5, className: "corner-dot", interactive: false}));
      });
      count.textContent = c.length ? c.length + " corner" + (c.length === 1 ? "" : "s") : "No corners yet";
    }
    function write() {
      input.value = state.corners.map(function (at) { return fixed(at[0]) + ", " + fixed(at[1]); }).join("\n");
      redraw();
    }
    var tools = el("div", "map-tools");
    var undo = el("button", "button secondary small", "Undo last corner");
    undo.type = "button";
    var clear = el("button", "button secondary small", "Clear corners");
    clear.type = "button";
    var count = el("span", "hint");
    count.setAttribute("aria-live", "polite");
    tools.appendChild(undo); tools.appendChild(clear); tools.appendChild(count);
    state.box.parentNode.insertBefore(tools, state.box.nextSibling);
    undo.addEventListener("click", function () { state.corners.pop(); write(); });
    clear.addEventListener("click", function () { state.corners = []; write(); });
    input.addEventListener("change", function () { state.corners = parseCorners(input.value); redraw(); });
    state.map.on("click", function (e) {
      state.corners.push([e.latlng.lat, e.latlng.lng]);
      write();
    });
    redraw();
  }

  document.addEventListener("DOMContentLoaded", init);
  // A form that failed (422) and came back through htmx brings a new map element.
  document.addEventListener("htmx:afterSettle", init);
  if (document.readyState !== "loading") init();
})();
