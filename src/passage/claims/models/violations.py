"""What the state has publicly recognised, per operation: categories of violation (with their legal basis,
period, places, individual or collective recognition, and the evidence a claim in the category needs), events
(a date or a period, a place, the communities affected), and verification sources (lists from a commission,
registers shared by NGOs) with their entries, against which claims are checked.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models import Operation
from passage.registry.models import AdminArea, Group


class RecognitionBasis(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual (per victim)")
    COLLECTIVE = "collective", _("Collective (per community or group)")


class ViolationCategory(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="violation_categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    recognised_from = models.DateField(_("recognised period from"), null=True, blank=True)
    recognised_to = models.DateField(_("recognised period to"), null=True, blank=True)
    # Administrative areas (OCHA P-codes) where the violation is recognised; empty: anywhere.
    places = models.JSONField(_("places (P-codes)"), default=list, blank=True)
    recognition_basis = models.CharField(
        _("recognition"), max_length=12, choices=RecognitionBasis.choices, default=RecognitionBasis.INDIVIDUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="violation_category_code_unique"),
            models.CheckConstraint(
                condition=models.Q(recognised_from__isnull=True)
                | models.Q(recognised_to__isnull=True)
                | models.Q(recognised_to__gte=models.F("recognised_from")),
                name="violation_category_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def is_collective(self) -> bool:
        return self.recognition_basis == RecognitionBasis.COLLECTIVE


class EvidenceRequirement(models.Model):
    """One line of a category's evidence checklist: a kind of evidence a claim in the category needs (required)
    or may bring (optional). It is met by a document of the claim's case of `document_kind`, or — when
    `source_match` — by an entry of a verification source naming the victim."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    category = models.ForeignKey(ViolationCategory, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("evidence"), max_length=200)
    document_kind = models.CharField(_("kind of document"), max_length=64, blank=True)
    source_match = models.BooleanField(_("met by a verification list entry"), default=False)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "position", "code"]
        verbose_name = _("evidence requirement")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="evidence_requirement_code_unique"),
            models.CheckConstraint(
                condition=~models.Q(document_kind="") | models.Q(source_match=True),
                name="evidence_requirement_met_somehow",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ViolationEvent(models.Model):
    """A recognised event (a massacre, a campaign of detentions, a displacement) of one category."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="violation_events")
    category = models.ForeignKey(ViolationCategory, on_delete=models.PROTECT, related_name="events")
    name = models.CharField(_("name"), max_length=200)
    occurred_from = models.DateField(_("date (or first day)"))
    occurred_to = models.DateField(_("last day"), null=True, blank=True)
    place = models.ForeignKey(AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place_description = models.CharField(_("place as described"), max_length=300, blank=True)
    groups = models.ManyToManyField(Group, blank=True, related_name="violation_events")
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_from", "name", "id"]
        verbose_name = _("violation event")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_to__isnull=True) | models.Q(occurred_to__gte=models.F("occurred_from")),
                name="violation_event_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["operation", "category"], name="violation_event_by_category")]

    def __str__(self) -> str:
        return self.name


class VerificationSource(models.Model):
    """A list received from outside: a commission's list of recognised victims, a register shared by an NGO."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="verification_sources")
    name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provided by"), max_length=200)
    received_on = models.DateField(_("received on"))
    filename = models.CharField(_("file"), max_length=255, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "name", "id"]
        verbose_name = _("verification source")

    def __str__(self) -> str:
        return self.name


class VerificationEntry(models.Model):
    """One person named on a verification source (a row of its file)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(VerificationSource, on_delete=models.CASCADE, related_name="entries")
    row = models.PositiveIntegerField(_("row"))
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    place = models.CharField(_("place (P-code)"), max_length=32, blank=True)
    category = models.ForeignKey(
        ViolationCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="verification_entries"
    )
    reference = models.CharField(_("reference on the list"), max_length=80, blank=True)

    class Meta:
        ordering = ["source", "row"]
        verbose_name = _("verification list entry")
        verbose_name_plural = _("verification list entries")
        constraints = [models.UniqueConstraint(fields=["source", "row"], name="verification_entry_row_unique")]
        indexes = [models.Index(fields=["family_name", "given_name"], name="verification_entry_by_name")]

    def __str__(self) -> str:
        return f"{self.source_id} row {self.row}"
