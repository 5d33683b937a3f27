// The workflow editor's keyboard help: Tab and Shift+Tab indent and outdent the lines chosen by two spaces
// (Esc, then Tab, leaves the text as usual), Ctrl+Enter checks, the caret's line and column are shown, and a
// problem's "Line n" button puts the caret on that line.
(function () {
  "use strict";
  var INDENT = "  ";

  function editor() { return document.getElementById("workflow-text"); }

  function lineStart(text, index) { return text.lastIndexOf("\n", index - 1) + 1; }

  function showCaret(area) {
    var out = document.querySelector("[data-caret]");
    if (!out) { return; }
    var before = area.value.slice(0, area.selectionStart);
    var line = before.split("\n").length;
    var column = area.selectionStart - lineStart(area.value, area.selectionStart) + 1;
    out.textContent = (out.dataset.template || "Line {line}, column {column}").replace("{line}", line).replace("{column}", column);
  }

  function shift(area, outdent) {
    var text = area.value, start = area.selectionStart, end = area.selectionEnd;
    var first = lineStart(text, start);
    var last = end > start && text[end - 1] === "\n" ? end - 1 : end;
    var block = text.slice(first, last);
    var lines = block.split("\n");
    if (!outdent && start === end) {  // no selection: two spaces at the caret
      area.setRangeText(INDENT, start, end, "end");
      return;
    }
    var removedFirst = 0, changed = lines.map(function (line, i) {
      if (!outdent) { return INDENT + line; }
      var cut = line.startsWith(INDENT) ? 2 : line.startsWith(" ") ? 1 : 0;
      if (i === 0) { removedFirst = cut; }
      return line.slice(cut);
    }).join("\n");
    area.setRangeText(changed, first, last, "preserve");
    var delta = changed.length - block.length;
    area.selectionStart = outdent ? Math.max(first, start - removedFirst) : start + INDENT.length;
    area.selectionEnd = end + delta;
  }

  function goToLine(number) {
    var area = editor();
    if (!area) { return; }
    var lines = area.value.split("\n"), index = 0;
    for (var i = 0; i < number - 1 && i < lines.length; i++) { index += lines[i].length + 1; }
    var length = (lines[number - 1] || "").length;
    area.focus();
    area.setSelectionRange(index, index + length);
    var height = parseFloat(getComputedStyle(area).lineHeight) || 20;
    area.scrollTop = Math.max(0, (number - 4) * height);
    showCaret(area);
  }

  var escaped = false;
  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (area.id !== "workflow-text") { return; }
    if (event.key === "Escape") { escaped = true; return; }
    if (event.key === "Tab" && !escaped && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      shift(area, event.shiftKey);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var check = document.querySelector("[data-check]");
      if (check) { check.click(); }
    }
    if (event.key !== "Shift") { escaped = false; }
  });
  ["keyup", "click", "select", "focus"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target && event.target.id === "workflow-text") { showCaret(event.target); }
    }, true);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-goto-line]");
    if (button) { goToLine(parseInt(button.dataset.gotoLine, 10)); }
  });
})();
