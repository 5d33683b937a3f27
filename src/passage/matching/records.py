"""People as the engine compares them: a Polars table of text columns in, numpy arrays of keys out.

Names are worked out once per distinct value (passage.matching.names), dates, phones, documents and areas
with Polars expressions; nothing loops over people in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl

from passage.matching.names import name_forms, name_words, word_spelling
from passage.matching.names import word_consonants as consonants_of

COLUMNS = (
    "record_id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "full_name",
    "sex",
    "date_of_birth",
    "phone",
    "document_number",
    "admin1",
    "admin2",
)
NAME_PARTS = ("given_name", "father_name", "grandfather_name", "family_name")
BAG_WIDTH = 8  # name words kept per person (parts and full name together)
_SEX = {
    "m": 1,
    "male": 1,
    "man": 1,
    "boy": 1,
    "homme": 1,
    "hombre": 1,
    "ذكر": 1,
    "f": 2,
    "female": 2,
    "woman": 2,
    "girl": 2,
    "femme": 2,
    "mujer": 2,
    "hembra": 2,
    "انثى": 2,
    "أنثى": 2,
}


@dataclass
class Vocabulary:
    """Strings to small integers (one table for every name key, so ids compare across fields)."""

    ids: dict[str, int] = field(default_factory=dict)
    strings: list[str] = field(default_factory=list)

    def id(self, text: str) -> int:
        if not text:
            return -1
        found = self.ids.get(text)
        if found is None:
            found = self.ids[text] = len(self.strings)
            self.strings.append(text)
        return found

    def ids_of(self, texts: list[str]) -> list[int]:
        """Ids of distinct texts; a fresh vocabulary takes them in one step (a million documents at once)."""
        if self.strings or "" in texts:
            return [self.id(text) for text in texts]
        self.strings.extend(texts)
        self.ids.update(zip(texts, range(len(texts)), strict=True))
        return list(range(len(texts)))


@dataclass
class NamePart:
    joined: np.ndarray  # int32 id of the part as one Latin word, -1 when empty
    spelling: np.ndarray  # int32 id of its spelling key
    consonants: np.ndarray  # int32 id of its consonant key
    vowelless: np.ndarray  # bool: written in a script without vowels
    frequency: np.ndarray  # float: share of people with this spelling key in this part (term frequency)
    agreement: float  # chance that two people drawn at random share the key: the mean term frequency


@dataclass
class DateIssue:
    row: int  # 0-based position in the table
    value: str


@dataclass
class People:
    """Everything the comparisons read, one array element per person."""

    size: int
    vocabulary: Vocabulary
    parts: dict[str, NamePart]
    first_word: np.ndarray  # spelling id of the given name, or of the full name's first word when no parts
    first_joined: np.ndarray  # its Latin form's id
    first_consonants: np.ndarray
    last_consonants: np.ndarray  # consonant key of the family name, or of the full name's last word
    second_consonants: np.ndarray  # consonant key of the father's name, or of the full name's second word
    first_vowelless: np.ndarray
    bag_spelling: np.ndarray  # (size, BAG_WIDTH) int32, -1 padded
    bag_consonants: np.ndarray
    bag_vowelless: np.ndarray
    year: np.ndarray  # int16, 0 unknown
    month: np.ndarray  # int8, 0 unknown (1 January is read as "year only": the usual default)
    day: np.ndarray
    phone: np.ndarray  # int64 last nine digits, -1 unknown
    phone_sharing: np.ndarray  # int32 how many people have this phone
    document: np.ndarray  # int32 id into documents, -1 unknown
    documents: list[str]
    admin1: np.ndarray  # int32, -1 unknown
    admin2: np.ndarray
    sex: np.ndarray  # int8 0 unknown, 1 male, 2 female
    date_issues: list[DateIssue]


def _text(columns: frozenset[str], column: str) -> pl.Expr:
    """The column as text, trimmed; blank is missing."""
    if column not in columns:
        return pl.lit(None, dtype=pl.String)
    return _blank_is_missing(pl.col(column).cast(pl.String).str.strip_chars())


def _blank_is_missing(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None)


def _codes(series: Column, vocabulary: Vocabulary | None = None) -> tuple[np.ndarray, list[str]]:
    """Integer codes of the distinct values (-1 for empty) and the values, in order of first appearance; with a
    vocabulary, its ids (so that tables prepared apart share their codes)."""
    if isinstance(series, list):  # a handful of rows (the live check): Python is faster than a join
        values = list(dict.fromkeys(v for v in series if v is not None))
        local = {value: code for code, value in enumerate(values)}
        codes = np.array([-1 if v is None else local[v] for v in series], dtype=np.int32)
    else:
        unique = series.drop_nulls().unique(maintain_order=True)
        lookup = pl.DataFrame({"value": unique, "code": pl.int_range(0, len(unique), dtype=pl.Int32, eager=True)})
        joined = pl.DataFrame({"value": series}).join(lookup, on="value", how="left", maintain_order="left")["code"]
        codes, values = joined.fill_null(-1).to_numpy().astype(np.int32), unique.to_list()
    if vocabulary is None:
        return codes, values
    shared = np.array([*vocabulary.ids_of(values), -1], dtype=np.int32)
    return shared[np.where(codes >= 0, codes, len(values))], vocabulary.strings


SMALL = 64
Column = pl.Series | list[Any]  # a cleaned column: a table's, or a list for a few rows
_NUMPY: dict[str, Any] = {"year": np.int16, "month": np.int8, "day": np.int8, "phone": np.int64, "sex": np.int8}
_NUMPY |= {"phone_sharing": np.int32, "date_bad": np.bool_}


def _array(column: Column, name: str) -> np.ndarray:
    return column.to_numpy() if isinstance(column, pl.Series) else np.asarray(column, dtype=_NUMPY[name])


@dataclass
class Codes:
    """Vocabularies shared by tables prepared apart (the live index and each person it is asked about)."""

    names: Vocabulary = field(default_factory=Vocabulary)
    documents: Vocabulary = field(default_factory=Vocabulary)
    admin1: Vocabulary = field(default_factory=Vocabulary)
    admin2: Vocabulary = field(default_factory=Vocabulary)

    def sizes(self) -> tuple[int, ...]:
        return tuple(len(v.strings) for v in (self.names, self.documents, self.admin1, self.admin2))

    def forget_after(self, sizes: tuple[int, ...]) -> None:
        """Drop what was added since sizes() said `sizes` (what a question brought, not what the index holds)."""
        for vocabulary, size in zip((self.names, self.documents, self.admin1, self.admin2), sizes, strict=True):
            for text in vocabulary.strings[size:]:
                del vocabulary.ids[text]
            del vocabulary.strings[size:]


def _cleaned(frame: pl.DataFrame) -> dict[str, Column]:
    """Every column as the comparisons read it: names trimmed; the phone's last nine digits and how many people
    give it; the document's letters and digits; the birth date's year, month and day (1 January read as year
    only) and whether it could not be read; sex as 0 unknown, 1 male, 2 female; P-codes upper case.

    Each output comes from one input column alone (_GROUPS), except how many people give a phone. A large table
    runs the expressions over its rows, birth dates, sexes and P-codes once per distinct value (_by_value); a
    table of a few rows (the live check) looks every value up among those already worked out and runs the
    expressions once, on the values not seen before."""
    this_year = dt.date.today().year  # noqa: DTZ011 (a calendar year bound, no time of day)
    if frame.height <= SMALL:
        return _cleaned_few(frame, this_year)
    rows = [group for group in _GROUPS if not group.by_value]
    clean = _run(frame, rows, this_year).select(*(name for group in rows for name in group.outputs))
    clean = clean.with_columns(phone_sharing=pl.len().over("phone").cast(pl.Int32))
    return dict(pl.concat([clean, _by_value(frame, this_year)], how="horizontal").to_dict())


def _run(frame: pl.DataFrame, groups: list[_Group], this_year: int) -> pl.DataFrame:
    """The groups' expressions over `frame`, stage by stage (a group's stage n runs beside the others')."""
    first, *later = _stages(tuple(groups), frozenset(frame.columns), this_year)
    if frame.height <= SMALL:  # a few values: planning a lazy query costs more than it saves
        out = frame.select(*first)
        for stage in later:
            out = out.with_columns(*stage)
        return out
    query = frame.lazy().select(*first)
    for stage in later:
        query = query.with_columns(*stage)
    return query.collect()


