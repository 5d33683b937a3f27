"""Jobs the core app offers: a worker self-test anyone can run, verifying the audit chain, and moving encrypted
values and files to the current key."""

from __future__ import annotations

import csv
import io
import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from passage.core import audit, rotation
from passage.core.jobs import JobContext, JobFailed, job_kind
from passage.core.models import AuditEvent, Job


@job_kind(
    "core.selftest",
    title="Worker self-test",
    description="Checks that the background worker, the database and file storage answer, "
    "step by step, and writes a short report.",
)
def worker_selftest(ctx: JobContext) -> None:
    pace = min(max(float(ctx.params.get("pace", 0.6)), 0.0), 5.0)
    checks = [
        ("queue delay", _queue_delay),
        ("database read", _database_read),
        ("database clock", _database_clock),
        ("file storage write", _storage_roundtrip),
        ("audit chain tail", _audit_tail),
    ]
    rounds = max(1, min(int(ctx.params.get("rounds", 2)), 20))
    total = len(checks) * rounds
    start = int(ctx.checkpoint.get("step", 0))
    report = list(ctx.checkpoint.get("report", []))
    for step in range(start, total):
        name, check = checks[step % len(checks)]
        began = time.perf_counter()
        outcome = check(ctx.job)
        report.append([step + 1, name, outcome, round((time.perf_counter() - began) * 1000, 2)])
        time.sleep(pace)
        ctx.progress(step + 1, total, stage=f"{name}: {outcome}", checkpoint={"step": step + 1, "report": report})
        ctx.count("checks")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["step", "check", "outcome", "milliseconds"])
    writer.writerows(report)
    ctx.attach(f"selftest-{ctx.job.pk}.csv", out.getvalue().encode("utf-8"))
    ctx.finish(checks=len(report))


def _queue_delay(job: Job) -> str:
    started = job.started_at or timezone.now()
    return f"{(started - job.created_at).total_seconds():.2f} s from queued to started"


def _database_read(job: Job) -> str:
    return f"{Job.objects.filter(operation_id=job.operation_id).count()} jobs in this operation"


def _database_clock(job: Job) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_TIMESTAMP")
        (now,) = cursor.fetchone()
    return f"{connection.vendor} answers at {now}"


def _storage_roundtrip(job: Job) -> str:
    name = default_storage.save(f"selftest/{uuid.uuid4()}.txt", ContentFile(b"passage"))
    try:
        with default_storage.open(name) as handle:
            ok = handle.read() == b"passage"
    finally:
        default_storage.delete(name)
    if not ok:
        raise JobFailed("File storage returned different bytes than were written.")
    return "written, read back and removed"


def _audit_tail(job: Job) -> str:
    last = list(AuditEvent.objects.order_by("-id")[:50])[::-1]
    if not last:
        return "no events yet"
    report = audit.verify_chain(last[1:], expected_prev=last[0].hash)
    if not report.ok:
        raise JobFailed(report.problem)
    return f"last {len(last)} events link up"


@job_kind(
    "core.audit_verify",
    title="Verify the audit chain",
    permission="audit.verify",
    description="Recomputes every audit event's hash and names the first broken link.",
)
def verify_audit_chain(ctx: JobContext) -> None:
    total = AuditEvent.objects.count()
    expected_prev = ctx.checkpoint.get("prev", audit.GENESIS)
    after_id = int(ctx.checkpoint.get("after_id", 0))
    checked = int(ctx.checkpoint.get("checked", 0))
    batch: list[AuditEvent] = []
    for event in audit.iter_chain(after_id):
        batch.append(event)
        if len(batch) == 5000:
            expected_prev, after_id, checked = _verify_batch(ctx, batch, expected_prev, checked, total)
            batch = []
    expected_prev, after_id, checked = _verify_batch(ctx, batch, expected_prev, checked, total)
    ctx.finish(ok=True, checked=checked)


def _verify_batch(
    ctx: JobContext, batch: list[AuditEvent], prev: str, checked: int, total: int
) -> tuple[str, int, int]:
    if not batch:
        return prev, int(ctx.checkpoint.get("after_id", 0)), checked
    report = audit.verify_chain(batch, expected_prev=prev)
    if not report.ok:
        ctx.finish(ok=False, broken_at=report.broken_at, problem=report.problem)
        raise JobFailed(report.problem)
    checked += report.checked
    last = batch[-1]
    ctx.progress(
        checked,
        max(total, checked),
        stage=f"checked up to event #{last.id}",
        checkpoint={"prev": last.hash, "after_id": last.id, "checked": checked},
    )
    return last.hash, last.id, checked


@job_kind(
    "core.reencrypt",
    title="Re-encrypt with the current key",
    permission="operation.manage",
    description="Re-seals every encrypted value and file that an older key sealed (after a new key was put first "
    "in PASSAGE_ENCRYPTION_KEYS). Started by `passage keys rotate`.",
    user_startable=False,  # installation-wide: started from the command line by whoever holds the keys
)
def reencrypt(ctx: JobContext) -> None:
    rotation.rotate(ctx)
