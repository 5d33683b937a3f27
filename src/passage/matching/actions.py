"""Starting a search for duplicates in the registry, and the job's work: read, score, store the pairs.

start_match_run is the only door to the `matching.registry` job: it checks the permission (person.register, as
for imports, or person.merge, for those who review the duplicates), records the run with the operation's
thresholds of the moment, and writes the audit event."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import numpy as np
import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.actions import start_job
from passage.core.bulk import insert_rows
from passage.core.jobs import JobContext, JobFailed
from passage.core.models import Job, Operation, User
from passage.matching.engine import DEFAULT_FLOOR, match_people
from passage.matching.merge_actions import refuse_own_checks, settle_checks
from passage.matching.models import Band, CandidatePair, Decision, MatchRun, MatchSettings, RunScope, RunState
from passage.matching.registry_records import import_people, people_count, registry_frame
from passage.registry.models import RegistrationImport

KIND = "matching.registry"
_PAIR_FIELDS = (
    "id",
    "operation_id",
    "person_a_id",
    "person_b_id",
    "probability",
    "match_weight",
    "explanation",
    "band",
    "same_cluster",
    "run_id",
    "decision",
    "created_at",
)


@transaction.atomic
def start_match_run(
    acting_user: User | None, operation: Operation, registration_import: RegistrationImport | None = None
) -> MatchRun:
    """Queue a run over the operation's registry, or over one import against itself and the registry."""
    if acting_user is not None and not (
        can(acting_user, "person.register", operation) or can(acting_user, "person.merge", operation)
    ):
        raise PermissionDenied("person.register")
    if registration_import is not None and registration_import.operation_id != operation.pk:
        raise ValidationError({"registration_import": _("This import belongs to another operation.")})
    config = MatchSettings.of(operation)
    run = MatchRun.objects.create(
        operation=operation,
        scope=RunScope.IMPORT if registration_import is not None else RunScope.REGISTRY,
        registration_import=registration_import,
        probable_threshold=config.probable_threshold,
        review_threshold=config.review_threshold,
        import_ceiling_share=config.import_ceiling_share,
        started_by=acting_user,
    )
    job = start_job(
        acting_user=None,  # the kind is not startable from the Jobs page: this action is its only door
        operation=operation,
        kind=KIND,
        params={"run_id": str(run.pk)},
        title=_("Find duplicate people in an import") if registration_import else _("Find duplicate people"),
    )
    Job.objects.filter(pk=job.pk).update(created_by=acting_user)
    MatchRun.objects.filter(pk=run.pk).update(job=job)
    run.job = job
    audit.record(
        acting_user,
        "matching.run.start",
        run,
        actor_username="system",
        changes={
            "scope": [None, run.scope],
            "registration_import": [None, str(registration_import.pk) if registration_import else None],
            "thresholds": [None, [run.probable_threshold, run.review_threshold]],
        },
    )
    return run


def _run_of(ctx: JobContext) -> MatchRun:
    try:
        return MatchRun.objects.select_related("operation", "registration_import").get(
            pk=ctx.params["run_id"], operation_id=ctx.job.operation_id
        )
    except (MatchRun.DoesNotExist, KeyError) as exc:
        raise JobFailed("The matching run this job was for no longer exists.") from exc


def run_match(ctx: JobContext) -> None:
    """The job: read the registry in chunks, score it, store the pairs from the review threshold up.

    No checkpoint: the engine scores the registry as a whole (its weights are learnt from all the candidate
    pairs), so a retried job starts again from the reading, and storing is safe to repeat (a pair already
    stored is left as it is)."""
    run = _run_of(ctx)
    MatchRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
    try:
        _score_and_store(ctx, run)
    except Exception:
        MatchRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, finished_at=timezone.now())
        raise


