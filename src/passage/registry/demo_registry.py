"""`passage demo --people N`: a realistic registry to try Passage and to measure it.

demo_people draws the people (households of five communities, names as written and in several Latin
spellings, name chains, twins, partial and estimated birth dates, shared household phones, documents,
consent, and a known share of people registered twice); this module writes them, a chunk of about
CHUNK_PEOPLE people per transaction, with passage.core.bulk.insert_rows (COPY on PostgreSQL, executemany on
SQLite), so memory stays flat however many people are asked for and the progress callback moves.

What the rest of Passage relies on holds as for registrations and imports: phones, documents and
addresses sealed (passage.core.crypto) with blind indexes for exact search; search_names as
names.search_names_of makes them (from cached word forms: the demo repeats a few hundred names); unique
registration numbers; one head per household; a consent decision for registration for everybody (by
proxy for children); areas by P-code, some households in sites (camps, collective centres, created here
for the demo operation); person and household version 1. Audit: ONE summary event (`registry.demo`) for
the whole load, not one per person — its note says so.

Deterministic: registration numbers and ids come from the seed too, so the same seed, size and day give
the same registry; loading a seed twice into one database is refused (the numbers would repeat).

The truth, kept away from users: a CSV file under the data directory,
DATA_DIR/demo/<operation code>-seed<seed>-truth.csv, one row per pair (kind, same_person, reference_a,
reference_b, differences): kind "duplicate" (same_person yes: the same person registered again, with what
differs — spelling, typo, missing_grandfather, latin_only, day_month_swapped, birth_date_year,
same_phone_other_format, other_office, joined_household…) and hard non-duplicates (same_person no: twin,
sibling, father_son, grandfather_grandson). A file rather than a table: nothing in the web interface, the
API, exports or the database's backups can show it to ordinary users (only someone with the server's
data directory can read it), it needs no migration in a registry schema that production also runs, and the
matching engine's benchmark reads it straight into DuckDB or Polars. It is written as `.partial` and renamed
when the load is complete.

Measured (1,000,000 people in 251,185 households, seed 7, ~3% registered again; a 2-core machine shared with
other work, so wall times vary: CPU time of the loading process is the steadier figure):
- SQLite: 290 s (3,450 people/s), 199 s of CPU (5,000 people per CPU second); peak memory 324 MB, of which
  SQLITE_CACHE_KB is SQLite's page cache (211 MB with the default cache, at about 10% more CPU).
- PostgreSQL 15: 334 s (2,990 people/s), 124 s of the loader's CPU (8,100 people per CPU second); peak memory
  208 MB. The people's COPY (with the trigram index of search_names to keep) is over a quarter of the wall time.
- The bulk_create version this replaces, 100,000 people on the same machine at the same time: SQLite 2,574 and
  PostgreSQL 3,871 people per CPU second (this one: 6,491 and 9,981), holding every duplicate pair in memory.
Peak memory stays flat with size: it is the chunk, Django and the caches of name forms, not the registry.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from passage.core import audit, crypto
from passage.core.bulk import insert_rows
from passage.core.models import Office, Operation
from passage.registry.demo_people import DemoChunk, DemoHousehold, DemoPeople, DemoPerson, Places, time_ordered_uuid
from passage.registry.models import (
    AdminArea,
    Consent,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    Phone,
    Site,
    SiteType,
)
from passage.registry.names import name_words, skeleton
from passage.registry.normalise import document_index, phone_index

CHUNK_PEOPLE = 10000
SQLITE_CACHE_KB = 131072
Progress = Callable[[int, int], None]
# The demo offices (passage.core.demo) by the governorate they cover; other operations share areas among offices.
OFFICE_OF_GOVERNORATE = {"IQG07": "bgw", "IQG01": "bgw", "IQG11": "ebl", "IQG10": "ebl", "IQG15": "msl", "IQG02": "bsr"}
# Sites of the demo operation: (code, name, type, P-code of the district).
DEMO_SITES = (
    ("CMP-082-01", "Hasansham U3 camp", SiteType.CAMP, "IQD082"),
    ("CMP-082-02", "Khazer M1 camp", SiteType.CAMP, "IQD082"),
    ("CMP-055-01", "Debaga 1 camp", SiteType.CAMP, "IQD055"),
    ("CMP-083-01", "Jeddah 5 camp", SiteType.CAMP, "IQD083"),
    ("CMP-052-01", "Domiz 1 camp", SiteType.CAMP, "IQD052"),
    ("CMP-052-02", "Kabarto 2 camp", SiteType.CAMP, "IQD052"),
    ("CMP-057-01", "Baharka camp", SiteType.CAMP, "IQD057"),
    ("CMP-002-01", "Amriyat al-Fallujah camp", SiteType.CAMP, "IQD002"),
    ("CC-035-01", "Karkh collective centre", SiteType.COLLECTIVE_CENTRE, "IQD035"),
    ("CC-036-01", "Resafa collective centre", SiteType.COLLECTIVE_CENTRE, "IQD036"),
    ("TC-086-01", "Sinjar transit centre", SiteType.TRANSIT_CENTRE, "IQD086"),
    ("TC-009-01", "Basrah transit centre", SiteType.TRANSIT_CENTRE, "IQD009"),
)


class DemoAlreadyLoaded(Exception):
    """The registry of this seed is in the database already."""


@dataclass
class DemoRegistry:
    seed: int
    people: int = 0
    households: int = 0
    duplicates: int = 0  # registrations of someone registered before
    pairs: Counter[str] = field(default_factory=Counter)  # truth rows by kind
    sites: int = 0  # sites created for the demo
    truth_file: str = ""
    extras: dict[str, int] = field(default_factory=dict)  # counts of demo data built on the registry


def build_demo_registry(
    *,
    operation: Operation,
    people: int,
    seed: int = 7,
    duplicate_share: float = 0.03,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> DemoRegistry:
    """Register `people` demo people in `operation`, a chunk per transaction; return what was built."""
    if people < 1:
        raise ValueError("Ask for at least one person.")
    result = DemoRegistry(seed=seed)
    places, result.sites = demo_places(operation)
    generator = DemoPeople(
        seed=seed,
        people=people,
        places=places,
        duplicate_share=duplicate_share,
        today=today or timezone.localdate(),
        chunk_people=CHUNK_PEOPLE,
    )
    writer = _Writer(operation, seed)
    truth = _TruthFile(Path(settings.DATA_DIR) / "demo" / f"{operation.code}-seed{seed}-truth.csv")
    try:
        with _larger_page_cache():
            for chunk in generator.chunks():
                if not result.people:
                    _refuse_if_loaded(chunk, seed)
                writer.write(chunk)
                truth.write(chunk.pairs)
                result.people += chunk.people
                result.households += len(chunk.households)
                result.duplicates += chunk.duplicates
                result.pairs.update(kind for kind, *_rest in chunk.pairs)
                if progress:
                    progress(result.people, people)
    except BaseException:
        truth.discard()
        raise
    result.truth_file = truth.finish()

    # Demo data built on the households above goes here: one line per builder, each adding its count to
    # result.extras so that the audit event below reports it. (`passage demo` builds the demo groups and
    # communities after this function returns: cli.cmd_demo, manage.py demo_groups.)

    with transaction.atomic():
        audit.record(
            None,
            "registry.demo",
            operation,
            actor_username="system",
            changes={
                "people": [None, result.people],
                "households": [None, result.households],
                "registered_again": [None, result.duplicates],
                "seed": [None, seed],
                "sites": [None, result.sites],
                **{name: [None, count] for name, count in result.extras.items()},
            },
            note=(
                "Demo registry loaded in bulk: this one event stands for the whole load (no event per person or "
                f"household). Who is registered twice is recorded in {Path(result.truth_file).name} under the "
                "data directory's demo folder."
            ),
        )
    return result


def demo_places(operation: Operation) -> tuple[Places, int]:
    """The operation's areas (the most detailed level loaded for its country), the office covering each,
    and sites; the demo sites are created where their district is loaded. Returns (places, sites created)."""
    levels = AdminArea.objects.filter(country=operation.country)
    deepest = levels.aggregate(level=models.Max("level"))["level"]
    areas = list(
        levels.filter(level=deepest).order_by("pcode").values_list("pcode", "id", "parent__pcode") if deepest else []
    )
    offices = dict(
        Office.objects.filter(operation=operation, is_active=True).order_by("code").values_list("code", "id")
    )
    office_ids = list(offices.values())
    office_of_area = {}
    for index, (_pcode, area_id, parent) in enumerate(areas):
        office = offices.get(OFFICE_OF_GOVERNORATE.get(parent or "", ""))
        if office is None and office_ids:
            office = office_ids[index % len(office_ids)]
        office_of_area[area_id] = office
    created = _demo_sites(operation, {pcode: area_id for pcode, area_id, _parent in areas})
    sites: dict[Any, list[Any]] = {}
    for area_id, site_id in (
        Site.objects.filter(operation=operation, is_active=True).order_by("code").values_list("admin_area_id", "id")
    ):
        sites.setdefault(area_id, []).append(site_id)
    places = Places(
        areas=[(pcode, area_id) for pcode, area_id, _parent in areas],
        office_of_area=office_of_area,
        offices=office_ids,
        sites_of_area=sites,
    )
    return places, created


@transaction.atomic
def _demo_sites(operation: Operation, areas: dict[str, Any]) -> int:
    existing = set(Site.objects.filter(operation=operation).values_list("code", flat=True))
    missing = [
        Site(operation=operation, code=code, name=name, type=kind, admin_area_id=areas[pcode])
        for code, name, kind, pcode in DEMO_SITES
        if code not in existing and pcode in areas
    ]
    Site.objects.bulk_create(missing)
    return len(missing)


@contextmanager
def _larger_page_cache() -> Iterator[None]:
    """On SQLite, a 128 MB page cache while loading: the indexes of a million people outgrow the default 2 MB and
    each insert would fetch its index pages again. Put back afterwards; PostgreSQL needs nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def _refuse_if_loaded(chunk: DemoChunk, seed: int) -> None:
    references = [person.reference for household in chunk.households[:20] for person in household.members]
    if Person.objects.filter(reference__in=references).exists():
        raise DemoAlreadyLoaded(
            f"The demo registry of seed {seed} is already in this database (its registration numbers come from "
            "the seed). Use another --seed to add more people."
        )


