"""Comparison vectors: for each pair of people, the level at which each field agrees (-1 when either side
has no value), computed with numpy over all pairs at once and rapidfuzz over the distinct pairs of keys.

The rules that keep people apart whatever their other fields say (siblings and twins, fathers and sons) are
here too: they read the same keys (see keep_apart())."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from passage.matching.records import NAME_PARTS, NamePart, People

NAME_LEVELS = ("exact", "same spelling key", "close", "similar", "different")


@dataclass(frozen=True)
class Field:
    name: str
    levels: tuple[str, ...]


FIELDS = (
    *(Field(part, NAME_LEVELS) for part in NAME_PARTS),
    Field(
        "name_words",
        ("all words (3 or more)", "all words (2)", "all words but one", "some words", "one word", "no word"),
    ),
    Field(
        "date_of_birth",
        (
            "exact",
            "day and month swapped",
            "same year (partial date)",
            "same year, other day",
            "a year apart",
            "different",
        ),
    ),
    Field("sex", ("same", "different")),
    Field("phone", ("same, 1-2 people give it", "same, 3-5 people give it", "same, 6+ people give it", "different")),
    Field("document_number", ("same", "one character off", "different")),
    Field("area", ("same admin2", "same admin1", "different")),
)
FIELD_INDEX = {f.name: n for n, f in enumerate(FIELDS)}
CHUNK = 1_000_000
PARALLEL_FROM = 20_000  # distinct pairs of strings from which rapidfuzz compares them on every core


def _similarity(strings: list[str], a: np.ndarray, b: np.ndarray, scorer: Any) -> np.ndarray:
    """Scorer similarity of strings[a[i]] and strings[b[i]], computed once per distinct pair of ids."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float32)
    codes = a.astype(np.int64) * (len(strings) + 1) + b.astype(np.int64)
    unique, inverse = np.unique(codes, return_inverse=True)
    left = [strings[i] for i in (unique // (len(strings) + 1)).tolist()]
    right = [strings[i] for i in (unique % (len(strings) + 1)).tolist()]
    workers = -1 if len(unique) >= PARALLEL_FROM else 1  # threads cost more than they save on a few pairs
    scores = process.cpdist(left, right, scorer=scorer, workers=workers, dtype=np.float32)
    return np.asarray(scores, dtype=np.float32)[inverse]


def _name_level(
    people: People,
    joined: tuple[np.ndarray, np.ndarray],
    spelling: tuple[np.ndarray, np.ndarray],
    consonants: tuple[np.ndarray, np.ndarray],
    vowelless: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    a_sp, b_sp = spelling
    missing = (a_sp < 0) | (b_sp < 0)
    level = np.full(len(a_sp), 4, dtype=np.int8)
    either_vowelless = vowelless[0] | vowelless[1]
    same_consonants = (consonants[0] == consonants[1]) & either_vowelless
    undecided = ~missing & (a_sp != b_sp) & ~same_consonants
    score = np.zeros(len(a_sp), dtype=np.float32)
    plain = undecided & ~either_vowelless
    # Similarity of the names as spelt (the spelling keys are too alike: Ahmed and Hamid are "ahmad", "hamad").
    score[plain] = _similarity(
        people.vocabulary.strings, joined[0][plain], joined[1][plain], JaroWinkler.normalized_similarity
    )
    script = undecided & either_vowelless
    score[script] = _similarity(
        people.vocabulary.strings, consonants[0][script], consonants[1][script], JaroWinkler.normalized_similarity
    )
    level[score >= 0.8] = 3
    level[(score >= 0.9) | same_consonants] = 2
    level[a_sp == b_sp] = 1
    level[joined[0] == joined[1]] = 0
    level[missing] = -1
    return level


def _part_level(people: People, x: NamePart, y: NamePart, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _name_level(
        people,
        (x.joined[a], y.joined[b]),
        (x.spelling[a], y.spelling[b]),
        (x.consonants[a], y.consonants[b]),
        (x.vowelless[a], y.vowelless[b]),
    )


def _bag_level(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """How many of the shorter name's words the other name has, in any order: the same word (spelling key,
    or consonant key where a side is written without vowels) or a close spelling (Jaro-Winkler >= 0.9)."""
    a_s, b_s = people.bag_spelling[left], people.bag_spelling[right]
    a_c, b_c = people.bag_consonants[left], people.bag_consonants[right]
    a_v, b_v = people.bag_vowelless[left], people.bag_vowelless[right]
    present = (a_s[:, :, None] >= 0) & (b_s[:, None, :] >= 0)
    same = (a_s[:, :, None] == b_s[:, None, :]) & present
    same |= (a_c[:, :, None] == b_c[:, None, :]) & present & (a_v[:, :, None] | b_v[:, None, :])
    a_count, b_count = (a_s >= 0).sum(axis=1), (b_s >= 0).sum(axis=1)
    smaller = np.minimum(a_count, b_count)

    def found_words(same: np.ndarray) -> np.ndarray:
        return np.where(a_count <= b_count, same.any(axis=2).sum(axis=1), same.any(axis=1).sum(axis=1))

    found = found_words(same)
    unsure = np.flatnonzero((found < smaller) & (found > 0))
    if len(unsure):
        grid = np.broadcast_arrays(a_s[unsure][:, :, None], b_s[unsure][:, None, :])
        open_cells = present[unsure] & ~same[unsure]
        score = _similarity(
            people.vocabulary.strings, grid[0][open_cells], grid[1][open_cells], JaroWinkler.normalized_similarity
        )
        close = np.zeros(open_cells.shape, dtype=bool)
        close[open_cells] = score >= 0.9
        same[unsure] |= close
        found = found_words(same)
    level = np.full(len(left), 5, dtype=np.int8)
    level[found == 1] = 4
    level[found >= 2] = 3
    level[(found == smaller - 1) & (smaller >= 3)] = 2
    level[(found == smaller) & (smaller == 2)] = 1
    level[(found == smaller) & (smaller >= 3)] = 0
    level[smaller == 0] = -1
    return level


def _date_level(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    ya, yb = people.year[left].astype(np.int32), people.year[right].astype(np.int32)
    ma, mb = people.month[left], people.month[right]
    da, db = people.day[left], people.day[right]
    full = (da > 0) & (db > 0)
    same_year = ya == yb
    level = np.full(len(left), 5, dtype=np.int8)
    level[np.abs(ya - yb) == 1] = 4
    level[same_year] = 3
    level[same_year & ~full & ((ma == 0) | (mb == 0) | (ma == mb))] = 2
    level[same_year & full & (da == mb) & (ma == db) & (ma != da)] = 1
    level[same_year & full & (ma == mb) & (da == db)] = 0
    level[(ya == 0) | (yb == 0)] = -1
    return level


def _phone_level(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a, b = people.phone[left], people.phone[right]
    sharing = np.maximum(people.phone_sharing[left], people.phone_sharing[right])
    level = np.full(len(left), 3, dtype=np.int8)
    same = a == b
    level[same & (sharing >= 6)] = 2
    level[same & (sharing <= 5)] = 1
    level[same & (sharing <= 2)] = 0
    level[(a < 0) | (b < 0)] = -1
    return level


def _document_level(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a, b = people.document[left], people.document[right]
    missing = (a < 0) | (b < 0)
    level = np.full(len(left), 2, dtype=np.int8)
    other = ~missing & (a != b)
    distance = _similarity(people.documents, a[other], b[other], Levenshtein.distance)
    level[np.flatnonzero(other)[distance <= 1]] = 1
    level[a == b] = 0
    level[missing] = -1
    return level


def _area_level(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a2, b2 = people.admin2[left], people.admin2[right]
    a1, b1 = people.admin1[left], people.admin1[right]
    level = np.full(len(left), -1, dtype=np.int8)
    level[(a1 >= 0) & (b1 >= 0)] = 2
    level[(a2 >= 0) & (b2 >= 0)] = 2
    level[(a1 >= 0) & (a1 == b1)] = 1
    level[(a2 >= 0) & (a2 == b2)] = 0
    return level


def _sex_level(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a, b = people.sex[left], people.sex[right]
    level = np.where(a == b, 0, 1).astype(np.int8)
    level[(a == 0) | (b == 0)] = -1
    return level


def compare(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Levels, one row per pair and one column per field of FIELDS (int8, -1 = a value is missing)."""
    levels = np.empty((len(left), len(FIELDS)), dtype=np.int8)
    for start in range(0, len(left), CHUNK):
        a, b = left[start : start + CHUNK], right[start : start + CHUNK]
        block = levels[start : start + CHUNK]
        for n, part_name in enumerate(NAME_PARTS):
            part = people.parts[part_name]
            block[:, n] = _part_level(people, part, part, a, b)
        # Given and family names written in each other's place: compared crosswise when that agrees better.
        given, family = people.parts["given_name"], people.parts["family_name"]
        crossed_given = _part_level(people, given, family, a, b)
        crossed_family = _part_level(people, family, given, a, b)
        g, f = NAME_PARTS.index("given_name"), NAME_PARTS.index("family_name")
        crossed = (crossed_given >= 0) & (crossed_family >= 0)
        crossed &= (crossed_given.astype(np.int16) + crossed_family) < (block[:, g].astype(np.int16) + block[:, f])
        block[crossed, g] = crossed_given[crossed]
        block[crossed, f] = crossed_family[crossed]
        # Name words as a bag only where the parts cannot be compared (a full name only, on either side):
        # elsewhere the parts already say it, and counting it twice would overstate names.
        bag = np.full(len(a), -1, dtype=np.int8)
        without_parts = np.flatnonzero(block[:, 0] < 0)
        bag[without_parts] = _bag_level(people, a[without_parts], b[without_parts])
        block[:, FIELD_INDEX["name_words"]] = bag
        block[:, FIELD_INDEX["date_of_birth"]] = _date_level(people, a, b)
        block[:, FIELD_INDEX["sex"]] = _sex_level(people, a, b)
        block[:, FIELD_INDEX["phone"]] = _phone_level(people, a, b)
        block[:, FIELD_INDEX["document_number"]] = _document_level(people, a, b)
        block[:, FIELD_INDEX["area"]] = _area_level(people, a, b)
    return levels


def name_rarity(people: People, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each name part, log2 of (chance two random people share a key) / (share of people with this
    pair's key, the larger side's): below 0 for a common name, above 0 for a rare one (pairs x parts)."""
    columns = []
    for name in NAME_PARTS:
        part = people.parts[name]
        frequency = np.maximum(np.maximum(part.frequency[left], part.frequency[right]), 1e-9)
        columns.append(np.log2(max(part.agreement, 1e-9) / frequency))
    return np.stack(columns, axis=1).astype(np.float32)


# Why two people were kept apart whatever else agreed.
SIBLINGS = "different given names (siblings or twins)"
FATHER_AND_SON = "one's father and grandfather are the other's given and father names (father and son)"


def _in_bag(
    people: People, word: np.ndarray, consonants: np.ndarray, vowelless: np.ndarray, other: np.ndarray
) -> np.ndarray:
    """Whether each word is among the other person's name words: the same key, or a close spelling
    (Jaro-Winkler of spelling keys >= 0.88: a typo, a letter swapped)."""
    bag = people.bag_spelling[other]
    same = bag == word[:, None]
    same |= (people.bag_consonants[other] == consonants[:, None]) & (vowelless[:, None] | people.bag_vowelless[other])
    same &= (word >= 0)[:, None] & (bag >= 0)
    open_cells = (bag >= 0) & (word >= 0)[:, None] & ~same.any(axis=1)[:, None]
    if open_cells.any():
        words = np.broadcast_to(word[:, None], bag.shape)
        score = _similarity(
            people.vocabulary.strings, words[open_cells], bag[open_cells], JaroWinkler.normalized_similarity
        )
        close = np.zeros(bag.shape, dtype=bool)
        close[open_cells] = score >= 0.88
        same |= close
    return same.any(axis=1)


def _same_word(a: np.ndarray, b: np.ndarray, a_c: np.ndarray, b_c: np.ndarray, vowelless: np.ndarray) -> np.ndarray:
    return ((a == b) | ((a_c == b_c) & vowelless)) & (a >= 0) & (b >= 0)


def keep_apart(people: People, left: np.ndarray, right: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The reason (index into KEEP_APART_REASONS, 0 = none) to keep each pair apart.

    Siblings and twins: both have a given name (or a full name's first word), the two are not the same name
    (not even a close spelling), and one of them is not among the other's name words at all. A duplicate
    whose parts were written in another order passes (its given name is among the other's words).
    The same document number on both sides lifts this rule (no two siblings hold one document).
    Father and son: one's father and grandfather names are the other's given and father names, the given
    names differ, and their birth years (when both known) are more than two years apart."""
    reason = np.zeros(len(left), dtype=np.int8)
    for start in range(0, len(left), CHUNK):
        a, b = left[start : start + CHUNK], right[start : start + CHUNK]
        fw_a, fw_b = people.first_word[a], people.first_word[b]
        fc_a, fc_b = people.first_consonants[a], people.first_consonants[b]
        fv_a, fv_b = people.first_vowelless[a], people.first_vowelless[b]
        both = (fw_a >= 0) & (fw_b >= 0)
        vowelless = fv_a | fv_b
        same_first = (fw_a == fw_b) | ((fc_a == fc_b) & vowelless)
        undecided = both & ~same_first
        score = np.zeros(len(a), dtype=np.float32)
        plain = undecided & ~vowelless
        strings = people.vocabulary.strings
        fj_a, fj_b = people.first_joined[a], people.first_joined[b]
        score[plain] = _similarity(strings, fj_a[plain], fj_b[plain], JaroWinkler.normalized_similarity)
        script = undecided & vowelless
        score[script] = _similarity(strings, fc_a[script], fc_b[script], JaroWinkler.normalized_similarity)
        different_given = undecided & (score < 0.8)
        d = np.flatnonzero(different_given)
        elsewhere = np.zeros(len(a), dtype=bool)
        elsewhere[d] = _in_bag(people, fw_a[d], fc_a[d], fv_a[d], b[d]) & _in_bag(
            people, fw_b[d], fc_b[d], fv_b[d], a[d]
        )
        # Siblings never share an identity document: the same number outweighs the given names.
        same_document = (people.document[a] >= 0) & (people.document[a] == people.document[b])
        siblings = different_given & ~elsewhere & ~same_document
        parts = people.parts
        giv, fat, gra = parts["given_name"], parts["father_name"], parts["grandfather_name"]

        def link(x: np.ndarray, y: np.ndarray, px: NamePart, py: NamePart) -> np.ndarray:
            return _same_word(
                px.spelling[x], py.spelling[y], px.consonants[x], py.consonants[y], px.vowelless[x] | py.vowelless[y]
            )

        a_is_son = link(a, b, fat, giv) & link(a, b, gra, fat)
        b_is_son = link(b, a, fat, giv) & link(b, a, gra, fat)
        ya, yb = people.year[a].astype(np.int32), people.year[b].astype(np.int32)
        near_in_age = (ya > 0) & (yb > 0) & (np.abs(ya - yb) <= 2)
        chain = (a_is_son | b_is_son) & ~same_first & ~near_in_age
        block = reason[start : start + CHUNK]
        block[siblings] = 1
        block[chain] = 2
    return reason


KEEP_APART_REASONS = ("", SIBLINGS, FATHER_AND_SON)
