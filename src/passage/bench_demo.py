"""`make bench`, demo registry: `passage demo --people N` (default a million, PASSAGE_BENCH_DEMO_PEOPLE) timed on
the bench's database, in a process of its own so that its peak memory is its own.

Reports people per second of wall clock and per second of the loading process's CPU (machines are shared: the CPU
figure is the steadier one; PostgreSQL's own work is not in it), and the peak resident memory of the loading
process. Run alone with `python -m passage.bench_demo`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PEOPLE = int(os.environ.get("PASSAGE_BENCH_DEMO_PEOPLE", "1000000"))


def run(timed: Any) -> dict[str, Any]:
    """Called by passage.bench: the load in a child process, its figures returned."""
    result: dict[str, Any] = {}

    def load() -> None:
        child = subprocess.run(
            [sys.executable, "-m", "passage.bench_demo"], capture_output=True, text=True, check=False
        )
        if child.returncode != 0:
            raise RuntimeError(f"demo registry load failed:\n{child.stdout}\n{child.stderr}")
        result.update(json.loads(child.stdout.strip().splitlines()[-1]))

    timed(f"demo registry: {PEOPLE:,} people (passage demo --people)", load)
    print(
        f"  {result['people_per_second']:,} people/s ({result['people_per_cpu_second']:,} per CPU second); "
        f"peak memory {result['peak_memory_mb']:,} MB; {result['registered_again']:,} registered again"
    )
    return result


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from passage.core.models import Operation
    from passage.registry.actions import import_admin_areas
    from passage.registry.demo_registry import DemoAlreadyLoaded, build_demo_registry
    from passage.registry.tabular import read_table

    call_command("migrate", "--no-input", "-v", "0")
    operation, _created = Operation.objects.get_or_create(
        code="bench-demo", defaults={"name": "Bench demo registry", "country": "IQ"}
    )
    areas = Path(__file__).parent / "registry" / "demo" / "irq_adm2.csv"
    import_admin_areas(table=read_table(areas), country="IQ", acting_user=None, source="demo extract")
    wall, cpu = time.perf_counter(), time.process_time()
    for seed in range(7, 40):  # a database kept from an earlier bench has the first seeds already
        try:
            built = build_demo_registry(operation=operation, people=PEOPLE, seed=seed)
            break
        except DemoAlreadyLoaded:
            continue
    else:
        raise RuntimeError("every bench seed is loaded already: use a fresh database")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    figures = {
        "database": connection.vendor,
        "people": built.people,
        "households": built.households,
        "registered_again": built.duplicates,
        "seed": built.seed,
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "people_per_second": round(built.people / wall),
        "people_per_cpu_second": round(built.people / cpu),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
