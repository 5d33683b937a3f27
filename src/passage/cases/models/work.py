"""What hangs off a case: tasks, notes, documents and second-person approvals. Each is seen only through its
case (Case.objects.visible_to); private notes only by their author and the case's named staff."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.cases.models.cases import Case
from passage.core.fields import EncryptedTextField


class TaskSource(models.TextChoices):
    MANUAL = "manual", _("Added by hand")
    WORKFLOW = "workflow", _("On entering a state")
    FOLLOW_UP = "follow_up", _("Scheduled follow-up")
    NOTIFICATION = "notification", _("Notification")
    ESCALATION = "escalation", _("Escalation")


class Task(models.Model):
    """Something to do on a case by a date, for a person or for whoever holds a role. A notification from the
    workflow is a task too (to read and acknowledge), so nothing a workflow asks for is missed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="case_tasks"
    )
    assignee_role = models.CharField(_("for the role"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=TaskSource.choices, default=TaskSource.MANUAL)
    state = models.CharField(_("created in state"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "created_at", "id"]
        verbose_name = _("task")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | ~models.Q(assignee_role=""), name="task_has_an_assignee"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "done_at"], name="task_by_case"),
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_at__isnull=True, due_on__isnull=False),
                name="open_task_by_due",
            ),
            # The cases with an open task past its date (the caseload's overdue), from the index alone.
            models.Index(
                fields=["due_on"], include=["case"], condition=models.Q(done_at__isnull=True), name="open_task_late"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class CaseNote(models.Model):
    """A note on the case, encrypted at rest. A private note is read only by its author and the case's named
    staff (its caseworker and those granted access by name)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("note"))
    private = models.BooleanField(_("private"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("case note")
        indexes = [models.Index(fields=["case", "-created_at"], name="note_by_case")]

    def __str__(self) -> str:
        return f"note on {self.case_id}"


class CaseDocument(models.Model):
    """A file on the case, sealed at rest (passage.core.file_crypto), bound to this row. Its kind is one of the
    workflow's document kinds, which is how "documents present" is checked before a transition. Removing a
    document deletes the file and keeps the row (who removed what, when, why)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    filename = EncryptedTextField(_("file name"))  # names often say whose and what ("medical_report_amal.pdf")
    file = models.FileField(upload_to="cases/documents/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.TextField(_("reason for removing"), blank=True)

    class Meta:
        ordering = ["-uploaded_at", "id"]
        verbose_name = _("case document")
        indexes = [models.Index(fields=["case", "removed_at"], name="document_by_case")]

    def __str__(self) -> str:
        return self.title or self.kind

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class CaseApproval(models.Model):
    """Four eyes: a transition that needs a second person is requested by one and decided by another. An
    approval counts for the state it was asked in, once: the transition it allowed uses it up."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    transition = models.CharField(_("transition"), max_length=64)
    state = models.CharField(_("asked in state"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    note = models.TextField(_("note"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ApprovalDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)
    approver_role = models.CharField(_("approved as"), max_length=40, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "id"]
        verbose_name = _("approval")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "transition"],
                condition=models.Q(decision="") & models.Q(used_at__isnull=True),
                name="one_pending_approval_per_transition",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="") | models.Q(decided_at__isnull=False), name="decided_approval_has_a_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transition} on {self.case_id}"

    @property
    def is_pending(self) -> bool:
        return not self.decision
