// Passage's small client-side glue. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // Selects marked data-autosubmit (operation and language switchers) send their form on change.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  });

  // Charts: <div class="chart" data-chart="bar" data-source="id-of-json-script">. ECharts is loaded
  // only by pages that draw charts.
  function drawCharts(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll(".chart[data-source]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var rows = JSON.parse(source.textContent);
      var rtl = document.documentElement.dir === "rtl";
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        grid: { left: 16, right: 16, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1, inverse: rtl },
        yAxis: { type: "category", data: rows.map(function (r) { return r.label; }), position: rtl ? "right" : "left" },
        series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#0d6efd" } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
