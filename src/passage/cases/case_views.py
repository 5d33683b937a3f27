"""Changes to one case from its page: steps along the workflow (with the reason and what is missing), approvals,
caseworker, priority, sensitivity, programme fields, named staff, tasks, notes, documents, closing and reopening.

Each view fetches the case through cases.access (404 for anyone who may not change it), calls one action, and
goes back to the case page; a form with errors is shown on the case page again, and an edit that started
before someone else's change gets the conflict page (what changed, by whom, when), never a silent overwrite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import actions, procedure, queries, work_actions
from passage.cases.access import (
    get_access_grant,
    get_approval,
    get_case_for_user,
    get_case_to_change,
    get_document,
    get_document_for_user,
    get_task,
)
from passage.cases.actions import CaseChangedMeanwhile
from passage.cases.documents import open_document
from passage.cases.forms import (
    AccessForm,
    ApprovalDecisionForm,
    ApprovalRequestForm,
    AssignForm,
    CloseForm,
    DetailsForm,
    DocumentForm,
    NoteForm,
    PriorityForm,
    RemoveForm,
    ReopenForm,
    SensitivityForm,
    TaskForm,
    TransitionForm,
)
from passage.cases.models import Case
from passage.cases.procedure import TransitionRefused
from passage.cases.views import _case_url, case_context
from passage.core.views._util import add_action_errors, me


def _page(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    """The case page again, with a form and its errors."""
    return render(request, "cases/case.html", case_context(request, case, **forms))


def _conflict(request: HttpRequest, conflict: CaseChangedMeanwhile, what: str) -> HttpResponse:
    """Someone changed the case after this edit started: say who changed what, show the case as it is now, and
    let the person decide again. Nothing of the edit was saved."""
    current = get_case_for_user(request.user, conflict.case.pk, audited=False)
    changes = [
        {**change, "fields": [actions.field_label(name) for name in change["fields"]]} for change in conflict.changes
    ]
    labels = procedure.state_labels(procedure.workflow_of(current))
    return render(
        request,
        "cases/conflict.html",
        {
            "case": current,
            "conflict": conflict,
            "what": what,
            "changes": changes,
            "state_label": labels.get(current.state, current.state),
        },
        status=409,
    )


def _done(request: HttpRequest, case: Case, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        return redirect("cases_caseload")  # restricted by this change, and the person is not named
    return redirect(_case_url(case, anchor))


def _edit(
    request: HttpRequest,
    case: Case,
    form: Any,
    name: str,
    run: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str,
) -> HttpResponse:
    """Run an edit of the case from a valid form: back to the page (with `done`), the page with the errors, or the
    conflict page."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        except CaseChangedMeanwhile as conflict:
            return _conflict(request, conflict, name)
        else:
            return _done(request, case, done, anchor)
    return _page(request, case, **{name: form})


