"""A later run scores again the pairs an earlier run stored: an open pair takes the new probability, band,
explanation and run; a decided pair keeps what was decided."""

from __future__ import annotations

import datetime as dt

import pytest

from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.matching.actions import decide_pair, start_match_run
from passage.matching.models import CandidatePair, MatchRun
from passage.registry.actions import register_household
from passage.registry.models import Person
from passage.registry.person_actions import update_person
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

PEOPLE = [
    ("Layla", "Karim", "Haddad", "female", dt.date(1990, 5, 4), "0771 555 0101", "P1"),
    ("Leila", "Karim", "Hadad", "female", dt.date(1990, 5, 4), "0771 555 0101", "P1"),
    ("Omar", "Yusuf", "Barzani", "male", dt.date(1978, 11, 23), "0772 555 0202", "P2"),
    ("Omar", "Yousef", "Barzani", "male", dt.date(1978, 11, 23), "0772 555 0202", "P2"),
    ("Zainab", "Hamid", "Kadhim", "female", dt.date(2001, 2, 14), "0773 555 0303", "P3"),
    ("Khalid", "Nasser", "Obeidi", "male", dt.date(1965, 8, 30), "0774 555 0404", "P4"),
    ("Mariam", "Adel", "Shammari", "female", dt.date(1995, 12, 9), "0775 555 0505", "P5"),
]


@pytest.fixture
def registered(operation):
    for given, father, family, sex, born, phone, passport in PEOPLE:
        register_household(
            acting_user=None,
            operation=operation,
            members=[
                PersonInput(
                    relationship="head",
                    consent=ConsentInput(granted=True, method="verbal"),
                    given_name_latin=given,
                    father_name_latin=father,
                    family_name_latin=family,
                    sex=sex,
                    birth_date=born,
                    birth_date_precision="day",
                    phones=[phone],
                    documents=[DocumentInput(type="passport", number=passport, issuing_country="IQ")],
                )
            ],
        )
    return list(Person.objects.filter(operation=operation).order_by("given_name_latin", "father_name_latin"))


def _run(operation, django_capture_on_commit_callbacks) -> MatchRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = start_match_run(None, operation)
    run.refresh_from_db()
    return run


def _pair_of(a: Person, b: Person) -> CandidatePair:
    first, second = sorted([a.pk, b.pk])
    return CandidatePair.objects.get(person_a_id=first, person_b_id=second)


def test_open_pairs_take_the_later_runs_score_and_decided_pairs_keep_theirs(
    registered, operation, administrator, django_capture_on_commit_callbacks
):
    people = {(p.given_name_latin, p.father_name_latin): p for p in registered}
    first = _run(operation, django_capture_on_commit_callbacks)
    layla = _pair_of(people[("Layla", "Karim")], people[("Leila", "Karim")])
    omar = _pair_of(people[("Omar", "Yusuf")], people[("Omar", "Yousef")])
    assert layla.run == omar.run == first and layla.band == omar.band == "probable"
    decide_pair(acting_user=administrator, pair=omar, decision="different", note="Cousins")
    # Leila's record is corrected: a year of birth off and no passport. The next run scores the pair anew.
    leila = people[("Leila", "Karim")]
    clerk = member_of(operation, "registration_clerk")
    update_person(
        person=leila,
        acting_user=clerk,
        version=leila.version,
        values={"birth_date": dt.date(1991, 5, 4), "documents": []},
    )
    yousef = people[("Omar", "Yousef")]
    update_person(person=yousef, acting_user=clerk, version=yousef.version, values={"documents": []})
    second = _run(operation, django_capture_on_commit_callbacks)
    assert second.pairs_new == 0 and second.pairs_known >= 2 and second.pairs_decided_different == 1
    assert second.job.counts["pairs_rescored"] == second.pairs_known - 1
    before = layla.explanation
    layla.refresh_from_db()
    assert layla.run == second and layla.decision == "open" and layla.explanation != before
    fields = {item["field"]: item for item in layla.explanation}
    assert "document_number" not in fields and fields["date_of_birth"]["level"] == "a year apart"
    # The decided pair keeps the score it was decided on, and its run.
    kept = omar.explanation
    omar.refresh_from_db()
    assert omar.decision == "different" and omar.run == first and omar.explanation == kept
    event = AuditEvent.objects.get(action="matching.run.finish", object_id=str(second.pk))
    assert event.changes["pairs_rescored"] == [None, second.pairs_known - 1]