@lru_cache(maxsize=64)
def _stages(groups: tuple[_Group, ...], columns: frozenset[str], this_year: int) -> list[list[pl.Expr]]:
    """The groups' expressions merged stage by stage: built once per set of groups and columns (building them
    costs more than running them on the one person of a live check)."""
    built = [group.stages(columns, this_year) for group in groups]
    return [
        [expression for stages in built if n < len(stages) for expression in stages[n]]
        for n in range(max(len(stages) for stages in built))
    ]


def _name_stages(column: str) -> Callable[[frozenset[str], int], list[list[pl.Expr]]]:
    return lambda columns, this_year: [[_text(columns, column).alias(column)]]


def _phone_stages(columns: frozenset[str], this_year: int) -> list[list[pl.Expr]]:
    digits = pl.col("digits")
    return [
        [_text(columns, "phone").str.replace_all(r"\D", "").str.replace(r"^00", "").alias("digits")],
        [
            pl.when(digits.str.len_chars() >= 7)
            .then(digits.str.slice(-9).cast(pl.Int64, strict=False))
            .otherwise(None)
            .fill_null(-1)
            .alias("phone")
        ],
    ]


def _document_stages(columns: frozenset[str], this_year: int) -> list[list[pl.Expr]]:
    document = _text(columns, "document_number").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
    return [[_blank_is_missing(document.str.replace(r"^.{1,3}$", "")).alias("document")]]