# Writing ---------------------------------------------------------------------------------------------------


def _context(model: type[models.Model], name: str) -> str:
    """The encryption context EncryptedTextField binds to the column (passage.core.fields)."""
    return f"{model._meta.label_lower}.{name}"


ADDRESS = _context(Household, "address")
PHONE_NUMBER = _context(Phone, "number")
PHONE_AS_GIVEN = _context(Phone, "as_given")
DOCUMENT_NUMBER = _context(IdentityDocument, "number")

HOUSEHOLD_FIELDS = (
    "id",
    "operation_id",
    "office_id",
    "reference",
    "admin_area_id",
    "site_id",
    "address",
    "version",
    "created_at",
)
PERSON_FIELDS = (
    "id",
    "operation_id",
    "office_id",
    "reference",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "given_name_latin",
    "father_name_latin",
    "grandfather_name_latin",
    "family_name_latin",
    "search_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "age_estimated_on",
    "nationalities",
    "languages",
    "marital_status",
    "disability",
    "admin_area_id",
    "site_id",
    "status",
    "version",
    "created_at",
    "updated_at",
)
MEMBER_FIELDS = ("id", "household_id", "person_id", "relationship", "joined_on")
PHONE_FIELDS = ("id", "person_id", "number", "as_given", "number_index", "is_primary")
DOCUMENT_FIELDS = ("id", "person_id", "type", "number", "number_index", "issuing_country", "expiry_date")
CONSENT_FIELDS = ("id", "person_id", "purpose", "granted", "method", "proxy_name", "recorded_at")


