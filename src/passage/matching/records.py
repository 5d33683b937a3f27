"""People as the engine compares them: a Polars table of text columns in, numpy arrays of keys out.

Names are worked out once per distinct value (passage.matching.names), dates, phones, documents and areas
with Polars expressions; nothing loops over people in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from passage.matching.names import name_forms, word_spelling
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


def _text(frame: pl.DataFrame, column: str) -> pl.Series:
    if column not in frame.columns:
        return pl.Series(column, [None] * frame.height, dtype=pl.String)
    return _blank_is_missing(frame[column].cast(pl.String).str.strip_chars())


def _blank_is_missing(series: pl.Series) -> pl.Series:
    return pl.select(pl.when(series.str.len_chars() > 0).then(series).otherwise(None)).to_series().alias(series.name)


def _codes(series: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of the distinct values (-1 for empty) and the values."""
    unique = series.drop_nulls().unique(maintain_order=True)
    lookup = pl.DataFrame({"value": unique, "code": pl.int_range(0, len(unique), dtype=pl.Int32, eager=True)})
    codes = pl.DataFrame({"value": series}).join(lookup, on="value", how="left", maintain_order="left")["code"]
    return codes.fill_null(-1).to_numpy().astype(np.int32), unique.to_list()


def prepare(frame: pl.DataFrame) -> People:
    size = frame.height
    vocabulary = Vocabulary()
    parts: dict[str, NamePart] = {}
    first_of_full = np.full(size, -1, dtype=np.int32)
    last_of_full = np.full(size, -1, dtype=np.int32)
    second_of_full = np.full(size, -1, dtype=np.int32)
    word_columns: list[np.ndarray] = []  # (size, k) spelling ids per field, for the bag
    consonant_columns: list[np.ndarray] = []
    vowelless_columns: list[np.ndarray] = []
    for column in (*NAME_PARTS, "full_name"):
        codes, values = _codes(_text(frame, column))
        forms = [name_forms(value) for value in values]
        width = 4
        words = np.full((len(values) + 1, width), -1, dtype=np.int32)
        word_consonants = np.full((len(values) + 1, width), -1, dtype=np.int32)
        word_vowelless = np.zeros((len(values) + 1, width), dtype=bool)
        for index, form in enumerate(forms):
            if column == "full_name":
                pieces = [(w.latin, w.vowelless) for w in form.words]
            else:
                pieces = [(form.joined, form.vowelless)] if form.joined else []
                if len(form.words) > 1:
                    pieces += [(w.latin, w.vowelless) for w in form.words]
            for slot, (latin, no_vowels) in enumerate(pieces[:width]):
                words[index, slot] = vocabulary.id(word_spelling(latin))
                word_consonants[index, slot] = vocabulary.id(consonants_of(latin))
                word_vowelless[index, slot] = no_vowels
        per_person = np.where(codes >= 0, codes, len(values))
        word_columns.append(words[per_person])
        consonant_columns.append(word_consonants[per_person])
        vowelless_columns.append(word_vowelless[per_person])
        if column == "full_name":
            first_of_full = np.array(
                [vocabulary.id(f.words[0].latin) if f.words else -1 for f in forms] + [-1], dtype=np.int32
            )[per_person]
            second_of_full = np.array(
                [vocabulary.id(consonants_of(f.words[1].latin)) if len(f.words) > 1 else -1 for f in forms] + [-1],
                dtype=np.int32,
            )[per_person]
            last_of_full = np.array(
                [vocabulary.id(consonants_of(f.words[-1].latin)) if f.words else -1 for f in forms] + [-1],
                dtype=np.int32,
            )[per_person]
            continue
        joined = np.array([vocabulary.id(f.joined) for f in forms] + [-1], dtype=np.int32)[per_person]
        spelling = np.array([vocabulary.id(f.spelling) for f in forms] + [-1], dtype=np.int32)[per_person]
        consonants = np.array([vocabulary.id(f.consonants) for f in forms] + [-1], dtype=np.int32)[per_person]
        vowelless = np.array([f.vowelless for f in forms] + [False], dtype=bool)[per_person]
        present = spelling >= 0
        counts = np.bincount(spelling[present], minlength=len(vocabulary.strings) + 1).astype(np.float64)
        frequency = np.where(present, counts[np.maximum(spelling, 0)] / max(int(present.sum()), 1), 0.0)
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
    year, month, day, date_issues = _dates(_text(frame, "date_of_birth"))
    phone, phone_sharing = _phones(_text(frame, "phone"))
    document_text = _text(frame, "document_number").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
    document_text = _blank_is_missing(document_text.str.replace(r"^.{1,3}$", ""))
    document, documents = _codes(document_text)
    admin1, _ = _codes(_text(frame, "admin1").str.to_uppercase())
    admin2, _ = _codes(_text(frame, "admin2").str.to_uppercase())
    sex_text = _text(frame, "sex").str.to_lowercase()
    sex = sex_text.replace_strict(_SEX, default=0, return_dtype=pl.Int8).fill_null(0).to_numpy()
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
        year=year,
        month=month,
        day=day,
        phone=phone,
        phone_sharing=phone_sharing,
        document=document,
        documents=documents,
        admin1=admin1,
        admin2=admin2,
        sex=sex.astype(np.int8),
        date_issues=date_issues,
    )


