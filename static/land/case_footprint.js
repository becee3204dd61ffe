/* The case page's footprint map (section "ที่ดินที่ชุมชนตั้งอยู่"): the footprint, neighbours' footprints
 * and the reference parcels around, coloured by owner type; with Leaflet-Geoman (vendored) the land
 * team draws or edits the outline and saves it with PATCH /api/v1/cases/<id> {"footprint": ...}. */
(function () {
  "use strict";
  var el = document.getElementById("footprint-map");
  var cfgEl = document.getElementById("footprint-config");
  if (!el || !cfgEl || typeof L === "undefined") { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.texts;
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var map = L.map(el, { scrollWheelZoom: false });
  L.tileLayer(TILES, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  map.createPane("landParcels").style.zIndex = 380;
  map.createPane("landNeighbours").style.zIndex = 390;
  var group = L.featureGroup();
  var state = window.codiFootprint = { map: map, group: group, dirty: false, saved: null, error: null };
  var statusEl = document.getElementById("footprint-status");
  var saveBtn = document.getElementById("footprint-save");

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function say(text) { if (statusEl) { statusEl.textContent = text; } }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }
  var style = { color: "#0b6e4f", weight: 3, fillOpacity: 0.15 };
  if (cfg.footprint) {
    L.geoJSON(cfg.footprint, { style: style }).eachLayer(function (layer) { group.addLayer(layer); });
  }
  var point = L.circleMarker([cfg.lat, cfg.lon], { radius: 7, weight: 2, color: "#fff", fillColor: "#0b6e4f",
                                                   fillOpacity: 0.95, pmIgnore: true });
  if (group.getLayers().length) { map.fitBounds(group.getBounds().pad(0.4)); } else { map.setView([cfg.lat, cfg.lon], 16); }
  group.addTo(map);
  point.addTo(map);

  function bbox() {
    var b = map.getBounds().pad(0.2);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
  }
  // neighbours' footprints (not this case's)
  getJSON(cfg.footprintsUrl + "?bbox=" + bbox() + "&limit=500").then(function (data) {
    L.geoJSON(data, {
      filter: function (f) { return f.id !== cfg.caseId; }, pmIgnore: true, pane: "landNeighbours",
      style: { color: "#e67e22", weight: 2, dashArray: "5 4", fillOpacity: 0.08 },
      onEachFeature: function (f, layer) {
        layer.bindPopup(esc(T.neighbour) + ": <a href=\"./" + encodeURIComponent(f.id) + "\">" + esc(f.properties.code) +
                        " " + esc(f.properties.community_name) + "</a>");
      }
    }).addTo(map);
  }).catch(function () { /* no neighbours shown */ });
  // reference parcels around, coloured by owner type, with their attributes in a popup
  getJSON(cfg.layersUrl).then(function (data) {
    var view = map.getBounds().pad(0.5);
    (data.layers || []).forEach(function (layer) {
      if (!layer.bbox) { return; }
      var box = L.latLngBounds([layer.bbox[1], layer.bbox[0]], [layer.bbox[3], layer.bbox[2]]);
      if (!box.intersects(view)) { return; }
      var colour = cfg.colours[layer.owner_type] || "#999";
      getJSON(layer_url(layer.id) + "?limit=1000&bbox=" + bbox()).then(function (parcels) {
        L.geoJSON(parcels, {
          pane: "landParcels", pmIgnore: true, interactive: true,
          style: { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.25 },
          onEachFeature: function (f, l) {
            var rows = Object.keys(f.properties.attributes || {}).slice(0, 12).map(function (k) {
              return "<tr><th>" + esc(k) + "</th><td>" + esc(f.properties.attributes[k]) + "</td></tr>";
            }).join("");
            l.bindPopup("<strong>" + esc(layer.name) + "</strong> · " + esc(layer.owner_type_label || layer.owner_type) +
                        "<table class=\"popup\">" + rows + "</table>");
          }
        }).addTo(map);
      }).catch(function () { /* the layer is left out */ });
    });
  }).catch(function () { /* no reference layers shown */ });
  function layer_url(id) { return cfg.layersUrl + "/" + encodeURIComponent(id) + "/parcels"; }

  if (!cfg.editable || !map.pm) { return; }
  map.pm.setGlobalOptions({ layerGroup: group, pathOptions: style, snappable: true });
  map.pm.addControls({
    position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false,
    drawText: false, cutPolygon: false, rotateMode: false, drawRectangle: true, drawPolygon: true,
    editMode: true, dragMode: true, removalMode: true
  });
  function changed() { state.dirty = true; if (saveBtn) { saveBtn.disabled = false; } }
  // while drawing or editing, clicks go to the outline, not to the parcels' and neighbours' popups
  function quiet(on) {
    ["landParcels", "landNeighbours"].forEach(function (name) {
      map.getPane(name).style.pointerEvents = on ? "none" : "";
    });
    if (on) { map.closePopup(); }
  }
  map.on("pm:drawstart", function () { quiet(true); });
  map.on("pm:drawend", function () { quiet(false); });
  map.on("pm:globaleditmodetoggled pm:globaldragmodetoggled", function (e) { quiet(e.enabled); });
  map.on("pm:create", function (e) { e.layer.on("pm:edit", changed); changed(); });
  map.on("pm:remove", changed);
  group.eachLayer(function (layer) { layer.on("pm:edit", changed); });

  function footprint() {
    var polygons = [];
    group.eachLayer(function (layer) {
      if (!layer.toGeoJSON) { return; }
      var g = layer.toGeoJSON().geometry || layer.toGeoJSON();
      if (g.type === "Polygon") { polygons.push(g.coordinates); }
      else if (g.type === "MultiPolygon") { polygons = polygons.concat(g.coordinates); }
      else if (g.type === "FeatureCollection") {
        g.features.forEach(function (f) {
          if (f.geometry.type === "Polygon") { polygons.push(f.geometry.coordinates); }
          else if (f.geometry.type === "MultiPolygon") { polygons = polygons.concat(f.geometry.coordinates); }
        });
      }
    });
    return polygons.length ? { type: "MultiPolygon", coordinates: polygons } : null;
  }
  state.footprint = footprint;
  function save() {
    var token = document.querySelector("meta[name=csrf-token]");
    saveBtn.disabled = true;
    fetch(cfg.caseUrl, {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "If-Match": "\"" + cfg.version + "\"",
                 "X-CSRFToken": token ? token.content : "" },
      body: JSON.stringify({ footprint: footprint() })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) {
        state.error = (res.body.error && res.body.error.message) || T.failed;
        say(T.failed + ": " + state.error);
        saveBtn.disabled = false;
        return;
      }
      state.saved = res.body;
      say(T.saved);
      window.location.hash = "land";
      window.location.reload();
    }).catch(function () { say(T.failed); saveBtn.disabled = false; });
  }
  if (saveBtn) { saveBtn.addEventListener("click", save); }
})();