class _Writer:
    """Turns a chunk into rows and writes them in one transaction. Ids of memberships, phones, documents and
    consents come from their own generator seeded like the people, so they repeat with the seed too."""

    def __init__(self, operation: Operation, seed: int) -> None:
        self.operation_id = operation.pk
        self.ids = random.Random(f"demo-rows-{seed}")  # noqa: S311  (identifiers of made-up rows, not secrets)

    def _id(self, ms: int) -> uuid.UUID:
        return time_ordered_uuid(ms, self.ids.getrandbits(74))

    @transaction.atomic
    def write(self, chunk: DemoChunk) -> None:
        households: list[tuple[Any, ...]] = []
        people: list[tuple[Any, ...]] = []
        members: list[tuple[Any, ...]] = []
        phones: list[tuple[Any, ...]] = []
        documents: list[tuple[Any, ...]] = []
        consents: list[tuple[Any, ...]] = []
        encrypt = crypto.encrypt
        for household in chunk.households:
            households.append(
                (
                    household.id,
                    self.operation_id,
                    household.office_id,
                    household.reference,
                    household.area_id,
                    household.site_id,
                    encrypt(household.address, context=ADDRESS),
                    1,
                    household.registered_at,
                )
            )
            for person in household.members:
                when = person.registered_at
                ms = int(when.timestamp() * 1000)
                people.append(self._person(household, person))
                members.append((self._id(ms), household.id, person.id, person.relationship, when.date()))
                for n, (e164, as_given) in enumerate(person.phones):
                    phones.append(
                        (
                            self._id(ms),
                            person.id,
                            encrypt(e164, context=PHONE_NUMBER),
                            encrypt(as_given, context=PHONE_AS_GIVEN),
                            _phone_index(e164),
                            n == 0,
                        )
                    )
                for kind, number, country, expiry in person.documents:
                    documents.append(
                        (
                            self._id(ms),
                            person.id,
                            kind,
                            encrypt(number, context=DOCUMENT_NUMBER),
                            document_index(number),
                            country,
                            expiry,
                        )
                    )
                for purpose, granted, method, proxy in person.consents:
                    consents.append((self._id(ms), person.id, purpose, granted, method, proxy, person.registered_at))
        insert_rows(Household, HOUSEHOLD_FIELDS, households)
        insert_rows(Person, PERSON_FIELDS, people)
        insert_rows(HouseholdMember, MEMBER_FIELDS, members)
        insert_rows(Phone, PHONE_FIELDS, phones)
        insert_rows(IdentityDocument, DOCUMENT_FIELDS, documents)
        insert_rows(Consent, CONSENT_FIELDS, consents)

    def _person(self, household: DemoHousehold, person: DemoPerson) -> tuple[Any, ...]:
        written = ["" if part is None or person.latin_only else part[0][0] for part in person.names]
        latin = ["" if part is None else part[1] for part in person.names]
        return (
            person.id,
            self.operation_id,
            household.office_id,
            person.reference,
            *written,
            *latin,
            search_names((*written, *latin)),
            person.sex,
            person.birth_date,
            person.precision,
            person.estimated_on,
            [person.nationality],
            person.languages,
            person.marital_status,
            person.disability,
            household.area_id,
            household.site_id,
            "active",
            1,
            person.registered_at,
            person.registered_at,
        )


