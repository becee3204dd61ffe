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

  // ---------- case markers ----------
  var pinIcons = {};
  statusKeys.forEach(function (k) {
    pinIcons[k] = L.divIcon({ className: "codi-pin", iconSize: [16, 16],
      html: '<span style="background:' + statusInfo[k].colour + '"></span>' });
  });
  function clusterSize(n) { return n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50; }
  function bubble(colour, n, extra) {
    var size = clusterSize(n);
    return L.divIcon({ className: "codi-cluster" + (extra || ""), iconSize: [size, size],
      html: '<div style="background:' + colour + '"><span>' + esc(fmt(n)) + "</span></div>" });
  }
  statusKeys.forEach(function (k) {
    statusLayers[k].options.iconCreateFunction = function (cluster) {
      var n = 0;
      cluster.getAllChildMarkers().forEach(function (m) { n += m.options.count || 1; });
      return bubble(statusInfo[k].colour, n);
    };
  });

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
    var c = f.geometry.coordinates, p = f.properties, ll = L.latLng(c[1], c[0]);
    if (p.count !== undefined) {  // a grid cell of many cases
      var cell = L.marker(ll, { icon: bubble(statusInfo[p.status].colour, p.count, " codi-cell"), count: p.count,
        title: fmt(p.count) + " " + T.cases + " · " + T.zoomIn });
      cell.on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); });
      return cell;
    }
    var marker = L.marker(ll, { icon: pinIcons[p.status], title: p.community_name, count: 1 });
    marker.bindPopup(function () { return casePopup(p); }, { maxWidth: 320 });
    return marker;
  }

  function visibleStatuses() { return statusKeys.filter(function (k) { return map.hasLayer(statusLayers[k]); }); }

  var inflight = null, last = null, timer = null;
  function loadCases() {
    var statuses = visibleStatuses();
    if (!statuses.length) {
      statusKeys.forEach(function (k) { statusLayers[k].clearLayers(); });
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
        var groups = {};
        statusKeys.forEach(function (k) { groups[k] = []; });
        fc.features.forEach(function (f) { if (groups[f.properties.status]) groups[f.properties.status].push(caseMarker(f)); });
        statusKeys.forEach(function (k) {
          statusLayers[k].clearLayers();
          if (groups[k].length) statusLayers[k].addLayers(groups[k]);
        });
        last = { key: key, bounds: bounds, complete: !fc.aggregated && fc.numberReturned >= fc.numberMatched };
        setStatus(fc.aggregated ? fill(T.cells, { total: fmt(fc.numberMatched) })
          : fill(T.shown, { shown: fmt(fc.numberReturned), total: fmt(fc.numberMatched) }));
        api.loads += 1;
        api.lastCases = fc.numberReturned;
        document.documentElement.setAttribute("data-cases-loaded", String(api.loads));
      })
      .catch(function (err) {
        if (err.name === "AbortError") return;
        api.errors.push(String(err)); setStatus(T.failed);
      });
  }
  function scheduleCases() { clearTimeout(timer); timer = setTimeout(loadCases, 200); }

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
  function renderLegend() {
    var html = "<strong>" + esc(T.legend) + "</strong><ul>";
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
  }
  renderLegend();

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
  function writeAddress() {
    var p = new URLSearchParams(location.search);
    var st = visibleStatuses(), ly = visibleLayers();
    if (sameSet(st, cfg.defaultStatuses)) p.delete("status"); else p.set("status", st.join(","));
    if (sameSet(ly, cfg.defaultLayers)) p.delete("layers"); else p.set("layers", ly.join(","));
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
    if (statusKeys.some(function (k) { return statusLayers[k] === e.layer; })) { last = null; scheduleCases(); }
    renderLegend(); writeAddress();
  });
  map.on("overlayremove", function () { renderLegend(); writeAddress(); });
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
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var token = document.querySelector("meta[name=csrf-token]");
      var body = { label: form.elements.label.value, expires_in_days: Number(form.elements.expires_in_days.value),
        region: dialog.getAttribute("data-region") || null, statuses: visibleStatuses(), layers: visibleLayers() };
      fetch(dialog.getAttribute("data-url"), { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.content : "" },
        body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (res) {
          var error = document.getElementById("share-error");
          if (!res.ok) {
            var e2 = res.body.error || {};
            error.textContent = (e2.message || "") + " " + (e2.details || []).map(function (d) { return d.field + ": " + d.message; }).join("; ");
            error.hidden = false; return;
          }
          error.hidden = true;
          document.getElementById("share-url").value = res.body.url;
          document.getElementById("share-expiry").textContent = res.body.expires_at;
          document.getElementById("share-result").hidden = false;
          document.getElementById("share-url").select();
        });
    });
  }
})();
