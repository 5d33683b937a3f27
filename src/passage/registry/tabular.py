"""Read the tables people send — CSV in whatever encoding, XLSX, KoboToolbox XLSX exports with repeat
groups — as rows of text, with row numbers, streaming: a million-row file is never held in memory whole.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1, the first data row is 2. For a
Kobo export with a repeat group (household members), each member is a row, numbered as on the repeat sheet.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from passage.core import file_crypto

LIKELY_ENCODINGS = ["utf_16", "cp1256", "iso8859_6", "cp1251", "koi8_r", "cp1252", "iso8859_1", "cp1250"]
SAMPLE_BYTES = 1024 * 1024
MAX_BYTES = 1024 * 1024 * 1024
# Columns Passage adds when it joins a Kobo repeat group to its submission; importing.FIELD_ALIASES maps them.
MEMBER_UID = "_member_uid"
SUBMISSION_UID = "_submission_uid"

Row = tuple[int, dict[str, str]]


class TableError(Exception):
    """The file cannot be read as a table at all (empty, wrong format, undecodable)."""


class _Rows:
    """Re-iterable rows that are read from the file again on every pass."""

    def __init__(self, produce: Callable[[], Iterator[Row]]) -> None:
        self._produce = produce

    def __iter__(self) -> Iterator[Row]:
        return self._produce()


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterable[Row]  # (spreadsheet row number, column -> text)
    encoding: str = ""
    size_hint: int = 0  # about how many rows, for progress bars (0: unknown)
    notes: list[str] = field(default_factory=list)  # what Passage did to read it (a joined repeat group…)


def read_table(path: Path, *, max_bytes: int = MAX_BYTES, context: str = "") -> Table:
    """`context` opens a file stored sealed (passage.core.file_crypto); a file in clear is read as it is."""
    try:
        with file_crypto.open_path(path, context=context) as handle:
            size = handle.seek(0, io.SEEK_END)
    except file_crypto.SealedFileError as exc:
        raise TableError(f"The stored file could not be decrypted: {exc}.") from exc
    if size == 0:
        raise TableError("The file is empty.")
    if size > max_bytes:
        raise TableError(f"The file is {size // (1024 * 1024)} MB; the limit is {max_bytes // (1024 * 1024)} MB.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, context)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, size, context)
    raise TableError(f"{path.suffix or 'This file'} is not a format Passage reads: send CSV or XLSX.")


# CSV -------------------------------------------------------------------------------------------------------


def _detect_encoding(sample: bytes, complete: bool) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Narrowed to the encodings our users' spreadsheets come in (Arabic, Cyrillic and Western Windows code
    # pages, their ISO twins, UTF-16 from Excel's "Unicode text"): on short files an open guess often lands
    # on an East Asian code page instead.
    best = from_bytes(sample, cp_isolation=LIKELY_ENCODINGS).best()
    if best is None:
        raise TableError("The file's text encoding could not be recognised; save it as UTF-8 CSV.")
    return str(best.encoding)


def _read_csv(path: Path, size: int, context: str) -> Table:
    with file_crypto.open_path(path, context=context) as handle:
        sample = handle.read(SAMPLE_BYTES)
    encoding = _detect_encoding(sample, complete=size <= SAMPLE_BYTES)
    text_sample = sample.decode(encoding, errors="ignore")
    try:
        dialect: Any = csv.Sniffer().sniff(text_sample[:20000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    header_reader = csv.reader(io.StringIO(text_sample), dialect)
    try:
        header = [cell.strip() for cell in next(header_reader)]
    except StopIteration:
        raise TableError("The file has no header row.") from None
    lines = text_sample.count("\n")
    size_hint = int(size / max(len(sample), 1) * max(lines - 1, 0)) if lines > 1 else 0

    def produce() -> Iterator[Row]:
        with io.TextIOWrapper(file_crypto.open_path(path, context=context), encoding=encoding, newline="") as text:
            reader = csv.reader(text, dialect)
            try:
                next(reader)
                yield from _rows(header, reader, start=2)
            except UnicodeDecodeError as exc:
                raise TableError(
                    f"Near row {reader.line_num + 1} the file is not valid {encoding}: save it again as UTF-8 CSV."
                ) from exc
            except csv.Error as exc:
                raise TableError(f"Row {reader.line_num}: {exc}.") from exc
            except file_crypto.SealedFileError as exc:
                raise TableError(
                    f"Near row {reader.line_num + 1} the stored file could not be decrypted: {exc}."
                ) from exc

    return Table(header, _Rows(produce), encoding, size_hint)


# XLSX ------------------------------------------------------------------------------------------------------


def _read_xlsx(path: Path, context: str) -> Table:
    from openpyxl import load_workbook

    with file_crypto.open_path(path, context=context) as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not really XLSX
            raise TableError(f"This is not a readable XLSX workbook ({type(exc).__name__}).") from exc
        try:
            sheets = {sheet.title: _sheet_header(sheet) for sheet in workbook.worksheets}
            main_title = workbook.worksheets[0].title
            size_hint = workbook.worksheets[0].max_row or 0
        finally:
            workbook.close()
    if not sheets[main_title]:
        raise TableError("The first sheet is empty.")
    repeat = _member_repeat(sheets, main_title)
    if repeat is None:
        header = sheets[main_title]
        rows = _Rows(lambda: _sheet_rows(path, main_title, header, context))
        return Table(header, rows, "xlsx", max(size_hint - 1, 0))
    return _joined_repeat(path, main_title, sheets[main_title], repeat, sheets[repeat], context)


def _sheet_header(sheet: Any) -> list[str]:
    for row in sheet.iter_rows(values_only=True, max_row=1):
        return [str(cell).strip() if cell is not None else "" for cell in row]
    return []


def _sheet_rows(path: Path, title: str, header: list[str], context: str) -> Iterator[Row]:
    from openpyxl import load_workbook

    with file_crypto.open_path(path, context=context) as handle:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            values = workbook[title].iter_rows(values_only=True, min_row=2)
            yield from _rows(header, ([_cell_text(cell) for cell in row] for row in values), start=2)
        finally:
            workbook.close()


def _member_repeat(sheets: dict[str, list[str]], main_title: str) -> str | None:
    """The sheet of a Kobo repeat group (household members): it links to the main sheet by _parent_index."""
    if "_index" not in sheets[main_title]:
        return None
    repeats = [title for title, header in sheets.items() if title != main_title and "_parent_index" in header]
    return repeats[0] if repeats else None


def _joined_repeat(
    path: Path, main_title: str, main_header: list[str], title: str, header: list[str], context: str
) -> Table:
    """One row per member: the member's columns, with their submission's columns (household id, place,
    consent…) where the member's sheet has no column of the same name. A submission with no member rows
    stays one row. Each member gets a stable id (submission uuid, sheet and index) so a re-import adds nobody."""
    member_keys = {column.split("/")[-1] for column in header}
    carried = [c for c in main_header if c and c.split("/")[-1] not in member_keys and not c.startswith("_")]
    joined_header = [c for c in header if c and not c.startswith("_")] + carried + [MEMBER_UID, SUBMISSION_UID]

    def produce() -> Iterator[Row]:
        submissions = {
            values.get("_index", ""): (number, values)
            for number, values in _sheet_rows(path, main_title, main_header, context)
        }
        seen: set[str] = set()
        for number, member in _sheet_rows(path, title, header, context):
            parent = member.get("_parent_index", "")
            if parent not in submissions:
                raise TableError(f"Sheet {title}, row {number}: _parent_index {parent!r} is not on the first sheet.")
            seen.add(parent)
            _main_number, submission = submissions[parent]
            uid = submission.get("_uuid") or submission.get("meta/instanceID") or parent
            values = {c: member.get(c, "") for c in header if c and not c.startswith("_")}
            values.update({c: submission.get(c, "") for c in carried})
            values[MEMBER_UID] = f"{uid}/{title}/{member.get('_index', number)}"
            values[SUBMISSION_UID] = uid
            yield number, values
        for index, (number, submission) in submissions.items():
            if index not in seen:
                uid = submission.get("_uuid") or index
                values = {c: submission.get(c, "") for c in carried}
                values.update({MEMBER_UID: f"{uid}/{main_title}", SUBMISSION_UID: uid})
                yield number, values

    note = f"Members read from sheet {title!r}, joined to their submission on sheet {main_title!r}."
    return Table(joined_header, _Rows(produce), "xlsx", 0, [note])


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        text = cell.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(cell)


def _rows(header: list[str], rows: Iterable[list[str]], start: int) -> Iterator[Row]:
    named = [(i, name) for i, name in enumerate(header) if name]
    for number, row in enumerate(rows, start=start):
        if not any(cell and cell.strip() for cell in row):
            continue  # blank lines are not rows
        width = len(row)
        yield number, {name: (row[i].strip() if i < width and row[i] else "") for i, name in named}
