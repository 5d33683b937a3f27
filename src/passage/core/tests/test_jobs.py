"""Background jobs through the real Huey task (immediate mode in tests): progress, results, retry."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from passage.core import actions
from passage.core.jobs import JobContext, JobFailed, job_kind, open_result
from passage.core.models import Job


@pytest.fixture
def flaky_kind():
    calls = {"n": 0}

    @job_kind("test.flaky", title="Flaky import")
    def flaky(ctx: JobContext) -> None:
        start = int(ctx.checkpoint.get("row", 0))
        for row in range(start, 10):
            if row == 5 and calls["n"] == 0:
                calls["n"] += 1
                raise JobFailed("The database went away at row 6")
            ctx.progress(row + 1, 10, checkpoint={"row": row + 1})
        ctx.finish(rows=10, resumed_from=start)

    return calls


def test_caseworker_runs_the_worker_selftest(caseworker, operation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_job(
            acting_user=caseworker, operation=operation, kind="core.selftest", params={"pace": 0, "rounds": 1}
        )
    job.refresh_from_db()
    assert job.state == "succeeded", job.errors
    assert job.percent == 100 and job.progress_done == job.progress_total == 5
    assert job.result_file.name.endswith(".csv")
    assert b"file storage write" not in job.result_file.read()  # stored sealed
    assert b"file storage write" in open_result(job).read()


def test_failed_job_resumes_from_its_checkpoint(caseworker, operation, flaky_kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_job(acting_user=caseworker, operation=operation, kind="test.flaky")
    job.refresh_from_db()
    assert job.state == "failed" and job.progress_done == 5
    assert job.errors[-1]["message"] == "The database went away at row 6"
    with django_capture_on_commit_callbacks(execute=True):
        actions.retry_job(job=job, acting_user=caseworker)
    job.refresh_from_db()
    assert job.state == "succeeded" and job.attempts == 2
    assert job.result == {"rows": 10, "resumed_from": 5}


def test_audit_verify_needs_the_permission(caseworker, dpo, operation, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        actions.start_job(acting_user=caseworker, operation=operation, kind="core.audit_verify")
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_job(acting_user=dpo, operation=operation, kind="core.audit_verify")
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["ok"] is True


def test_jobs_are_seen_by_their_owner_and_overseers_only(caseworker, persona, operation, outsider):
    job = actions.start_job(acting_user=caseworker, operation=operation, kind="core.selftest")
    colleague, overseer = persona("caseworker"), persona("me_officer")
    assert job in Job.objects.visible_to(caseworker)
    assert job not in Job.objects.visible_to(colleague)
    assert job in Job.objects.visible_to(overseer)
    assert job not in Job.objects.visible_to(outsider)


def test_cancel_stops_a_queued_job(caseworker, operation):
    job = actions.start_job(acting_user=caseworker, operation=operation, kind="core.selftest")
    actions.cancel_job(job=job, acting_user=caseworker)
    job.refresh_from_db()
    assert job.state == "cancelled"
