"""Write the sample forms as XLSForm workbooks: `python -m passage.cases.xlsform.library.build`.

The forms' content lives in readable Python (domv.py, rss.py, htcds.py, protection.py, and the modules of
FORM_MODULES, which give several forms each) so that a change shows in git as text; the .xlsx files beside them
are generated from it, one per form, named by the code the workflows require."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from passage.cases.xlsform.library import (
    avrr,
    ddr,
    domv,
    health,
    household,
    htcds,
    plans,
    protection,
    reparations,
    resettlement,
    rss,
    trafficking,
)

LIBRARY = Path(__file__).resolve().parent
Rows = Sequence[Mapping[str, str]]
FORM_MODULES = (plans, household, trafficking, avrr, reparations, resettlement, health, ddr)
_FIXED_TIME = dt.datetime(2025, 1, 1)  # noqa: DTZ001 - workbook properties have no time zone  # so that regenerating a form does not change its properties


def _columns(rows: Rows) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return columns


def xlsform_bytes(survey: Rows, choices: Rows = (), settings: Mapping[str, str] | None = None) -> bytes:
    """An XLSForm workbook (survey, choices, settings sheets) from rows written as dicts."""
    book = Workbook()
    sheets: list[tuple[str, Rows]] = [("survey", survey)]
    if choices:
        sheets.append(("choices", choices))
    if settings:
        sheets.append(("settings", [settings]))
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None  # noqa: S101 - a new workbook has an active sheet
        sheet.title = title
        first = False
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") or None for column in columns])
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def library_forms() -> dict[str, tuple[Rows, Rows, Mapping[str, str]]]:
    return {
        "vulnerability_domv": (domv.SURVEY, domv.CHOICES, domv.SETTINGS),
        "rss": (rss.SURVEY, rss.CHOICES, rss.SETTINGS),
        "htcds_screening": (htcds.SURVEY, htcds.CHOICES, htcds.SETTINGS),
        "protection_intake": (protection.SURVEY, protection.CHOICES, protection.SETTINGS),
        **{code: form for module in FORM_MODULES for code, form in module.FORMS.items()},
    }


def form_bytes(name: str) -> bytes:
    survey, choices, settings = library_forms()[name]
    return xlsform_bytes(survey, choices, settings)


def main() -> None:
    for name in library_forms():
        path = LIBRARY / f"{name}.xlsx"
        path.write_bytes(form_bytes(name))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
