"""HTML pages of case exports and counts: exporting a caseload as it is filtered, and counts of cases by programme,
office, state or priority (a table and a chart).

Thin: the checks, the job and the audit are in case_exports; the counting in case_counts."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from passage.cases import case_counts, case_exports, procedure, queries
from passage.cases.models import Priority, Sensitivity
from passage.core import access, exporting
from passage.core.forms import Styled
from passage.core.models import Office, Programme
from passage.core.views._util import add_action_errors, me, operation_or_403

ANOTHER_CHANNEL = gettext_lazy(
    "Send the password by another channel than the file — a phone call or a message — never in the same email."
)


def _password_help() -> str:
    return _("At least %(n)s characters. Leave empty for a file without a password.") % {
        "n": exporting.PASSWORD_MIN_LENGTH
    }


class CaseExportForm(Styled, forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", gettext_lazy("Excel (XLSX)")), ("csv", gettext_lazy("CSV (UTF-8)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    subjects = forms.BooleanField(
        label=gettext_lazy("Who each case is about: registration number and name"),
        required=False,
        help_text=gettext_lazy("Only in a password-protected file, and only for the people you may see."),
    )
    password = forms.CharField(
        label=gettext_lazy("Password to open the file"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(_password_help, str)(),
    )
    password_again = forms.CharField(
        label=gettext_lazy("The password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, subjects_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].widget.attrs["class"] = "form-check-input"
        if not subjects_allowed:
            del self.fields["subjects"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", _("The two passwords differ."))
        return data

    def to_request(self, filters: queries.CaseFilters) -> case_exports.CaseExportRequest:
        data = self.cleaned_data
        return case_exports.CaseExportRequest(
            filters=filters,
            format=data["format"],
            subjects=bool(data.get("subjects")),
            password=data.get("password", ""),
        )


@login_required
@require_http_methods(["GET", "POST"])
def case_export(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, case_exports.EXPORT, operation_or_403(request))
    subjects_allowed = case_exports.may_see_subjects(request.user, operation)
    data = request.POST if request.method == "POST" else request.GET
    filters = queries.CaseFilters.from_params(data)
    form = CaseExportForm(data if request.method == "POST" else None, subjects_allowed=subjects_allowed)
    if request.method == "POST" and form.is_valid():
        try:
            job = case_exports.export_cases(
                acting_user=me(request), operation=operation, request=form.to_request(filters)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            note = _("Your export is being written; download it from this page when it is ready.")
            if job.params.get("protected"):
                note = f"{note} {ANOTHER_CHANNEL}"
            messages.success(request, note)
            return redirect("job_detail", job_id=job.pk)
    matching = case_exports.matching_cases(request.user, operation, filters)
    return render(
        request,
        "cases/exports/export.html",
        {
            "form": form,
            "filters": filters,
            "hidden_filters": filters.params(),
            "matching": matching.count(),
            "restricted": matching.exclude(sensitivity=Sensitivity.NORMAL).count(),
            "described": _describe(request, operation, filters),
            "sensitivity_shown": case_exports.may_see_sensitivity(request.user, operation),
            "another_channel": ANOTHER_CHANNEL,
        },
    )


def _describe(request: HttpRequest, operation: Any, filters: queries.CaseFilters) -> list[tuple[str, str]]:
    """The filters in words, for the person to check what they export."""
    tabs = {"mine": _("My cases"), "office": _("My offices"), "overdue": _("Overdue"), "state": _("By state")}
    statuses = {"open": _("Open cases"), "closed": _("Closed cases"), "all": _("All cases")}
    described = [(_("Cases"), tabs[filters.tab]), (_("Open or closed"), statuses[filters.status])]
    if filters.text:
        described.append((_("Search"), filters.text))
    for label, model, value in (
        (_("Programme"), Programme, filters.programme),
        (_("Office"), Office, filters.office),
    ):
        if value:
            key = _uuid_or_none(value)
            found = model.objects.visible_to(me(request)).filter(operation=operation, pk=key).first() if key else None
            described.append((label, found.name if found else _("unknown")))
    if filters.state:
        described.append((_("State"), procedure.known_state_labels().get(filters.state, filters.state)))
    if filters.priority:
        priorities = {str(value): str(label) for value, label in Priority.choices}
        described.append((_("Priority"), priorities.get(filters.priority, filters.priority)))
    if filters.caseworker:
        key = _uuid_or_none(filters.caseworker)
        worker = queries.caseworkers_for(operation).filter(pk=key).first() if key else None
        described.append((_("Caseworker"), str(worker) if worker else _("unknown")))
    return described


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# --- counts -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, case_counts.AGGREGATE, operation_or_403(request))
    by = request.GET.get("by", "programme")
    raw = request.GET.get("threshold", "").strip()
    try:
        threshold = int(raw) if raw else None
    except ValueError:
        threshold = -1  # refused by count_cases with a message
    problems: list[str] = []
    try:
        counted = case_counts.count_cases(acting_user=request.user, operation=operation, by=by, threshold=threshold)
    except ValidationError as error:
        problems = error.messages
        counted = case_counts.count_cases(acting_user=request.user, operation=operation)
    return render(
        request,
        "cases/exports/counts.html",
        {
            "counted": counted,
            "chart": counted.chart(),
            "dimensions": [(code, str(label)) for code, label in case_counts.DIMENSIONS.items()],
            "by_label": str(case_counts.DIMENSIONS[counted.by]),
            "measures": [(code, str(case_counts.MEASURE_LABELS[code])) for code in case_counts.MEASURES],
            "minimum": exporting.small_cell_threshold(operation),
            "hidden": str(case_counts.HIDDEN),
            "problems": problems,
        },
    )
