"""Pages of the operation's workflows: the list (shipped and the operation's own versions, the one in use, open
cases on each), a workflow's page (its diagram, states, transitions, YAML and history), the editor (check as
you type, save as a draft, publish) and two versions side by side.

Thin: reads through workflow_queries (which decides who may see what), changes through workflow_actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import procedure
from passage.cases import workflow_actions as actions
from passage.cases import workflow_queries as queries
from passage.cases.workflows.definition import Workflow
from passage.cases.workflows.diagram import workflow_svg
from passage.cases.workflows.loader import Parsed
from passage.cases.workflows.problems import Problem, WorkflowInvalid
from passage.core import access
from passage.core.views._util import me, operation_or_403

TEXT_MAX = 200_000  # characters of YAML: the longest shipped workflow is under 12,000


def _svg(workflow: Workflow, current: str | None = None) -> SafeString:
    """The diagram, inline (diagram.py escapes every text it draws), mirrored for right-to-left languages."""
    return mark_safe(workflow_svg(workflow, language=get_language() or "en", gettext=_, current=current))  # noqa: S308


def _workflow_url(code: str, version: int | None = None) -> str:
    if version is None:
        return reverse("cases_workflow", kwargs={"code": code})
    return reverse("cases_workflow_version", kwargs={"code": code, "version": version})


@login_required
@require_GET
def workflow_list(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, queries.VIEW, operation_or_403(request))
    return render(
        request,
        "cases/workflows/list.html",
        {
            "summaries": queries.summaries(request.user, operation),
            "may_manage": access.can(request.user, queries.MANAGE, operation),
        },
    )


@login_required
@require_GET
def workflow_detail(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    operation = operation_or_403(request)
    shown = queries.get_workflow_for_user(request.user, operation, code, version)
    workflow = shown.workflow
    current = request.GET.get("state", "")[:64]
    context: dict[str, Any] = {
        "shown": shown,
        "summary": shown.summary,
        "row": shown.version,
        "workflow": workflow,
        "lines": queries.numbered(shown.text),
        "may_manage": access.can(request.user, queries.MANAGE, operation),
    }
    if workflow is not None:
        states, transitions = queries.tables(workflow)
        highlighted = current if workflow.has_state(current) else None
        context.update(
            {
                "name": procedure.label(workflow.name),
                "description": procedure.label(workflow.description),
                "svg": _svg(workflow, highlighted),
                "states": states,
                "transitions": transitions,
                "current": highlighted,
            }
        )
    return render(request, "cases/workflows/detail.html", context)


def _check_context(checked: Parsed, text: str) -> dict[str, Any]:
    """What the editor shows after a check: each problem with its line's text, and the diagram when the
    workflow can be drawn (no errors)."""
    lines = text.splitlines()
    problems = [
        {"problem": problem, "source": lines[problem.line - 1] if problem.line and problem.line <= len(lines) else ""}
        for problem in checked.problems
    ]
    context: dict[str, Any] = {"problems": problems, "errors": len(checked.errors), "warnings": len(checked.warnings)}
    if checked.workflow is not None and not checked.errors:
        context["preview"] = _svg(checked.workflow)
    context["checked"] = True
    return context


def _problems_context(problems: tuple[Problem, ...], text: str) -> dict[str, Any]:
    return _check_context(Parsed(None, problems), text)


@login_required
@require_http_methods(["GET", "POST"])
def workflow_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The editor: the draft's text (or the version in use, as the next version, when there is no draft yet),
    checked on request; saved as a draft, or saved and published."""
    operation = operation_or_403(request)
    draft = queries.get_draft_for_user(request.user, operation, code)
    summary = queries.summaries(request.user, operation, code)[0]
    version = draft.version if draft is not None else queries.next_version(operation, code)
    if draft is not None:
        text = draft.text
    else:
        text = queries.with_version(queries.text_of(operation, code, summary.in_use) or "", version)
    context: dict[str, Any] = {"summary": summary, "draft": draft, "version": version}
    if request.method == "POST":
        text = request.POST.get("text", "")[:TEXT_MAX]
        intent = request.POST.get("intent", "check")
        revision = _revision(request)
        if intent == "check":
            context.update(
                _check_context(queries.check_text(text, operation=operation, code=code, version=version), text)
            )
        else:
            try:
                saved = actions.save_draft(
                    operation=operation, code=code, text=text, acting_user=me(request), revision=revision
                )
                if intent == "publish":
                    published = actions.publish_draft(draft=saved, acting_user=me(request))
                    messages.success(
                        request,
                        _("Version %(version)s is published: new cases start on it; open cases keep their version.")
                        % {"version": published.version},
                    )
                    return redirect(_workflow_url(code, published.version))
            except WorkflowInvalid as invalid:
                context.update(_problems_context(invalid.problems, text))
                context["refused"] = True
            except ValidationError as error:
                context["refusal"] = " ".join(error.messages)
            else:
                messages.success(request, _("The draft of version %(version)s is saved.") % {"version": saved.version})
                return redirect("cases_workflow_edit", code=code)
    context["text"] = text
    if draft is not None:
        context["revision"] = draft.revision
        if "checked" not in context:
            context["saved_problems"] = draft.problems
    return render(request, "cases/workflows/edit.html", context)


