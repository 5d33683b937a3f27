"""The only way an interface fetches a pair, a merge or a bulk decision of the review: visible, permitted
(person.merge), and audited when it shows people; 404 otherwise (a 403 would confirm it exists)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.core import audit
from passage.core.access import can
from passage.core.access import fetch_or_404 as _get
from passage.matching.models import BulkDecision, CandidatePair, PersonMerge


def get_pair_for_user(user: Any, pair_id: Any) -> CandidatePair:
    """A pair whose two people the user may see and merge. Looking at it is a read of both records."""
    pair: CandidatePair = _get(
        CandidatePair.objects.visible_to(user).select_related("operation", "person_a", "person_b", "run"), pair_id
    )
    if not all(can(user, "person.merge", person) for person in (pair.person_a, pair.person_b)):
        raise Http404
    audit.record_read(user, pair, note=f"{pair.person_a.reference} ~ {pair.person_b.reference}")
    return pair


def get_merge_for_user(user: Any, merge_id: Any) -> PersonMerge:
    merge: PersonMerge = _get(
        PersonMerge.objects.visible_to(user).select_related("operation", "survivor", "merged_by", "undone_by"),
        merge_id,
    )
    if not can(user, "person.merge", merge.survivor):
        raise Http404
    return merge


def get_bulk_for_user(user: Any, bulk_id: Any) -> BulkDecision:
    bulk: BulkDecision = _get(
        BulkDecision.objects.visible_to(user).select_related("operation", "job", "started_by"), bulk_id
    )
    if not can(user, "person.merge", bulk.operation):
        raise Http404
    return bulk
