"""The translation catalogues keep what the code fills in: every translated entry, in French, Spanish and Arabic,
has the placeholders of its English original, so a translated page or message never breaks where the English one
works. Entries not yet translated fall back to English and are not judged here (others keep adding strings)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ("ar", "fr", "es")

# %(name)s and its kin, a bare %s or %d, a literal %%, and {name} / {0} / {} of str.format
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{\w*(?:[.!:][^{}]*)?\}"
)


def catalogue(language: str) -> polib.POFile:
    (locale_dir,) = settings.LOCALE_PATHS
    return polib.pofile(str(Path(locale_dir) / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def translated(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and "fuzzy" not in e.flags and (e.msgstr or any(e.msgstr_plural.values()))]


def single_value_forms(po: polib.POFile) -> set[int]:
    """The plural forms the language uses for one number only (Arabic's zero, one and two): like msgfmt, these may
    leave the count out ("one person", not "1 person")."""
    header = po.metadata["Plural-Forms"]
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", header).group(1))  # type: ignore[union-attr]
    plural = gettext.c2py(re.search(r"plural\s*=\s*([^;]+)", header).group(1))  # type: ignore[union-attr]
    used: dict[int, set[int]] = {form: set() for form in range(nplurals)}
    for n in [*range(2001), *range(3000, 3_000_001, 1000)]:  # every rule in use turns on n % 100 or n % 1000000
        used[plural(n)].add(n)
    return {form for form, numbers in used.items() if len(numbers) == 1}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_msgid(language):
    po = catalogue(language)
    wrong = []
    for entry in translated(po):
        if entry.msgid_plural:
            continue
        if placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_form_is_filled_and_keeps_the_placeholders(language):
    po = catalogue(language)
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", po.metadata["Plural-Forms"]).group(1))  # type: ignore[union-attr]
    single = single_value_forms(po)
    wrong = []
    for entry in translated(po):
        if not entry.msgid_plural:
            continue
        english = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        if sorted(entry.msgstr_plural) != list(range(nplurals)):
            wrong.append(f"{entry.msgid!r}: forms {sorted(entry.msgstr_plural)}, the language has {nplurals}")
        for form, text in sorted(entry.msgstr_plural.items()):
            found = placeholders(text)
            if not text or not found <= english or (form not in single and found != placeholders(entry.msgid_plural)):
                wrong.append(f"{entry.msgid!r} [{form}] -> {text!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_python_format_translation_formats(language):
    """What the code does with it: `_("...") % {...}` — a stray or broken % would raise in the middle of a page."""
    wrong = []
    for entry in translated(catalogue(language)):
        if "python-format" not in entry.flags:
            continue
        names = re.findall(r"%\((\w+)\)", entry.msgid + entry.msgid_plural)
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            try:
                text % {name: 1 for name in names}
            except (KeyError, ValueError, TypeError) as error:
                wrong.append(f"{entry.msgid!r} -> {text!r}: {error!r}")
    assert not wrong, "\n".join(wrong)


def test_the_placeholder_check_catches_a_lost_or_renamed_placeholder():
    assert placeholders("Page %(n)s of %(total)s") == {"%(n)s", "%(total)s"}
    assert placeholders("Page %(n)s sur %(totale)s") != placeholders("Page %(n)s of %(total)s")
    assert placeholders("%(code)r is not") != placeholders("%(code)s n'est pas")
    assert placeholders("{name} and %s, 100%%") == {"{name}", "%s", "%%"}
    assert single_value_forms(catalogue("ar")) == {0, 1, 2}
    assert single_value_forms(catalogue("fr")) == set()
