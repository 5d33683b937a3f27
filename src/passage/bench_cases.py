"""`make bench`, cases: the caseload and the case page over a million cases (PASSAGE_BENCH_CASES), through the
Django test client as three people — a caseworker limited to one office, an officer limited to another office,
and an administrator who sees every case of the operation.

The cases are written straight into the tables (COPY on PostgreSQL, executemany on SQLite), with the rows a
real operation has around them: a person per case, cases across 20 offices, 4 programmes and their workflows'
states, priorities, 15% closed, 3% restricted with their named staff, open and done tasks (some overdue), the
state change and the audit event of each opening; then ANALYZE. A database that already holds the cases is
reused, so that an index can be tried without building them again.

Each page is asked for PASSAGE_BENCH_CASE_REQUESTS times (200): my cases, my offices, overdue, one state, a
deep page (page 100 of my offices), a case's page, and the API's list and case. Reported per person and page:
p50, p95 and max in milliseconds, and the queries each request made. The target is p95 < 150 ms.

Run alone with `python -m passage.bench_cases` (DATABASE_URL for PostgreSQL; a scratch SQLite database under
a temporary directory otherwise); figures in DATA_DIR/bench/cases.json, and in results.json under "cases" when
run by passage.bench.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

CASES = int(os.environ.get("PASSAGE_BENCH_CASES", "1000000"))
REQUESTS = int(os.environ.get("PASSAGE_BENCH_CASE_REQUESTS", "200"))
OFFICES = 20
CASEWORKERS_PER_OFFICE = 100  # about 500 cases each at a million
PROGRAMMES: tuple[tuple[str, str, str], ...] = (
    ("pda", "Protection", "protection"),
    ("ct", "Counter-trafficking", "counter_trafficking"),
    ("avrr", "Return and reintegration", "return_reintegration"),
    ("rst", "Resettlement", "resettlement"),
)
DEEP_PAGE = 100
BATCH = 20_000  # rows to an executemany on SQLite
CHUNK = 50_000  # cases to a transaction
TARGET_P95_MS = 150


def run(timed: Any) -> dict[str, Any]:
    """Called by passage.bench: the build and the measures in a child process (its own memory and caches)."""
    result: dict[str, Any] = {}

    def measure() -> None:
        child = subprocess.run(
            [sys.executable, "-m", "passage.bench_cases"], capture_output=True, text=True, check=False
        )
        if child.returncode != 0:
            raise RuntimeError(f"cases bench failed:\n{child.stdout[-4000:]}\n{child.stderr[-4000:]}")
        print(child.stdout.rsplit("\n", 2)[0][-6000:])
        result.update(json.loads(child.stdout.strip().splitlines()[-1]))

    timed(f"cases: {CASES:,} cases, caseload and case page", measure)
    return result


# --- writing rows fast ----------------------------------------------------------------------------------------


class Table:
    """Rows of one model written straight into its table: the columns given vary per row, every other column
    takes the field's default (prepared once), as Django would have written it."""

    def __init__(self, model: Any, varying: Sequence[str]) -> None:
        from django.db import connection
        from django.utils import timezone

        self.model = model
        self.varying = list(varying)
        now = timezone.now()
        fixed: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.attname in self.varying or field.get_internal_type().endswith("AutoField"):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = now
            else:
                value = field.get_default()
            fixed[field.column] = field.get_db_prep_save(value, connection)
        columns = {field.attname: field.column for field in model._meta.concrete_fields}
        self.columns = [columns[name] for name in self.varying] + list(fixed)
        self.fixed = tuple(fixed.values())

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        from django.db import connection

        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        written = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + self.fixed)
                        written += 1
                return written
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (names from the model, quoted)
            for chunk in _chunks(rows, BATCH):
                cursor.executemany(sql, [row + self.fixed for row in chunk])
                written += len(chunk)
        return written


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _value(value: Any) -> Any:
    """A value as the database driver takes it: as is for PostgreSQL; for SQLite as Django writes it (UUIDs as 32
    hex digits, times as UTC text)."""
    from django.db import connection

    if connection.vendor == "postgresql" or value is None:
        return value
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- the operation ---------------------------------------------------------------------------------------------


