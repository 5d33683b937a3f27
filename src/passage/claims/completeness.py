"""Is a claim complete? What each claimed violation's category requires (its checklist) against the evidence
attached, and for an heir or a representative the proof of their relationship to the victim, and for heirs who
state their shares, shares that add up to 1. The answer names every missing thing so that a deficiency notice
can list it. Read only: claims.actions.check_completeness records the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from passage.claims.models import Capacity, Claim, ClaimedViolation, ClaimsProgramme, ShareRule


@dataclass(frozen=True)
class Missing:
    """One missing thing: what (a code a letter can be written from) and a sentence a person reads."""

    code: str
    message: str
    violation_id: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "violation": self.violation_id}


@dataclass(frozen=True)
class Completeness:
    claim: Claim
    missing: list[Missing]

    @property
    def complete(self) -> bool:
        return not self.missing

    def messages(self) -> list[str]:
        return [item.message for item in self.missing]


def heir_shares(*, programme: Any, victim: Any) -> dict[Any, Decimal]:
    """Each current heir claim on the victim in the programme -> its share, by the programme's rule: equal
    shares, or as stated (which must add up to 1: see completeness)."""
    heirs = list(
        Claim.objects.current()
        .filter(programme=programme, victim=victim, capacity=Capacity.HEIR)
        .order_by("filed_at", "id")
        .values_list("id", "stated_share")
    )
    if not heirs:
        return {}
    settings = ClaimsProgramme.objects.filter(programme=programme).first()
    if settings is not None and settings.share_rule == ShareRule.STATED:
        return {claim_id: share or Decimal(0) for claim_id, share in heirs}
    equal = (Decimal(1) / len(heirs)).quantize(Decimal("0.0001"))
    return dict.fromkeys((claim_id for claim_id, _share in heirs), equal)


def completeness(claim: Claim) -> Completeness:
    """What the claim still lacks (a few queries whatever its size: violations, checklists and evidence are read
    in one go)."""
    missing: list[Missing] = []
    violations = list(
        ClaimedViolation.objects.filter(claim=claim)
        .select_related("category")
        .prefetch_related("category__checklist", Prefetch("evidence"))
    )
    if not violations:
        missing.append(Missing("violation", _("No violation is claimed yet.")))
    for violation in violations:
        met = {evidence.requirement_id for evidence in violation.evidence.all()}
        for requirement in violation.category.checklist.all():
            if requirement.required and requirement.pk not in met:
                missing.append(
                    Missing(
                        f"evidence:{requirement.code}",
                        _("%(category)s: %(evidence)s is missing.")
                        % {"category": violation.category.name, "evidence": requirement.label},
                        str(violation.pk),
                    )
                )
    if claim.capacity != Capacity.VICTIM and not claim.relationship_proof_id:
        missing.append(
            Missing(
                "relationship_proof",
                _("Proof of the claimant's relationship to the victim (%(relationship)s) is missing.")
                % {"relationship": claim.relationship or _("not stated")},
            )
        )
    if claim.capacity == Capacity.HEIR and claim.victim_died_on is None:
        missing.append(Missing("victim_death", _("The victim's date of death is not recorded.")))
    if claim.capacity == Capacity.HEIR:
        settings = ClaimsProgramme.objects.filter(programme_id=claim.programme_id).first()
        if settings is not None and settings.share_rule == ShareRule.STATED:
            total = sum(heir_shares(programme=claim.programme_id, victim=claim.victim_id).values(), Decimal(0))
            if total != Decimal(1):
                missing.append(
                    Missing(
                        "shares",
                        _("The heirs' stated shares add up to %(total)s, not 1.") % {"total": f"{total.normalize()}"},
                    )
                )
    return Completeness(claim, missing)