def _score_and_store(ctx: JobContext, run: MatchRun) -> None:
    operation = run.operation
    # Progress is counted in people: read chunk by chunk, then scored, then their pairs stored.
    total = people_count(operation)
    ctx.progress(0, total, stage="Reading the registry")
    frame = registry_frame(operation, progress=lambda done: ctx.progress(done, total, stage="Reading the registry"))
    ctx.count("people", frame.height)
    ctx.progress(frame.height, frame.height, stage="Scoring")
    pairs, share, scored, model = _score(frame, run)
    ctx.progress(frame.height, frame.height, stage="Storing pairs")
    counts = _store(run, pairs)
    rescored = counts.pop("pairs_rescored")  # in the job's counts and the audit event; the run keeps the pairs
    counts["people_read"] = frame.height
    counts["pairs_scored"] = scored
    held = share is not None and share > run.import_ceiling_share
    with transaction.atomic():
        MatchRun.objects.filter(pk=run.pk).update(
            state=RunState.DONE,
            finished_at=timezone.now(),
            import_share=share,
            held_for_review=held,
            model=model,
            **counts,
        )
        run.refresh_from_db()
        audit.record(
            None,
            "matching.run.finish",
            run,
            actor_username="system",
            changes={name: [None, value] for name, value in counts.items()}
            | {"pairs_rescored": [None, rescored]}
            | ({"held_for_review": [None, held]} if share is not None else {}),
        )
    for name in ("pairs_new", "pairs_probable", "pairs_review", "pairs_known", "pairs_decided_different"):
        ctx.count(name, counts[name])
    ctx.count("pairs_rescored", rescored)
    ctx.progress(frame.height, frame.height, stage="Done")
    ctx.finish(run_id=str(run.pk), import_share=share, held_for_review=held)


def _score(
    frame: pl.DataFrame, run: MatchRun
) -> tuple[list[dict[str, Any]], float | None, int, dict[str, object] | None]:
    """Pairs at or above the review threshold (after the keep-apart rules), each person pair in id order; for an
    import, only pairs with at least one of its people, and the share of its people in probable pairs."""
    if frame.height < 2:
        return [], (0.0 if run.registration_import_id else None), 0, None
    result = match_people(frame.drop("source_import"), threshold=run.probable_threshold, floor=DEFAULT_FLOOR)
    keep = result.probability >= run.review_threshold
    ids = frame["record_id"].to_list()
    in_import: np.ndarray | None = None
    share = None
    if run.registration_import is not None:
        brought = import_people(run.registration_import)
        in_import = np.array([pk in brought for pk in ids], dtype=bool)
        keep &= in_import[result.left] | in_import[result.right]
        probable = np.flatnonzero(keep & (result.probability >= run.probable_threshold))
        alike = set(result.left[probable][in_import[result.left[probable]]]) | set(
            result.right[probable][in_import[result.right[probable]]]
        )
        share = round(len(alike) / max(int(in_import.sum()), 1), 4)
    pairs = []
    for index in np.flatnonzero(keep).tolist():
        a, b = ids[result.left[index]], ids[result.right[index]]
        a, b = (a, b) if uuid.UUID(a) < uuid.UUID(b) else (b, a)
        probability = float(result.probability[index])
        pairs.append(
            {
                "a": uuid.UUID(a),
                "b": uuid.UUID(b),
                "probability": round(probability, 4),
                "match_weight": round(float(result.scores.match_weight[index]), 2),
                "explanation": [
                    {"field": field, "level": level, "weight": weight} for field, level, weight in result.explain(index)
                ],
                "band": (Band.PROBABLE if probability >= run.probable_threshold else Band.REVIEW).value,
                "same_cluster": bool(result.labels[result.left[index]] == result.labels[result.right[index]]),
            }
        )
    return pairs, share, len(result.left), result.model.to_dict()


RESCORED_FIELDS = ("probability", "match_weight", "explanation", "band", "same_cluster", "run")


