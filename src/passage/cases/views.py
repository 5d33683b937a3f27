"""Pages of cases: the caseload (my cases, my offices, overdue, by state; filters; bulk reassignment), the board
by workflow state, opening a case from a person, household or group, and a case's page.

Thin: a case comes only through cases.access (a 404 for anyone who may not see it), lists through cases.queries,
and every change through one action (the changes to a case are in case_views)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import actions, procedure, queries
from passage.cases.access import MANAGE, VIEW, get_case_for_user, is_named, may, may_name_staff
from passage.cases.forms import (
    AccessForm,
    ApprovalDecisionForm,
    AssignForm,
    DetailsForm,
    DocumentForm,
    NoteForm,
    OpenCaseForm,
    PriorityForm,
    ReassignForm,
    RemoveForm,
    SensitivityForm,
    TaskForm,
)
from passage.cases.models import Case, Priority, Sensitivity
from passage.cases.work_actions import may_complete
from passage.core import access
from passage.core.models import Office, Operation, Programme
from passage.core.models.operations import ProgrammeStatus
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate
from passage.registry.access import get_household_for_user, get_person_for_user
from passage.registry.group_access import get_group_for_user

TIMELINE_PAGE = 25
REASSIGN_MAX = 200  # cases in one bulk reassignment (a page of the caseload, or a few)


def _case_url(case: Case, anchor: str = "") -> str:
    url = reverse("cases_case", kwargs={"case_id": case.pk})
    return f"{url}#{anchor}" if anchor else url


# --- caseload -----------------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> queries.CaseFilters:
    return queries.CaseFilters.from_params(request.GET)


def _state_labels() -> dict[str, str]:
    return procedure.known_state_labels()


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, VIEW, operation_or_403(request))
    filters = _filters(request)
    page = paginate(request, queries.caseload(request.user, operation, filters))
    may_manage = access.can(request.user, MANAGE, operation)
    labels = _state_labels()
    for listed in page.object_list:
        listed.state_label = labels.get(listed.state, listed.state)
    counts = queries.tab_counts(request.user, operation)
    names = {"mine": _("My cases"), "office": _("My offices"), "overdue": _("Overdue"), "state": _("By state")}
    context = {
        "page": page,
        "filters": filters,
        "now": timezone.now(),
        "tabs": [(code, names[code], counts[code]) for code in queries.TABS],
        "states": [(code, labels.get(code, code), n) for code, n in queries.states_in_use(request.user, operation)],
        "state_labels": labels,
        "programmes": Programme.objects.visible_to(me(request)).filter(operation=operation),
        "offices": Office.objects.visible_to(me(request)).filter(operation=operation),
        "priorities": Priority.choices,
        "may_manage": may_manage,
        "may_open": may_manage,
        "may_export": access.can(request.user, "case.export", operation),
        "may_count": access.can(request.user, "case.aggregate", operation),
        "reassign_form": ReassignForm(caseworkers=_reassignees(request, operation)) if may_manage else None,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "cases/caseload.html#caseload-table", context)
    return render(request, "cases/caseload.html", context)


def _reassignees(request: HttpRequest, operation: Operation) -> Any:
    """Whom cases may be given to from the caseload: the caseworkers of one's own offices."""
    return queries.caseworkers_for(operation, offices=queries.my_offices(request.user, operation))


@login_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    """Bulk reassignment: the chosen cases of the caseload to one caseworker, with a result per case."""
    operation = access.require(request.user, MANAGE, operation_or_403(request))
    form = ReassignForm(request.POST, caseworkers=_reassignees(request, operation))
    chosen = request.POST.getlist("case")[:REASSIGN_MAX]
    if not form.is_valid() or not chosen:
        messages.error(
            request,
            _("Choose the cases and the caseworker to give them to.") if form.is_valid() else form.errors.as_text(),
        )
        return redirect(request.POST.get("next") or "cases_caseload")
    cases = list(queries.visible_cases(request.user, operation).filter(pk__in=_uuids(chosen)))
    results = actions.reassign_cases(
        cases=cases,
        caseworker=form.cleaned_data["caseworker"],
        acting_user=me(request),
        reason=form.cleaned_data["reason"],
    )
    missing = len(set(chosen)) - len(cases)
    return render(
        request,
        "cases/reassigned.html",
        {"results": results, "caseworker": form.cleaned_data["caseworker"], "missing": missing},
    )


