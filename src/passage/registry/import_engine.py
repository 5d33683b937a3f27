"""The heavy lifting of a registration import, at registry scale (a million rows): streaming, chunked, checked in
parallel, written with COPY / executemany. import_actions holds the actions that call it.

Staging reads the file once. Rows of a household usually sit together; they are grouped as they stream by and
each chunk of households is checked (in worker processes for big files), looked up against the registry
(fingerprint or registration number) and written to the staging table, sealed. A household whose rows are
scattered through the file is checked again as a whole at the end. Each chunk is its own transaction, so the
progress bar moves; staging can be re-run from the start at any time, since staged rows touch nobody.

Committing writes households chunk by chunk, each in one transaction, skipping any row whose fingerprint is
already in the registry: a committing job that stops half-way is retried and resumes without duplicates.
See docs/decisions/0014-import-engine-and-search.md.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit, crypto
from passage.core.bulk import insert_rows
from passage.core.models import User
from passage.registry import import_worker
from passage.registry.importing import RowCheck, map_row, person_input
from passage.registry.models import (
    AdminArea,
    Consent,
    ConsentPurpose,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    Phone,
    RegistrationImport,
    RowOutcome,
    StagedRow,
)
from passage.registry.names import NAME_FIELDS, search_names_of
from passage.registry.normalise import document_index, phone_index
from passage.registry.registration import check_members
from passage.registry.tabular import Table

Progress = Callable[[int, int, str], None]
CHUNK_ROWS = 5000
PARALLEL_FROM_ROWS = 20000
SEALED = {name: f"registry.stagedrow.{name}" for name in ("sealed_values", "sealed_changes", "sealed_record")}
# Fields an import may change on a registered person (phones and documents are added, never removed).
UPDATABLE = (*NAME_FIELDS, "sex", "birth_date", "birth_date_precision", "marital_status", "nationalities", "languages")


# Checking (pure: runs in worker processes) -------------------------------------------------------------------


@dataclass
class Checked:
    """One row after checking: its problems, or the record that will be written."""

    errors: list[dict[str, str]]
    record: dict[str, Any] | None
    sealed_values: str = ""
    sealed_record: str = ""


def _seal(name: str, value: Any) -> str:
    return crypto.encrypt(json.dumps(value, ensure_ascii=False), context=SEALED[name]) if value else ""


_INPUT_TO_FIELD = {
    "phones": "phone",
    "documents": "document_number",
    "age_years": "age",
    "nationalities": "nationality",
}


def check_household(rows: list[RowCheck], region: str) -> list[Checked]:
    """Check a household's rows together (one head, every member's values); a household is registered whole
    or not at all, so a sound row of a household with a bad row is held back with a note saying why."""
    inputs = []
    for index, row in enumerate(rows):
        person, problems = person_input(row.values, is_first=index == 0)
        row.errors.extend(problems)
        inputs.append(person)
    checked, errors = check_members(inputs, region=region)
    for name, messages in errors.items():
        target, field_name = rows[0], "household_id"
        if name.startswith("members["):
            position, _sep, attribute = name[len("members[") :].partition("].")
            target = rows[int(position)]
            attribute = attribute.split("[")[0].split(".")[0]
            field_name = _INPUT_TO_FIELD.get(attribute, attribute)
        if not any(error["field"] == field_name for error in target.errors):
            target.errors.extend({"field": field_name, "message": str(message)} for message in messages)
    bad = [row.row_number for row in rows if row.errors]
    if bad:
        held = _("Held back with its household: row %(rows)s has errors.") % {"rows": ", ".join(map(str, bad[:5]))}
        return [Checked(row.errors or [{"field": "household_id", "message": held}], None) for row in rows]
    return [Checked([], _record(item, row)) for item, row in zip(checked, rows, strict=True)]


def _record(item: Any, row: RowCheck) -> dict[str, Any]:
    data = item.data
    consent = data.consent
    return {
        **{name: getattr(data, name) for name in NAME_FIELDS},
        "other_names": data.other_names,
        "sex": data.sex,
        "birth_date": item.birth_date.isoformat() if item.birth_date else None,
        "birth_date_precision": item.precision,
        "age_estimated_on": item.age_estimated_on.isoformat() if item.age_estimated_on else None,
        "nationalities": [c.upper() for c in data.nationalities],
        "languages": [c.lower() for c in data.languages],
        "marital_status": data.marital_status,
        "disability": data.disability,
        "relationship": data.relationship,
        "phones": [[phone.e164, phone.as_given] for phone in item.phones],
        "documents": [
            [document.type, number, document.issuing_country.upper(), None] for document, number in item.documents
        ],
        "consent": {
            "granted": consent.granted,
            "method": consent.method,
            "proxy_name": consent.proxy_name.strip(),
            "other_purposes": consent.other_purposes,
        },
        "admin_area": row.values.get("admin_area", "").strip().upper(),
        "reference": row.values.get("reference", "").strip().upper(),
    }


def check_chunk(households: list[list[RowCheck]], region: str) -> list[list[Checked]]:
    """Check households and seal what will be staged (the costly part of staging, so it runs in workers)."""
    results = [check_household(rows, region) for rows in households]
    for rows, checked in zip(households, results, strict=True):
        for row, item in zip(rows, checked, strict=True):
            item.sealed_values = _seal("sealed_values", row.values)
            item.sealed_record = _seal("sealed_record", item.record)
    return results


# Staging ---------------------------------------------------------------------------------------------------


@dataclass
class StageCounts:
    total: int = 0
    invalid: int = 0
    new: int = 0
    update: int = 0
    unchanged: int = 0
    late_households: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.total += 1
        if outcome == RowOutcome.INVALID:
            self.invalid += 1
        elif outcome == RowOutcome.NEW:
            self.new += 1
        elif outcome == RowOutcome.UPDATE:
            self.update += 1
        else:
            self.unchanged += 1


class _Households:
    """Groups streaming rows into households: consecutive rows with the same key. A key seen again after its
    household was closed is 'late': its rows are staged as they come and the household is checked whole later."""

    def __init__(self) -> None:
        self.closed: set[str] = set()
        self.late: set[str] = set()

    def group(self, rows: Iterable[RowCheck]) -> Iterator[tuple[str, list[RowCheck]]]:
        current: list[RowCheck] = []
        for row in rows:
            if current and row.household_key != current[0].household_key:
                self.closed.add(current[0].household_key)
                yield "household", current
                current = []
            if row.household_key in self.closed:
                self.late.add(row.household_key)
                yield "late", [row]
                continue
            current.append(row)
        if current:
            self.closed.add(current[0].household_key)
            yield "household", current


def stage_rows(
    registration_import: RegistrationImport, table: Table, mapping: dict[str, str], progress: Progress | None
) -> StageCounts:
    """Read, map, check and stage every row of `table`; returns the counts by outcome."""
    operation = registration_import.operation
    region = operation.country
    with transaction.atomic():
        StagedRow.objects.filter(registration_import=registration_import).delete()
    counts = StageCounts()
    grouper = _Households()
    rows = (map_row(number, raw, mapping) for number, raw in table.rows)
    executor = _executor(table.size_hint)
    total_hint = table.size_hint
    try:
        pending: list[Any] = []  # futures or finished results, in order
        for chunk in _chunks(grouper.group(rows)):
            households = [rows for kind, rows in chunk if kind == "household"]
            late = [rows[0] for kind, rows in chunk if kind == "late"]
            pending.append(
                (executor.submit(import_worker.check_chunk, households, region) if executor else None, households, late)
            )
            # Keep one chunk in flight per worker while this process writes the previous one.
            while pending and (len(pending) > 2 or pending[0][0] is None):
                _write_staged(registration_import, pending.pop(0), counts, region)
                if progress:
                    progress(counts.total, max(total_hint, counts.total), _("checking rows"))
        while pending:
            _write_staged(registration_import, pending.pop(0), counts, region)
        counts.late_households = len(grouper.late)
        if grouper.late:
            _restage_late(registration_import, sorted(grouper.late), counts, region, executor)
    finally:
        if executor:
            executor.shutdown(cancel_futures=True)
    _refresh_statistics(StagedRow)
    return counts


def _refresh_statistics(model: Any) -> None:
    """After a million rows arrive at once, PostgreSQL's planner still believes the table holds the few it held
    before autovacuum comes round, and pages through it by the wrong index, reading every row for each page of
    the commit. ANALYZE samples the table (seconds, not a scan of every row). SQLite plans fine without."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _executor(size_hint: int) -> Executor | None:
    if size_hint < PARALLEL_FROM_ROWS or (os.cpu_count() or 1) < 2:
        return None
    return ProcessPoolExecutor(
        max_workers=min(4, os.cpu_count() or 1),
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=import_worker.start,
    )


