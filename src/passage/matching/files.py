"""File mode: read a people CSV for `passage match`, write clusters and pairs.

The input is UTF-8 CSV with a header; record_id is required and unique, the other columns of
passage.matching.records.COLUMNS are read when present (absent or empty means unknown) and any other column is
ignored. Problems that stop the run raise MatchFileError with a message naming the line; problems a run can
live with (a date that is not a date) come back as warnings naming the line and field."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from passage.matching.records import COLUMNS, DateIssue


class MatchFileError(Exception):
    """The file cannot be matched; the message says where and why."""


@dataclass
class PeopleFile:
    frame: pl.DataFrame
    missing_columns: list[str]

    def line_of(self, row: int) -> int:
        """File line of a 0-based data row (line 1 is the header)."""
        return row + 2


def read_people_csv(path: Path) -> PeopleFile:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise MatchFileError(f"{path}: {error.strerror or error}") from error
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise MatchFileError(
            f"{path}: line {line} is not UTF-8 text (byte {content[error.start]:#04x}); save the file as UTF-8 CSV"
        ) from error
    if not content.strip():
        raise MatchFileError(f"{path}: the file is empty (a header line with record_id is needed)")
    try:
        frame = pl.read_csv(io.BytesIO(content), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise MatchFileError(f"{path}: {_where_csv_breaks(content.decode('utf-8'), str(error))}") from error
    frame = frame.rename({name: name.strip().lower() for name in frame.columns})
    if "record_id" not in frame.columns:
        raise MatchFileError(
            f"{path}: no record_id column (line 1 has: {', '.join(frame.columns[:12]) or 'nothing'}); "
            "every row needs a record_id"
        )
    ids = frame["record_id"].str.strip_chars()
    empty = (ids.is_null() | (ids == "")).arg_true()
    if len(empty):
        lines = ", ".join(str(int(row) + 2) for row in empty[:10])
        raise MatchFileError(f"{path}: record_id is empty on line {lines}{' and more' if len(empty) > 10 else ''}")
    repeated = frame.select(pl.col("record_id").str.strip_chars()).with_row_index("row")
    repeated = repeated.filter(pl.col("record_id").is_duplicated())
    if repeated.height:
        examples = (
            repeated.group_by("record_id", maintain_order=True)
            .agg((pl.col("row") + 2).alias("lines"))
            .head(10)
            .iter_rows()
        )
        listed = "; ".join(f"{rid!r} on lines {', '.join(map(str, lines))}" for rid, lines in examples)
        raise MatchFileError(f"{path}: record_id must be unique; repeated: {listed}")
    present = [c for c in COLUMNS if c in frame.columns]
    frame = frame.select(present).with_columns(pl.col("record_id").str.strip_chars())
    return PeopleFile(frame=frame, missing_columns=[c for c in COLUMNS if c not in present])


def _where_csv_breaks(text: str, problem: str) -> str:
    """The first line whose number of fields differs from the header's, or the reader's own words."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    for row in rows:
        if row and len(row) != len(header):
            return (
                f"line {rows.line_num} has {len(row)} fields where the header has {len(header)} "
                "(a comma or a quote out of place?)"
            )
    return f"not a CSV file Passage can read ({problem.splitlines()[0]})"


def date_warnings(people_file: PeopleFile, issues: list[DateIssue]) -> list[str]:
    ids = people_file.frame["record_id"]
    return [
        f"line {people_file.line_of(issue.row)} (record_id {ids[issue.row]}), date_of_birth: {issue.value!r} is not "
        "a date (YYYY-MM-DD, YYYY-MM or YYYY); read as unknown"
        for issue in issues
    ]


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    try:
        frame.write_csv(path)
    except OSError as error:
        raise MatchFileError(f"{path}: cannot write ({error.strerror or error})") from error
