"""Operations (a country mission), their offices and their programmes."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from passage.core.models.users import User


class OperationQuerySet(models.QuerySet["Operation"]):
    def visible_to(self, user: User) -> OperationQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user, memberships__is_active=True).distinct()


class Operation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short code, e.g. LBY or IRQ-ERB"))
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("operation")

    def __str__(self) -> str:
        return self.name

    @property
    def operation_id(self) -> uuid.UUID:
        """An operation scopes itself (lets access rules treat every scoped object alike)."""
        return self.id

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        if len(self.country) != 2 or not self.country.isalpha():
            raise ValidationError({"country": _("Use the two-letter ISO 3166 code, e.g. LY.")})


class ScopedQuerySet(models.QuerySet):
    """Things that belong to one operation, optionally limited by a membership to some of them."""

    membership_limit: str = ""  # the Membership m2m that can narrow what is visible ("offices", "programmes")

    def visible_to(self, user: User) -> ScopedQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        from passage.core.models.users import Membership

        memberships = Membership.objects.filter(user=user, is_active=True)
        unlimited = memberships.filter(**{f"{self.membership_limit}__isnull": True}).values("operation_id")
        limited = memberships.values(f"{self.membership_limit}")
        return self.filter(models.Q(operation_id__in=unlimited) | models.Q(pk__in=limited))


class OfficeQuerySet(ScopedQuerySet):
    membership_limit = "offices"


class Office(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="offices")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["operation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["operation", "code"], name="office_code_unique_in_operation")]
        verbose_name = _("office")

    def __str__(self) -> str:
        return self.name


class ProgrammeType(models.TextChoices):
    REPARATIONS = "reparations", _("Reparations")
    PROTECTION = "protection", _("Protection and direct assistance")
    COUNTER_TRAFFICKING = "counter_trafficking", _("Counter-trafficking")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration (AVRR)")
    RESETTLEMENT = "resettlement", _("Resettlement")
    IDP_RELIEF = "idp_relief", _("IDP relief")
    COMMUNITY_STABILISATION = "community_stabilisation", _("Community stabilisation")
    FORMER_COMBATANTS = "former_combatants", _("Reintegration of former combatants")
    OUT_OF_COUNTRY_VOTING = "out_of_country_voting", _("Out-of-country voting")
    MEDICAL_EVACUATION = "medical_evacuation", _("Medical evacuation")
    LABOUR_MIGRATION = "labour_migration", _("Labour migration")


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ProgrammeQuerySet(ScopedQuerySet):
    membership_limit = "programmes"


class Programme(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="programmes")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=32, choices=ProgrammeType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.PLANNED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    donors = models.JSONField(_("donors"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["operation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="programme_code_unique_in_operation"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_it_starts",
            ),
        ]
        verbose_name = _("programme")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})
