"""Groups and communities: collective beneficiaries that claims and community projects point at.

A group belongs to an operation and an office and is scoped like a household (RegistryQuerySet). It is a
community (a village or a displaced community, tied to an administrative area or a site), an association, a
cooperative, a women's or youth group, a victims' association, or another kind of group. Its members are
registered people, each with a role over a period of time; a community can also count whole households.
A membership is never deleted: leaving, a change of role or the group's dissolution ends it, so the history
of who was in the group, and in which role, stays.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models import Office, Operation
from passage.registry.models.locations import AdminArea, Site
from passage.registry.models.people import Household, Person, RegistryQuerySet


class GroupKind(models.TextChoices):
    COMMUNITY = "community", _("Community")  # a village or a displaced community
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Cooperative")
    WOMENS_GROUP = "womens_group", _("Women's group")
    YOUTH_GROUP = "youth_group", _("Youth group")
    VICTIMS_ASSOCIATION = "victims_association", _("Victims' association")
    OTHER = "other", _("Other")


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class GroupRole(models.TextChoices):
    MEMBER = "member", _("Member")
    REPRESENTATIVE = "representative", _("Representative")
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARY = "secretary", _("Secretary")
    TREASURER = "treasurer", _("Treasurer")
    FOCAL_POINT = "focal_point", _("Focal point")


class MembershipEnd(models.TextChoices):
    LEFT = "left", _("Left the group")
    ROLE_CHANGED = "role_changed", _("Role changed")
    GROUP_DISSOLVED = "group_dissolved", _("The group was dissolved")


class Group(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="registry_groups")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="registry_groups")
    reference = models.CharField(_("group number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=GroupKind.choices)
    name = models.CharField(_("name as written"), max_length=200, blank=True)
    name_latin = models.CharField(_("name (Latin letters)"), max_length=200, blank=True)
    admin_area = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="registry_groups"
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="registry_groups")
    description = models.TextField(_("description"), blank=True)
    estimated_size = models.PositiveIntegerField(
        _("estimated size (people)"),
        null=True,
        blank=True,
        help_text=_("For a community whose members are not all registered: how many people it counts."),
    )
    status = models.CharField(_("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolution_reason = models.TextField(_("reason for the dissolution"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["name_latin", "name", "reference"]
        verbose_name = _("group")
        indexes = [
            models.Index(fields=["operation", "kind"], name="group_by_kind"),
            models.Index(fields=["operation", "name_latin"], name="group_by_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name="", name_latin=""), name="group_has_a_name"),
            models.CheckConstraint(
                condition=~models.Q(kind="community")
                | models.Q(admin_area__isnull=False)
                | models.Q(site__isnull=False),
                name="community_has_a_place",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="dissolved") | models.Q(dissolved_on__isnull=False),
                name="dissolved_group_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.reference

    @property
    def display_name(self) -> str:
        return self.name or self.name_latin

    @property
    def is_active(self) -> bool:
        return self.status == GroupStatus.ACTIVE


class GroupMembership(models.Model):
    """A registered person in a group, in one role, over a period. Ending it never deletes it; a change of role
    ends the row and opens a new one, so the roles a person held stay readable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("role in the group"), max_length=16, choices=GroupRole.choices)
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    ended_because = models.CharField(_("ended because"), max_length=16, choices=MembershipEnd.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("group membership")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_membership_per_group_and_person",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(left_on__isnull=True, role="representative"),
                name="one_current_representative_per_group",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="group_membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id} ({self.role})"


class GroupHousehold(models.Model):
    """A whole household counted in a community, over a period; ending it never deletes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="household_links")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="group_links")
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    ended_because = models.CharField(_("ended because"), max_length=16, choices=MembershipEnd.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("household in a community")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "household"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_link_per_group_and_household",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="group_household_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} in {self.group_id}"
