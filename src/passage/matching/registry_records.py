"""The registry's people as the engine's table (passage.matching.records.COLUMNS), read in chunks.

One row per person of the operation who is not merged into another record; record_id is the person's id, and
`source_import` (ignored by the engine) says which import brought the person in.

- Names: each part as written, or its Latin form when the part was only written in Latin letters; the full name
  likewise. The engine folds Arabic script and Latin spellings onto the same consonant keys, so the form as
  written, the most faithful one, is the one compared.
- Sex: male and female; other and unknown are left empty (the engine reads them as unknown).
- Date of birth: YYYY-MM-DD for an exact day, YYYY-MM for a month, YYYY for a year only or an age estimate.
- Phones and documents: compared by their blind indexes (passage.core.crypto.blind_index of the E.164 number
  and of the document number as normalised on the way in), never decrypted. The engine only asks of these two
  fields whether two people give the same value (and, for phones, how many people give it); an HMAC of the
  normalised value answers that exactly, with no clear number in the job's memory. What is lost is the
  "one character off" level of documents: two hashes of numbers a typo apart share nothing, so such documents
  compare as different, as they would on the registry's own search. The engine keeps the last nine digits of a
  phone, so the phone's index is written as a nine-digit number drawn from its first 60 bits (two different
  phones meet by chance once in 900 million pairs). The primary phone and the first document are used.
- Area: the admin1 and admin2 P-codes above (or at) the person's area, or their current household's when the
  person has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
from django.db.models import OuterRef, Subquery

from passage.core.models import Operation
from passage.matching.records import COLUMNS
from passage.registry.models import (
    AdminArea,
    HouseholdMember,
    IdentityDocument,
    Person,
    PersonStatus,
    Phone,
    RegistrationImport,
)
from passage.registry.normalise import document_index
from passage.registry.registration import CheckedPerson

CHUNK = 5000
NAME_COLUMNS = ("given_name", "father_name", "grandfather_name", "family_name", "full_name")
_PRECISION_FORMAT = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y", "estimated": "%Y"}


def phone_key(number_index: str) -> str:
    """A phone's blind index as nine digits, the form the engine compares (see the module's docstring)."""
    return str(100_000_000 + int(number_index[:15], 16) % 900_000_000)


def document_key(number_index: str) -> str:
    return number_index[:32].upper()


def _people(operation: Operation) -> Any:
    return Person.objects.filter(operation=operation).exclude(status=PersonStatus.MERGED)


def _rows(operation: Operation, ids: list[Any]) -> list[tuple[Any, ...]]:
    """_FIELDS of these people (by id: SQLite without statistics would otherwise read the operation's index,
    every person of it, for each chunk), those of `operation` not merged, in id order."""
    household_area = HouseholdMember.objects.filter(person=OuterRef("pk"), left_on__isnull=True).values(
        "household__admin_area_id"
    )[:1]
    people = (
        Person.objects.filter(pk__in=ids)
        .exclude(status=PersonStatus.MERGED)
        .annotate(household_area=Subquery(household_area))
        .order_by("pk")
        .values_list("operation_id", *_FIELDS)
    )
    return [row[1:] for row in people if row[0] == operation.pk]


def _area_codes(area_ids: set[Any], cache: dict[Any, tuple[str, str]]) -> None:
    """Fill `cache` with (admin1, admin2) P-codes of each area, walking up its parents."""
    missing = {a for a in area_ids if a is not None and a not in cache}
    if not missing:
        return
    known: dict[Any, tuple[int, str, Any]] = {}
    wanted = set(missing)
    while wanted:
        rows = AdminArea.objects.filter(pk__in=wanted).values_list("pk", "level", "pcode", "parent_id")
        wanted = set()
        for pk, level, pcode, parent in rows:
            known[pk] = (level, pcode, parent)
            if parent is not None and parent not in known:
                wanted.add(parent)
    for area in missing:
        codes = {1: "", 2: ""}
        current = area
        while current is not None and current in known:
            level, pcode, parent = known[current]
            if level in codes:
                codes[level] = pcode
            current = parent
        cache[area] = (codes[1], codes[2])


_FIELDS = (
    "pk",
    *NAME_COLUMNS,
    *(f"{n}_latin" for n in NAME_COLUMNS),
    "sex",
    "birth_date",
    "birth_date_precision",
    "admin_area_id",
    "household_area",
    "source_import_id",
)


def registry_chunks(operation: Operation, *, chunk: int = CHUNK) -> Iterator[pl.DataFrame]:
    """The operation's people, `chunk` at a time in id order: their ids first (one query), then each chunk by
    id. (Pages of `id > last ORDER BY id LIMIT n` let SQLite's planner pick the operation's index and sort every
    person of the operation again for each page: seconds a page at a million people.)"""
    ids = sorted(_people(operation).values_list("pk", flat=True))
    areas: dict[Any, tuple[str, str]] = {}
    for start in range(0, len(ids), chunk):
        rows = _rows(operation, ids[start : start + chunk])
        if rows:
            yield _frame(rows, areas)


def people_frame(operation: Operation, ids: list[Any], *, chunk: int = CHUNK) -> pl.DataFrame:
    """These people of the operation, read as registry_chunks reads them (merged people and unknown ids are left
    out): the live check's catching up with what changed."""
    areas: dict[Any, tuple[str, str]] = {}
    frames = []
    for start in range(0, len(ids), chunk):
        rows = _rows(operation, ids[start : start + chunk])
        if rows:
            frames.append(_frame(rows, areas))
    return pl.concat(frames) if frames else pl.DataFrame(schema=_SCHEMA)


