/*
 * The plan page's map: the mission's sectors coloured by the share of their required
 * unit-months the plan covers (the same six steps as the coverage matrix). Data comes from
 * the page's json_script element "plan-sectors-data" (the CSP forbids inline scripts).
 *
 * Hooks for tests: #plan-map gets data-sector-count and data-ready="true" once drawn; each
 * sector path carries the classes "plan-sector sector-<key> band-<n>".
 *
 * Each sector is reachable by keyboard: Tab focuses it (its label says its coverage), Enter
 * or Space opens its popup, as a click does, and Escape closes it.
 */
(function () {
  "use strict";

  var BAND_COLOURS = ["#f2b8b1", "#f7cfae", "#fbe2a6", "#eaeca8", "#c8e4b4", "#93cc90"];
  var NO_DEMAND = "#c9d1d8";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function escapeHtml(text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function classKey(key) {
    return String(key).replace(/[^A-Za-z0-9_-]/g, "-");
  }

  function percent(value) {
    return value == null ? "no requirement" : Math.round(value * 100) + " %";
  }

  function focusable(sectorLayer) {
    var element = sectorLayer.getElement ? sectorLayer.getElement() : null;
    if (!element) { return; }
    var props = sectorLayer.feature.properties;
    element.setAttribute("tabindex", "0");
    element.setAttribute("role", "button");
    element.setAttribute(
      "aria-label",
      props.name + ": " + props.covered + " of " + props.required +
        " required unit-months covered (" + percent(props.coverage) + ")"
    );
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sectorLayer.openPopup();
      } else if (event.key === "Escape") {
        sectorLayer.closePopup();
      }
    });
  }

  function draw(container) {
    var sectors = readJson("plan-sectors-data");
    var map = L.map(container, { zoomSnap: 0.25, scrollWheelZoom: false });
    var count = 0;
    if (sectors && sectors.features && sectors.features.length) {
      var layer = L.geoJSON(sectors, {
        style: function (feature) {
          var props = feature.properties;
          var band = props.band;
          return {
            color: "#2b3a46",
            weight: 1.5,
            fillColor: band == null ? NO_DEMAND : BAND_COLOURS[band],
            fillOpacity: 0.85,
            className: "plan-sector sector-" + classKey(props.key) + " band-" + (band == null ? "none" : band)
          };
        },
        onEachFeature: function (feature, sectorLayer) {
          var props = feature.properties;
          count += 1;
          sectorLayer.bindTooltip(
            escapeHtml(props.name) + "<br>" + escapeHtml(percent(props.coverage)),
            { permanent: true, direction: "center", className: "plan-sector-label" }
          );
          sectorLayer.bindPopup(
            "<strong>" + escapeHtml(props.name) + "</strong><br>" +
            escapeHtml(props.covered) + " of " + escapeHtml(props.required) +
            " required unit-months covered (" + escapeHtml(percent(props.coverage)) + ")"
          );
        }
      }).addTo(map);
      if (sectors.attribution) { map.attributionControl.addAttribution(escapeHtml(sectors.attribution)); }
      map.fitBounds(layer.getBounds(), { paddingTopLeft: [12, 12], paddingBottomRight: [12, 30] });
      layer.eachLayer(focusable);  // after the first view: only then are the paths drawn
    } else {
      map.setView([31.4, 34.38], 10);
    }
    container.dataset.sectorCount = String(count);
    container.dataset.ready = "true";
  }

  function start() {
    if (typeof L === "undefined") { return; }
    var container = document.getElementById("plan-map");
    if (container) { draw(container); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
