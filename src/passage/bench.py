"""`make bench`: speed figures, each compared with a baseline measured in the same run.

Written to DATA_DIR/bench/results.json (default var/bench/). Machines are shared and noisy, so the
figures that matter are the ratios, not the seconds.
Runs against a throwaway SQLite database unless DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVENTS = int(os.environ.get("PASSAGE_BENCH_EVENTS", "5000"))


def _timed(label: str, work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    print(f"  {label:<52} {elapsed:8.3f} s")
    return elapsed


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="passage-bench-"))
    os.environ.setdefault("PASSAGE_DATA_DIR", str(scratch))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from passage.core import audit
    from passage.core.models import AuditEvent, Operation

    call_command("migrate", "--no-input", "-v", "0")
    operation, _ = Operation.objects.get_or_create(code="bench", defaults={"name": "Bench", "country": "IQ"})
    print(f"Benchmarks on {connection.vendor}, {EVENTS} audit events")

    def plain_inserts() -> None:
        # Baseline: the same rows with no chain (no lock, no tail read, no hash), one transaction each.
        for n in range(EVENTS):
            with transaction.atomic():
                AuditEvent.objects.bulk_create(
                    [
                        AuditEvent(
                            at=timezone.now(),
                            action="bench.plain",
                            operation_id=operation.pk,
                            object_id=str(n),
                            prev_hash="-",
                            hash=f"plain-{n}-{time.monotonic_ns()}",
                        )
                    ]
                )

    def chained_records() -> None:
        for n in range(EVENTS):
            with transaction.atomic():
                audit.record(None, "bench.chained", operation, changes={"n": [None, n]}, actor_username="bench")

    plain = _timed("baseline: plain insert, one transaction each", plain_inserts)
    chained = _timed("audit.record (lock + tail + SHA-256), one transaction each", chained_records)
    chained_events = list(AuditEvent.objects.filter(action="bench.chained").order_by("id"))

    def hash_only() -> None:
        for event in chained_events:
            event.compute_hash()

    def verify() -> None:
        first = chained_events[0]
        report = audit.verify_chain(
            AuditEvent.objects.filter(action="bench.chained", id__gt=first.id).order_by("id").iterator(2000),
            expected_prev=first.hash,
        )
        if not report.ok:
            raise RuntimeError(report.problem)

    hashing = _timed("baseline: hash every event in memory", hash_only)
    verifying = _timed("verify the chain (read from the database + hash)", verify)
    results = {
        "database": connection.vendor,
        "python": platform.python_version(),
        "events": EVENTS,
        "audit_append": {
            "plain_insert_s": plain,
            "chained_record_s": chained,
            "chained_per_second": round(EVENTS / chained, 1),
            "ratio_to_plain_insert": round(chained / plain, 2),
        },
        "audit_verify": {
            "hash_only_s": hashing,
            "verify_s": verifying,
            "verified_per_second": round(EVENTS / verifying, 1),
            "ratio_to_hash_only": round(verifying / hashing, 2),
        },
    }
    print("Registry import and search")
    from passage import bench_registry

    results["registry"] = bench_registry.run(operation, scratch, _timed)
    from passage import bench_matching

    results["matching"] = bench_matching.run(scratch)
    print("Demo registry")
    from passage import bench_demo

    results["demo_registry"] = bench_demo.run(_timed)
    print("Cases")
    from passage import bench_cases

    results["cases"] = bench_cases.run(_timed)
    print("Live duplicate check")
    from passage import bench_live

    results["live_check"] = {"in_process": bench_matching.run_live(scratch), "over_http": bench_live.run()}
    out_dir = Path(os.environ.get("PASSAGE_BENCH_DIR", str(settings.REPO_DIR / "var" / "bench")))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(f"Written to {out_dir / 'results.json'}")


if __name__ == "__main__":
    main()
