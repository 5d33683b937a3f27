"""The matching API as its users meet it: a registrar of the operation starts a run and follows it; a data
officer who reviews duplicates reads the pairs, decides them, merges records and undoes a merge; a colleague
limited to one office sees only the pairs of people they may see; an administrator of another operation and an
anonymous caller see nothing. Phones and documents are masked for roles without need-to-know, as in the
registry API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from passage.core import actions as core_actions
from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.matching.merge_actions import merge_people
from passage.matching.models import CandidatePair, MatchRun
from passage.registry.actions import register_household
from passage.registry.models import Person, RegistrationImport
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput


class Api:
    def __init__(self, client: Any, user: Any) -> None:
        self.client = client
        self.headers = {}
        if user is not None:
            _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
            self.headers = {"Authorization": f"Bearer {plaintext}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return getattr(self.client, method)(
            f"/api/v1{path}", json.dumps(body, default=str), content_type="application/json", headers=self.headers
        )


def _person(given, father, family, sex, born, phone, passport, **names) -> PersonInput:
    return PersonInput(
        relationship="head",
        consent=ConsentInput(granted=True, method="verbal"),
        **(names or {"given_name_latin": given, "father_name_latin": father, "family_name_latin": family}),
        sex=sex,
        birth_date=born,
        birth_date_precision="day",
        phones=[phone],
        documents=[DocumentInput(type="passport", number=passport, issuing_country="IQ")],
    )


@pytest.fixture
def offices(operation):
    return OfficeFactory(operation=operation), OfficeFactory(operation=operation)


@pytest.fixture
def registered(operation, offices):
    """Mohammed three times in the first office (once in Arabic script), Omar twice there too, Layla twice in the
    second office, and others."""
    first, second = offices
    people = [
        (first, _person("Mohammed", "Abdulrahman", "Al-Jubouri", "male", dt.date(1985, 3, 17), "0770 123 4567", "A1")),
        (
            first,
            _person(
                "",
                "",
                "",
                "male",
                dt.date(1985, 3, 17),
                "+964 770 123 4567",
                "A1",
                given_name="محمد",
                father_name="عبد الرحمن",
                family_name="الجبوري",
            ),
        ),
        (first, _person("Muhammad", "Abdul Rahman", "Jubouri", "male", dt.date(1985, 3, 17), "0770 123 4567", "A1")),
        (second, _person("Layla", "Karim", "Haddad", "female", dt.date(1990, 5, 4), "0771 555 0101", "B7")),
        (second, _person("Leila", "Karim", "Hadad", "female", dt.date(1990, 5, 4), "0771 555 0101", "B7")),
        (first, _person("Omar", "Yusuf", "Barzani", "male", dt.date(1978, 11, 23), "0772 555 0202", "C3")),
        (first, _person("Omer", "Yousef", "Barzani", "male", dt.date(1978, 11, 23), "0772 555 0202", "C3")),
        (None, _person("Zainab", "Hamid", "Kadhim", "female", dt.date(2001, 2, 14), "0773 555 0303", "D4")),
        (first, _person("Khalid", "Nasser", "Obeidi", "male", dt.date(1965, 8, 30), "0774 555 0404", "E5")),
        (second, _person("Mariam", "Adel", "Shammari", "female", dt.date(1995, 12, 9), "0775 555 0505", "F6")),
    ]
    for office, member in people:
        register_household(acting_user=None, operation=operation, office=office, members=[member])
    return {p.given_name_latin or p.given_name: p for p in Person.objects.filter(operation=operation)}


@pytest.fixture
def reviewer(operation):
    """A data officer of the whole operation: reviews duplicates (person.merge), sees no phones or documents."""
    return member_of(operation, "data_officer")


@pytest.fixture
def registrar(operation):
    return member_of(operation, "registration_clerk")


@pytest.fixture
def limited(operation, offices):
    """A data officer limited to the second office."""
    return member_of(operation, "data_officer", offices=[offices[1]])


@pytest.fixture
def ran(client, registered, registrar, operation, django_capture_on_commit_callbacks) -> MatchRun:
    with django_capture_on_commit_callbacks(execute=True):
        answer = Api(client, registrar).send("post", "/matching/runs", {"operation": operation.pk})
    assert answer.status_code == 201, answer.content
    return MatchRun.objects.get(pk=answer.json()["id"])


def _pair(a: Person, b: Person) -> CandidatePair:
    first, second = sorted([a.pk, b.pk])
    return CandidatePair.objects.get(person_a_id=first, person_b_id=second)


def test_a_registrar_starts_a_run_and_follows_it(client, ran, registrar, operation):
    api = Api(client, registrar)
    run = api.get(f"/matching/runs/{ran.pk}").json()
    assert (run["state"], run["scope"], run["people_read"]) == ("done", "registry", 10)
    assert run["pairs_new"] >= 2 and run["pairs_probable"] >= 2 and run["started_by"] == registrar.username
    assert run["job"]["progress_done"] == run["job"]["progress_total"] == 10 and run["job"]["stage"] == "Done"
    listed = api.get("/matching/runs", operation=operation.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == str(ran.pk)


def test_a_run_over_one_import(client, registered, registrar, operation, other_operation):
    api = Api(client, registrar)
    mine = RegistrationImport.objects.create(operation=operation, file="x.csv", filename="x.csv")
    started = api.send("post", "/matching/runs", {"operation": operation.pk, "registration_import": mine.pk})
    assert started.status_code == 201 and started.json()["scope"] == "import"
    assert started.json()["registration_import_id"] == str(mine.pk) and started.json()["state"] == "queued"
    foreign = RegistrationImport.objects.create(operation=other_operation, file="y.csv", filename="y.csv")
    refused = api.send("post", "/matching/runs", {"operation": operation.pk, "registration_import": foreign.pk})
    assert refused.status_code == 404


def test_pairs_are_listed_by_filters_and_only_when_both_people_are_visible(
    client, ran, registered, reviewer, limited, registrar, operation
):
    api = Api(client, reviewer)
    mohammed = _pair(registered["Mohammed"], registered["محمد"])
    layla = _pair(registered["Layla"], registered["Leila"])
    everything = api.get("/matching/pairs", operation=operation.pk).json()
    ids = [item["id"] for item in everything["items"]]
    assert {str(mohammed.pk), str(layla.pk)} <= set(ids) and everything["count"] == len(ids)
    probabilities = [item["probability"] for item in everything["items"]]
    assert probabilities == sorted(probabilities, reverse=True)
    item = next(i for i in everything["items"] if i["id"] == str(mohammed.pk))
    assert item["band"] == "probable" and item["decision"] == "open" and item["run_id"] == str(ran.pk)
    assert {item["person_a"]["reference"], item["person_b"]["reference"]} == {
        registered["Mohammed"].reference,
        registered["محمد"].reference,
    }
    page = api.get("/matching/pairs", operation=operation.pk, limit=1, offset=1).json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (len(ids), 1, 1, 1)
    assert api.get("/matching/pairs", operation=operation.pk, band="review").json()["count"] == sum(
        1 for i in everything["items"] if i["band"] == "review"
    )
    assert api.get("/matching/pairs", operation=operation.pk, run=ran.pk).json()["count"] == len(ids)
    high = api.get("/matching/pairs", operation=operation.pk, min_probability=0.999).json()["items"]
    assert all(i["probability"] >= 0.999 for i in high)
    assert api.get("/matching/pairs", operation=operation.pk, decision="different").json()["count"] == 0
    # The colleague of the second office sees Layla's pair, not Mohammed's (nor anything about it).
    theirs = Api(client, limited).get("/matching/pairs", operation=operation.pk).json()
    assert [i["id"] for i in theirs["items"]] == [str(layla.pk)]
    assert Api(client, limited).get(f"/matching/pairs/{mohammed.pk}").status_code == 404
    # Registering people is not reviewing their duplicates: the queue is not for a clerk.
    assert Api(client, registrar).get("/matching/pairs", operation=operation.pk).status_code == 403


def test_a_pair_shows_both_people_masked_for_roles_without_need_to_know(
    client, ran, registered, administrator, reviewer
):
    pair = _pair(registered["Mohammed"], registered["محمد"])
    full = Api(client, administrator).get(f"/matching/pairs/{pair.pk}").json()
    fields = {item["field"]: item for item in full["explanation"]}
    assert fields["document_number"]["weight"] > 0 and fields["date_of_birth"]["level"]
    a, b = full["people"]
    assert {a["reference"], b["reference"]} == {registered["Mohammed"].reference, registered["محمد"].reference}
    arabic = a if a["given_name"] else b
    assert arabic["given_name"] == "محمد" and arabic["birth_date"] == "1985-03-17"
    assert arabic["phones"][0]["number"] == "+9647701234567" and arabic["documents"][0]["number"] == "A1"
    assert arabic["sensitive_shown"] is True and arabic["households"]
    assert AuditEvent.objects.filter(action="matching.candidatepair.read", object_id=str(pair.pk)).count() == 1
    masked = Api(client, reviewer).get(f"/matching/pairs/{pair.pk}").json()["people"]
    assert all(not person["sensitive_shown"] for person in masked)
    assert all(p["phones"][0]["number"] == "••••••••••••67" for p in masked)
    assert "A1" not in json.dumps([p["documents"] for p in masked])


def test_a_pair_is_decided_with_a_note(client, ran, registered, reviewer, operation):
    pair = _pair(registered["Layla"], registered["Leila"])
    answer = Api(client, reviewer).send(
        "post", f"/matching/pairs/{pair.pk}/decision", {"decision": "different", "note": "Cousins, checked by phone"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["decision"] == "different" and answer.json()["decided_by"] == reviewer.username
    event = AuditEvent.objects.get(action="matching.pair.decide", object_id=str(pair.pk))
    assert event.note == "Cousins, checked by phone"
    still_open = Api(client, reviewer).get("/matching/pairs", operation=operation.pk, decision="open").json()
    assert str(pair.pk) not in [i["id"] for i in still_open["items"]]
    bad = Api(client, reviewer).send("post", f"/matching/pairs/{pair.pk}/decision", {"decision": "maybe"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "decision"


def test_a_merge_sets_the_merged_records_pairs_aside_and_an_undo_brings_them_back(
    client, ran, registered, reviewer, operation
):
    api = Api(client, reviewer)
    kept, merged, third = registered["Mohammed"], registered["محمد"], registered["Muhammad"]
    aside = _pair(merged, third)
    assert aside.decision == "open"
    answer = api.send(
        "post",
        "/matching/merges",
        {
            "survivor": kept.pk,
            "merged": [merged.pk],
            "choices": {"given_name": merged.pk},
            "versions": {str(kept.pk): kept.version, str(merged.pk): merged.version},
            "note": "Same passport",
        },
    )
    assert answer.status_code == 201, answer.content
    done = answer.json()
    assert done["survivor_reference"] == kept.reference and done["merged"] == [
        {"id": str(merged.pk), "reference": merged.reference}
    ]
    assert done["choices"]["given_name"] == str(merged.pk) and done["pairs_decided"] == 1
    assert _pair(kept, merged).decision == "same"
    open_ids = [i["id"] for i in api.get("/matching/pairs", operation=operation.pk, decision="open").json()["items"]]
    assert str(aside.pk) not in open_ids  # still open, but one of its records is merged: out of the queue
    listed = api.get("/matching/pairs", operation=operation.pk).json()["items"]
    assert next(i for i in listed if i["id"] == str(aside.pk))["set_aside"] is True
    again = api.send("post", "/matching/merges", {"survivor": kept.pk, "merged": [merged.pk]})
    assert again.status_code == 409
    undone = api.send("post", f"/matching/merges/{done['id']}/undo", {"note": "Wrong person"})
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_by"] == reviewer.username and undone.json()["undo_note"] == "Wrong person"
    open_ids = [i["id"] for i in api.get("/matching/pairs", operation=operation.pk, decision="open").json()["items"]]
    assert str(aside.pk) in open_ids
    assert api.get(f"/matching/merges/{done['id']}").json()["undone_at"] is not None


def test_settings_are_read_by_who_sees_people_and_set_by_who_manages_the_operation(
    client, registrar, administrator, operation
):
    shown = Api(client, registrar).get("/matching/settings", operation=operation.pk).json()
    assert (shown["probable_threshold"], shown["review_threshold"], shown["saved"]) == (0.9, 0.5, False)
    body = {"operation": operation.pk, "probable_threshold": 0.8, "review_threshold": 0.4, "import_ceiling_share": 0.1}
    assert Api(client, registrar).send("put", "/matching/settings", body).status_code == 403
    saved = Api(client, administrator).send("put", "/matching/settings", body)
    assert saved.status_code == 200 and saved.json()["saved"] and saved.json()["updated_by"] == administrator.username
    wrong = Api(client, administrator).send("put", "/matching/settings", body | {"review_threshold": 0.95})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "review_threshold"
    assert (
        Api(client, registrar).get("/matching/settings", operation=operation.pk).json()["import_ceiling_share"] == 0.1
    )


# The persona matrix: a registration clerk of the operation, a data officer who reviews its duplicates, a data
# officer limited to the second office, an administrator of another operation, and no one.
PERSONAS = ("registrar", "reviewer", "limited", "outsider", "anonymous")


def _calls(world: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    operation, mohammed, layla = world["operation"].pk, world["mohammed"].pk, world["layla"].pk
    settings = {"operation": operation, "probable_threshold": 0.9, "review_threshold": 0.5, "import_ceiling_share": 0.1}
    leila, layla_kept, merge = world["leila"], world["layla_kept"], world["merge"].pk
    return {
        "start run": ("post", "/matching/runs", {"operation": operation}),
        "list runs": ("get", f"/matching/runs?operation={operation}", None),
        "get run": ("get", f"/matching/runs/{world['run'].pk}", None),
        "get settings": ("get", f"/matching/settings?operation={operation}", None),
        "set settings": ("put", "/matching/settings", settings),
        "list pairs": ("get", f"/matching/pairs?operation={operation}", None),
        "get pair of the first office": ("get", f"/matching/pairs/{mohammed}", None),
        "get pair of the second office": ("get", f"/matching/pairs/{layla}", None),
        "decide pair of the first office": ("post", f"/matching/pairs/{mohammed}/decision", {"decision": "unsure"}),
        "merge the second office's pair": ("post", "/matching/merges", {"survivor": layla_kept, "merged": [leila]}),
        "get merge of the first office": ("get", f"/matching/merges/{merge}", None),
        "undo merge of the first office": ("post", f"/matching/merges/{merge}/undo", {}),
    }


EXPECTED = {
    #                                  registrar reviewer limited outsider anonymous
    "start run": (201, 201, 201, 404, 401),
    "list runs": (200, 200, 200, 404, 401),
    "get run": (200, 200, 200, 404, 401),
    "get settings": (200, 200, 200, 404, 401),
    "set settings": (403, 403, 403, 404, 401),
    "list pairs": (403, 200, 200, 404, 401),
    "get pair of the first office": (404, 200, 404, 404, 401),
    "get pair of the second office": (404, 200, 200, 404, 401),
    "decide pair of the first office": (404, 200, 404, 404, 401),
    "merge the second office's pair": (403, 201, 201, 404, 401),
    "get merge of the first office": (404, 200, 404, 404, 401),
    "undo merge of the first office": (404, 200, 404, 404, 401),
}


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_persona_matrix(
    client, ran, registered, registrar, reviewer, limited, outsider, administrator, operation, persona_name
):
    omar, omer = registered["Omar"], registered["Omer"]
    world = {
        "operation": operation,
        "run": ran,
        "mohammed": _pair(registered["Mohammed"], registered["محمد"]),
        "layla": _pair(registered["Layla"], registered["Leila"]),
        "layla_kept": registered["Layla"].pk,
        "leila": registered["Leila"].pk,
        "merge": merge_people(acting_user=administrator, survivor=omar, merged=[omer]),
    }
    user = {"registrar": registrar, "reviewer": reviewer, "limited": limited, "outsider": outsider}.get(persona_name)
    api = Api(client, user)
    for name, (method, path, body) in _calls(world).items():
        answer = api.get(path) if method == "get" else api.send(method, path, body or {})
        expected = EXPECTED[name][PERSONAS.index(persona_name)]
        assert answer.status_code == expected, f"{name} as {persona_name}: {answer.status_code} {answer.content[:200]}"
        if expected >= 400:
            assert answer["Content-Type"].startswith("application/problem+json")
            assert "Mohammed" not in answer.content.decode() and "Omar" not in answer.content.decode()
