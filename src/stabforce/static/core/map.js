/*
 * Mission maps: sectors, crossings, control lines and the area of operations, drawn from the
 * GeoJSON the page embeds with Django's json_script (the CSP forbids inline scripts, and the
 * field has no tile server, so the map is built from the mission's own layers only).
 *
 * Hooks for tests and for anyone scripting the page: the map container gets
 * data-sector-count, data-crossing-count, data-control-line-count and data-ready="true" once
 * drawn; every drawn path carries a class naming its record (sector-<key>, crossing-<key>,
 * control-line-<key>).
 */
(function () {
  "use strict";

  var STYLE = {
    aoo: { color: "#5a6470", weight: 1.5, dashArray: "2 4", fill: false, interactive: false },
    sector: { color: "#1f5f8b", weight: 2, fillColor: "#4f8fc0", fillOpacity: 0.18 },
    sectorFocus: { color: "#0b3c5d", weight: 3, fillColor: "#4f8fc0", fillOpacity: 0.35 },
    sectorMuted: { color: "#5b6f82", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.45 },
    crossing: { radius: 7, color: "#1b1b1b", weight: 2, fillColor: "#d9822b", fillOpacity: 1 },
    // Hollow and dashed: the eye reads "not exactly here" before reading the popup.
    crossingApproximate: {
      radius: 9, color: "#a1561b", weight: 2, dashArray: "3 3", fillColor: "#ffffff",
      fillOpacity: 0.2
    },
    controlLine: { color: "#c0392b", weight: 3 },
    controlZone: { color: "#c0392b", weight: 1, fillColor: "#e8a39b", fillOpacity: 0.22 }
  };

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    return JSON.parse(element.textContent);
  }

  function escapeHtml(text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // Keys are slugs already; this only guards class names against odd data.
  function classKey(key) {
    return String(key).replace(/[^A-Za-z0-9_-]/g, "-");
  }

  function merge(base, extra) {
    var result = {};
    Object.keys(base).forEach(function (name) { result[name] = base[name]; });
    Object.keys(extra).forEach(function (name) { result[name] = extra[name]; });
    return result;
  }

  function link(url, text) {
    return url ? '<a href="' + escapeHtml(url) + '">' + escapeHtml(text) + "</a>" : escapeHtml(text);
  }

  function crossingPopup(props) {
    var lines = [
      "<strong>" + link(props.url, props.name) + "</strong>",
      escapeHtml(props.kind_label) + " · " + escapeHtml(props.status_label) +
        (props.status_since ? " since " + escapeHtml(props.status_since) : "")
    ];
    if (props.approximate) {
      lines.push('<span class="badge badge-approximate">approximate position</span>' +
        (props.position_precision === "centroid" ? " (town centroid)" : ""));
    }
    if (props.position_note) { lines.push('<span class="muted">' + escapeHtml(props.position_note) + "</span>"); }
    return lines.join("<br>");
  }

  function controlLinePopup(props) {
    var lines = [
      "<strong>" + link(props.url, props.name) + "</strong>",
      "In force " + escapeHtml(props.valid_from) + " – " + escapeHtml(props.valid_until || "today")
    ];
    if (props.controlled_by) { lines.push("Controlled by " + escapeHtml(props.controlled_by)); }
    if (props.schematic) {
      lines.push('<span class="badge badge-schematic">schematic</span> illustrative geometry, not a trace');
    }
    return lines.join("<br>");
  }

  function drawMap(container) {
    var focusSector = container.dataset.focusSector || "";
    var map = L.map(container, { zoomSnap: 0.25, scrollWheelZoom: false });
    var extent = L.latLngBounds([]);
    var focusExtent = null;

    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, { maxZoom: 18 }).addTo(map);
    }

    var aoo = readJson("aoo-data");
    if (aoo) {
      var aooLayer = L.geoJSON(aoo, { style: merge(STYLE.aoo, { className: "aoo" }) }).addTo(map);
      extent.extend(aooLayer.getBounds());
    }

    var sectors = readJson("sectors-data");
    var sectorCount = 0;
    if (sectors) {
      var sectorLayer = L.geoJSON(sectors, {
        style: function (feature) {
          var key = feature.properties.key;
          var look = STYLE.sector;
          if (focusSector) { look = key === focusSector ? STYLE.sectorFocus : STYLE.sectorMuted; }
          return merge(look, { className: "sector sector-" + classKey(key) });
        },
        onEachFeature: function (feature, layer) {
          var props = feature.properties;
          sectorCount += 1;
          layer.bindTooltip(escapeHtml(props.name), {
            permanent: true, direction: "center", className: "sector-label"
          });
          if (props.url && props.key !== focusSector) {
            layer.on("click", function () { window.location.assign(props.url); });
          }
          if (props.key === focusSector) { focusExtent = layer.getBounds(); }
        }
      }).addTo(map);
      extent.extend(sectorLayer.getBounds());
      if (sectors.attribution) { map.attributionControl.addAttribution(escapeHtml(sectors.attribution)); }
    }

    var controlLines = readJson("control-lines-data");
    var controlLineCount = 0;
    if (controlLines) {
      var controlStyle = function (feature) {
        var props = feature.properties;
        var look = props.kind === "zone" ? STYLE.controlZone : STYLE.controlLine;
        var classes = "control-line control-line-" + classKey(props.key) + " control-" + props.kind;
        if (props.schematic) { classes += " schematic"; }
        var extra = { className: classes };
        if (props.schematic) { extra.dashArray = "8 6"; }
        return merge(look, extra);
      };
      var isZone = function (feature) { return feature.properties.kind === "zone"; };
      // Zones lie under the sectors, in their own pane, so that a click anywhere in a sector
      // still opens the sector; lines stay on top, thin enough not to get in the way.
      map.createPane("zones");
      L.geoJSON(controlLines, {
        pane: "zones", interactive: false, filter: isZone, style: controlStyle,
        onEachFeature: function () { controlLineCount += 1; }
      }).addTo(map);
      L.geoJSON(controlLines, {
        filter: function (feature) { return !isZone(feature); },
        style: controlStyle,
        onEachFeature: function (feature, layer) {
          var props = feature.properties;
          controlLineCount += 1;
          layer.bindTooltip(escapeHtml(props.name) + (props.schematic ? " (schematic)" : ""), { sticky: true });
          layer.bindPopup(controlLinePopup(props));
        }
      }).addTo(map);
    }

    var crossings = readJson("crossings-data");
    var crossingCount = 0;
    if (crossings) {
      L.geoJSON(crossings, {
        pointToLayer: function (feature, latlng) {
          var props = feature.properties;
          var classes = "crossing crossing-" + classKey(props.key) + " status-" + props.status;
          classes += props.approximate ? " crossing-approximate crossing-" + props.position_precision : " crossing-surveyed";
          var look = props.approximate ? STYLE.crossingApproximate : STYLE.crossing;
          return L.circleMarker(latlng, merge(look, { className: classes }));
        },
        onEachFeature: function (feature, layer) {
          var props = feature.properties;
          crossingCount += 1;
          layer.bindTooltip(escapeHtml(props.name) + (props.approximate ? " (approximate position)" : ""));
          layer.bindPopup(crossingPopup(props));
        }
      }).addTo(map);
    }

    // The Strip, not the region: far-off hubs (Allenby, Al-Arish) are a zoom-out away.
    var target = focusExtent || extent;
    if (target.isValid()) {
      // The attribution line sits over the bottom edge; keep the shapes clear of it.
      map.fitBounds(target, { paddingTopLeft: [12, 12], paddingBottomRight: [12, 40] });
    } else {
      map.setView([0, 0], 2);
    }

    container.dataset.sectorCount = String(sectorCount);
    container.dataset.crossingCount = String(crossingCount);
    container.dataset.controlLineCount = String(controlLineCount);
    container.dataset.ready = "true";
  }

  function start() {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("#mission-map, #sector-map").forEach(drawMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
