"""Registration imports through the JSON API: upload a file, follow its check, read its rows by outcome with
their errors, approve or reject. The same actions and rules as the browser's import pages.

Imports are fetched through import_queries.get_import_for_user (a 404 for anyone without person.register in
their operation); the list and the upload need person.register in the operation (403, as the pages); every
change is an action of import_actions, and the jobs they queue read, check and commit the file. Reading rows
is a read of personal data: it is audited, and phones and document numbers are masked for roles that may
not see them.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from passage.api.pagination import MAX_LIMIT, LimitOffset
from passage.api.problems import PROBLEMS, Problem, problem_response
from passage.core import access as core_access
from passage.core import audit
from passage.core.models import User
from passage.registry import import_actions, import_queries
from passage.registry.import_queries import get_import_for_user, is_running, outcome_counts, shown_value
from passage.registry.models import ImportState, RegistrationImport, RowOutcome, StagedRow
from passage.registry.schemas import (
    ApproveIn,
    ImportOut,
    ImportRowsPage,
    ImportRowsQuery,
    ImportSummaryOut,
    RejectIn,
)

router = Router(tags=["imports"])


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _import(registration_import: RegistrationImport) -> dict[str, Any]:
    counts = outcome_counts(registration_import)
    return {
        "id": registration_import.pk,
        "operation_id": registration_import.operation_id,
        "office_id": registration_import.office_id,
        "filename": registration_import.filename,
        "encoding": registration_import.encoding,
        "state": registration_import.state,
        "state_label": registration_import.get_state_display(),
        "running": is_running(registration_import),
        "problem": registration_import.problem,
        "mapping": dict(registration_import.mapping or {}),
        "template": registration_import.template.name if registration_import.template else None,
        "rows": {
            "total": registration_import.rows_total,
            "invalid": counts[RowOutcome.INVALID],
            "new": counts[RowOutcome.NEW],
            "update": counts[RowOutcome.UPDATE],
            "unchanged": counts[RowOutcome.UNCHANGED],
        },
        "result": {
            "households_created": registration_import.households_created,
            "people_created": registration_import.people_created,
            "people_updated": registration_import.people_updated,
        },
        "created_by": registration_import.created_by.get_username() if registration_import.created_by else None,
        "created_at": registration_import.created_at,
        "decided_by": registration_import.decided_by.get_username() if registration_import.decided_by else None,
        "decided_at": registration_import.decided_at,
        "job": registration_import.job,
        "duplicates": {
            "checked_at": registration_import.duplicates_checked_at,
            "share": registration_import.duplicate_share,
            "ceiling": registration_import.duplicate_ceiling,
            "rows": registration_import.rows_with_duplicates,
            "held": registration_import.held_for_review,
            "awaiting_decision": registration_import.awaits_duplicates_decision,
            "accepted_by": accepted_by.get_username()
            if (accepted_by := registration_import.duplicates_accepted_by)
            else None,
            "accepted_at": registration_import.duplicates_accepted_at,
            "accepted_reason": registration_import.duplicates_accepted_reason,
        },
    }


def _fetch(user: User, import_id: UUID) -> RegistrationImport:
    return get_import_for_user(user, import_id)


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """409: the import's state does not allow this (already decided, being committed, nothing to approve)."""
    return problem_response(request, 409, " ".join(error.messages))


# The list and the upload -----------------------------------------------------------------------------------


@router.get("/imports", response={200: list[ImportSummaryOut], **PROBLEMS})
@paginate(LimitOffset)
def list_imports(request: HttpRequest, operation: UUID) -> QuerySet[RegistrationImport]:
    """The operation's registration imports, newest first; needs person.register."""
    user = _user(request)
    target = core_access.require(user, "person.register", core_access.get_operation_for_user(user, operation))
    return import_queries.imports_for(user, target)


@router.post("/imports", response={201: ImportOut, **PROBLEMS})
def upload_import(
    request: HttpRequest,
    file: File[UploadedFile],
    operation: Form[UUID],
    template: Form[str] = "",
    office: Form[UUID | None] = None,
) -> Status[dict[str, Any]]:
    """Upload a CSV or XLSX file (multipart/form-data: `operation`, `file`, optionally the `template` name of a
    saved column mapping and the `office`). Passage reads and checks every row in a background job (follow it
    at GET /imports/{id}); nothing enters the registry until someone approves. Needs person.register."""
    user = _user(request)
    target = core_access.require(user, "person.register", core_access.get_operation_for_user(user, operation))
    chosen = None
    if template.strip():
        chosen = import_queries.templates_for(user, target).filter(name__iexact=" ".join(template.split())).first()
        if chosen is None:
            raise ValidationError(
                {"template": _("There is no template called “%(name)s” in this operation.") % {"name": template}}
            )
    started = import_actions.start_registration_import(
        acting_user=user,
        operation=target,
        filename=file.name or "upload",
        content=file.read(),
        office=core_access.get_office_for_user(user, office) if office is not None else None,
        template=chosen,
    )
    return Status(201, _import(get_import_for_user(user, started.pk)))


