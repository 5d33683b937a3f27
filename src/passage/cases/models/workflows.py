"""An operation's own versions of a workflow, written by its administrators in the browser.

The workflows Passage ships (passage.cases.workflows.library) are every operation's without a row here. An
administrator's edit is a new version for their operation only: a draft while it is written (one per workflow
at a time), then published, after which it never changes. A case keeps the (code, version) it was opened on;
passage.cases.procedure.resolve reads it back for the case's operation, from a row here or from the library.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models import Operation

__all__ = ["WorkflowVersion"]


class WorkflowVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="workflow_versions")
    code = models.CharField(_("workflow"), max_length=64)
    # Above every version of the code shipped or published when the draft was written (the file's `version:`).
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)  # the English name in the text, for lists
    text = models.TextField(_("YAML"))
    digest = models.CharField(max_length=64)  # sha256 of the text, as Workflow.digest
    # What the last check found: warnings only (text with errors is never saved), as
    # [{"severity", "line", "path", "message"}].
    problems = models.JSONField(default=list, blank=True)
    based_on_version = models.PositiveIntegerField(_("started from version"), null=True, blank=True)
    shipped_file = models.CharField(_("shipped file"), max_length=200, blank=True)  # e.g. avrr.yaml
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved"))
    revision = models.PositiveIntegerField(default=1)  # each save of the draft: two editors never overwrite
    published = models.BooleanField(_("published"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("workflow version")
        constraints = [
            models.UniqueConstraint(fields=["operation", "code", "version"], name="workflow_version_unique"),
            models.UniqueConstraint(
                fields=["operation", "code"], condition=models.Q(published=False), name="one_workflow_draft"
            ),
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(published_at__isnull=False),
                name="published_workflow_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return not self.published