def _setting_up(operation: Any) -> dict[str, Any]:
    """Offices, programmes, caseworkers and the three people measured (made once, found again after)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from passage.cases import procedure
    from passage.core.models import Membership, Office, Programme, Role, User

    with transaction.atomic():
        offices = [
            Office.objects.get_or_create(operation=operation, code=f"o{n:02d}", defaults={"name": f"Office {n}"})[0]
            for n in range(OFFICES)
        ]
        programmes = [
            Programme.objects.get_or_create(
                operation=operation, code=code, defaults={"name": name, "type": kind, "status": "active"}
            )[0]
            for code, name, kind in PROGRAMMES
        ]
        caseworker_role = Role.objects.get(code="caseworker")
        names = [f"bench-cw-{office:02d}-{n:03d}" for office in range(OFFICES) for n in range(CASEWORKERS_PER_OFFICE)]
        if not User.objects.filter(username=names[-1]).exists():
            unusable = make_password(None)
            users = User.objects.bulk_create(
                [User(username=name, first_name="Caseworker", last_name=name[-6:], password=unusable) for name in names]
            )
            memberships = Membership.objects.bulk_create(
                [Membership(user=user, operation=operation, role=caseworker_role) for user in users]
            )
            through = Membership.offices.through
            through.objects.bulk_create(
                [
                    through(membership_id=membership.pk, office_id=offices[n // CASEWORKERS_PER_OFFICE].pk)
                    for n, membership in enumerate(memberships)
                ]
            )
        by_name = dict(User.objects.filter(username__in=names).values_list("username", "id"))
        caseworkers = [
            [by_name[f"bench-cw-{office:02d}-{n:03d}"] for n in range(CASEWORKERS_PER_OFFICE)]
            for office in range(OFFICES)
        ]
        officer = _member(operation, "bench-officer", "movement_officer", offices[1])
        administrator = _member(operation, "bench-administrator", "administrator", None)
    workflows = {programme.pk: procedure.workflow_for(programme) for programme in programmes}
    return {
        "offices": offices,
        "programmes": programmes,
        "caseworkers": caseworkers,
        "caseworker": User.objects.get(pk=caseworkers[0][0]),
        "officer": officer,
        "administrator": administrator,
        "workflows": workflows,
    }


def _member(operation: Any, username: str, role: str, office: Any) -> Any:
    from django.contrib.auth.hashers import make_password

    from passage.core.models import Membership, Role, User

    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": username, "password": make_password(None)}
    )
    if created:
        membership = Membership.objects.create(user=user, operation=operation, role=Role.objects.get(code=role))
        if office is not None:
            membership.offices.set([office])
    return user


def build(operation: Any, world: dict[str, Any], first: int, cases: int, *, seed: int = 11) -> dict[str, int]:
    """Write `cases` cases (numbered from `first`) with the people, tasks, named staff, state changes and audit
    events around them, CHUNK cases to a transaction."""
    written: dict[str, int] = {}
    for start in range(first, first + cases, CHUNK):
        size = min(CHUNK, first + cases - start)
        for table, rows in _build_chunk(operation, world, start, size, seed=seed + start).items():
            written[table] = written.get(table, 0) + rows
        print(f"  {start + size - first:,} of {cases:,} cases written", flush=True)
    return written


def _build_chunk(operation: Any, world: dict[str, Any], first: int, cases: int, *, seed: int) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from passage.cases.models import REFERENCE_PREFIX, Case, CaseAccess, CaseStateChange, Task
    from passage.core.models import AuditEvent
    from passage.registry.models import Person

    rng = random.Random(seed)  # noqa: S311 (made-up cases, not secrets)
    now = timezone.now()
    today = timezone.localdate(now)
    offices, programmes, caseworkers = world["offices"], world["programmes"], world["caseworkers"]
    states = {}
    for programme in programmes:
        workflow = world["workflows"][programme.pk]
        open_states = [state for state in workflow.states if not state.is_final]
        final = next(state for state in workflow.states if state.is_final)
        states[programme.pk] = (workflow, [s.code for s in open_states], final.code)
    bench_caseworker = caseworkers[0][0]
    year = today.year

    people: list[tuple[Any, ...]] = []
    case_rows: list[tuple[Any, ...]] = []
    tasks: list[tuple[Any, ...]] = []
    grants: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for n in range(first, first + cases):
        office_n = rng.randrange(OFFICES)
        office = offices[office_n]
        programme = programmes[rng.randrange(len(programmes))]
        workflow, open_states, final_state = states[programme.pk]
        caseworker = caseworkers[office_n][rng.randrange(CASEWORKERS_PER_OFFICE)]
        person_id, case_id = uuid.uuid4(), uuid.uuid4()
        people.append((_value(person_id), _value(operation.pk), _value(office.pk), f"PB-{n:09d}", f"Person {n}"))
        opened = now - dt.timedelta(days=rng.uniform(0, 3 * 365))
        closed = rng.random() < 0.15
        state = final_state if closed else rng.choice(open_states)
        entered = opened + (now - opened) * rng.uniform(0, 1)
        due = None
        if not closed and rng.random() < 0.6:  # a deadline in the state: one in seven of them passed
            due = now + dt.timedelta(days=rng.uniform(-15, 90))
        roll = rng.random()
        sensitivity = "normal" if roll < 0.97 else "restricted" if roll < 0.99 else "highly_restricted"
        priority = rng.choices((10, 20, 30, 40), weights=(20, 55, 20, 5))[0]
        reference = f"{REFERENCE_PREFIX.get(programme.type, 'CASE')}-{year}-{n + 1:07d}"
        case_rows.append(
            (
                _value(case_id),
                _value(operation.pk),
                _value(programme.pk),
                _value(office.pk),
                reference,
                _value(person_id),
                _value(caseworker),
                workflow.code,
                workflow.version,
                state,
                _value(entered),
                _value(due),
                priority,
                sensitivity,
                _value(opened),
                _value(entered if closed else None),
                "completed" if closed else "",
            )
        )
        if not closed and rng.random() < 0.4:
            due_on = today + dt.timedelta(days=rng.randrange(-10, 30))
            tasks.append(
                (_value(uuid.uuid4()), _value(case_id), "Follow up", _value(due_on), _value(caseworker), None, None)
            )
        if rng.random() < 0.3:
            done_at = _value(opened + dt.timedelta(days=1))
            task = (_value(uuid.uuid4()), _value(case_id), "Screen the person", None, _value(caseworker))
            tasks.append((*task, done_at, _value(caseworker)))
        if sensitivity != "normal":  # a colleague of the office is named (the measured caseworker on 1 in 10 of theirs)
            colleague = caseworkers[office_n][rng.randrange(1, CASEWORKERS_PER_OFFICE)]
            if office_n == 0 and caseworker != bench_caseworker and rng.random() < 0.1:
                colleague = bench_caseworker
            if colleague == caseworker:
                colleague = (
                    caseworkers[office_n][-1] if caseworker != caseworkers[office_n][-1] else caseworkers[office_n][1]
                )
            grants.append((_value(uuid.uuid4()), _value(case_id), _value(colleague), _value(opened), "named"))
        changes.append((_value(uuid.uuid4()), _value(case_id), "opened", state, _value(opened), _value(caseworker)))
        events.append(
            (
                _value(opened),
                _value(caseworker),
                _value(operation.pk),
                "case.open",
                "cases.case",
                str(case_id),
                reference,
                uuid.uuid4().hex + uuid.uuid4().hex,
            )
        )
    written = {}
    with transaction.atomic():
        written["people"] = Table(Person, ["id", "operation_id", "office_id", "reference", "given_name_latin"]).write(
            people
        )
        written["cases"] = Table(
            Case,
            [
                "id",
                "operation_id",
                "programme_id",
                "office_id",
                "reference",
                "person_id",
                "caseworker_id",
                "workflow_code",
                "workflow_version",
                "state",
                "state_entered_at",
                "state_due_at",
                "priority",
                "sensitivity",
                "opened_at",
                "closed_at",
                "closure_reason",
            ],
        ).write(case_rows)
        written["tasks"] = Table(
            Task, ["id", "case_id", "title", "due_on", "assignee_id", "done_at", "done_by_id"]
        ).write(tasks)
        written["named_staff"] = Table(CaseAccess, ["id", "case_id", "user_id", "granted_at", "reason"]).write(grants)
        written["state_changes"] = Table(CaseStateChange, ["id", "case_id", "kind", "to_state", "at", "by_id"]).write(
            changes
        )
        written["audit_events"] = Table(
            AuditEvent,
            ["at", "actor_id", "operation_id", "action", "object_type", "object_id", "object_repr", "hash"],
        ).write(events)
    return written


# --- measuring --------------------------------------------------------------------------------------------------


def _client(user: Any) -> Any:
    """A test client signed in as `user`, past the two-factor step their role may need."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _api_headers(user: Any) -> dict[str, str]:
    from passage.core.actions.tokens import create_api_token

    _token, plaintext = create_api_token(acting_user=user, name="bench")
    return {"Authorization": f"Bearer {plaintext}"}


