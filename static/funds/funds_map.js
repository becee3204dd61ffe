/* Fund maps: the points of the list and fund pages, and the click-to-place form map. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var LEVEL_COLOURS = { community: "#17a2b8", city: "#0b6e4f", province: "#fd7e14", region: "#6f42c1", national: "#b42318" };
  function baseMap(el, options) {
    var map = L.map(el, options || { scrollWheelZoom: false });
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap"
    }).addTo(map);
    return map;
  }

  var listEl = document.getElementById("fund-map");
  var source = document.getElementById("fund-points");
  if (listEl && source) {
    var data = JSON.parse(source.textContent);
    var map = baseMap(listEl);
    var latlngs = data.points.map(function (p) { return [p.lat, p.lon]; });
    // the view is set before any vector layer is added (Leaflet needs it to clip paths)
    if (latlngs.length === 1) { map.setView(latlngs[0], data.zoom || 10); }
    else if (latlngs.length) { map.fitBounds(latlngs, { padding: [16, 16] }); }
    else { map.setView([13.2, 101.0], 5); }
    data.points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: p.level === "national" ? 10 : (p.level === "community" ? 5 : 7),
        color: "#ffffff", weight: 1, fillColor: LEVEL_COLOURS[p.level] || "#333", fillOpacity: 0.9
      }).addTo(map);
      var label = document.createElement("span");
      label.textContent = p.name + " · " + ((data.levels[p.level] || [p.level])[0]);
      marker.bindTooltip(label);
      if (p.url) { marker.on("click", function () { window.location.href = p.url; }); }
    });
    listEl.dataset.ready = "1";
  }

  var formEl = document.getElementById("fund-form-map");
  if (formEl) {
    var lon = document.getElementById("lon"), lat = document.getElementById("lat");
    var formMap = baseMap(formEl, { scrollWheelZoom: true });
    var marker = null;
    function place(latlng, pan) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: "#0b6e4f", fillOpacity: 1 }).addTo(formMap);
      }
      if (pan) { formMap.setView(latlng, Math.max(formMap.getZoom() || 0, 12)); }
    }
    var x = parseFloat(lon.value), y = parseFloat(lat.value);
    if (isFinite(x) && isFinite(y)) { formMap.setView([y, x], 12); place([y, x], false); }
    else { formMap.setView([13.2, 101.0], 6); }
    formMap.on("click", function (e) {
      lon.value = e.latlng.lng.toFixed(6);
      lat.value = e.latlng.lat.toFixed(6);
      place(e.latlng, false);
    });
    [lon, lat].forEach(function (input) {
      input.addEventListener("change", function () {
        var a = parseFloat(lon.value), b = parseFloat(lat.value);
        if (isFinite(a) && isFinite(b)) { place([b, a], true); }
      });
    });
    formEl.dataset.ready = "1";
  }
})();
