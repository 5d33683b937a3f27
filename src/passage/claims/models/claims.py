"""A reparation claim rides on a case of the reparation claims workflow (docs/decisions/0022-claims-on-cases.md):
the case carries the stage, deadlines, escalation, tasks, documents, timeline and who may see it; the claim holds
what is particular to reparations — who claims in what capacity for which victim, the violations claimed, the
evidence against each category's checklist, deficiency notices, duplicate flags.

Who sees a claim is who sees its case (ClaimQuerySet.visible_to reuses CaseQuerySet.visible_to): restricted
cases included, so a restricted claim is seen by its named staff only.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.cases.models import Case, CaseDocument
from passage.claims.models.violations import EvidenceRequirement, VerificationEntry, ViolationCategory, ViolationEvent
from passage.core.fields import EncryptedTextField
from passage.core.models import Operation, Programme
from passage.registry.models import AdminArea, Person

if TYPE_CHECKING:
    from passage.core.models import User


class ShareRule(models.TextChoices):
    EQUAL = "equal", _("Equal shares between the heirs")
    STATED = "stated", _("Shares stated per heir (they must add up to 1)")


class ClaimsProgramme(models.Model):
    """What a reparations programme sets for its claims: the filing deadline, how heirs share, how long a
    claimant has to answer a deficiency notice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+")
    programme = models.OneToOneField(Programme, on_delete=models.PROTECT, related_name="claims_settings")
    filing_deadline = models.DateField(_("filing deadline"), null=True, blank=True)
    share_rule = models.CharField(_("heirs' shares"), max_length=8, choices=ShareRule.choices, default=ShareRule.EQUAL)
    deficiency_days = models.PositiveSmallIntegerField(_("days to answer a deficiency notice"), default=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claims settings of a programme")

    def __str__(self) -> str:
        return f"claims of {self.programme_id}"


class Capacity(models.TextChoices):
    VICTIM = "victim", _("Victim")
    HEIR = "heir", _("Heir or legal successor")
    REPRESENTATIVE = "representative", _("Representative")


class ClaimQuerySet(models.QuerySet["Claim"]):
    def visible_to(self, user: User | Any) -> ClaimQuerySet:
        """A claim is seen by whoever sees its case: one rule (CaseQuerySet.visible_to), restricted cases
        included."""
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))

    def current(self) -> ClaimQuerySet:
        """Not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Claim(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="claims")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="claims")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="claim")
    # The case's number (REP-2026-000123), drawn from the case counter: per operation and year, never repeated.
    reference = models.CharField(_("claim number"), max_length=32)

    claimant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="claims")
    capacity = models.CharField(_("claims as"), max_length=16, choices=Capacity.choices)
    # The victim: the claimant when they claim for themselves; for an heir or representative, the person whose
    # violations are claimed (who may have died: victim_died_on, from the registry or as the claimant states).
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="claims_as_victim")
    victim_died_on = models.DateField(_("victim died on"), null=True, blank=True)
    relationship = models.CharField(_("relationship to the victim"), max_length=100, blank=True)
    relationship_proof = models.ForeignKey(
        CaseDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stated_share = models.DecimalField(_("stated share"), max_digits=5, decimal_places=4, null=True, blank=True)

    received_on = models.DateField(_("received on"))
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "id"]
        verbose_name = _("claim")
        constraints = [
            models.UniqueConstraint(fields=["operation", "reference"], name="claim_reference_unique_in_operation"),
            models.CheckConstraint(
                condition=models.Q(capacity="victim", victim=models.F("claimant"))
                | (~models.Q(capacity="victim") & ~models.Q(victim=models.F("claimant"))),
                name="claim_victim_matches_capacity",
            ),
            models.CheckConstraint(
                condition=models.Q(stated_share__isnull=True) | models.Q(stated_share__gt=0, stated_share__lte=1),
                name="claim_share_between_0_and_1",
            ),
        ]
        indexes = [
            models.Index(fields=["operation", "claimant"], name="claim_by_claimant"),
            models.Index(fields=["operation", "victim"], name="claim_by_victim"),
        ]

    def __str__(self) -> str:
        return self.reference  # never a name: this is what the audit trail shows

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ClaimedViolation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="violations")
    category = models.ForeignKey(ViolationCategory, on_delete=models.PROTECT, related_name="claimed")
    event = models.ForeignKey(ViolationEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="claimed")
    occurred_from = models.DateField(_("date (or first day)"), null=True, blank=True)
    occurred_to = models.DateField(_("last day"), null=True, blank=True)
    place = models.ForeignKey(AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    narrative = EncryptedTextField(_("what happened, in the claimant's words"), blank=True)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("claimed violation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_to__isnull=True)
                | models.Q(occurred_from__isnull=True)
                | models.Q(occurred_to__gte=models.F("occurred_from")),
                name="claimed_violation_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["category", "claim"], name="claimed_violation_by_category")]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.category_id}"


class Evidence(models.Model):
    """A piece of evidence for a claimed violation, meeting one line of its category's checklist: a document of
    the claim's case, or an entry of a verification source that names the victim."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    violation = models.ForeignKey(ClaimedViolation, on_delete=models.CASCADE, related_name="evidence")
    requirement = models.ForeignKey(EvidenceRequirement, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(CaseDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_entry = models.ForeignKey(
        VerificationEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    note = models.TextField(_("note"), blank=True)
    attached_at = models.DateTimeField()
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["attached_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document__isnull=False, source_entry__isnull=True)
                | models.Q(document__isnull=True, source_entry__isnull=False),
                name="evidence_is_a_document_or_an_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.violation_id}: {self.requirement_id}"


class DeficiencyNotice(models.Model):
    """What was missing when the claimant was told, and by when they must complete the claim. The letter
    itself is written from this record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="deficiency_notices")
    missing = models.JSONField(_("what is missing"), default=list)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("to be completed by"))
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "id"]
        verbose_name = _("deficiency notice")

    def __str__(self) -> str:
        return f"{self.claim_id} by {self.deadline}"


class FlagKind(models.TextChoices):
    SAME_CLAIMANT_CATEGORY = "same_claimant_category", _("The same claimant claims this category in another claim")
    SAME_VICTIM = "same_victim", _("Another claim is made as the victim for the same person")


class DuplicateFlag(models.Model):
    """A possible duplicate, flagged for a claims officer to look at (never refused on its own)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="flags")
    other = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=FlagKind.choices)
    category = models.ForeignKey(ViolationCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField()

    class Meta:
        ordering = ["flagged_at", "id"]
        verbose_name = _("possible duplicate claim")
        indexes = [models.Index(fields=["claim", "kind"], name="duplicate_flag_by_claim")]

    def __str__(self) -> str:
        return f"{self.claim_id} ~ {self.other_id} ({self.kind})"