def _timed_requests(client: Any, paths: Sequence[str], headers: dict[str, str] | None = None) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(paths[0], headers=headers or {})  # warm: templates, the user's grants, the workflow registry
    latencies, queries = [], []
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, headers=headers or {})
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
        queries.append(len(captured.captured_queries))
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        "queries": max(queries),
        "queries_min": min(queries),
    }


def measure(operation: Any, world: dict[str, Any], requests: int, *, seed: int = 5) -> dict[str, Any]:
    """The pages as each of the three people, `requests` times each."""
    from passage.cases.models import Case

    rng = random.Random(seed)  # noqa: S311
    states = sorted({s.code for w in world["workflows"].values() for s in w.states if not s.is_final})
    figures: dict[str, Any] = {}
    for name in ("caseworker", "officer", "administrator"):
        user = world[name]
        client = _client(user)
        visible = Case.objects.visible_to(user).filter(operation=operation)
        sample = _sample(visible, requests, rng)
        pages = {
            "my_cases": ["/cases/?tab=mine"] * requests,
            "my_offices": ["/cases/?tab=office"] * requests,
            "overdue": ["/cases/?tab=overdue"] * requests,
            "by_state": [f"/cases/?tab=state&state={states[n % len(states)]}" for n in range(requests)],
            f"my_offices_page_{DEEP_PAGE}": [f"/cases/?tab=office&page={DEEP_PAGE}"] * requests,
            "case_page": [f"/cases/{pk}/" for pk in sample],
        }
        figures[name] = {
            "open_cases_seen": visible.filter(closed_at__isnull=True).count(),
            **{page: _timed_requests(client, paths) for page, paths in pages.items()},
        }
        headers = _api_headers(user)
        api = {
            "api_list": [f"/api/v1/cases?operation={operation.pk}&tab=office"] * requests,
            "api_case": [f"/api/v1/cases/{pk}" for pk in sample],
        }
        figures[name].update({page: _timed_requests(client, paths, headers) for page, paths in api.items()})
        for page, result in figures[name].items():
            if isinstance(result, dict):
                print(
                    f"  {name:<14} {page:<20} p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms  "
                    f"max {result['max_ms']:7.1f} ms  {result['queries']:3d} queries",
                    flush=True,
                )
    return figures


