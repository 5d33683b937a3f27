"""Submissions made in KoboCollect or ODK Collect, brought back into Passage from a KoboToolbox or ODK Central
export (CSV, XLSX with a sheet per repeat, or ODK's ZIP): the file is read and every row checked by the engine
(passage.cases.xlsform.odk), each submission is tied to its case by a field of the form holding the case number
(or to a person by their registration number), and written as a completed submission keyed by its stable ID.

Importing the same file again is safe: a submission already imported with the same answers is left alone; one
whose answers changed in Kobo (an edit keeps its root ID) supersedes the one before, which stays. Every row gets
a result (created, updated, unchanged, invalid, not linked) kept on the import. Small files run at once; larger
ones in a background job (cases.form_import). Rows are written in batches, each in its own transaction, so a
stopped job run again picks up where it stopped."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from passage.cases.access import MANAGE, may
from passage.cases.assessment_access import FORM_MANAGE
from passage.cases.assessment_actions import after_completion
from passage.cases.models import (
    Case,
    FormImport,
    FormTemplate,
    ImportState,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from passage.cases.xlsform import odk
from passage.core import audit, file_crypto
from passage.core.access import can
from passage.core.jobs import JobContext, JobFailed, job_kind
from passage.core.models import User
from passage.core.rotation import SealedFiles, register_sealed_files
from passage.registry.models import Person

SEALED_NAME = "cases.formimport.file"
JOB = "cases.form_import"
RUN_AT_ONCE_BYTES = 256 * 1024  # larger files go to a background job
BATCH = 200
_CASE_NUMBER = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{1,6}$")
_PERSON_NUMBER = re.compile(r"^P-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
Progress = Callable[[int, int, str], None]


def context_of(form_import: Any) -> str:
    """Bound to the import: a file copied onto another import does not open there."""
    return f"{SEALED_NAME}:{form_import.pk}"


def register() -> None:
    register_sealed_files(SealedFiles(SEALED_NAME, FormImport, "file", context_of))


def link_fields(template: FormTemplate) -> list[tuple[str, str]]:
    """The form's fields an import can read the case or person number from: text and calculate fields outside
    repeats, with their labels."""
    version = template.current
    if version is None:
        return []
    form = version.form()
    return [
        (item.name, item.label(default_language=form.default_language) or item.name)
        for item in form.walk()
        if item.kind in ("text", "calculate", "select_one") and not item.repeats
    ]


@transaction.atomic
def upload_form_import(
    *, acting_user: User | None, template: FormTemplate, filename: str, content: bytes, link_field: str
) -> FormImport:
    """Keep a Kobo/ODK export of the form's submissions, sealed, and run it (at once when small, else as a job)."""
    if acting_user is not None and not can(acting_user, FORM_MANAGE, template.operation):
        raise PermissionDenied(FORM_MANAGE)
    version = template.current
    if version is None:
        raise ValidationError({"file": _("This form has no version yet: upload its XLSForm first.")})
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > odk.MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than %(n)s MB.") % {"n": odk.MAX_BYTES // 2**20}})
    if Path(filename).suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm", ".zip"):
        raise ValidationError({"file": _("Send the export as CSV, XLSX or ODK Central's ZIP.")})
    if link_field not in dict(link_fields(template)):
        raise ValidationError({"link_field": _("Choose the field of the form that holds the case number.")})
    form_import = FormImport(
        operation_id=template.operation_id,
        template=template,
        form_version=version,
        filename=Path(filename).name[:255],
        size=len(content),
        link_field=link_field,
        created_by=acting_user,
        created_at=timezone.now(),
    )
    sealed = file_crypto.sealed_file(io.BytesIO(content), context=context_of(form_import))
    form_import.file.save(f"{uuid.uuid4().hex}.sealed", sealed, save=False)
    try:
        form_import.save()
        audit.record(
            acting_user,
            "form.import_upload",
            template,
            changes={"import": [None, str(form_import.pk)], "bytes": [None, len(content)]},
            operation_id=template.operation_id,
        )
    except BaseException:
        default_storage.delete(form_import.file.name or "")  # nothing points at it
        raise
    if len(content) > RUN_AT_ONCE_BYTES:
        from passage.core.actions import start_job

        # Not user-startable: a person starts it through this action, which checked form.manage.
        job = start_job(
            acting_user=None, operation=template.operation, kind=JOB, params={"import_id": str(form_import.pk)}
        )
        FormImport.objects.filter(pk=form_import.pk).update(job=job)
        form_import.job = job
    else:
        form_import = run_form_import(form_import=form_import)
    return form_import


