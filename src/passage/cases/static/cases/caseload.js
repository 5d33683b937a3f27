// The caseload: a "choose every case on this page" box for bulk reassignment. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest("input[data-choose-all]");
    if (!all) { return; }
    document.querySelectorAll("input[name='" + all.dataset.chooseAll + "']").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