def _chunks(items: Iterator[tuple[str, list[RowCheck]]]) -> Iterator[list[tuple[str, list[RowCheck]]]]:
    chunk: list[tuple[str, list[RowCheck]]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item[1])
        if size >= CHUNK_ROWS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _write_staged(
    registration_import: RegistrationImport,
    pending: tuple[Any, list[list[RowCheck]], list[RowCheck]],
    counts: StageCounts,
    region: str,
) -> None:
    future, households, late = pending
    results = future.result() if future is not None else check_chunk(households, region)
    pairs = [
        (row, result)
        for rows, checked in zip(households, results, strict=True)
        for row, result in zip(rows, checked, strict=True)
    ]
    with transaction.atomic():
        _resolve_areas(registration_import, pairs)
        staged = _against_registry(registration_import, pairs)
        staged.extend(_late_row(row) for row in late)
        insert_rows(StagedRow, STAGED_FIELDS, (_staged_tuple(registration_import, item) for item in staged))
    for item in staged:
        counts.add(item.outcome or RowOutcome.INVALID)


@dataclass
class _Staged:
    row: RowCheck
    errors: list[dict[str, str]]
    record: dict[str, Any] | None
    outcome: str
    person_id: Any = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    sealed_values: str = ""
    sealed_record: str = ""


