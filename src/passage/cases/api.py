"""Cases through the JSON API: caseloads and counts, a case, opening and changing one, its steps along the
workflow (one case, or many at once with a result per case), bulk reassignment, closing and reopening, and its
tasks, notes, documents, approvals and named staff.

Thin handlers over the pages' own rules: a case comes only through cases.access (a case the caller may not see
is a 404, never a 403, so that a restricted case does not confirm it exists — in lists and counts it is simply
not there), lists through cases.queries, and every change through one action of cases.actions or
cases.work_actions. A change that started from a stale version, or a step the case cannot take now, is a 409
saying who changed what or every reason.
"""

import json
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS, Problem, problem_response
from passage.cases import actions, procedure, queries, work_actions
from passage.cases.access import (
    MANAGE,
    get_access_grant,
    get_approval,
    get_case_for_user,
    get_case_to_change,
    get_document,
    get_document_for_user,
    get_task,
    is_named,
    notes_for,
)
from passage.cases.actions import CaseChangedMeanwhile
from passage.cases.documents import open_document
from passage.cases.models import Case, CaseAccess, CaseApproval, CaseDocument, CaseNote, Task
from passage.cases.procedure import TransitionRefused
from passage.cases.schemas import (
    AccessIn,
    AccessOut,
    ApprovalDecisionIn,
    ApprovalIn,
    ApprovalOut,
    BulkOut,
    BulkTransitionIn,
    CaseConflictProblem,
    CaseCountsOut,
    CaseDocumentOut,
    CaseIn,
    CaseListQuery,
    CaseOut,
    CasePatchIn,
    CaseSummaryOut,
    CloseIn,
    NoteIn,
    NoteOut,
    ReassignIn,
    RemoveIn,
    ReopenIn,
    RevokeIn,
    StepOut,
    TaskDoneIn,
    TaskIn,
    TaskOut,
    TransitionIn,
)
from passage.core import access as core_access
from passage.core.models import Operation, User
from passage.registry.access import get_household_for_user, get_person_for_user
from passage.registry.group_access import get_group_for_user

router = Router(tags=["cases"])

T = TypeVar("T")
CONFLICTS: dict[int, type[Problem]] = {409: CaseConflictProblem}


def _user(request: HttpRequest) -> User:
    """The token's owner (set by passage.api.auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _not_there() -> str:
    """A case that does not exist and one the caller may not see are refused in the same words."""
    return _("There is nothing here, or you may not see it.")


def _case_out(user: User, case: Case) -> Case:
    """The case with what CaseOut adds to a case in a list: its workflow and state in words, and whether the caller
    is named on it."""
    try:
        workflow = procedure.workflow_of(case)
    except KeyError:  # a workflow version no longer known: the codes still say where the case is
        case.workflow_name, case.state_label = case.workflow_code, case.state  # type: ignore[attr-defined]
    else:
        case.workflow_name = procedure.label(workflow.name)  # type: ignore[attr-defined]
        case.state_label = procedure.state_labels(workflow).get(case.state, case.state)  # type: ignore[attr-defined]
    case.named = is_named(user, case)  # type: ignore[attr-defined]
    return case


def _conflict(request: HttpRequest, conflict: CaseChangedMeanwhile) -> HttpResponse:
    """409 with the page's message, who changed which fields since, and the version to start from again."""
    changes = [
        {"at": change["at"], "by": change["by"], "fields": list(change["fields"])} for change in conflict.changes
    ]
    errors = [
        {"field": name, "message": _("Changed by someone else after version %(v)s.") % {"v": conflict.expected_version}}
        for name in conflict.fields
    ]
    response = problem_response(request, 409, str(conflict), errors or None)
    body = json.loads(response.content)
    body |= {"current_version": conflict.current_version, "changes": changes}
    response.content = json.dumps(body, cls=DjangoJSONEncoder).encode()
    return response


