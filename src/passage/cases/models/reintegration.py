"""The Reintegration Sustainability Survey's scores (shared/reference/domain.md 2): a returnee's economic, social
and psychosocial dimension scores and the composite, per survey round, computed from an RSS submission with the
programme's weights as they were at the time (each change of weights is a new version; a score keeps the
version it was computed with), so that the scores of a returnee can be followed over time."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.cases.models.assessments import Submission
from passage.cases.models.cases import Case
from passage.core.models import Operation, Programme
from passage.registry.models import Person

DIMENSIONS = ("economic", "social", "psychosocial")


class RssWeights(models.Model):
    """A programme's RSS weights, one version per change: each dimension's weight in the composite, and each
    indicator's weight in its dimension (`{"dimensions": {"economic": 1, …}, "indicators": {"economic":
    {"econ_food": 1, …}, …}}`). An indicator not listed does not count."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rss_weights")
    number = models.PositiveIntegerField(_("version"))
    weights = models.JSONField()
    source = models.CharField(_("source of the weights"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["programme", "-number"]
        verbose_name = _("RSS weights")
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="one_number_per_rss_weights")]

    def __str__(self) -> str:
        return f"{self.programme_id} RSS weights v{self.number}"

    def dimension_weight(self, dimension: str) -> float:
        return float(self.weights.get("dimensions", {}).get(dimension, 0))

    def indicator_weights(self, dimension: str) -> dict[str, float]:
        return {name: float(weight) for name, weight in self.weights.get("indicators", {}).get(dimension, {}).items()}


class RssScoreQuerySet(models.QuerySet["RssScore"]):
    def visible_to(self, user: object) -> RssScoreQuerySet:
        """Seen by whoever sees the submission it comes from (the case's rule)."""
        return self.filter(submission__in=Submission.objects.visible_to(user).values("pk"))

    def current(self) -> RssScoreQuerySet:
        return self.filter(replaced_at__isnull=True)


class RssScore(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="rss_scores")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="rss_score")
    weights = models.ForeignKey(RssWeights, on_delete=models.PROTECT, related_name="scores")
    survey_round = models.CharField(_("survey round"), max_length=40, blank=True)
    surveyed_on = models.DateField(_("surveyed on"))
    economic = models.FloatField(_("economic"), null=True, blank=True)
    social = models.FloatField(_("social"), null=True, blank=True)
    psychosocial = models.FloatField(_("psychosocial"), null=True, blank=True)
    composite = models.FloatField(_("composite"), null=True, blank=True)
    indicators = models.JSONField(default=dict, blank=True)  # indicator -> [recoded answer 0..1, weight used]
    computed_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)  # its submission was superseded

    objects = RssScoreQuerySet.as_manager()

    class Meta:
        ordering = ["surveyed_on", "computed_at", "id"]
        verbose_name = _("RSS score")
        indexes = [
            models.Index(fields=["person", "surveyed_on"], name="rss_score_by_person"),
            models.Index(fields=["case", "surveyed_on"], name="rss_score_by_case"),
        ]

    def __str__(self) -> str:
        return f"RSS {self.surveyed_on}"
