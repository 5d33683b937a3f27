"""Name forms for search: case, accents, Arabic diacritics and tatweel folded away; and for Latin spellings
of the same name (Mohammed, Muhammad, Mohamed, Maxamed), a consonant skeleton that they share ("mhmd").

The skeleton is a simple key of our own (see docs/decisions/0014-import-engine-and-search.md): enough to find
the spellings field staff produce when searching; the matching engine does the real comparison."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

NAME_FIELDS = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "full_name",
    "given_name_latin",
    "father_name_latin",
    "grandfather_name_latin",
    "family_name_latin",
    "full_name_latin",
)
TATWEEL = "\u0640"
PREFIXES = ("al", "el", "ul")
# Spellings of one sound, folded before vowels are dropped (Somali x and q, English ph/ou/ee, doubled letters).
_SOUNDS = (
    ("ph", "f"),
    ("kh", "k"),
    ("gh", "g"),
    ("dh", "d"),
    ("th", "t"),
    ("sh", "s"),
    ("ks", "x"),  # Oleksandr, Olexandr
    ("x", "h"),  # Somali x is the Arabic ḥ: Maxamed, Mohamed
    ("q", "k"),
    ("c", "k"),
    ("w", "u"),
)


def fold_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != TATWEEL)
    return " ".join(unicodedata.normalize("NFKC", kept).casefold().split())


_VOWEL_RUN = re.compile(r"[aeiouy]+")
_DOUBLED = re.compile(r"(.)\1+")


def _first_letter(match: re.Match[str]) -> str:
    return match.group(1)


def spelling_key(word: str) -> str:
    """Spellings of one sound folded, every run of vowels written "a", doubled letters single (Mohammed,
    Muhammad, Maxamed -> "mahamad"; Mahmoud -> "mahmad" stays apart). '' unless the word is Latin letters.
    The matching engine (passage.matching.names) builds its keys on this one."""
    if not word or not word.isascii() or not word.isalpha():
        return ""
    key = word
    for spelling, sound in _SOUNDS:
        key = key.replace(spelling, sound)
    key = _VOWEL_RUN.sub("a", key[0]) + _VOWEL_RUN.sub("a", key[1:])
    return _DOUBLED.sub(_first_letter, key)


def skeleton(word: str) -> str:
    """The spelling key as a search key: '' when the word is not in Latin letters or too short to be a
    useful key."""
    key = spelling_key(word)
    return key if len(key) >= 4 else ""


def name_words(text: str) -> list[str]:
    """Folded words, hyphenated parts split, with the article dropped from 'al-Tamimi'-style names kept too."""
    words: list[str] = []
    for word in fold_name(text).split():
        words.append(word)
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1:
            words.extend(p for p in parts if p not in PREFIXES)
    return words


def search_names_of(person: Any) -> str:
    """Every name word once, folded, each preceded by a space, so that " word" finds a word start; then the
    skeleton of each Latin word as " ~key~", so that a search for another spelling finds it."""
    words: list[str] = []
    for name in [*(getattr(person, field) for field in NAME_FIELDS), *person.other_names]:
        for word in name_words(name or ""):
            if word not in words:
                words.append(word)
    keys: list[str] = []
    for word in words:
        key = skeleton(word)
        if key and key not in keys:
            keys.append(key)
    return "".join(" " + word for word in words) + "".join(f" ~{key}~" for key in keys)
