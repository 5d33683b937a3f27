"""Deciding many pairs at once: those above a probability (with the queue's filters) or a selection.

start_bulk_decision checks the permission (person.merge), records what was asked and queues the
`matching.bulk` job. The job first sets a seeded random share of the pairs aside as quality checks (left open,
for a person other than the one who decided in bulk to decide: whether they agree measures the bulk decision),
then decides the others one by one, each in its own transaction: "same" merges the two records (the one
registered first kept, each field its value or, where it has none, the other's), "different" remembers them as
different. A pair whose record was merged meanwhile, or changed under it, is skipped and named in the job's
errors. A retried job picks up where it stopped: decided pairs are no longer open, and the sample is drawn
once."""

from __future__ import annotations

import math
import random
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.actions import start_job
from passage.core.jobs import JobContext, JobFailed
from passage.core.models import Job, Office, Operation, User
from passage.matching.actions import decide_pair
from passage.matching.merge_actions import merge_people
from passage.matching.merge_fields import default_choices, default_survivor
from passage.matching.models import BulkDecision, CandidatePair, Decision, MatchRun, QualityCheck
from passage.matching.queries import QueueFilters, filtered_pairs
from passage.registry.models import PersonStatus, RegistrationImport
from passage.registry.person_actions import PersonChangedMeanwhile

KIND = "matching.bulk"
MAX_SAMPLE_SHARE = 0.5
MAX_SELECTED = 500


@transaction.atomic
def start_bulk_decision(
    *,
    acting_user: User,
    operation: Operation,
    decision: str,
    min_probability: float | None = None,
    band: str = "",
    run: MatchRun | None = None,
    office: Office | None = None,
    registration_import: RegistrationImport | None = None,
    selected: list[Any] | None = None,
    sample_share: float = 0.05,
    seed: int | None = None,
    note: str = "",
) -> BulkDecision:
    """Queue a decision over the open pairs from `min_probability` up (and the filters), or over `selected`."""
    if not can(acting_user, "person.merge", operation):
        raise PermissionDenied("person.merge")
    errors: dict[str, list[str]] = {}
    if decision not in (Decision.SAME, Decision.DIFFERENT):
        errors["decision"] = [_("Choose same person or different people.")]
    if not selected and min_probability is None:
        errors["min_probability"] = [_("Give the probability from which pairs are decided, or select pairs.")]
    if min_probability is not None and not 0 < min_probability <= 1:
        errors["min_probability"] = [_("Give a probability above 0 and at most 1.")]
    if not 0 <= sample_share <= MAX_SAMPLE_SHARE:
        errors["sample_share"] = [_("Give a share between 0 and %(max)s.") % {"max": MAX_SAMPLE_SHARE}]
    if selected and len(selected) > MAX_SELECTED:
        errors["selected"] = [_("Select at most %(n)s pairs; for more, decide by probability.") % {"n": MAX_SELECTED}]
    for name, value in (("run", run), ("office", office), ("registration_import", registration_import)):
        if value is not None and value.operation_id != operation.pk:
            errors[name] = [_("This belongs to another operation.")]
    if errors:
        raise ValidationError(errors)
    bulk = BulkDecision.objects.create(
        operation=operation,
        decision=decision,
        min_probability=min_probability,
        band=band,
        run=run,
        office=office,
        registration_import=registration_import,
        selected=[str(pk) for pk in selected or []],
        sample_share=sample_share,
        seed=seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
        started_by=acting_user,
        note=note.strip(),
    )
    job = start_job(
        acting_user=None,  # not startable from the Jobs page: this action is its only door
        operation=operation,
        kind=KIND,
        params={"bulk_id": str(bulk.pk)},
        title=_("Decide possible duplicates in bulk"),
    )
    Job.objects.filter(pk=job.pk).update(created_by=acting_user)
    BulkDecision.objects.filter(pk=bulk.pk).update(job=job)
    bulk.job = job
    audit.record(
        acting_user,
        "matching.bulk.start",
        bulk,
        changes={
            "decision": [None, decision],
            "min_probability": [None, min_probability],
            "filters": [
                None,
                {"band": band, "run": _id(run), "office": _id(office), "import": _id(registration_import)},
            ],
            "selected": [None, len(bulk.selected)],
            "sample_share": [None, sample_share],
            "seed": [None, bulk.seed],
        },
        note=note,
    )
    return bulk


def _id(obj: Any) -> str | None:
    return str(obj.pk) if obj is not None else None


