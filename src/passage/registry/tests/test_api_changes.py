"""What happens to registered people, through the JSON API with tokens, as the people who do it: the clerk of the
office that registered a family corrects it, a colleague corrects it meanwhile, a clerk of another office and an
outsider of another operation cannot even see it; status, moves, heads of household, consent and its withdrawal;
the households and sites lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from passage.core import actions as core_actions
from passage.core.models import AuditEvent, Office, Operation, RoleGrant, User
from passage.core.tests.factories import OfficeFactory, member_of
from passage.core.tests.test_api import Api, assert_problem
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Household, Person, Site
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")
TODAY = timezone.localdate


@pytest.fixture
def api_as(client: Client) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


@pytest.fixture
def office(operation: Operation) -> Office:
    return OfficeFactory(operation=operation, name="Mosul")


@pytest.fixture
def clerk(operation: Operation, office: Office) -> User:
    """The registration clerk of the office that registered the family."""
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def colleague(operation: Operation, office: Office) -> User:
    """Another clerk of the same office."""
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def other_office_clerk(operation: Operation) -> User:
    """A clerk of the same operation, limited to another office."""
    return member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation, name="Dohuk")])


@pytest.fixture
def family(operation: Operation, office: Office) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        address="Hay Al-Amil, street 12",
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name_latin="Amina",
                family_name_latin="Yusuf",
                sex="female",
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
            ),
            PersonInput(relationship="son", consent=YES, given_name_latin="Omar", family_name_latin="Yusuf"),
        ],
    )


def _member(household: Household, relationship: str) -> Person:
    return household.members.get(relationship=relationship, left_on__isnull=True).person


@pytest.fixture
def amina(family: Household) -> Person:
    return _member(family, "head")


@pytest.fixture
def omar(family: Household) -> Person:
    return _member(family, "son")


def _version(api: Api, person: Person) -> int:
    return int(api.get(f"/people/{person.pk}").json()["version"])


# --- corrections ------------------------------------------------------------------------------------------


def test_clerk_corrects_a_record_and_only_what_was_sent_changes(api_as, clerk, amina):
    api = api_as(clerk)
    before = api.get(f"/people/{amina.pk}").json()
    response = api.patch(
        f"/people/{amina.pk}",
        {
            "version": before["version"],
            "given_name_latin": "Aminah",
            "phones": ["0770 765 4321", "0750 111 2233"],
            "note": "spelling from her passport",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == before["version"] + 1
    assert body["display_name_latin"] == "Aminah Yusuf" and body["sex"] == "female"
    assert [phone["number"] for phone in body["phones"]] == ["+9647707654321", "+9647501112233"]
    assert body["documents"] == before["documents"]  # not sent, not touched
    event = AuditEvent.objects.get(action="person.update", object_id=str(amina.pk))
    assert (
        event.actor_id == clerk.pk
        and "given_name_latin" in event.changes
        and event.note == "spelling from her passport"
    )


def test_a_stale_version_is_a_409_naming_who_changed_what(api_as, clerk, colleague, amina):
    started_from = _version(api_as(clerk), amina)
    first = api_as(colleague).patch(f"/people/{amina.pk}", {"version": started_from, "family_name_latin": "Yousef"})
    assert first.status_code == 200

    problem = assert_problem(
        api_as(clerk).patch(f"/people/{amina.pk}", {"version": started_from, "given_name_latin": "Aminah"}), 409
    )
    assert colleague.get_username() in problem["detail"] and "family name (Latin letters)" in problem["detail"]
    assert "Nothing was saved" in problem["detail"]
    assert problem["current_version"] == started_from + 1
    assert [(c["by"], c["fields"]) for c in problem["changes"]] == [(colleague.get_username(), ["family_name_latin"])]
    assert [error["field"] for error in problem["errors"]] == ["family_name_latin"]
    amina.refresh_from_db()
    assert (amina.given_name_latin, amina.family_name_latin) == ("Amina", "Yousef")

    again = api_as(clerk).patch(f"/people/{amina.pk}", {"version": started_from + 1, "given_name_latin": "Aminah"})
    assert again.status_code == 200 and again.json()["display_name_latin"] == "Aminah Yousef"


def test_problems_name_the_field(api_as, clerk, amina):
    api = api_as(clerk)
    version = _version(api, amina)
    problem = assert_problem(
        api.patch(
            f"/people/{amina.pk}",
            {
                "version": version,
                "phones": ["12"],
                "sex": "x",
                "documents": [{"type": "passport", "number": "??"}],
            },
        ),
        422,
    )
    assert {"phones[0]", "sex", "documents[0].number"} <= {error["field"] for error in problem["errors"]}
    assert [error["field"] for error in assert_problem(api.patch(f"/people/{amina.pk}", {}), 422)["errors"]] == [
        "version"
    ]
    amina.refresh_from_db()
    assert amina.version == version and amina.phones.count() == 1


def test_only_those_who_may_change_a_person_can(api_as, persona, colleague, other_office_clerk, outsider, amina):
    version = _version(api_as(colleague), amina)
    body = {"version": version, "given_name_latin": "X"}
    for user in (persona("finance_officer"), other_office_clerk, outsider):
        assert_problem(api_as(user).patch(f"/people/{amina.pk}", body), 404)
        assert_problem(api_as(user).post(f"/people/{amina.pk}/status", {"status": "withdrawn", "reason": "x"}), 404)
        assert_problem(api_as(user).post(f"/people/{amina.pk}/consents", {"purpose": "research", "granted": True}), 404)
    assert api_as(colleague).patch(f"/people/{amina.pk}", body).status_code == 200  # a colleague of the office may
    assert not AuditEvent.objects.filter(action="person.update").exclude(actor_id=colleague.pk).exists()


def test_phones_and_documents_are_changed_only_by_who_may_see_them(api_as, operation, office, amina):
    # An administrator takes unmasked phones and documents away from registration clerks.
    RoleGrant.objects.filter(role__code="registration_clerk", permission="person.view_sensitive").delete()
    volunteer = api_as(member_of(operation, "registration_clerk", offices=[office]))
    record = volunteer.get(f"/people/{amina.pk}").json()
    assert (record["sensitive_shown"], record["phones"][0]["number"]) == (False, "••••••••••••67")
    body = {"version": record["version"], "phones": ["0770 765 4321"]}
    assert_problem(volunteer.patch(f"/people/{amina.pk}", body), 403)
    renamed = volunteer.patch(f"/people/{amina.pk}", {"version": record["version"], "given_name_latin": "Aminah"})
    assert renamed.status_code == 200 and renamed.json()["phones"] == record["phones"]


# --- status -----------------------------------------------------------------------------------------------


def test_status_deceased_needs_the_date(api_as, clerk, amina):
    api = api_as(clerk)
    problem = assert_problem(api.post(f"/people/{amina.pk}/status", {"status": "deceased"}), 422)
    assert [error["field"] for error in problem["errors"]] == ["on"]
    on = (TODAY() - dt.timedelta(days=3)).isoformat()
    body = api.post(f"/people/{amina.pk}/status", {"status": "deceased", "on": on, "version": _version(api, amina)})
    assert body.status_code == 200, body.content
    assert (body.json()["status"], body.json()["status_on"]) == ("deceased", on)
    stale = api.post(f"/people/{amina.pk}/status", {"status": "active", "reason": "mistake", "version": 1})
    assert assert_problem(stale, 409)["current_version"] == body.json()["version"]


# --- households over time ---------------------------------------------------------------------------------


def test_moving_to_another_household_keeps_the_history(api_as, clerk, operation, office, omar, family):
    other = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Huda")],
    )
    api = api_as(clerk)
    problem = assert_problem(
        api.post(f"/people/{omar.pk}/move", {"relationship": "son", "on": TODAY().isoformat(), "household": "HH-0"}),
        422,
    )
    assert [error["field"] for error in problem["errors"]] == ["household"]
    response = api.post(
        f"/people/{omar.pk}/move", {"relationship": "son", "on": TODAY().isoformat(), "household": other.reference}
    )
    assert response.status_code == 200, response.content
    memberships = {(m["household_reference"], m["left_on"] is None) for m in response.json()["households"]}
    assert memberships == {(family.reference, False), (other.reference, True)}
    assert [m["display_name_latin"] for m in api.get(f"/households/{other.pk}").json()["members"]] == [
        "Huda",
        "Omar Yusuf",
    ]


def test_a_move_to_a_household_one_may_not_change_is_refused(api_as, clerk, operation, omar):
    elsewhere = register_household(
        acting_user=None,
        operation=operation,
        office=OfficeFactory(operation=operation),
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Layla")],
    )
    body = {"relationship": "son", "on": TODAY().isoformat(), "household_id": str(elsewhere.pk)}
    problem = assert_problem(api_as(clerk).post(f"/people/{omar.pk}/move", body), 422)
    assert [error["field"] for error in problem["errors"]] == ["household_id"]


def test_a_new_head_before_the_head_leaves(api_as, clerk, family, amina, omar):
    api = api_as(clerk)
    problem = assert_problem(api.post(f"/people/{amina.pk}/leave", {"on": TODAY().isoformat()}), 422)
    assert "name a new head there first" in problem["detail"]
    missing = assert_problem(api.post(f"/households/{family.pk}/head", {"new_head": str(omar.pk)}), 422)
    assert [error["field"] for error in missing["errors"]] == ["former_head_relationship"]

    changed = api.post(
        f"/households/{family.pk}/head", {"new_head": str(omar.pk), "former_head_relationship": "mother"}
    )
    assert changed.status_code == 200, changed.content
    assert [(m["display_name_latin"], m["relationship"]) for m in changed.json()["members"]] == [
        ("Omar Yusuf", "head"),
        ("Amina Yusuf", "mother"),
    ]
    left = api.post(f"/people/{amina.pk}/leave", {"on": TODAY().isoformat(), "note": "married again"})
    assert left.status_code == 200
    assert [m["left_on"] for m in left.json()["households"]] == [TODAY().isoformat()]
    assert AuditEvent.objects.filter(action="household.head", actor_id=clerk.pk).exists()


def test_only_a_current_member_becomes_head(api_as, clerk, family, operation):
    stranger = register_household(
        acting_user=None, operation=operation, members=[PersonInput(relationship="head", consent=YES, given_name="X")]
    )
    problem = assert_problem(
        api_as(clerk).post(f"/households/{family.pk}/head", {"new_head": str(_member(stranger, "head").pk)}), 422
    )
    assert [error["field"] for error in problem["errors"]] == ["new_head"]


# --- consent ----------------------------------------------------------------------------------------------


def test_withdrawing_consent_to_registration(api_as, clerk, persona, amina):
    api = api_as(clerk)
    decisions = api.get(f"/people/{amina.pk}/consents").json()
    assert [(c["purpose"], c["granted"], c["current"]) for c in decisions] == [("registration", True, True)]

    research = api.post(f"/people/{amina.pk}/consents", {"purpose": "research", "granted": True, "method": "written"})
    assert research.status_code == 201, research.content
    assert (research.json()["recorded_by"], research.json()["current"]) == (clerk.get_username(), True)
    proxy = assert_problem(
        api.post(f"/people/{amina.pk}/consents", {"purpose": "sharing", "granted": True, "method": "proxy"}), 422
    )
    assert [error["field"] for error in proxy["errors"]] == ["proxy_name"]

    registration = decisions[0]["id"]
    withdrawn = api.post(f"/people/{amina.pk}/consents/{registration}/withdraw", {"note": "Asked at the help desk"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["withdrawn_by"] == clerk.get_username()
    again = assert_problem(api.post(f"/people/{amina.pk}/consents/{registration}/withdraw", {}), 422)
    assert "already withdrawn" in again["detail"]

    record = api.get(f"/people/{amina.pk}").json()
    assert (record["status"], record["status_reason"]) == ("withdrawn", "Asked at the help desk")
    viewer = api_as(persona("finance_officer")).get(f"/people/{amina.pk}/consents").json()
    assert {(c["purpose"], c["withdrawal_note"]) for c in viewer} == {
        ("registration", "Asked at the help desk"),
        ("research", "Asked at the help desk"),  # withdrawing registration ends every other consent
    }
    assert all(c["withdrawn_at"] for c in viewer)

    given = api.post(f"/people/{amina.pk}/consents", {"purpose": "registration", "granted": True, "method": "verbal"})
    assert given.status_code == 201
    assert api.get(f"/people/{amina.pk}").json()["status"] == "active"
    assert AuditEvent.objects.filter(action="person.consent_withdrawn", actor_id=clerk.pk).count() == 1


def test_consent_of_someone_one_may_not_see(api_as, other_office_clerk, outsider, persona, amina):
    consent = amina.consents.get()
    for user in (other_office_clerk, outsider):
        assert_problem(api_as(user).get(f"/people/{amina.pk}/consents"), 404)
        assert_problem(api_as(user).post(f"/people/{amina.pk}/consents/{consent.pk}/withdraw", {}), 404)
    assert_problem(api_as(persona("finance_officer")).post(f"/people/{amina.pk}/consents/{consent.pk}/withdraw"), 404)
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# --- lists ------------------------------------------------------------------------------------------------


def test_households_list_search_and_pagination(api_as, clerk, colleague, other_office_clerk, operation, family):
    other = register_household(
        acting_user=None,
        operation=operation,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Huda", family_name_latin="Salih")],
    )
    api = api_as(clerk)
    page = api.get("/households", operation=str(operation.pk), limit=1).json()
    assert (page["count"], page["limit"], len(page["items"])) == (2, 1, 1)
    found = api.get("/households", operation=str(operation.pk), q="omar").json()["items"]
    assert [(h["reference"], h["size"], h["head"]["display_name_latin"]) for h in found] == [
        (family.reference, 2, "Amina Yusuf")
    ]
    assert "address" not in found[0]
    by_number = api.get("/households", operation=str(operation.pk), q=other.reference.lower()).json()["items"]
    assert [h["reference"] for h in by_number] == [other.reference]
    by_phone = api.get("/households", operation=str(operation.pk), q="0770 123 4567").json()["items"]
    assert [h["reference"] for h in by_phone] == [family.reference]
    # Another office's clerk sees the household without an office, not ours.
    seen = api_as(other_office_clerk).get("/households", operation=str(operation.pk)).json()["items"]
    assert [h["reference"] for h in seen] == [other.reference]


def test_households_list_is_refused_as_the_people_list_is(api_as, persona, outsider, operation, family):
    assert_problem(api_as(persona("me_officer")).get("/households", operation=str(operation.pk)), 403)
    assert_problem(api_as(outsider).get("/households", operation=str(operation.pk)), 404)


def test_sites_by_operation_kind_and_area(api_as, clerk, outsider, operation, other_operation):
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    mosul = AdminArea.objects.create(country="IQ", level=2, pcode="IQG15Q01", name="Mosul", parent=ninewa)
    basra = AdminArea.objects.create(country="IQ", level=1, pcode="IQG02", name="Basra", parent=iraq)
    libya = AdminArea.objects.create(country="LY", level=0, pcode="LY", name="Libya")
    Site.objects.create(operation=operation, code="C-1", name="Hasansham", type="camp", admin_area=mosul)
    Site.objects.create(operation=operation, code="T-1", name="Safwan", type="border_point", admin_area=basra)
    Site.objects.create(
        operation=other_operation, code="F-1", name="Zuwara", type="flow_monitoring_point", admin_area=libya
    )
    api = api_as(clerk)
    everything = api.get("/sites").json()
    assert [s["code"] for s in everything["items"]] == ["C-1", "T-1"]  # only the operations one works in
    assert [s["code"] for s in api.get("/sites", kind="camp").json()["items"]] == ["C-1"]
    within = api.get("/sites", operation=str(operation.pk), admin_area="iqg15").json()["items"]
    assert [(s["code"], s["admin_area"], s["kind"]) for s in within] == [("C-1", "IQG15Q01", "camp")]
    assert [e["field"] for e in assert_problem(api.get("/sites", kind="tent"), 422)["errors"]] == ["kind"]
    assert_problem(api_as(outsider).get("/sites", operation=str(operation.pk)), 404)
    assert [s["code"] for s in api_as(outsider).get("/sites").json()["items"]] == ["F-1"]