STAGED_FIELDS = (
    "registration_import_id",
    "row_number",
    "household_key",
    "sealed_values",
    "sealed_changes",
    "sealed_record",
    "errors",
    "fingerprint",
    "outcome",
    "person_id",
)


def _late_row(row: RowCheck) -> _Staged:
    return _Staged(row, [], None, "")  # checked with its whole household by _restage_late


def _staged_tuple(registration_import: RegistrationImport, item: _Staged) -> tuple[Any, ...]:
    return (
        registration_import.pk,
        item.row.row_number,
        item.row.household_key,
        item.sealed_values or _seal("sealed_values", item.row.values),
        _seal("sealed_changes", item.changes),
        item.sealed_record if item.record is not None else "",
        item.errors,
        item.row.fingerprint,
        item.outcome or RowOutcome.INVALID,
        item.person_id,
    )


def _resolve_areas(registration_import: RegistrationImport, pairs: list[tuple[RowCheck, Checked]]) -> None:
    """P-codes become admin areas of the operation's country; an unknown P-code is an error on its row."""
    codes = {c.record["admin_area"] for _row, c in pairs if c.record and c.record["admin_area"]}
    if not codes:
        return
    known = dict(
        AdminArea.objects.filter(pcode__in=codes, country=registration_import.operation.country).values_list(
            "pcode", "id"
        )
    )
    for _row, checked in pairs:
        if checked.record and checked.record["admin_area"] and checked.record["admin_area"] not in known:
            message = _("%(code)s is not a P-code of this operation's country.") % {
                "code": checked.record["admin_area"]
            }
            checked.errors.append({"field": "admin_area", "message": message})
            checked.record, checked.sealed_record = None, ""
    # A household with a bad P-code on any row is held back whole, as check_household does for other errors.
    bad_keys = {row.household_key for row, c in pairs if c.errors}
    for row, checked in pairs:
        if row.household_key in bad_keys and checked.record is not None:
            checked.record, checked.sealed_record = None, ""
            checked.errors.append({"field": "household_id", "message": _("Held back with its household.")})