# --- steps along the workflow -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transition(request: HttpRequest, case_id: str, code: str) -> HttpResponse:
    """A step with its reason: what it leads to and what is still missing (the action says it again if so)."""
    case = get_case_to_change(request.user, case_id)
    workflow = procedure.workflow_of(case)
    try:
        step = workflow.transition(code)
    except KeyError:
        raise Http404 from None
    form = TransitionForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            moved = actions.transition_case(
                case=case,
                transition=code,
                acting_user=me(request),
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except TransitionRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        except ValidationError as error:
            add_action_errors(form, error)
        except CaseChangedMeanwhile as conflict:
            return _conflict(request, conflict, "transition")
        else:
            labels = procedure.state_labels(workflow)
            return _done(
                request,
                moved,
                _("Case %(ref)s is now in “%(state)s”.")
                % {"ref": moved.reference, "state": labels.get(moved.state, moved.state)},
            )
    steps = {s.code: s for s in procedure.steps_for(request.user, case, queries.case_facts(case))}
    labels = procedure.state_labels(workflow)
    return render(
        request,
        "cases/transition.html",
        {
            "case": case,
            "step": steps.get(code),
            "label": procedure.label(step.label),
            "description": procedure.label(step.description),
            "target": labels.get(step.target, step.target),
            "state_label": labels.get(case.state, case.state),
            "needs_reason": step.requires.reason,
            "form": form,
        },
    )


@login_required
@require_POST
def approval_request(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = ApprovalRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.request_approval(
                case=case,
                transition=form.cleaned_data["transition"],
                acting_user=me(request),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The approval is asked for."))
    return redirect(_case_url(case, "state"))


@login_required
@require_POST
def approval_decide(request: HttpRequest, case_id: str, approval_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, case_id, audited=False)
    approval = get_approval(case, approval_id)
    form = ApprovalDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_approval(
                approval=approval,
                acting_user=me(request),
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            messages.error(request, _("Your role does not approve this step."))
        else:
            messages.success(request, _("Your decision is recorded."))
    return redirect(_case_url(case, "state"))


# --- the case itself ----------------------------------------------------------------------------------------


@login_required
@require_POST
def assign(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = AssignForm(request.POST, caseworkers=queries.caseworkers_for(case.operation, case=case))

    def run(data: dict[str, Any]) -> Any:
        return actions.assign_case(
            case=case,
            caseworker=data["caseworker"],
            acting_user=me(request),
            version=data["version"],
            reason=data["reason"],
        )

    return _edit(request, case, form, "assign_form", run, _("The caseworker is changed."), "settings")


@login_required
@require_POST
def priority(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = PriorityForm(request.POST)

    def run(data: dict[str, Any]) -> Any:
        return actions.set_priority(
            case=case, priority=data["priority"], acting_user=me(request), version=data["version"]
        )

    return _edit(request, case, form, "priority_form", run, _("The priority is changed."), "settings")


@login_required
@require_POST
def sensitivity(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = SensitivityForm(request.POST)

    def run(data: dict[str, Any]) -> Any:
        return actions.set_sensitivity(
            case=case,
            sensitivity=data["sensitivity"],
            acting_user=me(request),
            version=data["version"],
            reason=data["reason"],
        )

    try:
        return _edit(request, case, form, "sensitivity_form", run, _("The sensitivity is changed."), "access")
    except PermissionDenied:
        raise Http404 from None


@login_required
@require_POST
def details(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = DetailsForm(request.POST, fields=procedure.detail_fields(procedure.workflow_of(case)))

    def run(data: dict[str, Any]) -> Any:
        return actions.set_details(case=case, values=form.values(), acting_user=me(request), version=data["version"])

    return _edit(request, case, form, "details_form", run, _("The case's details are saved."), "details")


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    if not case.is_open:
        return redirect(_case_url(case))
    form = CloseForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.close_case(
                case=case, acting_user=me(request), reason=data["reason"], note=data["note"], version=data["version"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except CaseChangedMeanwhile as conflict:
            return _conflict(request, conflict, "close")
        else:
            return _done(request, case, _("Case %(ref)s is closed.") % {"ref": case.reference})
    return render(request, "cases/close.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    if case.is_open:
        return redirect(_case_url(case))
    form = ReopenForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.reopen_case(case=case, acting_user=me(request), reason=data["reason"], version=data["version"])
        except ValidationError as error:
            add_action_errors(form, error)
        except CaseChangedMeanwhile as conflict:
            return _conflict(request, conflict, "reopen")
        else:
            return _done(request, case, _("Case %(ref)s is open again.") % {"ref": case.reference})
    return render(request, "cases/reopen.html", {"case": case, "form": form})


# --- named staff --------------------------------------------------------------------------------------------


@login_required
@require_POST
def access_grant(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = AccessForm(request.POST, people=queries.colleagues_for(case.operation))
    if form.is_valid():
        try:
            actions.grant_access(
                case=case, user=form.cleaned_data["user"], acting_user=me(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return _done(
                request, case, _("%(name)s is named on the case.") % {"name": form.cleaned_data["user"]}, "access"
            )
    return _page(request, case, access_form=form)


@login_required
@require_POST
def access_revoke(request: HttpRequest, case_id: str, grant_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    grant = get_access_grant(case, grant_id)
    try:
        actions.revoke_access(grant=grant, acting_user=me(request), reason=request.POST.get("reason", "")[:2000])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("%(name)s no longer sees the case.") % {"name": grant.user})
    return redirect(_case_url(case, "access"))


# --- tasks, notes, documents --------------------------------------------------------------------------------


@login_required
@require_POST
def task_add(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = TaskForm(request.POST, people=queries.colleagues_for(case.operation, case=case))
    if form.is_valid():
        data = form.cleaned_data
        try:
            work_actions.add_task(
                case=case,
                acting_user=me(request),
                title=data["title"],
                due_on=data["due_on"],
                assignee=data["assignee"],
                assignee_role=data["assignee_role"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _done(request, case, _("The task is added."), "tasks")
    return _page(request, case, task_form=form)


@login_required
@require_POST
def task_done(request: HttpRequest, case_id: str, task_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, case_id, audited=False)
    task = get_task(case, task_id)
    if not work_actions.may_complete(request.user, task) and task.done_at is None:
        raise Http404
    try:
        work_actions.complete_task(task=task, acting_user=me(request), note=request.POST.get("note", "")[:2000])
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("The task is done."))
    return redirect(_case_url(case, "tasks"))


@login_required
@require_POST
def note_add(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            work_actions.add_note(
                case=case, acting_user=me(request), text=form.cleaned_data["text"], private=form.cleaned_data["private"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _done(request, case, _("The note is added."), "notes")
    return _page(request, case, note_form=form)


@login_required
@require_POST
def document_add(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    form = DocumentForm(request.POST, request.FILES, kinds=procedure.document_kinds(procedure.workflow_of(case)))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            work_actions.upload_document(
                case=case,
                acting_user=me(request),
                kind=form.cleaned_data["kind"],
                upload=upload,
                filename=upload.name or "",
                size=upload.size or 0,
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _done(request, case, _("The document is added."), "documents")
    return _page(request, case, document_form=form)


@login_required
@require_GET
def document(request: HttpRequest, case_id: str, document_id: str) -> FileResponse:
    found = get_document_for_user(request.user, case_id, document_id)
    return FileResponse(
        open_document(found), as_attachment=True, filename=found.filename, content_type=found.content_type
    )


@login_required
@require_POST
def document_remove(request: HttpRequest, case_id: str, document_id: str) -> HttpResponse:
    case = get_case_to_change(request.user, case_id)
    found = get_document(case, document_id)
    form = RemoveForm(request.POST)
    if form.is_valid():
        work_actions.remove_document(document=found, acting_user=me(request), reason=form.cleaned_data["reason"])
        messages.success(request, _("The document is removed."))
    else:
        messages.error(request, _("Say why the document is removed."))
    return redirect(_case_url(case, "documents"))
