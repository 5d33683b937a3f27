"""Groups and communities through the JSON API, as the people who use it: a clerk of the Erbil office, a
colleague there, a clerk of the Mosul office, a finance officer who only reads, an administrator of another
operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from passage.core import actions as core_actions
from passage.core.models import AuditEvent, Operation, User
from passage.core.tests.factories import OfficeFactory, member_of
from passage.core.tests.test_api import Api, assert_problem
from passage.registry import group_actions as actions
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Group, Person, Site
from passage.registry.registration import ConsentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")


@pytest.fixture
def api_as(client: Client) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


@pytest.fixture
def office(operation: Operation) -> Any:
    return OfficeFactory(operation=operation, name="Erbil")


@pytest.fixture
def clerk(operation: Operation, office: Any) -> User:
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def colleague(operation: Operation, office: Any) -> User:
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def mosul_clerk(operation: Operation) -> User:
    return member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation, name="Mosul")])


@pytest.fixture
def reader(operation: Operation) -> User:
    return member_of(operation, "finance_officer")


@pytest.fixture
def sinjar(db: None) -> AdminArea:
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    return AdminArea.objects.create(country="IQ", level=2, pcode="IQD086", name="Sinjar", parent=ninewa)


def person_of(operation: Operation, office: Any, name: str) -> Person:
    household = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin=name)],
    )
    return household.members.get().person


@pytest.fixture
def layla(operation: Operation, office: Any) -> Person:
    return person_of(operation, office, "Layla")


@pytest.fixture
def community(operation: Operation, office: Any, sinjar: AdminArea) -> Group:
    return actions.create_group(
        acting_user=None,
        operation=operation,
        office=office,
        kind="community",
        name="نازحو سنجار",
        name_latin="Displaced from Sinjar",
        admin_area=sinjar,
        estimated_size=3400,
    )


def test_clerk_creates_a_community_and_adds_a_member(api_as, clerk, operation, office, sinjar, layla):
    api = api_as(clerk)
    created = api.post(
        "/groups",
        {
            "operation": str(operation.pk),
            "office": str(office.pk),
            "kind": "community",
            "name": "نازحو سنجار",
            "name_latin": "Displaced from Sinjar",
            "admin_area": "iqd086",
            "estimated_size": 3400,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"].startswith("GR-") and body["admin_area"] == "IQD086" and body["version"] == 1
    added = api.post(f"/groups/{body['id']}/members", {"person": layla.reference, "role": "representative"})
    assert added.status_code == 201, added.content
    assert added.json()["role"] == "representative" and added.json()["reference"] == layla.reference
    group = api.get(f"/groups/{body['id']}").json()
    assert group["member_count"] == 1 and group["members"][0]["person_id"] == str(layla.pk)
    assert AuditEvent.objects.filter(action="registry.group.read", actor_username=clerk.username).exists()


def test_a_community_without_a_place_is_refused_naming_the_field(api_as, clerk, operation, office):
    response = api_as(clerk).post(
        "/groups", {"operation": str(operation.pk), "office": str(office.pk), "kind": "community", "name": "Village"}
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["admin_area"]


def test_lists_show_only_what_the_user_may_see(api_as, clerk, mosul_clerk, outsider, community, operation):
    listed = api_as(clerk).get("/groups", operation=str(operation.pk), q="سنجار", area="IQG15").json()
    assert [g["reference"] for g in listed["items"]] == [community.reference]
    assert listed["items"][0]["member_count"] == 0
    assert api_as(mosul_clerk).get("/groups", operation=str(operation.pk)).json()["count"] == 0
    assert_problem(api_as(outsider).get("/groups", operation=str(operation.pk)), 404)
    for user in (mosul_clerk, outsider):
        assert_problem(api_as(user).get(f"/groups/{community.pk}"), 404)


def test_a_stale_correction_is_a_409_naming_who_changed_what(api_as, clerk, colleague, community):
    assert api_as(colleague).patch(f"/groups/{community.pk}", {"version": 1, "estimated_size": 3600}).status_code == 200
    stale = api_as(clerk).patch(f"/groups/{community.pk}", {"version": 1, "name_latin": "Sinjar IDPs"})
    problem = assert_problem(stale, 409)
    assert problem["current_version"] == 2
    assert problem["changes"][0]["by"] == colleague.username and problem["changes"][0]["fields"] == ["estimated_size"]
    community.refresh_from_db()
    assert community.name_latin == "Displaced from Sinjar"
    fresh = api_as(clerk).patch(f"/groups/{community.pk}", {"version": 2, "name_latin": "Sinjar IDPs"})
    assert fresh.status_code == 200 and fresh.json()["version"] == 3 and fresh.json()["estimated_size"] == 3600


def test_a_reader_may_not_change_a_group(api_as, reader, community):
    assert api_as(reader).get(f"/groups/{community.pk}").status_code == 200
    assert_problem(api_as(reader).patch(f"/groups/{community.pk}", {"version": 1, "name": "x"}), 404)


def test_a_person_of_another_operation_is_refused_as_member(api_as, clerk, community, other_operation):
    stranger = person_of(other_operation, None, "Salem")
    for body in ({"person": stranger.reference}, {"person_id": str(stranger.pk)}):
        problem = assert_problem(api_as(clerk).post(f"/groups/{community.pk}/members", body), 422)
        assert problem["errors"][0]["field"] == "person"
    assert not community.memberships.exists()


def test_html_in_a_name_comes_back_as_the_same_text(api_as, clerk, operation, office):
    created = api_as(clerk).post(
        "/groups", {"operation": str(operation.pk), "office": str(office.pk), "kind": "association", "name": "<b>x</b>"}
    )
    assert created.json()["name"] == "<b>x</b>"  # JSON carries it as text; pages escape it


def test_ending_a_membership_keeps_it(api_as, clerk, community, layla):
    joined = actions.add_member(group=community, person=layla, acting_user=None)
    ended = api_as(clerk).post(f"/groups/{community.pk}/members/{joined.pk}/end", {"note": "moved away"})
    assert ended.status_code == 200 and ended.json()["ended_because"] == "left"
    again = api_as(clerk).post(f"/groups/{community.pk}/members/{joined.pk}/end", {})
    assert_problem(again, 422)
    group = api_as(clerk).get(f"/groups/{community.pk}").json()
    assert group["member_count"] == 0 and group["members"][0]["left_on"] is not None


def test_a_site_of_the_operation_places_a_community(api_as, clerk, operation, office, sinjar):
    camp = Site.objects.create(operation=operation, code="DAH-01", name="Sharya", type="camp", admin_area=sinjar)
    created = api_as(clerk).post(
        "/groups",
        {
            "operation": str(operation.pk),
            "office": str(office.pk),
            "kind": "community",
            "name": "S",
            "site": str(camp.pk),
        },
    )
    assert created.status_code == 201 and created.json()["admin_area"] == "IQD086"
