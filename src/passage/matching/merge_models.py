"""What the review of duplicates leaves behind: merges (with everything needed to undo them exactly), bulk
decisions, and the pairs a bulk decision set aside for a second person to check.

A merge stores, in plain JSON, the survivor's values before and after, and every row it touched (which table,
which row, the columns before and after): undo puts back exactly that, and only where nobody changed the row
since. Phone and document numbers never enter the snapshot: rows are moved, not copied."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models import Job, Office, Operation
from passage.registry.models import Person, RegistrationImport

if TYPE_CHECKING:
    from passage.core.models import User


def _merging_operations(user: User) -> models.QuerySet:
    from passage.core.models import Membership

    return Membership.objects.active().filter(user=user, role__grants__permission="person.merge").values("operation_id")


class PersonMergeQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PersonMergeQuerySet:
        """Merges whose survivor and merged records the user may all see, in operations where they merge."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        visible = Person.objects.visible_to(user).values("pk")
        hidden = PersonMerge.merged.through.objects.filter(personmerge_id=models.OuterRef("pk")).exclude(
            person_id__in=visible
        )
        return self.filter(operation_id__in=_merging_operations(user), survivor_id__in=visible).exclude(
            models.Exists(hidden)
        )


class PersonMerge(models.Model):
    """Records found to be one person, merged into the survivor: what changed, what moved, and its undoing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="person_merges")
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ManyToManyField(Person, related_name="merges_ended")
    choices = models.JSONField(default=dict, blank=True, help_text="field -> id of the person whose value survives")
    survivor_before = models.JSONField(default=dict, blank=True, help_text="The survivor's values before")
    survivor_after = models.JSONField(default=dict, blank=True, help_text="The survivor's values right after")
    survivor_version = models.PositiveIntegerField(help_text="The survivor's version right after the merge")
    rows = models.JSONField(
        default=list, blank=True, help_text='Rows changed, in order: [{"model", "pk", "before", "after"}, ...]'
    )
    pairs = models.JSONField(
        default=list, blank=True, help_text='Pairs decided by the merge: [{"id", "decision", "by", "at"}, ...]'
    )
    warnings = models.JSONField(default=list, blank=True, help_text="What the merge left for a person to look at")
    bulk = models.ForeignKey(
        "matching.BulkDecision", null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    note = models.TextField(_("note"), blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_note = models.TextField(_("note on the undoing"), blank=True)
    undo_kept = models.JSONField(
        default=list, blank=True, help_text="What an undo left as later changes made it (with confirmation)"
    )

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "id"]
        verbose_name = _("merge of records")
        indexes = [models.Index(fields=["operation", "-merged_at"], name="merges_by_operation")]

    def __str__(self) -> str:
        return f"merge into {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class BulkDecisionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> BulkDecisionQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(operation_id__in=_merging_operations(user))


class BulkDecision(models.Model):
    """One decision over many pairs (those above a probability, or a selection), run as a job; a seeded random
    share of them is set aside for a second person to check."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="bulk_decisions")
    decision = models.CharField(_("decision"), max_length=10)
    min_probability = models.FloatField(_("from probability"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=10, blank=True)
    run = models.ForeignKey("matching.MatchRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    registration_import = models.ForeignKey(
        RegistrationImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected = models.JSONField(default=list, blank=True, help_text="Pair ids chosen one by one (else the filters)")
    sample_share = models.FloatField(_("share set aside for a quality check"))
    seed = models.PositiveIntegerField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pairs_decided = models.PositiveIntegerField(default=0)
    pairs_set_aside = models.PositiveIntegerField(default=0)
    pairs_skipped = models.PositiveIntegerField(default=0)

    objects = BulkDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk decision")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_share__gte=0, sample_share__lte=1), name="bulk_sample_is_a_share"
            ),
        ]

    def __str__(self) -> str:
        return f"bulk decision {self.pk} ({self.decision})"


class CheckState(models.TextChoices):
    TO_CHECK = "to_check", _("Waiting for a second person")
    CONFIRMED = "confirmed", _("Confirmed")
    OVERRULED = "overruled", _("Overruled")


class QualityCheck(models.Model):
    """A pair a bulk decision set aside: left undecided until a person other than the one who decided in bulk
    decides it; whether they agree with the bulk decision measures it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bulk = models.ForeignKey(BulkDecision, on_delete=models.CASCADE, related_name="checks")
    pair = models.OneToOneField("matching.CandidatePair", on_delete=models.CASCADE, related_name="quality_check")
    state = models.CharField(_("state"), max_length=10, choices=CheckState.choices, default=CheckState.TO_CHECK)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision of the second person"), max_length=10, blank=True)

    class Meta:
        ordering = ["bulk", "id"]
        verbose_name = _("quality check")

    def __str__(self) -> str:
        return f"check of {self.pair_id} ({self.state})"
