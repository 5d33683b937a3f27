"""Small tables of people for the matching tests."""

from __future__ import annotations

import numpy as np
import polars as pl

from passage.matching.compare import FIELD_INDEX, FIELDS, compare
from passage.matching.records import COLUMNS, prepare


def people_frame(*rows: dict[str, str]) -> pl.DataFrame:
    """A table with every column; record_ids r0, r1, ... unless given."""
    filled = [
        {c: row.get(c, "") for c in COLUMNS} | {"record_id": row.get("record_id", f"r{n}")}
        for n, row in enumerate(rows)
    ]
    return pl.DataFrame(filled, schema=dict.fromkeys(COLUMNS, pl.String))


def level(field: str, a: dict[str, str], b: dict[str, str]) -> str:
    """The level label at which `field` of two people agrees ('' when a side has no value)."""
    people = prepare(people_frame(a, b))
    value = int(compare(people, np.array([0]), np.array([1]))[0, FIELD_INDEX[field]])
    return "" if value < 0 else FIELDS[FIELD_INDEX[field]].levels[value]