def _read(form_import: FormImport) -> bytes:
    with file_crypto.open_sealed(form_import.file.open("rb"), context=context_of(form_import)) as stream:  # type: ignore[arg-type]
        return stream.read()


def _link(value: Any, form_import: FormImport, user: User | None) -> tuple[Case | None, Person | None, str]:
    """The case (or person) an imported submission is about, or why none: only what the importer may see."""
    text = str(value or "").strip().upper()
    if not text:
        return (
            None,
            None,
            _("the field %(field)s is empty: it should hold the case number") % {"field": form_import.link_field},
        )
    if _CASE_NUMBER.match(text):
        cases = Case.objects.filter(operation_id=form_import.operation_id, reference=text)
        if user is not None:
            cases = cases.visible_to(user)
        case = cases.select_related("programme", "person").first()
        if case is None:
            return None, None, _("no case numbered %(ref)s that you may see") % {"ref": text}
        if user is not None and not may(user, MANAGE, case):
            return None, None, _("you may not add forms to case %(ref)s") % {"ref": text}
        if case.closed_at is not None:
            return None, None, _("case %(ref)s is closed") % {"ref": text}
        return case, case.person, ""
    if _PERSON_NUMBER.match(text):
        people = Person.objects.filter(operation_id=form_import.operation_id, reference=text)
        if user is not None:
            people = people.visible_to(user)
        person = people.first()
        if person is None:
            return None, None, _("no person registered as %(ref)s that you may see") % {"ref": text}
        return None, person, ""
    return None, None, _("“%(value)s” is neither a case number nor a registration number") % {"value": text[:40]}


def _submitted_at(meta: dict[str, str]) -> Any:
    for key in ("_submission_time", "SubmissionDate", "end"):
        moment = parse_datetime(meta.get(key, "")) if meta.get(key) else None
        if moment is not None:
            return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)
    return timezone.now()


def run_form_import(*, form_import: FormImport, progress: Progress | None = None) -> FormImport:
    """Read the import's file, check every row, and write what is new or changed (see the module's docstring)."""
    user = form_import.created_by
    FormImport.objects.filter(pk=form_import.pk).update(state=ImportState.RUNNING, problem="")
    form = form_import.form_version.form()
    try:
        parsed = odk.read_submissions(form, _read(form_import), filename=form_import.filename)
    except (odk.SubmissionFileError, file_crypto.SealedFileError) as error:
        FormImport.objects.filter(pk=form_import.pk).update(
            state=ImportState.FAILED, problem=str(error), finished_at=timezone.now()
        )
        form_import.refresh_from_db()
        return form_import
    results: list[dict[str, Any]] = [
        {"sheet": e.sheet, "row": e.row, "key": "", "outcome": "invalid", "messages": [f"{e.field}: {e.message}"]}
        for e in parsed.errors
        if not e.field  # a row that made no submission (no ID, a repeat without its parent); others are below
    ]
    counts = {"rows": len(parsed.submissions) + len(results), "skipped": parsed.skipped}
    items = list(parsed.submissions.values())
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        results.extend(_write_batch(form_import, batch, user))
        if progress is not None:
            progress(min(start + BATCH, len(items)), len(items), _("Writing submissions"))
    for outcome in ("created", "updated", "unchanged", "invalid", "not_linked"):
        counts[outcome] = sum(1 for row in results if row["outcome"] == outcome)
    results.sort(key=lambda row: (row["sheet"], row["row"] or 0))
    form_import.results = results
    form_import.counts = {**counts, "warnings": parsed.warnings[:50]}
    form_import.state, form_import.finished_at = ImportState.DONE, timezone.now()
    form_import.save(update_fields=["sealed_results", "counts", "state", "finished_at"])
    audit.record(
        user,
        "form.import",
        form_import.template,
        changes={"import": [None, str(form_import.pk)], "counts": [None, {k: v for k, v in counts.items()}]},
        operation_id=form_import.operation_id,
    )
    return form_import


