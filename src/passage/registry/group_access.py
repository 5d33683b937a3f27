"""The only way an interface fetches a group, one of its memberships, or the person or household to add to it.

A group is scoped like a household (its operation, and its office for roles limited to some offices): a
group the user may not `need` is a 404, never a 403. Opening a group shows who is in it (a victims'
association's member list is personal data of the most sensitive kind): it is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.core import audit
from passage.core.access import can
from passage.core.access import fetch_or_404 as _get
from passage.registry.models import Group, GroupHousehold, GroupMembership, Household, Person


def get_group_for_user(user: Any, group_id: Any, *, need: str = "person.view") -> Group:
    """The group if the user may `need` it; 404 otherwise. Opening it is audited."""
    group: Group = _get(
        Group.objects.visible_to(user).select_related("operation", "office", "admin_area", "site"), group_id
    )
    if not can(user, need, group):
        raise Http404
    audit.record_read(user, group)
    return group


def get_group_to_pick_for_user(user: Any, group_id: Any) -> Group:
    """The group whose member is being looked for (the person picker): for those who may change it. Not
    audited: the page that shows the picker was, and the picker shows only people the user may see."""
    group: Group = _get(Group.objects.visible_to(user).select_related("operation"), group_id)
    if not can(user, "person.register", group):
        raise Http404
    return group


def get_group_membership(group: Group, membership_id: Any) -> GroupMembership:
    """One membership of a group already fetched through get_group_for_user; any other is a 404."""
    membership: GroupMembership = _get(group.memberships.select_related("person"), membership_id)
    return membership


def get_group_household(group: Group, link_id: Any) -> GroupHousehold:
    """One household link of a group already fetched through get_group_for_user; any other is a 404."""
    link: GroupHousehold = _get(group.household_links.select_related("household"), link_id)
    return link


def find_person_for_group(user: Any, group: Group, reference: str) -> Person:
    """A person of the group's operation by registration number (as people read it out), among those the user
    may see; 404 otherwise. A person of another operation is not found, whatever the user's roles there."""
    person = (
        Person.objects.visible_to(user)
        .filter(operation_id=group.operation_id, reference=reference.strip().upper())
        .select_related("operation")
        .first()
    )
    if person is None or not can(user, "person.view", person):
        raise Http404
    return person


def get_person_for_group(user: Any, group: Group, person_id: Any) -> Person:
    """A person of the group's operation by id, among those the user may see; 404 otherwise."""
    person: Person = _get(
        Person.objects.visible_to(user).filter(operation_id=group.operation_id).select_related("operation"), person_id
    )
    if not can(user, "person.view", person):
        raise Http404
    return person


def find_household_for_group(user: Any, group: Group, reference: str) -> Household:
    """A household of the group's operation by its number, among those the user may see; 404 otherwise."""
    household = (
        Household.objects.visible_to(user)
        .filter(operation_id=group.operation_id, reference=reference.strip().upper())
        .first()
    )
    if household is None or not can(user, "person.view", household):
        raise Http404
    return household


def may_change_group(user: Any, group: Group) -> bool:
    return can(user, "person.register", group)
