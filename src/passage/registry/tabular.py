"""Read the tables people send — CSV in whatever encoding, or XLSX — as rows of text, with row numbers.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1, the first data row is 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

LIKELY_ENCODINGS = ["utf_16", "cp1256", "iso8859_6", "cp1251", "koi8_r", "cp1252", "iso8859_1", "cp1250"]


class TableError(Exception):
    """The file cannot be read as a table at all (empty, wrong format, undecodable)."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, column -> text)
    encoding: str = ""


def read_table(path: Path, *, max_bytes: int = 200 * 1024 * 1024) -> Table:
    size = path.stat().st_size
    if size == 0:
        raise TableError("The file is empty.")
    if size > max_bytes:
        raise TableError(f"The file is {size // (1024 * 1024)} MB; the limit is {max_bytes // (1024 * 1024)} MB.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _read_csv(path.read_bytes())
    raise TableError(f"{path.suffix or 'This file'} is not a format Passage reads: send CSV or XLSX.")


def _read_csv(raw: bytes) -> Table:
    if raw.startswith(b"\xef\xbb\xbf"):
        text, encoding = raw[3:].decode("utf-8"), "utf-8-sig"
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # Narrowed to the encodings our users' spreadsheets come in (Arabic, Cyrillic and Western
            # Windows code pages, their ISO twins, UTF-16 from Excel's "Unicode text"): on short files an
            # open guess often lands on an East Asian code page instead.
            best = from_bytes(raw, cp_isolation=LIKELY_ENCODINGS).best()
            if best is None:
                raise TableError("The file's text encoding could not be recognised; save it as UTF-8 CSV.") from None
            text, encoding = str(best), best.encoding
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise TableError("The file has no header row.") from None
    return Table(header, list(_rows(header, reader, start=2)), encoding)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not really XLSX
        raise TableError(f"This is not a readable XLSX workbook ({type(exc).__name__}).") from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [str(cell).strip() if cell is not None else "" for cell in next(values)]
    except StopIteration:
        raise TableError("The first sheet is empty.") from None
    text_rows = ([_cell_text(cell) for cell in row] for row in values)
    table = Table(header, list(_rows(header, text_rows, start=2)), "xlsx")
    workbook.close()
    return table


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _rows(header: list[str], rows: Iterable[list[str]], start: int) -> Iterator[tuple[int, dict[str, str]]]:
    for number, row in enumerate(rows, start=start):
        if not any((cell or "").strip() for cell in row):
            continue  # blank lines are not rows
        yield number, {name: (row[i] if i < len(row) else "").strip() for i, name in enumerate(header) if name}
