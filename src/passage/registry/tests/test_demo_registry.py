"""The demo registry: realistic households, name chains, partial dates, shared phones, documents in their formats,
known duplicates with their truth kept away from users, written in bulk with one audit event."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest
from django.db import connection
from django.db.models import Count, F, Q

from passage.conftest import sign_in
from passage.core import crypto
from passage.core.models import AuditEvent, User
from passage.core.tests.factories import OfficeFactory
from passage.registry.actions import import_admin_areas
from passage.registry.demo_names import ARABIC_MALE, COMMUNITIES
from passage.registry.demo_people import DemoPeople, Places
from passage.registry.demo_registry import DemoAlreadyLoaded, build_demo_registry
from passage.registry.models import (
    Consent,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    Phone,
    Site,
)
from passage.registry.names import search_names_of, skeleton
from passage.registry.normalise import document_index, normalise_document_number, phone_index
from passage.registry.queries import search_people
from passage.registry.tabular import read_table

DEMO_AREAS = Path(__file__).resolve().parents[1] / "demo" / "irq_adm2.csv"
TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def demo_operation(operation, settings, tmp_path):
    """The test operation with the demo's districts and three offices; the data directory in tmp."""
    settings.DATA_DIR = tmp_path
    import_admin_areas(table=read_table(DEMO_AREAS), country="IQ", acting_user=None, source="demo extract")
    for code in ("bgw", "ebl", "msl"):
        OfficeFactory(operation=operation, code=code)
    return operation