def _date_stages(columns: frozenset[str], this_year: int) -> list[list[pl.Expr]]:
    text, full, month_only, year_text = pl.col("date_text"), pl.col("full"), pl.col("month_only"), pl.col("year_text")
    year, month, day, bad = pl.col("year"), pl.col("month"), pl.col("day"), pl.col("date_bad")
    return [
        [_text(columns, "date_of_birth").alias("date_text")],
        [
            text.str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("full"),
            text.str.extract(r"^(\d{4})-(\d{1,2})$", 2).cast(pl.Int32, strict=False).alias("month_only"),
            text.str.extract(r"^(\d{4})(?:-\d{1,2}(?:-\d{1,2})?)?$", 1).cast(pl.Int32, strict=False).alias("year_text"),
        ],
        [
            pl.when(full.is_not_null())
            .then(full.dt.year())
            .when(month_only.is_between(1, 12))
            .then(year_text)
            .when(text.str.contains(r"^\d{4}$"))
            .then(year_text)
            .otherwise(None)
            .alias("year"),
            pl.when(full.is_not_null())
            .then(full.dt.month())
            .when(month_only.is_between(1, 12))
            .then(month_only)
            .otherwise(0)
            .alias("month"),
            pl.when(full.is_not_null()).then(full.dt.day()).otherwise(0).alias("day"),
        ],
        [(text.is_not_null() & (year.is_null() | ~year.is_between(1880, this_year + 1))).alias("date_bad")],
        [
            pl.when(bad).then(0).otherwise(year.fill_null(0)).cast(pl.Int16).alias("year"),
            pl.when(bad).then(0).otherwise(month).alias("month"),
            pl.when(bad).then(0).otherwise(day).alias("day"),
        ],
        [((month == 1) & (day == 1)).alias("default")],  # 1 January: the usual default for an unknown day
        [
            pl.when(pl.col("default")).then(0).otherwise(month).cast(pl.Int8).alias("month"),
            pl.when(pl.col("default")).then(0).otherwise(day).cast(pl.Int8).alias("day"),
        ],
    ]


def _sex_stages(columns: frozenset[str], this_year: int) -> list[list[pl.Expr]]:
    sex = _text(columns, "sex").str.to_lowercase()
    return [[sex.replace_strict(_SEX, default=0, return_dtype=pl.Int8).fill_null(0).alias("sex")]]


def _area_stages(column: str) -> Callable[[frozenset[str], int], list[list[pl.Expr]]]:
    return lambda columns, this_year: [[_text(columns, column).str.to_uppercase().alias(column)]]