def _run(request: HttpRequest, change: Callable[[], T]) -> T | HttpResponse:
    """Run one change; its refusals as problems: a stale version or a step the case cannot take is a 409 (with
    who changed what, or every reason), as is a change the case's state does not allow (it is closed, the task
    is done already…). A problem with a field (a bad value) stays a 422."""
    try:
        return change()
    except CaseChangedMeanwhile as conflict:
        return _conflict(request, conflict)
    except TransitionRefused as refused:
        errors = [{"field": None, "message": reason} for reason in refused.reasons]
        return problem_response(request, 409, str(refused), errors)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        return problem_response(request, 409, " ".join(error.messages))


def _colleague(operation: Operation, user_id: UUID | None, field: str, *, managers: bool = False) -> User | None:
    """A person who works on cases of the operation (who manages them, with `managers`); a 422 on `field` for
    anyone else, so that the API says nothing of other people's accounts."""
    if user_id is None:
        return None
    people = queries.caseworkers_for(operation) if managers else queries.colleagues_for(operation)
    found = people.filter(pk=user_id).first()
    if found is None:
        raise ValidationError({field: _("Nobody who works on cases in this operation has this id.")})
    return found


# --- caseloads (before /cases/{case_id}, whose pattern would take their paths) ----------------------------------


@router.get("/cases", response={200: list[CaseSummaryOut], **PROBLEMS})
@paginate(LimitOffset)
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> QuerySet[Case]:
    """A caseload of the operation, most urgent first (priority, then the state's deadline, then the oldest), as
    the caseload page narrows it; needs case.view. A restricted case is listed only to its named staff."""
    user = _user(request)
    operation = core_access.require(user, "case.view", core_access.get_operation_for_user(user, filters.operation))
    narrowed = queries.CaseFilters(
        tab=filters.tab,
        text=filters.q,
        programme=str(filters.programme or ""),
        office=str(filters.office or ""),
        state=filters.state,
        priority=str(filters.priority) if filters.priority is not None else "",
        status=filters.status,
        caseworker=str(filters.caseworker or ""),
    )
    return queries.caseload(user, operation, narrowed)


@router.get("/cases/counts", response={200: CaseCountsOut, **PROBLEMS})
def count_cases(request: HttpRequest, operation: UUID) -> dict[str, Any]:
    """How many open cases the caller sees in the operation, by caseload tab and by state (restricted cases count
    only for their named staff); needs case.view."""
    user = _user(request)
    target = core_access.require(user, "case.view", core_access.get_operation_for_user(user, operation))
    counts = queries.tab_counts(user, target)
    return {
        "operation_id": target.pk,
        "mine": counts["mine"],
        "office": counts["office"],
        "overdue": counts["overdue"],
        "open": counts["state"],
        "states": dict(queries.states_in_use(user, target)),
    }


@router.post("/cases/transitions", response={200: BulkOut, **PROBLEMS})
def transition_cases(request: HttpRequest, payload: BulkTransitionIn) -> dict[str, Any]:
    """Take one step for several cases, each on its own transaction: one refused does not undo or stop the others.
    The answer has a result per case, in the order asked: done (with the new state and version), or refused
    with the reason — a stale version, what is missing, a role that may not, or a case that does not exist or
    that the caller may not see (the same words for both)."""
    user = _user(request)
    asked = list(dict.fromkeys(item.id for item in payload.cases))
    versions = {item.id: item.version for item in payload.cases}
    found = {case.pk: case for case in Case.objects.visible_to(user).filter(pk__in=asked)}
    moved = {
        result.case_id: result
        for result in actions.transition_cases(
            cases=[found[case_id] for case_id in asked if case_id in found],
            transition=payload.transition,
            acting_user=user,
            reason=payload.reason,
            versions=versions,
        )
    }
    results: list[dict[str, Any]] = []
    for case_id in asked:
        result = moved.get(case_id)
        if result is None:
            results.append({"case_id": case_id, "reference": None, "ok": False, "detail": _not_there()})
        else:
            results.append(
                {
                    "case_id": case_id,
                    "reference": result.reference,
                    "ok": result.ok,
                    "detail": result.message,
                    "state": result.state,
                    "version": result.version,
                }
            )
    done = sum(1 for result in results if result["ok"])
    return {"done": done, "refused": len(results) - done, "results": results}


