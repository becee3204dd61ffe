/* Small Leaflet maps of the land-case pages.
 * <div data-case-map data-lon data-lat [data-pick data-lon-input data-lat-input] [data-outline]>
 * Background tiles may fail offline: the province outlines (from this server) and the marker
 * still show, and a click still places the point. */
(function () {
  "use strict";
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

  function number(value) {
    var n = parseFloat(value);
    return isFinite(n) ? n : null;
  }

  function init(el) {
    if (typeof L === "undefined") { return; }
    var lon = number(el.dataset.lon), lat = number(el.dataset.lat);
    var has = lon !== null && lat !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
    var map = L.map(el, { scrollWheelZoom: !!el.dataset.pick });
    map.setView(has ? [lat, lon] : [13.75, 100.52], has ? 14 : 6);
    if (!el.dataset.noTiles) {  // OUTSIDE_BASEMAPS=0: an office without internet asks no tile server
      L.tileLayer(TILES, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    }
    if (el.dataset.outline && window.fetch) {
      fetch(el.dataset.outline, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          L.geoJSON(data, { interactive: false, style: { color: "#61707d", weight: 1, fill: false } })
            .addTo(map).bringToBack();
        })
        .catch(function () { /* no outline: the map still works */ });
    }
    var marker = null;
    function place(y, x) {
      if (marker) { marker.setLatLng([y, x]); return; }
      marker = L.circleMarker([y, x], {
        radius: 9, weight: 2, color: "#ffffff", fillColor: el.dataset.colour || "#0b6e4f", fillOpacity: 0.95
      }).addTo(map);
    }
    if (has) { place(lat, lon); }
    if (!el.dataset.pick) { return; }
    var lonInput = document.getElementById(el.dataset.lonInput);
    var latInput = document.getElementById(el.dataset.latInput);
    map.on("click", function (e) {
      var ll = e.latlng.wrap();
      lonInput.value = ll.lng.toFixed(6);
      latInput.value = ll.lat.toFixed(6);
      place(ll.lat, ll.lng);
    });
    function typed() {
      var x = number(lonInput.value), y = number(latInput.value);
      if (x !== null && y !== null && Math.abs(y) <= 90 && Math.abs(x) <= 180) {
        place(y, x);
        map.panTo([y, x]);
      }
    }
    lonInput.addEventListener("change", typed);
    latInput.addEventListener("change", typed);
    // "use my location" (the land team in the field): the phone's position fills the point
    var locate = document.getElementById("use-location");
    var said = document.getElementById("location-status");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        said.textContent = locate.dataset.locating;
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          var y = pos.coords.latitude, x = pos.coords.longitude;
          lonInput.value = x.toFixed(6);
          latInput.value = y.toFixed(6);
          place(y, x);
          map.setView([y, x], Math.max(map.getZoom(), 16));
          said.textContent = locate.dataset.found.replace("%(m)s", String(Math.round(pos.coords.accuracy || 0)));
          locate.disabled = false;
        }, function () {
          said.textContent = locate.dataset.denied;
          locate.disabled = false;
        }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
      });
    }
  }

  var maps = document.querySelectorAll("[data-case-map]");
  for (var i = 0; i < maps.length; i++) { init(maps[i]); }
})();