@lru_cache(maxsize=4096)
def _words(name: str) -> tuple[str, ...]:
    return tuple(name_words(name))


@lru_cache(maxsize=8192)
def _skeleton(word: str) -> str:
    return skeleton(word)


def search_names(names: Iterable[str]) -> str:
    """names.search_names_of for the name parts given (in NAME_FIELDS order, no other names), from cached
    word forms: the same words in the same order, each once, then their skeleton keys."""
    words = dict.fromkeys(word for name in names if name for word in _words(name))
    keys = dict.fromkeys(key for word in words if (key := _skeleton(word)))
    return "".join(" " + word for word in words) + "".join(f" ~{key}~" for key in keys)


@lru_cache(maxsize=65536)
def _phone_index(e164: str) -> str:
    return phone_index(e164)  # a household's shared phone is indexed once


class _TruthFile:
    """Pairs whose truth is known, written as the load goes, complete only when renamed at the end."""

    HEADER = ("kind", "same_person", "reference_a", "reference_b", "differences")

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.handle = self.partial.open("w", newline="", encoding="utf-8")
        self.out = csv.writer(self.handle)
        self.out.writerow(self.HEADER)

    def write(self, pairs: list[tuple[str, bool, str, str, str]]) -> None:
        self.out.writerows((kind, "yes" if same else "no", a, b, note) for kind, same, a, b, note in pairs)

    def finish(self) -> str:
        self.handle.close()
        os.replace(self.partial, self.path)
        return str(self.path)

    def discard(self) -> None:
        self.handle.close()
        self.partial.unlink(missing_ok=True)