def _against_registry(registration_import: RegistrationImport, pairs: list[tuple[RowCheck, Checked]]) -> list[_Staged]:
    """Outcome per row: new, an update of a registered person (with the changes), unchanged, or invalid."""
    operation_id = registration_import.operation_id
    fingerprints = [row.fingerprint for row, _c in pairs]
    references = [c.record["reference"] for _r, c in pairs if c.record and c.record["reference"]]
    by_fingerprint = _registered_by_source(operation_id, fingerprints)
    by_reference = {
        reference: person_id
        for reference, person_id, in_operation in Person.objects.filter(reference__in=references)
        .order_by()
        .values_list("reference", "id", "operation_id")
        if in_operation == operation_id
    }
    staged: list[_Staged] = []
    matched: dict[Any, _Staged] = {}
    for row, checked in pairs:
        if checked.errors or checked.record is None:
            person_id = by_fingerprint.get(row.fingerprint)
            staged.append(
                _Staged(row, checked.errors, None, RowOutcome.INVALID, person_id, sealed_values=checked.sealed_values)
            )
            continue
        person_id = by_fingerprint.get(row.fingerprint) or by_reference.get(checked.record["reference"])
        if checked.record["reference"] and person_id is None:
            message = _("No person with registration number %(ref)s in this operation.") % {
                "ref": checked.record["reference"]
            }
            error = {"field": "reference", "message": message}
            staged.append(_Staged(row, [error], None, RowOutcome.INVALID, sealed_values=checked.sealed_values))
            continue
        outcome = RowOutcome.NEW if person_id is None else RowOutcome.UNCHANGED
        item = _Staged(row, [], checked.record, outcome, person_id, {}, checked.sealed_values, checked.sealed_record)
        staged.append(item)
        if person_id is not None:
            matched[person_id] = item
    if matched:
        for current in Person.objects.filter(pk__in=list(matched)).order_by().values("id", *UPDATABLE):
            item = matched[current["id"]]
            assert item.record is not None  # noqa: S101
            item.changes = _changes(current, item.record)
            item.outcome = RowOutcome.UPDATE if item.changes else RowOutcome.UNCHANGED
    return staged


def _changes(current: dict[str, Any], record: dict[str, Any]) -> dict[str, list[Any]]:
    """What the row would change on the registered person: fields the file fills and that differ."""
    changes: dict[str, list[Any]] = {}
    for name in UPDATABLE:
        new = record.get(name)
        old = current.get(name)
        if isinstance(old, dt.date):
            old = old.isoformat()
        if new in (None, "", []) or (name in ("sex", "marital_status") and new == "unknown"):
            continue
        if new != old:
            changes[name] = [old, new]
    return changes


def _restage_late(
    registration_import: RegistrationImport,
    keys: list[str],
    counts: StageCounts,
    region: str,
    executor: Executor | None,
) -> None:
    """Households whose rows were scattered: check each again whole, replacing what was staged for it."""
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        staged = StagedRow.objects.filter(registration_import=registration_import, household_key__in=batch).order_by(
            "household_key", "row_number"
        )
        households: dict[str, list[RowCheck]] = {}
        for row in staged.iterator(chunk_size=2000):
            households.setdefault(row.household_key, []).append(
                RowCheck(row.row_number, row.household_key, row.values, row.fingerprint, [])
            )
        # Their rows were counted once already: take them out, they are counted again below.
        for outcome, number in staged.order_by().values("outcome").annotate(n=Count("id")).values_list("outcome", "n"):
            _uncount(counts, outcome, number)
        with transaction.atomic():
            staged.delete()
        groups = list(households.values())
        future = executor.submit(import_worker.check_chunk, groups, region) if executor else None
        _write_staged(registration_import, (future, groups, []), counts, region)


def _uncount(counts: StageCounts, outcome: str, number: int) -> None:
    counts.total -= number
    if outcome == RowOutcome.INVALID:
        counts.invalid -= number
    elif outcome == RowOutcome.NEW:
        counts.new -= number
    elif outcome == RowOutcome.UPDATE:
        counts.update -= number
    else:
        counts.unchanged -= number


# Committing ------------------------------------------------------------------------------------------------


