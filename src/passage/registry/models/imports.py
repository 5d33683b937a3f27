"""Registration data imports, staged: rows wait here, validated, until a person approves the import."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.fields import EncryptedTextField
from passage.core.models import Job, Office, Operation

if TYPE_CHECKING:
    from passage.core.models import User


class ImportState(models.TextChoices):
    STAGING = "staging", _("Reading and checking")
    VALIDATED = "validated", _("Checked, waiting for approval")
    COMMITTING = "committing", _("Adding to the registry")
    COMMITTED = "committed", _("Added to the registry")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Could not be read")


class ImportQuerySet(models.QuerySet["RegistrationImport"]):
    def visible_to(self, user: User) -> ImportQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        from passage.core.models import Membership

        allowed = Membership.objects.active().filter(user=user, role__grants__permission="person.register")
        return self.filter(operation_id__in=allowed.values("operation_id"))


class ImportTemplate(models.Model):
    """A saved column mapping (column header -> registry field) to reuse for files of the same form."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="import_templates")
    name = models.CharField(_("name"), max_length=120)
    mapping = models.JSONField(default=dict, help_text="column -> registry field")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import template")
        constraints = [models.UniqueConstraint(fields=["operation", "name"], name="one_template_name_per_operation")]

    def __str__(self) -> str:
        return self.name


class RowOutcome(models.TextChoices):
    NEW = "new", _("New person")
    UPDATE = "update", _("Changes to a registered person")
    UNCHANGED = "unchanged", _("Already registered, no change")
    INVALID = "invalid", _("Has errors")


class RegistrationImport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="registration_imports")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    encoding = models.CharField(max_length=32, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="column -> registry field")
    template = models.ForeignKey(ImportTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=12, choices=ImportState.choices, default=ImportState.STAGING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_already_registered = models.PositiveIntegerField(default=0)
    rows_update = models.PositiveIntegerField(default=0)
    households_created = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    people_updated = models.PositiveIntegerField(default=0)
    problem = models.TextField(blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Before approval, the new people are checked against each other and the registry for duplicates
    # (registry.import_checks; matching does the finding). An import whose share of new people in probable
    # pairs passes the operation's ceiling is held: approving it then takes an explicit reason.
    duplicates_checked_at = models.DateTimeField(null=True, blank=True)
    duplicate_share = models.FloatField(
        null=True, blank=True, help_text="Share of the new people who look like someone registered or in the file"
    )
    duplicate_ceiling = models.FloatField(null=True, blank=True, help_text="The operation's ceiling when checked")
    rows_with_duplicates = models.PositiveIntegerField(default=0)
    held_for_review = models.BooleanField(default=False)
    duplicates_accepted_at = models.DateTimeField(null=True, blank=True)
    duplicates_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicates_accepted_reason = models.TextField(blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registration import")

    def __str__(self) -> str:
        return self.filename

    @property
    def awaits_duplicates_decision(self) -> bool:
        """Held for review and nobody has yet accepted its duplicates with a reason."""
        return self.held_for_review and self.duplicates_accepted_at is None


class StagedRow(models.Model):
    """One row of an import as read and checked; it reaches the registry only when the import is approved."""

    id = models.BigAutoField(primary_key=True)
    registration_import = models.ForeignKey(RegistrationImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    household_key = models.CharField(max_length=200)
    # The row's values and, for a registered person, the changes it brings ({field: [old, new]}): personal
    # data, so sealed like every other sensitive value (JSON inside AES-GCM).
    sealed_values = EncryptedTextField(blank=True)
    sealed_changes = EncryptedTextField(blank=True)
    # The row as it will be written (normalised phones and documents, dates with precision), for sound rows.
    sealed_record = EncryptedTextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64, help_text="Identifies the row across imports (Kobo uuid or content)")
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices, default=RowOutcome.NEW)
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The registered person this row is (for updates and unchanged rows)",
    )
    # A new person who looks like someone already registered, or like another row of the file (the likelier).
    duplicate_probability = models.FloatField(null=True, blank=True)
    duplicate_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_row = models.PositiveIntegerField(null=True, blank=True, help_text="Row number of the look-alike row")

    class Meta:
        ordering = ["registration_import", "row_number"]
        indexes = [
            models.Index(fields=["registration_import", "household_key", "row_number"], name="staged_by_household"),
            models.Index(fields=["registration_import", "outcome"], name="staged_by_outcome"),
            models.Index(
                fields=["registration_import", "row_number"],
                condition=models.Q(duplicate_probability__isnull=False),
                name="staged_duplicates",
            ),
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}"

    @property
    def values(self) -> dict[str, str]:
        return json.loads(self.sealed_values) if self.sealed_values else {}

    @values.setter
    def values(self, values: dict[str, str]) -> None:
        self.sealed_values = json.dumps(values, ensure_ascii=False)

    @property
    def changes(self) -> dict[str, list[Any]]:
        return json.loads(self.sealed_changes) if self.sealed_changes else {}

    @changes.setter
    def changes(self, changes: dict[str, list[Any]]) -> None:
        self.sealed_changes = json.dumps(changes, ensure_ascii=False, default=str) if changes else ""
