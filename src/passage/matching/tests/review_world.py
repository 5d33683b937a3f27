"""People registered twice, and the pairs a run would have stored for them, for the tests of the review.

Registered through the registry's actions; the pairs are written as the batch run writes them (its job is
tested in test_registry_runs), with an explanation per field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from passage.core.models import Office, Operation
from passage.matching.models import CandidatePair
from passage.registry.actions import register_household
from passage.registry.models import Household, Person
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

AGREED = ConsentInput(granted=True, method="verbal")
EXPLANATION = [
    {"field": "given_name", "level": "same spelling key", "weight": 3.1},
    {"field": "father_name", "level": "exact", "weight": 2.4},
    {"field": "family_name", "level": "close", "weight": 1.9},
    {"field": "date_of_birth", "level": "exact", "weight": 5.2},
    {"field": "sex", "level": "same", "weight": 0.6},
    {"field": "phone", "level": "different", "weight": -2.3},
]


@dataclass
class Review:
    father: Person  # Mohammed Al-Jubouri, Latin letters, head of a family of three, passport and phone
    again: Person  # the same man in Arabic script, head of a household of one, another phone
    son: Person
    family: Household
    alone: Household
    pair: CandidatePair


def head(given: str, family: str, born: dt.date, phone: str, **more: Any) -> PersonInput:
    return PersonInput(
        relationship="head",
        consent=AGREED,
        given_name_latin=given,
        family_name_latin=family,
        sex=more.pop("sex", "male"),
        birth_date=born,
        birth_date_precision="day",
        phones=[phone],
        **more,
    )


def single(operation: Operation, person: PersonInput, office: Office | None = None) -> Person:
    """A household of one; its person."""
    household = register_household(acting_user=None, operation=operation, office=office, members=[person])
    return household.members.get().person


def pair_of(a: Person, b: Person, probability: float = 0.97, **more: Any) -> CandidatePair:
    first, second = sorted([a, b], key=lambda p: p.pk)
    return CandidatePair.objects.create(
        operation=a.operation,
        person_a=first,
        person_b=second,
        probability=probability,
        match_weight=9.5,
        explanation=more.pop("explanation", EXPLANATION),
        band="probable" if probability >= 0.9 else "review",
        same_cluster=more.pop("same_cluster", True),
        **more,
    )


def build_review(operation: Operation, office: Office | None = None) -> Review:
    family = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            head(
                "Mohammed",
                "Al-Jubouri",
                dt.date(1985, 3, 17),
                "0770 123 4567",
                father_name_latin="Abdulrahman",
                documents=[DocumentInput(type="passport", number="A12345678", issuing_country="IQ")],
            ),
            PersonInput(
                relationship="son",
                consent=ConsentInput(granted=True, method="proxy", proxy_name="father"),
                given_name_latin="Ali",
                father_name_latin="Mohammed",
                family_name_latin="Al-Jubouri",
                sex="male",
                birth_date=dt.date(2015, 6, 2),
                birth_date_precision="day",
            ),
        ],
    )
    alone = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(
                relationship="head",
                consent=AGREED,
                given_name="محمد",
                father_name="عبد الرحمن",
                family_name="الجبوري",
                sex="male",
                birth_date=dt.date(1985, 1, 1),
                birth_date_precision="year",
                phones=["0781 999 0000"],
                nationalities=["IQ"],
                marital_status="married",
            )
        ],
    )
    father = family.members.get(relationship="head").person
    son = family.members.get(relationship="son").person
    again = alone.members.get().person
    return Review(father, again, son, family, alone, pair_of(father, again))
