"""`passage demo --people N`: a realistic registry to try Passage and to measure it.

Households of five communities, names as written and in several Latin spellings, name chains (a child's
father's name is the head's given name), partial and estimated birth dates, a phone shared by the couple,
P-coded places, and a known share of people registered twice with the kind of differences real duplicates
have. The pairs are written to DATA_DIR/demo/duplicates.csv so matching can be scored against them.

Bulk path: rows are built in memory and written with bulk_create in chunks; no query per person.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from passage.core import audit
from passage.core.models import Operation
from passage.registry.actions import new_reference
from passage.registry.demo_names import COMMUNITIES
from passage.registry.models import AdminArea, Consent, Household, HouseholdMember, Person, Phone
from passage.registry.names import search_names_of
from passage.registry.normalise import phone_index

CHUNK = 5000
Progress = Callable[[int, int], None]


@dataclass
class DemoRegistry:
    people: int = 0
    households: int = 0
    duplicates: int = 0
    duplicates_file: str = ""
    pairs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Batch:
    people: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    members: list[HouseholdMember] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)


def build_demo_registry(
    *, operation: Operation, people: int, seed: int = 7, duplicate_share: float = 0.04, progress: Progress | None = None
) -> DemoRegistry:
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    areas = list(AdminArea.objects.filter(country=operation.country, level=2).values_list("pk", flat=True))
    today = timezone.localdate()
    now = timezone.now()
    result = DemoRegistry()
    batch = _Batch()
    communities = list(COMMUNITIES.items())
    weights = [spec[0] for _, spec in communities]
    while result.people < people:
        _community, spec = rng.choices(communities, weights)[0]
        household_people = _household(
            rng,
            operation,
            spec,
            areas,
            today,
            now,
            batch,
            min(rng.choice([1, 2, 3, 4, 4, 5, 5, 6, 7, 8]), people - result.people),
        )
        result.households += 1
        result.people += len(household_people)
        for person in household_people:
            if result.people < people and rng.random() < duplicate_share:
                twin = _registered_again(rng, person, spec, operation, areas, today, now, batch)
                result.people += 1
                result.households += 1
                result.duplicates += 1
                result.pairs.append((person.reference, twin.reference))
        if len(batch.people) >= CHUNK:
            _write(batch)
            batch = _Batch()
            if progress:
                progress(result.people, people)
    _write(batch)
    if progress:
        progress(result.people, people)
    result.duplicates_file = _write_pairs(result.pairs)
    with transaction.atomic():
        audit.record(
            None,
            "registry.demo",
            operation,
            actor_username="system",
            changes={"people": [None, result.people], "households": [None, result.households]},
        )
    return result


def _spell(rng: random.Random, entry: tuple[str, list[str]], *, variant: bool = False) -> tuple[str, str]:
    written, spellings = entry
    latin = rng.choice(spellings) if variant else spellings[0] if rng.random() < 0.7 else rng.choice(spellings)
    return written, latin


def _birth(rng: random.Random, age: int, today: dt.date) -> tuple[dt.date, str, dt.date | None]:
    year = today.year - age
    roll = rng.random()
    if roll < 0.6:
        return dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), "day", None
    if roll < 0.75:
        return dt.date(year, rng.randint(1, 12), 1), "month", None
    if roll < 0.9:
        return dt.date(year, 1, 1), "year", None
    return dt.date(year, 1, 1), "estimated", today


def _phone(rng: random.Random, country_code: str) -> str:
    return f"+{country_code}7{rng.randint(10, 99)}{rng.randint(1000000, 9999999)}"


def _household(
    rng: random.Random,
    operation: Operation,
    spec: tuple,
    areas: list,
    today: dt.date,
    now: dt.datetime,
    batch: _Batch,
    size: int,
) -> list[Person]:
    _share, males, females, families, nationality, country_code, in_parts = spec
    area = rng.choice(areas) if areas else None
    household = Household(operation=operation, reference=new_reference("HH"), admin_area_id=area)
    batch.households.append(household)
    family = _spell(rng, rng.choice(families))
    head_given, head_father = _spell(rng, rng.choice(males)), _spell(rng, rng.choice(males))
    grandfather = _spell(rng, rng.choice(males))
    shared_phone = _phone(rng, country_code) if rng.random() < 0.85 else ""
    members: list[Person] = []
    head_age = rng.randint(22, 70)
    for index in range(size):
        if index == 0:
            relationship, sex, given, father, grand, age = (
                "head",
                "male",
                head_given,
                head_father,
                grandfather,
                head_age,
            )
            if rng.random() < 0.2:
                sex, given = "female", _spell(rng, rng.choice(females))
        elif index == 1 and size > 1:
            relationship, sex, given = "spouse", "female", _spell(rng, rng.choice(females))
            father, grand, age = (
                _spell(rng, rng.choice(males)),
                _spell(rng, rng.choice(males)),
                head_age - rng.randint(0, 8),
            )
        else:
            sex = rng.choice(["male", "female"])
            relationship = "son" if sex == "male" else "daughter"
            given = _spell(rng, rng.choice(males if sex == "male" else females))
            father, grand = head_given, head_father  # the name chain
            age = max(0, head_age - rng.randint(18, 35))
        birth, precision, estimated_on = _birth(rng, max(age, 0), today)
        person = _person(
            operation,
            area,
            given,
            father if in_parts else None,
            grand if in_parts else None,
            family,
            sex,
            birth,
            precision,
            estimated_on,
            nationality,
        )
        members.append(person)
        batch.people.append(person)
        batch.members.append(
            HouseholdMember(household=household, person=person, relationship=relationship, joined_on=today)
        )
        batch.consents.append(
            Consent(person=person, purpose="registration", granted=True, method="verbal", recorded_at=now)
        )
        if shared_phone and index < 2:
            batch.phones.append(_phone_row(person, shared_phone))
    return members


def _person(
    operation: Operation,
    area: Any,
    given: tuple[str, str],
    father: tuple[str, str] | None,
    grand: tuple[str, str] | None,
    family: tuple[str, str],
    sex: str,
    birth: dt.date,
    precision: str,
    estimated_on: dt.date | None,
    nationality: str,
) -> Person:
    person = Person(
        operation=operation,
        reference=new_reference("P"),
        admin_area_id=area,
        sex=sex,
        birth_date=birth,
        birth_date_precision=precision,
        age_estimated_on=estimated_on,
        nationalities=[nationality],
        given_name=given[0],
        family_name=family[0],
        given_name_latin=given[1],
        family_name_latin=family[1],
        father_name=father[0] if father else "",
        father_name_latin=father[1] if father else "",
        grandfather_name=grand[0] if grand else "",
        grandfather_name_latin=grand[1] if grand else "",
    )
    person.search_names = search_names_of(person)
    return person


def _phone_row(person: Person, e164: str) -> Phone:
    return Phone(person=person, number=e164, as_given=e164, number_index=phone_index(e164), is_primary=True)


def _registered_again(
    rng: random.Random,
    original: Person,
    spec: tuple,
    operation: Operation,
    areas: list,
    today: dt.date,
    now: dt.datetime,
    batch: _Batch,
) -> Person:
    """The same person registered again elsewhere: another spelling, a date off, a part missing."""
    _share, males, females, families, _nationality, country_code, _in_parts = spec
    twin = Person(
        operation=operation,
        reference=new_reference("P"),
        admin_area_id=rng.choice(areas) if areas else None,
        sex=original.sex,
        nationalities=original.nationalities,
        given_name=original.given_name,
        family_name=original.family_name,
        father_name=original.father_name if rng.random() < 0.7 else "",
        father_name_latin=original.father_name_latin,
        grandfather_name="" if rng.random() < 0.5 else original.grandfather_name,
        grandfather_name_latin=original.grandfather_name_latin,
        given_name_latin=_respell(rng, original.given_name, original.given_name_latin, males + females),
        family_name_latin=_respell(rng, original.family_name, original.family_name_latin, families),
    )
    birth = original.birth_date
    roll = rng.random()
    if birth and roll < 0.2:
        birth, twin.birth_date_precision = dt.date(birth.year, 1, 1), "year"
    elif birth and roll < 0.35:
        birth = birth.replace(year=birth.year + rng.choice([-1, 1]))
    elif birth and roll < 0.45 and birth.day <= 12:
        birth = birth.replace(month=birth.day, day=birth.month)
    elif roll < 0.5:
        birth = None
    twin.birth_date = birth
    twin.birth_date_precision = (twin.birth_date_precision or original.birth_date_precision) if birth else ""
    twin.search_names = search_names_of(twin)
    household = Household(operation=operation, reference=new_reference("HH"), admin_area_id=twin.admin_area_id)
    batch.households.append(household)
    batch.people.append(twin)
    batch.members.append(HouseholdMember(household=household, person=twin, relationship="head", joined_on=today))
    batch.consents.append(Consent(person=twin, purpose="registration", granted=True, method="verbal", recorded_at=now))
    if rng.random() < 0.5:
        batch.phones.append(_phone_row(twin, _phone(rng, country_code)))
    return twin


def _respell(rng: random.Random, written: str, latin: str, table: list[tuple[str, list[str]]]) -> str:
    for entry_written, spellings in table:
        if entry_written == written and len(spellings) > 1:
            return rng.choice([s for s in spellings if s != latin] or spellings)
    return latin


@transaction.atomic
def _write(batch: _Batch) -> None:
    Household.objects.bulk_create(batch.households, batch_size=CHUNK)
    Person.objects.bulk_create(batch.people, batch_size=CHUNK)
    HouseholdMember.objects.bulk_create(batch.members, batch_size=CHUNK)
    Phone.objects.bulk_create(batch.phones, batch_size=CHUNK)
    Consent.objects.bulk_create(batch.consents, batch_size=CHUNK)


def _write_pairs(pairs: list[tuple[str, str]]) -> str:
    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "duplicates.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["original_reference", "duplicate_reference"])
        writer.writerows(pairs)
    return str(path)
