"""The Reintegration Sustainability Survey as actions: a programme's weights (a new version at each change) and a
returnee's scores computed from an RSS submission with the weights in force at the time, kept with the version
they used (passage.cases.scoring says how)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import scoring
from passage.cases.models import RssScore, RssWeights, Submission
from passage.core import audit
from passage.core.access import can
from passage.core.models import Programme, User

RSS_FORM = "rss"  # the catalogue's code of the survey: its submissions on a case are scored


def current_weights(programme: Programme) -> RssWeights:
    """The programme's weights in force; the first use records Passage's unweighted defaults as version 1, so
    that every score names the weights it was computed with."""
    latest = RssWeights.objects.filter(programme=programme).order_by("-number").first()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return RssWeights.objects.create(
                programme=programme,
                number=1,
                weights=scoring.default_rss_weights(),
                source=scoring.DEFAULT_RSS_SOURCE,
                set_at=timezone.now(),
            )
    except IntegrityError:  # someone recorded them meanwhile
        return RssWeights.objects.filter(programme=programme).order_by("-number").first()  # type: ignore[return-value]


@transaction.atomic
def set_rss_weights(
    *, programme: Programme, weights: dict[str, Any], source: str, acting_user: User | None
) -> RssWeights:
    """A new version of the programme's weights (say where they come from: the handbook's annex, a programme
    decision…). Scores already computed keep the version they used; new surveys are scored with this one."""
    if acting_user is not None and not can(acting_user, "form.manage", programme):
        raise PermissionDenied("form.manage")
    cleaned, errors = scoring.clean_rss_weights(weights)
    source = (source or "").strip()
    if not source:
        errors["source"] = _("Say where these weights come from.")
    elif len(source) > 300:
        errors["source"] = _("Keep this under 300 characters.")
    if errors:
        raise ValidationError(errors)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # one new version at a time
    before = current_weights(programme)
    if before.weights == cleaned:
        raise ValidationError({"weights": _("These are the weights in force already.")})
    version = RssWeights.objects.create(
        programme=programme,
        number=before.number + 1,
        weights=cleaned,
        source=source,
        set_by=acting_user,
        set_at=timezone.now(),
    )
    audit.record(
        acting_user,
        "rss.weights",
        programme,
        changes={"weights": [before.weights, cleaned], "version": [before.number, version.number]},
        note=source,
        operation_id=programme.operation_id,
    )
    return version


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def score_submission(*, submission: Submission, acting_user: User | None) -> RssScore | None:
    """The returnee's RSS scores from a completed RSS submission on a case, with the programme's weights in force
    now. The submission it supersedes (a corrected import, a redone survey) has its score marked replaced. None
    for a submission without a case (weights are a programme's). Runs inside the submission's transaction."""
    case = submission.case
    if case is None or not submission.is_complete:
        return None
    weights = current_weights(case.programme)
    answers = submission.answers
    result = scoring.rss_scores(answers, weights.weights)
    now = timezone.now()
    if submission.supersedes_id:
        RssScore.objects.filter(submission_id=submission.supersedes_id).update(replaced_at=now)
    surveyed_on = _date(answers.get("survey_date")) or timezone.localdate(submission.submitted_at)
    score = RssScore.objects.create(
        operation_id=submission.operation_id,
        programme=case.programme,
        case=case,
        person=submission.person,
        submission=submission,
        weights=weights,
        survey_round=str(answers.get("wave") or "")[:40],
        surveyed_on=surveyed_on,
        economic=result.dimensions["economic"],
        social=result.dimensions["social"],
        psychosocial=result.dimensions["psychosocial"],
        composite=result.composite,
        indicators=result.indicators,
        computed_at=now,
    )
    audit.record(
        acting_user,
        "rss.score",
        case,
        changes={
            "composite": [None, result.composite],
            **{dimension: [None, value] for dimension, value in result.dimensions.items()},
            "weights": [None, weights.number],
        },
    )
    return score
