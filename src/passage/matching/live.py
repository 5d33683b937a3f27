"""The live check: the people most like one being registered, answered in milliseconds from an index of the
registry held in memory, kept current person by person.

The index holds the registry as the batch engine prepares it (records.prepare, with shared vocabularies so that
a person prepared later gets the same ids) and, per blocking rule, an inverted index from each key
(blocking.rule_keys, blocking.hash_key) to the people who have it, sorted by key. A question is one person: its
keys are looked up (a key shared by more people than the rule's cap is left out, as the batch leaves that block
out), the people found are compared with it by compare.compare, kept apart by compare.keep_apart (siblings,
twins, fathers and sons are never proposed), and scored by a Model. Nothing of the batch's rules is written
again here: the question and the people found are handed to the same functions as a small table.

How common a name is (term frequency), how many people give a phone and how common each name word is (which
words are a person's rarest) come from counts the index keeps as people are added and removed.

Adding a person appends to the arrays and inserts their keys into a small sorted tier per rule, merged into the
large one when it grows (a merge is a linear copy, no sort); removing one marks it gone. No Django here."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from passage.matching.blocking import BlockingRule, hash_key, rule_keys
from passage.matching.compare import compare, keep_apart, name_rarity
from passage.matching.engine import explain
from passage.matching.model import Model, default_model, score
from passage.matching.records import COLUMNS, NAME_PARTS, Codes, NamePart, People, prepare

RECENT_TIER = 50_000  # entries of a rule's recent tier before it is merged into the large one
_PART_ARRAYS = ("joined", "spelling", "consonants", "vowelless")
_PERSON_ARRAYS = (
    "first_word",
    "first_joined",
    "first_consonants",
    "last_consonants",
    "second_consonants",
    "first_vowelless",
    "bag_spelling",
    "bag_consonants",
    "bag_vowelless",
    "year",
    "month",
    "day",
    "phone",
    "document",
    "admin1",
    "admin2",
    "sex",
)


@dataclass(frozen=True)
class Candidate:
    record_id: str
    probability: float
    match_weight: float
    explanation: list[tuple[str, str, float]]  # (field, level, weight) for fields with a value on both sides


def _arrays(people: People) -> dict[str, np.ndarray]:
    """The per-person arrays of `people` the comparisons read, by name (counts and frequencies aside)."""
    out = {f"{name}.{a}": getattr(people.parts[name], a) for name in NAME_PARTS for a in _PART_ARRAYS}
    out.update({a: getattr(people, a) for a in _PERSON_ARRAYS})
    return out


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    """`array` with room for at least `size` rows (zeros after its end), or itself when it has room."""
    if len(array) >= size:
        return array
    grown = np.zeros((max(size, len(array) + len(array) // 4 + 1024), *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


class _Table:
    """Per-person arrays with room to grow (appending a person does not copy a million)."""

    def __init__(self, arrays: dict[str, np.ndarray], size: int) -> None:
        self.arrays = arrays
        self.size = size

    def append(self, arrays: dict[str, np.ndarray], count: int) -> None:
        end = self.size + count
        for name, rows in arrays.items():
            column = self.arrays[name] = _grown(self.arrays[name], end)
            column[self.size : end] = rows
        self.size = end

    def rows(self, positions: np.ndarray) -> dict[str, np.ndarray]:
        return {name: column[positions] for name, column in self.arrays.items()}


class _ValueCounts:
    """How many people give each value (phones): sorted values with counts for those known when the index was
    built, a dictionary for values first seen later."""

    def __init__(self, values: np.ndarray) -> None:
        unique, counts = np.unique(values[values >= 0], return_counts=True)
        self.values, self.counts = unique, counts.astype(np.int64)
        self.later: dict[int, int] = {}

    def _find(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.values):
            return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
        at = np.minimum(np.searchsorted(self.values, values), len(self.values) - 1)
        return at, self.values[at] == values

    def change(self, values: np.ndarray, step: int) -> None:
        values = values[values >= 0]
        at, known = self._find(values)
        np.add.at(self.counts, at[known], step)
        for value in values[~known].tolist():
            self.later[value] = self.later.get(value, 0) + step

    def get(self, values: np.ndarray) -> np.ndarray:
        at, known = self._find(values)
        out = np.where(known, self.counts[at], 0)
        if self.later:
            out += np.array([self.later.get(v, 0) for v in values.tolist()], dtype=np.int64)
        return np.where(values >= 0, out, 0)


class _Postings:
    """One rule's inverted index: key -> positions of the people who have it. A large tier and a small recent
    one, both sorted by key; entries of removed people stay until the next merge drops them."""

    def __init__(self, keys: np.ndarray, positions: np.ndarray) -> None:
        self.keys, self.positions = keys, positions.astype(np.int32)
        self.recent_keys = np.zeros(0, dtype=np.uint64)
        self.recent_positions = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.keys) + len(self.recent_keys)

    def members(self, key: np.uint64) -> np.ndarray:
        found = self.positions[np.searchsorted(self.keys, key, "left") : np.searchsorted(self.keys, key, "right")]
        if len(self.recent_keys):
            r_lo = np.searchsorted(self.recent_keys, key, "left")
            r_hi = np.searchsorted(self.recent_keys, key, "right")
            if r_hi > r_lo:
                found = np.concatenate([found, self.recent_positions[r_lo:r_hi]])
        return found

    def insert(self, keys: np.ndarray, positions: np.ndarray, alive: np.ndarray) -> None:
        at = np.searchsorted(self.recent_keys, keys, side="right")
        self.recent_keys = np.insert(self.recent_keys, at, keys)
        self.recent_positions = np.insert(self.recent_positions, at, positions.astype(np.int32))
        if len(self.recent_keys) > RECENT_TIER:
            self.merge(alive)

    def merge(self, alive: np.ndarray) -> None:
        """The recent tier into the large one, dropping removed people's entries (linear: both are sorted)."""
        kept = alive[self.positions]
        keys, positions = self.keys[kept], self.positions[kept]
        recent = alive[self.recent_positions]
        at = np.searchsorted(keys, self.recent_keys[recent], side="right")
        self.keys = np.insert(keys, at, self.recent_keys[recent])
        self.positions = np.insert(positions, at, self.recent_positions[recent])
        self.recent_keys = self.recent_keys[:0]
        self.recent_positions = self.recent_positions[:0]