@dataclass(frozen=True, eq=False)  # compared and hashed as itself: the groups are fixed
class _Group:
    """Output columns worked out from one input column alone."""

    column: str
    outputs: dict[str, pl.DataType]
    stages: Callable[[frozenset[str], int], list[list[pl.Expr]]]  # (columns present, this year) -> stages
    by_value: bool = False  # few distinct values in a registry: worked out once per value at every size
    remembered: bool = True  # kept between calls (not phones and documents: each person has their own)


_GROUPS = (
    *(_Group(column, {column: pl.String()}, _name_stages(column)) for column in (*NAME_PARTS, "full_name")),
    _Group("phone", {"phone": pl.Int64()}, _phone_stages, remembered=False),
    _Group("document_number", {"document": pl.String()}, _document_stages, remembered=False),
    _Group(
        "date_of_birth",
        {"year": pl.Int16(), "month": pl.Int8(), "day": pl.Int8(), "date_bad": pl.Boolean(), "date_text": pl.String()},
        _date_stages,
        by_value=True,
    ),
    _Group("sex", {"sex": pl.Int8()}, _sex_stages, by_value=True),
    _Group("admin1", {"admin1": pl.String()}, _area_stages("admin1"), by_value=True),
    _Group("admin2", {"admin2": pl.String()}, _area_stages("admin2"), by_value=True),
)
_REMEMBERED: dict[tuple[str, int], dict[str | None, tuple[object, ...]]] = {}
REMEMBERED_VALUES = 50_000  # per input column; then forgotten and learnt again


def _values(frame: pl.DataFrame, column: str) -> pl.Series:
    if column in frame.columns:
        return frame[column].cast(pl.String)
    return pl.Series(column, [None] * frame.height, dtype=pl.String)


def _worked_out(
    wanted: dict[_Group, list[str | None]], this_year: int
) -> dict[_Group, dict[str | None, tuple[object, ...]]]:
    """Each group's outputs for its distinct values, computed once per value and remembered between calls (a
    registry has some tens of thousands of distinct birth dates and a few sexes and P-codes; a live check
    meets the same names again and again). Values not seen before go through one run of the expressions."""
    known: dict[_Group, dict[str | None, tuple[object, ...]]] = {}
    missing: dict[_Group, list[str | None]] = {}
    for group, distinct in wanted.items():
        remembered = _REMEMBERED.setdefault((group.column, this_year), {})
        known[group] = {value: remembered[value] for value in distinct if value in remembered}
        if len(known[group]) < len(distinct):
            missing[group] = [value for value in distinct if value not in known[group]]
    if not missing:
        return known
    height = max(len(values) for values in missing.values())
    table = pl.DataFrame(
        {group.column: values + [None] * (height - len(values)) for group, values in missing.items()},
        schema=dict.fromkeys((group.column for group in missing), pl.String),
    )
    computed = _run(table, list(missing), this_year)
    columns = computed.to_dict(as_series=False)
    for group, values in missing.items():
        outputs = [columns[name][: len(values)] for name in group.outputs]
        found = dict(zip(values, zip(*outputs, strict=True), strict=True))
        known[group].update(found)
        if group.remembered:
            remembered = _REMEMBERED.setdefault((group.column, this_year), {})
            if len(remembered) + len(found) > REMEMBERED_VALUES:
                remembered.clear()
            remembered.update(found)
    return known


def _cleaned_few(frame: pl.DataFrame, this_year: int) -> dict[str, Column]:
    """_cleaned for a few rows: Python lists of values already worked out."""
    values = {group: _values(frame, group.column).to_list() for group in _GROUPS}
    known = _worked_out({group: list(dict.fromkeys(v)) for group, v in values.items()}, this_year)
    columns: dict[str, Column] = {}
    for group in _GROUPS:
        for n, name in enumerate(group.outputs):
            columns[name] = [known[group][value][n] for value in values[group]]
    phones = np.asarray(columns["phone"], dtype=np.int64)
    _unique, inverse, counts = np.unique(phones, return_inverse=True, return_counts=True)
    columns["phone_sharing"] = counts[inverse.reshape(-1)].tolist()  # how many rows give each phone
    return columns