def _uuids(values: list[str]) -> list[str]:
    import uuid

    found = []
    for value in values:
        try:
            found.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return found


# --- board --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, VIEW, operation_or_403(request))
    programmes = [
        programme
        for programme in Programme.objects.visible_to(me(request)).filter(operation=operation)
        if _workflow_or_none(programme) is not None
    ]
    chosen = next((p for p in programmes if str(p.pk) == request.GET.get("programme")), None)
    chosen = chosen or (programmes[0] if programmes else None)
    columns: list[queries.Column] = []
    workflow = _workflow_or_none(chosen) if chosen else None
    if chosen is not None and workflow is not None:
        states = [(state.code, procedure.label(state.label), state.is_final) for state in workflow.states]
        columns = queries.board(request.user, operation, chosen, [s for s in states if not s[2]])
    return render(
        request,
        "cases/board.html",
        {
            "programmes": programmes,
            "programme": chosen,
            "workflow": workflow,
            "workflow_name": procedure.label(workflow.name) if workflow else "",
            "columns": columns,
            "now": timezone.now(),
        },
    )


def _workflow_or_none(programme: Programme) -> Any:
    try:
        return procedure.workflow_for(programme)
    except ValidationError:
        return None


# --- opening ------------------------------------------------------------------------------------------------