@transaction.atomic
def _store(run: MatchRun, pairs: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the pairs not stored before. A pair already there and still open takes this run's score (its
    probability, band, explanation and run), so the queue shows what the latest weights say; a decided or
    unsure pair is left as it was decided, so a pair decided different is never proposed again."""
    known: dict[tuple[uuid.UUID, uuid.UUID], tuple[uuid.UUID, str]] = {}
    if pairs:  # every stored pair of the operation: a list of ids in a query would pass SQLite's variable limit
        existing = CandidatePair.objects.filter(operation_id=run.operation_id).values_list(
            "id", "person_a_id", "person_b_id", "decision"
        )
        for pk, a, b, decision in existing.iterator(chunk_size=10_000):
            known[(a, b)] = (pk, decision)
    now = timezone.now()
    fresh = [p for p in pairs if (p["a"], p["b"]) not in known]
    written = insert_rows(CandidatePair, _PAIR_FIELDS, (_row(run, p, now) for p in fresh))
    again = [(known[(p["a"], p["b"])], p) for p in pairs if (p["a"], p["b"]) in known]
    rescored = [
        CandidatePair(
            pk=pk,
            probability=p["probability"],
            match_weight=p["match_weight"],
            explanation=p["explanation"],
            band=p["band"],
            same_cluster=p["same_cluster"],
            run=run,
        )
        for (pk, decision), p in again
        if decision == Decision.OPEN
    ]
    CandidatePair.objects.bulk_update(rescored, RESCORED_FIELDS, batch_size=500)
    return {
        "pairs_new": written,
        "pairs_probable": sum(1 for p in pairs if p["band"] == Band.PROBABLE),
        "pairs_review": sum(1 for p in pairs if p["band"] == Band.REVIEW),
        "pairs_known": len(again),
        "pairs_rescored": len(rescored),
        "pairs_decided_different": sum(1 for (_pk, decision), _p in again if decision == Decision.DIFFERENT),
    }


def _row(run: MatchRun, pair: dict[str, Any], now: dt.datetime) -> tuple[Any, ...]:
    return (
        uuid.uuid4(),
        run.operation_id,
        pair["a"],
        pair["b"],
        pair["probability"],
        pair["match_weight"],
        pair["explanation"],
        pair["band"],
        pair["same_cluster"],
        run.pk,
        Decision.OPEN.value,
        now,
    )


@transaction.atomic
def decide_pair(*, acting_user: User, pair: CandidatePair, decision: str, note: str = "") -> CandidatePair:
    """Record a decision on a pair (person.merge): same person, different people (never proposed again) or
    unsure. Merging the two records is merge_actions.merge_people's (which decides the pairs itself); a pair a
    bulk decision set aside is checked by this decision, by anyone but the one who decided in bulk."""
    if decision not in Decision.values or decision == Decision.OPEN:
        raise ValidationError({"decision": _("Choose same person, different people or unsure.")})
    if not CandidatePair.objects.visible_to(acting_user).filter(pk=pair.pk).exists():
        raise PermissionDenied("person.view")
    if not can(acting_user, "person.merge", pair.operation):
        raise PermissionDenied("person.merge")
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    refuse_own_checks(acting_user, [pair])
    before = pair.decision
    pair.decision, pair.decided_by, pair.decided_at = decision, acting_user, timezone.now()
    pair.save(update_fields=["decision", "decided_by", "decided_at"])
    audit.record(acting_user, "matching.pair.decide", pair, changes={"decision": [before, decision]}, note=note)
    settle_checks(acting_user, [pair], decision, pair.decided_at)
    return pair


@transaction.atomic
def set_match_settings(
    *,
    acting_user: User | None,
    operation: Operation,
    probable_threshold: float,
    review_threshold: float,
    import_ceiling_share: float,
) -> MatchSettings:
    """Change the operation's bands and import ceiling (operation.manage); runs started later use them."""
    if acting_user is not None and not can(acting_user, "operation.manage", operation):
        raise PermissionDenied("operation.manage")
    errors: dict[str, list[str]] = {}
    for name, value in (
        ("probable_threshold", probable_threshold),
        ("review_threshold", review_threshold),
        ("import_ceiling_share", import_ceiling_share),
    ):
        if not 0 <= value <= 1 or (name != "import_ceiling_share" and value == 0):
            errors[name] = [_("Give a share between 0 and 1.")]
    if not errors and review_threshold > probable_threshold:
        errors["review_threshold"] = [_("The review band starts at or below the probable duplicates' threshold.")]
    if errors:
        raise ValidationError(errors)
    config = MatchSettings.of(operation)
    fields = ("probable_threshold", "review_threshold", "import_ceiling_share")
    before = audit.snapshot(config, fields) if config.pk else {}
    config.probable_threshold, config.review_threshold = probable_threshold, review_threshold
    config.import_ceiling_share, config.updated_by = import_ceiling_share, acting_user
    config.save()
    audit.record(
        acting_user,
        "matching.settings.change",
        config,
        actor_username="system",
        changes=audit.diff(before, audit.snapshot(config, fields)),
    )
    return config
