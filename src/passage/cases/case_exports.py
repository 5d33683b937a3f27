"""Exports of cases: a caseload as the caseload page filters it, as CSV or XLSX, written by a background job as the
person who asks (the machinery every export shares is core.exporting, decision 0016).

Rows come from queries.caseload, which starts from Case.objects.visible_to: a restricted case is in the file of its
named staff only (decision 0019) — and only in a password-protected file; an unprotected export leaves restricted
cases out and says how many. Columns are minimised for the asker: who a case is about (registration number and
name) only on request, only for those who see people (person.view), and only where they may see that person; the
sensitivity only for those who manage cases (case.manage, who set it). Names leave only in a protected file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passage.cases import procedure, queries
from passage.cases.access import MANAGE
from passage.cases.models import Case, Priority, Sensitivity
from passage.core import audit, exporting
from passage.core.access import can, permissions_in
from passage.core.jobs import JobContext, JobFailed, job_kind
from passage.core.models import Job, Operation, User

EXPORT_KIND = "cases.export"
EXPORT = "case.export"
BASIC, SUBJECT, SENSITIVITY = "basic", "subject", "sensitivity"


# --- columns ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowContext:
    """What a column needs besides the case: its values in words (translated once per file, not per row), and
    whether the asker may see who it is about."""

    words: dict[str, dict[Any, str]]
    subject_shown: Callable[[Any], bool]

    @classmethod
    def of(cls, subject_shown: Callable[[Any], bool]) -> RowContext:
        return cls(
            words={
                "state": procedure.known_state_labels(),
                "priority": {value: str(label) for value, label in Priority.choices},
                "sensitivity": {value: str(label) for value, label in Sensitivity.choices},
                "about": {"person": _("Person"), "household": _("Household"), "group": _("Group")},
                "overdue": {True: _("Yes"), False: _("No")},
            },
            subject_shown=subject_shown,
        )

    def word(self, kind: str, value: Any) -> str:
        return self.words[kind].get(value, str(value))


@dataclass(frozen=True)
class Column:
    label: Promise
    group: str
    value: Callable[[Case, RowContext], Any]


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _subject_number(case: Case, ctx: RowContext) -> str:
    subject = case.subject
    return str(subject.reference) if ctx.subject_shown(subject) else ""


def _subject_name(case: Case, ctx: RowContext) -> str:
    subject = case.subject
    if not ctx.subject_shown(subject):
        return ""
    if case.person_id:
        return str(case.subject.display_name or case.subject.display_name_latin)  # type: ignore[union-attr]
    if case.group_id:
        return str(case.subject.name or case.subject.name_latin)  # type: ignore[union-attr]
    return ""  # a household has a number, not a name


def _caseworker(case: Case, ctx: RowContext) -> str:
    worker = case.caseworker
    return (worker.get_full_name() or worker.get_username()) if worker else ""


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Case number"), BASIC, lambda c, x: c.reference),
    Column(gettext_lazy("Programme"), BASIC, lambda c, x: c.programme.name),
    Column(gettext_lazy("About"), BASIC, lambda c, x: x.word("about", c.subject_kind)),
    Column(gettext_lazy("Registration number"), SUBJECT, _subject_number),
    Column(gettext_lazy("Name"), SUBJECT, _subject_name),
    Column(gettext_lazy("State"), BASIC, lambda c, x: x.word("state", c.state)),
    Column(gettext_lazy("Priority"), BASIC, lambda c, x: x.word("priority", c.priority)),
    Column(gettext_lazy("Sensitivity"), SENSITIVITY, lambda c, x: x.word("sensitivity", c.sensitivity)),
    Column(gettext_lazy("Caseworker"), BASIC, _caseworker),
    Column(gettext_lazy("Office"), BASIC, lambda c, x: c.office.name),
    Column(gettext_lazy("Opened"), BASIC, lambda c, x: _day(c.opened_at)),
    Column(gettext_lazy("Due"), BASIC, lambda c, x: _day(c.state_due_at)),
    Column(gettext_lazy("Overdue"), BASIC, lambda c, x: x.word("overdue", bool(getattr(c, "is_overdue", False)))),
    Column(gettext_lazy("Closed"), BASIC, lambda c, x: _day(c.closed_at)),
)


def may_see_subjects(user: Any, operation: Operation) -> bool:
    """Whether any of the user's roles in the operation sees people (person.view)."""
    return "person.view" in permissions_in(user, operation.pk)


