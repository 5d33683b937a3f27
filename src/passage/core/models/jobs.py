"""Background jobs as people see them: what runs, how far it got, what it produced or why it failed."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models.operations import Operation

if TYPE_CHECKING:
    from passage.core.models.users import User


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: User) -> JobQuerySet:
        """One's own jobs, and every job of the operations where one may see all jobs — except the jobs of private
        kinds (exports), which only the person who started them sees."""
        if not user.is_authenticated:
            return self.none()
        from passage.core.jobs import private_kinds

        private = private_kinds()
        jobs = self.filter(~models.Q(kind__in=private) | models.Q(created_by=user)) if private else self
        if user.is_superuser:
            return jobs
        from passage.core.models.users import Membership

        overseen = Membership.objects.filter(user=user, is_active=True, role__grants__permission="job.view_all").values(
            "operation_id"
        )
        mine_in_my_operations = models.Q(created_by=user) & models.Q(
            operation_id__in=Membership.objects.filter(user=user, is_active=True).values("operation_id")
        )
        return jobs.filter(mine_in_my_operations | models.Q(operation_id__in=overseen))

    def unfinished(self) -> JobQuerySet:
        return self.exclude(state__in=FINISHED_STATES)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    checkpoint = models.JSONField(default=dict, blank=True, help_text="Where a resumed run picks up")
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        indexes = [models.Index(fields=["operation", "-created_at"], name="jobs_by_operation")]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES
