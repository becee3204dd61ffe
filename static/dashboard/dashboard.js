/* The dashboard's charts, drawn with the vendored Chart.js from the JSON embedded in the page. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.Chart) { return; }
  var page = JSON.parse(source.textContent);
  var d = page.data, t = page.text;
  var locale = page.lang === "th" ? "th-TH" : "en-GB";
  var LEVEL_COLOURS = { community: "#17a2b8", city: "#0b6e4f", province: "#fd7e14", region: "#6f42c1", national: "#b42318" };
  var STAGE_COLOURS = ["#0b6e4f", "#1d4ed8", "#fd7e14", "#6f42c1"];

  Chart.defaults.font.family = "Sarabun, 'Noto Sans Thai', Tahoma, system-ui, sans-serif";
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1f2933";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function fmt(value, digits) {
    return Number(value || 0).toLocaleString(locale, { maximumFractionDigits: digits || 0 });
  }
  function millions(value) { return Math.round((value || 0) / 10000) / 100; }
  function pick(list, key) { return list.map(function (item) { return item[key]; }); }
  function tooltip(digits) {
    return { callbacks: { label: function (ctx) {
      var v = ctx.parsed.x !== undefined && ctx.chart.options.indexAxis === "y" ? ctx.parsed.x : ctx.parsed.y;
      return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + fmt(v, digits);
    } } };
  }
  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return null; }
    return new Chart(canvas, config);
  }
  var drawn = [];

  drawn.push(chart("chart-status", {
    type: "bar",
    data: { labels: pick(d.cases_by_status, "label"),
            datasets: [{ label: t.cases, data: pick(d.cases_by_status, "count"), backgroundColor: pick(d.cases_by_status, "colour") }] },
    options: { indexAxis: "y", plugins: { legend: { display: false }, tooltip: tooltip(0) },
               scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  }));

  var regions = d.cases_by_region;
  drawn.push(chart("chart-region", {
    type: "bar",
    data: { labels: pick(regions, "name"),
            datasets: d.cases_by_status.map(function (s) {
              return { label: s.label, backgroundColor: s.colour,
                       data: regions.map(function (r) { return (r.by_status || {})[s.status] || 0; }) };
            }) },
    options: { indexAxis: "y", plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } }, tooltip: tooltip(0) },
               scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }
  }));

  drawn.push(chart("chart-secured", {
    type: "bar",
    data: { labels: pick(regions, "name"),
            datasets: [{ label: t.households_all, data: pick(regions, "households"), backgroundColor: "#cfd8dc" },
                       { label: t.households_secured, data: pick(regions, "households_secured"), backgroundColor: "#28a745" }] },
    options: { indexAxis: "y", plugins: { legend: { position: "bottom" }, tooltip: tooltip(0) },
               scales: { x: { beginAtZero: true } } }
  }));

  drawn.push(chart("chart-stage", {
    type: "bar",
    data: { labels: pick(d.pilots_by_stage, "label"),
            datasets: [{ label: t.pilots, data: pick(d.pilots_by_stage, "count"), backgroundColor: STAGE_COLOURS }] },
    options: { plugins: { legend: { display: false }, tooltip: tooltip(0) },
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  }));

  drawn.push(chart("chart-fund-level", {
    type: "bar",
    data: { labels: pick(d.fund_capital_by_level, "label"),
            datasets: [{ label: t.million, backgroundColor: d.fund_capital_by_level.map(function (f) { return LEVEL_COLOURS[f.level]; }),
                         data: d.fund_capital_by_level.map(function (f) { return millions(f.capital_baht); }) }] },
    options: { plugins: { legend: { display: false }, tooltip: tooltip(2) },
               scales: { y: { beginAtZero: true, title: { display: true, text: t.million } } } }
  }));

  var fundRegions = d.fund_capital_by_region;
  drawn.push(chart("chart-fund-region", {
    type: "bar",
    data: { labels: pick(fundRegions, "name"),
            // the national fund sits in Bangkok but is not a regional fund: left out so regions stay readable
            datasets: Object.keys(page.levels).filter(function (level) { return level !== "national"; }).map(function (level) {
              return { label: page.levels[level][page.lang === "th" ? 0 : 1], backgroundColor: LEVEL_COLOURS[level],
                       data: fundRegions.map(function (r) { return millions((r.capital_by_level || {})[level]); }) };
            }) },
    options: { indexAxis: "y", plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } }, tooltip: tooltip(2) },
               scales: { x: { stacked: true, beginAtZero: true, title: { display: true, text: t.million } }, y: { stacked: true } } }
  }));

  var quarters = d.progress_by_quarter.quarters;
  drawn.push(chart("chart-quarter", {
    data: { labels: pick(quarters, "label"),
            datasets: [
              { type: "bar", label: t.opened, data: pick(quarters, "opened"), backgroundColor: "#9fb3c8", yAxisID: "y" },
              { type: "bar", label: t.secured, data: pick(quarters, "secured"), backgroundColor: "#28a745", yAxisID: "y" },
              { type: "line", label: t.cumulative, data: pick(quarters, "households_secured_cumulative"),
                borderColor: "#0b6e4f", backgroundColor: "#0b6e4f", pointRadius: 0, borderWidth: 2, yAxisID: "y2" }
            ] },
    options: { interaction: { mode: "index", intersect: false },
               plugins: { legend: { position: "bottom" }, tooltip: tooltip(0) },
               scales: { x: { ticks: { autoSkip: true, maxRotation: 60 } },
                         y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t.cases } },
                         y2: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                               title: { display: true, text: t.households } } } }
  }));

  document.body.dataset.chartsReady = String(drawn.filter(Boolean).length);
})();
