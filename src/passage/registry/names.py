"""Name forms for search: case, accents, Arabic diacritics and tatweel folded away."""

from __future__ import annotations

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


def fold_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != TATWEEL)
    return " ".join(unicodedata.normalize("NFKC", kept).casefold().split())


def search_names_of(person: Any) -> str:
    """Every name word once, folded, each preceded by a space, so that " word" finds a word start."""
    words: list[str] = []
    for name in [*(getattr(person, field) for field in NAME_FIELDS), *person.other_names]:
        for word in fold_name(name or "").split():
            if word not in words:
                words.append(word)
    return "".join(" " + word for word in words)
