"""Registration imports in the browser: the list, the upload page, and an import's own page (progress while it
is read and checked, the column mapping to correct, its rows by outcome, approve, reject, download errors).

Thin: imports and templates are fetched through import_queries.get_*_for_user (404 for anyone without
person.register in their operation), every change is an action of import_actions, the workbook comes from
import_report. Seeing staged rows is a read of personal data, and is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.core import access, audit
from passage.core.forms import Styled
from passage.core.models import Office, Operation, User
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate
from passage.registry import import_actions, import_queries
from passage.registry.import_queries import (
    LOOK_ALIKES,
    READABLE_SUFFIXES,
    field_choices,
    field_label,
    file_columns,
    get_import_for_user,
    get_template_for_user,
    is_running,
    shown_value,
)
from passage.registry.import_report import XLSX_CONTENT_TYPE, error_report, error_report_filename
from passage.registry.models import ImportState, ImportTemplate, RegistrationImport, RowOutcome

TABS = (
    ("", gettext_lazy("All rows")),
    (RowOutcome.INVALID.value, gettext_lazy("With errors")),
    (RowOutcome.NEW.value, gettext_lazy("New people")),
    (LOOK_ALIKES, gettext_lazy("Look like someone")),
    (RowOutcome.UPDATE.value, gettext_lazy("Changes")),
    (RowOutcome.UNCHANGED.value, gettext_lazy("Already registered")),
)
MAPPING_PREFIX = "column-"


class UploadForm(Styled, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A CSV or XLSX file with one row per person and the column names in its first row, such as a "
            "KoboToolbox or ODK export."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(READABLE_SUFFIXES), "autofocus": True}),
    )
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"), queryset=Office.objects.none(), required=False, empty_label="—"
    )
    template: forms.ModelChoiceField[ImportTemplate] = forms.ModelChoiceField(
        label=gettext_lazy("Column mapping"),
        queryset=ImportTemplate.objects.none(),
        required=False,
        empty_label=gettext_lazy("Match the columns by their names"),
        help_text=gettext_lazy("Choose a saved template when the file comes from a form used before."),
    )

    def __init__(self, *args: Any, operation: Operation, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office: Any = self.fields["office"]
        office.queryset = Office.objects.filter(operation=operation, is_active=True).order_by("name")
        template: Any = self.fields["template"]
        template.queryset = import_queries.templates_for(user, operation)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in READABLE_SUFFIXES:
            raise ValidationError(
                _("Passage reads CSV and XLSX files; “%(name)s” is not one. Save it as CSV or XLSX and try again.")
                % {"name": upload.name}
            )
        return upload


class AcceptDuplicatesForm(Styled, forms.Form):
    accept_duplicates = forms.CharField(
        label=gettext_lazy("Why should these people be added although they look like people already registered?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class RejectForm(Styled, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this import rejected?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


# The list and the upload page --------------------------------------------------------------------


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.register", operation_or_403(request))
    page = paginate(request, import_queries.imports_for(request.user, operation))
    context = {"page": page, "polling": any(is_running(item) for item in page.object_list)}
    htmx = request.htmx  # type: ignore[attr-defined]
    template = "registry/imports/list.html#import-table" if htmx else "registry/imports/list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.register", operation_or_403(request))
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = UploadForm(*data, operation=operation, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            started = import_actions.start_registration_import(
                acting_user=me(request),
                operation=operation,
                filename=upload.name,
                content=upload.read(),
                office=form.cleaned_data.get("office"),
                template=form.cleaned_data.get("template"),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.info(
                request,
                _(
                    "“%(name)s” is uploaded. Passage is reading and checking its rows; nothing enters the registry "
                    "until you approve."
                )
                % {"name": started.filename},
            )
            return redirect("registry_import", import_id=started.pk)
    templates = import_queries.templates_for(request.user, operation)
    return render(request, "registry/imports/upload.html", {"form": form, "templates": templates})


# One import ---------------------------------------------------------------------------------------


def _mapping_rows(registration_import: RegistrationImport, columns: list[str], chosen: dict[str, str]) -> list[Any]:
    choices = field_choices()
    return [
        {"name": f"{MAPPING_PREFIX}{index}", "column": column, "chosen": chosen.get(column, ""), "choices": choices}
        for index, column in enumerate(columns)
    ]


def _posted_mapping(request: HttpRequest, columns: list[str]) -> dict[str, str]:
    """column -> field from the page's selects (named by the column's place, so any header text is safe)."""
    return {column: request.POST.get(f"{MAPPING_PREFIX}{index}", "").strip() for index, column in enumerate(columns)}


def _rows(page: Any, layout: list[tuple[str, str]], *, sensitive: bool, user: Any) -> list[dict[str, Any]]:
    """The staged rows of a page as the table shows them; phones and document numbers masked for roles that
    may not see them (import_queries.shown_value, the API's rule too); for a look-alike row, whom it looks like
    (a registered person named only to those who may see them)."""
    fields = {field for _column, field in layout}
    looks_like = import_queries.resemblances(user, page.object_list)
    rows = []
    for staged in page.object_list:
        values, changes = staged.values, staged.changes
        problems: dict[str, list[str]] = {}
        for error in staged.errors or []:
            problems.setdefault(str(error.get("field", "")), []).append(str(error.get("message", "")))
        rows.append(
            {
                "number": staged.row_number,
                "household": staged.household_key,
                "outcome": staged.outcome,
                "outcome_label": staged.get_outcome_display(),
                "person_id": staged.person_id,
                "looks_like": looks_like.get(staged.pk),
                "cells": [
                    {
                        "value": shown_value(field, values.get(field, ""), sensitive=sensitive),
                        "errors": problems.get(field, []),
                        "change": changes.get(field),
                    }
                    for _column, field in layout
                ],
                "other_errors": [
                    {"field": field_label(field), "message": message}
                    for field, messages_ in problems.items()
                    if field not in fields
                    for message in messages_
                ],
                "other_changes": [
                    {"field": field_label(field), "old": change[0], "new": change[1]}
                    for field, change in changes.items()
                    if field not in fields and isinstance(change, (list, tuple)) and len(change) == 2
                ],
            }
        )
    return rows


def _import_page(
    request: HttpRequest,
    registration_import: RegistrationImport,
    *,
    posted_mapping: dict[str, str] | None = None,
    mapping_errors: list[str] | None = None,
    template_name: str = "",
    reject_form: RejectForm | None = None,
    accept_form: AcceptDuplicatesForm | None = None,
) -> HttpResponse:
    running = is_running(registration_import)
    state = registration_import.state
    columns = file_columns(registration_import) if not running else []
    mapping = dict(registration_import.mapping or {})
    layout = [(column, mapping[column]) for column in columns if column in mapping] or list(mapping.items())
    outcome = request.GET.get("outcome", RowOutcome.INVALID if registration_import.rows_invalid else "")
    if outcome not in dict(TABS):
        outcome = ""
    counts = {
        **import_queries.outcome_counts(registration_import),
        LOOK_ALIKES: registration_import.rows_with_duplicates,
    }
    tabs = [
        {"code": code, "label": label, "count": counts[code] if code else registration_import.rows_total}  # type: ignore[index]
        for code, label in TABS
        if code != LOOK_ALIKES or registration_import.rows_with_duplicates
    ]
    staged = state not in (ImportState.STAGING, ImportState.FAILED) and registration_import.rows_total > 0
    page = rows = None
    if staged:
        page = import_queries.staged_rows_page(registration_import, outcome=outcome, page=request.GET.get("page"))
        sensitive = access.can(request.user, "person.view_sensitive", registration_import)
        rows = _rows(page, layout, sensitive=sensitive, user=request.user)
        if rows:  # the rows are personal data: who looked at which, is recorded
            audit.record_read(request.user, registration_import, note=f"rows: {outcome or 'all'}, page {page.number}")
    restageable = state in (ImportState.STAGING, ImportState.VALIDATED, ImportState.FAILED) and not running
    may_approve = (
        state == ImportState.VALIDATED
        and not running
        and registration_import.rows_valid + registration_import.rows_update > 0
    )
    held = may_approve and registration_import.awaits_duplicates_decision
    context = {
        "imp": registration_import,
        "job": registration_import.job,
        "running": running,
        "tabs": tabs,
        "outcome": outcome,
        "page": page,
        "rows": rows,
        "layout": [{"column": column, "label": field_label(field)} for column, field in layout],
        "mapping_rows": _mapping_rows(registration_import, columns, posted_mapping or mapping),
        "mapping_errors": mapping_errors or [],
        "mapping_open": bool(mapping_errors) or not mapping,
        "mapped_count": sum(1 for column in columns if (posted_mapping or mapping).get(column)),
        "template_name": template_name,
        "may_remap": restageable and bool(columns),
        "may_restage": restageable,
        "may_approve": may_approve and not held,
        "held": held,
        "may_accept_duplicates": held
        and access.can(request.user, import_actions.ACCEPT_DUPLICATES, registration_import),
        "accept_form": accept_form or AcceptDuplicatesForm(),
        "duplicate_share": f"{registration_import.duplicate_share or 0:.0%}",
        "duplicate_ceiling": f"{registration_import.duplicate_ceiling or 0:.0%}",
        "may_retry_commit": state == ImportState.COMMITTING and not running,
        "may_reject": state in (ImportState.VALIDATED, ImportState.FAILED) and not running,
        "may_download": staged,
        "reject_form": reject_form or RejectForm(),
        "job_problems": [
            error.get("message", "") for error in (registration_import.job.errors if registration_import.job else [])
        ][-5:],
    }
    return render(request, "registry/imports/detail.html", context)


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: str) -> HttpResponse:
    registration_import = get_import_for_user(request.user, import_id)
    if request.htmx and request.GET.get("panel"):  # type: ignore[attr-defined]
        # The self-updating progress panel. When the work is done, the whole page loads again with the rows.
        running = is_running(registration_import)
        context = {"imp": registration_import, "job": registration_import.job, "running": running}
        response = render(request, "registry/imports/detail.html#status-panel", context)
        if not running:
            response["HX-Refresh"] = "true"
        return response
    return _import_page(request, registration_import)


@login_required
@require_POST
def import_remap(request: HttpRequest, import_id: str) -> HttpResponse:
    registration_import = get_import_for_user(request.user, import_id)
    mapping = _posted_mapping(request, file_columns(registration_import))
    try:
        import_actions.remap_registration_import(
            acting_user=me(request), registration_import=registration_import, mapping=mapping
        )
    except ValidationError as error:
        return _import_page(request, registration_import, posted_mapping=mapping, mapping_errors=error.messages)
    messages.info(request, _("The mapping is changed. Passage is checking every row again."))
    return redirect("registry_import", import_id=registration_import.pk)


@login_required
@require_POST
def import_save_template(request: HttpRequest, import_id: str) -> HttpResponse:
    registration_import = get_import_for_user(request.user, import_id)
    mapping = _posted_mapping(request, file_columns(registration_import))
    name = request.POST.get("template_name", "")
    try:
        template = import_actions.save_import_template(
            acting_user=me(request),
            operation=registration_import.operation,
            name=name,
            mapping=mapping,
            registration_import=registration_import,
        )
    except ValidationError as error:
        return _import_page(
            request,
            registration_import,
            posted_mapping=mapping,
            mapping_errors=error.messages,
            template_name=name,
        )
    messages.success(
        request,
        _("The mapping is saved as the template “%(name)s”. Choose it when you upload the next file of this form.")
        % {"name": template.name},
    )
    return redirect("registry_import", import_id=registration_import.pk)


@login_required
@require_POST
def import_check(request: HttpRequest, import_id: str) -> HttpResponse:
    registration_import = get_import_for_user(request.user, import_id)
    try:
        import_actions.queue_staging(acting_user=me(request), registration_import=registration_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("Passage is reading and checking the file again."))
    return redirect("registry_import", import_id=registration_import.pk)


@login_required
@require_POST
def import_approve(request: HttpRequest, import_id: str) -> HttpResponse:
    registration_import = get_import_for_user(request.user, import_id)
    accepting = "accept_duplicates" in request.POST
    form = AcceptDuplicatesForm(request.POST)
    if accepting and not form.is_valid():
        return _import_page(request, registration_import, accept_form=form)
    try:
        import_actions.queue_commit(
            acting_user=me(request),
            registration_import=registration_import,
            accept_duplicates=form.cleaned_data["accept_duplicates"] if accepting else "",
        )
    except PermissionDenied:
        messages.error(
            request, _("Only someone who reviews duplicates can add an import held for them; ask them to look at it.")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("Approved. Passage is adding the sound rows to the registry."))
    return redirect("registry_import", import_id=registration_import.pk)


@login_required
@require_POST
def import_reject(request: HttpRequest, import_id: str) -> HttpResponse:
    registration_import = get_import_for_user(request.user, import_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _import_page(request, registration_import, reject_form=form)
    try:
        import_actions.reject_registration_import(
            acting_user=me(request), registration_import=registration_import, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The import is rejected. Nothing from it entered the registry."))
    return redirect("registry_import", import_id=registration_import.pk)


@login_required
@require_GET
def import_errors(request: HttpRequest, import_id: str) -> FileResponse:
    registration_import = get_import_for_user(request.user, import_id)
    workbook = error_report(acting_user=me(request), registration_import=registration_import)
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=error_report_filename(registration_import),
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
@require_POST
def import_template_delete(request: HttpRequest, template_id: str) -> HttpResponse:
    template = get_template_for_user(request.user, template_id)
    name = template.name
    import_actions.delete_import_template(acting_user=me(request), template=template)
    messages.info(request, _("The template “%(name)s” is deleted.") % {"name": name})
    return redirect("registry_import_upload")
