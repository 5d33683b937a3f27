"""User accounts, role memberships, passwords, two-factor devices and personal preferences."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.core import audit
from passage.core.access import can, forget_grants
from passage.core.actions._helpers import apply_changes
from passage.core.models import Membership, Office, Operation, Programme, Role, User

USER_FIELDS = ("first_name", "last_name", "email", "is_active")


def _check(acting_user: User | None, operation: Operation) -> None:
    if acting_user is not None and not can(acting_user, "user.manage", operation):
        raise PermissionDenied("user.manage")


def generate_password() -> str:
    """A password people can read aloud: four groups of letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


@transaction.atomic
def create_user(
    *,
    acting_user: User | None,
    operation: Operation,
    username: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account holding one role in the operation. Returns the user and the initial password."""
    _check(acting_user, operation)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    initial = password or generate_password()
    try:
        validate_password(initial, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(initial)
    user.current_operation = operation
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        acting_user,
        "user.create",
        user,
        operation_id=operation.pk,
        actor_username="system",
        changes=audit.diff({}, audit.snapshot(user, ("username", *USER_FIELDS))),
    )
    grant_role(acting_user=acting_user, user=user, operation=operation, role=role)
    return user, initial


@transaction.atomic
def update_user(*, user: User, operation: Operation, acting_user: User | None, **values: Any) -> User:
    _check(acting_user, operation)
    if acting_user is not None and user.pk == acting_user.pk and values.get("is_active") is False:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    changes = apply_changes(user, {k: v for k, v in values.items() if k in USER_FIELDS})
    if changes:
        user.save()
        audit.record(
            acting_user, "user.update", user, operation_id=operation.pk, changes=changes, actor_username="system"
        )
    return user


def _limits(
    operation: Operation, programmes: Iterable[Programme], offices: Iterable[Office]
) -> tuple[list[Programme], list[Office]]:
    programmes, offices = list(programmes), list(offices)
    if any(p.operation_id != operation.pk for p in programmes):
        raise ValidationError({"programmes": _("A programme of another operation cannot limit this role.")})
    if any(o.operation_id != operation.pk for o in offices):
        raise ValidationError({"offices": _("An office of another operation cannot limit this role.")})
    return programmes, offices


@transaction.atomic
def grant_role(
    *,
    acting_user: User | None,
    user: User,
    operation: Operation,
    role: Role,
    programmes: Iterable[Programme] = (),
    offices: Iterable[Office] = (),
) -> Membership:
    """Give `user` a role in the operation (reactivating a revoked one), optionally limited."""
    _check(acting_user, operation)
    programmes, offices = _limits(operation, programmes, offices)
    membership, created = Membership.objects.get_or_create(user=user, operation=operation, role=role)
    if not created and membership.is_active:
        raise ValidationError({"role": _("%(user)s already holds this role here.") % {"user": user}})
    membership.is_active = True
    membership.save()
    membership.programmes.set(programmes)
    membership.offices.set(offices)
    audit.record(
        acting_user,
        "membership.grant",
        membership,
        actor_username="system",
        changes={
            "user": [None, user.username],
            "role": [None, role.code],
            "programmes": [None, sorted(p.code for p in programmes)],
            "offices": [None, sorted(o.code for o in offices)],
        },
    )
    forget_grants(user)
    return membership


@transaction.atomic
def update_membership(
    *, membership: Membership, acting_user: User | None, programmes: Iterable[Programme], offices: Iterable[Office]
) -> Membership:
    _check(acting_user, membership.operation)
    programmes, offices = _limits(membership.operation, programmes, offices)
    before = {
        "programmes": sorted(p.code for p in membership.programmes.all()),
        "offices": sorted(o.code for o in membership.offices.all()),
    }
    membership.programmes.set(programmes)
    membership.offices.set(offices)
    after = {"programmes": sorted(p.code for p in programmes), "offices": sorted(o.code for o in offices)}
    changes = audit.diff(before, after)
    if changes:
        audit.record(acting_user, "membership.update", membership, changes=changes, actor_username="system")
    forget_grants(membership.user)
    return membership


@transaction.atomic
def revoke_membership(*, membership: Membership, acting_user: User | None, reason: str = "") -> Membership:
    _check(acting_user, membership.operation)
    if not membership.is_active:
        return membership
    if (
        acting_user is not None
        and membership.user_id == acting_user.pk
        and "user.manage" in set(membership.role.grants.values_list("permission", flat=True))
    ):
        others = (
            Membership.objects.active()
            .filter(operation=membership.operation, role__grants__permission="user.manage")
            .exclude(pk=membership.pk)
        )
        if not others.exists():
            raise ValidationError(_("This is the last role that can manage users in the operation."))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        acting_user,
        "membership.revoke",
        membership,
        changes={"is_active": [True, False]},
        note=reason,
        actor_username="system",
    )
    forget_grants(membership.user)
    return membership


@transaction.atomic
def change_password(*, user: User, acting_user: User, old_password: str, new_password: str) -> User:
    """People change their own password; the old one must be right and the new one strong enough."""
    if acting_user.pk != user.pk:
        raise PermissionDenied
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is not right.")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(acting_user, "user.password_change", user, changes={"password": ["", ""]})
    return user


@transaction.atomic
def reset_password(*, user: User, operation: Operation, acting_user: User | None) -> str:
    """An administrator gives someone a new first password (shown once); their sessions and tokens stay."""
    _check(acting_user, operation)
    _only_members_of(user, operation)
    password = generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        acting_user,
        "user.password_reset",
        user,
        operation_id=operation.pk,
        changes={"password": ["", ""]},
        actor_username="system",
    )
    return password


@transaction.atomic
def reset_two_factor(*, user: User, operation: Operation, acting_user: User | None, reason: str) -> int:
    """A lost phone: remove the person's authenticators so that they enrol a new one at next sign-in."""
    _check(acting_user, operation)
    _only_members_of(user, operation)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why (for the audit trail), e.g. 'phone lost, confirmed by call'.")})
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        acting_user,
        "user.two_factor_reset",
        user,
        operation_id=operation.pk,
        note=reason.strip(),
        changes={"devices_removed": [removed, 0]},
        actor_username="system",
    )
    return removed


