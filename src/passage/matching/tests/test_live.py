"""The live check: the index on its own (a duplicate written in another script and with a year only is found;
twins, siblings, fathers and sons are not proposed; people added and removed), then over the registry (a person
registered after the index was read is found, whether this process heard of it or another process registered
them; a merged person is no longer proposed; hidden people never show), the wizard's fragment and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
import pytest

from passage.conftest import sign_in
from passage.core import actions as core_actions
from passage.core.tests.factories import OfficeFactory, member_of
from passage.matching import live_registry
from passage.matching.live import LiveIndex
from passage.matching.merge_actions import merge_people
from passage.matching.synthetic import generate
from passage.matching.tests.helpers import people_frame
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Person
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput
from passage.registry.tests.test_views import member, wizard_post

COMMON = {"family_name": "Al-Tamimi", "phone": "+964 770 555 1234", "admin1": "IQ01", "admin2": "IQ0101"}
HOUSEHOLD = [
    {"record_id": "grandfather", "given_name": "Hassan", "father_name": "Omar", "grandfather_name": "Karim"}
    | {"sex": "M", "date_of_birth": "1950-02-01"}
    | COMMON,
    {"record_id": "father", "given_name": "Ali", "father_name": "Hassan", "grandfather_name": "Omar"}
    | {"sex": "M", "date_of_birth": "1975-06-10"}
    | COMMON,
    {"record_id": "twin1", "given_name": "Yusuf", "father_name": "Ali", "grandfather_name": "Hassan"}
    | {"sex": "M", "date_of_birth": "2005-03-03"}
    | COMMON,
    {"record_id": "twin2", "given_name": "Ibrahim", "father_name": "Ali", "grandfather_name": "Hassan"}
    | {"sex": "M", "date_of_birth": "2005-03-03"}
    | COMMON,
    {"record_id": "sister", "given_name": "Fatima", "father_name": "Ali", "grandfather_name": "Hassan"}
    | {"sex": "F", "date_of_birth": "2008"}
    | COMMON,
]
# Yusuf again, in Arabic script, his birth year only, his phone written another way.
YUSUF_AGAIN = {
    "given_name": "يوسف",
    "father_name": "علي",
    "family_name": "التميمي",
    "sex": "M",
    "date_of_birth": "2005",
    "phone": "07705551234",
    "admin1": "IQ01",
    "admin2": "IQ0101",
}


@pytest.fixture(scope="module")
def background() -> pl.DataFrame:
    return generate(1500, seed=3).drop("entity_id")


@pytest.fixture
def index(background) -> LiveIndex:
    return LiveIndex(pl.concat([people_frame(*HOUSEHOLD), background]))


def test_the_duplicate_in_another_script_with_a_year_only_is_found(index):
    found = index.candidates(YUSUF_AGAIN)
    assert found[0].record_id == "twin1" and found[0].probability >= 0.9
    explained = {field: (level, weight) for field, level, weight in found[0].explanation}
    assert explained["given_name"][1] > 0 and explained["date_of_birth"][0] == "same year (partial date)"
    assert round(sum(w for _f, _l, w in found[0].explanation), 1) != 0  # each field says what it added


def test_twins_siblings_and_fathers_and_sons_are_never_proposed(index):
    # Yusuf's twin, sister, father and grandfather share his phone, family name and most of his name chain.
    found = index.candidates(YUSUF_AGAIN, limit=50, minimum=0.0)
    assert {c.record_id for c in found} & {"twin2", "sister", "father", "grandfather"} == set()
    # A new son of Ali's: his registered brothers and sister, father and grandfather stay apart from him.
    brother = HOUSEHOLD[2] | {"given_name": "Zakariya", "date_of_birth": "2011-09-01"}
    assert index.candidates(brother, limit=50, minimum=0.0) == []
    # The father's record asked about again finds the father only, not his own father.
    assert [c.record_id for c in index.candidates(HOUSEHOLD[1], minimum=0.5)] == ["father"]


def test_people_added_and_removed(index):
    newcomer = {"given_name": "Tesfalidet", "father_name": "Gebremedhin", "family_name": "Haile", "sex": "M"}
    assert index.candidates(newcomer | {"date_of_birth": "1990-04-02"}) == []
    before = len(index)
    index.add(people_frame(newcomer | {"record_id": "new", "date_of_birth": "1990-04-02"}))
    assert len(index) == before + 1
    again = newcomer | {"given_name": "Tesfaldet", "father_name": "G/Medhin", "date_of_birth": "1990"}
    assert [c.record_id for c in index.candidates(again)] == ["new"]
    # Asking about a person leaves nothing of them in the index.
    assert len(index) == before + 1 and "Tesfaldet" not in index.codes.names.ids
    index.remove(["new", "twin1"])
    assert index.candidates(again) == [] and "twin1" not in [c.record_id for c in index.candidates(YUSUF_AGAIN)]
    # Changed: the same record_id added again replaces what the index held.
    index.add(people_frame(HOUSEHOLD[2] | {"given_name": "Yousef"}))
    assert index.candidates(YUSUF_AGAIN)[0].record_id == "twin1"
    assert len(index) == before


def test_a_common_name_counts_for_less_as_people_are_added(index):
    asked = {"given_name": "Ruqayya", "father_name": "Idris", "family_name": "Warsame", "date_of_birth": "1999"}
    index.add(people_frame(asked | {"record_id": "ruqayya", "date_of_birth": "1999-02-03"}))
    rare = index.candidates(asked)[0].match_weight
    index.add(people_frame(*({"record_id": f"r{n}", "given_name": "Ruqayya"} for n in range(300))))
    assert index.candidates(asked)[0].match_weight < rare


# --- over the registry ------------------------------------------------------------------------------------

AGREED = ConsentInput(granted=True, method="verbal")


def _head(**fields: Any) -> PersonInput:
    return PersonInput(relationship="head", consent=AGREED, birth_date_precision="day", **fields)


MOHAMMED = {
    "given_name_latin": "Mohammed",
    "father_name_latin": "Abdulrahman",
    "family_name_latin": "Al-Jubouri",
    "sex": "male",
    "birth_date": dt.date(1985, 3, 17),
    "phones": ["0770 123 4567"],
}
TWINS = (
    {"given_name_latin": "Ali", "father_name_latin": "Mohammed", "family_name_latin": "Al-Jubouri"},
    {"given_name_latin": "Omar", "father_name_latin": "Mohammed", "family_name_latin": "Al-Jubouri"},
)


@pytest.fixture
def offices(operation):
    return OfficeFactory(operation=operation), OfficeFactory(operation=operation)


@pytest.fixture
def registrar(operation):
    return member_of(operation, "registration_clerk")


@pytest.fixture
def areas():
    iq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iq)
    return {"mosul": AdminArea.objects.create(country="IQ", level=2, pcode="IQG15Q01", name="Mosul", parent=ninewa)}


@pytest.fixture
def registered(operation, offices, areas):
    """Mohammed (the first office) with his twin sons, and a few unrelated people (the second office)."""
    family = register_household(
        acting_user=None,
        operation=operation,
        office=offices[0],
        admin_area=areas["mosul"],
        members=[
            _head(**MOHAMMED, documents=[DocumentInput(type="passport", number="A12345678", issuing_country="IQ")]),
            *(
                PersonInput(
                    relationship="son",
                    consent=ConsentInput(granted=True, method="proxy", proxy_name="father"),
                    **twin,
                    sex="male",
                    birth_date=dt.date(2015, 6, 2),
                    birth_date_precision="day",
                    phones=["0770 123 4567"],
                )
                for twin in TWINS
            ),
        ],
    )
    for given, family_name, born in (("Layla", "Haddad", 1990), ("Omar", "Barzani", 1978), ("Huda", "Tamimi", 1972)):
        register_household(
            acting_user=None,
            operation=operation,
            office=offices[1],
            members=[_head(given_name_latin=given, family_name_latin=family_name, birth_date=dt.date(born, 1, 5))],
        )
    return {p.given_name_latin: p for p in Person.objects.filter(household_memberships__household=family)}


# Mohammed asked about again: Arabic script, a year only, no phone.
ASKED_AGAIN = {"given_name": "محمد", "father_name": "عبد الرحمن", "family_name": "الجبوري", "date_of_birth": "1985"}


def _asked(operation, user) -> list[Person]:
    return [person for person, _c in live_registry.candidates_for(user, operation, ASKED_AGAIN).candidates]


def test_over_the_registry_the_duplicate_is_found_and_the_twins_are_not(registered, registrar, operation):
    answer = live_registry.candidates_for(registrar, operation, ASKED_AGAIN | {"sex": "male"})
    assert answer.ready and [p for p, _c in answer.candidates] == [registered["Mohammed"]]
    twin = {"given_name": "Ali", "father_name": "Mohammed", "family_name": "Al-Jubouri", "date_of_birth": "2015"}
    found = live_registry.candidates_for(registrar, operation, twin).candidates
    assert [p for p, _c in found] == [registered["Ali"]]  # never his twin Omar


def test_a_person_registered_after_the_index_was_read_is_found(
    registered, registrar, operation, django_capture_on_commit_callbacks
):
    asked = {"given_name": "Samira", "father_name": "Younis", "family_name": "Rashid", "date_of_birth": "1993"}
    assert live_registry.candidates_for(registrar, operation, asked).candidates == []
    index = live_registry.held_index(operation.pk)
    assert index is not None
    # In this process: the registration's signal, once it commits, adds her to the index at once.
    with django_capture_on_commit_callbacks(execute=True):
        household = register_household(
            acting_user=registrar,
            operation=operation,
            members=[
                _head(
                    given_name_latin="Samira",
                    father_name_latin="Younis",
                    family_name_latin="Rashid",
                    birth_date=dt.date(1993, 2, 11),
                )
            ],
        )
    samira = household.members.get().person
    assert str(samira.pk) in index
    # By another process (no signal here): the next question catches up from the registry's changes.
    register_household(
        acting_user=registrar,
        operation=operation,
        members=[_head(given_name_latin="Karwan", father_name_latin="Aziz", family_name_latin="Barzinji")],
    )
    karwan = Person.objects.get(given_name_latin="Karwan")
    assert str(karwan.pk) not in index
    again = {"given_name": "كاروان", "father_name": "عزيز", "family_name": "برزنجي"}
    found = [p for p, _c in live_registry.candidates_for(registrar, operation, again).candidates]
    assert found == [karwan] and str(karwan.pk) in index
    assert [p for p, _c in live_registry.candidates_for(registrar, operation, asked).candidates] == [samira]


def test_a_merged_person_is_no_longer_proposed(registered, registrar, operation, offices, areas):
    assert _asked(operation, registrar) == [registered["Mohammed"]]
    register_household(
        acting_user=None,
        operation=operation,
        office=offices[0],
        admin_area=areas["mosul"],
        members=[_head(**{k.removesuffix("_latin"): v for k, v in MOHAMMED.items() if k.endswith("_latin")})],
    )
    twice = Person.objects.get(given_name="Mohammed")
    assert set(_asked(operation, registrar)) == {registered["Mohammed"], twice}
    merge_people(acting_user=member_of(operation, "data_officer"), survivor=registered["Mohammed"], merged=[twice])
    assert _asked(operation, registrar) == [registered["Mohammed"]]


def test_hidden_people_never_show(registered, operation, offices, outsider):
    elsewhere = member_of(operation, "registration_clerk", offices=[offices[1]])
    assert _asked(operation, elsewhere) == []  # Mohammed is in the first office
    here = member_of(operation, "registration_clerk", offices=[offices[0]])
    assert _asked(operation, here) == [registered["Mohammed"]]
    assert _asked(operation, outsider) == []


# --- the wizard and the API -------------------------------------------------------------------------------


def _wizard_member() -> dict[str, str]:
    return member(
        0,
        relationship="head",
        given_name="محمد",
        father_name="عبد الرحمن",
        family_name="الجبوري",
        sex="male",
        birth_date_precision="year",
        birth_date="1985",
    )


def test_the_wizard_shows_who_the_person_probably_is_while_the_clerk_types(client, registered, operation, offices):
    sign_in(client, member_of(operation, "registration_clerk", offices=[offices[0]]))
    html = client.post("/registry/register/check/", wizard_post(_wizard_member())).content.decode()
    assert 'data-testid="likely-duplicates"' in html and registered["Mohammed"].reference in html
    assert "% likely the same person" in html and "Same:" in html and "given name" in html
    assert registered["Ali"].reference not in html
    # A clerk of the other office is told nothing of him.
    sign_in(client, member_of(operation, "registration_clerk", offices=[offices[1]]))
    html = client.post("/registry/register/check/", wizard_post(_wizard_member())).content.decode()
    assert 'data-testid="likely-duplicates"' not in html and registered["Mohammed"].reference not in html


def _api(client: Any, user: Any, body: dict[str, Any]) -> Any:
    _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
    return client.post(
        "/api/v1/matching/candidates",
        json.dumps(body, default=str),
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )


def test_the_api_answers_with_probability_and_explanation(client, registered, registrar, operation, outsider):
    body = {
        "operation": operation.pk,
        "given_name": "محمد",
        "father_name": "عبد الرحمن",
        "family_name": "الجبوري",
        "birth_date": "1985-01-01",
        "birth_date_precision": "year",
        "phones": ["+964 770 123 4567"],
        "admin_area": "IQG15Q01",
    }
    answer = _api(client, registrar, body)
    assert answer.status_code == 200 and answer.json()["ready"] is True
    (candidate,) = answer.json()["candidates"]
    assert candidate["person_id"] == str(registered["Mohammed"].pk) and candidate["band"] == "probable"
    assert candidate["reference"] == registered["Mohammed"].reference and candidate["probability"] >= 0.9
    fields = {item["field"]: item for item in candidate["explanation"]}
    assert fields["phone"]["level"].startswith("same") and fields["phone"]["weight"] > 0
    bad = _api(client, registrar, body | {"phones": ["12"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "phones[0]"
    assert _api(client, registrar, body | {"given_name": "", "father_name": "", "family_name": ""}).status_code == 422
    assert _api(client, member_of(operation, "data_officer"), body).status_code == 403  # sees, does not register
    assert _api(client, outsider, body).status_code == 404


def test_the_index_counts_name_words_as_a_batch_run_does(background):
    from passage.matching.blocking import word_counts
    from passage.matching.records import prepare

    frame = pl.concat([people_frame(*HOUSEHOLD), background])
    index = LiveIndex(frame.head(1000))
    index.add(frame.slice(1000))
    counts = word_counts(prepare(frame, codes=index.codes))
    assert (index._word_counts[: len(counts)] == counts).all()