@transaction.atomic
def _write_batch(
    form_import: FormImport, batch: list[odk.ImportedSubmission], user: User | None
) -> list[dict[str, Any]]:
    template = form_import.template
    existing = {
        submission.source_key: submission
        for submission in Submission.objects.select_for_update().filter(
            template=template, source_key__in=[item.key for item in batch], replaced_at__isnull=True
        )
    }
    results = []
    for item in batch:
        row: dict[str, Any] = {"sheet": item.sheet, "row": item.row, "key": item.key, "messages": []}
        results.append(row)
        if not item.ok:
            row["outcome"] = "invalid"
            row["messages"] = [
                f"{error.path}: {error.message(default_language=form_import.form_version.form().default_language)}"
                for error in item.evaluation.errors
            ]
            continue
        values = item.evaluation.values
        case, person, problem = _link(
            values.get(form_import.link_field, item.answers.get(form_import.link_field)), form_import, user
        )
        if problem:
            row["outcome"], row["messages"] = "not_linked", [problem]
            continue
        row["case"] = case.reference if case is not None else ""
        before = existing.get(item.key)
        if before is not None and before.fingerprint == item.fingerprint:
            row["outcome"] = "unchanged"
            continue
        if before is not None and (
            before.case_id != getattr(case, "pk", None) or before.person_id != getattr(person, "pk", None)
        ):
            row["outcome"], row["messages"] = "invalid", [_("it was imported before for another case or person")]
            continue
        now = timezone.now()
        if before is not None:
            Submission.objects.filter(pk=before.pk).update(replaced_at=now)
        submission = Submission(
            operation_id=form_import.operation_id,
            template=template,
            form_version=form_import.form_version,
            case=case,
            person=person,
            scores=item.evaluation.scores,
            sealed_label=item.evaluation.instance_name[:500],
            status=SubmissionStatus.COMPLETE,
            source=SubmissionSource.IMPORT,
            source_key=item.key[:128],
            fingerprint=item.fingerprint,
            form_import=form_import,
            created_by=user,
            created_at=now,
            submitted_by=user,
            submitted_at=_submitted_at(item.meta),
            supersedes=before,
        )
        submission.answers = values
        submission.save()
        after_completion(submission, user)
        row["outcome"] = "updated" if before is not None else "created"
        audit.record(
            user,
            "submission.import",
            case if case is not None else submission,
            changes={
                "submission": [str(before.pk) if before else None, str(submission.pk)],
                "form": [None, f"{template.code} v{form_import.form_version.number}"],
            },
            operation_id=form_import.operation_id,
        )
    return results


@job_kind(JOB, title="Import submissions from KoboToolbox or ODK", permission=FORM_MANAGE, user_startable=False)
def import_job(ctx: JobContext) -> None:
    try:
        form_import = FormImport.objects.select_related("template", "form_version", "created_by").get(
            pk=ctx.params["import_id"], operation_id=ctx.job.operation_id
        )
    except (FormImport.DoesNotExist, KeyError) as exc:
        raise JobFailed("The import this job was for no longer exists.") from exc
    done = run_form_import(form_import=form_import, progress=lambda d, t, s: ctx.progress(d, t, stage=s))
    if done.state == ImportState.FAILED:
        raise JobFailed(done.problem)
    for outcome in ("created", "updated", "unchanged", "invalid", "not_linked"):
        ctx.count(outcome, int(done.counts.get(outcome, 0)))
    ctx.finish(import_id=str(done.pk))
