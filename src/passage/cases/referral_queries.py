"""The read side of referrals: the directory searched by service and area, the referrals of a case, of the
offices a person works in, and of a provider's inbox, what a referral shows of the person, and its history.

Staff lists start from the cases the user sees (Case.objects.visible_to), so a restricted case's referrals are in
no list, count or search of anyone not named on it; a provider's inbox from Referral.objects.received_by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from passage.cases import referral_sharing as sharing
from passage.cases.models import Case
from passage.cases.models.referrals import (
    ACTIVE_STATES,
    OPEN_STATES,
    ProviderService,
    Referral,
    ReferralQuerySet,
    ReferralState,
    ServiceProvider,
)
from passage.cases.queries import my_offices
from passage.core.models import AuditEvent, Operation
from passage.registry.models import AdminArea

STATUSES = ("active", "overdue", "finished", "all")
HISTORY_MAX = 200


# --- the directory ------------------------------------------------------------------------------------------


def areas_around(area: AdminArea) -> list[Any]:
    """The area, the areas above it and those below it (a provider serving the governorate serves its
    districts; one serving a district is found when looking at the governorate). Levels are at most 4 deep."""
    found = [area.pk]
    above = area.parent
    while above is not None:
        found.append(above.pk)
        above = above.parent
    below = [area.pk]
    for _level in range(4):
        below = list(AdminArea.objects.filter(parent_id__in=below).values_list("pk", flat=True))
        if not below:
            break
        found.extend(below)
    return found


def directory(
    user: Any,
    operation: Operation,
    *,
    service: str = "",
    area: AdminArea | None = None,
    text: str = "",
    active_only: bool = True,
) -> QuerySet[ServiceProvider]:
    """The operation's providers offering `service`, serving `area` (or the whole operation), whose name has
    `text`; with their services and areas in two more queries."""
    providers = ServiceProvider.objects.visible_to(user).filter(operation=operation)
    if active_only:
        providers = providers.filter(is_active=True)
    if service:
        providers = providers.filter(pk__in=ProviderService.objects.filter(service=service).values("provider_id"))
    if area is not None:
        serving = ServiceProvider.areas.through.objects.filter(adminarea_id__in=areas_around(area))
        providers = providers.filter(
            Q(pk__in=serving.values("serviceprovider_id"))
            | ~Q(pk__in=ServiceProvider.areas.through.objects.values("serviceprovider_id"))
        )
    for word in text.split()[:5]:
        providers = providers.filter(name__icontains=word)
    return cast(
        "QuerySet[ServiceProvider]",
        providers.prefetch_related("services", Prefetch("areas", queryset=AdminArea.objects.order_by("level", "name")))
        .annotate(open_referrals=Count("referrals", filter=Q(referrals__state__in=OPEN_STATES)))
        .order_by("name", "id"),
    )


def search_areas(operation: Operation) -> QuerySet[AdminArea]:
    """Areas to search the directory by: the operation's country's first two levels below the country."""
    return AdminArea.objects.filter(country=operation.country.upper(), level__in=(1, 2)).order_by("level", "name")


# --- lists --------------------------------------------------------------------------------------------------


def _status(referrals: ReferralQuerySet, status: str, now: dt.datetime) -> ReferralQuerySet:
    if status == "active":
        return referrals.filter(state__in=ACTIVE_STATES)
    if status == "overdue":
        return referrals.overdue(now)
    if status == "finished":
        return referrals.filter(state__in=(ReferralState.CLOSED, ReferralState.CANCELLED))
    return referrals


def case_referrals(case: Case) -> list[Referral]:
    """Every referral of a case, newest first."""
    return list(
        Referral.objects.filter(case=case).select_related("provider", "person", "sent_by").order_by("-sent_at", "id")
    )


def office_referrals(
    user: Any, operation: Operation, *, status: str = "active", mine: bool = False, now: dt.datetime | None = None
) -> QuerySet[Referral]:
    """The referrals of the cases the user sees in the offices they work in (all of them: `mine` narrows to the
    cases they are caseworker of), overdue first, then by date due."""
    now = now or timezone.now()
    cases = Case.objects.visible_to(user).filter(operation=operation)
    if mine:
        cases = cases.filter(caseworker_id=user.pk)
    else:
        offices = my_offices(user, operation)
        if offices is not None:
            cases = cases.filter(office_id__in=offices)
    referrals = Referral.objects.filter(case_id__in=cases.values("pk"))
    return _status(referrals, status, now).select_related("case", "person", "provider").order_by("respond_by", "id")


def inbox(user: Any, *, status: str = "active", now: dt.datetime | None = None) -> QuerySet[Referral]:
    """The referrals received by the providers the user works for."""
    now = now or timezone.now()
    return (
        _status(Referral.objects.received_by(user), status, now).select_related("provider").order_by("respond_by", "id")
    )


def status_counts(referrals: QuerySet[Referral], now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = referrals.order_by().aggregate(
        active=Count("pk", filter=Q(state__in=ACTIVE_STATES)),
        overdue=Count(
            "pk",
            filter=Q(state=ReferralState.SENT, acknowledge_by__lt=now)
            | Q(state__in=(ReferralState.SENT, ReferralState.ACKNOWLEDGED), respond_by__lt=now),
        ),
        finished=Count("pk", filter=Q(state__in=(ReferralState.CLOSED, ReferralState.CANCELLED))),
        all=Count("pk"),
    )
    return {name: counts[name] or 0 for name in STATUSES}


# --- what a referral shows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What the provider's page (or the caseworker's view of it) shows of the person: the items sent, less any
    the person no longer agrees to share; nothing once they withdrew consent to sharing."""

    rows: list[sharing.Row]
    withdrawn: bool
    narrowed: list[str]  # items sent but no longer shown


def shown(referral: Referral) -> Shown:
    snapshot = sharing.unseal(referral.snapshot)  # sealed with AES-GCM: an altered value does not open
    current = sharing.consented(referral.person)
    if current is None:
        return Shown([], True, list(snapshot))
    still = current.items
    return Shown(sharing.rows(snapshot, only=still), False, [code for code in snapshot if code not in still])


def preview(person: Any, items: list[str]) -> list[sharing.Row]:
    """Exactly what the provider would see if the referral were sent now with `items`."""
    return sharing.rows(sharing.take_snapshot(person, items))


def history(referral: Referral) -> list[AuditEvent]:
    """The referral's audit events, newest first: who sent it, every answer, every look at the shared data
    (by whom, or through which link), every refusal of a link."""
    return list(
        AuditEvent.objects.filter(object_type="cases.referral", object_id=str(referral.pk)).order_by("-id")[
            :HISTORY_MAX
        ]
    )
