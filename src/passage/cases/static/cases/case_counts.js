// The case counts page's chart: a bar per row and measure (open, overdue, closed), from the published figures only
// (a suppressed one is a gap, labelled as in the table). No inline script: the CSP forbids them.
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.dataset.caseCountsChart);
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var suppressed = el.dataset.suppressedLabel || "";
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 16, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) { return value === null || value === undefined ? suppressed : value; }
      },
      xAxis: { type: "category", data: data.labels, inverse: rtl, axisLabel: { interval: 0, overflow: "truncate", width: 120 } },
      yAxis: { type: "value", minInterval: 1, position: rtl ? "right" : "left" },
      series: data.series.map(function (measure) {
        return { name: measure.name, type: "bar", data: measure.data };
      })
    }, true);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-case-counts-chart]").forEach(draw);
  });
})();
