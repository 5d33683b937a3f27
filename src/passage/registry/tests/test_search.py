"""Searching the registry by name in any script, phone, document, P-code or number — only what one may see."""

from __future__ import annotations

import pytest

from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.registry.access import get_person_for_user, mask
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Person
from passage.registry.queries import search_people
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")


@pytest.fixture
def registry(operation):
    area = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    mosul = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=area)
    register_household(
        acting_user=None,
        operation=operation,
        admin_area=mosul,
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name="محمد",
                family_name="الجبوري",
                given_name_latin="Mohammed",
                family_name_latin="Al-Jubouri",
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="SY")],
            ),
            PersonInput(relationship="spouse", consent=YES, given_name_latin="Zoë", family_name_latin="Hassan"),
        ],
    )
    register_household(
        acting_user=None,
        operation=operation,
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name_latin="Amina",
                family_name_latin="Yusuf",
                phones=["+252 61 555 1234"],
            ),
        ],
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("mohammed", {"Mohammed"}),
        ("MOH al-jub", {"Mohammed"}),
        ("محمد", {"Mohammed"}),
        ("zoe", {"Zoë"}),
        ("07701234567", {"Mohammed"}),
        ("+964 770 123 4567", {"Mohammed"}),
        ("a12 345 67", {"Mohammed"}),
        ("IQG15", {"Mohammed", "Zoë"}),
        ("nobody", set()),
    ],
)
def test_search(registry, caseworker, operation, text, found):
    assert {p.given_name_latin for p in search_people(caseworker, operation, text)} == found


def test_search_by_registration_number(registry, caseworker, operation):
    amina = Person.objects.get(given_name_latin="Amina")
    assert list(search_people(caseworker, operation, amina.reference.lower())) == [amina]


def test_outsiders_find_nobody(registry, outsider, operation):
    assert not search_people(outsider, operation, "mohammed").exists()
    # M&E officers work with figures, not with individual records.
    assert not search_people(member_of(operation, "me_officer"), operation, "mohammed").exists()


def test_opening_a_person_is_audited_and_outsiders_get_404(registry, caseworker, outsider):
    from django.http import Http404

    amina = Person.objects.get(given_name_latin="Amina")
    assert get_person_for_user(caseworker, amina.pk) == amina
    assert AuditEvent.objects.filter(
        action="registry.person.read", object_id=str(amina.pk), actor_id=caseworker.pk
    ).exists()
    with pytest.raises(Http404):
        get_person_for_user(outsider, amina.pk)


def test_masking_keeps_the_last_digits():
    assert mask("+9647701234567") == "••••••••••••67"


def test_other_spellings_of_a_name_find_the_person(operation, administrator):
    from passage.registry.actions import register_household
    from passage.registry.queries import search_people
    from passage.registry.registration import ConsentInput, PersonInput

    register_household(
        acting_user=None,
        operation=operation,
        members=[
            PersonInput(
                relationship="head",
                consent=ConsentInput(granted=True, method="verbal"),
                given_name="محمد",
                given_name_latin="Mohammed",
                family_name_latin="Al-Jubouri",
            )
        ],
    )
    for spelling in ("Muhammad", "Maxamed", "mohamed jubouri", "محمد", "Al-Jubouri"):
        assert search_people(administrator, operation, spelling).count() == 1, spelling
    for other in ("Mahmoud", "Hamed"):
        assert search_people(administrator, operation, other).count() == 0, other
