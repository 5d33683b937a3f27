// The registration wizard (and the correction form, which shares its fields): which fields the clerk has
// touched (live checks speak only about those), the date-of-birth precision picker (a date, or an age),
// members removed before registering, the "More about this person" part opening on an error, the
// nationality and language pickers, and the place picker. Loaded only by those pages; no inline script.
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

  // Members removed before registering stay in the form, folded, with their "remove" box ticked: the
  // formset's numbering never changes, and the clerk can put one back. The others are numbered 1, 2, 3...
  function renumber() {
    var number = 0;
    document.querySelectorAll("#members > .member").forEach(function (member) {
      var box = member.querySelector("input[name$='-DELETE']");
      var removed = !!(box && box.checked);
      var legend = member.querySelector("legend[data-legend]");
      var body = member.querySelector(".card-body");
      if (!removed) { number += 1; }
      member.toggleAttribute("data-removed", removed);
      if (body) { body.hidden = removed; }
      if (legend) {
        legend.textContent = removed ? legend.dataset.removedLegend : legend.dataset.legend.replace("#", number);
      }
      member.querySelectorAll("[data-when-kept]").forEach(function (el) { el.hidden = removed; });
      member.querySelectorAll("[data-when-removed]").forEach(function (el) { el.hidden = !removed; });
    });
  }

  // "More about this person" opens by itself when a check puts an error inside it.
  function openOnError() {
    document.querySelectorAll("details[data-more]:not([open])").forEach(function (details) {
      if (details.querySelector(".invalid-feedback [role='alert']")) { details.open = true; }
    });
  }

  // Nationalities and languages: the field holds codes ("IQ SY"); the box under it finds one by name or
  // code from a datalist and adds it. The browser names the codes in the page's language.
  var lang = document.documentElement.lang || "en";
  var displayNames = {};
  function namer(kind) {
    if (!(kind in displayNames)) {
      try {
        displayNames[kind] = new Intl.DisplayNames([lang], { type: kind === "countries" ? "region" : "language" });
      } catch (error) {
        displayNames[kind] = null;
      }
    }
    return displayNames[kind];
  }

  function nameOf(kind, code) {
    var names = namer(kind);
    var name = "";
    try { name = names ? names.of(kind === "countries" ? code.toUpperCase() : code.toLowerCase()) : ""; } catch (error) { name = ""; }
    if (name && name.toLowerCase() !== code.toLowerCase()) { return name; }
    var list = document.getElementById(kind === "countries" ? "country-codes" : "language-codes");
    var option = list && list.querySelector("option[value='" + code.replace(/[^A-Za-z]/g, "") + "' i]");
    return option ? option.dataset.english || option.textContent : "";
  }

  function nameOptions(list, kind) {
    if (!list || list.dataset.named) { return; }
    list.dataset.named = "1";
    list.querySelectorAll("option").forEach(function (option) {
      option.dataset.english = option.textContent;
      var name = nameOf(kind, option.value);
      if (name) { option.textContent = name; }
    });
  }

  function codesOf(field) { return field.value.split(/[\s,;]+/).filter(Boolean); }

  function showNames(field) {
    var box = field.closest("[data-codes-field]");
    var out = box && box.querySelector("[data-codes-names]");
    if (!out) { return; }
    out.textContent = codesOf(field).map(function (code) {
      return nameOf(field.dataset.codes, code) || code;
    }).join(" · ");
  }

  function resolveCode(adder) {
    var text = adder.value.trim();
    if (!text) { return ""; }
    var list = document.getElementById(adder.getAttribute("list"));
    var found = "";
    if (list) {
      list.querySelectorAll("option").forEach(function (option) {
        var value = option.value.toLowerCase();
        var wanted = text.toLowerCase();
        if (!found && (value === wanted || option.textContent.toLowerCase() === wanted ||
            (option.dataset.english || "").toLowerCase() === wanted)) {
          found = option.value;
        }
      });
    }
    return found;
  }

  function addCode(adder, quiet) {
    var field = document.getElementById(adder.dataset.codesAdder);
    var code = resolveCode(adder);
    if (!quiet) { adder.classList.toggle("is-invalid", !code && !!adder.value.trim()); }  // no such name or code
    if (!field || !code) { return false; }
    var codes = codesOf(field);
    if (codes.map(function (c) { return c.toLowerCase(); }).indexOf(code.toLowerCase()) === -1) { codes.push(code); }
    field.value = codes.join(" ");
    adder.value = "";
    showNames(field);
    field.dispatchEvent(new Event("input", { bubbles: true }));  // the live check, and "touched"
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var adder = event.target.closest && event.target.closest("[data-codes-adder]");
    if (adder && event.key === "Enter") {
      event.preventDefault();  // not the form's submit
      addCode(adder);
    }
  });
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.matches) { return; }
    // A datalist pick arrives as an input without an inputType; typing has one, and only searches.
    if (el.matches("[data-codes-adder]")) {
      el.classList.remove("is-invalid");
      if (event.inputType === undefined) { addCode(el, true); }
    }
    if (el.matches("input[data-codes]")) { showNames(el); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-codes-adder]")) { addCode(event.target); }
  });

  // Typing in a search box (for a code or a place) is not a change of the registration: no live check.
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    var el = trigger && trigger.target;
    if (el && el !== event.detail.elt && el.matches &&
        el.matches("[data-codes-adder], [data-place-picker] [role='combobox']")) {
      event.preventDefault();
    }
  });

  // The place picker: a combobox whose options come from the server as the clerk types (by P-code, or a
  // name in any of the dataset's languages). Choosing one fills the hidden P-code (and site code).
  function pickerOf(el) { return el && el.closest && el.closest("[data-place-picker]"); }
  function options(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("[role='option']:not([aria-disabled='true'])"));
  }
  function setOpen(picker, open) {
    var list = picker.querySelector("[role='listbox']");
    var input = picker.querySelector("[role='combobox']");
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { input.removeAttribute("aria-activedescendant"); }
  }
  function activate(picker, option) {
    var input = picker.querySelector("[role='combobox']");
    options(picker).forEach(function (el) {
      var active = el === option;
      el.setAttribute("aria-selected", active ? "true" : "false");
      el.classList.toggle("active", active);
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }
  function showChosen(picker, path, code) {
    var chosen = picker.querySelector("[data-place-chosen]");
    var clear = picker.querySelector("[data-place-clear]");
    chosen.textContent = "";
    if (code) {
      chosen.append(picker.dataset.chosenLabel + " ");
      var name = document.createElement("span");
      name.dir = "auto";
      name.textContent = path;
      var tag = document.createElement("code");
      tag.textContent = code;
      chosen.append(name, " ", tag);
    }
    if (clear) { clear.hidden = !code; }
  }
  function choose(picker, option) {
    var input = picker.querySelector("[role='combobox']");
    picker.querySelector("input[name='admin_area']").value = option ? option.dataset.pcode : "";
    picker.querySelector("input[name='site']").value = option ? option.dataset.site : "";
    input.value = option ? option.dataset.path : "";
    showChosen(picker, option ? option.dataset.path : "", option ? option.dataset.code : "");
    setOpen(picker, false);
    picker.querySelectorAll(".invalid-feedback").forEach(function (el) { el.textContent = ""; });
    input.classList.remove("is-invalid");
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    var picker = pickerOf(input);
    if (!picker || input.getAttribute("role") !== "combobox") { return; }
    var all = options(picker);
    var current = picker.querySelector("[role='option'][aria-selected='true']");
    var at = all.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!all.length) { return; }
      setOpen(picker, true);
      var next = event.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : Math.max(at - 1, 0);
      activate(picker, all[next]);
    } else if (event.key === "Enter") {
      event.preventDefault();  // choosing is not submitting
      if (current && !picker.querySelector("[role='listbox']").hidden) { choose(picker, current); }
      else if (all.length === 1) { choose(picker, all[0]); }
    } else if (event.key === "Escape") {
      setOpen(picker, false);
    }
  });
  document.addEventListener("input", function (event) {
    if (pickerOf(event.target) && event.target.getAttribute("role") === "combobox" && !event.target.value.trim()) {
      setOpen(pickerOf(event.target), false);
    }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-place-picker] [role='option']");
    if (option && option.getAttribute("aria-disabled") !== "true") { choose(pickerOf(option), option); return; }
    var clear = event.target.closest && event.target.closest("[data-place-clear]");
    if (clear) {
      var picker = pickerOf(clear);
      choose(picker, null);
      picker.querySelector("[role='combobox']").focus();
      return;
    }
    document.querySelectorAll("[data-place-picker]").forEach(function (picker) {
      if (!picker.contains(event.target)) { setOpen(picker, false); }
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var picker = pickerOf(target);
    if (picker && target.getAttribute("role") === "listbox") {
      var input = picker.querySelector("[role='combobox']");
      setOpen(picker, !!input.value.trim() && target.children.length > 0);
      activate(picker, null);
    }
  });

  function setUp(root) {
    (root.matches && root.matches(".member") ? [root] : []).concat(
      Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(".member") : [])
    ).forEach(showPrecision);
    nameOptions(document.getElementById("country-codes"), "countries");
    nameOptions(document.getElementById("language-codes"), "languages");
    (root.querySelectorAll ? root : document).querySelectorAll("input[data-codes]").forEach(showNames);
    renumber();
    openOnError();
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name && /-birth_date_precision$/.test(el.name)) { showPrecision(el.closest(".member")); }
    if (el.name && /-DELETE$/.test(el.name)) { renumber(); }
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:oobAfterSwap", openOnError);
  document.addEventListener("htmx:afterSwap", function (event) {
    setUp(event.detail.target || document);
    // A member just added: take the clerk to its first field.
    if (event.detail.target && event.detail.target.id === "members") {
      var members = event.detail.target.querySelectorAll(".member");
      var last = members[members.length - 1];
      var first = last && last.querySelector("select, input:not([type='checkbox'])");
      if (first) { first.focus(); }
    }
  });
})();
