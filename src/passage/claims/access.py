"""The only way an interface fetches a claim or a piece of the violation registry.

A claim is seen by whoever sees its case (passage.cases.access: restricted cases by their named staff only) and
a claim they may not see is a 404, never a 403. Changing a claim needs claim.manage (claims officers and
administrators) and the right to manage its case.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.cases.access import MANAGE as CASE_MANAGE
from passage.cases.access import may as may_on_case
from passage.claims.models import Claim, VerificationSource, ViolationCategory, ViolationEvent
from passage.core import audit
from passage.core.access import can
from passage.core.access import fetch_or_404 as _get
from passage.core.models import Operation

MANAGE = "claim.manage"
VIEW = "view"


def may_manage(user: Any, claim: Claim) -> bool:
    """Claims officers and administrators manage claims whose case they may manage (a restricted one only when
    named on it)."""
    return can(user, MANAGE, claim.case) and may_on_case(user, CASE_MANAGE, claim.case)


def may_manage_registry(user: Any, operation: Operation | Any) -> bool:
    """Who keeps the violation registry of an operation: categories, events, verification sources."""
    return can(user, MANAGE, operation)


def get_claim_for_user(user: Any, claim_id: Any, *, need: str = VIEW, audited: bool = True) -> Claim:
    """The claim if the user may `need` it (VIEW or MANAGE); Http404 otherwise. Opening it is audited."""
    claim: Claim = _get(
        Claim.objects.visible_to(user).select_related(
            "case", "programme", "operation", "claimant", "victim", "relationship_proof"
        ),
        claim_id,
    )
    if need == MANAGE and not may_manage(user, claim):
        raise Http404
    if need == VIEW and not may_on_case(user, "case.view", claim.case):
        raise Http404
    if audited:
        audit.record_read(user, claim)
    return claim


def get_category_for_user(user: Any, category_id: Any) -> ViolationCategory:
    """A violation category of an operation the user belongs to."""
    category: ViolationCategory = _get(ViolationCategory.objects.select_related("operation"), category_id)
    if not can(user, "operation.view", category.operation):
        raise Http404
    return category


def get_event_for_user(user: Any, event_id: Any) -> ViolationEvent:
    event: ViolationEvent = _get(ViolationEvent.objects.select_related("operation", "category"), event_id)
    if not can(user, "operation.view", event.operation):
        raise Http404
    return event


def get_source_for_user(user: Any, source_id: Any) -> VerificationSource:
    """A verification source: names of victims, for those who keep the registry only."""
    source: VerificationSource = _get(VerificationSource.objects.select_related("operation"), source_id)
    if not may_manage_registry(user, source.operation):
        raise Http404
    audit.record_read(user, source)
    return source
