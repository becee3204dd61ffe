/* Time controls of the map and dashboard (templates/timeline/_controls.html): a day typed in B.E.,
 * a fiscal-quarter picker, "changes in this period" quick picks; the address holds the choice
 * (as_of=YYYY-MM-DD A.D., or from=&to=). On the map: the changes view (moves drawn in their new
 * status colour with a from -> to label, a table under the map) and a quarter slider that
 * redraws the map in place (window.codiMap.setAsOf, static/maps/map.js). No inline handlers. */
(function () {
  "use strict";

  var form = document.querySelector("[data-time-form]");
  var holder = document.getElementById("time-config");
  if (!form || !holder) return;
  var conf = JSON.parse(holder.textContent);
  var T = conf.texts;
  var error = document.getElementById("time-error");
  var mapConfig = document.getElementById("map-config");
  var mcfg = mapConfig ? JSON.parse(mapConfig.textContent) : null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(y, m, d) { return y + "-" + pad(m) + "-" + pad(d); }
  function showError(text) { error.textContent = text; error.hidden = !text; }

  // "30/09/2569", "30/09/69", "30 ก.ย. 2569", "30 กันยายน 2569" (B.E.) or "2026-09-30" (A.D.) ->
  // "2026-09-30", as the forms read them (gis/dates.py; month names from the server); null when not a day
  var monthNames = conf.monthNames || {};
  function year(text) {
    var y = +text;
    if (text.length === 2) return 2500 + y - 543;  // a two-digit B.E. year
    return y > 2400 ? y - 543 : y;
  }
  function parseDay(text) {
    var t = (text || "").replace(/[\u0e50-\u0e59]/g, function (c) { return String(c.charCodeAt(0) - 0x0e50); })
      .replace(/\s+/g, " ").trim(), y, m, d, match;
    if ((match = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{2}|\d{4})$/.exec(t))) {
      d = +match[1]; m = +match[2]; y = year(match[3]);
    } else if ((match = /^(\d{1,2}) ?([^\d\s,]+) ?,? ?(?:(?:พ\.? ?ศ\.?) ?)?(\d{2}|\d{4})$/.exec(t))) {
      m = monthNames[match[2].replace(/[.\s]/g, "").toLowerCase()];
      if (!m) return null;
      d = +match[1]; y = year(match[3]);
    } else if ((match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t))) {
      y = +match[1]; m = +match[2]; d = +match[3];
      if (y > 2400) y -= 543;
    } else {
      return null;
    }
    var probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
    return iso(y, m, d);
  }

  function go(changes) {
    var p = new URLSearchParams(location.search);
    ["as_of", "from", "to"].forEach(function (k) { p.delete(k); });
    if (p.get("status") === "") p.delete("status");  // the changes view hid the cases
    Object.keys(changes).forEach(function (k) { if (changes[k]) p.set(k, changes[k]); });
    var qs = p.toString().replace(/%2C/g, ",");
    location.assign(location.pathname + (qs ? "?" + qs : ""));
  }

  var dayField = form.querySelector("[data-be-date]");
  var quarter = form.querySelector("[data-quarter]");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var typed = dayField && dayField.value.trim();
    if (!typed) { go({ as_of: quarter ? quarter.value : "" }); return; }
    var day = parseDay(typed);
    if (!day) { showError(T.bad); return; }
    if (day > conf.today) { showError(T.future); return; }
    go({ as_of: day >= conf.today ? "" : day });
  });
  if (quarter) quarter.addEventListener("change", function () { go({ as_of: quarter.value }); });
  var now = form.querySelector("[data-time-now]");
  if (now) now.addEventListener("click", function (e) { e.preventDefault(); go({}); });
  var changes = form.querySelector("[data-changes]");
  if (changes) changes.addEventListener("change", function () {
    var parts = changes.value.split("|");
    go(changes.value ? { from: parts[0], to: parts[1] } : {});
  });

  var api = window.codiMap;
  if (!api || !mcfg) return;
  var map = api.map;
  var statusInfo = {};
  mcfg.statuses.forEach(function (s) { statusInfo[s.key] = s; });
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function label(status) { return statusInfo[status] ? statusInfo[status].label : status; }
  function beDate(isoDay) {
    var p = isoDay.split("-");
    if (mcfg.lang !== "th") return isoDay;
    return Number(p[2]) + " " + mcfg.months[Number(p[1]) - 1] + " " + (Number(p[0]) + 543);
  }

  // ---------- changes in this period ----------
  var panel = document.getElementById("changes-panel");
  if (mcfg.period && panel && mcfg.changesUrl) {
    var q = new URLSearchParams({ from: mcfg.period.from, to: mcfg.period.to, points: "true" });
    if (mcfg.region) q.set("region", mcfg.region);
    if (mcfg.province && mcfg.province.indexOf(",") < 0) q.set("province", mcfg.province);
    var count = document.getElementById("changes-count");
    count.textContent = T.loading;
    fetch(mcfg.changesUrl + "?" + q.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("changes " + r.status); return r.json(); })
      .then(function (body) {
        // one marker per case: where it came from (its first move) and where it ended (its last)
        var byCase = {}, order = [];
        body.changes.forEach(function (c) {
          if (!byCase[c.case_id]) { byCase[c.case_id] = { first: c, last: c, n: 0 }; order.push(c.case_id); }
          byCase[c.case_id].last = c; byCase[c.case_id].n += 1;
        });
        var group = L.featureGroup(), few = order.length <= 400, permanent = null;
        order.forEach(function (id) {
          var item = byCase[id], to = item.last.to, colour = statusInfo[to] ? statusInfo[to].colour : "#555";
          if (item.last.lat == null) return;
          var marker = L.circleMarker([item.last.lat, item.last.lon], { radius: 7, weight: 2, color: "#222",
            fillColor: colour, fillOpacity: 0.95 });
          marker.codiLabel = esc(item.last.community_name) + ": " + esc(label(item.first.from) + " → " + label(to));
          group.addLayer(marker);
        });
        // from -> to labels: always shown once zoomed in (when there are not too many), on hover before
        function labelMoves() {
          var show = few && map.getZoom() >= 9;
          if (show === permanent) return;
          permanent = show;
          group.eachLayer(function (m) {
            m.unbindTooltip();
            m.bindTooltip(m.codiLabel, show ? { permanent: true, direction: "right", className: "codi-move", offset: [8, 0] }
              : { className: "codi-move", direction: "right", offset: [8, 0] });
          });
        }
        group.addTo(map);
        map.on("zoomend", labelMoves);
        api.changes = { moves: body.changes.length, cases: order.length };
        if (order.length) map.fitBounds(group.getBounds().pad(0.15), { maxZoom: 12 });
        labelMoves();
        var tbody = panel.querySelector("tbody"), rows = [];
        body.changes.slice(-2000).reverse().forEach(function (c) {
          var colour = statusInfo[c.to] ? statusInfo[c.to].colour : "#555";
          rows.push("<tr><td>" + esc(c.community_name) + " <span class='muted'>" + esc(c.code) + "</span></td><td>" +
            esc(c.province || c.province_code || "") + "</td><td>" + esc(beDate(c.date)) + "</td><td>" + esc(label(c.from)) +
            "</td><td><span class='time-swatch' style='background:" + colour + "'></span>" + esc(label(c.to)) + "</td></tr>");
        });
        tbody.innerHTML = rows.join("") || "<tr><td colspan='5'>" + esc(T.none) + "</td></tr>";
        count.textContent = "(" + body.count.toLocaleString() + " · " + order.length.toLocaleString() + " " + T.case + ")";
        document.documentElement.setAttribute("data-changes-loaded", String(body.count));
      })
      .catch(function (err) { api.errors.push(String(err)); count.textContent = T.failed; });
    return;
  }

  // ---------- the quarter slider: steps through the quarters of the last five fiscal years ----------
  if (!conf.slider || !api.setAsOf || !conf.quarters.length) return;
  var steps = conf.quarters.slice().reverse();  // oldest first; the last one is the quarter in progress
  var control = L.control({ position: "bottomleft" });
  control.onAdd = function () {
    var div = L.DomUtil.create("div", "time-slider leaflet-bar");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var current = api.asOf(), index = steps.length - 1;
    steps.forEach(function (s, i) { if (s.last === current) index = i; });
    div.innerHTML = "<label>" + esc(T.slider) + ": <strong data-slider-label></strong>" +
      "<input type='range' min='0' max='" + (steps.length - 1) + "' step='1' value='" + index + "' data-slider></label>";
    return div;
  };
  control.addTo(map);
  var range = document.querySelector("[data-slider]"), caption = document.querySelector("[data-slider-label]");
  var timer = null;
  function show(i) {
    var s = steps[i];
    caption.textContent = s.label + (s.in_progress ? "" : " · " + T.asOf + " " + beDate(s.last));
  }
  show(Number(range.value));
  range.addEventListener("input", function () {
    var i = Number(range.value);
    show(i);
    clearTimeout(timer);
    timer = setTimeout(function () {
      var s = steps[i], day = s.in_progress ? "" : s.last;
      api.setAsOf(day);
      var p = new URLSearchParams(location.search);
      if (day) p.set("as_of", day); else p.delete("as_of");
      var qs = p.toString().replace(/%2C/g, ",");
      history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
      var banner = document.querySelector("[data-time-banner]");
      if (banner) banner.hidden = !day;
      if (banner && day) banner.textContent = T.banner.replace("%(d)s", beDate(day));
      if (quarter) quarter.value = day;
      if (dayField) dayField.value = "";
      api.sliderDay = day;
    }, 250);
  });
})();
