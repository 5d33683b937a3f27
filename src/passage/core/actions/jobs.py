"""Starting, cancelling and retrying background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.core import audit
from passage.core.access import can
from passage.core.jobs import KINDS
from passage.core.models import Job, Operation, User
from passage.core.models.jobs import JobState


def _enqueue(job: Job) -> None:
    from passage.core.tasks import run_job

    transaction.on_commit(lambda: run_job(str(job.pk)))


@transaction.atomic
def start_job(
    *, acting_user: User | None, operation: Operation, kind: str, params: dict[str, Any] | None = None, title: str = ""
) -> Job:
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("Unknown kind of job: %(kind)s") % {"kind": kind}})
    if acting_user is not None and not (spec.user_startable and can(acting_user, spec.permission, operation)):
        raise PermissionDenied(spec.permission)
    job = Job.objects.create(
        operation=operation, kind=kind, title=title or spec.title, params=params or {}, created_by=acting_user
    )
    audit.record(
        acting_user,
        "job.start",
        job,
        actor_username="system",
        changes={"kind": [None, kind], "params": [None, params or {}]},
    )
    _enqueue(job)
    return job


@transaction.atomic
def cancel_job(*, job: Job, acting_user: User) -> Job:
    if not (job.created_by_id == acting_user.pk or can(acting_user, "job.view_all", job)):
        raise PermissionDenied
    if job.is_finished:
        raise ValidationError(_("This job has already finished."))
    before = job.state
    Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, finished_at=timezone.now())
    job.refresh_from_db()
    audit.record(acting_user, "job.cancel", job, changes={"state": [before, JobState.CANCELLED]})
    return job


@transaction.atomic
def retry_job(*, job: Job, acting_user: User) -> Job:
    """Queue a failed or cancelled job again; it resumes from its checkpoint."""
    if not (job.created_by_id == acting_user.pk or can(acting_user, "job.view_all", job)):
        raise PermissionDenied
    if job.state not in (JobState.FAILED, JobState.CANCELLED):
        raise ValidationError(_("Only a failed or cancelled job can be retried."))
    before = job.state
    job.state = JobState.QUEUED
    job.finished_at = None
    job.save(update_fields=["state", "finished_at"])
    audit.record(acting_user, "job.retry", job, changes={"state": [before, JobState.QUEUED]})
    _enqueue(job)
    return job


@transaction.atomic
def fail_stalled_jobs(*, older_than_minutes: int = 10) -> int:
    """Running jobs whose worker stopped sending heartbeats are marked failed, so they can be retried."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    stalled = list(Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=cutoff))
    for job in stalled:
        job.errors = [*job.errors, {"message": "The worker stopped while running this job.", "fatal": True}]
        job.state = JobState.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["errors", "state", "finished_at"])
        audit.record(
            None, "job.stalled", job, actor_username="system", changes={"state": [JobState.RUNNING, JobState.FAILED]}
        )
    return len(stalled)
