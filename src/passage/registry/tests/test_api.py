"""The registry through the JSON API: a clerk registers a family, others find and read it as their role allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from passage.core import actions as core_actions
from passage.core.models import AuditEvent, Operation, User
from passage.core.tests.factories import OfficeFactory, member_of
from passage.core.tests.test_api import Api, assert_problem
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Household, Person
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")


@pytest.fixture
def api_as(client: Client) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


@pytest.fixture
def clerk(operation: Operation) -> User:
    return member_of(operation, "registration_clerk")


@pytest.fixture
def areas(db: None) -> dict[str, AdminArea]:
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(
        country="IQ", level=1, pcode="IQG15", name="Ninewa", names={"ar": "نينوى"}, parent=iraq
    )
    mosul = AdminArea.objects.create(country="IQ", level=2, pcode="IQG15Q01", name="Mosul", parent=ninewa)
    AdminArea.objects.create(country="LY", level=0, pcode="LY", name="Libya")
    return {"IQ": iraq, "IQG15": ninewa, "IQG15Q01": mosul}


@pytest.fixture
def amina(operation: Operation) -> Person:
    household = register_household(
        acting_user=None,
        operation=operation,
        address="Hay Al-Amil, street 12",
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name_latin="Amina",
                family_name_latin="Yusuf",
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
            ),
            PersonInput(relationship="son", consent=YES, given_name_latin="Omar", family_name_latin="Yusuf"),
        ],
    )
    return household.members.get(relationship="head").person


def _family(**head: Any) -> list[dict[str, Any]]:
    return [
        {
            "relationship": "head",
            "consent": {"granted": True, "method": "verbal", "other_purposes": {"follow_up": True}},
            "given_name": "محمد",
            "family_name": "الجبوري",
            "given_name_latin": "Mohammed",
            "family_name_latin": "Al-Jubouri",
            "sex": "male",
            "birth_date": "1985-03-17",
            "birth_date_precision": "year",
            "phones": ["0770 765 4321"],
            "documents": [{"type": "national_id", "number": "1985 0317 42", "issuing_country": "IQ"}],
            **head,
        },
        {
            "relationship": "daughter",
            "consent": {"granted": True, "method": "proxy", "proxy_name": "Mohammed, father"},
            "given_name_latin": "Noor",
            "sex": "female",
            "age_years": 6,
        },
    ]


# --- registering ------------------------------------------------------------------------------------


def test_clerk_registers_a_household(api_as, clerk, operation, areas):
    office = OfficeFactory(operation=operation)
    response = api_as(clerk).post(
        "/households",
        {
            "operation": str(operation.pk),
            "office": str(office.pk),
            "admin_area": "IQG15Q01",
            "address": "Al-Zuhur, house 7",
            "members": _family(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert body["reference"] == household.reference and body["reference"].startswith("HH-")
    assert (body["office_id"], body["admin_area"], body["address"]) == (str(office.pk), "IQG15Q01", "Al-Zuhur, house 7")
    assert [(m["display_name_latin"], m["relationship"]) for m in body["members"]] == [
        ("Mohammed Al-Jubouri", "head"),
        ("Noor", "daughter"),
    ]
    head = Person.objects.get(reference=body["members"][0]["reference"])
    assert head.office == office and head.consents.get(purpose="follow_up").granted
    assert AuditEvent.objects.filter(action="household.register", actor_id=clerk.pk).exists()


def test_registration_problems_name_the_member_and_field(api_as, clerk, operation):
    members = _family(phones=["12"])
    members[1]["consent"] = {"granted": True, "method": "proxy"}
    members[1]["documents"] = [{"type": "passport", "number": "??"}]
    problem = assert_problem(
        api_as(clerk).post("/households", {"operation": str(operation.pk), "members": members}), 422
    )
    fields = {error["field"] for error in problem["errors"]}
    assert {"members[0].phones[0]", "members[1].consent.proxy_name", "members[1].documents[0].number"} <= fields
    assert not Household.objects.exists()


def test_household_needs_one_head_and_consent(api_as, clerk, operation):
    members = _family(relationship="spouse")
    del members[1]["consent"]
    problem = assert_problem(
        api_as(clerk).post("/households", {"operation": str(operation.pk), "members": members}), 422
    )
    assert {"members", "members[1].consent"} <= {error["field"] for error in problem["errors"]}


def test_unknown_pcode_is_a_problem(api_as, clerk, operation):
    body = {"operation": str(operation.pk), "admin_area": "XX99", "members": _family()}
    problem = assert_problem(api_as(clerk).post("/households", body), 422)
    assert [error["field"] for error in problem["errors"]] == ["admin_area"]


def test_finance_officer_may_not_register(api_as, persona, operation):
    body = {"operation": str(operation.pk), "members": _family()}
    assert_problem(api_as(persona("finance_officer")).post("/households", body), 403)


def test_outsider_cannot_register_in_another_operation(api_as, outsider, operation):
    body = {"operation": str(operation.pk), "members": _family()}
    assert_problem(api_as(outsider).post("/households", body), 404)


# --- finding and reading ----------------------------------------------------------------------------


def test_search_by_phone(api_as, caseworker, operation, amina):
    response = api_as(caseworker).get("/people", operation=str(operation.pk), q="+964 770 123 4567")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1 and page["items"][0]["reference"] == amina.reference
    assert "phones" not in page["items"][0] and "documents" not in page["items"][0]


def test_people_list_is_paginated(api_as, caseworker, operation, amina):
    page = api_as(caseworker).get("/people", operation=str(operation.pk), limit=1).json()
    assert (page["count"], page["limit"], len(page["items"])) == (2, 1, 1)


def test_me_officer_may_not_list_people(api_as, persona, operation, amina):
    assert_problem(api_as(persona("me_officer")).get("/people", operation=str(operation.pk)), 403)


def test_outsider_cannot_see_a_person_exists(api_as, outsider, operation, amina):
    assert_problem(api_as(outsider).get(f"/people/{amina.pk}"), 404)
    assert_problem(api_as(outsider).get("/people", operation=str(operation.pk)), 404)


def test_clerk_reads_a_person_unmasked_and_the_read_is_audited(api_as, clerk, amina):
    body = api_as(clerk).get(f"/people/{amina.pk}").json()
    assert body["sensitive_shown"] is True
    assert body["phones"] == [{"number": "+9647701234567", "is_primary": True}]
    assert body["documents"][0]["number"] == "A1234567"
    assert [(c["purpose"], c["granted"]) for c in body["consents"]] == [("registration", True)]
    assert body["households"][0]["relationship"] == "head"
    assert AuditEvent.objects.filter(action="registry.person.read", object_id=str(amina.pk), actor_id=clerk.pk).exists()


def test_finance_officer_sees_phones_and_documents_masked(api_as, persona, amina):
    body = api_as(persona("finance_officer")).get(f"/people/{amina.pk}").json()
    assert body["sensitive_shown"] is False
    assert body["phones"][0]["number"] == "••••••••••••67"
    assert body["documents"][0]["number"] == "••••••67"
    assert body["display_name_latin"] == "Amina Yusuf"


def test_household_members_and_masked_address(api_as, clerk, persona, amina):
    household = amina.household_memberships.get().household
    body = api_as(clerk).get(f"/households/{household.pk}").json()
    assert [(m["display_name_latin"], m["relationship"]) for m in body["members"]] == [
        ("Amina Yusuf", "head"),
        ("Omar Yusuf", "son"),
    ]
    assert body["address"] == "Hay Al-Amil, street 12"
    masked = api_as(persona("finance_officer")).get(f"/households/{household.pk}").json()
    assert masked["address"].endswith("12") and "Amil" not in masked["address"]
    assert AuditEvent.objects.filter(action="registry.household.read", object_id=str(household.pk)).count() == 2


def test_outsider_cannot_see_a_household(api_as, outsider, amina):
    household = amina.household_memberships.get().household
    assert_problem(api_as(outsider).get(f"/households/{household.pk}"), 404)


# --- administrative areas ---------------------------------------------------------------------------


def test_admin_areas_by_country_level_and_parent(api_as, caseworker, areas):
    api = api_as(caseworker)
    assert [a["pcode"] for a in api.get("/admin-areas", country="iq").json()["items"]] == ["IQ", "IQG15", "IQG15Q01"]
    assert [a["pcode"] for a in api.get("/admin-areas", level=0).json()["items"]] == ["IQ", "LY"]
    children = api.get("/admin-areas", parent="IQG15").json()["items"]
    assert [(a["pcode"], a["parent"]) for a in children] == [("IQG15Q01", "IQG15")]


def test_one_admin_area_by_pcode(api_as, outsider, areas):
    api = api_as(outsider)  # reference data: any signed-in user may read it
    body = api.get("/admin-areas/IQG15").json()
    assert (body["name"], body["names"], body["parent"], body["level"]) == ("Ninewa", {"ar": "نينوى"}, "IQ", 1)
    assert_problem(api.get("/admin-areas/XX1"), 404)