_SCHEMA = {name: pl.String for name in (*COLUMNS, "source_import")}


def _frame(rows: list[tuple[Any, ...]], areas: dict[Any, tuple[str, str]]) -> pl.DataFrame:
    """Rows of _FIELDS as the engine's table, with each person's first phone and document (by blind index)."""
    ids = [row[0] for row in rows]
    phones: dict[Any, str] = {}
    for person, index in (
        Phone.objects.filter(person_id__in=ids)
        .order_by("person_id", "-is_primary", "id")
        .values_list("person_id", "number_index")
    ):
        phones.setdefault(person, index)
    documents: dict[Any, str] = {}
    for person, index in (
        IdentityDocument.objects.filter(person_id__in=ids)
        .order_by("person_id", "type", "id")
        .values_list("person_id", "number_index")
    ):
        documents.setdefault(person, index)
    _area_codes({row[-3] or row[-2] for row in rows}, areas)
    return pl.DataFrame([_record(row, phones, documents, areas) for row in rows], schema=_SCHEMA, orient="row")


def person_record(
    member: CheckedPerson, area: AdminArea | None, areas: dict[Any, tuple[str, str]] | None = None
) -> dict[str, str]:
    """Someone not registered yet (what the registration wizard or the API was given, as check_members read it)
    as the engine reads a registered person: the same fields, the phone and document by the blind indexes they
    would be stored under. `areas` keeps P-codes of areas already looked up (_area_codes) between calls."""
    data = member.data
    names = {n: (getattr(data, n) or getattr(data, f"{n}_latin")).strip() for n in NAME_COLUMNS}
    date = member.birth_date.strftime(_PRECISION_FORMAT.get(member.precision, "%Y-%m-%d")) if member.birth_date else ""
    documents = sorted(member.documents, key=lambda item: item[0].type)  # the first by type, as stored ones are read
    areas = {} if areas is None else areas
    if area is not None:
        _area_codes({area.pk}, areas)
    admin1, admin2 = areas.get(area.pk if area else None, ("", ""))
    return {
        **names,
        "sex": data.sex if data.sex in ("male", "female") else "",
        "date_of_birth": date,
        "phone": phone_key(member.phones[0].index) if member.phones else "",
        "document_number": document_key(document_index(documents[0][1])) if documents else "",
        "admin1": admin1,
        "admin2": admin2,
    }


def _record(
    row: tuple[Any, ...], phones: dict[Any, str], documents: dict[Any, str], areas: dict[Any, tuple[str, str]]
) -> tuple[str, ...]:
    pk = row[0]
    written = row[1:6]
    latin = row[6:11]
    names = [w or lt for w, lt in zip(written, latin, strict=True)]
    sex, birth_date, precision, area, household_area, source_import = row[11:]
    date = birth_date.strftime(_PRECISION_FORMAT.get(precision, "%Y-%m-%d")) if birth_date else ""
    admin1, admin2 = areas.get(area or household_area, ("", ""))
    phone = phones.get(pk)
    document = documents.get(pk)
    return (
        str(pk),
        *names,
        sex if sex in ("male", "female") else "",
        date,
        phone_key(phone) if phone else "",
        document_key(document) if document else "",
        admin1,
        admin2,
        str(source_import) if source_import else "",
    )


def people_count(operation: Operation) -> int:
    return Person.objects.filter(operation=operation).exclude(status=PersonStatus.MERGED).count()


def registry_frame(
    operation: Operation, *, chunk: int = CHUNK, progress: Callable[[int], None] | None = None
) -> pl.DataFrame:
    """Every chunk of registry_chunks in one table; `progress(people read so far)` after each chunk."""
    frames = []
    for frame in registry_chunks(operation, chunk=chunk):
        frames.append(frame)
        if progress is not None:
            progress(sum(f.height for f in frames))
    if not frames:
        return pl.DataFrame(schema=_SCHEMA)
    return pl.concat(frames)


def import_people(registration_import: RegistrationImport) -> set[str]:
    """Ids (as text) of the people an import brought in."""
    return {
        str(pk)
        for pk in Person.objects.filter(source_import=registration_import).values_list("pk", flat=True).iterator()
    }
