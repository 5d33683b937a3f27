// Charts of the assessment pages, from JSON the page carries (json_script): no inline script, the CSP forbids
// them. <div data-assessment-chart="rss" data-source="id"> draws RSS scores over time (a line per dimension and
// the composite, 0 to 1); data-assessment-chart="levels" draws DoMV severities by level (risk up, protective
// down). Right to left, the time axis runs from the right and the value axis sits on the right.
(function () {
  "use strict";

  function rss(data, rtl) {
    return {
      grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.dates, inverse: rtl, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 1, position: rtl ? "right" : "left" },
      series: data.series.map(function (line) {
        return {
          name: line.name, type: "line", data: line.data, connectNulls: true, symbolSize: 8,
          lineStyle: line.key === "composite" ? { width: 4 } : { width: 2, type: "dashed" }
        };
      })
    };
  }

  function levels(data, rtl) {
    return {
      grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) { return Math.abs(value); }
      },
      xAxis: { type: "category", data: data.levels, inverse: rtl },
      yAxis: {
        type: "value", minInterval: 1, position: rtl ? "right" : "left",
        axisLabel: { formatter: function (value) { return Math.abs(value); } }
      },
      series: data.series.map(function (bar) {
        return {
          name: bar.name, type: "bar", stack: "net", data: bar.data,
          itemStyle: { color: bar.key === "risk" ? "#dc3545" : "#198754" }
        };
      })
    };
  }

  function draw(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-assessment-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var rtl = document.documentElement.dir === "rtl";
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(el.dataset.assessmentChart === "rss" ? rss(data, rtl) : levels(data, rtl), true);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
