"""The values a merge chooses among records: the fields offered side by side (the Person attributes that go
together, and the engine field whose weight speaks for each), and what is chosen when the reviewer does not
say: the survivor's own value, or another record's where the survivor has none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from passage.registry.models import HouseholdMember, Person

MAX_PEOPLE = 8  # one merge: a survivor and up to seven records


@dataclass(frozen=True)
class MergeField:
    """A value the reviewer chooses among the records: the Person attributes that go together, and the engine's
    field whose weight speaks for it (passage.matching.compare.FIELDS)."""

    key: str
    label: str | Promise
    attributes: tuple[str, ...]
    engine_field: str = ""


MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("given_name", gettext_lazy("Given name"), ("given_name",), "given_name"),
    MergeField("given_name_latin", gettext_lazy("Given name (Latin letters)"), ("given_name_latin",), "given_name"),
    MergeField("father_name", gettext_lazy("Father's name"), ("father_name",), "father_name"),
    MergeField(
        "father_name_latin", gettext_lazy("Father's name (Latin letters)"), ("father_name_latin",), "father_name"
    ),
    MergeField("grandfather_name", gettext_lazy("Grandfather's name"), ("grandfather_name",), "grandfather_name"),
    MergeField(
        "grandfather_name_latin",
        gettext_lazy("Grandfather's name (Latin letters)"),
        ("grandfather_name_latin",),
        "grandfather_name",
    ),
    MergeField("family_name", gettext_lazy("Family name"), ("family_name",), "family_name"),
    MergeField("family_name_latin", gettext_lazy("Family name (Latin letters)"), ("family_name_latin",), "family_name"),
    MergeField("full_name", gettext_lazy("Full name as written"), ("full_name",), "name_words"),
    MergeField("full_name_latin", gettext_lazy("Full name (Latin letters)"), ("full_name_latin",), "name_words"),
    MergeField(
        "birth_date",
        gettext_lazy("Date of birth"),
        ("birth_date", "birth_date_precision", "age_estimated_on"),
        "date_of_birth",
    ),
    MergeField("sex", gettext_lazy("Sex"), ("sex",), "sex"),
    MergeField("place", gettext_lazy("Place"), ("admin_area_id", "site_id"), "area"),
    MergeField("nationalities", gettext_lazy("Nationalities"), ("nationalities",)),
    MergeField("languages", gettext_lazy("Languages"), ("languages",)),
    MergeField("marital_status", gettext_lazy("Marital status"), ("marital_status",)),
    MergeField("disability", gettext_lazy("Functioning (Washington Group)"), ("disability",)),
    MergeField("office", gettext_lazy("Office"), ("office_id",)),
)
FIELDS_BY_KEY = {field.key: field for field in MERGE_FIELDS}
HOUSEHOLD = "household"  # the choice of the current household membership the survivor keeps
CHOICE_KEYS = frozenset([*FIELDS_BY_KEY, HOUSEHOLD])
SURVIVOR_ATTRIBUTES = (*(a for field in MERGE_FIELDS for a in field.attributes), "other_names")
_UNKNOWN = {"sex": "unknown", "marital_status": "unknown"}


def is_empty(person: Person, field: MergeField) -> bool:
    """No value to offer: nothing written, or "unknown"."""
    for name in field.attributes:
        value = getattr(person, name)
        if value not in (None, "", [], {}) and value != _UNKNOWN.get(name):
            return False
    return True


def default_choices(survivor: Person, others: Iterable[Person]) -> dict[str, str]:
    """The survivor's value for every field, or the first other record's where the survivor has none; the
    survivor's current household, or the first other record's when it has none."""
    others = list(others)
    choices = {}
    for field in MERGE_FIELDS:
        source = survivor
        if is_empty(survivor, field):
            source = next((p for p in others if not is_empty(p, field)), survivor)
        choices[field.key] = str(source.pk)
    households = current_households([survivor, *others])
    keeper = next((p for p in [survivor, *others] if households.get(p.pk)), survivor)
    choices[HOUSEHOLD] = str(keeper.pk)
    return choices


def current_households(people: Iterable[Person]) -> dict[Any, HouseholdMember]:
    ids = [p.pk for p in people]
    found = HouseholdMember.objects.filter(person_id__in=ids, left_on__isnull=True).select_related("household")
    return {member.person_id: member for member in found}


def default_survivor(people: Iterable[Person]) -> Person:
    """The record registered first: its number is the one people have been given."""
    return min(people, key=lambda p: (p.created_at, p.reference))