def _only_members_of(user: User, operation: Operation) -> None:
    if not Membership.objects.filter(user=user, operation=operation).exists():
        raise PermissionDenied("not a member of this operation")


@transaction.atomic
def switch_operation(*, acting_user: User, operation: Operation) -> User:
    if not can(acting_user, "operation.view", operation):
        raise PermissionDenied
    before = acting_user.current_operation_id
    acting_user.current_operation = operation
    acting_user.save(update_fields=["current_operation"])
    audit.record(
        acting_user,
        "user.switch_operation",
        acting_user,
        operation_id=operation.pk,
        changes={"current_operation": [str(before) if before else None, str(operation.pk)]},
    )
    return acting_user


@transaction.atomic
def set_preferred_language(*, acting_user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    if acting_user.preferred_language != language:
        before = acting_user.preferred_language
        acting_user.preferred_language = language
        acting_user.save(update_fields=["preferred_language"])
        audit.record(acting_user, "user.language", acting_user, changes={"preferred_language": [before, language]})
    return acting_user


@transaction.atomic
def confirm_two_factor_device(*, acting_user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm a new authenticator app with a code it shows; earlier unconfirmed devices are discarded."""
    if device.user_id != acting_user.pk:
        raise PermissionDenied
    if not device.verify_token(token.strip().replace(" ", "")):
        raise ValidationError({"token": _("That code is not right. Check the time on your phone and try again.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=acting_user, confirmed=False).delete()
    audit.record(acting_user, "user.two_factor_enrol", acting_user, changes={"device": [None, device.name]})
    return device


def user_summary(user: User) -> dict[str, Any]:
    return audit.snapshot(user, ("username", *USER_FIELDS))