@router.post("/cases/reassignments", response={200: BulkOut, **PROBLEMS})
def reassign_cases(request: HttpRequest, payload: ReassignIn) -> dict[str, Any]:
    """Give several cases of the operation to one caseworker, each on its own (as the caseload page's bulk
    reassignment), with a result per case; needs case.manage in the operation."""
    user = _user(request)
    operation = core_access.require(user, MANAGE, core_access.get_operation_for_user(user, payload.operation))
    caseworker = _colleague(operation, payload.caseworker, "caseworker", managers=True)
    assert caseworker is not None  # noqa: S101 (the id is required by the schema)
    asked = list(dict.fromkeys(payload.cases))
    found = {case.pk: case for case in queries.visible_cases(user, operation).filter(pk__in=asked)}
    reassigned = {
        result.case_id: result
        for result in actions.reassign_cases(
            cases=[found[case_id] for case_id in asked if case_id in found],
            caseworker=caseworker,
            acting_user=user,
            reason=payload.reason,
        )
    }
    results: list[dict[str, Any]] = []
    for case_id in asked:
        result = reassigned.get(case_id)
        if result is None:
            results.append({"case_id": case_id, "reference": None, "ok": False, "detail": _not_there()})
        else:
            results.append(
                {"case_id": case_id, "reference": result.reference, "ok": result.ok, "detail": result.message}
            )
    done = sum(1 for result in results if result["ok"])
    return {"done": done, "refused": len(results) - done, "results": results}


# --- a case -------------------------------------------------------------------------------------------------


@router.post("/cases", response={201: CaseOut, **PROBLEMS})
def open_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    """Open a case: enrol one person, household or group in a programme, in an office. It starts in the first
    state of the workflow in use for the programme. Needs case.manage for the programme and office, and sight
    of the person, household or group."""
    user = _user(request)
    programme = core_access.get_programme_for_user(user, payload.programme)
    office = core_access.get_office_for_user(user, payload.office)
    case = actions.open_case(
        acting_user=user,
        programme=programme,
        office=office,
        person=get_person_for_user(user, payload.person) if payload.person else None,
        household=get_household_for_user(user, payload.household) if payload.household else None,
        group=get_group_for_user(user, payload.group) if payload.group else None,
        caseworker=_colleague(programme.operation, payload.caseworker, "caseworker", managers=True),
        priority=payload.priority,
        sensitivity=payload.sensitivity,
        note=payload.note,
    )
    return Status(201, _case_out(user, case))


@router.get("/cases/{case_id}", response={200: CaseOut, **PROBLEMS})
def get_case(request: HttpRequest, case_id: UUID) -> Case:
    """A case; reading it is recorded in the audit trail."""
    user = _user(request)
    return _case_out(user, get_case_for_user(user, case_id))


