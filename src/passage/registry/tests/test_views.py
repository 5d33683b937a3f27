"""The registry's pages, through HTTP, as the people who use them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from passage.conftest import sign_in
from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Household, Person
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")


def member(index: int, **values: Any) -> dict[str, str]:
    blank = {
        "relationship": "",
        "sex": "unknown",
        "birth_date_precision": "day",
        "birth_date": "",
        "age_years": "",
        "phone": "",
        "document_type": "",
        "document_number": "",
        "document_country": "",
        "consent_method": "",
        "proxy_name": "",
    }
    return {f"members-{index}-{key}": str(value) for key, value in {**blank, **values}.items()}


def wizard_post(*members: dict[str, str], **household: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "office": "",
        "admin_area": "",
        "address": "",
        **household,
    }
    for values in members:
        data.update(values)
    return data


@pytest.fixture
def clerk(persona):
    return persona("registration_clerk")


@pytest.fixture
def family(operation) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        address="Hay Al-Amil, street 12",
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name="محمد",
                family_name="الجبوري",
                given_name_latin="Mohammed",
                family_name_latin="Al-Jubouri",
                sex="male",
                birth_date=dt.date(1985, 3, 17),
                birth_date_precision="month",
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
            ),
            PersonInput(relationship="spouse", consent=YES, given_name_latin="Fatima", sex="female", age_years=34),
        ],
    )


def head_of(household: Household) -> Person:
    return household.members.get(relationship="head").person


def test_clerk_registers_a_household_and_lands_on_its_page(client, clerk, operation):
    office = OfficeFactory(operation=operation, name="Erbil")
    area = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    sign_in(client, clerk)
    assert client.get("/registry/register/").status_code == 200
    response = client.post(
        "/registry/register/",
        wizard_post(
            member(
                0,
                relationship="head",
                given_name="نور",
                family_name_latin="Hassan",
                given_name_latin="Noor",
                sex="female",
                birth_date_precision="year",
                birth_date="1990",
                phone="0770 999 8888",
                document_type="passport",
                document_number="B7654321",
                document_country="iq",
                consent_granted="yes",
                consent_method="written",
                purposes="follow_up",
            ),
            member(
                1,
                relationship="son",
                given_name_latin="Ali",
                sex="male",
                birth_date_precision="age",
                age_years="7",
                consent_granted="yes",
                consent_method="proxy",
                proxy_name="Noor, mother",
            ),
            office=office.pk,
            admin_area=area.pk,
            address="Ankawa",
        ),
    )
    household = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/households/{household.pk}/"
    assert household.office == office and household.admin_area == area
    page = client.get(response["Location"])
    assert household.reference in page.content.decode() and "Ali" in page.content.decode()
    assert "is registered with 2 members" in page.content.decode()
    head = head_of(household)
    assert (head.birth_date, head.birth_date_precision) == (dt.date(1990, 1, 1), "year")
    assert head.documents.get().issuing_country == "IQ"
    assert head.consents.filter(purpose="follow_up", granted=True).exists()
    son = household.members.get(relationship="son").person
    assert son.birth_date_precision == "estimated"
    assert AuditEvent.objects.filter(action="household.register", actor_id=clerk.pk).exists()


def test_errors_come_back_beside_their_member_and_field_keeping_what_was_typed(client, clerk):
    sign_in(client, clerk)
    response = client.post(
        "/registry/register/",
        wizard_post(
            member(0, relationship="head", given_name="Sara", consent_granted="yes", consent_method="verbal"),
            member(1, relationship="spouse", given_name="Omar", phone="12", consent_method="verbal"),
        ),
    )
    assert response.status_code == 200 and not Household.objects.exists()
    html = response.content.decode()
    # The phone error sits in member 1's phone slot; the missing decision in member 1's consent slot.
    phone_slot = html.split('id="err-members-1-phone"')[1].split("</div></div>")[0]
    assert "wrong number of digits" in phone_slot or "not a phone number" in phone_slot
    consent_slot = html.split('id="err-members-1-consent_granted"')[1].split("</fieldset>")[0]
    assert "Without consent" in consent_slot
    assert 'id="err-members-0-consent_granted" class="invalid-feedback d-block"></div>' in html
    assert 'value="Omar"' in html and 'value="12"' in html


def test_a_date_that_cannot_be_read_is_named(client, clerk):
    sign_in(client, clerk)
    response = client.post(
        "/registry/register/",
        wizard_post(
            member(
                0,
                relationship="head",
                given_name="Sara",
                birth_date_precision="month",
                birth_date="1985-3-17",
                consent_granted="yes",
                consent_method="verbal",
            )
        ),
    )
    assert "Write the month as YYYY-MM." in response.content.decode()
    assert not Household.objects.exists()


def test_live_check_speaks_only_of_touched_fields_and_shows_duplicates(client, clerk, family):
    sign_in(client, clerk)
    data = wizard_post(member(0, relationship="head", phone="+964 770 123 4567", document_number="B1"))
    data["touched"] = ["members-0-phone"]
    response = client.post("/registry/register/check/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert head_of(family).reference in html and "Possible duplicates" in html
    assert 'id="err-members-0-given_name" class="invalid-feedback d-block" hx-swap-oob="true"></div>' in html
    data["touched"] = ["members-0-phone", "members-0-given_name"]
    assert "Give at least one name" in client.post("/registry/register/check/", data).content.decode()


def test_live_check_shows_no_one_the_clerk_may_not_see(client, family, other_operation):
    from passage.core.tests.factories import member_of

    stranger = member_of(other_operation, "registration_clerk")
    sign_in(client, stranger)
    data = wizard_post(member(0, relationship="head", phone="+964 770 123 4567"))
    html = client.post("/registry/register/check/", data).content.decode()
    assert head_of(family).reference not in html


def test_add_a_member_returns_the_next_block_and_count(client, clerk):
    sign_in(client, clerk)
    html = client.get("/registry/register/member-form/?index=2").content.decode()
    assert 'name="members-2-given_name"' in html
    assert 'name="members-TOTAL_FORMS" value="3"' in html and "index=3" in html


def test_outsider_gets_404_for_a_person_or_household_of_another_operation(client, outsider, family):
    sign_in(client, outsider)
    assert client.get(f"/registry/people/{head_of(family).pk}/").status_code == 404
    assert client.get(f"/registry/households/{family.pk}/").status_code == 404
    assert head_of(family).reference not in client.get("/registry/people/").content.decode()


def test_me_officer_may_not_open_the_people_list(client, persona):
    sign_in(client, persona("me_officer"))
    assert client.get("/registry/people/").status_code == 403


def test_finance_officer_sees_phones_masked_and_the_clerk_unmasked(client, persona, clerk, family):
    head = head_of(family)
    sign_in(client, persona("finance_officer"))
    html = client.get(f"/registry/people/{head.pk}/").content.decode()
    assert "+9647701234567" not in html and "A1234567" not in html and "•67" in html
    assert "Hay Al-Amil" not in client.get(f"/registry/households/{family.pk}/").content.decode()
    sign_in(client, clerk)
    html = client.get(f"/registry/people/{head.pk}/").content.decode()
    assert "+9647701234567" in html and "A1234567" in html
    assert "Hay Al-Amil" in client.get(f"/registry/households/{family.pk}/").content.decode()


def test_person_page_shows_precision_consent_household_and_history_and_is_audited(client, clerk, family):
    head = head_of(family)
    sign_in(client, clerk)
    html = client.get(f"/registry/people/{head.pk}/").content.decode()
    assert ">1985-03<" in html and "الجبوري" in html and "Al-Jubouri" in html
    assert family.reference in html and "Head of household" in html
    assert "Granted" in html and "household.register" not in html  # history is about the person
    assert (
        AuditEvent.objects.filter(action="registry.person.read", actor_id=clerk.pk).exists()
        or AuditEvent.objects.filter(action__endswith="person.read", actor_id=clerk.pk).exists()
    )


def test_list_shows_dates_by_precision_and_arabic_right_to_left(client, clerk, family):
    sign_in(client, clerk)
    html = client.get("/registry/people/").content.decode()
    assert '<span dir="auto">محمد الجبوري</span>' in html
    assert ">1985-03<" in html and f">≈{timezone.localdate().year - 34}<" in html


def test_search_and_empty_state(client, clerk, family):
    sign_in(client, clerk)
    assert "Fatima" in client.get("/registry/people/?q=fatima").content.decode()
    html = client.get("/registry/people/?q=nobody").content.decode()
    assert 'data-testid="empty"' in html and "Fatima" not in html


def test_html_in_names_is_escaped(client, clerk, operation):
    household = register_household(
        acting_user=None,
        operation=operation,
        members=[PersonInput(relationship="head", consent=YES, given_name="<script>alert(1)</script>")],
    )
    sign_in(client, clerk)
    for url in (
        "/registry/people/",
        f"/registry/people/{head_of(household).pk}/",
        f"/registry/households/{household.pk}/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_list_query_count_is_flat(client, clerk, operation, django_assert_max_num_queries):
    area = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    for n in range(30):
        register_household(
            acting_user=None,
            operation=operation,
            admin_area=area,
            members=[
                PersonInput(
                    relationship="head", consent=YES, given_name_latin=f"Person{n}", phones=[f"07701234{n:03d}"]
                )
            ],
        )
    sign_in(client, clerk)
    client.get("/registry/people/")
    with django_assert_max_num_queries(12):
        response = client.get("/registry/people/")
    assert response.content.decode().count("<tr>") == 31


def test_dashboard_counts_people_for_those_who_may_see_them(client, operation, persona):
    from passage.conftest import sign_in
    from passage.registry.actions import register_household
    from passage.registry.registration import ConsentInput, PersonInput

    register_household(
        acting_user=None,
        operation=operation,
        members=[
            PersonInput(relationship="head", consent=ConsentInput(granted=True, method="verbal"), given_name="Amal")
        ],
    )
    clerk_page = sign_in(client, persona("registration_clerk")).get("/").content.decode()
    assert 'data-stat="people-registered">1<' in clerk_page
    assert "People registered" not in sign_in(client, persona("me_officer")).get("/").content.decode()