def _subject(request: HttpRequest) -> Any:
    """The person, household or group a case is opened for (from ?person=, ?household= or ?group=)."""
    data = request.POST if request.method == "POST" else request.GET
    for key, fetch in (
        ("person", get_person_for_user),
        ("household", get_household_for_user),
        ("group", get_group_for_user),
    ):
        if data.get(key):
            return key, fetch(request.user, data[key])
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, MANAGE, operation_or_403(request))
    kind, subject = _subject(request)
    if subject is None:
        messages.info(request, _("Open a case from the page of a person, a household or a group."))
        return redirect("registry_people")
    if subject.operation_id != operation.pk:
        raise PermissionDenied
    programmes = (
        Programme.objects.visible_to(me(request)).filter(operation=operation).exclude(status=ProgrammeStatus.CLOSED)
    )
    offices = Office.objects.visible_to(me(request)).filter(operation=operation, is_active=True)
    form = OpenCaseForm(
        request.POST or None,
        programmes=programmes,
        offices=offices,
        caseworkers=queries.caseworkers_for(operation),
        initial={"office": subject.office_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.open_case(
                acting_user=me(request),
                programme=data["programme"],
                office=data["office"],
                caseworker=data["caseworker"],
                priority=data["priority"],
                sensitivity=data["sensitivity"],
                note=data["note"],
                **{kind: subject},
            )
        except ValidationError as error:
            add_action_errors(form, _renamed(error))
        except PermissionDenied:
            form.add_error(None, _("You do not open cases of this programme in this office."))
        else:
            messages.success(request, _("Case %(ref)s is open.") % {"ref": case.reference})
            return redirect(_case_url(case))
    existing = list(queries.cases_of_subject(request.user, subject)[:20])
    return render(request, "cases/open.html", {"form": form, "kind": kind, "subject": subject, "existing": existing})


def _renamed(error: ValidationError) -> ValidationError:
    if hasattr(error, "error_dict") and "subject" in error.error_dict:
        return ValidationError(
            {("__all__" if key == "subject" else key): value for key, value in error.error_dict.items()}
        )
    return error


# --- a case's page ------------------------------------------------------------------------------------------


def case_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    """Everything the case page shows, with the forms given (bound, with their errors) in place of empty ones."""
    user = request.user
    workflow = procedure.workflow_of(case)
    listed = queries.case_page(user, case)
    facts = queries.case_facts(case)
    steps = procedure.steps_for(user, case, facts, listed.approvals)
    roles = procedure.roles_on(user, case)
    manage = may(user, MANAGE, case) and case.is_open
    operation = case.operation
    timeline = paginate(request, queries.timeline_keys(case), TIMELINE_PAGE)
    version = {"version": case.version}
    labels = procedure.state_labels(workflow)
    state = workflow.state(case.state) if workflow.has_state(case.state) else None
    pending = [
        {
            "approval": approval,
            "transition": _transition_label(workflow, approval.transition),
            "may_decide": approval.is_pending
            and approval.requested_by_id != user.pk
            and (procedure.approval_needed(case, approval.transition) or _NO_ROLE).role in roles,
        }
        for approval in listed.approvals
    ]
    context: dict[str, Any] = {
        "case": case,
        "now": timezone.now(),
        "workflow": workflow,
        "workflow_name": procedure.label(workflow.name),
        "state_label": labels.get(case.state, case.state),
        "state": state,
        "steps": steps,
        "pending": pending,
        "tasks": listed.tasks,
        "open_tasks": [task for task in listed.tasks if task.done_at is None],
        "done_tasks": [task for task in listed.tasks if task.done_at is not None],
        "completable": {task.pk for task in listed.tasks if may_complete(user, task)},
        "notes": listed.notes,
        "documents": listed.documents,
        "access": listed.access,
        "named": is_named(user, case),
        "details": [(label, case.detail_values.get(code, "")) for code, label in procedure.detail_fields(workflow)],
        "timeline": timeline,
        "entries": queries.timeline_entries(list(timeline.object_list)),
        "state_labels": labels,
        "may_manage": manage,
        "may_name": may_name_staff(user, case) and case.is_open,
        "may_reopen": may(user, MANAGE, case) and not case.is_open,
        "kinds": dict(procedure.document_kinds(workflow)),
    }
    if manage:
        context.update(
            {
                "task_form": forms.get("task_form") or TaskForm(people=queries.colleagues_for(operation, case=case)),
                "note_form": forms.get("note_form") or NoteForm(),
                "document_form": forms.get("document_form") or DocumentForm(kinds=procedure.document_kinds(workflow)),
                "assign_form": forms.get("assign_form")
                or AssignForm(caseworkers=queries.caseworkers_for(operation, case=case), initial=version),
                "priority_form": forms.get("priority_form")
                or PriorityForm(initial={**version, "priority": case.priority}),
                "details_form": forms.get("details_form")
                or DetailsForm(fields=procedure.detail_fields(workflow), initial={**version, **case.detail_values}),
                "remove_form": RemoveForm(),
            }
        )
    if context["may_name"]:
        context["sensitivity_form"] = forms.get("sensitivity_form") or SensitivityForm(
            initial={**version, "sensitivity": case.sensitivity}
        )
        context["access_form"] = forms.get("access_form") or AccessForm(people=queries.colleagues_for(operation))
    context["decision_form"] = ApprovalDecisionForm()
    context["restricted"] = case.sensitivity != Sensitivity.NORMAL
    return context


class _NoRole:
    role = ""


_NO_ROLE = _NoRole()


def _transition_label(workflow: Any, code: str) -> str:
    try:
        return procedure.label(workflow.transition(code).label)
    except KeyError:
        return code


@login_required
@require_GET
def case(request: HttpRequest, case_id: str) -> HttpResponse:
    found = get_case_for_user(request.user, case_id)
    context = case_context(request, found)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "cases/case.html#timeline", context)
    return render(request, "cases/case.html", context)
