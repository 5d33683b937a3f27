"""Duplicates found in the registry: the runs that looked for them, the pairs they proposed, and each operation's
thresholds. A pair is visible only to someone who may see both of its people."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models import Job, Operation
from passage.registry.models import Person, RegistrationImport

if TYPE_CHECKING:
    from passage.core.models import User

DEFAULT_PROBABLE = 0.9
DEFAULT_REVIEW = 0.5
DEFAULT_IMPORT_CEILING = 0.05


class MatchSettings(models.Model):
    """Per operation: from which probability a pair is a probable duplicate, from which it needs a look, and the
    share of an import's people in probable pairs above which the import is held for review."""

    operation = models.OneToOneField(Operation, on_delete=models.CASCADE, related_name="match_settings")
    probable_threshold = models.FloatField(_("probable duplicate from"), default=DEFAULT_PROBABLE)
    review_threshold = models.FloatField(_("needs review from"), default=DEFAULT_REVIEW)
    import_ceiling_share = models.FloatField(
        _("largest share of duplicates in an import"), default=DEFAULT_IMPORT_CEILING
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("matching settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_threshold__gt=0)
                & models.Q(review_threshold__lte=models.F("probable_threshold"))
                & models.Q(probable_threshold__lte=1),
                name="match_settings_thresholds_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(import_ceiling_share__gte=0, import_ceiling_share__lte=1),
                name="match_settings_ceiling_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return f"matching settings of {self.operation_id}"

    @classmethod
    def of(cls, operation: Operation) -> MatchSettings:
        """The operation's settings, or the defaults (not saved) when it has none."""
        return cls.objects.filter(operation=operation).first() or cls(operation=operation)


class OperationScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> OperationScopedQuerySet:
        """Runs of the operations where the user may see people."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        from passage.core.models import Membership

        operations = Membership.objects.active().filter(user=user, role__grants__permission="person.view")
        return self.filter(operation_id__in=operations.values("operation_id"))


class RunScope(models.TextChoices):
    REGISTRY = "registry", _("The whole registry")
    IMPORT = "import", _("One import against itself and the registry")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="match_runs")
    scope = models.CharField(_("scope"), max_length=10, choices=RunScope.choices, default=RunScope.REGISTRY)
    registration_import = models.ForeignKey(
        RegistrationImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="match_runs"
    )
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    probable_threshold = models.FloatField(_("probable duplicate from"))
    review_threshold = models.FloatField(_("needs review from"))
    import_ceiling_share = models.FloatField(_("largest share of duplicates in an import"))
    people_read = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0, help_text="Candidate pairs the engine compared")
    pairs_probable = models.PositiveIntegerField(default=0)
    pairs_review = models.PositiveIntegerField(default=0)
    pairs_new = models.PositiveIntegerField(default=0, help_text="Pairs stored by this run")
    pairs_known = models.PositiveIntegerField(default=0, help_text="Pairs found again and left as they were")
    pairs_decided_different = models.PositiveIntegerField(default=0, help_text="Found again, decided different")
    import_share = models.FloatField(null=True, blank=True, help_text="Share of the import's people in probable pairs")
    held_for_review = models.BooleanField(default=False, help_text="The import's share exceeds the ceiling")
    model = models.JSONField(
        null=True, blank=True, help_text="The m, u and prior the run learnt (passage.matching.model.Model.to_dict)"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OperationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matching run")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="registry", registration_import__isnull=True) | models.Q(scope="import"),
                name="match_run_registry_scope_has_no_import",
            ),
        ]

    def __str__(self) -> str:
        return f"matching run {self.pk} ({self.scope})"


class Band(models.TextChoices):
    PROBABLE = "probable", _("Probable duplicate")
    REVIEW = "review", _("Needs review")


class Decision(models.TextChoices):
    OPEN = "open", _("Not decided")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")
    UNSURE = "unsure", _("Unsure")


class CandidatePairQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CandidatePairQuerySet:
        """Pairs whose two people the user may both see (Person.objects.visible_to)."""
        visible = Person.objects.visible_to(user).values("pk")
        return self.filter(person_a__in=visible, person_b__in=visible)


class CandidatePair(models.Model):
    """Two people a run found alike, person_a the one with the smaller id, and what each field added to the score.
    A pair decided different stays, so that no later run proposes it again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="candidate_pairs")
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("probability"))
    match_weight = models.FloatField(_("match weight"), help_text="log2 of the odds that the two are one person")
    explanation = models.JSONField(default=list, blank=True, help_text='[{"field", "level", "weight"}, ...]')
    band = models.CharField(_("band"), max_length=10, choices=Band.choices)
    same_cluster = models.BooleanField(default=False, help_text="The run put both people in one cluster")
    run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("candidate pair")
        indexes = [models.Index(fields=["operation", "decision", "-probability"], name="pairs_to_review")]
        constraints = [
            models.UniqueConstraint(fields=["operation", "person_a", "person_b"], name="one_pair_per_two_people"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="pair_in_id_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.probability:.2f})"


# The review's own tables (merges, bulk decisions, quality checks) live beside these; Django finds them here.
from passage.matching.merge_models import BulkDecision, CheckState, PersonMerge, QualityCheck  # noqa: E402

__all__ = [
    "Band",
    "BulkDecision",
    "CandidatePair",
    "CheckState",
    "Decision",
    "MatchRun",
    "MatchSettings",
    "PersonMerge",
    "QualityCheck",
    "RunScope",
    "RunState",
]