@router.patch("/cases/{case_id}", response={200: CaseOut, **CONFLICTS, **PROBLEMS})
def update_case(request: HttpRequest, case_id: UUID, payload: CasePatchIn) -> Any:
    """Change the caseworker, priority, sensitivity or programme fields of a case; only the fields sent change
    (a value the case already has is left alone), all or none. Needs case.manage; the sensitivity, whoever may
    name staff (on a highly restricted case, its caseworker), with a reason."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    sent = payload.dict(exclude_unset=True, exclude={"version", "reason"})
    if not sent:
        raise ValidationError(_("Send at least one of caseworker, priority, sensitivity and details."))
    if "caseworker" in sent and sent["caseworker"] is None:
        raise ValidationError({"caseworker": _("Name the caseworker.")})
    for name in ("priority", "sensitivity", "details"):
        if name in sent and sent[name] is None:
            raise ValidationError({name: _("Give a value.")})
    caseworker = _colleague(case.operation, sent.get("caseworker"), "caseworker", managers=True)

    @transaction.atomic
    def change() -> Case:
        current, version = case, payload.version
        if payload.details is not None:
            current = actions.set_details(case=current, values=payload.details, acting_user=user, version=version)
            version = current.version
        if payload.priority is not None and payload.priority != current.priority:
            current = actions.set_priority(
                case=current, priority=payload.priority, acting_user=user, version=version, reason=payload.reason
            )
            version = current.version
        if caseworker is not None and caseworker.pk != current.caseworker_id:
            current = actions.assign_case(
                case=current, caseworker=caseworker, acting_user=user, version=version, reason=payload.reason
            )
            version = current.version
        if payload.sensitivity is not None and payload.sensitivity != current.sensitivity:
            current = actions.set_sensitivity(
                case=current, sensitivity=payload.sensitivity, acting_user=user, version=version, reason=payload.reason
            )
            version = current.version
        if version == payload.version and current.version != version:  # nothing to change, from a stale version
            raise CaseChangedMeanwhile(current, version, actions.changes_since(current, version))
        return current

    changed = _run(request, change)
    if isinstance(changed, HttpResponse):
        return changed
    return _case_out(user, changed)


@router.post("/cases/{case_id}/close", response={200: CaseOut, **CONFLICTS, **PROBLEMS})
def close_case(request: HttpRequest, case_id: UUID, payload: CloseIn) -> Any:
    """Close a case outside its workflow's own end (the person withdrew, moved away, contact was lost…), with the
    reason; the state it was in is kept. Needs case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    closed = _run(
        request,
        lambda: actions.close_case(
            case=case, acting_user=user, reason=payload.reason, note=payload.note, version=payload.version
        ),
    )
    return closed if isinstance(closed, HttpResponse) else _case_out(user, closed)


@router.post("/cases/{case_id}/reopen", response={200: CaseOut, **CONFLICTS, **PROBLEMS})
def reopen_case(request: HttpRequest, case_id: UUID, payload: ReopenIn) -> Any:
    """Reopen a closed case, with the reason. Needs case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    reopened = _run(
        request,
        lambda: actions.reopen_case(case=case, acting_user=user, reason=payload.reason, version=payload.version),
    )
    return reopened if isinstance(reopened, HttpResponse) else _case_out(user, reopened)


# --- steps along the workflow -------------------------------------------------------------------------------


@router.get("/cases/{case_id}/transitions", response={200: list[StepOut], **PROBLEMS})
def list_transitions(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    """The steps the caller may take from the case's state (those their roles on the case allow), each with what
    is still missing; empty for a closed case."""
    user = _user(request)
    case = get_case_for_user(user, case_id, audited=False)
    pending = case.approvals.filter(state=case.state, used_at__isnull=True).select_related("requested_by")
    steps = procedure.steps_for(user, case, queries.case_facts(case), pending)
    return [
        {
            "transition": step.code,
            "label": step.label,
            "target": step.transition.target,
            "target_label": step.target_label,
            "ready": step.ready,
            "missing": step.missing,
            "needs_reason": step.needs_reason,
            "approval_role": step.approval_role,
            "pending_approval_id": step.pending_approval.pk if step.pending_approval else None,
            "may_ask_approval": step.may_ask_approval,
        }
        for step in steps
    ]


@router.post("/cases/{case_id}/transitions", response={200: CaseOut, **CONFLICTS, **PROBLEMS})
def take_transition(request: HttpRequest, case_id: UUID, payload: TransitionIn) -> Any:
    """Take one step along the case's workflow. 409 when it cannot be taken now (`errors` lists every reason:
    a role that may not, forms, documents, fields, a second person's approval, a reason) or when the case changed
    since `version`. A final state closes the case. Needs case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    moved = _run(
        request,
        lambda: actions.transition_case(
            case=case, transition=payload.transition, acting_user=user, version=payload.version, reason=payload.reason
        ),
    )
    return moved if isinstance(moved, HttpResponse) else _case_out(user, moved)


# --- tasks --------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/tasks", response={200: list[TaskOut], **PROBLEMS})
@paginate(LimitOffset)
def list_tasks(request: HttpRequest, case_id: UUID) -> QuerySet[Task]:
    """The case's tasks, open ones first, by due date."""
    case = get_case_for_user(_user(request), case_id, audited=False)
    return case.tasks.select_related("assignee", "done_by")


