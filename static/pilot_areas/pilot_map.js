/* The pilot page's small map: the subdistrict polygon and the cases inside it. */
(function () {
  "use strict";
  var el = document.getElementById("pilot-map");
  var source = document.getElementById("pilot-data");
  if (!el || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var cases = data.cases || [];
  var polygon = data.geometry ? L.geoJSON(data.geometry, {
    style: { color: "#0b6e4f", weight: 2, fillColor: "#0b6e4f", fillOpacity: 0.08 }
  }) : null;
  var bounds = polygon ? polygon.getBounds() : L.latLngBounds(cases.map(function (c) { return [c.lat, c.lon]; }));
  // the view is set before any vector layer is added (Leaflet needs it to clip paths)
  var map = L.map(el, { scrollWheelZoom: false });
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 15 }); } else { map.setView([13.7, 100.5], 6); }
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "&copy; OpenStreetMap"
  }).addTo(map);
  if (polygon) { polygon.addTo(map); }
  cases.forEach(function (c) {
    var marker = L.circleMarker([c.lat, c.lon], {
      radius: 6, color: "#ffffff", weight: 1, fillColor: data.colours[c.status] || "#6c757d", fillOpacity: 0.9
    }).addTo(map);
    var label = document.createElement("span");
    label.textContent = c.community_name + " · " + (data.labels[c.status] || c.status) + " · " + c.households;
    marker.bindTooltip(label);
  });
  el.dataset.ready = "1";
})();