def truth_of(built) -> list[dict[str, str]]:
    with open(built.truth_file, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def sealed(model, column: str) -> list[str]:
    """The column as stored (ciphertext), read past the field that would decrypt it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table}")  # noqa: S608 (names from model meta)
        return [row[0] for row in cursor.fetchall()]


def test_a_few_thousand_people_keep_every_registry_invariant(demo_operation):
    built = build_demo_registry(operation=demo_operation, people=3000, seed=11, today=TODAY)
    people = Person.objects.filter(operation=demo_operation)
    assert people.count() == built.people == 3000
    assert Household.objects.filter(operation=demo_operation).count() == built.households
    assert 2.5 < built.people / built.households < 5.5
    # Registration numbers are unique and readable; person and household versions start at 1.
    assert people.values("reference").distinct().count() == 3000
    assert all(len(r) == 16 and r.startswith("P-") for r in people.values_list("reference", flat=True))
    assert set(people.values_list("version", flat=True)) == {1}
    assert set(Household.objects.values_list("version", flat=True)) == {1}
    # One head per household, and everybody in exactly one household.
    heads = Household.objects.annotate(n=Count("members", filter=Q(members__relationship="head")))
    assert set(heads.values_list("n", flat=True)) == {1}
    assert HouseholdMember.objects.count() == 3000
    assert HouseholdMember.objects.values("person").distinct().count() == 3000
    # Consent to registration for everybody; children by proxy, the proxy named.
    assert Consent.objects.filter(purpose="registration", granted=True).values("person").distinct().count() == 3000
    proxies = Consent.objects.filter(purpose="registration", method="proxy")
    assert proxies.exists() and not proxies.filter(proxy_name="").exists()
    assert Consent.objects.filter(purpose="sharing", granted=False).exists()
    # Names: search_names exactly as the registry makes them; names as written in four scripts besides Latin.
    for person in people:
        assert person.search_names == search_names_of(person), person.reference
    written = "".join(people.values_list("given_name", flat=True))
    for low, high in (("\u0600", "\u06ff"), ("\u1200", "\u137f"), ("\u0400", "\u04ff")):
        assert any(low <= c <= high for c in written), (low, high)
    assert people.filter(given_name__in=[name for name, _s in COMMUNITIES["somali"].male]).exists()
    # Dates of birth: exact, month, year, estimated from an age, and 1 January as a default; never a precision
    # without a date.
    precisions = Counter(people.values_list("birth_date_precision", flat=True))
    assert {"day", "month", "year", "estimated"} <= set(precisions)
    assert people.filter(birth_date_precision="day", birth_date__month=1, birth_date__day=1).exists()
    assert not people.filter(birth_date_precision="estimated", age_estimated_on__isnull=True).exists()
    assert not people.filter(birth_date__isnull=False, birth_date_precision="").exists()
    assert not people.filter(birth_date__gt=TODAY).exists()
    # Places: every person in a P-coded district of the operation's country; some in camps of their district.
    assert not people.filter(admin_area__isnull=True).exists()
    assert set(people.values_list("admin_area__level", "admin_area__country").distinct()) == {(2, "IQ")}
    in_sites = people.filter(site__isnull=False)
    assert in_sites.exists() and not in_sites.exclude(site__admin_area=F("admin_area")).exists()
    assert Site.objects.filter(operation=demo_operation).count() == built.sites > 0
    assert people.values("office").distinct().count() == 3


def test_phones_and_documents_are_sealed_valid_and_found_by_their_blind_index(demo_operation):
    build_demo_registry(operation=demo_operation, people=2000, seed=12, today=TODAY)
    assert all(value.startswith("v1.") for value in sealed(Phone, "number") + sealed(IdentityDocument, "number"))
    assert all(value.startswith("v1.") for value in sealed(Household, "address"))
    phones = list(Phone.objects.all())
    assert phones
    for phone in phones:
        parsed = phonenumbers.parse(phone.number)
        assert phonenumbers.is_valid_number(parsed), phone.number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone.number
        assert phonenumbers.parse(phone.as_given, "IQ") == parsed, phone.as_given  # as an Iraqi office reads it
        assert phone.number_index == phone_index(phone.number)
    # A shared household phone: the same number on two members of one household.
    shared = (
        Phone.objects.values("number_index", "person__household_memberships__household")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
    )
    assert shared.exists()
    documents = list(IdentityDocument.objects.all())
    kinds = Counter((d.type, d.issuing_country) for d in documents)
    assert {("national_id", "IQ"), ("national_id", "UA"), ("passport", "UA"), ("refugee_certificate", "IQ")} <= set(
        kinds
    )
    for document in documents:
        number = normalise_document_number(
            document.number, document_type=document.type, issuing_country=document.issuing_country
        )
        assert number == document.number  # Ukrainian taxpayer numbers pass their check digit (python-stdnum)
        assert document.number_index == document_index(number)
    # Exact search through the blind indexes finds the holder.
    clerk = User.objects.create(username="search-superuser", is_superuser=True)  # sees every operation
    holder = documents[0]
    assert holder.person in search_people(clerk, demo_operation, holder.number)
    phone = phones[0]
    assert phone.person in search_people(clerk, demo_operation, phone.as_given)


def cache_size() -> int | None:
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_one_summary_audit_event_for_the_load(demo_operation):
    before, cache = AuditEvent.objects.count(), cache_size()
    built = build_demo_registry(operation=demo_operation, people=500, seed=13, today=TODAY)
    assert cache_size() == cache  # SQLite's larger page cache was for the load only
    events = AuditEvent.objects.order_by("id")[before:]
    assert [e.action for e in events] == ["registry.demo"]
    event = events[0]
    assert event.operation_id == demo_operation.pk
    assert event.changes["people"] == [None, 500] and event.changes["households"] == [None, built.households]
    assert event.changes["registered_again"] == [None, built.duplicates] and event.changes["seed"] == [None, 13]
    assert "one event stands for the whole load" in event.note


def test_the_same_seed_builds_the_same_registry_and_is_not_loaded_twice(demo_operation):
    def snapshot():
        rows = Person.objects.order_by("reference").values_list(
            "id",
            "reference",
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "given_name_latin",
            "family_name_latin",
            "birth_date",
            "birth_date_precision",
            "sex",
            "admin_area__pcode",
            "site__code",
            "office__code",
            "household_memberships__household__reference",
            "household_memberships__relationship",
            "created_at",
        )
        return list(rows), Counter(Phone.objects.values_list("number", flat=True))

    first = build_demo_registry(operation=demo_operation, people=800, seed=21, today=TODAY)
    registry, truth = snapshot(), truth_of(first)
    with pytest.raises(DemoAlreadyLoaded, match="seed 21"):
        build_demo_registry(operation=demo_operation, people=800, seed=21, today=TODAY)
    assert Person.objects.count() == 800  # refused before writing anything
    Person.objects.all().delete()
    Household.objects.all().delete()
    again = build_demo_registry(operation=demo_operation, people=800, seed=21, today=TODAY)
    assert snapshot() == registry and truth_of(again) == truth
    other = build_demo_registry(operation=demo_operation, people=800, seed=22, today=TODAY)
    assert Person.objects.count() == 1600 and truth_of(other) != truth


def test_generation_alone_is_deterministic_and_flat_chunked():
    def draw(seed: int, chunk_people: int):
        people = DemoPeople(seed=seed, people=5000, places=Places(), today=TODAY, chunk_people=chunk_people)
        chunks = list(people.chunks())
        flat = [
            (p.id, p.reference, p.names, p.birth_date, p.precision, p.phones, p.documents, p.consents)
            for c in chunks
            for h in c.households
            for p in h.members
        ]
        return chunks, flat, [pair for c in chunks for pair in c.pairs]

    chunks, first, pairs = draw(5, 1000)
    assert len(first) == 5000 and len(chunks) >= 5
    assert max(c.people for c in chunks) < 1000 + 200  # a chunk is about chunk_people (plus people registered again)
    assert draw(5, 1000)[1:] == (first, pairs)
    assert draw(6, 1000)[1] != first


def test_a_known_share_registered_again_with_the_truth_kept_away_from_users(demo_operation, settings):
    built = build_demo_registry(operation=demo_operation, people=4000, seed=31, today=TODAY)
    assert 0.02 <= built.duplicates / built.people <= 0.04
    path = Path(built.truth_file)
    assert path.is_relative_to(Path(settings.DATA_DIR) / "demo")
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT)) and not path.is_relative_to(Path(settings.STATIC_ROOT))
    assert not path.with_name(path.name + ".partial").exists()
    truth = truth_of(built)
    kinds = Counter(row["kind"] for row in truth)
    assert {"duplicate", "twin", "sibling", "father_son"} <= set(kinds)
    assert {row["same_person"] for row in truth if row["kind"] == "duplicate"} == {"yes"}
    assert {row["same_person"] for row in truth if row["kind"] != "duplicate"} == {"no"}
    # Every registration again is one pair with the first registration (a third one pairs with both).
    duplicates = [row for row in truth if row["kind"] == "duplicate"]
    assert len({row["reference_b"] for row in duplicates}) == built.duplicates
    people = {p.reference: p for p in Person.objects.prefetch_related("household_memberships")}
    differences = Counter()
    for row in duplicates:
        first, again = people[row["reference_a"]], people[row["reference_b"]]
        assert first.pk != again.pk and first.sex == again.sex
        assert first.household_memberships.get().household_id != again.household_memberships.get().household_id
        assert again.given_name in ("", first.given_name)  # the same name, unless written in Latin letters only
        differences.update(row["differences"].split(";"))
    for kind in ("spelling", "latin_only", "missing_grandfather", "day_month_swapped", "other_office"):
        assert differences[kind] > 0, kind
    assert differences["same_phone_other_format"] + differences["same_phone"] > 0
    # Hard non-duplicates: twins share a date of birth and a father; a son's father's name is his father's name.
    for row in truth:
        a, b = people[row["reference_a"]], people[row["reference_b"]]
        if row["kind"] == "twin":
            assert a.birth_date == b.birth_date and a.father_name == b.father_name and a.pk != b.pk
            assert a.given_name != b.given_name or not a.given_name, "twins are given different names"
        if row["kind"] == "father_son" and a.given_name and b.father_name:
            assert b.father_name == a.given_name


def test_a_clerk_finds_a_person_by_another_spelling_of_their_name(demo_operation, client, persona):
    build_demo_registry(operation=demo_operation, people=1500, seed=41, today=TODAY)
    written, spellings = ARABIC_MALE[0]  # محمد: Mohammed, Muhammad, Mohamed, …
    candidates = Person.objects.filter(given_name=written, given_name_latin__in=spellings)
    person = candidates.exclude(father_name_latin="").exclude(family_name_latin="").first()
    assert person is not None
    other = next(s for s in spellings if s != person.given_name_latin and skeleton(s.lower()) == "mahamad")
    text = f"{other} {person.father_name_latin} {person.family_name_latin}"
    clerk = persona("registration_clerk")
    found = search_people(clerk, demo_operation, text)
    assert person in found and found.count() < 50
    sign_in(client, clerk)
    assert person.reference in client.get("/registry/people/", {"q": text}).content.decode()


def test_crypto_context_matches_the_encrypted_fields(demo_operation):
    build_demo_registry(operation=demo_operation, people=200, seed=51, today=TODAY)
    raw = sealed(Phone, "number")[0]
    assert crypto.decrypt(raw, context="registry.phone.number").startswith("+")