@router.post("/cases/{case_id}/tasks", response={201: TaskOut, **CONFLICTS, **PROBLEMS})
def add_task(request: HttpRequest, case_id: UUID, payload: TaskIn) -> Any:
    """A task by hand, for someone who sees the case or for whoever holds a role (the caseworker when neither is
    given). Needs case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    assignee = _colleague(case.operation, payload.assignee, "assignee")
    task = _run(
        request,
        lambda: work_actions.add_task(
            case=case,
            acting_user=user,
            title=payload.title,
            due_on=payload.due_on,
            assignee=assignee,
            assignee_role=payload.assignee_role.strip(),
            description=payload.description,
        ),
    )
    return task if isinstance(task, HttpResponse) else Status(201, task)


@router.post("/cases/{case_id}/tasks/{task_id}/complete", response={200: TaskOut, **CONFLICTS, **PROBLEMS})
def complete_task(request: HttpRequest, case_id: UUID, task_id: UUID, payload: TaskDoneIn) -> Any:
    """Mark a task done: by whoever manages the case, or the person it is for. 409 when it is done already."""
    user = _user(request)
    case = get_case_for_user(user, case_id, audited=False)
    task = get_task(case, task_id)
    if task.done_at is None and not work_actions.may_complete(user, task):
        raise Http404
    return _run(request, lambda: work_actions.complete_task(task=task, acting_user=user, note=payload.note))


# --- notes --------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/notes", response={200: list[NoteOut], **PROBLEMS})
@paginate(LimitOffset)
def list_notes(request: HttpRequest, case_id: UUID) -> QuerySet[CaseNote]:
    """The case's notes the caller may read, newest first: a private note only by its author and the case's named
    staff. Reading them is recorded in the audit trail."""
    user = _user(request)
    return notes_for(user, get_case_for_user(user, case_id))


@router.post("/cases/{case_id}/notes", response={201: NoteOut, **PROBLEMS})
def add_note(request: HttpRequest, case_id: UUID, payload: NoteIn) -> Status[CaseNote]:
    """A note on the case, encrypted at rest; a private one is read only by its author and the named staff. Needs
    case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    return Status(201, work_actions.add_note(case=case, acting_user=user, text=payload.text, private=payload.private))


# --- documents ----------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/documents", response={200: list[CaseDocumentOut], **PROBLEMS})
@paginate(LimitOffset)
def list_documents(request: HttpRequest, case_id: UUID) -> QuerySet[CaseDocument]:
    """The documents on the case, newest first (removed ones are not listed)."""
    case = get_case_for_user(_user(request), case_id, audited=False)
    return case.documents.filter(removed_at__isnull=True).select_related("uploaded_by")


@router.post("/cases/{case_id}/documents", response={201: CaseDocumentOut, **CONFLICTS, **PROBLEMS})
def upload_document(
    request: HttpRequest, case_id: UUID, file: File[UploadedFile], kind: Form[str], title: Form[str] = ""
) -> Any:
    """Add a file (multipart/form-data: `file`, `kind`, optionally `title`): one of the kinds of document of the
    case's workflow (or `other`), a PDF, JPEG, PNG, DOCX or XLSX file as read from its bytes, within the size
    limit; refused on `file` otherwise. Stored encrypted. Needs case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    document = _run(
        request,
        lambda: work_actions.upload_document(
            case=case,
            acting_user=user,
            kind=kind.strip(),
            upload=file,  # type: ignore[arg-type]  # a Django UploadedFile reads and seeks like one
            filename=file.name or "",
            size=file.size or 0,
            title=title,
        ),
    )
    return document if isinstance(document, HttpResponse) else Status(201, document)


@router.get(
    "/cases/{case_id}/documents/{document_id}/file",
    response={200: None, **PROBLEMS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file as uploaded, as an attachment",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_document(request: HttpRequest, case_id: UUID, document_id: UUID) -> FileResponse:
    """The file of a document, decrypted; opening it is recorded in the audit trail."""
    found = get_document_for_user(_user(request), case_id, document_id)
    return FileResponse(
        open_document(found), as_attachment=True, filename=found.filename, content_type=found.content_type
    )


@router.post(
    "/cases/{case_id}/documents/{document_id}/remove", response={200: CaseDocumentOut, **CONFLICTS, **PROBLEMS}
)
def remove_document(request: HttpRequest, case_id: UUID, document_id: UUID, payload: RemoveIn) -> Any:
    """Take a document off the case, with the reason: the file is deleted, the record of it is kept. Needs
    case.manage."""
    user = _user(request)
    document = get_document(get_case_to_change(user, case_id), document_id)
    return _run(
        request, lambda: work_actions.remove_document(document=document, acting_user=user, reason=payload.reason)
    )


# --- approvals ----------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/approvals", response={200: list[ApprovalOut], **PROBLEMS})
@paginate(LimitOffset)
def list_approvals(request: HttpRequest, case_id: UUID) -> QuerySet[CaseApproval]:
    """Second-person approvals asked for on the case, newest first, pending or decided."""
    case = get_case_for_user(_user(request), case_id, audited=False)
    return case.approvals.select_related("requested_by", "decided_by")


@router.post("/cases/{case_id}/approvals", response={201: ApprovalOut, **CONFLICTS, **PROBLEMS})
def request_approval(request: HttpRequest, case_id: UUID, payload: ApprovalIn) -> Any:
    """Ask a second person to approve a step that needs one, in the case's current state. Needs case.manage."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    approval = _run(
        request,
        lambda: actions.request_approval(case=case, transition=payload.transition, acting_user=user, note=payload.note),
    )
    return approval if isinstance(approval, HttpResponse) else Status(201, approval)


