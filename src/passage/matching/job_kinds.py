"""Background jobs of matching: scoring the registry of an operation, or one import, for duplicates."""

from __future__ import annotations

from passage.core.jobs import JobContext, job_kind


@job_kind(
    "matching.registry",
    title="Find duplicate people",
    permission="person.register",
    description="Scores the registry of an operation, or one import against itself and the registry, for duplicates.",
    user_startable=False,  # only matching.actions.start_match_run starts it, with its checks and its audit
)
def registry(ctx: JobContext) -> None:
    from passage.matching.actions import run_match

    run_match(ctx)
