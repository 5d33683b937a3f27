"""Load a country's administrative boundaries list (COD-AB style) into AdminArea rows.

Accepted headers, per level N from 0 to 4: a P-code column (`ADMN_PCODE` or `adminNPcode`) and name
columns per language (`ADMN_EN`, `ADMN_AR`, ... or `adminNName_en`, ...). One row per lowest-level unit;
the parent of each unit is the unit of the level above on the same row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from passage.registry.tabular import Table

_PCODE = re.compile(r"^adm(?:in)?([0-4])_?pcode$", re.IGNORECASE)
_NAME = re.compile(r"^adm(?:in)?([0-4])(?:_?name)?_([a-z]{2})$", re.IGNORECASE)


@dataclass
class AreaRow:
    level: int
    pcode: str
    names: dict[str, str]
    parent_pcode: str | None
    row: int


@dataclass
class ParsedAreas:
    areas: dict[str, AreaRow] = field(default_factory=dict)
    errors: list[dict[str, object]] = field(default_factory=list)


def parse_admin_areas(table: Table) -> ParsedAreas:
    """Every distinct unit in the file, or errors naming the row and column that are wrong."""
    pcode_columns: dict[int, str] = {}
    name_columns: dict[int, dict[str, str]] = {}
    for column in table.header:
        if match := _PCODE.match(column):
            pcode_columns[int(match.group(1))] = column
        elif match := _NAME.match(column):
            name_columns.setdefault(int(match.group(1)), {})[match.group(2).lower()] = column
    parsed = ParsedAreas()
    if not pcode_columns:
        parsed.errors.append(
            {
                "row": 1,
                "field": "header",
                "message": "No P-code column found (expected e.g. ADM1_PCODE or admin1Pcode).",
            }
        )
        return parsed
    levels = sorted(pcode_columns)
    for number, values in table.rows:
        parent: str | None = None
        for level in levels:
            pcode = values.get(pcode_columns[level], "").strip().upper()
            column = pcode_columns[level]
            if not pcode:
                if any(values.get(pcode_columns[lower], "").strip() for lower in levels if lower > level):
                    parsed.errors.append(
                        {
                            "row": number,
                            "field": column,
                            "message": f"Level {level} P-code is empty but a lower level is given.",
                        }
                    )
                break
            if not re.fullmatch(r"[A-Z0-9_-]{2,32}", pcode):
                parsed.errors.append(
                    {"row": number, "field": column, "message": f"{pcode!r} is not a P-code (letters, digits, - or _)."}
                )
                break
            names = {lang: values.get(col, "").strip() for lang, col in name_columns.get(level, {}).items()}
            names = {lang: name for lang, name in names.items() if name}
            seen = parsed.areas.get(pcode)
            if seen is None:
                if not names and level > 0:
                    parsed.errors.append({"row": number, "field": column, "message": f"{pcode} has no name."})
                parsed.areas[pcode] = AreaRow(level, pcode, names, parent, number)
            elif seen.parent_pcode != parent or seen.level != level:
                parsed.errors.append(
                    {
                        "row": number,
                        "field": column,
                        "message": (
                            f"{pcode} appears under {parent or 'no parent'} here but under "
                            f"{seen.parent_pcode or 'no parent'} on row {seen.row}."
                        ),
                    }
                )
            parent = pcode
    return parsed