@router.post("/cases/{case_id}/approvals/{approval_id}/decision", response={200: ApprovalOut, **CONFLICTS, **PROBLEMS})
def decide_approval(request: HttpRequest, case_id: UUID, approval_id: UUID, payload: ApprovalDecisionIn) -> Any:
    """Approve or refuse a step (a refusal says why): by someone holding the workflow's approving role for the
    case, other than whoever asked (403 for anyone else who sees the case). 409 when it was decided already or
    the case has moved on."""
    user = _user(request)
    case = get_case_for_user(user, case_id, audited=False)
    approval = get_approval(case, approval_id)
    return _run(
        request,
        lambda: actions.decide_approval(
            approval=approval, acting_user=user, approve=payload.approve, note=payload.note
        ),
    )


# --- named staff --------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/access", response={200: list[AccessOut], **PROBLEMS})
@paginate(LimitOffset)
def list_access(request: HttpRequest, case_id: UUID) -> QuerySet[CaseAccess]:
    """The people named on the case (besides its caseworker), and why."""
    case = get_case_for_user(_user(request), case_id, audited=False)
    return case.access_grants.filter(revoked_at__isnull=True).select_related("user", "granted_by")


@router.post("/cases/{case_id}/access", response={201: AccessOut, **PROBLEMS})
def grant_access(request: HttpRequest, case_id: UUID, payload: AccessIn) -> Status[CaseAccess]:
    """Name someone who works on cases in the operation on the case, with the reason: they see it, restricted or
    not. Needs case.manage (on a highly restricted case, only its caseworker names staff)."""
    user = _user(request)
    case = get_case_to_change(user, case_id)
    named = _colleague(case.operation, payload.user, "user")
    assert named is not None  # noqa: S101 (the id is required by the schema)
    return Status(201, actions.grant_access(case=case, user=named, acting_user=user, reason=payload.reason))


@router.post("/cases/{case_id}/access/{grant_id}/revoke", response={200: AccessOut, **CONFLICTS, **PROBLEMS})
def revoke_access(request: HttpRequest, case_id: UUID, grant_id: UUID, payload: RevokeIn) -> Any:
    """Stop someone named on the case from seeing it (as named staff). Needs case.manage."""
    user = _user(request)
    grant = get_access_grant(get_case_to_change(user, case_id), grant_id)
    return _run(request, lambda: actions.revoke_access(grant=grant, acting_user=user, reason=payload.reason))


# Assessments and referrals hang off cases, in modules of their own (one idea per module), under this router.
router.add_router("", "passage.cases.assessment_api.router")
router.add_router("", "passage.cases.referral_api.router")
