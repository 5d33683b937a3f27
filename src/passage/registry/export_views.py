"""HTML pages of registry exports: exporting the people list as it is filtered, and counts of people for
M&E (a table, a chart and the HXL download).

Thin: the checks, the job and the audit are in export_actions; the counting in exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from passage.core import access
from passage.core.forms import Styled
from passage.core.views._util import add_action_errors, me, operation_or_403
from passage.registry import exports, queries
from passage.registry.export_actions import (
    SEARCH_MAX,
    ExportRequest,
    count_people,
    export_aggregates,
    export_people,
    may_see_sensitive_somewhere,
)
from passage.registry.models import AdminArea

ANOTHER_CHANNEL = gettext_lazy(
    "Send the password by another channel than the file — a phone call or a message — never in the same email."
)


def _password_help() -> str:
    return _("At least %(n)s characters. Leave empty for a file without a password.") % {
        "n": exports.PASSWORD_MIN_LENGTH
    }


class ExportForm(Styled, forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=SEARCH_MAX)
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", gettext_lazy("Excel (XLSX)")), ("csv", gettext_lazy("CSV (UTF-8)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    personal = forms.BooleanField(
        label=gettext_lazy("Names, dates of birth and households"),
        required=False,
        help_text=gettext_lazy("Without them the file holds registration numbers, sex, age group, area and office."),
    )
    sensitive = forms.BooleanField(
        label=gettext_lazy("Phone numbers and identity documents"),
        required=False,
        help_text=gettext_lazy("Only in a password-protected file."),
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

    def __init__(self, *args: Any, sensitive_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].widget.attrs["class"] = "form-check-input"
        if not sensitive_allowed:
            del self.fields["sensitive"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", _("The two passwords differ."))
        return data

    def to_request(self) -> ExportRequest:
        data = self.cleaned_data
        return ExportRequest(
            q=data.get("q", "").strip(),
            format=data["format"],
            personal=bool(data.get("personal")),
            sensitive=bool(data.get("sensitive")),
            password=data.get("password", ""),
        )


@login_required
@require_http_methods(["GET", "POST"])
def people_export(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.export", operation_or_403(request))
    sensitive_allowed = may_see_sensitive_somewhere(request.user, operation)
    if request.method == "POST":
        form = ExportForm(request.POST, sensitive_allowed=sensitive_allowed)
        if form.is_valid():
            try:
                job = export_people(acting_user=me(request), operation=operation, request=form.to_request())
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                note = _("Your export is being written; download it from this page when it is ready.")
                if job.params.get("protected"):
                    note = f"{note} {ANOTHER_CHANNEL}"
                messages.success(request, note)
                return redirect("job_detail", job_id=job.pk)
    else:
        form = ExportForm(initial={"q": request.GET.get("q", "")[:SEARCH_MAX]}, sensitive_allowed=sensitive_allowed)
    search = str(form["q"].value() or "").strip()[:SEARCH_MAX]
    matching = queries.search_people(request.user, operation, search).count()
    return render(
        request,
        "registry/exports/export.html",
        {"form": form, "search": search, "matching": matching, "another_channel": ANOTHER_CHANNEL},
    )


def _level_and_threshold(request: HttpRequest) -> tuple[int, int | None]:
    try:
        level = int(request.GET.get("level", "1"))
    except ValueError:
        level = 1
    raw = request.GET.get("threshold", "").strip()
    try:
        threshold = int(raw) if raw else None
    except ValueError:
        threshold = -1  # refused by count_people with a message
    return level, threshold


@login_required
@require_GET
def aggregates(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.aggregate", operation_or_403(request))
    level, threshold = _level_and_threshold(request)
    problems: list[str] = []
    try:
        counted = count_people(acting_user=request.user, operation=operation, level=level, threshold=threshold)
    except ValidationError as error:
        problems = error.messages
        level, threshold = 1, None
        counted = count_people(acting_user=request.user, operation=operation, level=level, threshold=None)
    levels = sorted(set(AdminArea.objects.filter(country=operation.country).values_list("level", flat=True))) or [0]
    return render(
        request,
        "registry/exports/aggregates.html",
        {
            "counted": counted,
            "table": _table(counted),
            "chart": counted.chart(),
            "levels": sorted({*levels, counted.level}),
            "level": counted.level,
            "threshold": counted.threshold,
            "minimum": exports.small_cell_threshold(operation),
            "problems": problems,
        },
    )


def _table(counted: exports.Aggregates) -> list[dict[str, Any]]:
    """One row per area and sex, a column per age group. A cell nobody falls in is a count under the threshold
    like any other ("<5"): a published zero says as much about the people beside it as a published 1 or 2."""
    by_key = {(cell.pcode, cell.sex, cell.age_group): cell.shown for cell in counted.cells}
    below = f"<{counted.threshold}"
    rows = []
    for pcode, name in counted.areas:
        for sex in exports.SEXES:
            if any(key[0] == pcode and key[1] == sex for key in by_key):
                rows.append(
                    {
                        "pcode": pcode,
                        "area": name,
                        "sex": sex,
                        "cells": [by_key.get((pcode, sex, group), below) for group in exports.AGE_GROUP_LABELS],
                    }
                )
    return rows


@login_required
@require_GET
def aggregates_hxl(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.aggregate", operation_or_403(request))
    level, threshold = _level_and_threshold(request)
    try:
        content = export_aggregates(acting_user=me(request), operation=operation, level=level, threshold=threshold)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry_aggregates")
    filename = f"people-{operation.code}-adm{level}-{timezone.localdate():%Y%m%d}.csv"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
