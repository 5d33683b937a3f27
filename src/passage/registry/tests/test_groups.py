"""Groups and communities through their actions, as the people who keep them: a registration clerk of the Erbil
office and a colleague of the same office, a clerk of another office, a finance officer who may only read, and
an administrator of another operation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.registry import group_actions as actions
from passage.registry.actions import register_household
from passage.registry.group_access import find_person_for_group, get_group_for_user
from passage.registry.group_actions import GroupChangedMeanwhile
from passage.registry.group_queries import groups_for, groups_of_person
from passage.registry.models import (
    AdminArea,
    Group,
    GroupHousehold,
    GroupMembership,
    Household,
    Person,
    Site,
)
from passage.registry.person_actions import set_person_status
from passage.registry.registration import ConsentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")
TODAY = dt.date.today


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation, name="Erbil")


@pytest.fixture
def other_office(operation):
    return OfficeFactory(operation=operation, name="Mosul")


@pytest.fixture
def clerk(operation, office):
    """A registration clerk of the Erbil office."""
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def colleague(operation, office):
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def mosul_clerk(operation, other_office):
    return member_of(operation, "registration_clerk", offices=[other_office])


@pytest.fixture
def reader(operation):
    """A finance officer: sees the registry, changes nothing in it."""
    return member_of(operation, "finance_officer")


@pytest.fixture
def areas(db):
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    sinjar = AdminArea.objects.create(country="IQ", level=2, pcode="IQD086", name="Sinjar", parent=ninewa)
    erbil = AdminArea.objects.create(country="IQ", level=1, pcode="IQG11", name="Erbil", parent=iraq)
    return {"iraq": iraq, "ninewa": ninewa, "sinjar": sinjar, "erbil": erbil}


@pytest.fixture
def camp(operation, areas):
    return Site.objects.create(
        operation=operation, code="DAH-01", name="Sharya camp", type="camp", admin_area=areas["sinjar"]
    )


def household_of(operation, office, *names: str) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(relationship="head" if n == 0 else "spouse", consent=YES, given_name_latin=name)
            for n, name in enumerate(names)
        ],
    )


@pytest.fixture
def family(operation, office):
    return household_of(operation, office, "Layla", "Khalil")


@pytest.fixture
def layla(family):
    return family.members.get(relationship="head").person


@pytest.fixture
def khalil(family):
    return family.members.get(relationship="spouse").person


@pytest.fixture
def community(clerk, operation, office, camp):
    return actions.create_group(
        acting_user=clerk,
        operation=operation,
        office=office,
        kind="community",
        name="نازحو سنجار",
        name_latin="Displaced from Sinjar",
        site=camp,
        estimated_size=3400,
    )


# --- creating and correcting ------------------------------------------------------------------------------------


def test_clerk_records_a_displaced_community_at_a_camp(community, clerk, camp, areas):
    assert community.reference.startswith("GR-")
    assert community.kind == "community" and community.site == camp
    assert community.admin_area == areas["sinjar"]  # the camp's district
    assert (community.version, community.status) == (1, "active")
    event = AuditEvent.objects.get(action="group.create", object_id=str(community.pk))
    assert event.actor_username == clerk.username and event.changes["kind"] == [None, "community"]
    assert event.changes["site"] == [None, "DAH-01"] and event.changes["admin_area"] == [None, "IQD086"]  # readable


def test_a_community_needs_a_place_and_every_group_a_name(clerk, operation, office):
    with pytest.raises(ValidationError) as refused:
        actions.create_group(acting_user=clerk, operation=operation, office=office, kind="community", name="Village")
    assert "admin_area" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.create_group(acting_user=clerk, operation=operation, office=office, kind="association")
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.create_group(
            acting_user=clerk, operation=operation, office=office, kind="club", name_latin="Women of Resafa"
        )
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.create_group(
            acting_user=clerk, operation=operation, office=office, kind="association", name_latin="جمعية"
        )
    assert "name_latin" in refused.value.message_dict
    assert not Group.objects.exists()


def test_a_site_or_office_of_another_operation_is_refused(clerk, operation, office, other_operation, areas):
    foreign_site = Site.objects.create(
        operation=other_operation, code="LY-1", name="Tripoli centre", type="camp", admin_area=areas["sinjar"]
    )
    with pytest.raises(ValidationError) as refused:
        actions.create_group(
            acting_user=clerk, operation=operation, office=office, kind="community", name="X", site=foreign_site
        )
    assert "site" in refused.value.message_dict


def test_only_those_who_register_people_create_groups(reader, outsider, operation, office):
    for user in (reader, outsider):
        with pytest.raises(PermissionDenied):
            actions.create_group(acting_user=user, operation=operation, office=office, kind="association", name="A")


def test_a_clerk_limited_to_one_office_is_told_when_they_choose_another(mosul_clerk, operation, office):
    with pytest.raises(ValidationError) as refused:
        actions.create_group(acting_user=mosul_clerk, operation=operation, office=office, kind="association", name="A")
    assert "office" in refused.value.message_dict


def test_correction_with_the_version_it_started_from(community, clerk, areas):
    changed = actions.update_group(
        group=community,
        acting_user=clerk,
        version=1,
        values={"estimated_size": 3600, "description": "  Families from Sinjar.  "},
    )
    assert (changed.version, changed.estimated_size, changed.description) == (2, 3600, "Families from Sinjar.")
    event = AuditEvent.objects.get(action="group.update", object_id=str(community.pk))
    assert event.changes["estimated_size"] == [3400, 3600] and event.changes["version"] == [1, 2]


def test_a_stale_correction_is_refused_and_names_who_changed_what(community, clerk, colleague):
    actions.update_group(group=community, acting_user=colleague, version=1, values={"name_latin": "Sinjar IDPs"})
    with pytest.raises(GroupChangedMeanwhile) as conflict:
        actions.update_group(group=community, acting_user=clerk, version=1, values={"estimated_size": 10})
    assert conflict.value.current_version == 2
    assert conflict.value.changes[0]["by"] == colleague.username
    assert conflict.value.changes[0]["fields"] == ["name_latin"]
    assert colleague.username in str(conflict.value)
    community.refresh_from_db()
    assert (community.estimated_size, community.name_latin) == (3400, "Sinjar IDPs")


def test_a_clerk_of_another_office_may_neither_see_nor_change_the_group(community, mosul_clerk, outsider, reader):
    with pytest.raises(PermissionDenied):
        actions.update_group(group=community, acting_user=mosul_clerk, version=1, values={"estimated_size": 1})
    for user in (mosul_clerk, outsider):
        with pytest.raises(Http404):
            get_group_for_user(user, community.pk)
    assert get_group_for_user(reader, community.pk) == community  # reads, but cannot change
    with pytest.raises(Http404):
        get_group_for_user(reader, community.pk, need="person.register")
    with pytest.raises(PermissionDenied):
        actions.update_group(group=community, acting_user=reader, version=1, values={"estimated_size": 1})


def test_opening_a_group_is_audited(community, colleague):
    get_group_for_user(colleague, community.pk)
    assert AuditEvent.objects.filter(action="registry.group.read", actor_username=colleague.username).exists()


# --- members ------------------------------------------------------------------------------------------------------


def test_members_join_with_roles_and_leave_without_being_deleted(community, clerk, layla, khalil):
    representative = actions.add_member(group=community, person=layla, acting_user=clerk, role="representative")
    member = actions.add_member(
        group=community, person=khalil, acting_user=clerk, joined_on=TODAY() - dt.timedelta(days=10)
    )
    assert (representative.role, member.role) == ("representative", "member")
    ended = actions.end_membership(membership=member, acting_user=clerk, note="moved to Duhok")
    assert ended.left_on == TODAY() and ended.ended_because == "left" and "Duhok" in ended.note
    assert GroupMembership.objects.filter(group=community).count() == 2  # kept, ended
    actions_seen = list(AuditEvent.objects.filter(object_id=str(community.pk)).values_list("action", flat=True))
    assert actions_seen.count("group.member_added") == 2 and "group.member_left" in actions_seen
    with pytest.raises(ValidationError):
        actions.end_membership(membership=ended, acting_user=clerk)
    # They may join again later: a new row, the old one stays.
    again = actions.add_member(group=community, person=khalil, acting_user=clerk)
    assert again.pk != ended.pk


def test_a_person_joins_only_once_at_a_time_and_a_group_has_one_representative(community, clerk, layla, khalil):
    actions.add_member(group=community, person=layla, acting_user=clerk, role="representative")
    with pytest.raises(ValidationError) as refused:
        actions.add_member(group=community, person=layla, acting_user=clerk)
    assert layla.reference in refused.value.message_dict["person"][0]
    with pytest.raises(ValidationError) as refused:
        actions.add_member(group=community, person=khalil, acting_user=clerk, role="representative")
    assert "role" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        GroupMembership.objects.create(group=community, person=khalil, role="representative", joined_on=TODAY())


def test_a_person_of_another_operation_is_refused_as_member(community, clerk, other_operation):
    stranger = household_of(other_operation, None, "Salem").members.get().person
    with pytest.raises(ValidationError) as refused:
        actions.add_member(group=community, person=stranger, acting_user=clerk)
    assert "person" in refused.value.message_dict
    with pytest.raises(Http404):
        find_person_for_group(clerk, community, stranger.reference)
    assert not community.memberships.exists()


def test_a_person_the_clerk_may_not_see_is_refused(community, clerk, operation, other_office):
    elsewhere = household_of(operation, other_office, "Nadia").members.get().person
    with pytest.raises(ValidationError):
        actions.add_member(group=community, person=elsewhere, acting_user=clerk)
    with pytest.raises(Http404):
        find_person_for_group(clerk, community, elsewhere.reference)


def test_a_deceased_person_cannot_join(community, clerk, khalil):
    set_person_status(person=khalil, acting_user=None, status="deceased", on=TODAY())
    with pytest.raises(ValidationError) as refused:
        actions.add_member(group=community, person=Person.objects.get(pk=khalil.pk), acting_user=clerk)
    assert "deceased" in refused.value.message_dict["person"][0]


def test_dates_in_the_future_or_before_joining_are_refused(community, clerk, layla):
    with pytest.raises(ValidationError) as refused:
        actions.add_member(group=community, person=layla, acting_user=clerk, joined_on=TODAY() + dt.timedelta(days=1))
    assert "joined_on" in refused.value.message_dict
    joined = actions.add_member(group=community, person=layla, acting_user=clerk)
    with pytest.raises(ValidationError) as refused:
        actions.end_membership(membership=joined, acting_user=clerk, on=TODAY() - dt.timedelta(days=3))
    assert "on" in refused.value.message_dict


def test_a_new_representative_keeps_the_history_of_roles(community, clerk, layla, khalil):
    start = TODAY() - dt.timedelta(days=30)
    actions.add_member(group=community, person=layla, acting_user=clerk, role="representative", joined_on=start)
    actions.add_member(group=community, person=khalil, acting_user=clerk, role="treasurer", joined_on=start)
    made = actions.set_representative(group=community, person=khalil, acting_user=clerk, former_role="chair")
    assert made.role == "representative" and made.joined_on == TODAY()
    now = {m.person_id: m.role for m in community.memberships.filter(left_on__isnull=True)}
    assert now == {khalil.pk: "representative", layla.pk: "chair"}
    ended = community.memberships.filter(left_on__isnull=False)
    assert {(m.person_id, m.role, m.ended_because) for m in ended} == {
        (layla.pk, "representative", "role_changed"),
        (khalil.pk, "treasurer", "role_changed"),
    }
    event = AuditEvent.objects.get(action="group.representative")
    assert event.changes["representative"] == [layla.reference, khalil.reference]
    with pytest.raises(ValidationError):
        actions.set_representative(group=community, person=khalil, acting_user=clerk)


def test_a_member_changes_role(community, clerk, layla):
    joined = actions.add_member(
        group=community, person=layla, acting_user=clerk, joined_on=TODAY() - dt.timedelta(days=5)
    )
    changed = actions.change_member_role(membership=joined, role="treasurer", acting_user=clerk)
    assert changed.role == "treasurer" and changed.pk != joined.pk
    with pytest.raises(ValidationError):
        actions.change_member_role(membership=changed, role="representative", acting_user=clerk)


# --- households and dissolution -------------------------------------------------------------------------------


def test_a_community_counts_whole_households(community, clerk, family, operation, office):
    link = actions.add_household(group=community, household=family, acting_user=clerk)
    with pytest.raises(ValidationError):
        actions.add_household(group=community, household=family, acting_user=clerk)
    association = actions.create_group(
        acting_user=clerk, operation=operation, office=office, kind="association", name_latin="Families of the missing"
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_household(group=association, household=family, acting_user=clerk)
    assert "household" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.update_group(group=community, acting_user=clerk, version=1, values={"kind": "association"})
    assert "kind" in refused.value.message_dict
    ended = actions.end_household(link=link, acting_user=clerk)
    assert ended.left_on == TODAY() and GroupHousehold.objects.count() == 1


def test_dissolving_ends_every_membership_and_freezes_the_group(community, clerk, layla, family):
    actions.add_member(group=community, person=layla, acting_user=clerk, role="representative")
    actions.add_household(group=community, household=family, acting_user=clerk)
    with pytest.raises(ValidationError) as refused:
        actions.dissolve_group(group=community, acting_user=clerk, on=TODAY(), reason=" ")
    assert "reason" in refused.value.message_dict
    dissolved = actions.dissolve_group(group=community, acting_user=clerk, on=TODAY(), reason="Camp closed", version=1)
    assert (dissolved.status, dissolved.dissolved_on, dissolved.version) == ("dissolved", TODAY(), 2)
    assert not community.memberships.filter(left_on__isnull=True).exists()
    assert community.memberships.get().ended_because == "group_dissolved"
    assert community.household_links.get().ended_because == "group_dissolved"
    with pytest.raises(ValidationError):
        actions.add_member(group=community, person=layla, acting_user=clerk)
    with pytest.raises(ValidationError):
        actions.update_group(group=community, acting_user=clerk, version=2, values={"estimated_size": 1})


# --- reads --------------------------------------------------------------------------------------------------------


def test_lists_search_filter_and_count_only_what_the_user_may_see(
    community, clerk, mosul_clerk, outsider, operation, office, other_office, areas, layla
):
    actions.add_member(group=community, person=layla, acting_user=clerk)
    actions.create_group(
        acting_user=None, operation=operation, office=other_office, kind="cooperative", name_latin="Mosul tailors"
    )
    actions.create_group(
        acting_user=None,
        operation=operation,
        office=office,
        kind="womens_group",
        name_latin="Erbil women",
        admin_area=areas["erbil"],
    )
    mine = groups_for(clerk, operation)
    assert sorted(g.name_latin for g in mine) == ["Displaced from Sinjar", "Erbil women"]
    assert next(g for g in mine if g.pk == community.pk).member_count == 1
    assert [g.name_latin for g in groups_for(clerk, operation, text="سنجار")] == ["Displaced from Sinjar"]
    assert [g.name_latin for g in groups_for(clerk, operation, text="sinjar displaced")] == ["Displaced from Sinjar"]
    assert [g.pk for g in groups_for(clerk, operation, text=community.reference.lower())] == [community.pk]
    assert [g.name_latin for g in groups_for(clerk, operation, kind="womens_group")] == ["Erbil women"]
    # In an area: directly, below it, or through the site's district.
    assert [g.pk for g in groups_for(clerk, operation, area=areas["ninewa"])] == [community.pk]
    assert len(groups_for(clerk, operation, area=areas["iraq"])) == 2
    assert [g.name_latin for g in groups_for(mosul_clerk, operation)] == ["Mosul tailors"]
    assert not groups_for(outsider, operation).exists()
    assert [m.group_id for m in groups_of_person(clerk, layla)] == [community.pk]
    assert groups_of_person(mosul_clerk, layla) == []
