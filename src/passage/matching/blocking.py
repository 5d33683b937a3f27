"""Candidate pairs: people who share at least one blocking key, never every pair with every pair.

Each rule is a key built from a few fields; two people are a candidate pair when they share any rule's key.
A key shared by more than the rule's cap of people (a very common name with no birth year, a phone on a
community notice board) is left out of that rule: the other rules still find the real duplicates inside it,
and the number of pairs stays near-linear in the number of people."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from passage.matching.records import People


@dataclass(frozen=True)
class BlockingRule:
    name: str
    cap: int  # keys shared by more people than this are skipped


RULES = (
    BlockingRule("given+father consonants, birth year", 60),
    BlockingRule("given+father+family consonants", 60),
    BlockingRule("phone", 12),
    BlockingRule("document", 12),
    BlockingRule("two of the three rarest name words", 15),
    BlockingRule("first letters of names, admin2, birth year", 30),
    BlockingRule("given or family consonants (either order), birth date", 40),
    BlockingRule("given and family consonants in either order, birth year", 60),
    BlockingRule("all name words, any order", 30),
    BlockingRule("all name words, any order, birth year", 60),
)


def rule_keys(
    people: People, counts: np.ndarray | None = None
) -> list[tuple[BlockingRule, np.ndarray, list[np.ndarray]]]:
    """Each rule's entries: which people have a key, and the columns their key is hashed from (hash_key()).
    `counts` says how common each name word is (word_counts()) where the table is not the whole registry (the
    live index's counts); by default they are counted in `people`."""
    parts = people.parts
    father, family = parts["father_name"], parts["family_name"]
    year = people.year.astype(np.int32)
    known_year = year > 0
    rarest = _rarest(people, counts)  # -1 first: two words fill columns 1 and 2
    bag_key, bag_size = _bag_key(people)
    full_date = (people.day > 0) & known_year
    date = year * 10000 + people.month.astype(np.int32) * 100 + people.day.astype(np.int32)
    ends = np.stack([people.first_consonants, people.last_consonants], axis=1)
    low = np.where((ends >= 0).all(axis=1), ends.min(axis=1), -1)
    high = ends.max(axis=1)
    letters = _first_letters(people)
    return [
        (
            RULES[0],
            (people.first_consonants >= 0) & (people.second_consonants >= 0) & known_year,
            [people.first_consonants, people.second_consonants, year],
        ),
        (
            RULES[1],
            (people.first_consonants >= 0) & (father.consonants >= 0) & (family.consonants >= 0),
            [people.first_consonants, father.consonants, family.consonants],
        ),
        (RULES[2], people.phone >= 0, [people.phone]),
        (RULES[3], people.document >= 0, [people.document]),
        (RULES[4], rarest[:, 0] >= 0, [rarest[:, 0], rarest[:, 1]]),
        (RULES[4], rarest[:, 0] >= 0, [rarest[:, 0], rarest[:, 2]]),
        (RULES[4], rarest[:, 1] >= 0, [rarest[:, 1], rarest[:, 2]]),
        (RULES[5], (letters >= 0) & (people.admin2 >= 0) & known_year, [letters, people.admin2, year]),
        (RULES[6], (people.first_consonants >= 0) & full_date, [people.first_consonants, date]),
        (RULES[6], (family.consonants >= 0) & full_date, [family.consonants, date]),
        (RULES[7], (low >= 0) & known_year, [low, high, year]),
        (RULES[8], (bag_key >= 0) & (bag_size >= 2), [bag_key]),
        (RULES[9], (bag_key >= 0) & (bag_size >= 2) & known_year, [bag_key, year]),
    ]


def _rarest(people: People, counts: np.ndarray | None = None) -> np.ndarray:
    """The three least common name words of each person (by consonant key, sorted, -1 padded on the left)."""
    words = people.bag_consonants
    if counts is None:
        counts = word_counts(people)
    rarity = np.where(words >= 0, counts[np.maximum(words, 0)], np.iinfo(np.int64).max)
    order = np.argsort(rarity, axis=1, kind="stable")[:, :3]
    chosen = np.take_along_axis(words, order, axis=1)
    chosen.sort(axis=1)
    return chosen


def word_counts(people: People) -> np.ndarray:
    """How many people have each name word (by consonant key), indexed by vocabulary id."""
    words = people.bag_consonants
    return np.bincount(words[words >= 0], minlength=len(people.vocabulary.strings) + 1)


def _bag_key(people: People) -> tuple[np.ndarray, np.ndarray]:
    """One number for the set of a person's name words (by consonant key), whatever their order."""
    words = np.sort(np.where(people.bag_consonants >= 0, people.bag_consonants, -1), axis=1).astype(np.int64)
    key = np.zeros(people.size, dtype=np.int64)
    for column in range(words.shape[1]):
        key = (key * 1_000_003 + words[:, column] + 1) % (2**61 - 1)
    return key, (words >= 0).sum(axis=1)


def _first_letters(people: People) -> np.ndarray:
    """First letters of given, father and family names (Latin), as one small number; -1 if any is missing."""
    strings = people.vocabulary.strings
    code = np.zeros(people.size, dtype=np.int32)
    for name in ("given_name", "father_name", "family_name"):
        joined = people.parts[name].joined
        present = joined >= 0
        used, inverse = np.unique(joined[present], return_inverse=True)  # the letters of these names only
        initial = [ord(s[0]) - 96 if s and "a" <= s[0] <= "z" else 0 for s in (strings[i] for i in used.tolist())]
        letter = np.zeros(people.size, dtype=np.int32)
        letter[present] = np.asarray(initial, dtype=np.int32)[inverse.reshape(-1)]
        code = code * 32 + letter
    missing = np.zeros(people.size, dtype=bool)
    for name in ("given_name", "father_name", "family_name"):
        missing |= people.parts[name].joined < 0
    return np.where(missing, -1, code)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def hash_key(columns: list[np.ndarray], index: np.ndarray) -> np.ndarray:
    """One 64-bit key per person from a rule's columns (a collision only adds a candidate pair)."""
    key = np.zeros(len(index), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            key = key * _MIX + (column[index].astype(np.int64) + 2).astype(np.uint64)
            key ^= key >> np.uint64(29)
    return key


def _pairs_within_blocks(keys: np.ndarray, people: np.ndarray, cap: int, size: int) -> np.ndarray:
    """Every pair of people sharing a key, for keys shared by 2..cap people, as left * size + right codes
    (left < right) — built with numpy from the sorted keys, no join."""
    order = np.lexsort((people, keys))
    keys, people = keys[order], people[order]
    repeated = np.zeros(len(keys), dtype=bool)
    repeated[1:] = (keys[1:] == keys[:-1]) & (people[1:] == people[:-1])
    keys, people = keys[~repeated], people[~repeated]
    if len(keys) < 2:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    kept = (sizes >= 2) & (sizes <= cap)
    starts, sizes = starts[kept], sizes[kept]
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    # positions inside kept blocks, and how many later members each one pairs with
    position = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    later = np.repeat(starts + sizes, sizes) - position - 1
    left = np.repeat(position, later)
    step = np.arange(later.sum()) - np.repeat(np.cumsum(later) - later, later)
    right = left + 1 + step
    a, b = people[left], people[right]
    return np.minimum(a, b) * size + np.maximum(a, b)


def candidate_pairs(people: People) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(left, right) indexes with left < right, each pair once; and how many pairs each rule found."""
    found: list[np.ndarray] = []
    per_rule: dict[str, int] = {}
    entries: dict[BlockingRule, list[tuple[np.ndarray, np.ndarray]]] = {}
    for rule, usable, columns in rule_keys(people):
        # Entries of one rule share their blocks: a key from one entry meets the same key from another (a
        # given name meets a family name written in its place).
        index = np.flatnonzero(usable).astype(np.int64)
        entries.setdefault(rule, []).append((hash_key(columns, index), index))
    for rule, parts in entries.items():
        keys = np.concatenate([k for k, _ in parts])
        index = np.concatenate([i for _, i in parts])
        pairs = _pairs_within_blocks(keys, index, rule.cap, people.size)
        per_rule[rule.name] = len(pairs)
        found.append(pairs)
    merged = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    merged = merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged  # (faster than np.unique)
    return (merged // people.size).astype(np.int64), (merged % people.size).astype(np.int64), per_rule


def random_pairs(size: int, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pairs drawn at random (almost all non-matches): what the u probabilities are estimated from."""
    rng = np.random.default_rng(seed)
    left = rng.integers(0, size, count)
    right = rng.integers(0, size, count)
    keep = left != right
    left, right = left[keep], right[keep]
    return np.minimum(left, right), np.maximum(left, right)