@dataclass
class CommitCounts:
    households: int = 0
    people: int = 0
    joined: int = 0  # new people added to a household already registered
    updated: int = 0
    skipped: int = 0  # registered meanwhile (a retried commit, or another import of the same rows)


def commit_new_rows(
    registration_import: RegistrationImport, acting_user: User | None, progress: Progress | None
) -> CommitCounts:
    """Register the households of every new row, chunk by chunk. Rows whose fingerprint the registry already
    holds are skipped, so a retried commit resumes where it stopped."""
    counts = CommitCounts()
    staged = StagedRow.objects.filter(registration_import=registration_import, outcome=RowOutcome.NEW)
    total = staged.count()
    done = 0
    for batch in _household_pages(staged):
        _commit_batch(registration_import, acting_user, batch, counts)
        done += len(batch)
        if progress:
            progress(done, total, _("registering households"))
    if counts.people:
        _refresh_statistics(Person)  # the next import looks people up by where they came from
    return counts


def _household_pages(staged: Any) -> Iterator[list[tuple[str, str, Any, str]]]:
    """The staged rows a few thousand at a time, whole households only, each page read by its own short query
    (keyed on the household key) rather than through one cursor held open across the writes: on SQLite an open
    read keeps the write-ahead log from being checkpointed, and it grows by gigabytes over a million rows."""
    columns = ("household_key", "fingerprint", "person_id", "sealed_record")
    ordered = staged.order_by("household_key", "row_number")
    after: str | None = None
    while True:
        page = ordered.filter(household_key__gt=after) if after is not None else ordered
        rows = list(page.values_list(*columns)[:CHUNK_ROWS])
        if not rows:
            return
        last = rows[-1][0]
        if len(rows) == CHUNK_ROWS:  # the last household may go on past the page: take it whole
            rows = [row for row in rows if row[0] != last]
            rows += list(ordered.filter(household_key=last).values_list(*columns))
        after = last
        yield rows


def _registered_by_source(operation_id: Any, fingerprints: list[str]) -> dict[str, Any]:
    """Fingerprint -> id of the people of the operation already registered from these rows."""
    if not fingerprints:
        return {}
    # No ORDER BY: the model's default order (by name) would lead SQLite to walk the name index, every person of
    # the operation, instead of looking each fingerprint up.
    found = Person.objects.filter(source_ref__in=fingerprints, operation_id=operation_id).order_by()
    return dict(found.values_list("source_ref", "id"))


def _open_record(opened: str) -> dict[str, Any]:
    """The record as the ORM hands it back: EncryptedTextField has already decrypted it."""
    return dict(json.loads(opened))


