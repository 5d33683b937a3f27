"""Users, roles and memberships: who may do what, in which operation, programmes and offices."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.models.operations import Office, Operation, Programme


class PassageUserManager(UserManager["User"]):
    def visible_to(self, user: User) -> models.QuerySet[User]:
        """Users who hold a role in an operation where `user` manages users (and `user` themself)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        managed = Membership.objects.filter(user=user, is_active=True, role__grants__permission="user.manage").values(
            "operation_id"
        )
        return self.filter(models.Q(pk=user.pk) | models.Q(memberships__operation_id__in=managed)).distinct()


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    current_operation = models.ForeignKey(Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = PassageUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.Model):
    """A role; what it may do is its grants (codes from passage.core.roles.PERMISSIONS)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    requires_two_factor = models.BooleanField(_("requires two-factor authentication"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.name

    @property
    def permission_codes(self) -> set[str]:
        return {grant.permission for grant in self.grants.all()}


class RoleGrant(models.Model):
    """One permission of a role. A table rather than a list so that access checks stay one query."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    permission = models.CharField(_("permission"), max_length=64)

    class Meta:
        ordering = ["role", "permission"]
        constraints = [models.UniqueConstraint(fields=["role", "permission"], name="one_grant_per_permission")]

    def __str__(self) -> str:
        return f"{self.role.code}: {self.permission}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, user: User) -> MembershipQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        managed = Membership.objects.filter(user=user, is_active=True, role__grants__permission="user.manage").values(
            "operation_id"
        )
        return self.filter(models.Q(user=user) | models.Q(operation_id__in=managed))


class Membership(models.Model):
    """A user holds a role in an operation, optionally only for some programmes and offices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    programmes = models.ManyToManyField(
        Programme,
        blank=True,
        related_name="memberships",
        help_text=_("Leave empty for every programme of the operation"),
    )
    offices = models.ManyToManyField(
        Office, blank=True, related_name="memberships", help_text=_("Leave empty for every office of the operation")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["operation__name", "role__name"]
        constraints = [models.UniqueConstraint(fields=["user", "operation", "role"], name="one_membership_per_role")]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.operation}"
