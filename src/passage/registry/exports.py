"""Exports of the registry: lists people may see as CSV or XLSX, and HXL-tagged aggregates.

Spreadsheet safety: a cell that begins with = + - @ (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice; such values are written with a leading apostrophe. Aggregates suppress
small cells (counts under the threshold are shown as "<5") so that nobody can be singled out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from passage.registry.models import Person

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PEOPLE_COLUMNS = (
    ("reference", "Registration number", "#beneficiary+id"),
    ("given_name", "Given name", "#beneficiary+name+given"),
    ("family_name", "Family name", "#beneficiary+name+family"),
    ("given_name_latin", "Given name (Latin)", "#beneficiary+name+given+latin"),
    ("family_name_latin", "Family name (Latin)", "#beneficiary+name+family+latin"),
    ("sex", "Sex", "#beneficiary+sex"),
    ("birth_date", "Date of birth", "#beneficiary+date+birth"),
    ("birth_date_precision", "Precision", "#beneficiary+date+birth+precision"),
    ("admin_area__pcode", "P-code", "#adm2+code"),
)
AGE_GROUPS = ((0, 4, "0-4"), (5, 11, "5-11"), (12, 17, "12-17"), (18, 59, "18-59"), (60, 200, "60+"))


def neutralise(value: Any) -> str:
    """Text safe to open in a spreadsheet: formulas become plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def people_rows(people: Iterable[Person]) -> Iterator[list[str]]:
    for person in people:
        row = []
        for field, _label, _tag in PEOPLE_COLUMNS:
            value: Any = person
            for part in field.split("__"):
                value = getattr(value, part, None) if value is not None else None
            row.append(neutralise(value.isoformat() if isinstance(value, dt.date) else value))
        yield row


def people_csv(people: Iterable[Person]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _field, label, _tag in PEOPLE_COLUMNS])
    writer.writerows(people_rows(people))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 (Arabic) correctly


def people_xlsx(people: Iterable[Person]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    sheet.append([label for _field, label, _tag in PEOPLE_COLUMNS])
    for row in people_rows(people):
        sheet.append(row)  # strings only: openpyxl writes them as text, never as formulas
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def age_group(birth_date: dt.date | None, today: dt.date) -> str:
    if birth_date is None:
        return "unknown"
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    for low, high, label in AGE_GROUPS:
        if low <= age <= high:
            return label
    return "unknown"


def aggregate_hxl(
    people: Iterable[tuple[str | None, str, dt.date | None]], *, today: dt.date, threshold: int = 5
) -> bytes:
    """Counts by admin area, sex and age group as HXL-tagged CSV; counts under `threshold` shown as "<N"."""
    counts = Counter((pcode or "", sex, age_group(birth, today)) for pcode, sex, birth in people)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["P-code", "Sex", "Age group", "People"])
    writer.writerow(["#adm2+code", "#beneficiary+sex", "#beneficiary+age+group", "#affected+num"])
    for (pcode, sex, group), count in sorted(counts.items()):
        writer.writerow([pcode, sex, group, count if count >= threshold else f"<{threshold}"])
    return out.getvalue().encode("utf-8")
