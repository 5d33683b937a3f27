"""The duplicate hold of a registration import, before and after approval.

Before: once an import is staged, its sound new people are scored against each other and the registry
(find_import_duplicates, installed into passage.registry.import_checks by this app's ready()). The registry
stores the answer on the import and holds it when the share of new people in probable pairs passes the
operation's ceiling (MatchSettings.import_ceiling_share).

After: once its rows are in the registry, the import's own run (scope "import") is queued, so its pairs reach the
review queue like any others (queue_import_run, listening to import_checks.import_committed).

The staged records are read as registry_records reads people: names as written (or in Latin letters), dates
by precision, phones and documents by the blind indexes they will be stored under, admin1/admin2 P-codes of
the row's area (or its household's in the file). See docs/decisions/0018-import-duplicate-hold.md.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import numpy as np
import polars as pl

from passage.core.models import User
from passage.matching.engine import DEFAULT_FLOOR, match_people
from passage.matching.models import MatchSettings
from passage.matching.records import COLUMNS
from passage.matching.registry_records import (
    _PRECISION_FORMAT,
    NAME_COLUMNS,
    _area_codes,
    document_key,
    people_count,
    phone_key,
    registry_frame,
)
from passage.registry.import_checks import DuplicateCheck, Progress, RowResemblance
from passage.registry.models import AdminArea, RegistrationImport, RowOutcome, StagedRow
from passage.registry.normalise import document_index, phone_index

CHUNK = 5000
ROW_PREFIX = "row:"
_DATE_LENGTH = {"%Y-%m-%d": 10, "%Y-%m": 7, "%Y": 4}


def _staged_records(registration_import: RegistrationImport) -> tuple[list[list[str]], dict[int, int]]:
    """The import's new people as engine rows (record_id "row:<staged row id>"), and staged row id -> row number.
    Read in keyset pages; each sealed record is opened once, in this job's memory only."""
    rows: list[tuple[int, int, str, dict[str, Any]]] = []
    staged = StagedRow.objects.filter(registration_import=registration_import, outcome=RowOutcome.NEW).order_by("pk")
    last = 0
    while page := list(
        staged.filter(pk__gt=last).values_list("pk", "row_number", "household_key", "sealed_record")[:CHUNK]
    ):
        rows.extend((pk, number, key, _opened(sealed)) for pk, number, key, sealed in page if sealed)
        last = page[-1][0]
    # A member without an area of their own lives where the first row of their household in the file does.
    household_area: dict[str, tuple[int, str]] = {}
    for _pk, number, key, record in rows:
        code = record.get("admin_area") or ""
        if code and (key not in household_area or number < household_area[key][0]):
            household_area[key] = (number, code)
    codes = {record.get("admin_area") or household_area.get(key, (0, ""))[1] for _pk, _n, key, record in rows}
    area_ids = dict(
        AdminArea.objects.filter(pcode__in=codes - {""}, country=registration_import.operation.country)
        .order_by()
        .values_list("pcode", "id")
    )
    areas: dict[Any, tuple[str, str]] = {}
    _area_codes(set(area_ids.values()), areas)
    table = []
    for pk, _number, key, record in rows:
        code = record.get("admin_area") or household_area.get(key, (0, ""))[1]
        table.append(_engine_row(pk, record, areas.get(area_ids.get(code), ("", ""))))
    return table, {pk: number for pk, number, _key, _record in rows}


def _opened(sealed: str) -> dict[str, Any]:
    return dict(json.loads(sealed))  # EncryptedTextField has already decrypted it


def _engine_row(pk: int, record: dict[str, Any], area: tuple[str, str]) -> list[str]:
    names = [record.get(name) or record.get(f"{name}_latin") or "" for name in NAME_COLUMNS]
    sex = record.get("sex") or ""
    born = record.get("birth_date") or ""
    if born:
        born = born[: _DATE_LENGTH[_PRECISION_FORMAT.get(record.get("birth_date_precision") or "day", "%Y-%m-%d")]]
    phones = record.get("phones") or []
    documents = sorted(record.get("documents") or [], key=lambda document: document[0])  # by type, as the registry
    return [
        f"{ROW_PREFIX}{pk}",
        *names,
        sex if sex in ("male", "female") else "",
        born,
        phone_key(phone_index(phones[0][0])) if phones else "",
        document_key(document_index(documents[0][1])) if documents else "",
        *area,
    ]


def find_import_duplicates(registration_import: RegistrationImport, progress: Progress | None) -> DuplicateCheck:
    """Score the import's new people against each other and the registry; the share of them in probable pairs,
    and each such row's likeliest counterpart (a registered person, or another row)."""
    config = MatchSettings.of(registration_import.operation)
    staged, numbers = _staged_records(registration_import)
    checked = len(staged)
    if not staged:
        return DuplicateCheck(rows_checked=0, share=0.0, ceiling=config.import_ceiling_share)
    operation = registration_import.operation
    total = people_count(operation) + checked
    stage = "looking for people already registered"

    def read(done: int) -> None:
        if progress:
            progress(done, total, stage)

    read(0)
    registry = registry_frame(operation, progress=read).drop("source_import")
    frame = pl.concat([registry, pl.DataFrame(staged, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")])
    if frame.height < 2:
        return DuplicateCheck(rows_checked=checked, share=0.0, ceiling=config.import_ceiling_share)
    read(frame.height)
    result = match_people(frame, threshold=config.probable_threshold, floor=DEFAULT_FLOOR)
    ids = frame["record_id"].to_numpy()
    is_row = frame["record_id"].str.starts_with(ROW_PREFIX).to_numpy()
    probable = np.flatnonzero(result.probability >= config.probable_threshold)
    left, right, chance = result.left[probable], result.right[probable], result.probability[probable]
    # Each pair seen from its staged side (a pair of two rows, from both), then the likeliest per row.
    mine = np.concatenate([left[is_row[left]], right[is_row[right]]])
    other = np.concatenate([right[is_row[left]], left[is_row[right]]])
    odds = np.concatenate([chance[is_row[left]], chance[is_row[right]]])
    order = np.lexsort((-odds, mine))
    mine, other, odds = mine[order], other[order], odds[order]
    _unique, first = np.unique(mine, return_index=True)
    found = []
    for index in first.tolist():
        counterpart = str(ids[other[index]])
        counterpart_is_row = counterpart.startswith(ROW_PREFIX)
        found.append(
            RowResemblance(
                row_id=int(str(ids[mine[index]])[len(ROW_PREFIX) :]),
                probability=round(float(odds[index]), 4),
                person_id=None if counterpart_is_row else uuid.UUID(counterpart),
                row_number=numbers.get(int(counterpart[len(ROW_PREFIX) :])) if counterpart_is_row else None,
            )
        )
    read(frame.height)
    return DuplicateCheck(
        rows_checked=checked,
        share=round(len(found) / checked, 4),
        ceiling=config.import_ceiling_share,
        rows=found,
    )


def queue_import_run(sender: Any, registration_import: RegistrationImport, acting_user: User | None, **_: Any) -> None:
    """After an import's rows entered the registry: queue its run, so its pairs reach the review queue."""
    from passage.matching.actions import start_match_run

    if not registration_import.people_created:
        return
    start_match_run(None, registration_import.operation, registration_import)