def eligible_pairs(bulk: BulkDecision) -> Any:
    """The open pairs the bulk decision is about, as their decider may see them, most probable first."""
    user = bulk.started_by
    if user is None:
        return CandidatePair.objects.none()
    filters = QueueFilters(
        view="open",
        band=bulk.band,
        run=bulk.run,
        office=bulk.office,
        registration_import=bulk.registration_import,
        min_probability=bulk.min_probability,
    )
    pairs = filtered_pairs(user, bulk.operation, filters)
    if bulk.selected:
        pairs = pairs.filter(pk__in=bulk.selected)
    return pairs


def sample_size(total: int, share: float) -> int:
    """At least one pair is checked when a share is asked for and there is a pair."""
    return 0 if share <= 0 or total == 0 else min(total, max(1, math.ceil(total * share)))


def run_bulk(ctx: JobContext) -> None:
    """The job: set the sample aside (once), then decide the other pairs one by one."""
    try:
        bulk = BulkDecision.objects.select_related("operation", "started_by", "run", "office").get(
            pk=ctx.params["bulk_id"], operation_id=ctx.job.operation_id
        )
    except (BulkDecision.DoesNotExist, KeyError) as exc:
        raise JobFailed("The bulk decision this job was for no longer exists.") from exc
    user = bulk.started_by
    if user is None or not can(user, "person.merge", bulk.operation):
        raise JobFailed("Whoever asked for this bulk decision may no longer decide on duplicates.")
    if not ctx.checkpoint.get("sampled"):
        ids = [str(pk) for pk in eligible_pairs(bulk).values_list("pk", flat=True)]
        chosen = random.Random(bulk.seed).sample(sorted(ids), sample_size(len(ids), bulk.sample_share))  # noqa: S311
        with transaction.atomic():
            QualityCheck.objects.bulk_create([QualityCheck(bulk=bulk, pair_id=pk) for pk in chosen])
            BulkDecision.objects.filter(pk=bulk.pk).update(pairs_set_aside=len(chosen))
        ctx.progress(0, checkpoint={"sampled": True})
        ctx.count("pairs_set_aside", len(chosen))
    todo = list(eligible_pairs(bulk).values_list("pk", flat=True))
    total = len(todo)
    ctx.progress(0, total, stage="Deciding")
    done = decided = skipped = 0
    for pk in todo:
        pair = CandidatePair.objects.select_related("person_a", "person_b", "operation").get(pk=pk)
        try:
            _decide(bulk, user, pair)
        except (ValidationError, PermissionDenied, PersonChangedMeanwhile) as refused:
            skipped += 1
            ctx.error(_reason(refused), pair=str(pair.pk))
        else:
            decided += 1
        done += 1
        if done % 20 == 0:
            ctx.progress(done, total, stage="Deciding")
    with transaction.atomic():
        BulkDecision.objects.filter(pk=bulk.pk).update(
            pairs_decided=bulk.pairs_decided + decided,
            pairs_skipped=bulk.pairs_skipped + skipped,
            finished_at=timezone.now(),
        )
        bulk.refresh_from_db()
        audit.record(
            None,
            "matching.bulk.finish",
            bulk,
            actor_username="system",
            changes={
                "pairs_decided": [None, bulk.pairs_decided],
                "pairs_set_aside": [None, bulk.pairs_set_aside],
                "pairs_skipped": [None, bulk.pairs_skipped],
            },
        )
    ctx.count("pairs_decided", decided)
    ctx.count("pairs_skipped", skipped)
    ctx.progress(done, total, stage="Done")
    ctx.finish(bulk_id=str(bulk.pk))


def _decide(bulk: BulkDecision, user: User, pair: CandidatePair) -> None:
    if PersonStatus.MERGED in (pair.person_a.status, pair.person_b.status):
        raise ValidationError(_("A record of this pair was merged meanwhile."))
    if bulk.decision == Decision.DIFFERENT:
        decide_pair(acting_user=user, pair=pair, decision=Decision.DIFFERENT, note=_("Bulk decision"))
        return
    survivor = default_survivor([pair.person_a, pair.person_b])
    other = pair.person_b if survivor.pk == pair.person_a_id else pair.person_a
    merge_people(
        acting_user=user,
        survivor=survivor,
        merged=[other],
        choices=default_choices(survivor, [other]),
        versions={survivor.pk: survivor.version, other.pk: other.version},
        note=_("Bulk decision"),
        bulk=bulk,
    )


def _reason(refused: Exception) -> str:
    if isinstance(refused, ValidationError):
        return " ".join(refused.messages)
    if isinstance(refused, PermissionDenied):
        return _("Not allowed to decide on this pair.")
    return str(refused)
