"""Registry pages in Arabic, French and Spanish, through HTTP, as an administrator of the operation: every page
answers, in the chosen language (right to left in Arabic), and the sentences the template fills in — counts in
each plural form, a search, a name — come out translated. A translation whose placeholders do not fit would make
Django quietly fall back to the English sentence; these tests would then miss the translated one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from passage.conftest import sign_in
from passage.core.tests.factories import OfficeFactory, member_of
from passage.registry import group_actions
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Household
from passage.registry.registration import ConsentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")


@pytest.fixture
def admin(operation):
    return member_of(operation, "administrator")


@pytest.fixture
def mosul(db):
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    return AdminArea.objects.create(
        country="IQ", level=2, pcode="IQD083", name="Mosul", names={"ar": "الموصل"}, parent=ninewa
    )


@pytest.fixture
def family(operation, mosul) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=OfficeFactory(operation=operation, name="Mosul"),
        admin_area=mosul,
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name="أمل",
                given_name_latin="Amal",
                sex="female",
                birth_date=dt.date(1988, 3, 2),
                birth_date_precision="day",
                phones=["0770 123 4567"],
            ),
            PersonInput(relationship="son", consent=YES, given_name="يوسف", given_name_latin="Yousif", age_years=9),
        ],
    )


@pytest.fixture
def amal(family):
    return family.members.get(relationship="head").person


@pytest.fixture
def groups(operation, mosul, amal):
    """A village counted by estimate (no registered member) and a cooperative with one member."""
    village = group_actions.create_group(
        acting_user=None,
        operation=operation,
        kind="community",
        name_latin="Bartella",
        admin_area=mosul,
        estimated_size=40,
    )
    cooperative = group_actions.create_group(
        acting_user=None, operation=operation, kind="cooperative", name_latin="Tailors"
    )
    group_actions.add_member(group=cooperative, person=amal, acting_user=None)
    return village, cooperative


def in_language(client, user, language):
    sign_in(client, user)
    client.post("/switch/language/", {"language": language, "next": "/"})
    return client


def said(language, singular, plural=None, n=None, **values):
    """The sentence as the catalogue of `language` says it, filled in as the template fills it."""
    with translation.override(language):
        text = translation.ngettext(singular, plural, n) if plural else translation.gettext(singular)
    return text % ({"n": n} | values) if (n is not None or values) else text


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_registry_pages_answer_in_the_chosen_language(client, admin, language, family, amal, groups):
    village, cooperative = groups
    in_language(client, admin, language)
    for url in (
        "/registry/people/",
        f"/registry/people/{amal.pk}/",
        f"/registry/households/{family.pk}/",
        f"/registry/people/{amal.pk}/edit/",
        f"/registry/people/{amal.pk}/status/",
        f"/registry/people/{amal.pk}/move/",
        f"/registry/people/{amal.pk}/consent/",
        f"/registry/households/{family.pk}/head/",
        "/registry/register/",
        "/registry/groups/",
        f"/registry/groups/{village.pk}/",
        f"/registry/groups/{cooperative.pk}/dissolve/",
        "/registry/imports/",
        "/registry/imports/new/",
        "/registry/people/export/",
        "/registry/aggregates/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert f'lang="{language}"' in page, url
        assert ('dir="rtl"' in page) == (language == "ar"), url
        assert "%(" not in page, url


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_sentences_with_counts_and_names_come_out_translated(client, admin, language, family, amal, groups):
    village, cooperative = groups
    in_language(client, admin, language)

    def page(url: str) -> str:
        return client.get(url).content.decode()

    people = page("/registry/people/")
    assert said(language, "Export this person", "Export these %(n)s people", n=2) in people
    assert said(language, "People") in people
    nobody = page("/registry/people/?q=Zaynab")
    assert said(language, "No one you may see matches “%(search)s”.", search="Zaynab") in nobody
    export = page("/registry/people/export/?q=Amal")
    matching = ("%(n)s person you may see matches “%(search)s”.", "%(n)s people you may see match “%(search)s”.")
    assert said(language, *matching, n=1, search="Amal") in export
    everyone = page("/registry/people/export/")
    assert said(language, "%(n)s person you may see.", "%(n)s people you may see.", n=2) in everyone
    estimate = page(f"/registry/groups/{village.pk}/")
    assert (
        said(language, "The group counts about %(n)s person.", "The group counts about %(n)s people.", n=40) in estimate
    )
    dissolve = page(f"/registry/groups/{cooperative.pk}/dissolve/")
    assert (
        said(
            language,
            "The group no longer exists from the date you give: its %(n)s current member leaves it that day",
            "The group no longer exists from the date you give: its %(n)s current members leave it that day",
            n=1,
        )
        in dissolve
    )


def test_arabic_uses_the_forms_for_one_two_a_few_and_many():
    """Arabic has six plural forms; each count picks its own."""
    singular, plural = "%(n)s new person", "%(n)s new people"
    forms = {n: said("ar", singular, plural, n=n) for n in (0, 1, 2, 3, 11, 100)}
    assert forms == {
        0: "لا يوجد أشخاص جدد",
        1: "شخص جديد واحد",
        2: "شخصان جديدان",
        3: "3 أشخاص جدد",
        11: "11 شخصًا جديدًا",
        100: "100 شخص جديد",
    }