def may_see_sensitivity(user: Any, operation: Operation) -> bool:
    """Whether the user manages cases in the operation (case.manage: those who set a case's sensitivity)."""
    return MANAGE in permissions_in(user, operation.pk)


def columns_for(*, subjects: bool, sensitivity: bool) -> list[Column]:
    groups = {BASIC} | ({SUBJECT} if subjects else set()) | ({SENSITIVITY} if sensitivity else set())
    return [column for column in COLUMNS if column.group in groups]


def case_rows(cases: Iterable[Case], columns: list[Column], *, user: Any) -> Iterator[list[str]]:
    """One row of text per case, formula-safe; who a case is about blank where `user` may not see them."""
    context = RowContext.of(subject_shown=lambda subject: can(user, "person.view", subject))
    for case in cases:
        yield [exporting.neutralise(column.value(case, context)) for column in columns]


# What the columns read, and nothing else (not the case's sealed programme details, nor the people's other fields).
_READ = (
    *("reference", "state", "priority", "sensitivity", "opened_at", "state_due_at", "closed_at", "operation_id"),
    *("programme__name", "office__name"),
    *("caseworker__username", "caseworker__first_name", "caseworker__last_name"),
    *("person__reference", "person__operation_id", "person__office_id", "person__full_name", "person__full_name_latin"),
    *(
        f"person__{part}_name{script}"
        for part in ("given", "father", "grandfather", "family")
        for script in ("", "_latin")
    ),
    *("household__reference", "household__operation_id", "household__office_id"),
    *("group__reference", "group__operation_id", "group__office_id", "group__name", "group__name_latin"),
)


def for_export(cases: QuerySet[Case], *, now: dt.datetime) -> QuerySet[Case]:
    """`cases` (a caseload, with its select_related) reading only what the columns need, with whether each is
    overdue worked out by the database."""
    overdue = ExpressionWrapper(queries.overdue_filter(now), output_field=BooleanField())
    return cases.only(*_READ).annotate(is_overdue=overdue)


# --- asking for an export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseExportRequest:
    """What a person asks for: the caseload's filters, a format, whether to say whom cases are about, a password."""

    filters: queries.CaseFilters = field(default_factory=queries.CaseFilters)
    format: str = "csv"
    subjects: bool = False
    password: str = ""

    def params(self) -> dict[str, Any]:
        """What the job needs, without the password."""
        return {
            "filters": self.filters.params(),
            "format": self.format,
            "subjects": self.subjects,
            "protected": bool(self.password),
        }


def check_export_request(*, acting_user: Any, operation: Operation, request: CaseExportRequest) -> None:
    """Refuse, field by field, what may not be exported; PermissionDenied without case.export."""
    if not can(acting_user, EXPORT, operation):
        raise PermissionDenied(EXPORT)
    problems: dict[str, list[str]] = {}
    if request.format not in exporting.FORMATS:
        problems["format"] = [_("Choose CSV or XLSX.")]
    if request.subjects and not may_see_subjects(acting_user, operation):
        problems["subjects"] = [_("Your role may not see people: export the cases without whom they are about.")]
    required = (
        _(
            "Names and registration numbers leave Passage only in a password-protected file: choose a password of "
            "at least %(n)s characters."
        )
        % {"n": exporting.PASSWORD_MIN_LENGTH}
        if request.subjects
        else ""
    )
    if problem := exporting.password_problem(request.password, required=required):
        problems["password"] = [problem]
    if problems:
        raise ValidationError(problems)


def matching_cases(user: Any, operation: Operation, filters: queries.CaseFilters) -> QuerySet[Case]:
    """The cases an export with these filters holds: the caseload's, no more."""
    return queries.caseload(user, operation, filters)