def _sample(visible: Any, size: int, rng: random.Random) -> list[Any]:
    """`size` cases drawn at random from those a person sees: the first at or after a random key, by the primary
    key's index (ORDER BY random() over a million rows would itself take seconds)."""
    found: list[Any] = []
    for _attempt in range(size * 20):
        if len(found) == size:
            break
        start = uuid.UUID(int=rng.getrandbits(128))
        found.extend(visible.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True)[:1])
    if not found:
        raise RuntimeError("no case to open: the person sees none")
    return (found * size)[:size]


def main() -> None:
    os.environ.setdefault("PASSAGE_DATA_DIR", tempfile.mkdtemp(prefix="passage-bench-cases-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from passage.cases.models import Case
    from passage.core.models import Operation

    call_command("migrate", "--no-input", "-v", "0")
    operation, _created = Operation.objects.get_or_create(
        code="bench-cases", defaults={"name": "Bench cases", "country": "IQ"}
    )
    world = _setting_up(operation)
    existing = Case.objects.filter(operation=operation).count()
    built: dict[str, Any] = {"reused": existing}
    if existing < CASES:
        started = time.perf_counter()
        built.update(build(operation, world, existing, CASES - existing))
        built["build_s"] = round(time.perf_counter() - started, 1)
        print(f"  built {built} in {built['build_s']} s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built["analyze_s"] = round(time.perf_counter() - started, 1)
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=storages):
        pages = measure(operation, world, REQUESTS)
    worst = max(result["p95_ms"] for person in pages.values() for result in person.values() if isinstance(result, dict))
    figures = {
        "database": connection.vendor,
        "cases": Case.objects.filter(operation=operation).count(),
        "requests_per_page": REQUESTS,
        "build": built,
        "pages": pages,
        "worst_p95_ms": worst,
        "target_p95_ms": TARGET_P95_MS,
    }
    out = Path(settings.DATA_DIR) / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "cases.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
