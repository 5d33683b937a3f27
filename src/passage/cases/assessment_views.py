"""Pages of programme forms and assessments: the form library (upload, versions with their warnings, downloads
for KoboCollect/ODK Collect, imports of their submissions), filling a form on a case (relevance and
calculations worked out again on the server at each change, through htmx), a submission, a case's and a person's
assessments with the RSS chart, and a programme's scoring (vulnerability bands, RSS weights).

Thin: forms come through assessment_access, cases through cases.access (a restricted case's assessments are a
404 to whoever may not see the case), and every change through one action."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import assessment_queries as queries
from passage.cases import form_imports, reintegration_actions, vulnerability_actions
from passage.cases.access import MANAGE, get_case_for_user, may
from passage.cases.assessment_access import (
    get_case_form,
    get_form_for_user,
    get_form_version_for_user,
    get_import_for_user,
    get_person_with_assessments,
    get_submission,
    may_manage_forms,
    may_see_forms,
)
from passage.cases.assessment_actions import (
    FormRefused,
    SubmissionChangedMeanwhile,
    SubmissionInvalid,
    discard_draft,
    save_submission,
    upload_form,
)
from passage.cases.assessment_forms import BandsForm, FormImportForm, FormUploadForm, WeightsForm
from passage.cases.models import Case, FormTemplate, FormVersion, Submission, SubmissionStatus
from passage.cases.xlsform.definition import Problem
from passage.cases.xlsform.odk import export_for_collect
from passage.cases.xlsform.reader import MAX_BYTES, FormReadError
from passage.cases.xlsform.render import ACTION, answers_from_post, apply_action, build_form
from passage.core import audit
from passage.core.access import get_programme_for_user
from passage.core.models import Programme
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULTS_PAGE = 100


def _read_upload(upload: Any, limit: int) -> bytes:
    content: bytes = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"file": _("The file is larger than %(n)s MB.") % {"n": limit // (1024 * 1024)}})
    return content


def _problems(rows: list[dict[str, Any]]) -> list[Problem]:
    return [Problem(**row) for row in rows]


def chart_labels() -> dict[str, str]:
    return {
        "economic": _("Economic"),
        "social": _("Social"),
        "psychosocial": _("Psychosocial"),
        "composite": _("Composite"),
        "risk": _("Risk factors"),
        "protective": _("Protective factors"),
    }


# --- the form library ---------------------------------------------------------------------------------------


def _library(request: HttpRequest, *, form: FormUploadForm | None = None, refused: list[Problem] | None = None) -> Any:
    operation = operation_or_403(request)
    user = me(request)
    if not may_see_forms(user, operation):
        raise PermissionDenied
    manage = may_manage_forms(user, operation)
    codes = queries.workflow_form_codes()
    return render(
        request,
        "cases/assessments/library.html",
        {
            "templates": queries.form_library(operation),
            "may_manage": manage,
            "upload_form": (form or FormUploadForm(codes=codes)) if manage else None,
            "codes": sorted(codes.items()),
            "refused": refused or [],
            "programmes": Programme.objects.filter(operation=operation).order_by("name") if manage else [],
        },
        status=400 if refused else 200,
    )


@login_required
@require_GET
def form_library(request: HttpRequest) -> HttpResponse:
    response: HttpResponse = _library(request)
    return response


@login_required
@require_POST
def form_upload(request: HttpRequest) -> HttpResponse:
    """A new form, or a new version of one: refused with every reason the engine gives, or kept with its warnings."""
    operation = operation_or_403(request)
    user = me(request)
    if not may_manage_forms(user, operation):
        raise PermissionDenied
    form = FormUploadForm(request.POST, request.FILES, codes=queries.workflow_form_codes())
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = upload_form(
                acting_user=user,
                operation=operation,
                filename=upload.name,
                content=_read_upload(upload, MAX_BYTES),
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
            )
        except FormRefused as refused:
            response: HttpResponse = _library(request, form=form, refused=refused.problems)
            return response
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if version.warnings:
                messages.warning(
                    request,
                    _("Version %(n)s kept, with %(w)s warnings: read them below.")
                    % {"n": version.number, "w": len(version.warnings)},
                )
            else:
                messages.success(request, _("Version %(n)s kept.") % {"n": version.number})
            return redirect("cases_form", template_id=version.template_id)
    response = _library(request, form=form)
    return response


def _form_page(request: HttpRequest, template: FormTemplate, import_form: FormImportForm | None = None) -> HttpResponse:
    operation = operation_or_403(request)
    manage = may_manage_forms(me(request), operation)
    versions = queries.form_versions(template)
    for version in versions:
        version.problems = _problems(version.warnings)
    return render(
        request,
        "cases/assessments/form.html",
        {
            "template": template,
            "versions": versions,
            "imports": queries.form_imports(template) if manage else [],
            "may_manage": manage,
            "import_form": (import_form or FormImportForm(fields=form_imports.link_fields(template)))
            if manage and versions
            else None,
        },
    )


@login_required
@require_GET
def form_detail(request: HttpRequest, template_id: str) -> HttpResponse:
    template = get_form_for_user(me(request), operation_or_403(request), template_id)
    return _form_page(request, template)


@login_required
@require_GET
def version_xlsform(request: HttpRequest, version_id: str) -> HttpResponse:
    """The XLSForm as it was uploaded (for KoboToolbox)."""
    version: FormVersion = get_form_version_for_user(me(request), operation_or_403(request), version_id)
    filename = version.filename if "." in version.filename else f"{version.template.code}.xlsx"
    content_type = XLSX if filename.lower().endswith((".xlsx", ".xlsm")) else "application/octet-stream"
    response = HttpResponse(bytes(version.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_safe(filename)}"'
    return response


@login_required
@require_GET
def version_xform(request: HttpRequest, version_id: str) -> HttpResponse:
    """The XForm that KoboCollect and ODK Collect read, made by pyxform from the XLSForm as uploaded."""
    version: FormVersion = get_form_version_for_user(me(request), operation_or_403(request), version_id)
    try:
        exported = export_for_collect(bytes(version.content), filename=version.filename)
    except FormReadError as error:
        messages.error(request, _("pyxform could not make the XForm: %(problem)s") % {"problem": error})
        return redirect("cases_form", template_id=version.template_id)
    response = HttpResponse(exported.xform.encode("utf-8"), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_safe(exported.form_id)}-v{version.number}.xml"'
    return response


def _safe(name: str) -> str:
    return "".join(char if char.isalnum() or char in "._-" else "_" for char in name)[:120] or "form"


@login_required
@require_POST
def import_upload(request: HttpRequest, template_id: str) -> HttpResponse:
    """Submissions from a Kobo/ODK export: run at once when small, as a job when large; a result per row."""
    user = me(request)
    template = get_form_for_user(user, operation_or_403(request), template_id, manage=True)
    form = FormImportForm(request.POST, request.FILES, fields=form_imports.link_fields(template))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            form_import = form_imports.upload_form_import(
                acting_user=user,
                template=template,
                filename=upload.name,
                content=_read_upload(upload, form_imports.odk.MAX_BYTES),
                link_field=form.cleaned_data["link_field"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect("cases_form_import", import_id=form_import.pk)
    return _form_page(request, template, form)


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: str) -> HttpResponse:
    form_import = get_import_for_user(me(request), operation_or_403(request), import_id)
    shown = request.GET.get("show", "problems")
    rows = form_import.results
    if shown == "problems":
        rows = [row for row in rows if row["outcome"] in ("invalid", "not_linked")]
    return render(
        request,
        "cases/assessments/import.html",
        {"form_import": form_import, "page": paginate(request, rows, RESULTS_PAGE), "shown": shown},
    )


# --- filling a form on a case -------------------------------------------------------------------------------


def _draft(case: Case, template: FormTemplate, draft_id: str | None) -> Submission | None:
    drafts = Submission.objects.filter(case=case, template=template, status=SubmissionStatus.DRAFT).defer(
        "form_version__content"
    )
    if draft_id:
        found = drafts.filter(pk=draft_id).select_related("form_version").first() if _is_uuid(draft_id) else None
        if found is None:
            raise Http404
        return found
    return drafts.select_related("form_version").order_by("-updated_at").first()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _superseded(case: Case, template: FormTemplate, submission_id: str | None) -> Submission | None:
    if not submission_id:
        return None
    if not _is_uuid(submission_id):
        raise Http404
    found = Submission.objects.filter(
        case=case, template=template, status=SubmissionStatus.COMPLETE, replaced_at__isnull=True, pk=submission_id
    ).first()
    if found is None:
        raise Http404
    return found


def _fill_context(
    request: HttpRequest,
    case: Case,
    template: FormTemplate,
    version: FormVersion,
    answers: dict[str, Any] | None,
    *,
    draft: Submission | None,
    supersedes: Submission | None,
    errors: dict[str, list[str]] | None = None,
    evaluation: Any = None,
) -> dict[str, Any]:
    form = version.form()
    refresh = reverse("cases_assessment_refresh", kwargs={"case_id": case.pk, "template_id": template.pk})
    built = build_form(
        form,
        answers,
        language=get_language() or "",
        show_errors=errors is not None,
        refresh_url=refresh,
        evaluation=evaluation,
    )
    summary = [{"path": path, "messages": texts, "anchor": _anchor(path)} for path, texts in (errors or {}).items()]
    return {
        "case": case,
        "template": template,
        "version": version,
        "xlsform": built,
        "draft": draft,
        "supersedes": supersedes,
        "errors": summary,
    }


def _anchor(path: str) -> str:
    return "xf-" + re.sub(r"[^A-Za-z0-9_-]+", "-", path).strip("-")


def _version_for(template: FormTemplate, draft: Submission | None, posted: str | None) -> FormVersion:
    if draft is not None:
        return draft.form_version
    if posted and _is_uuid(posted):
        found = template.versions.defer("content").filter(pk=posted).first()
        if found is not None:
            return found
    current = template.current
    if current is None:
        raise Http404
    return current


@login_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, case_id: str, template_id: str) -> HttpResponse:
    """Fill a form on the case: continue its draft, or re-do the submission in force (`?again=`). Save as a draft
    (kept as typed) or submit (checked: the errors listed by answer, each linked to its question)."""
    user = me(request)
    case = get_case_for_user(user, case_id, need=MANAGE, audited=request.method == "GET")
    if not case.is_open:
        raise Http404
    template = get_case_form(case, template_id)
    data = request.POST if request.method == "POST" else request.GET
    draft = (
        _draft(case, template, data.get("draft") or None) if request.method == "POST" else _draft(case, template, None)
    )
    supersedes = draft.supersedes if draft is not None else _superseded(case, template, data.get("again"))
    version = _version_for(template, draft, data.get("form_version"))
    form = version.form()
    if request.method == "GET":
        answers = draft.answers if draft is not None else (supersedes.answers if supersedes is not None else None)
        return render(
            request,
            "cases/assessments/fill.html",
            _fill_context(request, case, template, version, answers, draft=draft, supersedes=supersedes),
        )
    answers = answers_from_post(form, request.POST)
    if request.POST.get(ACTION):
        answers = apply_action(form, answers, request.POST[ACTION])
        context = _fill_context(request, case, template, version, answers, draft=draft, supersedes=supersedes)
        return render(request, "cases/assessments/fill.html", context)
    complete = "submit" in request.POST
    draft_version = request.POST.get("draft_version")
    try:
        submission = save_submission(
            acting_user=user,
            template=template,
            answers=answers,
            complete=complete,
            case=case,
            draft=draft,
            version=int(draft_version) if draft_version and draft_version.isdigit() else None,
            supersedes=supersedes if draft is None else None,
            language=get_language() or "",
        )
    except SubmissionInvalid as invalid:
        context = _fill_context(
            request, case, template, version, answers, draft=draft, supersedes=supersedes, errors=invalid.by_path
        )
        return render(request, "cases/assessments/fill.html", context, status=400)
    except SubmissionChangedMeanwhile as conflict:
        messages.error(request, str(conflict))
        return redirect("cases_assessment_fill", case_id=case.pk, template_id=template.pk)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        context = _fill_context(request, case, template, version, answers, draft=draft, supersedes=supersedes)
        return render(request, "cases/assessments/fill.html", context, status=400)
    if complete:
        messages.success(request, _("%(form)s submitted.") % {"form": template.title})
        return redirect("cases_submission", case_id=case.pk, submission_id=submission.pk)
    messages.success(request, _("Draft saved."))
    return redirect("cases_assessments", case_id=case.pk)


@login_required
@require_POST
def fill_refresh(request: HttpRequest, case_id: str, template_id: str) -> HttpResponse:
    """The form drawn again for the answers typed so far (htmx): relevance and calculations from the server."""
    case = get_case_for_user(me(request), case_id, need=MANAGE, audited=False)
    if not case.is_open:
        raise Http404
    template = get_case_form(case, template_id)
    draft = _draft(case, template, request.POST.get("draft") or None) if request.POST.get("draft") else None
    version = _version_for(template, draft, request.POST.get("form_version"))
    form = version.form()
    answers = answers_from_post(form, request.POST)
    if request.POST.get(ACTION):
        answers = apply_action(form, answers, request.POST[ACTION])
    refresh = reverse("cases_assessment_refresh", kwargs={"case_id": case.pk, "template_id": template.pk})
    built = build_form(form, answers, language=get_language() or "", refresh_url=refresh)
    return render(request, "cases/xlsform/form.html", {"xlsform": built})


# --- submissions and assessments ----------------------------------------------------------------------------


@login_required
@require_GET
def case_assessments(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case's forms (those its workflow requires first), drafts, submissions, RSS scores over time."""
    user = me(request)
    case = get_case_for_user(user, case_id)
    listed = queries.case_assessments(case)
    labels = chart_labels()
    return render(
        request,
        "cases/assessments/case.html",
        {
            "case": case,
            "listed": listed,
            "may_fill": may(user, MANAGE, case) and case.is_open,
            "rss_chart": queries.rss_chart(listed.rss, labels) if listed.rss else None,
            "labels": labels,
        },
    )


