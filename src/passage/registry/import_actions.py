"""Actions of a registration import: upload, stage and check, approve and commit, reject.

Kept apart from actions.py (one idea per module); the same rules: acting user, transaction, audit event.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit, file_crypto
from passage.core.access import can
from passage.core.models import Office, Operation, User
from passage.registry import import_checks, import_engine
from passage.registry.importing import auto_map
from passage.registry.models import ImportState, RegistrationImport, RowOutcome, StagedRow
from passage.registry.sealed_files import import_file_context, read_import_file
from passage.registry.tabular import TableError

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
    # Stored sealed (AES-GCM in chunks), bound to this import; staging decrypts it as it streams.
    sealed = file_crypto.sealed_file(io.BytesIO(content), context=import_file_context(registration_import))
    registration_import.file.save(Path(filename).name, sealed, save=False)
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
    """Read, map and check every row into the staging table. Safe to run again: earlier staging is replaced.
    Streams the file and commits chunk by chunk (see import_engine), so a million rows fit and progress shows."""
    try:
        table = read_import_file(registration_import)
        mapping = registration_import.mapping or auto_map(table.header)
        counts = import_engine.stage_rows(registration_import, table, mapping, progress)
    except TableError as error:
        registration_import.state, registration_import.problem = ImportState.FAILED, str(error)
        registration_import.save(update_fields=["state", "problem"])
        return registration_import
    # Still "staging" while the new people are checked for duplicates: nobody can approve it half-checked.
    check = import_checks.find_duplicates(registration_import, progress) if counts.new else None
    if check is not None:
        _mark_resemblances(check)
    with transaction.atomic():
        _set_duplicate_check(registration_import, check)
        registration_import.mapping = mapping
        registration_import.encoding = table.encoding
        registration_import.rows_total = counts.total
        registration_import.rows_invalid = counts.invalid
        registration_import.rows_already_registered = counts.unchanged
        registration_import.rows_update = counts.update
        registration_import.rows_valid = counts.new
        registration_import.state = ImportState.VALIDATED
        problems = [*table.notes]
        if not counts.total:
            problems.insert(0, _("The file has a header but no rows."))
        elif not mapping:
            problems.insert(0, _("No column could be matched to a registry field; correct the mapping."))
        registration_import.problem = " ".join(problems)
        registration_import.save()
        audit.record(
            None,
            "registration_import.staged",
            registration_import,
            actor_username="system",
            changes={
                "rows": [None, counts.total],
                "rows_with_errors": [None, counts.invalid],
                "rows_new": [None, counts.new],
                "rows_update": [None, counts.update],
                "rows_unchanged": [None, counts.unchanged],
                **(
                    {
                        "duplicate_share": [None, check.share],
                        "rows_with_duplicates": [None, len(check.rows)],
                        "held_for_review": [None, check.held],
                    }
                    if check is not None
                    else {}
                ),
            },
        )
    return registration_import


def _mark_resemblances(check: import_checks.DuplicateCheck) -> None:
    """Write each look-alike row's probability and counterpart, a thousand rows a transaction (the rows are
    staged afresh on every check, so nothing older needs clearing)."""
    rows = sorted(check.rows, key=lambda r: r.row_id)
    for start in range(0, len(rows), 1000):
        batch = [
            StagedRow(
                pk=row.row_id,
                duplicate_probability=row.probability,
                duplicate_person_id=row.person_id,
                duplicate_row=row.row_number,
            )
            for row in rows[start : start + 1000]
        ]
        with transaction.atomic():
            StagedRow.objects.bulk_update(batch, ["duplicate_probability", "duplicate_person", "duplicate_row"])


def _set_duplicate_check(registration_import: RegistrationImport, check: import_checks.DuplicateCheck | None) -> None:
    registration_import.duplicates_checked_at = timezone.now() if check is not None else None
    registration_import.duplicate_share = check.share if check is not None else None
    registration_import.duplicate_ceiling = check.ceiling if check is not None else None
    registration_import.rows_with_duplicates = len(check.rows) if check is not None else 0
    registration_import.held_for_review = check is not None and check.held
    registration_import.duplicates_accepted_at = registration_import.duplicates_accepted_by = None
    registration_import.duplicates_accepted_reason = ""


def approve_registration_import(
    *,
    registration_import: RegistrationImport,
    acting_user: User | None,
    progress: Progress | None = None,
    accept_duplicates: str = "",
) -> RegistrationImport:
    """Register every household whose rows are all sound and new, and apply the approved changes to registered
    people. Rows with errors never touch the registry. Written chunk by chunk, each household whole; a commit
    that stopped half-way (the import still says "adding to the registry") is resumed by running it again.
    An import held for its duplicates is refused unless `accept_duplicates` gives the reason to add it anyway."""
    _require(acting_user, registration_import.operation)
    if registration_import.state not in (ImportState.VALIDATED, ImportState.COMMITTING):
        raise ValidationError(_("Only a checked import waiting for approval can be approved."))
    if registration_import.state == ImportState.VALIDATED:
        with transaction.atomic():
            _settle_hold(registration_import, acting_user, accept_duplicates)
            registration_import.state = ImportState.COMMITTING
            registration_import.decided_by, registration_import.decided_at = acting_user, timezone.now()
            registration_import.save(update_fields=["state", "decided_by", "decided_at"])
    counts = import_engine.commit_new_rows(registration_import, acting_user, progress)
    updated = _apply_updates(registration_import, acting_user)
    with transaction.atomic():
        registration_import.refresh_from_db(fields=["households_created", "people_created"])
        registration_import.state = ImportState.COMMITTED
        registration_import.people_updated = F("people_updated") + updated
        registration_import.save()
        registration_import.refresh_from_db()
        audit.record(
            acting_user,
            "registration_import.approve",
            registration_import,
            actor_username="system",
            changes={
                "households_created": [None, counts.households],
                "people_created": [None, counts.people],
                "people_joined_households": [None, counts.joined],
                "people_updated": [None, updated],
                "rows_registered_meanwhile": [None, counts.skipped],
            },
        )
        committed, approver = registration_import, acting_user
        transaction.on_commit(
            lambda: import_checks.import_committed.send(
                sender=RegistrationImport, registration_import=committed, acting_user=approver
            )
        )
    return registration_import


# Who may let an import's look-alikes into the registry anyway: whoever reviews duplicates and merges records
# (and, to reach the import at all, registers people): a clerk alone cannot push duplicates in.
ACCEPT_DUPLICATES = "person.merge"


def held_message(registration_import: RegistrationImport) -> str:
    return _(
        "This import is held for review: %(rows)s of its %(new)s new people (%(share)s) look like people already "
        "registered or like other rows of the file, more than the operation allows (%(ceiling)s). Look at the rows "
        "that look alike; to add them anyway, approve again and say why."
    ) % {
        "rows": registration_import.rows_with_duplicates,
        "new": registration_import.rows_valid,
        "share": f"{(registration_import.duplicate_share or 0):.0%}",
        "ceiling": f"{(registration_import.duplicate_ceiling or 0):.0%}",
    }


def _settle_hold(registration_import: RegistrationImport, acting_user: User | None, reason: str) -> None:
    """Refuse a held import unless its duplicates are accepted, here, with a reason, by someone allowed to; the
    acceptance is kept on the import and audited. Runs inside the approving transaction."""
    if not registration_import.awaits_duplicates_decision:
        return
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"accept_duplicates": held_message(registration_import)})
    if acting_user is not None and not can(acting_user, ACCEPT_DUPLICATES, registration_import.operation):
        raise PermissionDenied(ACCEPT_DUPLICATES)
    registration_import.duplicates_accepted_at = timezone.now()
    registration_import.duplicates_accepted_by = acting_user
    registration_import.duplicates_accepted_reason = reason[:1000]
    registration_import.save(
        update_fields=["duplicates_accepted_at", "duplicates_accepted_by", "duplicates_accepted_reason"]
    )
    audit.record(
        acting_user,
        "registration_import.accept_duplicates",
        registration_import,
        actor_username="system",
        changes={
            "duplicate_share": [None, registration_import.duplicate_share],
            "rows_with_duplicates": [None, registration_import.rows_with_duplicates],
            "duplicate_ceiling": [None, registration_import.duplicate_ceiling],
        },
        note=reason[:1000],
    )


def _apply_updates(registration_import: RegistrationImport, acting_user: User | None) -> int:
    """Changes to registered people, each through the same action a clerk's edit goes through (audited per
    person, refused on a stale version: the person changed since the import was checked)."""
    updated = 0
    rows = registration_import.rows.filter(outcome=RowOutcome.UPDATE, person__isnull=False).order_by("row_number")
    after = 0
    while page := list(rows.filter(row_number__gt=after)[:1000]):  # short reads between the writes (see engine)
        for row in page:
            if import_engine.apply_changes(row=row, acting_user=acting_user):
                updated += 1
        after = page[-1].row_number
    return updated


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


# ==================================================================================================
# Imports in the browser (and the API): start, correct the mapping, approve through a job, templates.
# Everything above runs inside the jobs queued here. This section's functions take the acting user,
# check person.register, run in one transaction and leave an audit event naming that person; the jobs
# they queue run as the system, with the person recorded in the job's parameters.
# ==================================================================================================

from passage.registry.models import ImportTemplate  # noqa: E402  (kept with the section that uses it)

STAGE_JOB = "registry.import_stage"
COMMIT_JOB = "registry.import_commit"
_RESTAGEABLE = (ImportState.STAGING, ImportState.VALIDATED, ImportState.FAILED)


def _locked(registration_import: RegistrationImport) -> RegistrationImport:
    """The import read again under a row lock, so two clicks cannot both pass the state checks."""
    return (
        RegistrationImport.objects.select_for_update(of=("self",))
        .select_related("operation", "job", "template")
        .get(pk=registration_import.pk)
    )


def _job_running(registration_import: RegistrationImport) -> bool:
    job = registration_import.job
    return job is not None and not job.is_finished


def _refuse_unless_restageable(registration_import: RegistrationImport) -> None:
    if registration_import.state not in _RESTAGEABLE:
        raise ValidationError(_("This import has already been decided; upload the file again to check it anew."))
    if _job_running(registration_import):
        raise ValidationError(_("This import is being checked; wait until the check has finished."))


def check_mapping(mapping: dict[str, str], *, columns: list[str] | None = None) -> dict[str, str]:
    """The mapping without its ignored columns, or a ValidationError naming every column that is wrong:
    a field that is not a registry field, a field chosen for two columns, a column the file does not have."""
    from passage.registry.import_queries import field_label
    from passage.registry.importing import FIELDS

    problems: list[str] = []
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column, chosen in mapping.items():
        field = (chosen or "").strip()
        if not field:
            continue
        if columns is not None and column not in columns:
            problems.append(_("The file has no column “%(column)s”.") % {"column": column})
        elif field not in FIELDS:
            problems.append(
                _("“%(field)s” (column “%(column)s”) is not a registry field.") % {"field": field, "column": column}
            )
        elif field in used:
            problems.append(
                _("Columns “%(first)s” and “%(second)s” both go to “%(field)s”; choose it for one column only.")
                % {"first": used[field], "second": column, "field": field_label(field)}
            )
        else:
            used[field] = column
            clean[column] = field
    if not problems and not clean:
        problems.append(_("Choose a registry field for at least one column."))
    if problems:
        raise ValidationError({"mapping": problems})
    return clean


def _queue_stage(registration_import: RegistrationImport, acting_user: User) -> RegistrationImport:
    from passage.core.actions import start_job

    # Not user-startable (a person starts it through this action, which checked person.register).
    job = start_job(
        acting_user=None,
        operation=registration_import.operation,
        kind=STAGE_JOB,
        params={"import_id": str(registration_import.pk), "requested_by": str(acting_user.pk)},
    )
    before = registration_import.state
    registration_import.state, registration_import.problem, registration_import.job = ImportState.STAGING, "", job
    registration_import.save(update_fields=["state", "problem", "job"])
    audit.record(
        acting_user,
        "registration_import.check",
        registration_import,
        changes={"state": [before, ImportState.STAGING], "job": [None, str(job.pk)]},
    )
    return registration_import


@transaction.atomic
def start_registration_import(
    *,
    acting_user: User,
    operation: Operation,
    filename: str,
    content: bytes,
    office: Office | None = None,
    template: ImportTemplate | None = None,
) -> RegistrationImport:
    """Upload a CSV or XLSX file and queue its reading and checking. A file Passage cannot read as a table
    is refused here, before anything is stored; a chosen template's mapping is applied to the columns the
    file has."""
    from passage.registry.import_queries import columns_of

    _require(acting_user, operation)
    columns: list[str] = []
    if content:  # an empty file is refused by upload_registration_import, in its own words
        try:
            columns = columns_of(filename, content)
        except TableError as error:
            raise ValidationError({"file": _("This file cannot be read: %(problem)s") % {"problem": error}}) from None
    mapping = None
    if template is not None:
        if template.operation_id != operation.pk:
            raise ValidationError({"template": _("This template belongs to another operation.")})
        mapping = {column: field for column, field in template.mapping.items() if column in columns}
        if content and not mapping:
            raise ValidationError(
                {
                    "template": _(
                        "None of the columns of the template “%(name)s” are in this file; choose another template, "
                        "or none and let Passage match the columns by their names."
                    )
                    % {"name": template.name}
                }
            )
    registration_import = upload_registration_import(
        acting_user=acting_user, operation=operation, filename=filename, content=content, office=office, mapping=mapping
    )
    if template is not None:
        registration_import.template = template
        registration_import.save(update_fields=["template"])
    return _queue_stage(registration_import, acting_user)


@transaction.atomic
def queue_staging(*, acting_user: User, registration_import: RegistrationImport) -> RegistrationImport:
    """Read and check the file again (after a failure, or to see rows registered since by others)."""
    _require(acting_user, registration_import.operation)
    locked = _locked(registration_import)
    _refuse_unless_restageable(locked)
    return _queue_stage(locked, acting_user)


@transaction.atomic
def remap_registration_import(
    *, acting_user: User, registration_import: RegistrationImport, mapping: dict[str, str]
) -> RegistrationImport:
    """Correct which column goes to which registry field (column -> field; "" ignores a column), then
    check every row again with the new mapping."""
    from passage.registry.import_queries import file_columns

    _require(acting_user, registration_import.operation)
    locked = _locked(registration_import)
    _refuse_unless_restageable(locked)
    clean = check_mapping(mapping, columns=file_columns(locked) or None)
    before = dict(locked.mapping)
    locked.mapping = clean
    if locked.template is not None and locked.template.mapping != clean:
        locked.template = None  # no longer the template's mapping
    locked.save(update_fields=["mapping", "template"])
    audit.record(acting_user, "registration_import.remap", locked, changes={"mapping": [before, clean]})
    return _queue_stage(locked, acting_user)


@transaction.atomic
def queue_commit(
    *, acting_user: User, registration_import: RegistrationImport, accept_duplicates: str = ""
) -> RegistrationImport:
    """Approve a checked import: a job adds its sound rows to the registry as the approver. Also retries
    a commit whose job failed or was cancelled (the commit is all or nothing, so nothing was half-written).
    An import held for its duplicates needs `accept_duplicates`, the reason to add it anyway."""
    _require(acting_user, registration_import.operation)
    locked = _locked(registration_import)
    job = locked.job
    retry = locked.state == ImportState.COMMITTING and job is not None and job.is_finished and job.state != "succeeded"
    if locked.state == ImportState.COMMITTING and not retry:
        raise ValidationError(_("This import is already being added to the registry."))
    if locked.state == ImportState.COMMITTED:
        raise ValidationError(_("This import has already been added to the registry."))
    if locked.state != ImportState.VALIDATED and not retry:
        raise ValidationError(_("Only a checked import waiting for approval can be approved."))
    if locked.rows_valid + locked.rows_update == 0:
        raise ValidationError(
            _("Nothing in this import would change the registry: every row has errors or is already registered.")
        )
    if not retry:
        _settle_hold(locked, acting_user, accept_duplicates)
    from passage.core.actions import start_job

    job = start_job(
        acting_user=None,
        operation=locked.operation,
        kind=COMMIT_JOB,
        params={"import_id": str(locked.pk), "approved_by": str(acting_user.pk)},
    )
    before = locked.state
    locked.state, locked.job = ImportState.COMMITTING, job
    locked.decided_by, locked.decided_at = acting_user, timezone.now()
    locked.save(update_fields=["state", "job", "decided_by", "decided_at"])
    audit.record(
        acting_user,
        "registration_import.approval",
        locked,
        changes={"state": [before, ImportState.COMMITTING], "job": [None, str(job.pk)]},
        note="retry after a failed commit" if retry else "",
    )
    return locked


@transaction.atomic
def save_import_template(
    *,
    acting_user: User,
    operation: Operation,
    name: str,
    mapping: dict[str, str],
    registration_import: RegistrationImport | None = None,
) -> ImportTemplate:
    """Keep a column mapping under a name, to apply to the next files of the same form."""
    _require(acting_user, operation)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    if len(name) > ImportTemplate._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": _("Keep the name under 120 characters.")})
    clean = check_mapping(mapping)
    if ImportTemplate.objects.filter(operation=operation, name__iexact=name).exists():
        raise ValidationError(
            {
                "name": _(
                    "There is already a template called “%(name)s” in this operation; choose another name, "
                    "or delete that template first."
                )
                % {"name": name}
            }
        )
    if registration_import is not None and registration_import.operation_id != operation.pk:
        raise ValidationError(_("This import belongs to another operation."))
    template = ImportTemplate.objects.create(operation=operation, name=name, mapping=clean, created_by=acting_user)
    if registration_import is not None:
        registration_import.template = template
        registration_import.save(update_fields=["template"])
    audit.record(
        acting_user, "import_template.save", template, changes={"name": [None, name], "mapping": [None, clean]}
    )
    return template


@transaction.atomic
def delete_import_template(*, acting_user: User, template: ImportTemplate) -> None:
    """Imports that used the template keep their own copy of its mapping."""
    _require(acting_user, template.operation)
    audit.record(acting_user, "import_template.delete", template, changes={"name": [template.name, None]})
    template.delete()
