"""Actions of a registration import: upload, stage and check, approve and commit, reject.

Kept apart from actions.py (one idea per module); the same rules: acting user, transaction, audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.models import Office, Operation, User
from passage.registry.actions import register_household
from passage.registry.importing import RowCheck, auto_map, check_households, read_rows
from passage.registry.models import ImportState, Person, RegistrationImport, RowOutcome, StagedRow
from passage.registry.tabular import TableError, read_table

Progress = Callable[[int, int, str], None]
CHUNK = 5000


def _require(acting_user: User | None, operation: Operation) -> None:
    if acting_user is not None and not can(acting_user, "person.register", operation):
        raise PermissionDenied("person.register")


@transaction.atomic
def upload_registration_import(
    *,
    acting_user: User | None,
    operation: Operation,
    filename: str,
    content: bytes,
    office: Office | None = None,
    mapping: dict[str, str] | None = None,
) -> RegistrationImport:
    _require(acting_user, operation)
    if office is not None and office.operation_id != operation.pk:
        raise ValidationError({"office": _("This office belongs to another operation.")})
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    registration_import = RegistrationImport(
        operation=operation,
        office=office,
        filename=Path(filename).name[:255],
        mapping=mapping or {},
        created_by=acting_user,
    )
    registration_import.file.save(Path(filename).name, ContentFile(content), save=False)
    registration_import.save()
    audit.record(
        acting_user,
        "registration_import.upload",
        registration_import,
        actor_username="system",
        changes={"filename": [None, registration_import.filename], "bytes": [None, len(content)]},
    )
    return registration_import


def stage_registration_import(
    *, registration_import: RegistrationImport, progress: Progress | None = None
) -> RegistrationImport:
    """Read, map and check every row into the staging table. Safe to run again: earlier staging is replaced."""
    try:
        table = read_table(Path(registration_import.file.path))
    except TableError as error:
        registration_import.state, registration_import.problem = ImportState.FAILED, str(error)
        registration_import.save(update_fields=["state", "problem"])
        return registration_import
    mapping = registration_import.mapping or auto_map(table.header)
    rows = read_rows(table, mapping)
    if progress:
        progress(0, len(rows), _("checking rows"))
    check_households(rows, region=registration_import.operation.country)
    known = _already_registered(registration_import.operation, [row.fingerprint for row in rows])
    with transaction.atomic():
        StagedRow.objects.filter(registration_import=registration_import).delete()
        for start in range(0, len(rows), CHUNK):
            StagedRow.objects.bulk_create(
                StagedRow(
                    registration_import=registration_import,
                    row_number=row.row_number,
                    household_key=row.household_key,
                    values=row.values,
                    errors=row.errors,
                    fingerprint=row.fingerprint,
                    outcome=RowOutcome.UNCHANGED
                    if row.fingerprint in known
                    else RowOutcome.INVALID
                    if row.errors
                    else RowOutcome.NEW,
                )
                for row in rows[start : start + CHUNK]
            )
            if progress:
                progress(min(start + CHUNK, len(rows)), len(rows), _("staging rows"))
        registration_import.mapping = mapping
        registration_import.encoding = table.encoding
        registration_import.rows_total = len(rows)
        registration_import.rows_invalid = sum(1 for row in rows if row.errors)
        registration_import.rows_already_registered = sum(1 for row in rows if row.fingerprint in known)
        registration_import.rows_valid = sum(1 for row in rows if not row.errors and row.fingerprint not in known)
        registration_import.state = ImportState.VALIDATED
        registration_import.problem = "" if rows else _("The file has a header but no rows.")
        registration_import.save()
        audit.record(
            None,
            "registration_import.staged",
            registration_import,
            actor_username="system",
            changes={"rows": [None, len(rows)], "rows_with_errors": [None, registration_import.rows_invalid]},
        )
    return registration_import


def _already_registered(operation: Operation, fingerprints: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(fingerprints), CHUNK):
        found.update(
            Person.objects.filter(operation=operation, source_ref__in=fingerprints[start : start + CHUNK]).values_list(
                "source_ref", flat=True
            )
        )
    return found


@transaction.atomic
def approve_registration_import(
    *, registration_import: RegistrationImport, acting_user: User | None, progress: Progress | None = None
) -> RegistrationImport:
    """Register every household whose rows are all sound and new, in one transaction. Rows with errors,
    and households already registered by an earlier import, never touch the registry."""
    _require(acting_user, registration_import.operation)
    if registration_import.state != ImportState.VALIDATED:
        raise ValidationError(_("Only a checked import waiting for approval can be approved."))
    staged = list(registration_import.rows.order_by("row_number"))
    rows = [RowCheck(r.row_number, r.household_key, r.values, r.fingerprint, []) for r in staged]
    registered_keys = {r.household_key for r in staged if r.outcome == RowOutcome.UNCHANGED}
    sound = check_households(rows, region=registration_import.operation.country)  # the same rules, re-applied
    fingerprints: dict[str, list[str]] = {}
    for row in rows:
        fingerprints.setdefault(row.household_key, []).append(row.fingerprint)
    households = people = 0
    todo = [key for key in sound if key not in registered_keys]
    for done, key in enumerate(todo, start=1):
        register_household(
            acting_user=acting_user,
            operation=registration_import.operation,
            office=registration_import.office,
            members=sound[key],
            source_refs=fingerprints[key],
        )
        households += 1
        people += len(sound[key])
        if progress and done % 200 == 0:
            progress(done, len(todo), _("registering households"))
    registration_import.state = ImportState.COMMITTED
    registration_import.households_created, registration_import.people_created = households, people
    registration_import.decided_by, registration_import.decided_at = acting_user, timezone.now()
    registration_import.save()
    audit.record(
        acting_user,
        "registration_import.approve",
        registration_import,
        actor_username="system",
        changes={"households_created": [None, households], "people_created": [None, people]},
    )
    return registration_import


@transaction.atomic
def reject_registration_import(
    *, registration_import: RegistrationImport, acting_user: User, reason: str
) -> RegistrationImport:
    _require(acting_user, registration_import.operation)
    if registration_import.state not in (ImportState.VALIDATED, ImportState.FAILED):
        raise ValidationError(_("This import can no longer be rejected."))
    registration_import.state = ImportState.REJECTED
    registration_import.decided_by, registration_import.decided_at = acting_user, timezone.now()
    registration_import.problem = reason
    registration_import.save()
    audit.record(acting_user, "registration_import.reject", registration_import, note=reason)
    return registration_import
