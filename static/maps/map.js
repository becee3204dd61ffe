/* Land-case maps: fills the Folium map's empty overlays with data fetched by view,
 * keeps the view in the address (status=, layers=, province=, base=, c=, z=), and adds
 * the search box, the legend and the share dialog. No inline handlers; no CDN. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var map = window[cfg.names.map];
  var T = cfg.texts;
  var statusLayers = {};
  var overlays = {};
  var statusKeys = cfg.statuses.map(function (s) { return s.key; });
  var statusInfo = {};
  cfg.statuses.forEach(function (s) { statusInfo[s.key] = s; statusLayers[s.key] = window[cfg.names.statuses[s.key]]; });
  Object.keys(cfg.names.overlays).forEach(function (k) { overlays[k] = window[cfg.names.overlays[k]]; });
  var api = window.codiMap = { map: map, statusLayers: statusLayers, overlays: overlays, loads: 0, errors: [] };

  map.createPane("codiChoropleth").style.zIndex = 350;
  var outlinePane = map.createPane("codiOutlines");
  outlinePane.style.zIndex = 390;
  outlinePane.style.pointerEvents = "none";

  // ---------- helpers ----------
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmt(n) { return Number(n).toLocaleString(cfg.lang === "th" ? "th-TH" : "en-GB"); }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function date(iso) {
    if (!iso) return "";
    var p = iso.split("-");
    if (cfg.lang !== "th") return iso;
    return Number(p[2]) + " " + cfg.months[Number(p[1]) - 1] + " " + (Number(p[0]) + 543);
  }
  function vocab(kind, key) { return (cfg.vocab[kind] && cfg.vocab[kind][key]) || key || ""; }
  function row(label, value) {
    return value === undefined || value === null || value === "" ? "" :
      "<tr><th>" + esc(label) + "</th><td>" + esc(value) + "</td></tr>";
  }
  function place(p) { return [p.subdistrict, p.district, p.province].filter(Boolean).join(" · "); }
  function setStatus(text) { var el = document.getElementById("map-status"); if (el) el.textContent = text; }
  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k] !== null && params[k] !== undefined && params[k] !== "") q.set(k, params[k]); });
    return q.toString().replace(/%2C/g, ",");
  }
  function getJSON(url, signal) {
    return fetch(url, { credentials: "same-origin", signal: signal, headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(url.split("?")[0] + " " + r.status); return r.json(); });
  }
  function dataUrl(params) {
    if (cfg.region && !params.region) params.region = cfg.region;
    if (cfg.asOf && !params.as_of) params.as_of = cfg.asOf;  // the map as it stood that day (timeline/time.js)
    return cfg.urls.data + "?" + query(params);
  }
  function bboxOf(bounds) {
    var w = Math.max(-180, bounds.getWest()), s = Math.max(-90, bounds.getSouth());
    var e = Math.min(180, bounds.getEast()), n = Math.min(90, bounds.getNorth());
    return [w, s, e, n].map(function (v) { return v.toFixed(5); }).join(",");
  }
  function scopeBbox(pad) {
    if (!cfg.scopeBbox) return "";
    var b = cfg.scopeBbox;
    return [Math.max(-180, b[0] - pad), Math.max(-90, b[1] - pad), Math.min(180, b[2] + pad), Math.min(90, b[3] + pad)].join(",");
  }

  // ---------- case markers: one cluster layer, filtered by the status check boxes ----------
  // Each cluster icon is a ring chart: the total in the middle, each status's share around it.
  var cases = window[cfg.names.cases];
  api.cases = cases;
  var pinIcons = {};
  statusKeys.forEach(function (k) {
    pinIcons[k] = L.divIcon({ className: "codi-pin", iconSize: [16, 16],
      html: '<span style="background:' + statusInfo[k].colour + '"></span>' });
  });
  function clusterSize(n) { return n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 46 : 54; }
  function ring(counts, extra) {
    var total = 0;
    statusKeys.forEach(function (k) { total += counts[k] || 0; });
    var size = clusterSize(total), r = 15.9155, start = 0, arcs = "", title = [];
    statusKeys.forEach(function (k) {
      var n = counts[k] || 0;
      if (!n) return;
      var share = 100 * n / total;
      arcs += '<circle r="' + r + '" cx="18" cy="18" fill="none" stroke="' + statusInfo[k].colour +
        '" stroke-width="4.5" stroke-dasharray="' + share.toFixed(3) + " " + (100 - share).toFixed(3) +
        '" stroke-dashoffset="' + (25 - start).toFixed(3) + '" data-status="' + k + '" data-count="' + n + '"></circle>';
      start += share;
      title.push(statusInfo[k].label + " " + fmt(n));
    });
    return L.divIcon({ className: "codi-cluster" + (extra || ""), iconSize: [size, size],
      html: '<svg viewBox="0 0 36 36" width="' + size + '" height="' + size + '" role="img" aria-label="' +
        esc(fmt(total) + " " + T.cases + ": " + title.join(", ")) + '"><title>' + esc(title.join(", ")) + "</title>" +
        '<circle r="13" cx="18" cy="18" fill="#fff"></circle>' + arcs + "</svg><span>" + esc(fmt(total)) + "</span>" });
  }
  cases.options.iconCreateFunction = function (cluster) {
    var counts = {};
    cluster.getAllChildMarkers().forEach(function (m) {
      var c = m.options.counts;
      Object.keys(c).forEach(function (k) { counts[k] = (counts[k] || 0) + c[k]; });
    });
    return ring(counts);
  };

  function casePopup(p) {
    var html = "<div class='codi-popup'><strong>" + esc(p.community_name) + "</strong>" +
      (p.community_name_en ? "<br><span class='muted'>" + esc(p.community_name_en) + "</span>" : "") +
      "<table>" + row(T.status, statusInfo[p.status] ? statusInfo[p.status].label : p.status) +
      row(T.households, p.households != null ? fmt(p.households) : null) +
      row(T.population, p.population != null ? fmt(p.population) : null) +
      row(T.owner, [vocab("land_owner_type", p.land_owner_type), p.land_owner].filter(Boolean).join(": ")) +
      row(T.problem, vocab("problem", p.problem)) + row(T.areaType, vocab("area_type", p.area_type)) +
      row(T.location, place(p)) + row(T.opened, date(p.opened_on)) + "</table>" +
      "<span class='muted'>" + esc(p.code || "") + "</span>";
    if (cfg.urls["case"] && p.id != null) {
      html += " · <a href='" + esc(cfg.urls["case"].replace("{id}", encodeURIComponent(p.id))) + "'>" + esc(T.details) + "</a>";
    }
    return html + "</div>";
  }

  function caseMarker(f) {
    var c = f.geometry.coordinates, p = f.properties, ll = L.latLng(c[1], c[0]), counts = {};
    counts[p.status] = 1;
    var marker = L.marker(ll, { icon: pinIcons[p.status], title: p.community_name, counts: counts, status: p.status });
    marker.bindPopup(function () { return casePopup(p); }, { maxWidth: 320 });
    return marker;
  }
  // Grid cells (a view holding too many cases) come per status and cell: one marker per cell.
  function cellMarkers(features) {
    var cells = {}, out = [];
    features.forEach(function (f) {
      var key = String(f.id).split(":").slice(1).join(":"), n = f.properties.count, c = f.geometry.coordinates;
      var cell = cells[key] || (cells[key] = { counts: {}, n: 0, x: 0, y: 0 });
      cell.counts[f.properties.status] = (cell.counts[f.properties.status] || 0) + n;
      cell.n += n; cell.x += c[0] * n; cell.y += c[1] * n;
    });
    Object.keys(cells).forEach(function (key) {
      var cell = cells[key], ll = L.latLng(cell.y / cell.n, cell.x / cell.n);
      var marker = L.marker(ll, { icon: ring(cell.counts, " codi-cell"), counts: cell.counts,
        title: fmt(cell.n) + " " + T.cases + " · " + T.zoomIn });
      marker.on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); });
      out.push(marker);
    });
    return out;
  }

  function visibleStatuses() { return statusKeys.filter(function (k) { return map.hasLayer(statusLayers[k]); }); }
  var drawn = [];  // the markers of the last answer
  function draw() {  // the markers of the shown statuses, at once (a new answer follows)
    var shown = visibleStatuses(), keep = [];
    drawn.forEach(function (m) {
      if (!m.options.status || shown.indexOf(m.options.status) >= 0) keep.push(m);
    });
    cases.clearLayers();
    if (keep.length) cases.addLayers(keep);
  }

  var inflight = null, last = null, timer = null;
  function loadCases() {
    var statuses = visibleStatuses();
    if (!statuses.length) {
      drawn = []; cases.clearLayers();
      last = null; setStatus(""); return;
    }
    var view = map.getBounds();
    var key = statuses.join(",");
    if (last && last.key === key && last.complete && last.bounds.contains(view)) return;
    var bounds = view.pad(0.25);
    if (inflight) inflight.abort();
    inflight = new AbortController();
    setStatus(T.loading);
    var zoom = map.getZoom();
    getJSON(dataUrl({ bbox: bboxOf(bounds), status: key, zoom: zoom, province: cfg.province }), inflight.signal)
      .then(function (fc) {
        drawn = fc.aggregated ? cellMarkers(fc.features) : fc.features.map(caseMarker);
        draw();
        last = { key: key, bounds: bounds, complete: !fc.aggregated && fc.numberReturned >= fc.numberMatched };
        setStatus(fc.aggregated ? fill(T.cells, { total: fmt(fc.numberMatched) })
          : fill(T.shown, { shown: fmt(fc.numberReturned), total: fmt(fc.numberMatched) }));
        api.loads += 1;
        api.lastCases = fc.numberReturned;
        document.documentElement.setAttribute("data-cases-loaded", String(api.loads));
        if (document.readyState !== "complete") document.documentElement.setAttribute("data-cases-before-load", "1");
      })
      .catch(function (err) {
        if (err.name === "AbortError") return;
        api.errors.push(String(err)); setStatus(T.failed);
      });
  }
  function scheduleCases() { clearTimeout(timer); timer = setTimeout(loadCases, 200); }

  // ---------- no outside base map (an office without internet): the provinces are the base ----------
  if (!cfg.outsideBasemaps) {
    map.getContainer().classList.add("codi-no-basemap");
    map.createPane("codiBase").style.zIndex = 150;
    if (map.attributionControl) map.attributionControl.addAttribution(esc(cfg.credit));
    getJSON(cfg.urls.boundaries.replace("{level}", "provinces") + "?" +
      query({ simplify: cfg.regional ? 0.003 : 0.01, bbox: scopeBbox(2) }))
      .then(function (fc) {
        L.geoJSON(fc, { pane: "codiBase", interactive: false,
          style: { color: "#b7ae9c", weight: 0.8, fillColor: "#f6f3ec", fillOpacity: 1 } }).addTo(map);
        api.baseDrawn = true;
      })
      .catch(function (err) { api.errors.push(String(err)); });
  }

  // ---------- other overlays, loaded once when first shown ----------
  var loaded = {};
  function pilotPopup(p) {
    return "<div class='codi-popup'><strong>" + esc(T.pilot + ": " + (p.name || "")) + "</strong><table>" +
      row(T.location, place(p)) + row(T.stage, vocab("stage", p.stage)) + row(T.team, p.team) +
      row(T.architect, p.architect) + row(T.caseCount, p.case_count != null ? fmt(p.case_count) : null) +
      row(T.households, p.households != null ? fmt(p.households) : null) + "</table></div>";
  }
  function fundPopup(p) {
    return "<div class='codi-popup'><strong>" + esc(T.fund + ": " + (p.name || "")) + "</strong><table>" +
      row(T.level, vocab("level", p.level)) + row(T.members, p.members != null ? fmt(p.members) : null) +
      row(T.capital, p.capital_baht != null ? fmt(p.capital_baht) : null) + row(T.network, p.network) +
      row(T.established, date(p.established_on)) + row(T.province, p.province) + "</table></div>";
  }
  var fundIcon = L.divIcon({ className: "codi-fund", iconSize: [14, 14], html: "<span></span>" });
  var choroplethColours = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var choroplethBreaks = null;
  function choroplethColour(n) {
    if (!n || !choroplethBreaks) return "#ffffff";
    for (var i = 0; i < choroplethBreaks.length; i++) if (n <= choroplethBreaks[i]) return choroplethColours[i];
    return choroplethColours[choroplethColours.length - 1];
  }

  var loaders = {
    provinces: function () {
      var url = cfg.urls.boundaries.replace("{level}", "provinces") + "?" +
        query({ simplify: cfg.regional ? 0.003 : 0.01, bbox: scopeBbox(1) });
      return getJSON(url).then(function (fc) {
        L.geoJSON(fc, { pane: "codiOutlines", interactive: false,
          style: { color: "#37474f", weight: 1.4, fill: false } }).addTo(overlays.provinces);
      });
    },
    districts: function () {
      var url = cfg.urls.boundaries.replace("{level}", "districts") + "?" +
        query({ simplify: cfg.regional ? 0.002 : 0.005, bbox: scopeBbox(0.3) });
      return getJSON(url).then(function (fc) {
        L.geoJSON(fc, { pane: "codiOutlines", interactive: false,
          style: { color: "#78909c", weight: 0.8, dashArray: "3 3", fill: false } }).addTo(overlays.districts);
      });
    },
    "pilot-areas": function () {
      return getJSON(dataUrl({ layer: "pilot-areas", province: cfg.province })).then(function (fc) {
        L.geoJSON(fc, { style: { color: "#0b6e4f", weight: 2, fillColor: "#0b6e4f", fillOpacity: 0.15 },
          onEachFeature: function (f, layer) { layer.bindPopup(pilotPopup(f.properties)); } }).addTo(overlays["pilot-areas"]);
      });
    },
    funds: function () {
      return getJSON(dataUrl({ layer: "funds", province: cfg.province })).then(function (fc) {
        L.geoJSON(fc, { pointToLayer: function (f, ll) { return L.marker(ll, { icon: fundIcon, title: f.properties.name }); },
          onEachFeature: function (f, layer) { layer.bindPopup(fundPopup(f.properties)); } }).addTo(overlays.funds);
      });
    },
    choropleth: function () {
      return getJSON(dataUrl({ layer: "choropleth", province: cfg.province })).then(function (fc) {
        var max = fc.max || 0, step = Math.max(1, Math.ceil(max / 5));
        choroplethBreaks = [1, 2, 3, 4, 5].map(function (i) { return i * step; });
        L.geoJSON(fc, { pane: "codiChoropleth",
          style: function (f) { var n = f.properties.open_cases;
            return { color: "#888", weight: 0.5, fillColor: choroplethColour(n), fillOpacity: n ? 0.65 : 0.15 }; },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(esc(f.properties.name) + ": " + esc(fmt(f.properties.open_cases)) + " " + esc(T.cases), { sticky: true });
          } }).addTo(overlays.choropleth);
        renderLegend();
      });
    }
  };
  function ensureLoaded(name) {
    if (loaded[name] || !loaders[name]) return;
    loaded[name] = loaders[name]().catch(function (err) { loaded[name] = null; api.errors.push(String(err)); setStatus(T.failed); });
  }

  // ---------- legend ----------
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    this._div = L.DomUtil.create("div", "codi-legend leaflet-bar");
    L.DomEvent.disableClickPropagation(this._div);
    L.DomEvent.disableScrollPropagation(this._div);
    return this._div;
  };
  legend.addTo(map);
  var phone = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;
  var legendFolded = phone;
  function renderLegend() {
    var html = "<button type='button' class='codi-legend-toggle' aria-expanded='" + !legendFolded + "'>" +
      esc(T.legend) + (legendFolded ? " ▸" : "") + "</button><ul>";
    cfg.statuses.forEach(function (s) {
      html += "<li><span class='codi-swatch' style='background:" + s.colour + "'></span>" + esc(s.label) + "</li>";
    });
    if (overlays.funds) html += "<li><span class='codi-swatch codi-swatch-box' style='background:#00838f'></span>" + esc(T.fund) + "</li>";
    if (overlays["pilot-areas"]) html += "<li><span class='codi-swatch codi-swatch-box' style='background:#0b6e4f'></span>" + esc(T.pilot) + "</li>";
    html += "</ul>";
    if (overlays.choropleth && map.hasLayer(overlays.choropleth) && choroplethBreaks) {
      html += "<strong>" + esc(T.openCases) + "</strong><ul>";
      var low = 1;
      choroplethBreaks.forEach(function (b, i) {
        html += "<li><span class='codi-swatch codi-swatch-box' style='background:" + choroplethColours[i] + "'></span>" +
          esc(low === b ? fmt(b) : fmt(low) + "–" + fmt(b)) + "</li>";
        low = b + 1;
      });
      html += "</ul>";
    }
    legend._div.innerHTML = html;
    legend._div.classList.toggle("codi-folded", legendFolded);
  }
  legend._div.addEventListener("click", function (e) {
    if (e.target.closest(".codi-legend-toggle")) { legendFolded = !legendFolded; renderLegend(); }
  });
  renderLegend();

  // ---------- phones: the layer panel starts closed, a tap on its button opens or closes it ----------
  var layerPanel = map.getContainer().querySelector(".leaflet-control-layers");
  api.phone = phone;
  if (phone && layerPanel) {
    layerPanel.classList.remove("leaflet-control-layers-expanded");
    var toggle = layerPanel.querySelector(".leaflet-control-layers-toggle");
    toggle.setAttribute("aria-label", T.layers);
    toggle.title = T.layers;
    L.DomEvent.on(toggle, "click", function (e) {
      L.DomEvent.preventDefault(e);
      layerPanel.classList.add("leaflet-control-layers-expanded");  // (Leaflet also opens it on focus)
    });
    map.on("click", function () { layerPanel.classList.remove("leaflet-control-layers-expanded"); });
  }

  // a map too short for both (a 768 px laptop screen, the changes view): the overview map in the
  // corner went under the layer panel, so it is left out
  var overview = map.getContainer().querySelector(".leaflet-control-minimap");
  if (overview && layerPanel && !phone &&
      layerPanel.getBoundingClientRect().bottom + 8 > overview.getBoundingClientRect().top) {
    overview.style.display = "none";
  }

  // ---------- search (server side, within the map's scope) ----------
  if (L.Control.Search) {
    var search = new L.Control.Search({
      position: "topleft", initial: false, minLength: 2, zoom: 15, collapsed: true,
      textPlaceholder: T.search, textErr: T.notFound, textCancel: T.cancel, autoType: false,
      marker: { icon: false, animate: true, circle: { radius: 14, weight: 3, color: "#e03", stroke: true, fill: false } },
      sourceData: function (text, callback) {
        var controller = new AbortController();
        getJSON(dataUrl({ q: text, limit: 10, province: cfg.province }), controller.signal)
          .then(function (fc) { callback(fc.features); })
          .catch(function (err) { if (err.name !== "AbortError") callback([]); });
        return { abort: function () { controller.abort(); } };
      },
      formatData: function (features) {
        var records = {};
        features.forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          records[p.community_name + " (" + (p.code || "") + ")"] = L.latLng(c[1], c[0]);
        });
        return records;
      },
      filterData: function (text, records) { return records; },
      buildTip: function (text) {  // the library would put names in with innerHTML
        var li = L.DomUtil.create("li", "");
        li.textContent = text;
        return li;
      }
    }).addTo(map);
    // leaflet-search reacts to keyup only; pasted text and IME input (Thai on phones) come as `input`
    search._input.addEventListener("input", function () { search._handleKeypress({ keyCode: 0 }); });
  }

  // ---------- measuring tool (static/maps/measure.js) ----------
  new L.Control.CodiMeasure({ texts: T, format: fmt, onMeasure: function (m) { api.measured = m; } }).addTo(map);

  // ---------- the address keeps the view ----------
  var baseByLabel = {}, currentBase = cfg.base;
  cfg.bases.forEach(function (b) { baseByLabel[b.label] = b.key; });
  function sameSet(a, b) { return a.length === b.length && a.every(function (x) { return b.indexOf(x) >= 0; }); }
  function visibleLayers() { return cfg.layers.filter(function (k) { return overlays[k] && map.hasLayer(overlays[k]); }); }
  /* reference land layers shown (static/land/map_land.js), as `layers=` names them */
  function referenceLayers() { return api.referenceLayers ? api.referenceLayers() : []; }
  api.writeAddress = writeAddress;
  function writeAddress() {
    var p = new URLSearchParams(location.search);
    var st = visibleStatuses(), ly = visibleLayers().concat(referenceLayers());
    var defaults = cfg.defaultLayers.concat((cfg.defaultReference || []).map(function (id) { return "reference:" + id; }));
    if (sameSet(st, cfg.defaultStatuses)) p.delete("status"); else p.set("status", st.join(","));
    if (sameSet(ly, defaults)) p.delete("layers"); else p.set("layers", ly.join(","));
    if (currentBase === "light") p.delete("base"); else p.set("base", currentBase);
    var c = map.getCenter();
    p.set("c", c.lat.toFixed(5) + "," + c.lng.toFixed(5));
    p.set("z", String(map.getZoom()));
    p.delete("lang");
    var qs = p.toString().replace(/%2C/g, ",");
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  }

  map.on("moveend", function () { scheduleCases(); writeAddress(); });
  map.on("overlayadd", function (e) {
    Object.keys(overlays).forEach(function (k) { if (overlays[k] === e.layer) ensureLoaded(k); });
    if (isStatus(e.layer)) { draw(); last = null; scheduleCases(); }
    renderLegend(); writeAddress();
  });
  map.on("overlayremove", function (e) {
    if (isStatus(e.layer)) { draw(); if (!visibleStatuses().length) loadCases(); }
    renderLegend(); writeAddress();
  });
  function isStatus(layer) { return statusKeys.some(function (k) { return statusLayers[k] === layer; }); }
  map.on("baselayerchange", function (e) { currentBase = baseByLabel[e.name] || currentBase; writeAddress(); });

  Object.keys(overlays).forEach(function (k) { if (map.hasLayer(overlays[k])) ensureLoaded(k); });
  loadCases();

  // ---------- another day, redrawn in place (the quarter slider of timeline/time.js) ----------
  api.asOf = function () { return cfg.asOf || ""; };
  api.setAsOf = function (day) {
    cfg.asOf = day || "";
    last = null;
    loadCases();
    ["choropleth", "pilot-areas"].forEach(function (k) {
      if (!overlays[k] || !loaded[k]) return;
      overlays[k].clearLayers(); loaded[k] = null;
      if (map.hasLayer(overlays[k])) ensureLoaded(k);
    });
  };

  // ---------- toolbar: region and province menus ----------
  function keepParams(drop) {
    var p = new URLSearchParams(location.search);
    drop.forEach(function (k) { p.delete(k); });
    var qs = p.toString().replace(/%2C/g, ",");
    return qs ? "?" + qs : "";
  }
  var regionSelect = document.getElementById("map-region");
  if (regionSelect) regionSelect.addEventListener("change", function () {
    var base = regionSelect.getAttribute("data-base").replace(/\/$/, "");
    location.assign(base + (regionSelect.value ? "/" + encodeURIComponent(regionSelect.value) : "") +
      keepParams(["c", "z", "province", "region"]));
  });
  var provinceSelect = document.getElementById("map-province");
  if (provinceSelect) provinceSelect.addEventListener("change", function () {
    var p = new URLSearchParams(location.search);
    ["c", "z"].forEach(function (k) { p.delete(k); });
    if (provinceSelect.value) p.set("province", provinceSelect.value); else p.delete("province");
    var qs = p.toString().replace(/%2C/g, ",");
    location.assign(location.pathname + (qs ? "?" + qs : ""));
  });

  // ---------- share dialog (policy staff and admins) ----------
  var dialog = document.getElementById("share-dialog");
  if (dialog && dialog.showModal) {
    var form = document.getElementById("share-form");
    document.getElementById("share-open").addEventListener("click", function () {
      document.getElementById("share-result").hidden = true;
      document.getElementById("share-error").hidden = true;
      dialog.showModal();
    });
    document.getElementById("share-close").addEventListener("click", function () { dialog.close(); });
    var duplicate = document.getElementById("share-duplicate");
    function thaiDate(iso) {
      return new Date(iso).toLocaleDateString(cfg.lang === "th" ? "th-TH" : "en-GB",
        { timeZone: "Asia/Bangkok", day: "numeric", month: "short", year: "numeric" });
    }
    document.getElementById("share-again").addEventListener("click", function () { send(false); });
    form.addEventListener("submit", function (e) { e.preventDefault(); send(true); });
    function send(ifNew) {
      duplicate.hidden = true;
      var token = document.querySelector("meta[name=csrf-token]");
      var body = { label: form.elements.label.value, expires_in_days: Number(form.elements.expires_in_days.value),
        region: dialog.getAttribute("data-region") || null, statuses: visibleStatuses(), layers: visibleLayers().concat(referenceLayers()),
        if_new: ifNew };
      fetch(dialog.getAttribute("data-url"), { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.content : "" },
        body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); })
        .then(function (res) {
          var error = document.getElementById("share-error");
          if (res.status === 409) {  // a live link of this same view exists: say so, offer it
            var same = (res.body.error || {}).details || [];
            document.getElementById("share-duplicate-list").textContent = same.map(function (d) {
              return "“" + d.label + "” (" + fill(T.until, { date: thaiDate(d.expires_at) }) + ")";
            }).join(", ");
            if (same.length) document.getElementById("share-duplicate-open").href = dialog.getAttribute("data-links") + "#link-" + same[0].id;
            error.hidden = true; duplicate.hidden = false; return;
          }
          if (!res.ok) {
            var e2 = res.body.error || {};
            error.textContent = (e2.message || "") + " " + (e2.details || []).map(function (d) { return d.field + ": " + d.message; }).join("; ");
            error.hidden = false; return;
          }
          error.hidden = true;
          document.getElementById("share-url").value = res.body.url;
          var expiry = document.getElementById("share-expiry");
          expiry.textContent = fill(expiry.getAttribute("data-text"), { date: thaiDate(res.body.expires_at) });
          document.getElementById("share-result").hidden = false;
          document.getElementById("share-url").select();
        });
    }
  }
})();
