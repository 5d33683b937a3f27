"""Matching through the JSON API: start a search for duplicates (the registry, or one import), follow runs, read
and set the operation's bands and import ceiling, list candidate pairs, open one with both people's compared
fields and the explanation, decide it, merge records and undo a merge.

The same rules as the pages: a run, pair or merge of another operation is a 404; runs and settings are read by
whoever sees people in the operation (person.view), pairs and merges by whoever reviews duplicates
(person.merge, matching.access), 403 for a list a role is not for; a pair is seen only by someone who may see
both of its people, opening one is a read (audited), and phones and document numbers are masked as the registry
API masks them. Every change is an action of matching.actions or matching.merge_actions.
"""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS, Problem, problem_response
from passage.core import access as core_access
from passage.core.models import Operation, User
from passage.matching import actions
from passage.matching.access import get_merge_for_user, get_pair_for_user
from passage.matching.merge_actions import MergeRefused, UndoConflict, merge_people, undo_merge
from passage.matching.models import CandidatePair, MatchRun, MatchSettings, PersonMerge
from passage.matching.queries import QueueFilters, filtered_pairs
from passage.matching.run_schemas import (
    DecisionIn,
    MergeIn,
    MergeOut,
    PairDetailOut,
    PairOut,
    PairsQuery,
    RunIn,
    RunOut,
    SettingsIn,
    SettingsOut,
    UndoIn,
)
from passage.registry import queries as registry_queries
from passage.registry.access import mask, may_see_sensitive
from passage.registry.import_queries import get_import_for_user
from passage.registry.models import Person
from passage.registry.names import NAME_FIELDS

router = Router(tags=["matching"])


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _runs(user: User) -> QuerySet[MatchRun]:
    return MatchRun.objects.visible_to(user).select_related("job", "job__created_by", "started_by")  # type: ignore[no-any-return]


def _run_for(user: User, run_id: UUID) -> MatchRun:
    return get_object_or_404(_runs(user), pk=run_id)


# Runs ----------------------------------------------------------------------------------------------------


@router.post("/matching/runs", response={201: RunOut, **PROBLEMS})
def start_run(request: HttpRequest, payload: RunIn) -> Status[MatchRun]:
    """Queue a search for duplicates over the operation's registry, or over one import (`registration_import`)
    against itself and the registry; follow it at GET /matching/runs/{id}. Needs person.register."""
    user = _user(request)
    operation = core_access.get_operation_for_user(user, payload.operation)
    chosen = get_import_for_user(user, payload.registration_import) if payload.registration_import else None
    run = actions.start_match_run(user, operation, chosen)
    return Status(201, _run_for(user, run.pk))


@router.get("/matching/runs", response={200: list[RunOut], **PROBLEMS})
@paginate(LimitOffset)
def list_runs(request: HttpRequest, operation: UUID) -> QuerySet[MatchRun]:
    """The operation's runs, newest first, with their state, counts and progress; needs person.view."""
    user = _user(request)
    target = core_access.require(user, "person.view", core_access.get_operation_for_user(user, operation))
    return _runs(user).filter(operation=target).order_by("-created_at", "id")


@router.get("/matching/runs/{run_id}", response={200: RunOut, **PROBLEMS})
def get_run(request: HttpRequest, run_id: UUID) -> MatchRun:
    """A run: what it read, scored and stored, and its job's progress."""
    return _run_for(_user(request), run_id)


# Settings ------------------------------------------------------------------------------------------------


def _settings(config: MatchSettings) -> dict[str, Any]:
    return {
        "operation_id": config.operation_id,
        "probable_threshold": config.probable_threshold,
        "review_threshold": config.review_threshold,
        "import_ceiling_share": config.import_ceiling_share,
        "saved": config.pk is not None,
        "updated_at": config.updated_at if config.pk else None,
        "updated_by": config.updated_by.get_username() if config.updated_by else None,
    }