# One import ------------------------------------------------------------------------------------------------


@router.get("/imports/{import_id}", response={200: ImportOut, **PROBLEMS})
def get_import(request: HttpRequest, import_id: UUID) -> dict[str, Any]:
    """An import's state, its rows counted by outcome, what approving it added, and its job's progress."""
    return _import(_fetch(_user(request), import_id))


def _looks_like(alike: dict[str, Any] | None) -> dict[str, Any] | None:
    if alike is None:
        return None
    person = alike["person"]
    return {
        "probability": alike["probability"],
        "person_id": person.pk if person else None,
        "person_reference": person.reference if person else None,
        "person_hidden": alike["person_hidden"],
        "row": alike["row"],
    }


def _row(staged: StagedRow, sensitive: bool, alike: dict[str, Any] | None = None) -> dict[str, Any]:
    def shown(field: str, value: Any) -> Any:
        return shown_value(field, value, sensitive=sensitive)

    return {
        "row": staged.row_number,
        "household": staged.household_key,
        "outcome": staged.outcome,
        "person_id": staged.person_id,
        "values": {field: shown(field, value) for field, value in staged.values.items()},
        "errors": [
            {"field": str(error.get("field", "")), "message": str(error.get("message", ""))}
            for error in staged.errors or []
        ],
        "changes": [
            {"field": field, "old": shown(field, change[0]), "new": shown(field, change[1])}
            for field, change in staged.changes.items()
            if isinstance(change, (list, tuple)) and len(change) == 2
        ],
        "looks_like": _looks_like(alike),
    }


@router.get("/imports/{import_id}/rows", response={200: ImportRowsPage, **PROBLEMS})
def list_import_rows(request: HttpRequest, import_id: UUID, filters: Query[ImportRowsQuery]) -> dict[str, Any]:
    """The import's rows in file order, of one outcome: `invalid` rows with their errors by field, `new` people,
    `update` rows with their changes old → new, `unchanged` rows already registered; with `duplicates=true`,
    the new people who look like someone (whom, in `looks_like`). Reading rows is audited."""
    user = _user(request)
    registration_import = _fetch(user, import_id)
    outcome = import_queries.LOOK_ALIKES if filters.duplicates else filters.outcome
    limit, offset = min(filters.limit, MAX_LIMIT), filters.offset
    staged = registration_import.state not in (ImportState.STAGING, ImportState.FAILED)
    counts = {
        **outcome_counts(registration_import),
        import_queries.LOOK_ALIKES: registration_import.rows_with_duplicates,
    }
    count = (counts[outcome] if outcome else registration_import.rows_total) if staged else 0  # type: ignore[index]
    rows: list[StagedRow] = []
    if staged:
        found = import_queries.staged_rows(registration_import, outcome=outcome).defer("sealed_record")
        rows = list(found[offset : offset + limit])
    if rows:  # the rows are personal data: who looked at which is recorded, as on the import's page
        audit.record_read(user, registration_import, note=f"rows: {outcome or 'all'}, offset {offset}, api")
    sensitive = core_access.can(user, "person.view_sensitive", registration_import)
    alike = import_queries.resemblances(user, rows)
    items = [_row(row, sensitive, alike.get(row.pk)) for row in rows]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@router.post("/imports/{import_id}/approve", response={200: ImportOut, 409: Problem, **PROBLEMS})
def approve_import(request: HttpRequest, import_id: UUID, payload: ApproveIn | None = None) -> Any:
    """Approve a checked import: a job adds its sound new rows to the registry and applies its changes, as the
    approver (retries a commit whose job failed). 409 when its state does not allow it, it would change
    nothing, or it is held for its duplicates (`duplicates.awaiting_decision`) and no `accept_duplicates`
    reason is given; 403 when the reason is given by a role that may not accept duplicates. Rows with errors
    never reach the registry."""
    user = _user(request)
    registration_import = _fetch(user, import_id)
    try:
        import_actions.queue_commit(
            acting_user=user,
            registration_import=registration_import,
            accept_duplicates=payload.accept_duplicates if payload is not None else "",
        )
    except ValidationError as error:
        return _refused(request, error)
    return _import(_fetch(user, import_id))


@router.post("/imports/{import_id}/reject", response={200: ImportOut, 409: Problem, **PROBLEMS})
def reject_import(request: HttpRequest, import_id: UUID, payload: RejectIn) -> Any:
    """Reject a checked (or unreadable) import with the reason; nothing from it enters the registry."""
    user = _user(request)
    registration_import = _fetch(user, import_id)
    reason = payload.reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the import is rejected.")})
    try:
        import_actions.reject_registration_import(
            acting_user=user, registration_import=registration_import, reason=reason
        )
    except ValidationError as error:
        return _refused(request, error)
    return _import(_fetch(user, import_id))