@transaction.atomic
def export_cases(*, acting_user: User, operation: Operation, request: CaseExportRequest) -> Job:
    """Queue the export of the cases `acting_user` sees that match the caseload's filters. The job writes the file
    as that user, and checks their permission again when it runs."""
    check_export_request(acting_user=acting_user, operation=operation, request=request)
    params = {**request.params(), "language": translation.get_language() or "en"}
    job = exporting.queue_export(
        acting_user=acting_user,
        operation=operation,
        kind=EXPORT_KIND,
        params=params,
        title=_("Export of cases (%(format)s)") % {"format": request.format.upper()},
        password=request.password,
    )
    audit.record(
        acting_user,
        "case.export.request",
        job,
        changes={
            "filters": [None, params["filters"]],
            "format": [None, request.format],
            "subjects": [None, request.subjects],
            "protected": [None, bool(request.password)],
        },
    )
    return job


# --- the job ------------------------------------------------------------------------------------------------


@job_kind(
    EXPORT_KIND,
    title="Export cases",
    permission=EXPORT,
    description="Writes the cases one may see, as the caseload filters them, to CSV or XLSX.",
    user_startable=False,  # only export_cases starts it, with its checks and its audit
    private=True,  # the file holds what its asker may see, restricted cases included: nobody else opens it
)
def run_case_export(ctx: JobContext) -> None:
    """Write the file a chunk at a time, protect it if asked, attach it; audit the rows, and a read of each
    restricted case written."""
    job = ctx.job
    user = exporting.asker(ctx, EXPORT, _("The person who asked for this export may no longer export cases."))
    params = ctx.params
    request = CaseExportRequest(
        filters=queries.CaseFilters.from_params(params.get("filters") or {}),
        format=str(params.get("format", "csv")),
        subjects=bool(params.get("subjects")),
        password=exporting.unseal_password(ctx),
    )
    if params.get("protected") and not request.password:
        raise JobFailed(_("The password of this export is no longer available: ask for the export again."))
    try:
        check_export_request(acting_user=user, operation=job.operation, request=request)
    except (PermissionDenied, ValidationError) as refused:
        raise JobFailed(" ".join(getattr(refused, "messages", [str(refused)]))) from refused
    with translation.override(str(params.get("language") or "en")):
        filename, rows, restricted, left_out = _write(ctx, user, request)
    with transaction.atomic():
        audit.record(
            user,
            "case.export",
            job,
            changes={
                "filters": [None, request.filters.params()],
                "format": [None, request.format],
                "subjects": [None, request.subjects],
                "rows": [None, rows],
                "protected": [None, bool(request.password)],
                "restricted_left_out": [None, left_out],
            },
        )
        for case in restricted:
            audit.record_read(user, case, note=f"export {job.pk}")
    exporting.forget_password(ctx)
    ctx.count("cases", rows)
    if left_out:
        ctx.count("restricted_left_out", left_out)
    ctx.finish(rows=rows, protected=bool(request.password), filename=filename, restricted_left_out=left_out)


def _write(ctx: JobContext, user: User, request: CaseExportRequest) -> tuple[str, int, list[Case], int]:
    """The file; the restricted cases written (for the audit trail) and how many were left out (unprotected)."""
    operation = ctx.job.operation
    now = timezone.now()
    cases = matching_cases(user, operation, request.filters)
    left_out = 0
    if not request.password:
        left_out = cases.exclude(sensitivity=Sensitivity.NORMAL).count()
        cases = cases.filter(sensitivity=Sensitivity.NORMAL)
    cases = for_export(cases, now=now)
    columns = columns_for(subjects=request.subjects, sensitivity=may_see_sensitivity(user, operation))
    restricted: list[Case] = []

    def noting_restricted(found: Iterable[Case]) -> Iterator[Case]:
        for case in found:
            if case.is_restricted:
                restricted.append(case)
            yield case

    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    filename, written = exporting.write_export(
        ctx,
        header=[str(column.label) for column in columns],
        rows=case_rows(noting_restricted(cases.iterator(chunk_size=exporting.CHUNK)), columns, user=user),
        total=cases.count(),
        file_format=request.format,
        password=request.password,
        base=f"cases-{operation.code}-{stamp}",
        title=_("Cases"),
    )
    return filename, written, restricted, left_out
