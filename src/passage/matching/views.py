"""The review of possible duplicates in the browser: the queue of an operation (pairs by probability, filters,
counts, the runs that found them, bulk decisions), the side-by-side comparison of a pair or a group of linked
records with a decision (merge, different people, unsure), the merges with their undoing, and the bands.

Thin: pairs, merges and bulk decisions come through matching.access (404 for anyone without person.merge over
the people), lists through matching.queries, every change through one action."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.core import access
from passage.core.models import Operation
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate
from passage.matching import queries
from passage.matching.access import get_bulk_for_user, get_merge_for_user, get_pair_for_user
from passage.matching.actions import decide_pair, set_match_settings, start_match_run
from passage.matching.bulk_actions import start_bulk_decision
from passage.matching.forms import VIEW_LABELS, BulkForm, DecideForm, QueueFilterForm, SettingsForm, UndoForm
from passage.matching.merge_actions import (
    MergeRefused,
    UndoConflict,
    merge_people,
    pairs_between,
    undo_merge,
)
from passage.matching.merge_fields import CHOICE_KEYS
from passage.matching.models import CandidatePair, CheckState, MatchSettings, PersonMerge, QualityCheck, RunState
from passage.registry.models import Person
from passage.registry.person_actions import PersonChangedMeanwhile, field_label

RUNS_SHOWN = 5


def _reviewer(request: HttpRequest) -> Operation:
    return access.require(request.user, "person.merge", operation_or_403(request))


# --- the queue ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    operation = _reviewer(request)
    runs = queries.runs_for(request.user, operation)
    if request.GET.get("panel") == "runs":
        return render(request, "matching/queue.html#runs-panel", _runs_context(request, operation))
    form = QueueFilterForm(request.GET or None, operation=operation, runs=runs)
    filters = form.filters()
    page = paginate(request, queries.review_queue(request.user, operation, filters))
    notes = queries.escalation_notes(page.object_list) if filters.view == "unsure" else {}
    counts = queries.queue_counts(request.user, operation)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": [{"pair": pair, "note": notes.get(str(pair.pk), "")} for pair in page.object_list],
        "counts": counts,
        "views": [{"code": code, "label": label, "count": counts[code]} for code, label in VIEW_LABELS.items()],
        "bulk_form": BulkForm(),
        "bulks": list(queries.bulk_decisions_for(request.user, operation)[:3]),
        "settings": MatchSettings.of(operation),
        **_runs_context(request, operation),
    }
    return render(request, "matching/queue.html", context)


def _runs_context(request: HttpRequest, operation: Operation) -> dict[str, Any]:
    runs = list(queries.runs_for(request.user, operation)[:RUNS_SHOWN])
    return {
        "runs": runs,
        "polling": any(run.state in (RunState.QUEUED, RunState.RUNNING) for run in runs),
        "may_manage": access.can(request.user, "operation.manage", operation),
    }


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    operation = _reviewer(request)
    start_match_run(me(request), operation)
    messages.info(request, _("Passage is looking for duplicates in the registry. The queue fills when it is done."))
    return redirect("matching_queue")


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "operation.manage", operation_or_403(request))
    current = MatchSettings.of(operation)
    form = SettingsForm(request.POST or None, initial=SettingsForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            set_match_settings(acting_user=me(request), operation=operation, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The bands are saved. Runs started from now on use them."))
            return redirect("matching_queue")
    return render(request, "matching/settings.html", {"form": form})


# --- a pair or a group --------------------------------------------------------------------------------------


def _compare_page(
    request: HttpRequest, pair: CandidatePair, *, error: str = "", posted: Any = None, status: int = 200
) -> HttpResponse:
    grouped = request.GET.get("group") == "1" or (posted is not None and posted.get("group") == "1")
    people = queries.group_of(request.user, pair) if grouped else [pair.person_a, pair.person_b]
    if grouped and len(people) < 2:
        raise Http404
    pairs = list(pairs_between(people).visible_to(request.user).order_by("-probability"))
    compared = queries.comparison(request.user, people, pairs)
    if posted is not None:
        _keep_posted(compared, posted)
    included = set(posted.getlist("people")) if posted is not None and grouped else None
    columns = [
        {
            "person": person,
            "letter": compared.letters[person.pk],
            "included": included is None or str(person.pk) in included,
            "survivor": person.pk == compared.survivor.pk,
        }
        for person in people
    ]
    check = QualityCheck.objects.filter(pair=pair).select_related("bulk__started_by").first()
    following = queries.next_pair_id(request.user, pair.operation, after=pair)
    context = {
        "pair": pair,
        "compared": compared,
        "columns": columns,
        "grouped": grouped,
        "group_size": len(queries.group_of(request.user, pair)) if not grouped else len(people),
        "decide_form": DecideForm(posted) if posted is not None else DecideForm(),
        "error": error,
        "check": check if check and check.state == CheckState.TO_CHECK else None,
        "own_check": bool(check and check.state == CheckState.TO_CHECK and check.bulk.started_by_id == request.user.pk),
        "next_pair": following,
        "merges": list(PersonMerge.objects.filter(survivor__in=people, undone_at__isnull=True)[:3]),
    }
    return render(request, "matching/compare.html", context, status=status)


def _keep_posted(compared: Any, posted: Any) -> None:
    """Show again what the reviewer chose, after a refusal."""
    chosen_survivor = posted.get("survivor")
    for person in compared.people:
        if str(person.pk) == chosen_survivor:
            compared.survivor = person
    for row in compared.rows:
        value = posted.get(f"choice-{row.key}")
        if value:
            for cell in row.cells:
                cell.chosen = str(cell.person.pk) == value


@login_required
@require_GET
def pair(request: HttpRequest, pair_id: uuid.UUID) -> HttpResponse:
    return _compare_page(request, get_pair_for_user(request.user, pair_id))


def _posted_people(request: HttpRequest, pair: CandidatePair) -> list[Person]:
    """The records the reviewer kept checked, among those the page showed (the pair, or its group)."""
    shown = {p.pk: p for p in queries.group_of(request.user, pair)} | {
        pair.person_a_id: pair.person_a,
        pair.person_b_id: pair.person_b,
    }
    chosen = request.POST.getlist("people") or [str(pair.person_a_id), str(pair.person_b_id)]
    people = []
    for value in chosen:
        try:
            people.append(shown[uuid.UUID(value)])
        except (KeyError, ValueError) as exc:
            raise Http404 from exc
    return people


@login_required
@require_POST
def pair_merge(request: HttpRequest, pair_id: uuid.UUID) -> HttpResponse:
    found = get_pair_for_user(request.user, pair_id)
    people = _posted_people(request, found)
    survivor = next((p for p in people if str(p.pk) == request.POST.get("survivor")), None)
    if survivor is None or len(people) < 2:
        message = _("Choose the record to keep and at least one other record to merge into it.")
        return _compare_page(request, found, error=message, posted=request.POST, status=400)
    choices = {
        key: request.POST[f"choice-{key}"] for key in CHOICE_KEYS if request.POST.get(f"choice-{key}", "").strip()
    }
    versions = {}
    for person in people:
        raw = request.POST.get(f"version-{person.pk}", "")
        if raw.isdigit():
            versions[person.pk] = int(raw)
    try:
        merge = merge_people(
            acting_user=me(request),
            survivor=survivor,
            merged=[p for p in people if p.pk != survivor.pk],
            choices=choices,
            versions=versions,
            note=request.POST.get("note", ""),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except (ValidationError, PersonChangedMeanwhile) as refused:
        message = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
        return _compare_page(request, found, error=message, posted=request.POST, status=409)
    messages.success(
        request,
        _("Merged into %(ref)s. The other records now point at it; you can undo the merge here.")
        % {"ref": merge.survivor.reference},
    )
    return redirect("matching_merge", merge_id=merge.pk)


@login_required
@require_POST
def pair_decide(request: HttpRequest, pair_id: uuid.UUID) -> HttpResponse:
    found = get_pair_for_user(request.user, pair_id)
    people = _posted_people(request, found)
    form = DecideForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
        return _compare_page(request, found, error=error, posted=request.POST, status=400)
    decided = list(pairs_between(people).visible_to(request.user)) if len(people) > 2 else [found]
    try:
        for item in decided:
            decide_pair(
                acting_user=me(request),
                pair=item,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as refused:
        return _compare_page(request, found, error=" ".join(refused.messages), posted=request.POST, status=409)
    if form.cleaned_data["decision"] == "unsure":
        messages.info(request, _("Escalated: the pair waits under “Escalated (unsure)” with your note."))
    else:
        messages.success(request, _("Recorded as different people: these records will not be proposed again."))
    following = queries.next_pair_id(request.user, found.operation)
    return redirect("matching_pair", pair_id=following) if following else redirect("matching_queue")


# --- merges -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def merges(request: HttpRequest) -> HttpResponse:
    operation = _reviewer(request)
    page = paginate(request, queries.merges_for(request.user, operation))
    return render(request, "matching/merges.html", {"page": page})


def _merge_page(
    request: HttpRequest, merge: PersonMerge, *, form: UndoForm | None = None, conflict: str = "", status: int = 200
) -> HttpResponse:
    merged = list(merge.merged.order_by("reference"))
    moved: dict[str, int] = {}
    for row in merge.rows:
        moved[row["model"]] = moved.get(row["model"], 0) + 1
    context = {
        "merge": merge,
        "merged": merged,
        "moved": sorted(moved.items()),
        "changed": [
            {"field": field_label(name), "before": merge.survivor_before.get(name), "after": value}
            for name, value in merge.survivor_after.items()
            if merge.survivor_before.get(name) != value
        ],
        "form": form or UndoForm(),
        "conflict": conflict,
        "later": PersonMerge.objects.filter(merged=merge.survivor, undone_at__isnull=True).first(),
    }
    return render(request, "matching/merge.html", context, status=status)


@login_required
@require_GET
def merge(request: HttpRequest, merge_id: uuid.UUID) -> HttpResponse:
    return _merge_page(request, get_merge_for_user(request.user, merge_id))


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: uuid.UUID) -> HttpResponse:
    found = get_merge_for_user(request.user, merge_id)
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _merge_page(request, found, form=form, status=400)
    try:
        undo_merge(
            acting_user=me(request),
            merge=found,
            keep_later_changes=form.cleaned_data["keep_later_changes"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except UndoConflict as conflict:
        return _merge_page(request, found, form=form, conflict=str(conflict), status=409)
    except MergeRefused as refused:
        form.add_error(None, refused.messages)
        return _merge_page(request, found, form=form, status=409)
    messages.success(request, _("The merge is undone: the records are apart again, as they were."))
    return redirect("matching_merge", merge_id=found.pk)


# --- bulk decisions -----------------------------------------------------------------------------------------


@login_required
@require_POST
def bulk_start(request: HttpRequest) -> HttpResponse:
    operation = _reviewer(request)
    runs = queries.runs_for(request.user, operation)
    filters = QueueFilterForm(request.POST, operation=operation, runs=runs).filters()
    form = BulkForm(request.POST)
    selected = request.POST.getlist("selected")
    if form.is_valid():
        data = form.cleaned_data
        try:
            bulk = start_bulk_decision(
                acting_user=me(request),
                operation=operation,
                decision=data["decision"],
                min_probability=None if selected else data["min_probability"],
                band=filters.band,
                run=filters.run,
                office=filters.office,
                registration_import=filters.registration_import,
                selected=selected,
                sample_share=data["sample_percent"] / 100,
                seed=data["seed"],
                note=data["note"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.info(request, _("The bulk decision is under way."))
            return redirect("matching_bulk", bulk_id=bulk.pk)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(error) for error in errors)
        messages.error(request, f"{label}: {text}" if label else text)
    return redirect("matching_queue")


@login_required
@require_GET
def bulk(request: HttpRequest, bulk_id: uuid.UUID) -> HttpResponse:
    found = get_bulk_for_user(request.user, bulk_id)
    checks = list(found.checks.select_related("pair__person_a", "pair__person_b", "checked_by").order_by("state", "id"))
    context = {
        "bulk": found,
        "job": found.job,
        "running": found.finished_at is None and not (found.job and found.job.is_finished),
        "checks": checks,
        "checked": sum(1 for c in checks if c.state != CheckState.TO_CHECK),
        "confirmed": sum(1 for c in checks if c.state == CheckState.CONFIRMED),
    }
    template = "matching/bulk.html#bulk-panel" if request.htmx else "matching/bulk.html"  # type: ignore[attr-defined]
    return render(request, template, context)