@login_required
@require_GET
def submission_detail(request: HttpRequest, case_id: str, submission_id: str) -> HttpResponse:
    user = me(request)
    case = get_case_for_user(user, case_id, audited=False)
    submission = get_submission(case, submission_id)
    audit.record_read(user, case, note=f"submission {submission.pk}")
    form = submission.form_version.form()
    return render(
        request,
        "cases/assessments/submission.html",
        {
            "case": case,
            "submission": submission,
            "rows": queries.answer_rows(form, submission.answers, get_language() or ""),
            "replaced_by": Submission.objects.filter(supersedes=submission).first(),
            "may_fill": may(user, MANAGE, case) and case.is_open,
            "may_discard": submission.status == SubmissionStatus.DRAFT and may(user, MANAGE, case),
        },
    )


@login_required
@require_POST
def submission_discard(request: HttpRequest, case_id: str, submission_id: str) -> HttpResponse:
    user = me(request)
    case = get_case_for_user(user, case_id, need=MANAGE, audited=False)
    submission = get_submission(case, submission_id)
    try:
        discard_draft(draft=submission, acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Draft thrown away."))
    return redirect("cases_assessments", case_id=case.pk)


@login_required
@require_GET
def person_assessments(request: HttpRequest, person_id: str) -> HttpResponse:
    """A person's assessments across the cases the reader may see, and their RSS scores over time."""
    user = me(request)
    person = get_person_with_assessments(user, person_id)
    scores = list(queries.rss_scores(user=user, person=person))
    labels = chart_labels()
    return render(
        request,
        "cases/assessments/person.html",
        {
            "person": person,
            "submissions": queries.person_submissions(user, person),
            "rss": scores,
            "rss_chart": queries.rss_chart(scores, labels) if scores else None,
            "labels": labels,
        },
    )


# --- a programme's scoring ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def programme_scoring(request: HttpRequest, programme_id: str) -> HttpResponse:
    """The programme's vulnerability bands and RSS weights, each a new version when changed."""
    user = me(request)
    programme = get_programme_for_user(user, programme_id, need="form.manage")
    bands_version, bands = vulnerability_actions.current_bands(programme)
    weights = reintegration_actions.current_weights(programme)
    bands_form = BandsForm(bands=bands)
    weights_form = WeightsForm(weights=weights.weights, initial={"source": weights.source})
    if request.method == "POST":
        which = request.POST.get("which")
        if which == "bands":
            bands_form = BandsForm(request.POST, bands=bands)
            if bands_form.is_valid():
                try:
                    vulnerability_actions.set_vulnerability_bands(
                        programme=programme,
                        bands=bands_form.bands(),
                        acting_user=user,
                        note=bands_form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    _band_errors(bands_form, error)
                else:
                    messages.success(request, _("New bands saved."))
                    return redirect("cases_programme_scoring", programme_id=programme.pk)
        elif which == "weights":
            weights_form = WeightsForm(request.POST, weights=weights.weights)
            if weights_form.is_valid():
                try:
                    reintegration_actions.set_rss_weights(
                        programme=programme,
                        weights=weights_form.weights(),
                        source=weights_form.cleaned_data["source"],
                        acting_user=user,
                    )
                except ValidationError as error:
                    _weight_errors(weights_form, error)
                else:
                    messages.success(request, _("New weights saved."))
                    return redirect("cases_programme_scoring", programme_id=programme.pk)
        else:
            raise Http404
    return render(
        request,
        "cases/assessments/scoring.html",
        {
            "programme": programme,
            "bands_version": bands_version,
            "weights_version": weights,
            "bands_form": bands_form,
            "weights_form": weights_form,
            "labels": chart_labels(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _band_errors(form: BandsForm, error: ValidationError) -> None:
    for key, texts in error.message_dict.items():
        parts = key.split(".")  # bands.2.from
        name = f"band_{parts[1]}_{parts[2]}" if len(parts) == 3 else None
        form.add_error(name if name in form.fields else None, texts)


def _weight_errors(form: WeightsForm, error: ValidationError) -> None:
    for key, texts in error.message_dict.items():
        parts = key.split(".")  # dimensions.social, indicators.social.soc_water
        name = (
            f"dimension__{parts[1]}"
            if parts[0] == "dimensions" and len(parts) == 2
            else f"indicator__{parts[1]}__{parts[2]}"
            if len(parts) == 3
            else None
        )
        form.add_error(name if name in form.fields else None, texts)