@transaction.atomic
def _commit_batch(
    registration_import: RegistrationImport,
    acting_user: User | None,
    batch: list[tuple[str, str, Any, str]],
    counts: CommitCounts,
) -> None:
    operation = registration_import.operation
    fingerprints = [fingerprint for _k, fingerprint, _p, _s in batch]
    registered = set(_registered_by_source(operation.pk, fingerprints))
    households: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, fingerprint, _person, sealed in batch:
        if fingerprint in registered:
            counts.skipped += 1
            continue
        households.setdefault(key, []).append((fingerprint, _open_record(sealed)))
    # A household some of whose members are registered already (a newborn added in Kobo): the new members join
    # the household their registered relatives live in.
    existing_home = _homes_of_registered(registration_import, list(households))
    codes = {record["admin_area"] for rows in households.values() for _f, record in rows if record["admin_area"]}
    areas = dict(
        AdminArea.objects.filter(pcode__in=codes, country=operation.country).order_by().values_list("pcode", "id")
    )
    now = timezone.now()
    today = timezone.localdate()
    new_households: list[tuple[Any, ...]] = []
    people: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    phones: list[tuple[Any, ...]] = []
    documents: list[tuple[Any, ...]] = []
    consents: list[tuple[Any, ...]] = []
    recorder = acting_user.pk if acting_user is not None else None
    office_id = registration_import.office_id
    for key, rows in households.items():
        home = existing_home.get(key)
        if home is None:
            household_id = uuid.uuid4()
            head_area = areas.get(rows[0][1]["admin_area"])
            new_households.append(
                (household_id, operation.pk, office_id, _reference("HH"), head_area, None, "", 1, now)
            )
            counts.households += 1
        else:
            household_id = home
            counts.joined += len(rows)
        for fingerprint, record in rows:
            person_id = uuid.uuid4()
            record["admin_area_id"] = areas.get(record["admin_area"])
            people.append(
                _person_tuple(person_id, record, operation.pk, office_id, fingerprint, registration_import.pk, now)
            )
            relationship = record["relationship"]
            if home is not None and relationship == "head":
                relationship = "other_relative"  # the registered household keeps its head
            members.append((uuid.uuid4(), household_id, person_id, relationship, today, None))
            for n, (e164, as_given) in enumerate(record["phones"]):
                phones.append(
                    (
                        uuid.uuid4(),
                        person_id,
                        crypto.encrypt(e164, context="registry.phone.number"),
                        crypto.encrypt(as_given, context="registry.phone.as_given") if as_given else "",
                        phone_index(e164),
                        n == 0,
                    )
                )
            for document_type, number, country, expiry in record["documents"]:
                documents.append(
                    (
                        uuid.uuid4(),
                        person_id,
                        document_type,
                        crypto.encrypt(number, context="registry.identitydocument.number"),
                        document_index(number),
                        country,
                        dt.date.fromisoformat(expiry) if expiry else None,
                    )
                )
            consent = record["consent"]
            for purpose, granted in {
                ConsentPurpose.REGISTRATION.value: consent["granted"],
                **consent["other_purposes"],
            }.items():
                consents.append(
                    (
                        uuid.uuid4(),
                        person_id,
                        purpose,
                        granted,
                        consent["method"],
                        consent["proxy_name"],
                        recorder,
                        now,
                        None,
                        None,
                        "",
                    )
                )
            counts.people += 1
    insert_rows(Household, HOUSEHOLD_FIELDS, new_households)
    insert_rows(Person, PERSON_FIELDS, people)
    insert_rows(HouseholdMember, MEMBER_FIELDS, members)
    insert_rows(Phone, PHONE_FIELDS, phones)
    insert_rows(IdentityDocument, DOCUMENT_FIELDS, documents)
    insert_rows(Consent, CONSENT_FIELDS, consents)
    # Counted with the rows they count, so a resumed commit reports the whole import.
    RegistrationImport.objects.filter(pk=registration_import.pk).update(
        households_created=F("households_created") + len(new_households),
        people_created=F("people_created") + len(people),
    )


def _homes_of_registered(registration_import: RegistrationImport, keys: list[str]) -> dict[str, Any]:
    """Household key in the file -> the current household of a registered person staged under that key."""
    if not keys:
        return {}
    registered = (
        StagedRow.objects.filter(registration_import=registration_import, household_key__in=keys, person__isnull=False)
        .order_by()
        .values_list("household_key", "person_id")
    )
    person_key = {person_id: key for key, person_id in registered}
    if not person_key:
        return {}
    homes = (
        HouseholdMember.objects.filter(person_id__in=list(person_key), left_on__isnull=True)
        .order_by()
        .values_list("person_id", "household_id")
    )
    return {person_key[person_id]: household_id for person_id, household_id in homes}


def _reference(prefix: str) -> str:
    from passage.registry.actions import new_reference

    return new_reference(prefix)


HOUSEHOLD_FIELDS = (
    "id",
    "operation_id",
    "office_id",
    "reference",
    "admin_area_id",
    "site_id",
    "address",
    "version",
    "created_at",
)
PERSON_FIELDS = (
    "id",
    "operation_id",
    "office_id",
    "reference",
    *NAME_FIELDS,
    "other_names",
    "source_ref",
    "source_import_id",
    "search_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "age_estimated_on",
    "nationalities",
    "languages",
    "marital_status",
    "disability",
    "admin_area_id",
    "site_id",
    "status",
    "merged_into_id",
    "version",
    "created_at",
    "updated_at",
)
MEMBER_FIELDS = ("id", "household_id", "person_id", "relationship", "joined_on", "left_on")
PHONE_FIELDS = ("id", "person_id", "number", "as_given", "number_index", "is_primary")
DOCUMENT_FIELDS = ("id", "person_id", "type", "number", "number_index", "issuing_country", "expiry_date")
CONSENT_FIELDS = (
    "id",
    "person_id",
    "purpose",
    "granted",
    "method",
    "proxy_name",
    "recorded_by_id",
    "recorded_at",
    "withdrawn_at",
    "withdrawn_by_id",
    "note",
)


