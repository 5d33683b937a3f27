"""The demo registry: realistic households, name chains, partial dates, shared phones, known duplicates."""

from __future__ import annotations

import csv

from django.db.models import Count

from passage.registry.demo_registry import build_demo_registry
from passage.registry.models import HouseholdMember, Person, Phone


def test_demo_registry_looks_like_a_field_registry(operation, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    built = build_demo_registry(operation=operation, people=400, seed=11)
    assert Person.objects.filter(operation=operation).count() == built.people == 400
    assert HouseholdMember.objects.filter(relationship="head").count() == built.households
    precisions = set(Person.objects.values_list("birth_date_precision", flat=True))
    assert {"day", "month", "year", "estimated"} <= precisions
    scripts = "".join(Person.objects.values_list("given_name", flat=True))
    assert any("\u0600" <= c <= "\u06ff" for c in scripts) and any("\u0400" <= c <= "\u04ff" for c in scripts)
    # A couple shares one phone: the same blind index on two people.
    assert Phone.objects.values("number_index").annotate(n=Count("id")).filter(n__gte=2).exists()
    # Name chains: some child's father's name is the head's given name.
    child = (
        HouseholdMember.objects.filter(relationship__in=["son", "daughter"])
        .select_related("person", "household")
        .first()
    )
    head = HouseholdMember.objects.get(household=child.household, relationship="head").person
    assert child.person.father_name in (head.given_name, "") or head.sex == "female"
    with open(built.duplicates_file, encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert len(pairs) == built.duplicates > 0
    original = Person.objects.get(reference=pairs[0]["original_reference"])
    again = Person.objects.get(reference=pairs[0]["duplicate_reference"])
    assert original.given_name == again.given_name and original.pk != again.pk
