/* Reference land layers and community footprints on the maps: a control with one checkbox per
 * layer (coloured by owner type, with a legend) and, signed in, one for the footprints, drawn from
 * zoom 14 (points below). Parcels are fetched by view from zoom 12; below it each layer shows its
 * extent. On a shared link (cfg.public) only the link's layers, listed in the page, geometry only:
 * no footprints, no parcel attributes, no links to case pages. `layers=reference:<id>` in the
 * address switches a layer on (the map script keeps it there). No inline handlers; no CDN. */
(function () {
  "use strict";
  var cfgEl = document.getElementById("land-config");
  if (!cfgEl || !window.codiMap || typeof L === "undefined") { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var mapCfgEl = document.getElementById("map-config");
  var mapCfg = mapCfgEl ? JSON.parse(mapCfgEl.textContent) : {};
  var T = cfg.texts;
  var api = window.codiMap;
  var map = api.map;
  var state = window.codiLand = { loads: 0, errors: [], footprints: 0, parcels: {}, layers: [] };
  map.createPane("landParcels").style.zIndex = 360;
  map.createPane("landFootprints").style.zIndex = 370;
  var footprintLayer = L.geoJSON(null, { pane: "landFootprints" }).addTo(map);
  var withFootprints = !cfg.public && !!cfg.footprintsUrl;
  var shown = { footprints: withFootprints };
  (mapCfg.shownReference || []).forEach(function (id) { shown[id] = true; });
  /* the reference layers shown now, as `layers=` names them (map.js writes them into the address) */
  api.referenceLayers = function () {
    return state.layers.length ? state.layers.filter(function (l) { return shown[l.id]; })
      .map(function (l) { return "reference:" + l.id; })
      : (mapCfg.shownReference || []).map(function (id) { return "reference:" + id; });
  };
  var parcelLayers = {};
  var pending = {};

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function bbox() {
    var b = map.getBounds();
    return [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()),
            Math.min(90, b.getNorth())].map(function (v) { return v.toFixed(5); }).join(",");
  }
  function getJSON(key, url) {
    if (pending[key]) { pending[key].abort(); }
    var ctrl = pending[key] = new AbortController();
    return fetch(url, { credentials: "same-origin", signal: ctrl.signal, headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(url.split("?")[0] + " " + r.status); } return r.json(); });
  }
  function failed(err) { if (err.name !== "AbortError") { state.errors.push(String(err)); } }

  function drawFootprints() {
    if (!withFootprints) { return; }
    if (!shown.footprints || map.getZoom() < cfg.minFootprintZoom) {
      footprintLayer.clearLayers(); state.footprints = 0; return;
    }
    getJSON("footprints", cfg.footprintsUrl + "?limit=3000&bbox=" + bbox()).then(function (data) {
      footprintLayer.clearLayers();
      L.geoJSON(data, {
        pane: "landFootprints",
        style: function (f) {
          var bad = f.properties.owner_conflict;
          return { color: bad ? "#c0392b" : "#0b6e4f", weight: 2, dashArray: bad ? "6 4" : null, fillOpacity: 0.15 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<strong>" + esc(p.code) + " " + esc(p.community_name) + "</strong><br>" +
            (p.area_rai != null ? esc(Number(p.area_rai).toFixed(2)) + " " + esc(T.rai) + "<br>" : "") +
            (p.owner_conflict ? "<span class=\"badge conflict\">" + esc(T.conflict) + "</span><br>" : "") +
            "<a href=\"" + esc(cfg.casePage + f.id) + "#land\">" + esc(T.details) + "</a>");
        }
      }).eachLayer(function (l) { footprintLayer.addLayer(l); });
      state.footprints = data.features.length;
      state.loads += 1;
    }).catch(failed);
  }

  function drawLayer(layer) {
    var group = parcelLayers[layer.id];
    if (!shown[layer.id]) { group.clearLayers(); state.parcels[layer.id] = 0; return; }
    var colour = cfg.colours[layer.owner_type] || "#999";
    if (map.getZoom() < cfg.minParcelZoom) {
      group.clearLayers();
      if (layer.bbox) {
        L.rectangle([[layer.bbox[1], layer.bbox[0]], [layer.bbox[3], layer.bbox[2]]],
                    { pane: "landParcels", color: colour, weight: 2, dashArray: "4 4", fill: false })
          .bindTooltip(esc(layer.name) + " · " + esc(T.parcelsZoom)).addTo(group);
      }
      return;
    }
    var url = cfg.parcelsUrl.replace("{id}", encodeURIComponent(layer.id)) +
      (cfg.parcelsUrl.indexOf("?") >= 0 ? "&" : "?") + "limit=5000&bbox=" + bbox();
    getJSON("layer" + layer.id, url).then(function (data) {
      group.clearLayers();
      L.geoJSON(data, {
        pane: "landParcels", style: { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.3 },
        onEachFeature: function (f, l) {
          var attrs = f.properties.attributes || {};
          var rows = Object.keys(attrs).slice(0, 12).map(function (k) {
            return "<tr><th>" + esc(k) + "</th><td>" + esc(attrs[k]) + "</td></tr>";
          }).join("");
          l.bindPopup("<strong>" + esc(layer.name) + "</strong><br>" + esc(cfg.owners[layer.owner_type] || layer.owner_type) +
                      (layer.owner ? " · " + esc(layer.owner) : "") + "<table class=\"popup\">" + rows + "</table>");
        }
      }).eachLayer(function (l) { group.addLayer(l); });
      state.parcels[layer.id] = data.features.length;
      state.loads += 1;
    }).catch(failed);
  }

  function redraw() {
    drawFootprints();
    state.layers.forEach(drawLayer);
  }

  var landFolded = !!(window.matchMedia && window.matchMedia("(max-width: 640px)").matches);
  var landMeasured = false;
  // on a map too short for the open panel below the zoom, search and measure buttons (a laptop's
  // 768 px screen, the changes view with its table) it starts folded too: open, it covered them
  function foldIfCovering(box) {
    if (landMeasured) return false;
    landMeasured = true;  // once, at the first drawing: afterwards the panel stays as the user sets it
    if (landFolded) return false;
    var above = map._controlCorners && map._controlCorners.topleft;
    if (!above || !above.lastElementChild) return false;
    return box.getBoundingClientRect().top < above.lastElementChild.getBoundingClientRect().bottom + 8;
  }
  var Control = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "land-legend leaflet-control");
      box.id = "land-control";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      this.box = box;
      return box;
    },
    render: function (layers) {
      var owners = {};
      this.layers = layers;
      // on a phone the panel starts folded to its title (it covered half the map); a tap opens it
      var html = "<h4><button type=\"button\" class=\"land-toggle\" aria-expanded=\"" + !landFolded + "\">" +
        esc(T.title) + (landFolded ? " ▸" : "") + "</button></h4><div class=\"land-body\">" + (withFootprints ?
        "<label><input type=\"checkbox\" data-land=\"footprints\" checked> <span class=\"swatch\" style=\"border:2px solid #0b6e4f\"></span>" +
        esc(T.footprints) + "</label>" : "");
      layers.forEach(function (layer) {
        owners[layer.owner_type] = true;
        html += "<label><input type=\"checkbox\" data-land=\"" + esc(layer.id) + "\"" + (shown[layer.id] ? " checked" : "") +
          "> <span class=\"swatch\" style=\"background:" +
          esc(cfg.colours[layer.owner_type] || "#999") + "\"></span>" + esc(layer.name) + " (" + esc(layer.parcels) + ")" +
          (layer.is_sample ? " <span class=\"badge sample\">" + esc(T.sample) + "</span>" : "") + "</label>";
      });
      var keys = Object.keys(owners);
      if (keys.length) {
        html += "<h4>" + esc(T.legend) + "</h4>" + keys.map(function (k) {
          return "<div class=\"legend-owner\"><span class=\"swatch\" style=\"background:" + esc(cfg.colours[k] || "#999") +
            "\"></span>" + esc(cfg.owners[k] || k) + "</div>";
        }).join("");
      }
      this.box.innerHTML = html + "</div>";
      this.box.classList.toggle("land-folded", landFolded);
      if (layers.length && foldIfCovering(this.box)) { landFolded = true; this.render(layers); return; }
      var inputs = this.box.querySelectorAll("input[data-land]");
      for (var i = 0; i < inputs.length; i++) {
        inputs[i].addEventListener("change", function (e) {
          var key = e.target.getAttribute("data-land");
          shown[key] = e.target.checked;
          if (key === "footprints") { drawFootprints(); return; }
          state.layers.forEach(function (layer) { if (String(layer.id) === key) { drawLayer(layer); } });
          if (api.writeAddress) { api.writeAddress(); }
        });
      }
    }
  });
  var control = new Control().addTo(map);
  control.box.addEventListener("click", function (e) {
    if (e.target.closest(".land-toggle")) { landFolded = !landFolded; control.render(control.layers || []); }
  });
  control.render([]);
  function start(list) {
    state.layers = list || [];
    state.layers.forEach(function (layer) {
      parcelLayers[layer.id] = L.layerGroup().addTo(map);
      shown[layer.id] = !!shown[layer.id];
    });
    control.render(state.layers);
    redraw();
  }
  if (cfg.layers) { start(cfg.layers); }   /* a shared link: its own layers, listed in the page */
  else { getJSON("layers", cfg.layersUrl).then(function (data) { start(data.layers); }).catch(failed); }
  map.on("moveend", redraw);
  state.show = function (id) {  /* for tests and links: switch a layer on */
    var input = document.querySelector("input[data-land=\"" + id + "\"]");
    if (input && !input.checked) { input.click(); }
  };
})();
