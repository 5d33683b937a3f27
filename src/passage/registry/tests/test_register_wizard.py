"""The registration wizard's fuller form, through HTTP: more about each person (full names, aliases,
nationalities, languages, functioning, a second phone and document), members removed before registering,
and the place picker (areas by P-code or name in any language, and sites)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from passage.conftest import sign_in
from passage.core.models import AuditEvent
from passage.registry.models import AdminArea, Household, Site, SiteType
from passage.registry.tests.test_views import member, wizard_post


@pytest.fixture
def clerk(persona):
    return persona("registration_clerk")


@pytest.fixture
def areas(db) -> dict[str, AdminArea]:
    """A little of Iraq's COD-AB, and a Syrian district with a name in common."""
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq", names={"en": "Iraq"})
    ninewa = AdminArea.objects.create(
        country="IQ", level=1, pcode="IQG15", name="Ninewa", names={"en": "Ninewa", "ar": "نينوى"}, parent=iraq
    )
    mosul = AdminArea.objects.create(
        country="IQ", level=2, pcode="IQD083", name="Mosul", names={"en": "Mosul", "ar": "الموصل"}, parent=ninewa
    )
    hamdaniya = AdminArea.objects.create(
        country="IQ",
        level=2,
        pcode="IQD084",
        name="Al-Hamdaniya",
        names={"en": "Al-Hamdaniya", "ar": "الحمدانية"},
        parent=ninewa,
    )
    syria = AdminArea.objects.create(country="SY", level=0, pcode="SY", name="Syria")
    aleppo = AdminArea.objects.create(
        country="SY", level=1, pcode="SY02", name="Aleppo", names={"en": "Aleppo", "ar": "حلب"}, parent=syria
    )
    elsewhere = AdminArea.objects.create(
        country="SY", level=2, pcode="SY0200", name="Mosul Road", names={"ar": "طريق الموصل"}, parent=aleppo
    )
    return {"ninewa": ninewa, "mosul": mosul, "hamdaniya": hamdaniya, "elsewhere": elsewhere}


def head(**values: Any) -> dict[str, str]:
    return member(0, relationship="head", consent_granted="yes", consent_method="verbal", **values)