class _Names:
    def __init__(self, record: dict[str, Any]) -> None:
        self.__dict__.update({name: record[name] for name in NAME_FIELDS})
        self.other_names = record["other_names"]


def _person_tuple(
    person_id: uuid.UUID,
    record: dict[str, Any],
    operation_id: Any,
    office_id: Any,
    fingerprint: str,
    import_id: Any,
    now: dt.datetime,
) -> tuple[Any, ...]:
    return (
        person_id,
        operation_id,
        office_id,
        _reference("P"),
        *(record[name] for name in NAME_FIELDS),
        record["other_names"],
        fingerprint,
        import_id,
        search_names_of(_Names(record)),
        record["sex"],
        dt.date.fromisoformat(record["birth_date"]) if record["birth_date"] else None,
        record["birth_date_precision"],
        dt.date.fromisoformat(record["age_estimated_on"]) if record["age_estimated_on"] else None,
        record["nationalities"],
        record["languages"],
        record["marital_status"],
        record["disability"],
        record.get("admin_area_id"),
        None,
        "active",
        None,
        1,
        now,
        now,
    )


# Changes to registered people --------------------------------------------------------------------------------


@transaction.atomic
def apply_changes(*, row: StagedRow, acting_user: User | None) -> bool:
    """Apply a staged row's changes to its registered person, if the person still holds the values the import
    was checked against (otherwise someone changed them meanwhile: the row is left, with an error saying so).
    New phones and documents in the row are added. One audit event per person, with old and new values."""
    if row.person_id is None:
        return False
    person = Person.objects.select_for_update().get(pk=row.person_id)
    changes = row.changes
    stale = [name for name, (old, _new) in changes.items() if _current(person, name) != old]
    if stale:
        row.errors = [
            {"field": name, "message": _("Changed in the registry since the import was checked; not applied.")}
            for name in stale
        ]
        row.save(update_fields=["errors"])
        return False
    for name, (_old, new) in changes.items():
        setattr(person, name, dt.date.fromisoformat(new) if name == "birth_date" and new else new)
    person.search_names = search_names_of(person)
    person.version += 1
    person.save()
    record = json.loads(row.sealed_record) if row.sealed_record else {}
    added = _add_contacts(person, record)
    audit.record(
        acting_user,
        "person.update",
        person,
        actor_username="system",
        changes={**changes, **({"contacts_added": [None, added]} if added else {})},
        note=_("From import %(file)s, row %(row)s") % {"file": row.registration_import.filename, "row": row.row_number},
    )
    return True


def _current(person: Person, name: str) -> Any:
    value = getattr(person, name)
    return value.isoformat() if isinstance(value, dt.date) else value


def _add_contacts(person: Person, record: dict[str, Any]) -> int:
    known_phones = set(person.phones.values_list("number_index", flat=True))
    known_documents = set(person.documents.values_list("number_index", flat=True))
    added = 0
    for e164, as_given in record.get("phones", []):
        if phone_index(e164) not in known_phones:
            Phone.objects.create(
                person=person,
                number=e164,
                as_given=as_given,
                number_index=phone_index(e164),
                is_primary=not known_phones,
            )
            known_phones.add(phone_index(e164))
            added += 1
    for document_type, number, country, expiry in record.get("documents", []):
        if document_index(number) not in known_documents:
            IdentityDocument.objects.create(
                person=person,
                type=document_type,
                number=number,
                number_index=document_index(number),
                issuing_country=country,
                expiry_date=dt.date.fromisoformat(expiry) if expiry else None,
            )
            known_documents.add(document_index(number))
            added += 1
    return added