def _by_value(frame: pl.DataFrame, this_year: int) -> pl.DataFrame:
    """The by-value groups' outputs for every row of a large table, worked out once per distinct value."""
    groups = [group for group in _GROUPS if group.by_value]
    raw = {group: _values(frame, group.column) for group in groups}
    distinct = {group: raw[group].unique().to_list() for group in groups}
    known = _worked_out(distinct, this_year)
    tables = []
    for group in groups:
        lookup = pl.DataFrame(
            [(value, *known[group][value]) for value in distinct[group]],
            schema={"value": pl.String(), **group.outputs},
            orient="row",
        )
        rows = pl.DataFrame({"value": raw[group]}).join(
            lookup, on="value", how="left", nulls_equal=True, maintain_order="left"
        )
        tables.append(rows.drop("value"))
    return pl.concat(tables, how="horizontal")


def prepare(frame: pl.DataFrame, *, codes: Codes | None = None) -> People:
    """The table's people as arrays. With `codes`, name keys, documents and P-codes take ids from its
    vocabularies (and add to them), so that people prepared at different times can be compared."""
    size = frame.height
    shared = codes
    vocabulary = shared.names if shared is not None else Vocabulary()
    clean = _cleaned(frame)
    parts: dict[str, NamePart] = {}
    first_of_full = np.full(size, -1, dtype=np.int32)
    last_of_full = np.full(size, -1, dtype=np.int32)
    second_of_full = np.full(size, -1, dtype=np.int32)
    word_columns: list[np.ndarray] = []  # (size, k) spelling ids per field, for the bag
    consonant_columns: list[np.ndarray] = []
    vowelless_columns: list[np.ndarray] = []
    word_keys: dict[str, tuple[int, int]] = {}  # Latin word -> ids of its spelling and consonant keys
    for column in (*NAME_PARTS, "full_name"):
        value_codes, values = _codes(clean[column])
        full = column == "full_name"
        forms = [] if full else [name_forms(value) for value in values]
        # A full name is compared word by word only: its words, not its keys as one word.
        word_lists = [name_words(value) for value in values] if full else [form.words for form in forms]
        width = 4
        words = np.full((len(values) + 1, width), -1, dtype=np.int32)
        word_consonants = np.full((len(values) + 1, width), -1, dtype=np.int32)
        word_vowelless = np.zeros((len(values) + 1, width), dtype=bool)
        for index, name_word_list in enumerate(word_lists):
            if full:
                pieces = [(w.latin, w.vowelless) for w in name_word_list]
            else:
                form = forms[index]
                pieces = [(form.joined, form.vowelless)] if form.joined else []
                if len(name_word_list) > 1:
                    pieces += [(w.latin, w.vowelless) for w in name_word_list]
            for slot, (latin, no_vowels) in enumerate(pieces[:width]):
                keys = word_keys.get(latin)
                if keys is None:  # each word's two keys once (a common name is in many values)
                    keys = word_keys[latin] = (vocabulary.id(word_spelling(latin)), vocabulary.id(consonants_of(latin)))
                words[index, slot], word_consonants[index, slot] = keys
                word_vowelless[index, slot] = no_vowels
        per_person = np.where(value_codes >= 0, value_codes, len(values))
        word_columns.append(words[per_person])
        consonant_columns.append(word_consonants[per_person])
        vowelless_columns.append(word_vowelless[per_person])
        if column == "full_name":
            first_of_full = np.array(
                [vocabulary.id(w[0].latin) if w else -1 for w in word_lists] + [-1], dtype=np.int32
            )[per_person]
            second_of_full = np.array(
                [vocabulary.id(consonants_of(w[1].latin)) if len(w) > 1 else -1 for w in word_lists] + [-1],
                dtype=np.int32,
            )[per_person]
            last_of_full = np.array(
                [vocabulary.id(consonants_of(w[-1].latin)) if w else -1 for w in word_lists] + [-1],
                dtype=np.int32,
            )[per_person]
            continue
        joined = np.array([vocabulary.id(f.joined) for f in forms] + [-1], dtype=np.int32)[per_person]
        spelling = np.array([vocabulary.id(f.spelling) for f in forms] + [-1], dtype=np.int32)[per_person]
        consonants = np.array([vocabulary.id(f.consonants) for f in forms] + [-1], dtype=np.int32)[per_person]
        vowelless = np.array([f.vowelless for f in forms] + [False], dtype=bool)[per_person]
        present = spelling >= 0
        # Counted over the keys used (not the whole vocabulary, which a live index shares and keeps growing).
        _keys, inverse, counts = np.unique(spelling[present], return_inverse=True, return_counts=True)
        frequency = np.zeros(size, dtype=np.float64)
        frequency[present] = counts[inverse.reshape(-1)].astype(np.float64) / max(int(present.sum()), 1)
        agreement = float(frequency[present].mean()) if present.any() else 0.0
        parts[column] = NamePart(joined, spelling, consonants, vowelless, frequency, agreement)
    given = parts["given_name"]
    no_given = given.spelling < 0
    first_word = np.where(no_given, word_columns[-1][:, 0], given.spelling)
    first_joined = np.where(no_given, first_of_full, given.joined)
    first_consonants = np.where(no_given, consonant_columns[-1][:, 0], given.consonants)
    family = parts["family_name"]
    last_consonants = np.where(family.consonants >= 0, family.consonants, last_of_full)
    father = parts["father_name"]
    second_consonants = np.where(no_given, second_of_full, father.consonants)
    first_vowelless = np.where(no_given, vowelless_columns[-1][:, 0], given.vowelless)
    bag_spelling, bag_consonants, bag_vowelless = _bags(
        np.hstack(word_columns), np.hstack(consonant_columns), np.hstack(vowelless_columns)
    )
    document, documents = _codes(clean["document"], shared.documents if shared else None)
    admin1, _ = _codes(clean["admin1"], shared.admin1 if shared else None)
    admin2, _ = _codes(clean["admin2"], shared.admin2 if shared else None)
    bad_dates = np.flatnonzero(_array(clean["date_bad"], "date_bad")).tolist()
    date_text = clean["date_text"]
    return People(
        size=size,
        vocabulary=vocabulary,
        parts=parts,
        first_word=first_word,
        first_joined=first_joined,
        first_consonants=first_consonants,
        last_consonants=last_consonants,
        second_consonants=second_consonants,
        first_vowelless=first_vowelless,
        bag_spelling=bag_spelling,
        bag_consonants=bag_consonants,
        bag_vowelless=bag_vowelless,
        year=_array(clean["year"], "year"),
        month=_array(clean["month"], "month"),
        day=_array(clean["day"], "day"),
        phone=_array(clean["phone"], "phone"),
        phone_sharing=_array(clean["phone_sharing"], "phone_sharing"),
        document=document,
        documents=documents,
        admin1=admin1,
        admin2=admin2,
        sex=_array(clean["sex"], "sex"),
        date_issues=[DateIssue(row, date_text[row]) for row in bad_dates],
    )


