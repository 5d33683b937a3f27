"""Actions of registry exports: asking for a list of people (written by a background job), and downloading
counts of people as HXL.

Every export leaves audit events: the request (who, which filters, which columns, protected or not) and,
when the file is written, the number of rows. A password never reaches the audit trail nor the job's
parameters: it is sealed with the site's encryption key into the job's checkpoint, read by the job, and
removed once the file is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from passage.core import audit, exporting
from passage.core.access import can, permissions_in
from passage.core.jobs import JobContext, JobFailed
from passage.core.models import Job, Operation, User
from passage.registry import exports, queries

EXPORT_KIND = "registry.export_people"
SEARCH_MAX = 200


@dataclass(frozen=True)
class ExportRequest:
    """What a person asks for: the people list's filters, a format, which columns, and a password."""

    q: str = ""  # the people list's search
    format: str = "csv"
    personal: bool = False
    sensitive: bool = False
    password: str = ""

    def params(self) -> dict[str, Any]:
        """What the job needs, without the password."""
        return {
            "filters": {"q": self.q},
            "format": self.format,
            "personal": self.personal,
            "sensitive": self.sensitive,
            "protected": bool(self.password),
        }

    def columns(self) -> list[str]:
        groups = [exports.BASIC]
        if self.personal:
            groups.append(exports.PERSONAL)
        if self.sensitive:
            groups.append(exports.SENSITIVE)
        return groups


def may_see_sensitive_somewhere(user: Any, operation: Operation) -> bool:
    """Whether any of the user's roles in the operation may see phones and documents unmasked."""
    return "person.view_sensitive" in permissions_in(user, operation.pk)


def check_export_request(*, acting_user: Any, operation: Operation, request: ExportRequest) -> None:
    """Refuse, field by field, what may not be exported; PermissionDenied without person.export."""
    if not can(acting_user, "person.export", operation):
        raise PermissionDenied("person.export")
    problems: dict[str, list[str]] = {}
    if request.format not in exports.FORMATS:
        problems["format"] = [_("Choose CSV or XLSX.")]
    if len(request.q) > SEARCH_MAX:
        problems["q"] = [_("The search is longer than %(n)s characters.") % {"n": SEARCH_MAX}]
    if request.sensitive and not may_see_sensitive_somewhere(acting_user, operation):
        problems["sensitive"] = [_("Your role may not see phone numbers and identity documents: export without them.")]
    required = (
        _(
            "Phone numbers and identity documents leave Passage only in a password-protected file: "
            "choose a password of at least %(n)s characters."
        )
        % {"n": exports.PASSWORD_MIN_LENGTH}
        if request.sensitive
        else ""
    )
    if problem := exporting.password_problem(request.password, required=required):
        problems["password"] = [problem]
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def export_people(*, acting_user: User, operation: Operation, request: ExportRequest) -> Job:
    """Queue the export of the people `acting_user` may see that match the people list's search.

    The job writes the file as that user: what they may see, with phones and documents masked where their
    role may not see them, and it checks their permission again when it runs."""
    check_export_request(acting_user=acting_user, operation=operation, request=request)
    params = {**request.params(), "language": translation.get_language() or "en"}
    job = exporting.queue_export(
        acting_user=acting_user,
        operation=operation,
        kind=EXPORT_KIND,
        params=params,
        title=_("Export of people (%(format)s)") % {"format": request.format.upper()},
        password=request.password,
    )
    audit.record(
        acting_user,
        "person.export.request",
        job,
        changes={
            "filters": [None, params["filters"]],
            "format": [None, request.format],
            "columns": [None, request.columns()],
            "protected": [None, bool(request.password)],
        },
    )
    return job


def run_people_export(ctx: JobContext) -> None:
    """The job: write the file a chunk at a time, protect it if asked, attach it, and audit the rows."""
    job = ctx.job
    user = exporting.asker(ctx, "person.export", _("The person who asked for this export may no longer export people."))
    params = ctx.params
    request = ExportRequest(
        q=str(params.get("filters", {}).get("q", "")),
        format=str(params.get("format", "csv")),
        personal=bool(params.get("personal")),
        sensitive=bool(params.get("sensitive")),
        password=exporting.unseal_password(ctx),
    )
    if request.sensitive and not request.password:
        raise JobFailed(_("The password of this export is no longer available: ask for the export again."))
    try:
        check_export_request(acting_user=user, operation=job.operation, request=request)
    except (PermissionDenied, ValidationError) as refused:
        raise JobFailed(" ".join(getattr(refused, "messages", [str(refused)]))) from refused
    with translation.override(str(params.get("language") or "en")):
        filename, rows = _write(ctx, user, request)
    with transaction.atomic():
        audit.record(
            user,
            "person.export",
            job,
            changes={
                "filters": [None, request.params()["filters"]],
                "format": [None, request.format],
                "columns": [None, request.columns()],
                "rows": [None, rows],
                "protected": [None, bool(request.password)],
            },
        )
    exporting.forget_password(ctx)
    ctx.count("people", rows)
    ctx.finish(rows=rows, protected=bool(request.password), filename=filename)


def _write(ctx: JobContext, user: User, request: ExportRequest) -> tuple[str, int]:
    columns = exports.columns_for(personal=request.personal, sensitive=request.sensitive)
    people = exports.for_export(queries.search_people(user, ctx.job.operation, request.q), columns)
    today = timezone.localdate()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return exporting.write_export(
        ctx,
        header=[str(column.label) for column in columns],
        rows=exports.people_rows(exports.iterate(people), columns, user=user, today=today),
        total=people.count(),
        file_format=request.format,
        password=request.password,
        base=f"people-{ctx.job.operation.code}-{stamp}",
        title=_("People"),
    )


@transaction.atomic
def export_aggregates(*, acting_user: User, operation: Operation, level: int, threshold: int | None = None) -> bytes:
    """Counts of people as HXL-tagged CSV, audited (what was published, at which level and threshold)."""
    aggregates = count_people(acting_user=acting_user, operation=operation, level=level, threshold=threshold)
    content = exports.aggregates_hxl(aggregates)
    audit.record(
        acting_user,
        "person.aggregate.export",
        operation,
        changes={
            "level": [None, aggregates.level],
            "threshold": [None, aggregates.threshold],
            "cells": [None, len(aggregates.cells)],
            "suppressed": [None, aggregates.suppressed],
        },
    )
    return content


def count_people(
    *, acting_user: Any, operation: Operation, level: int, threshold: int | None = None, today: dt.date | None = None
) -> exports.Aggregates:
    """The read behind the aggregates page, its JSON and its HXL: needs person.aggregate. A threshold may
    be raised above the operation's, never lowered below it."""
    if not can(acting_user, "person.aggregate", operation):
        raise PermissionDenied("person.aggregate")
    minimum = exports.small_cell_threshold(operation)
    problems: dict[str, list[str]] = {}
    if not 0 <= level <= 4:
        problems["level"] = [_("Choose a level from 0 (the country) to 4.")]
    if problem := exporting.threshold_problem(operation, threshold):
        problems["threshold"] = [problem]
    if problems:
        raise ValidationError(problems)
    return exports.aggregate_people(
        exports.countable_people(acting_user, operation),
        operation,
        level=level,
        threshold=threshold or minimum,
        today=today or timezone.localdate(),
    )
