"""Registry benchmarks: importing a million-person CSV end to end, beside a plain Django bulk_create of the
same people in the same run; name search over the registry that leaves behind (p50/p95).

Called by passage.bench (`make bench`); sizes from PASSAGE_BENCH_PEOPLE (default 1,000,000) and
PASSAGE_BENCH_SEARCHES (default 200).
"""

from __future__ import annotations

import csv
import os
import random
import resource
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

PEOPLE = int(os.environ.get("PASSAGE_BENCH_PEOPLE", "1000000"))
SEARCHES = int(os.environ.get("PASSAGE_BENCH_SEARCHES", "200"))
HEADER = [
    "_uuid",
    "household_id",
    "relationship",
    "given_name",
    "father_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "dob",
    "phone",
    "document_type",
    "document_number",
    "nationality",
    "consent",
]


def write_people_csv(path: Path, people: int, *, seed: int = 7) -> int:
    """A Kobo-style flat export: about four people per household, Arabic names in both scripts with spelling
    variants, partial birth dates, one phone per household (on the head), passports on a third of adults."""
    from passage.registry.demo_names import ARABIC_FAMILY, ARABIC_FEMALE, ARABIC_MALE

    rng = random.Random(seed)  # noqa: S311 (made-up people, not secrets)
    written = 0
    household = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        while written < people:
            household += 1
            family, family_latin = rng.choice(ARABIC_FAMILY)
            father, _spellings = rng.choice(ARABIC_MALE)
            size = min(rng.choice((1, 2, 3, 4, 4, 5, 6, 7)), people - written)
            phone = f"077{rng.randrange(10**7, 10**8)}"
            for member in range(size):
                female = member == 1 or (member > 1 and rng.random() < 0.5)
                given, spellings = rng.choice(ARABIC_FEMALE if female else ARABIC_MALE)
                year = rng.randrange(1950, 2005) if member < 2 else rng.randrange(2005, 2026)
                dob = rng.choice(
                    (f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", str(year), f"00/00/{year}")
                )
                passport = f"A{rng.randrange(10**7, 10**8)}" if member < 2 and rng.random() < 0.33 else ""
                out.writerow(
                    [
                        f"bench-{household}-{member}",
                        f"HH{household}",
                        "head" if member == 0 else "spouse" if member == 1 else rng.choice(("son", "daughter")),
                        given,
                        father if member > 1 else "",
                        family,
                        rng.choice(spellings),
                        rng.choice(family_latin),
                        "F" if female else "M",
                        dob,
                        phone if member == 0 else "",
                        "passport" if passport else "",
                        passport,
                        "IQ",
                        "yes",
                    ]
                )
                written += 1
    return household


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its (finished) worker processes, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024, 1)


def run(operation: Any, scratch: Path, timed: Any) -> dict[str, Any]:
    from django.db import connection, transaction

    from passage.registry.import_actions import (
        approve_registration_import,
        stage_registration_import,
        upload_registration_import,
    )
    from passage.registry.models import Person

    source = scratch / "people.csv"
    households = write_people_csv(source, PEOPLE)
    print(f"  {PEOPLE:,} people in {households:,} households, {source.stat().st_size / 1e6:.0f} MB of CSV")

    def baseline() -> None:
        # The same people, parsed by csv and written by Django's bulk_create (no checks, no phones, no consent).
        with source.open(encoding="utf-8") as handle, transaction.atomic():
            reader = csv.DictReader(handle)
            batch: list[Person] = []
            for row in reader:
                batch.append(
                    Person(
                        operation=operation,
                        reference=f"B-{uuid.uuid4().hex[:20]}",
                        given_name=row["given_name"],
                        family_name=row["family_name"],
                        given_name_latin=row["given_name_latin"],
                        family_name_latin=row["family_name_latin"],
                        sex="female" if row["sex"] == "F" else "male",
                    )
                )
                if len(batch) == 5000:
                    Person.objects.bulk_create(batch)
                    batch.clear()
            Person.objects.bulk_create(batch)

    plain = timed("baseline: csv + Django bulk_create of the people", baseline)
    # Out of the timing, and without Django's cascade collector (nothing hangs off these rows).
    baseline_rows = Person.objects.filter(reference__startswith="B-")
    baseline_rows._raw_delete(baseline_rows.db)  # type: ignore[attr-defined]
    upload: dict[str, Any] = {}

    def stage() -> None:
        upload["import"] = upload_registration_import(
            acting_user=None, operation=operation, filename="people.csv", content=source.read_bytes()
        )
        upload["import"] = stage_registration_import(registration_import=upload["import"])

    def commit() -> None:
        upload["import"] = approve_registration_import(registration_import=upload["import"], acting_user=None)

    staging = timed("import: read, map, check and stage every row", stage)
    committing = timed("import: commit (households, people, phones, documents, consent)", commit)
    done = upload["import"]
    if done.people_created != PEOPLE:
        raise RuntimeError(f"imported {done.people_created} of {PEOPLE}: {done.problem}")
    total = staging + committing
    memory = peak_memory_mb()
    print(f"  end to end {PEOPLE / total:,.0f} rows/s; peak memory {memory:,.0f} MB")

    from passage.registry.queries import search_people

    if connection.vendor == "sqlite":
        connection.cursor().execute("ANALYZE")
    rng = random.Random(11)  # noqa: S311
    from passage.registry.demo_names import ARABIC_FAMILY, ARABIC_FEMALE, ARABIC_MALE

    terms = [rng.choice(rng.choice((ARABIC_MALE, ARABIC_FEMALE)))[1][0] for _ in range(SEARCHES // 2)]
    terms += [f"{rng.choice(ARABIC_MALE)[0]} {rng.choice(ARABIC_FAMILY)[0]}" for _ in range(SEARCHES - len(terms))]
    superuser = _superuser()
    latencies = []
    for term in terms:
        started = time.perf_counter()
        list(search_people(superuser, operation, term).order_by()[:25].values_list("id", flat=True))
        latencies.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(latencies, n=20)
    p50, p95 = statistics.median(latencies), quantiles[18]
    print(f"  name search over {Person.objects.count():,} people: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return {
        "people": PEOPLE,
        "households": households,
        "baseline_bulk_create_s": round(plain, 2),
        "baseline_rows_per_second": round(PEOPLE / plain),
        "stage_s": round(staging, 2),
        "commit_s": round(committing, 2),
        "import_rows_per_second": round(PEOPLE / total),
        "ratio_to_baseline": round(total / plain, 2),
        "peak_memory_mb": memory,
        "name_search": {"searches": len(terms), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)},
    }


def _superuser() -> Any:
    from passage.core.models import User

    user, _ = User.objects.get_or_create(username="bench-superuser", defaults={"is_superuser": True})
    return user