def _revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


@login_required
@require_POST
def workflow_check(request: HttpRequest, code: str) -> HttpResponse:
    """The editor's check, as an htmx fragment: the problems by line and the diagram. Nothing is saved."""
    operation = operation_or_403(request)
    draft = queries.get_draft_for_user(request.user, operation, code)
    version = draft.version if draft is not None else queries.next_version(operation, code)
    text = request.POST.get("text", "")[:TEXT_MAX]
    checked = queries.check_text(text, operation=operation, code=code, version=version)
    return render(request, "cases/workflows/edit.html#check", _check_context(checked, text))


@login_required
@require_POST
def workflow_start(request: HttpRequest, code: str) -> HttpResponse:
    operation = operation_or_403(request)
    queries.get_draft_for_user(request.user, operation, code)  # 403 for those who may not edit, 404 for no workflow
    base: actions.Base = "shipped" if request.POST.get("base") == "shipped" else "latest"
    try:
        draft = actions.start_version(operation=operation, code=code, acting_user=me(request), base=base)
    except WorkflowInvalid as invalid:
        messages.error(request, _("The workflow could not be copied: %(problems)s") % {"problems": invalid})
        return redirect(_workflow_url(code))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_workflow_url(code))
    messages.success(request, _("Version %(version)s is started as a draft.") % {"version": draft.version})
    return redirect("cases_workflow_edit", code=code)


@login_required
@require_POST
def workflow_discard(request: HttpRequest, code: str) -> HttpResponse:
    operation = operation_or_403(request)
    draft = queries.get_draft_for_user(request.user, operation, code)
    if draft is None:
        raise Http404
    try:
        actions.discard_draft(draft=draft, acting_user=me(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The draft of version %(version)s is discarded.") % {"version": draft.version})
    return redirect(_workflow_url(code))


@login_required
@require_GET
def workflow_diff(request: HttpRequest, code: str) -> HttpResponse:
    """Two versions side by side (?a=1&b=2; by default the version in use against the one before it)."""
    operation = operation_or_403(request)
    summary = queries.get_workflow_for_user(request.user, operation, code).summary
    numbers = [row.version for row in summary.versions]
    default_b = summary.draft.version if summary.draft is not None else summary.in_use
    older = [number for number in numbers if number < default_b]
    before, after = _version(request, "a", max(older) if older else default_b), _version(request, "b", default_b)
    left = queries.get_workflow_for_user(request.user, operation, code, before)
    right = queries.get_workflow_for_user(request.user, operation, code, after)
    return render(
        request,
        "cases/workflows/diff.html",
        {
            "summary": summary,
            "left": left,
            "right": right,
            "diff": queries.side_by_side(left.text, right.text),
            "numbers": numbers,
        },
    )


def _version(request: HttpRequest, key: str, default: int) -> int:
    try:
        return int(request.GET.get(key, default))
    except ValueError:
        raise Http404 from None