def slot(html: str, name: str) -> str:
    """The text of a field's error slot."""
    match = re.search(rf'id="err-{re.escape(name)}"[^>]*>(.*?)</div>\s*(?:</div>|</fieldset>|<div id=|$)', html, re.S)
    assert match, f"no error slot for {name}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_more_about_each_person_is_registered_and_stored(client, clerk):
    sign_in(client, clerk)
    page = client.get("/registry/register/").content.decode()
    assert "More about this person" in page and '<datalist id="country-codes">' in page
    assert '<option value="IQ">Iraq</option>' in page and '<option value="ckb">' in page
    response = client.post(
        "/registry/register/",
        wizard_post(
            head(
                given_name="أحمد",
                family_name="الجبوري",
                full_name="أحمد خليل الجبوري",
                full_name_latin="Ahmed Khalil Al-Jubouri",
                other_names="Abu Khalil\n  \nAhmad Jbouri",
                marital_status="married",
                nationalities="iq, SY",
                languages="ar ckb",
                disability_seeing="2",
                disability_walking="1",
                disability_self_care="4",
                phone="0770 123 4567",
                phone_2="0750 765 4321",
                document_type="national_id",
                document_number="199012345678",
                document_country="IQ",
                document_2_type="passport",
                document_2_number="A7654321",
                document_2_country="sy",
            ),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Household.objects.get().members.get().person
    assert person.full_name == "أحمد خليل الجبوري" and person.full_name_latin == "Ahmed Khalil Al-Jubouri"
    assert person.other_names == ["Abu Khalil", "Ahmad Jbouri"]
    assert person.marital_status == "married"
    assert person.nationalities == ["IQ", "SY"] and person.languages == ["ar", "ckb"]
    assert person.disability == {"seeing": 2, "walking": 1, "self_care": 4}
    assert [(p.number, p.is_primary) for p in person.phones.order_by("-is_primary")] == [
        ("+9647701234567", True),
        ("+9647507654321", False),
    ]
    assert sorted((d.type, d.issuing_country) for d in person.documents.all()) == [
        ("national_id", "IQ"),
        ("passport", "SY"),
    ]
    # An alias finds the person, as any name does.
    assert person.reference in client.get("/registry/people/?q=Abu Khalil").content.decode()


def test_codes_that_are_not_countries_or_languages_are_named_beside_their_field(client, clerk):
    sign_in(client, clerk)
    response = client.post(
        "/registry/register/", wizard_post(head(given_name="Sara", nationalities="IQ XX", languages="english"))
    )
    assert response.status_code == 200 and not Household.objects.exists()
    html = response.content.decode()
    assert "&#x27;XX&#x27; is not an ISO 3166 two-letter code." in slot(html, "members-0-nationalities")
    assert "&#x27;english&#x27; is not an ISO 639 language code" in slot(html, "members-0-languages")
    # The part they are in opens by itself, and what was typed is kept.
    assert re.search(r"<details[^>]*data-more[^>]* open>", html)
    assert 'value="IQ XX"' in html


def test_the_live_check_speaks_of_a_bad_code_and_of_the_second_phone(client, clerk):
    sign_in(client, clerk)
    data = wizard_post(head(given_name="Sara", nationalities="xx", phone_2="12"))
    data["touched"] = ["members-0-nationalities", "members-0-phone_2"]
    html = client.post("/registry/register/check/", data).content.decode()
    assert "is not an ISO 3166 two-letter code" in slot(html, "members-0-nationalities")
    # The only phone given is the second: its error is on the second phone, not the first.
    assert slot(html, "members-0-phone_2").strip()
    assert not slot(html, "members-0-phone").strip()


def test_a_second_document_s_error_is_on_the_second_document(client, clerk):
    sign_in(client, clerk)
    html = client.post(
        "/registry/register/",
        wizard_post(
            head(given_name="Sara", document_type="passport", document_number="A1234567", document_2_number="B2")
        ),
    ).content.decode()
    assert "Unknown document type" in slot(html, "members-0-document_2_type")
    assert not slot(html, "members-0-document_type").strip()


def test_a_member_removed_before_registering_is_not_registered(client, clerk):
    sign_in(client, clerk)
    added = client.get("/registry/register/member-form/?index=2").content.decode()
    assert 'name="members-2-DELETE"' in added and "Remove this member" in added
    mistake = member(
        1, relationship="son", given_name="Typo", phone="12", consent_granted="yes", consent_method="verbal"
    )
    data = wizard_post(
        head(given_name="Noor"),
        {**mistake, "members-1-DELETE": "on"},
        member(2, relationship="daughter", given_name="Huda", consent_granted="yes", consent_method="verbal"),
    )
    # The live check says nothing of the removed member, and numbers the others 1 and 2.
    check = dict(data, touched=["members-1-phone", "members-2-given_name"])
    html = client.post("/registry/register/check/", check).content.decode()
    assert not slot(html, "members-1-phone").strip()
    response = client.post("/registry/register/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get()
    names = sorted(m.person.given_name for m in household.members.select_related("person"))
    assert names == ["Huda", "Noor"]
    assert "registered with 2 members" in client.get(response["Location"]).content.decode()


def test_a_removed_member_comes_back_folded_and_the_others_renumbered(client, clerk):
    sign_in(client, clerk)
    html = client.post(
        "/registry/register/",
        wizard_post(
            head(given_name="Noor"),
            {**member(1, given_name="Typo"), "members-1-DELETE": "on"},
            member(2, relationship="spouse", given_name="Omar", consent_method="verbal"),
        ),
    ).content.decode()
    assert 'name="members-1-DELETE"' in html and re.search(r'name="members-1-DELETE"[^>]*checked', html)
    assert "Removed: will not be registered" in html
    legends = re.findall(r'<legend class="h6 mb-0 me-auto"[^>]*>([^<]*)</legend>', html)
    assert legends == ["Member 1", "Removed: will not be registered", "Member 2"]
    assert "Without consent to registration" in slot(html, "members-2-consent_granted")


def test_removing_the_head_leaves_a_household_without_one(client, clerk):
    sign_in(client, clerk)
    html = client.post(
        "/registry/register/",
        wizard_post(
            {**head(given_name="Noor"), "members-0-DELETE": "on"},
            member(1, relationship="son", given_name="Ali", consent_granted="yes", consent_method="verbal"),
        ),
    ).content.decode()
    assert "exactly one head (found 0)" in html and not Household.objects.exists()


def search(client: Any, text: str) -> str:
    response = client.get("/registry/register/places/", {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_the_place_picker_finds_areas_by_p_code_and_by_name_in_any_language(client, clerk, areas):
    sign_in(client, clerk)
    by_code = search(client, "iqd08")
    assert 'data-pcode="IQD083"' in by_code and 'data-pcode="IQD084"' in by_code
    assert "Mosul › Ninewa" in by_code
    by_arabic = search(client, "الموصل")
    assert 'data-pcode="IQD083"' in by_arabic and 'data-pcode="IQD084"' not in by_arabic
    by_english = search(client, "hamdan")
    assert 'data-pcode="IQD084"' in by_english and "Al-Hamdaniya › Ninewa" in by_english
    # Only areas of the operation's country: Syria's "Mosul Road" is not offered in Iraq.
    assert "SY0200" not in search(client, "Mosul") and "SY0200" not in search(client, "طريق")
    assert "No area or site matches" in search(client, "Atlantis")
    assert search(client, "  ").strip() == ""


def test_the_place_picker_names_areas_in_the_reader_s_language(client, clerk, areas):
    sign_in(client, clerk)
    client.cookies["django_language"] = "ar"
    html = client.get("/registry/register/places/", {"q": "IQD083"}, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الموصل › نينوى" in html


def test_the_place_picker_offers_the_operation_s_sites(client, clerk, operation, other_operation, areas):
    Site.objects.create(
        operation=operation, code="HSM-U2", name="Hasansham U2", type=SiteType.CAMP, admin_area=areas["hamdaniya"]
    )
    Site.objects.create(
        operation=other_operation, code="HSM-U3", name="Hasansham U3", type=SiteType.CAMP, admin_area=areas["mosul"]
    )
    sign_in(client, clerk)
    html = search(client, "hasansham")
    assert 'data-site="HSM-U2"' in html and "Hasansham U2 › Al-Hamdaniya › Ninewa" in html and "Camp" in html
    assert "HSM-U3" not in html


def test_the_chosen_p_code_places_the_household(client, clerk, areas):
    sign_in(client, clerk)
    response = client.post("/registry/register/", wizard_post(head(given_name="Sara"), admin_area="IQD083"))
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.admin_area == areas["mosul"] and household.members.get().person.admin_area == areas["mosul"]


def test_a_site_places_the_household_in_the_site_and_its_area(client, clerk, operation, areas):
    camp = Site.objects.create(
        operation=operation, code="HSM-U2", name="Hasansham U2", type=SiteType.CAMP, admin_area=areas["hamdaniya"]
    )
    sign_in(client, clerk)
    response = client.post(
        "/registry/register/", wizard_post(head(given_name="Sara"), admin_area="IQD084", site="HSM-U2")
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert (household.site, household.admin_area) == (camp, areas["hamdaniya"])
    assert AuditEvent.objects.filter(action="household.register", object_id=household.pk).exists()


def test_a_p_code_of_another_country_is_refused_beside_the_picker_keeping_the_rest(client, clerk, areas):
    sign_in(client, clerk)
    html = client.post(
        "/registry/register/", wizard_post(head(given_name="Sara"), admin_area="SY0200", site="NOPE")
    ).content.decode()
    assert not Household.objects.exists()
    assert "No administrative area of IQ has the P-code SY0200." in slot(html, "admin_area")
    assert "No open site of this operation has the code NOPE." in slot(html, "site")
    assert 'value="Sara"' in html


def test_a_chosen_place_is_shown_again_when_the_page_comes_back(client, clerk, areas):
    sign_in(client, clerk)
    html = client.post(
        "/registry/register/", wizard_post(member(0, given_name="Sara"), admin_area="IQD083")
    ).content.decode()
    assert not Household.objects.exists()
    assert 'name="admin_area" value="IQD083"' in html
    assert re.search(r'id="place-search"[^>]*value="Mosul › Ninewa"', html, re.S)


def test_an_outsider_searches_only_their_own_country(client, outsider, areas):
    sign_in(client, outsider)  # an administrator in Libya
    assert "IQD083" not in search(client, "Mosul")


def test_the_place_search_takes_the_same_few_queries_however_many_places_match(
    client, clerk, operation, areas, django_assert_max_num_queries
):
    ninewa = areas["ninewa"]
    for n in range(30):
        district = AdminArea.objects.create(
            country="IQ", level=2, pcode=f"IQD9{n:02d}", name=f"District {n}", names={"ar": f"قضاء {n}"}, parent=ninewa
        )
        AdminArea.objects.create(
            country="IQ", level=3, pcode=f"IQS9{n:02d}", name=f"District {n} centre", parent=district
        )
        Site.objects.create(
            operation=operation, code=f"C{n}", name=f"District {n} camp", type=SiteType.CAMP, admin_area=district
        )
    sign_in(client, clerk)
    with django_assert_max_num_queries(12):  # signing in and the operation take 9; the search 3
        html = search(client, "district")
    assert html.count('role="option"') == 12 + 4  # the larger areas first, and a few sites
    assert "District 0 camp › District 0 › Ninewa" in html
    assert "District 7 centre › District 7 › Ninewa" in search(client, "7 centre")
