"""Where people are: administrative areas with OCHA P-codes (the hierarchy is stored, never derived
from the codes) and sites such as camps and flow-monitoring points."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from passage.core.models import Operation
from passage.core.models.operations import ScopedQuerySet

if TYPE_CHECKING:
    from passage.core.models import User


class AdminAreaQuerySet(models.QuerySet["AdminArea"]):
    def visible_to(self, user: User) -> AdminAreaQuerySet:
        """Common operational datasets are public reference data: any signed-in user may read them."""
        return self if getattr(user, "is_authenticated", False) else self.none()


class AdminArea(models.Model):
    """One administrative unit of a country's COD-AB, level 0 (the country) to 4."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    country = models.CharField(_("country"), max_length=2, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(0), MaxValueValidator(4)])
    pcode = models.CharField(_("P-code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Dataset and version"))

    objects = AdminAreaQuerySet.as_manager()

    class Meta:
        ordering = ["country", "level", "pcode"]
        verbose_name = _("administrative area")
        indexes = [models.Index(fields=["country", "level"], name="admin_area_by_level")]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__lte=4), name="admin_area_level_0_to_4"),
            models.CheckConstraint(
                condition=models.Q(level=0, parent__isnull=True) | models.Q(level__gt=0, parent__isnull=False),
                name="admin_area_parent_unless_country",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_name} ({self.pcode})"

    @property
    def local_name(self) -> str:
        """The name in the interface language when the dataset has it."""
        return str(self.names.get((get_language() or "en")[:2]) or self.name)


class SiteType(models.TextChoices):
    CAMP = "camp", _("Camp")
    COLLECTIVE_CENTRE = "collective_centre", _("Collective centre")
    TRANSIT_CENTRE = "transit_centre", _("Transit centre")
    BORDER_POINT = "border_point", _("Border point")
    FLOW_MONITORING_POINT = "flow_monitoring_point", _("Flow-monitoring point")


class SiteQuerySet(ScopedQuerySet):
    membership_limit = ""

    def visible_to(self, user: User) -> SiteQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        from passage.core.models import Membership

        return self.filter(operation_id__in=Membership.objects.active().filter(user=user).values("operation_id"))


class Site(models.Model):
    """A place an operation works at; DTM site ids are kept apart from P-codes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(_("site code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=32, choices=SiteType.choices)
    admin_area = models.ForeignKey(AdminArea, on_delete=models.PROTECT, related_name="sites")
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["operation", "name"]
        verbose_name = _("site")
        constraints = [models.UniqueConstraint(fields=["operation", "code"], name="site_code_unique_in_operation")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
