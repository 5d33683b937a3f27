// The comparison page's keys: M, D and U move the focus to a decision (Enter then takes it), N opens the next
// pair. Never while typing in a field.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest("textarea, input[type=text], input[type=search], input[type=number], select")) { return; }
    var button = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (!button || button.disabled) { return; }
    event.preventDefault();
    if (button.tagName === "A") { button.click(); } else { button.focus(); }
  });
})();
