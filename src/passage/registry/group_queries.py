"""The read side of groups and communities: lists with search and filters, a group's page, a person's groups.
Always through visible_to; lists are paginated by the caller."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from passage.core.models import Operation
from passage.registry.models import AdminArea, Group, GroupHousehold, GroupMembership, GroupRole, Person

ROLE_ORDER = [
    GroupRole.REPRESENTATIVE,
    GroupRole.CHAIR,
    GroupRole.VICE_CHAIR,
    GroupRole.SECRETARY,
    GroupRole.TREASURER,
    GroupRole.FOCAL_POINT,
    GroupRole.MEMBER,
]  # how a group's members are listed
AREA_DEPTH = 4  # levels below an area (COD-AB has levels 0 to 4)


def groups_for(
    user: Any, operation: Operation, *, text: str = "", kind: str = "", area: AdminArea | None = None, status: str = ""
) -> QuerySet[Group]:
    """Groups of the operation the user may see, with their current member and household counts: matching
    `text` (the group number, or words of the name in either script), of `kind`, in `area` or any area below
    it (directly, or through the group's site)."""
    visible = cast("QuerySet[Group]", Group.objects.visible_to(user))
    groups = (
        visible.filter(operation=operation)
        .select_related("admin_area", "site", "office")
        .annotate(member_count=_current(GroupMembership), household_count=_current(GroupHousehold))
        .order_by("name_latin", "name", "reference")
    )
    text = text.strip()
    if text:
        if text.upper().startswith("GR-"):
            groups = groups.filter(reference=text.upper())
        else:
            for word in text.split():
                groups = groups.filter(Q(name__icontains=word) | Q(name_latin__icontains=word))
    if kind:
        groups = groups.filter(kind=kind)
    if area is not None:
        groups = groups.filter(_in_area("admin_area", area) | _in_area("site__admin_area", area))
    if status:
        groups = groups.filter(status=status)
    return groups


def _current(model: Any) -> Coalesce:
    """How many current rows of `model` (memberships, household links) a group has: one small counting
    subquery per group of the page, never a join of members by households."""
    rows = (
        model.objects.filter(group=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _in_area(prefix: str, area: AdminArea) -> Q:
    query = Q(**{prefix: area})
    path = prefix
    for _level in range(AREA_DEPTH):
        path += "__parent"
        query |= Q(**{path: area})
    return query


def group_detail(group: Group) -> Group:
    """The group with its members (people and their roles over time) and households, in a fixed number of
    queries."""
    return (
        Group.objects.filter(pk=group.pk)
        .select_related("operation", "office", "admin_area", "site")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=GroupMembership.objects.select_related("person").order_by("left_on", "joined_on", "id"),
            ),
            Prefetch(
                "household_links",
                queryset=GroupHousehold.objects.select_related("household").order_by("left_on", "joined_on", "id"),
            ),
        )
        .get()
    )


def split_members(group: Group) -> dict[str, list[Any]]:
    """Current members (the representative first, then by role and name) and former ones (latest first); the
    same for households. `group` comes from group_detail (prefetched)."""
    order: dict[str, int] = {role.value: n for n, role in enumerate(ROLE_ORDER)}
    members = list(group.memberships.all())
    current = sorted(
        (m for m in members if m.left_on is None),
        key=lambda m: (
            order.get(m.role, 99),
            m.person.family_name_latin,
            m.person.given_name_latin,
            m.person.reference,
        ),
    )
    past = sorted((m for m in members if m.left_on is not None), key=lambda m: (m.left_on, m.joined_on), reverse=True)
    links = list(group.household_links.all())
    return {
        "current": current,
        "past": past,
        "households": [h for h in links if h.left_on is None],
        "past_households": sorted((h for h in links if h.left_on is not None), key=lambda h: h.left_on, reverse=True),
    }


def groups_of_person(user: Any, person: Person) -> list[GroupMembership]:
    """The person's memberships (current first, then former ones) in the groups the user may see."""
    visible = Group.objects.visible_to(user).values("pk")
    return list(
        GroupMembership.objects.filter(person=person, group__in=visible)
        .select_related("group")
        .order_by("left_on", "-joined_on", "id")
    )


def areas_of(operation: Operation) -> QuerySet[AdminArea]:
    """Areas to filter groups by: those of the operation's country, levels 1 and 2 (provinces, districts)."""
    return AdminArea.objects.filter(country=operation.country, level__in=[1, 2]).order_by("level", "name")
