"""Registering a household: consent first, names in any script, partial dates, encrypted phones and documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.registry.actions import register_household
from passage.registry.models import Consent, Household, Person, Phone
from passage.registry.normalise import document_index, phone_index
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

AGREED = ConsentInput(granted=True, method="verbal", other_purposes={"sharing": False, "follow_up": True})


def _family() -> list[PersonInput]:
    return [
        PersonInput(
            relationship="head",
            consent=AGREED,
            given_name="محمد",
            father_name="عبد الرحمن",
            family_name="الجبوري",
            given_name_latin="Mohammed",
            family_name_latin="Al-Jubouri",
            sex="male",
            birth_date=dt.date(1985, 3, 17),
            birth_date_precision="year",
            phones=["0770 123 4567"],
            nationalities=["iq"],
            documents=[DocumentInput(type="passport", number="a12 345-67", issuing_country="IQ")],
        ),
        PersonInput(
            relationship="spouse",
            consent=AGREED,
            given_name="Fatima",
            family_name="Hassan",
            sex="female",
            age_years=34,
            phones=["+964 770 123 4567"],
            disability={"seeing": 3},
        ),
        PersonInput(
            relationship="daughter",
            consent=ConsentInput(granted=True, method="proxy", proxy_name="Mohammed, father"),
            given_name="Noor",
            sex="female",
            birth_date=dt.date(2019, 6, 2),
        ),
    ]


@pytest.fixture
def clerk(operation):
    return member_of(operation, "registration_clerk")


def test_clerk_registers_a_household(clerk, operation):
    household = register_household(acting_user=clerk, operation=operation, members=_family(), address="Hay Al-Amil")
    people = {p.given_name or p.given_name_latin: p for p in Person.objects.filter(operation=operation)}
    head = people["محمد"]
    assert head.display_name == "محمد عبد الرحمن الجبوري" and head.display_name_latin == "Mohammed Al-Jubouri"
    assert (head.birth_date, head.birth_date_precision) == (dt.date(1985, 1, 1), "year")
    spouse = people["Fatima"]
    assert spouse.birth_date_precision == "estimated" and spouse.age_estimated_on is not None
    assert spouse.disability == {"seeing": 3}
    assert household.members.filter(left_on__isnull=True).count() == 3
    assert household.members.get(relationship="head").person == head
    assert Consent.objects.filter(purpose="registration", granted=True).count() == 3
    assert Consent.objects.get(person=head, purpose="sharing").granted is False
    assert Consent.objects.get(person=people["Noor"]).method == "proxy"
    event = AuditEvent.objects.get(action="household.register")
    assert head.reference in event.changes["members"][1] and "Mohammed" not in str(event.changes)


def test_phones_and_documents_are_encrypted_and_found_by_blind_index(clerk, operation):
    register_household(acting_user=clerk, operation=operation, members=_family(), address="Hay Al-Amil")
    # The household shares one phone, written two ways: both normalise to the same number.
    assert Phone.objects.filter(number_index=phone_index("+9647701234567")).count() == 2
    head = Person.objects.get(documents__number_index=document_index("A1234567"))
    assert head.given_name_latin == "Mohammed" and head.documents.get().number == "A1234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM registry_phone UNION ALL SELECT number FROM registry_identitydocument "
            "UNION ALL SELECT address FROM registry_household"
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(value.startswith("v1.") for value in stored)
    assert not any("7701234567" in v or "A1234567" in v or "Amil" in v for v in stored)


def test_no_registration_without_a_consent_decision(clerk, operation):
    members = _family()
    members[1].consent = None
    members[2].consent = ConsentInput(granted=True, method="proxy")
    with pytest.raises(ValidationError) as refused:
        register_household(acting_user=clerk, operation=operation, members=members)
    errors = refused.value.message_dict
    assert "members[1].consent" in errors and "members[2].consent.proxy_name" in errors
    assert not Person.objects.exists() and not Household.objects.exists()


def test_refused_consent_means_no_registration(clerk, operation):
    members = _family()[:1]
    members[0].consent = ConsentInput(granted=False, method="verbal")
    with pytest.raises(ValidationError, match="cannot be registered"):
        register_household(acting_user=clerk, operation=operation, members=members)


def test_bad_values_are_named_by_member_and_field(clerk, operation):
    members = _family()
    members[0].phones = ["12"]
    members[0].documents = [DocumentInput(type="passport", number="<script>")]
    members[1].birth_date, members[1].age_years = dt.date(2999, 1, 1), None
    members[2].relationship = "head"
    members[2].disability = {"flying": 2}
    with pytest.raises(ValidationError) as refused:
        register_household(acting_user=clerk, operation=operation, members=members)
    errors = refused.value.message_dict
    assert "wrong number of digits" in errors["members[0].phones[0]"][0]
    assert "members[0].documents[0].number" in errors
    assert "future" in errors["members[1].birth_date"][0]
    assert "exactly one head" in errors["members"][0]
    assert "members[2].disability.flying" in errors


def test_html_in_a_name_is_kept_as_text(clerk, operation):
    members = _family()[:1]
    members[0].given_name_latin = "<b>Moh</b>"
    register_household(acting_user=clerk, operation=operation, members=members)
    assert Person.objects.get().given_name_latin == "<b>Moh</b>"


def test_only_registering_roles_in_their_office(operation, outsider, persona):
    with pytest.raises(PermissionDenied):
        register_household(acting_user=persona("finance_officer"), operation=operation, members=_family())
    with pytest.raises(PermissionDenied):
        register_household(acting_user=outsider, operation=operation, members=_family())
    erbil, mosul = OfficeFactory(operation=operation), OfficeFactory(operation=operation)
    erbil_clerk = member_of(operation, "registration_clerk", offices=[erbil])
    with pytest.raises(PermissionDenied):
        register_household(acting_user=erbil_clerk, operation=operation, office=mosul, members=_family())
    register_household(acting_user=erbil_clerk, operation=operation, office=erbil, members=_family())


def test_registry_visibility_follows_operation_and_office(operation, outsider):
    erbil, mosul = OfficeFactory(operation=operation), OfficeFactory(operation=operation)
    register_household(acting_user=None, operation=operation, office=erbil, members=_family()[:1])
    register_household(acting_user=None, operation=operation, office=mosul, members=_family()[:1])
    register_household(acting_user=None, operation=operation, members=_family()[:1])
    erbil_clerk = member_of(operation, "registration_clerk", offices=[erbil])
    caseworker = member_of(operation, "caseworker")
    assert Person.objects.visible_to(caseworker).count() == 3
    assert {p.office for p in Person.objects.visible_to(erbil_clerk)} == {erbil, None}
    assert not Person.objects.visible_to(outsider).exists()


def test_a_phone_with_digits_missing_is_refused(clerk, operation):
    """'0770 12' could at best be dialled inside one town: nobody could call the person back on it."""
    members = _family()
    members[0].phones = ["0770 12"]
    with pytest.raises(ValidationError) as refused:
        register_household(acting_user=clerk, operation=operation, members=members)
    assert "digits are missing" in refused.value.message_dict["members[0].phones[0]"][0]