def _bags(spelling: np.ndarray, consonants: np.ndarray, vowelless: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each person's distinct name words (by spelling key), left-aligned, at most BAG_WIDTH."""
    order = np.argsort(np.where(spelling < 0, np.iinfo(np.int32).max, spelling), axis=1, kind="stable")
    spelling = np.take_along_axis(spelling, order, axis=1)
    consonants = np.take_along_axis(consonants, order, axis=1)
    vowelless = np.take_along_axis(vowelless, order, axis=1)
    repeated = np.zeros_like(spelling, dtype=bool)
    repeated[:, 1:] = spelling[:, 1:] == spelling[:, :-1]
    spelling = np.where(repeated, -1, spelling)
    order = np.argsort(spelling < 0, axis=1, kind="stable")
    spelling = np.take_along_axis(spelling, order, axis=1)[:, :BAG_WIDTH]
    consonants = np.take_along_axis(consonants, order, axis=1)[:, :BAG_WIDTH]
    vowelless = np.take_along_axis(vowelless, order, axis=1)[:, :BAG_WIDTH]
    consonants = np.where(spelling < 0, -1, consonants)
    return spelling, consonants, vowelless & (spelling >= 0)


def _dates(text: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[DateIssue]]:
    """YYYY-MM-DD, YYYY-MM or YYYY. 1 January is read as year only (the usual default for an unknown day);
    anything else is reported and read as unknown."""
    this_year = dt.date.today().year  # noqa: DTZ011 (a calendar year bound, no time of day)
    frame = pl.DataFrame({"text": text}).with_columns(
        full=pl.col("text").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        month_only=pl.col("text").str.extract(r"^(\d{4})-(\d{1,2})$", 2).cast(pl.Int32, strict=False),
        year_text=pl.col("text").str.extract(r"^(\d{4})(?:-\d{1,2}(?:-\d{1,2})?)?$", 1).cast(pl.Int32, strict=False),
    )
    frame = frame.with_columns(
        year=pl.when(pl.col("full").is_not_null())
        .then(pl.col("full").dt.year())
        .when(pl.col("month_only").is_between(1, 12))
        .then(pl.col("year_text"))
        .when(pl.col("text").str.contains(r"^\d{4}$"))
        .then(pl.col("year_text"))
        .otherwise(None),
        month=pl.when(pl.col("full").is_not_null())
        .then(pl.col("full").dt.month())
        .when(pl.col("month_only").is_between(1, 12))
        .then(pl.col("month_only"))
        .otherwise(0),
        day=pl.when(pl.col("full").is_not_null()).then(pl.col("full").dt.day()).otherwise(0),
    )
    bad_year = ~pl.col("year").is_between(1880, this_year + 1)
    frame = frame.with_columns(
        bad=pl.col("text").is_not_null() & (pl.col("year").is_null() | bad_year),
    ).with_columns(
        year=pl.when(pl.col("bad")).then(0).otherwise(pl.col("year").fill_null(0)),
        month=pl.when(pl.col("bad")).then(0).otherwise(pl.col("month")),
        day=pl.when(pl.col("bad")).then(0).otherwise(pl.col("day")),
    )
    default = (frame["month"] == 1) & (frame["day"] == 1)
    month = frame["month"].set(default, 0)
    day = frame["day"].set(default, 0)
    issues = frame.with_row_index("row").filter(pl.col("bad")).select("row", "text")
    return (
        frame["year"].to_numpy().astype(np.int16),
        month.to_numpy().astype(np.int8),
        day.to_numpy().astype(np.int8),
        [DateIssue(row, value) for row, value in issues.iter_rows()],
    )


def _phones(text: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The last nine digits (what +964 770 123 4567, 00964-770-1234567 and 0770 123 4567 share), and how many
    people give that phone."""
    digits = text.str.replace_all(r"\D", "").str.replace(r"^00", "")
    key = (
        pl.when(digits.str.len_chars() >= 7)
        .then(digits.str.slice(-9).cast(pl.Int64, strict=False))
        .otherwise(None)
        .alias("phone")
    )
    frame = pl.DataFrame({"digits": digits}).select(key.fill_null(-1))
    frame = frame.with_columns(sharing=pl.len().over("phone"))
    return frame["phone"].to_numpy(), frame["sharing"].to_numpy().astype(np.int32)
