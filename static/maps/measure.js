/* A small distance-and-area tool for Leaflet (L.Control.CodiMeasure).
 * Written here because leaflet-measure (what folium.plugins.MeasureControl loads) compiles
 * templates with `new Function` and so needs 'unsafe-eval' in the Content-Security-Policy.
 * Options: texts (measure, measureHint, distance, area, km, m, km2, ha), format(number),
 * onMeasure(metres). Click the button, click points on the map; click the button to stop. */
(function () {
  "use strict";

  function geodesicArea(latlngs) {  // square metres, on the sphere (as Leaflet.draw computes it)
    var d2r = Math.PI / 180, area = 0, n = latlngs.length;
    for (var i = 0; i < n; i++) {
      var p1 = latlngs[i], p2 = latlngs[(i + 1) % n];
      area += (p2.lng - p1.lng) * d2r * (2 + Math.sin(p1.lat * d2r) + Math.sin(p2.lat * d2r));
    }
    return Math.abs(area * 6378137 * 6378137 / 2);
  }

  L.Control.CodiMeasure = L.Control.extend({
    options: { position: "topleft", texts: {}, format: String, onMeasure: null },

    initialize: function (options) {
      L.Util.setOptions(this, options);
      var self = this;
      // capture clicks before any layer sees them: points land on polygons and markers too
      this._add = function (e) {
        if (e.target.closest && e.target.closest(".leaflet-control")) return;
        if (self._map.dragging && self._map.dragging.moved()) return;  // the end of a pan
        e.stopPropagation();
        self._points.push(self._map.mouseEventToLatLng(e));
        self._update();
      };
    },

    onAdd: function (map) {
      var T = this.options.texts;
      var box = L.DomUtil.create("div", "leaflet-bar codi-measure");
      this._button = L.DomUtil.create("a", "codi-measure-button", box);
      this._button.href = "#";
      this._button.title = T.measure || "";
      this._button.setAttribute("role", "button");
      this._button.innerHTML = "<svg viewBox='0 0 24 24' width='18' height='18' aria-hidden='true'>" +
        "<path d='M3 17 17 3l4 4L7 21z' fill='none' stroke='#333' stroke-width='1.8'/>" +
        "<path d='M7 13l2 2M10 10l2 2M13 7l2 2' stroke='#333' stroke-width='1.6'/></svg>";
      this._info = L.DomUtil.create("div", "codi-measure-info", box);
      this._info.hidden = true;
      this._points = [];
      this._line = L.polyline([], { color: "#d7301f", weight: 3, dashArray: "6 4", interactive: false });
      this._area = L.polygon([], { color: "#d7301f", weight: 0, fillOpacity: 0.12, interactive: false });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(this._button, "click", function (e) { L.DomEvent.preventDefault(e); this._toggle(); }, this);
      this._map = map;
      return box;
    },

    onRemove: function () { if (this._active) this._toggle(); },

    _toggle: function () {
      var container = this._map.getContainer();
      this._active = !this._active;
      L.DomUtil[this._active ? "addClass" : "removeClass"](this._button.parentNode, "codi-measure-on");
      if (this._active) {
        this._points = [];
        this._update();
        this._line.addTo(this._map);
        this._area.addTo(this._map);
        container.addEventListener("click", this._add, true);
        this._map.doubleClickZoom.disable();
        container.style.cursor = "crosshair";
      } else {
        container.removeEventListener("click", this._add, true);
        this._map.doubleClickZoom.enable();
        this._line.remove();
        this._area.remove();
        this._info.hidden = true;
        container.style.cursor = "";
      }
    },

    _update: function () {
      var T = this.options.texts, fmt = this.options.format, pts = this._points, total = 0;
      for (var i = 1; i < pts.length; i++) total += pts[i - 1].distanceTo(pts[i]);
      this._line.setLatLngs(pts);
      this._area.setLatLngs(pts.length > 2 ? pts : []);
      var length = total >= 1000 ? fmt((total / 1000).toFixed(2)) + " " + T.km : fmt(Math.round(total)) + " " + T.m;
      var area = geodesicArea(pts);
      var areaText = area >= 1e6 ? fmt((area / 1e6).toFixed(2)) + " " + T.km2 : fmt((area / 10000).toFixed(2)) + " " + T.ha;
      this._info.hidden = false;
      this._info.textContent = pts.length < 2 ? T.measureHint :
        T.distance + " " + length + (pts.length > 2 ? " · " + T.area + " " + areaText : "");
      if (this.options.onMeasure) this.options.onMeasure(total);
    }
  });
})();
