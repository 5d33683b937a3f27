"""Background jobs of matching: scoring the registry of an operation, or one import, for duplicates; deciding
many pairs at once."""

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


@job_kind(
    "matching.bulk",
    title="Decide possible duplicates in bulk",
    permission="person.merge",
    description="Decides many pairs of possible duplicates at once, setting a sample aside for a quality check.",
    user_startable=False,  # only matching.bulk_actions.start_bulk_decision starts it, with its checks and its audit
)
def bulk(ctx: JobContext) -> None:
    from passage.matching.bulk_actions import run_bulk

    run_bulk(ctx)