def _entries(
    people: People, counts: np.ndarray | None, offset: int
) -> dict[BlockingRule, tuple[np.ndarray, np.ndarray]]:
    """Each rule's (keys, positions) for `people`, sorted by key, positions counted from `offset`. A person
    whose two entries of one rule give the same key (a given name written as the family name) is there once."""
    found: dict[BlockingRule, list[tuple[np.ndarray, np.ndarray]]] = {}
    for rule, usable, columns in rule_keys(people, counts):
        index = np.flatnonzero(usable).astype(np.int64)
        found.setdefault(rule, []).append((hash_key(columns, index), index))
    out = {}
    for rule, parts in found.items():
        if len(parts) > 1:
            earlier: list[tuple[np.ndarray, np.ndarray]] = []
            for n, (keys, index) in enumerate(parts):
                again = np.zeros(len(index), dtype=bool)
                for has, key in earlier:
                    again |= has[index] & (key[index] == keys)
                key_of = np.zeros(people.size, dtype=np.uint64)
                key_of[index] = keys
                has_key = np.zeros(people.size, dtype=bool)
                has_key[index] = True
                earlier.append((has_key, key_of))
                parts[n] = (keys[~again], index[~again])
        keys = np.concatenate([k for k, _ in parts])
        positions = np.concatenate([i for _, i in parts]) + offset
        order = np.argsort(keys, kind="stable")
        out[rule] = (keys[order], positions[order])
    return out


def _one_row(record: Mapping[str, str] | pl.DataFrame) -> pl.DataFrame:
    if isinstance(record, pl.DataFrame):
        return record
    return pl.DataFrame([{c: (record.get(c) or None) for c in COLUMNS}], schema=dict.fromkeys(COLUMNS, pl.String))


