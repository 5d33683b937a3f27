// The registration wizard: which fields the clerk has touched (live checks speak only about those),
// and the date-of-birth precision picker (a date, or an age). Loaded only by the wizard.
(function () {
  "use strict";

  var touched = new Set();
  var PLACEHOLDERS = { day: "YYYY-MM-DD", month: "YYYY-MM", year: "YYYY" };

  function inWizard(el) { return el && el.closest && el.closest("form[data-register]"); }

  function touch(event) {
    var el = event.target;
    if (inWizard(el) && el.name) { touched.add(el.name); }
  }
  document.addEventListener("focusout", touch);
  document.addEventListener("change", touch);
  document.addEventListener("input", touch);

  document.addEventListener("htmx:configRequest", function (event) {
    if (!inWizard(event.detail.elt) || event.detail.verb !== "post") { return; }
    touched.forEach(function (name) { event.detail.formData.append("touched", name); });
  });

  function showPrecision(member) {
    var select = member.querySelector("select[name$='-birth_date_precision']");
    if (!select) { return; }
    var precision = select.value || "day";
    var byAge = precision === "age";
    member.querySelectorAll("[data-hidden-unless]").forEach(function (el) {
      el.hidden = (el.dataset.hiddenUnless === "age") !== byAge;
    });
    var date = member.querySelector("input[name$='-birth_date']");
    if (date && PLACEHOLDERS[precision]) { date.placeholder = PLACEHOLDERS[precision]; }
  }

  function setUp(root) {
    (root.matches && root.matches(".member") ? [root] : []).concat(
      Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(".member") : [])
    ).forEach(showPrecision);
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name && /-birth_date_precision$/.test(el.name)) { showPrecision(el.closest(".member")); }
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    setUp(event.detail.target || document);
    // A member just added: take the clerk to its first field.
    if (event.detail.target && event.detail.target.id === "members") {
      var members = event.detail.target.querySelectorAll(".member");
      var last = members[members.length - 1];
      var first = last && last.querySelector("select, input");
      if (first) { first.focus(); }
    }
  });
})();
