// The aggregates page's chart: for the area chosen, a bar per age group and sex, from the published cells
// only (a suppressed cell is a gap, labelled as in the table). No inline script: the CSP forbids them.
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.dataset.aggregatesChart);
    var picker = document.querySelector("[data-chart-area]");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var area = data.areas[picker ? Number(picker.value) : 0];
    if (!area) { return; }
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
      xAxis: { type: "category", data: data.ageGroups, inverse: rtl },
      yAxis: { type: "value", minInterval: 1, position: rtl ? "right" : "left" },
      series: data.sexes.map(function (sex) {
        return { name: sex, type: "bar", data: (area.series[sex] || []).map(function (v) { return v; }) };
      })
    }, true);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("[data-aggregates-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-chart-area]")) { drawAll(); }
  });
})();
