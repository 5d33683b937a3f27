"""`make bench`, the live duplicate check over HTTP: POST /api/v1/matching/candidates to a gunicorn server started
as `passage run` starts it (one worker, four threads), against the bench's database.

The people are the demo registry bench_demo loads (PASSAGE_BENCH_DEMO_PEOPLE, a million by default) when it is
there, else a demo registry of PASSAGE_BENCH_LIVE_HTTP_PEOPLE built here. The server reads the registry into its
index on the first question (in the background: it answers "not ready" meanwhile; that time is reported as the
build from the database). Then PASSAGE_BENCH_LIVE_QUERIES questions, one after another on one keep-alive
connection: each is the second registration of someone the demo registered twice (its truth file), sent with
every field the wizard would send (names as written and in Latin letters, sex, birth date and precision, phones,
documents, area). That registration is in the registry too, so it is normally the first answer; what is counted
as found is the first registration among the five answers. Latency is the client's: request, server, response,
JSON read. The in-process figures (synthetic registry, held-out duplicates) are bench_matching's live section.

Run alone with `python -m passage.bench_live` (a scratch database under a temporary directory).
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

QUERIES = int(os.environ.get("PASSAGE_BENCH_LIVE_QUERIES", "2000"))
PEOPLE = int(os.environ.get("PASSAGE_BENCH_LIVE_HTTP_PEOPLE", "1000000"))
READY_WITHIN_S = 3600


def _registry() -> tuple[Any, Path]:
    """The operation with a demo registry and its truth file (bench_demo's, or one built here)."""
    from django.conf import settings

    from passage.core.models import Operation
    from passage.registry.actions import import_admin_areas
    from passage.registry.demo_registry import build_demo_registry
    from passage.registry.models import Person
    from passage.registry.tabular import read_table

    truth_dir = Path(settings.DATA_DIR) / "demo"
    for code in ("bench-demo", "bench-live"):
        operation = Operation.objects.filter(code=code).first()
        truths = sorted(truth_dir.glob(f"{code}-seed*-truth.csv"))
        if operation is not None and truths and Person.objects.filter(operation=operation).exists():
            return operation, truths[0]
    operation, _created = Operation.objects.get_or_create(
        code="bench-live", defaults={"name": "Bench live check", "country": "IQ"}
    )
    areas = Path(__file__).parent / "registry" / "demo" / "irq_adm2.csv"
    import_admin_areas(table=read_table(areas), country="IQ", acting_user=None, source="demo extract")
    started = time.perf_counter()
    build_demo_registry(operation=operation, people=PEOPLE, seed=7)
    print(f"  demo registry of {PEOPLE:,} people built for the live check in {time.perf_counter() - started:.0f} s")
    return operation, truth_dir / f"{operation.code}-seed7-truth.csv"


def _questions(operation: Any, truth: Path, count: int) -> list[tuple[dict[str, Any], str]]:
    """(request body, id of the first registration) for `count` people registered twice."""
    from django.utils import timezone

    from passage.registry.models import Person

    with truth.open(encoding="utf-8") as handle:
        pairs = [(r["reference_a"], r["reference_b"]) for r in csv.DictReader(handle) if r["same_person"] == "yes"]
    chosen = random.Random(3).sample(pairs, min(count, len(pairs)))  # noqa: S311 (a sample, not a secret)
    references = sorted({ref for pair in chosen for ref in pair})
    people: dict[str, Person] = {}
    for start in range(0, len(references), 500):  # SQLite limits how large one query's expression grows
        people.update(
            (p.reference, p)
            for p in Person.objects.filter(operation=operation, reference__in=references[start : start + 500])
            .select_related("admin_area")
            .prefetch_related("phones", "documents", "household_memberships__household__admin_area")
        )
    questions = []
    today = timezone.localdate()  # as the registration checks a birth date
    for first, second in chosen:
        if first not in people or second not in people:
            continue
        person = people[second]
        if person.birth_date and person.birth_date > today:
            continue  # a few demo people are born "later this year": registration would refuse the date too
        names = ("given_name", "father_name", "grandfather_name", "family_name", "full_name")
        area = person.admin_area or next(
            (m.household.admin_area for m in person.household_memberships.all() if m.left_on is None), None
        )
        body: dict[str, Any] = {
            "operation": str(operation.pk),
            **{name: getattr(person, name) for name in names},
            **{f"{name}_latin": getattr(person, f"{name}_latin") for name in names},
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "birth_date_precision": person.birth_date_precision if person.birth_date else "",
            "phones": [phone.number for phone in person.phones.all()],
            "documents": [
                {"type": d.type, "number": d.number, "issuing_country": d.issuing_country}
                for d in person.documents.all()
            ],
            "admin_area": area.pcode if area else None,
        }
        questions.append((body, str(people[first].pk)))
    return questions


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(connection: http.client.HTTPConnection, token: str, body: dict[str, Any]) -> dict[str, Any]:
    connection.request(
        "POST",
        "/api/v1/matching/candidates",
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(f"live check answered {response.status}: {payload[:500]!r}")
    return json.loads(payload)  # type: ignore[no-any-return]


def run(queries: int = QUERIES) -> dict[str, Any]:
    from passage.core.actions import create_api_token
    from passage.core.models import User
    from passage.registry.models import Person

    operation, truth = _registry()
    people = Person.objects.filter(operation=operation).count()
    asked = _questions(operation, truth, queries)
    user, _created = User.objects.get_or_create(username="bench-live", defaults={"is_superuser": True})
    _token, token = create_api_token(acting_user=user, name="bench live check")
    port = _free_port()
    serve = ["passage.config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
    log = (Path(os.environ.get("PASSAGE_DATA_DIR", ".")) / "bench-live-server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and module, as `passage run` starts it)
        [sys.executable, "-m", "gunicorn", *serve, "--timeout", "120"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        connection = _connect(port)
        started = time.perf_counter()
        while not _post(connection, token, asked[0][0])["ready"]:
            if time.perf_counter() - started > READY_WITHIN_S:
                raise RuntimeError("the live index was not ready within an hour")
            time.sleep(1)
        build = time.perf_counter() - started
        latencies, found = [], 0
        for body, first in asked:
            began = time.perf_counter()
            answer = _post(connection, token, body)
            latencies.append((time.perf_counter() - began) * 1000)
            found += any(c["person_id"] == first for c in answer["candidates"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    figures = {
        "people": people,
        "index_build_from_database_s": round(build, 1),
        "queries": len(latencies),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(max(latencies), 2),
        "first_registration_found_in_top_5": round(found / len(latencies), 4),
    }
    print(
        f"  live check over HTTP, {people:,} people in the database: index read in {build:.0f} s; "
        f"{len(latencies):,} questions: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms; "
        f"first registration among 5: {figures['first_registration_found_in_top_5']:.1%}"
    )
    return figures


def _connect(port: int) -> http.client.HTTPConnection:
    """A keep-alive connection, once the server listens."""
    for _attempt in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    import tempfile

    os.environ.setdefault("PASSAGE_DATA_DIR", tempfile.mkdtemp(prefix="passage-bench-live-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", "-v", "0")
    print(json.dumps(run()))


if __name__ == "__main__":
    main()