@router.get("/matching/settings", response={200: SettingsOut, **PROBLEMS})
def get_settings(request: HttpRequest, operation: UUID) -> dict[str, Any]:
    """The operation's two bands and its import ceiling (the defaults until someone sets them); needs
    person.view."""
    user = _user(request)
    target = core_access.require(user, "person.view", core_access.get_operation_for_user(user, operation))
    return _settings(MatchSettings.of(target))


@router.put("/matching/settings", response={200: SettingsOut, **PROBLEMS})
def put_settings(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    """Set the bands and the import ceiling; runs started afterwards use them. Needs operation.manage."""
    user = _user(request)
    target = core_access.get_operation_for_user(user, payload.operation)
    config = actions.set_match_settings(
        acting_user=user,
        operation=target,
        probable_threshold=payload.probable_threshold,
        review_threshold=payload.review_threshold,
        import_ceiling_share=payload.import_ceiling_share,
    )
    return _settings(config)


# Pairs ---------------------------------------------------------------------------------------------------

# The decision filter as the review queue's views (queries.VIEWS) name it.
_VIEWS = {"": "all", "open": "open", "unsure": "unsure", "same": "same", "different": "different"}


def _reviewer(user: User, operation_id: UUID) -> Operation:
    """The operation, if the user reviews its duplicates (person.merge): 403 otherwise, as the queue's page."""
    return core_access.require(user, "person.merge", core_access.get_operation_for_user(user, operation_id))


@router.get("/matching/pairs", response={200: list[PairOut], **PROBLEMS})
@paginate(LimitOffset)
def list_pairs(request: HttpRequest, filters: Query[PairsQuery]) -> QuerySet[CandidatePair]:
    """Candidate pairs of the operation whose two people the caller may both see, most probable first, as the
    review queue lists them; needs person.merge. `decision=open` is the queue itself: a pair one of whose
    records was merged since, or one a bulk decision set aside for a second person, is not in it."""
    user = _user(request)
    operation = _reviewer(user, filters.operation)
    run = _run_for(user, filters.run) if filters.run is not None else None
    chosen = QueueFilters(
        view=_VIEWS[filters.decision], band=filters.band, run=run, min_probability=filters.min_probability
    )
    return filtered_pairs(user, operation, chosen).select_related("person_a", "person_b", "decided_by")


def _compared(user: User, person: Person) -> dict[str, Any]:
    """A person's compared fields; phones and documents masked unless the role may see them."""
    person = registry_queries.person_detail(person)
    sensitive = may_see_sensitive(user, person)

    def shown(value: str) -> str:
        return value if sensitive else mask(value)

    homes = [m for m in person.household_memberships.all() if m.left_on is None]
    area = person.admin_area or next((m.household.admin_area for m in homes if m.household.admin_area_id), None)
    return {
        "id": person.pk,
        "reference": person.reference,
        "status": person.status,
        "office_id": person.office_id,
        **{name: getattr(person, name) for name in NAME_FIELDS},
        "sex": person.sex,
        "birth_date": person.birth_date,
        "birth_date_precision": person.birth_date_precision,
        "phones": [{"number": shown(p.number), "is_primary": p.is_primary} for p in person.phones.all()],
        "documents": [
            {"type": d.type, "number": shown(d.number), "issuing_country": d.issuing_country}
            for d in person.documents.all()
        ],
        "admin_area": area.pcode if area else None,
        "households": [m.household.reference for m in homes],
        "sensitive_shown": sensitive,
    }


@router.get("/matching/pairs/{pair_id}", response={200: PairDetailOut, **PROBLEMS})
def get_pair(request: HttpRequest, pair_id: UUID) -> CandidatePair:
    """A pair with both people's compared fields and what each field added to the score. Opening it is a read
    of both records, recorded in the audit trail. 404 unless the caller may see and merge both people."""
    user = _user(request)
    pair = get_pair_for_user(user, pair_id)
    pair.people = [_compared(user, pair.person_a), _compared(user, pair.person_b)]  # type: ignore[attr-defined]
    return pair


@router.post("/matching/pairs/{pair_id}/decision", response={200: PairOut, 409: Problem, **PROBLEMS})
def decide(request: HttpRequest, pair_id: UUID, payload: DecisionIn) -> Any:
    """Decide a pair: the same person, different people (never proposed again) or unsure (escalated), with a note
    for the audit trail. Deciding "same" records the decision; merging the records is POST /matching/merges.
    409 for a pair the caller set aside for someone else's quality check."""
    user = _user(request)
    pair = get_pair_for_user(user, pair_id)
    try:
        actions.decide_pair(acting_user=user, pair=pair, decision=payload.decision, note=payload.note.strip())
    except MergeRefused as refused:
        return problem_response(request, 409, " ".join(refused.messages))
    return get_pair_for_user(user, pair_id)


# Merges --------------------------------------------------------------------------------------------------


def _merge(merge: PersonMerge) -> dict[str, Any]:
    return {
        "id": merge.pk,
        "operation_id": merge.operation_id,
        "survivor_id": merge.survivor_id,
        "survivor_reference": merge.survivor.reference,
        "merged": [{"id": p.pk, "reference": p.reference} for p in merge.merged.order_by("reference")],
        "choices": merge.choices,
        "pairs_decided": len(merge.pairs),
        "warnings": [str(w) for w in merge.warnings],
        "note": merge.note,
        "merged_by": merge.merged_by.get_username() if merge.merged_by else None,
        "merged_at": merge.merged_at,
        "undone_by": merge.undone_by.get_username() if merge.undone_by else None,
        "undone_at": merge.undone_at,
        "undo_note": merge.undo_note,
    }


def _refused(request: HttpRequest, refused: MergeRefused) -> HttpResponse:
    """409: the records cannot be merged (or the merge undone) as asked; nothing changed."""
    errors = None
    if hasattr(refused, "error_dict"):
        errors = [{"field": name, "message": str(m)} for name, ms in refused.message_dict.items() for m in ms]
    return problem_response(request, 409, " ".join(refused.messages), errors)


@router.post("/matching/merges", response={201: MergeOut, 409: Problem, **PROBLEMS})
def merge(request: HttpRequest, payload: MergeIn) -> Any:
    """Merge records found to be one person into the survivor: `choices` says, field by field, whose value
    survives (the fullest by default), `versions` the version of each record the caller read (a record changed
    since is refused, naming who changed what). The pairs between them are decided "same"; the merge can be
    undone. Needs person.merge over every record; a record the caller may not see is a 404."""
    user = _user(request)
    ids = [payload.survivor, *payload.merged]
    people = {p.pk: p for p in Person.objects.visible_to(user).filter(pk__in=ids)}
    if len(people) != len(set(ids)):
        raise Http404
    try:
        done = merge_people(
            acting_user=user,
            survivor=people[payload.survivor],
            merged=[people[pk] for pk in payload.merged],
            choices={key: str(value) for key, value in payload.choices.items()},
            versions={str(key): value for key, value in payload.versions.items()} or None,
            note=payload.note.strip(),
        )
    except MergeRefused as refused:
        return _refused(request, refused)
    return Status(201, _merge(get_merge_for_user(user, done.pk)))


@router.get("/matching/merges/{merge_id}", response={200: MergeOut, **PROBLEMS})
def get_merge(request: HttpRequest, merge_id: UUID) -> dict[str, Any]:
    """A merge: who was kept, who was merged into them, whose values survived, and whether it was undone."""
    return _merge(get_merge_for_user(_user(request), merge_id))


@router.post("/matching/merges/{merge_id}/undo", response={200: MergeOut, 409: Problem, **PROBLEMS})
def undo(request: HttpRequest, merge_id: UUID, payload: UndoIn) -> Any:
    """Put back exactly what a merge changed. 409 when someone changed the survivor or a moved row since (the
    detail names who changed what), unless `keep_later_changes`: then those stay as they are now."""
    user = _user(request)
    found = get_merge_for_user(user, merge_id)
    try:
        undo_merge(acting_user=user, merge=found, keep_later_changes=payload.keep_later_changes, note=payload.note)
    except UndoConflict as conflict:
        return problem_response(request, 409, str(conflict))
    except MergeRefused as refused:
        return _refused(request, refused)
    return _merge(get_merge_for_user(user, merge_id))
