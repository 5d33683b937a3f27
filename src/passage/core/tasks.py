"""Huey tasks of the core app. Thin: they call the job runner and actions."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from passage.core import job_kinds  # noqa: F401  (registers the core job kinds)
from passage.core.jobs import execute


@db_task()
def run_job(job_id: str) -> None:
    execute(job_id)


@db_periodic_task(crontab(minute="*"))
def fail_stalled_jobs_every_minute() -> None:
    from passage.core.actions import fail_stalled_jobs

    fail_stalled_jobs()