def _bags(spelling: np.ndarray, consonants: np.ndarray, vowelless: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each person's distinct name words (by spelling key), left-aligned, at most BAG_WIDTH."""
    order = np.argsort(np.where(spelling < 0, np.iinfo(np.int32).max, spelling), axis=1, kind="stable")
    spelling = np.take_along_axis(spelling, order, axis=1)
    consonants = np.take_along_axis(consonants, order, axis=1)
    vowelless = np.take_along_axis(vowelless, order, axis=1)
    kept = spelling >= 0
    kept[:, 1:] &= spelling[:, 1:] != spelling[:, :-1]  # a word once
    slot = np.cumsum(kept, axis=1) - 1  # where each kept word goes, left-aligned
    rows, columns = np.nonzero(kept & (slot < BAG_WIDTH))
    at = slot[rows, columns]
    size = len(spelling)
    bag_spelling = np.full((size, BAG_WIDTH), -1, dtype=spelling.dtype)
    bag_consonants = np.full((size, BAG_WIDTH), -1, dtype=consonants.dtype)
    bag_vowelless = np.zeros((size, BAG_WIDTH), dtype=bool)
    bag_spelling[rows, at] = spelling[rows, columns]
    bag_consonants[rows, at] = consonants[rows, columns]
    bag_vowelless[rows, at] = vowelless[rows, columns]
    return bag_spelling, bag_consonants, bag_vowelless
