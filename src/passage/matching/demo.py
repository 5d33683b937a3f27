"""The demo's search for duplicates: `passage demo` leaves the demo operation with a finished run, so the review
queue has pairs to look at on first sight (the demo registers about 3% of its people twice)."""

from __future__ import annotations

from collections.abc import Callable

from passage.core.jobs import execute
from passage.core.models import Operation
from passage.matching.actions import start_match_run
from passage.matching.models import MatchRun, RunState
from passage.matching.registry_records import people_count


def demo_match_run(
    operation: Operation, *, again: bool, progress: Callable[[int, int, str], None] | None = None
) -> MatchRun | None:
    """Run the search now, in this process, if the operation has people and `again` (its registry just grew) or
    no run has finished yet; the run, or None when there was nothing to do."""
    if people_count(operation) < 2:
        return None
    if not again and MatchRun.objects.filter(operation=operation, state=RunState.DONE).exists():
        return None
    run = start_match_run(None, operation)
    execute(run.job_id, on_progress=progress)  # a worker that took it first runs it instead: the run says so
    run.refresh_from_db()
    return run
