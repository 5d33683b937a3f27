"""Rotating the encryption keys: queue (or resume) the job that moves every value and file to the current key."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from passage.core import audit, crypto
from passage.core.actions.jobs import _enqueue, start_job
from passage.core.models import Job, Operation, User
from passage.core.models.jobs import JobState
from passage.core.rotation import KIND


@transaction.atomic
def rotate_keys(*, acting_user: User | None, operation: Operation | None = None) -> Job:
    """The `core.reencrypt` job for the current key: the one already queued or running if there is one, the
    last one that failed or was cancelled (resumed from its checkpoint) if it was for this key, else a new one.

    Keys are installation-wide, so only a platform administrator (or the command line, acting_user=None) may
    rotate them. The job is listed under `operation` (default: the oldest operation)."""
    if acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied("keys.rotate")
    current = crypto.current_key_id()
    under_way = Job.objects.select_for_update().filter(kind=KIND).unfinished().order_by("-created_at").first()
    if under_way is not None:
        return under_way
    stopped = (
        Job.objects.select_for_update()
        .filter(kind=KIND, state__in=(JobState.FAILED, JobState.CANCELLED), params__key=current)
        .order_by("-created_at")
        .first()
    )
    changes = {"key": [None, current], "keys_listed": [None, len(crypto.key_ids())]}
    if stopped is not None:
        before = stopped.state
        stopped.state, stopped.finished_at = JobState.QUEUED, None
        stopped.save(update_fields=["state", "finished_at"])
        audit.record(
            acting_user,
            "keys.rotate",
            stopped,
            actor_username="system",
            changes={**changes, "state": [before, JobState.QUEUED]},
            note="resumed",
        )
        _enqueue(stopped)
        return stopped
    operation = operation or Operation.objects.order_by("created_at").first()
    if operation is None:
        raise ValidationError(_("There is no operation yet to list the job under; create one first."))
    job = start_job(acting_user=None, operation=operation, kind=KIND, params={"key": current})
    audit.record(acting_user, "keys.rotate", job, actor_username="system", changes=changes)
    return job