class LiveIndex:
    """The registry in memory, for questions about one person at a time (see the module's docstring).

    index = LiveIndex(frame)                    # record_id and the columns of records.COLUMNS
    index.candidates({"given_name": "Mohammed", "family_name": "Hassan", "date_of_birth": "1980"})
    index.add(more_people); index.remove(["r12"])
    Safe to share between threads: one question or change at a time."""

    def __init__(self, frame: pl.DataFrame, *, model: Model | None = None) -> None:
        self.model = model or default_model()
        self.codes = Codes()
        self._lock = threading.Lock()
        ids = frame["record_id"].cast(pl.String).to_list() if frame.height else []
        self._position = dict(zip(ids, range(len(ids)), strict=True))
        if len(self._position) < len(ids):
            raise ValueError("a record_id is given twice")
        self._ids: list[str | None] = list(ids)
        people = prepare(frame, codes=self.codes)
        self._table = _Table(_arrays(people), people.size)
        self._alive = np.ones(people.size, dtype=bool)
        self._removed = 0  # people removed since the index was built (their entries may still be in the postings)
        self._part_counts = {name: np.zeros(0, dtype=np.int64) for name in NAME_PARTS}
        self._part_present = dict.fromkeys(NAME_PARTS, 0)
        self._part_squares = dict.fromkeys(NAME_PARTS, 0.0)
        self._word_counts = np.zeros(0, dtype=np.int64)  # filled by _count_names, as the part counts
        self._fit_counts()
        self._count_names(_arrays(people), 1)
        self._phones = _ValueCounts(people.phone)
        self._postings = {rule: _Postings(*entries) for rule, entries in _entries(people, None, 0).items()}

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._position

    # --- changes ---------------------------------------------------------------------------------------------

    def add(self, frame: pl.DataFrame) -> None:
        """Newly registered (or changed) people: a record_id already in the index replaces what it held."""
        if not frame.height:
            return
        ids = frame["record_id"].cast(pl.String).to_list()
        if len(set(ids)) != len(ids):
            raise ValueError("a record_id is given twice")
        with self._lock:
            self._remove([i for i in ids if i in self._position])
            people = prepare(frame, codes=self.codes)
            offset = self._table.size
            arrays = _arrays(people)
            self._table.append(arrays, people.size)
            self._alive = _grown(self._alive, self._table.size)
            self._alive[offset : self._table.size] = True
            self._ids.extend(ids)
            self._position.update((record_id, offset + n) for n, record_id in enumerate(ids))
            self._fit_counts()
            self._count_names(arrays, 1)
            self._phones.change(people.phone, 1)
            for rule, (keys, positions) in _entries(people, self._word_counts, offset).items():
                self._postings[rule].insert(keys, positions, self._alive)

    def remove(self, record_ids: Iterable[str]) -> None:
        """People merged into another record, or no longer in the registry: never proposed again."""
        with self._lock:
            self._remove([str(i) for i in record_ids if str(i) in self._position])

    def _remove(self, record_ids: list[str]) -> None:
        if not record_ids:
            return
        positions = np.array([self._position.pop(i) for i in record_ids], dtype=np.int64)
        rows = self._table.rows(positions)
        self._count_names(rows, -1)
        self._phones.change(rows["phone"], -1)
        self._alive[positions] = False
        for position in positions.tolist():
            self._ids[position] = None
        self._removed += len(positions)

    def _fit_counts(self) -> None:
        """Room in the counts for every id the vocabulary has given (a question's new words included)."""
        size = len(self.codes.names.strings) + 1
        self._word_counts = _grown(self._word_counts, size)
        for name in NAME_PARTS:
            self._part_counts[name] = _grown(self._part_counts[name], size)

    def _count_names(self, rows: dict[str, np.ndarray], step: int) -> None:
        """Term frequencies (spelling keys per name part, with the sum of their squares for the chance two
        people share one) and name word counts, for `rows` coming in (+1) or going out (-1)."""
        for name in NAME_PARTS:
            spelling = rows[f"{name}.spelling"]
            keys, times = np.unique(spelling[spelling >= 0], return_counts=True)
            counts = self._part_counts[name]
            before = counts[keys].astype(np.float64)
            counts[keys] += step * times
            self._part_squares[name] += float((counts[keys].astype(np.float64) ** 2 - before**2).sum())
            self._part_present[name] += step * int(times.sum())
        words = rows["bag_consonants"]
        words = words[words >= 0]
        if len(words) > 10_000:  # many people at once (the build): one count over the vocabulary
            self._word_counts += step * np.bincount(words, minlength=len(self._word_counts))
        else:
            np.add.at(self._word_counts, words, step)

    # --- questions -------------------------------------------------------------------------------------------

    def candidates(
        self,
        record: Mapping[str, str] | pl.DataFrame,
        *,
        limit: int = 5,
        minimum: float = 0.5,
        exclude: Iterable[str] = (),
    ) -> list[Candidate]:
        """The people most likely to be `record` (the columns of records.COLUMNS, record_id not needed), most
        likely first: at most `limit`, from probability `minimum`, never one a keep-apart rule separates, never
        one of `exclude` (the person themselves, when checking a change)."""
        frame = _one_row(record)
        with self._lock:
            sizes = self.codes.sizes()
            try:
                query = prepare(frame.head(1), codes=self.codes)
                return self._candidates(query, limit, minimum, {str(i) for i in exclude})
            finally:
                self.codes.forget_after(sizes)  # what the question brought is not the index's

    def _candidates(self, query: People, limit: int, minimum: float, exclude: set[str]) -> list[Candidate]:
        positions = self._blocks(query)
        if exclude:
            gone = [self._position[i] for i in exclude if i in self._position]
            positions = np.setdiff1d(positions, np.array(gone, dtype=np.int64))
        if not len(positions):
            return []
        people = self._people(query, positions)
        left = np.zeros(len(positions), dtype=np.int64)
        right = np.arange(1, len(positions) + 1, dtype=np.int64)
        levels = compare(people, left, right)
        apart = keep_apart(people, left, right, levels)
        scores = score(self.model, levels, name_rarity(people, left, right))
        chosen = np.flatnonzero((apart == 0) & (scores.probability >= minimum))
        chosen = chosen[np.argsort(-scores.match_weight[chosen], kind="stable")][:limit]
        found = []
        for n in chosen.tolist():
            record_id = self._ids[positions[n]]
            assert record_id is not None  # noqa: S101  (removed people are not among the positions)
            found.append(
                Candidate(
                    record_id=record_id,
                    probability=round(float(scores.probability[n]), 4),
                    match_weight=round(float(scores.match_weight[n]), 2),
                    explanation=explain(levels[n], scores.weights[n]),
                )
            )
        return found

    def _blocks(self, query: People) -> np.ndarray:
        """Positions of the people sharing a key of any rule with the question, where that key's block (the
        question included) is within the rule's cap."""
        self._fit_counts()
        words = query.bag_consonants[0]
        words = words[words >= 0]
        np.add.at(self._word_counts, words, 1)  # the question counts among the people, as in a batch run
        try:
            entries = rule_keys(query, self._word_counts)
        finally:
            np.add.at(self._word_counts, words, -1)
        asked: dict[BlockingRule, set[int]] = {}
        first = np.zeros(1, dtype=np.int64)
        for rule, usable, columns in entries:
            if usable[0]:
                asked.setdefault(rule, set()).add(int(hash_key(columns, first)[0]))
        found = []
        for rule, keys in asked.items():
            postings = self._postings[rule]
            for key in keys:
                members = postings.members(np.uint64(key))
                if len(members) - self._removed >= rule.cap:
                    continue  # more than the cap even if every removed person were here
                members = members[self._alive[members]]
                if 0 < len(members) < rule.cap:
                    found.append(members)
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(found)).astype(np.int64)

    def _people(self, query: People, positions: np.ndarray) -> People:
        """The question (row 0) and the people found, as one small table for the batch engine's functions, with
        term frequencies and phone counts from the whole index."""
        asked = _arrays(query)
        rows = {name: np.concatenate([asked[name], column[positions]]) for name, column in self._table.arrays.items()}
        parts = {}
        for name in NAME_PARTS:
            spelling = rows[f"{name}.spelling"]
            own = int(spelling[0])
            counts = self._part_counts[name][np.maximum(spelling, 0)] + ((spelling == own) & (own >= 0))
            present = max(self._part_present[name] + (own >= 0), 1)
            parts[name] = NamePart(
                joined=rows[f"{name}.joined"],
                spelling=spelling,
                consonants=rows[f"{name}.consonants"],
                vowelless=rows[f"{name}.vowelless"],
                frequency=np.where(spelling >= 0, counts / present, 0.0),
                agreement=self._part_squares[name] / max(self._part_present[name], 1) ** 2,
            )
        phone = rows["phone"]
        sharing = self._phones.get(phone) + ((phone == phone[0]) & (phone >= 0))
        return People(
            size=len(phone),
            vocabulary=self.codes.names,
            parts=parts,
            **{name: rows[name] for name in _PERSON_ARRAYS},
            phone_sharing=sharing.astype(np.int32),
            documents=self.codes.documents.strings,
            date_issues=[],
        )
