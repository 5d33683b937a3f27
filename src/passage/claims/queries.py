"""The read side of claims: lists and counts by the visibility of their cases, a claim with what hangs off it,
the violation registry of an operation, heirs' shares. Every list reads a fixed number of queries whatever its
length (flags are counted by a subquery, not per row)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from passage.claims.models import (
    Capacity,
    Claim,
    ClaimedViolation,
    DuplicateFlag,
    Evidence,
    VerificationSource,
    ViolationCategory,
    ViolationEvent,
)
from passage.core.models import Operation


def _flag_count() -> Any:
    counted = (
        DuplicateFlag.objects.filter(claim_id=OuterRef("pk"))
        .order_by()
        .values("claim_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def claims_for(
    user: Any,
    *,
    operation: Operation | None = None,
    programme: Any = None,
    flagged: bool | None = None,
    include_withdrawn: bool = True,
    category: ViolationCategory | None = None,
) -> QuerySet[Claim]:
    """The claims the user may see (their cases' rule), with the case, claimant and victim read in the same
    query and `flag_count`, the number of possible duplicates flagged on each."""
    claims = Claim.objects.visible_to(user)
    if operation is not None:
        claims = claims.filter(operation=operation)
    if programme is not None:
        claims = claims.filter(programme=programme)
    if not include_withdrawn:
        claims = claims.current()
    if category is not None:
        claims = claims.filter(Exists(ClaimedViolation.objects.filter(claim_id=OuterRef("pk"), category=category)))
    if flagged is not None:
        has_flags = Exists(DuplicateFlag.objects.filter(claim_id=OuterRef("pk")))
        claims = claims.filter(has_flags if flagged else ~has_flags)
    return claims.select_related("case", "programme", "claimant", "victim").annotate(flag_count=_flag_count())


def count_claims(user: Any, **filters: Any) -> int:
    return claims_for(user, **filters).count()


def counts_by_capacity(user: Any, *, operation: Operation | None = None) -> dict[str, int]:
    """Visible claims by capacity (victim, heir, representative), in one query."""
    rows = (
        Claim.objects.visible_to(user)
        .filter(**({"operation": operation} if operation is not None else {}))
        .order_by()
        .values("capacity")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Capacity.values, 0)
    counts.update({row["capacity"]: row["n"] for row in rows})
    return counts


def claim_detail(claim: Claim) -> Claim:
    """The claim with its violations, their checklists and evidence, its flags and notices, in a few queries."""
    fetched: Claim = (
        Claim.objects.filter(pk=claim.pk)
        .select_related("case", "programme", "claimant", "victim", "relationship_proof")
        .prefetch_related(
            Prefetch(
                "violations",
                ClaimedViolation.objects.select_related("category", "event", "place").prefetch_related(
                    "category__checklist",
                    Prefetch(
                        "evidence",
                        Evidence.objects.select_related("requirement", "document", "source_entry__source"),
                    ),
                ),
            ),
            Prefetch("flags", DuplicateFlag.objects.select_related("other", "category")),
            "deficiency_notices",
        )
        .get()
    )
    return fetched


def flags_of(claim: Claim) -> QuerySet[DuplicateFlag]:
    return DuplicateFlag.objects.filter(claim=claim).select_related("other", "category")


def categories_of(operation: Operation) -> QuerySet[ViolationCategory]:
    """An operation's violation categories with their checklists and how many events each has."""
    return (
        ViolationCategory.objects.filter(operation=operation)
        .prefetch_related("checklist")
        .annotate(event_count=Count("events", distinct=True))
    )


def events_of(operation: Operation, *, category: ViolationCategory | None = None) -> QuerySet[ViolationEvent]:
    events = ViolationEvent.objects.filter(operation=operation).select_related("category", "place")
    if category is not None:
        events = events.filter(category=category)
    return events.prefetch_related("groups")


def sources_of(operation: Operation) -> QuerySet[VerificationSource]:
    return VerificationSource.objects.filter(operation=operation)


def heirs_share_total(*, programme: Any, victim: Any) -> Decimal:
    """The sum of the stated shares of the current heir claims on the victim in the programme."""
    total = (
        Claim.objects.current()
        .filter(programme=programme, victim=victim, capacity=Capacity.HEIR)
        .aggregate(total=Sum("stated_share"))["total"]
    )
    return total or Decimal(0)


def entries_naming(operation: Operation, *, family_name: str, given_name: str = "") -> QuerySet[Any]:
    """Verification list entries of the operation with this family name (and given name), exactly as written,
    for a claims officer matching a claim by hand (the matching engine takes over where it exists)."""
    from passage.claims.models import VerificationEntry

    found = VerificationEntry.objects.filter(source__operation=operation).filter(Q(family_name__iexact=family_name))
    if given_name:
        found = found.filter(given_name__iexact=given_name)
    return found.select_related("source", "category")
