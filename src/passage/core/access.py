"""Who may do what. Interfaces fetch protected objects only through the get_*_for_user functions.

A refused object is a 404, never a 403: a 403 would confirm that the object exists.
Pages that are simply not for a role (the user administration, say) answer 403 through `require`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404

from passage.core.models import ApiToken, Job, Membership, Office, Operation, Programme, User


@dataclass(frozen=True)
class Grant:
    """What one membership allows: permissions, and the programmes/offices it is limited to (None = all)."""

    permissions: frozenset[str]
    programme_ids: frozenset[uuid.UUID] | None
    office_ids: frozenset[uuid.UUID] | None


def grants(user: Any, operation_id: uuid.UUID) -> list[Grant]:
    """The user's grants in one operation; loaded once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache: dict[uuid.UUID, list[Grant]] | None = getattr(user, "_passage_grants", None)
    if cache is None:
        cache = _load_grants(user)
        user._passage_grants = cache
    return cache.get(operation_id, [])


def grants_by_operation(user: Any) -> dict[uuid.UUID, list[Grant]]:
    """Every grant of the user, by operation (the same per-request cache as `grants`): for lists that span
    the operations, programmes and offices a user works in."""
    if not getattr(user, "is_authenticated", False):
        return {}
    grants(user, uuid.UUID(int=0))  # loads the cache
    return dict(user._passage_grants)


def _load_grants(user: User) -> dict[uuid.UUID, list[Grant]]:
    memberships = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("role")
        .prefetch_related("role__grants", "programmes", "offices")
    )
    loaded: dict[uuid.UUID, list[Grant]] = {}
    for membership in memberships:
        programmes = frozenset(p.id for p in membership.programmes.all())
        offices = frozenset(o.id for o in membership.offices.all())
        loaded.setdefault(membership.operation_id, []).append(
            Grant(
                permissions=frozenset(g.permission for g in membership.role.grants.all()),
                programme_ids=programmes or None,
                office_ids=offices or None,
            )
        )
    return loaded


def forget_grants(user: Any) -> None:
    """Drop the cached grants (after a membership changes within the same request)."""
    if hasattr(user, "_passage_grants"):
        del user._passage_grants


def permissions_in(user: Any, operation_id: uuid.UUID) -> set[str]:
    if getattr(user, "is_superuser", False):
        from passage.core.roles import PERMISSIONS

        return set(PERMISSIONS)
    return {perm for grant in grants(user, operation_id) for perm in grant.permissions}


def can(user: Any, permission: str, obj: Model | Operation) -> bool:
    """May `user` use `permission` on `obj` (an operation, or anything with operation_id)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    operation_id = obj.pk if isinstance(obj, Operation) else getattr(obj, "operation_id", None)
    if operation_id is None:
        return False
    programme_id = obj.pk if isinstance(obj, Programme) else getattr(obj, "programme_id", None)
    office_id = obj.pk if isinstance(obj, Office) else getattr(obj, "office_id", None)
    for grant in grants(user, operation_id):
        if permission not in grant.permissions:
            continue
        if programme_id and grant.programme_ids is not None and programme_id not in grant.programme_ids:
            continue
        if office_id and grant.office_ids is not None and office_id not in grant.office_ids:
            continue
        return True
    return False


def require(user: Any, permission: str, operation: Operation | None) -> Operation:
    """The page or endpoint needs `permission` in the operation: 403 otherwise."""
    if operation is None or not can(user, permission, operation):
        raise PermissionDenied
    return operation


def open_audit_trail(user: Any, operation: Operation | None, *, filters: dict[str, str] | None = None) -> Operation:
    """Reading the audit trail needs audit.view, and is itself recorded (who looked, for what)."""
    from passage.core import audit

    operation = require(user, "audit.view", operation)
    shown = {key: value for key, value in (filters or {}).items() if value}
    audit.record(user, "audit.search", operation, note=", ".join(f"{k}={v}" for k, v in sorted(shown.items())))
    return operation


def requires_two_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.active().filter(user=user, role__requires_two_factor=True).exists()


def operations_for(user: Any) -> list[Operation]:
    return list(Operation.objects.visible_to(user).filter(is_active=True))


def current_operation(user: Any) -> Operation | None:
    """The operation the user is working in: their choice if still allowed, else their first one."""
    if not getattr(user, "is_authenticated", False):
        return None
    chosen = user.current_operation_id
    operations = operations_for(user)
    for operation in operations:
        if operation.pk == chosen:
            return operation
    return operations[0] if operations else None


def fetch_or_404(queryset: Any, pk: Any) -> Any:
    """One object of `queryset` by key; a missing, foreign or malformed key is a 404 alike."""
    from django.core.exceptions import ValidationError

    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


_get = fetch_or_404


def get_operation_for_user(user: Any, operation_id: Any, *, need: str = "operation.view") -> Operation:
    operation: Operation = _get(Operation.objects.visible_to(user), operation_id)
    if not can(user, need, operation):
        raise Http404
    return operation


def get_office_for_user(user: Any, office_id: Any, *, need: str = "operation.view") -> Office:
    office: Office = _get(Office.objects.visible_to(user).select_related("operation"), office_id)
    if not can(user, need, office):
        raise Http404
    return office


def get_programme_for_user(user: Any, programme_id: Any, *, need: str = "operation.view") -> Programme:
    programme: Programme = _get(Programme.objects.visible_to(user).select_related("operation"), programme_id)
    if not can(user, need, programme):
        raise Http404
    return programme


def get_member_for_user(user: Any, member_id: Any, operation: Operation) -> User:
    """A user account, for someone who manages users in `operation` (or the account itself)."""
    if str(getattr(user, "pk", "")) == str(member_id):
        return user  # type: ignore[no-any-return]
    require(user, "user.manage", operation)
    member: User = _get(User.objects.filter(memberships__operation=operation).distinct(), member_id)
    return member


def get_membership_for_user(user: Any, membership_id: Any) -> Membership:
    membership: Membership = _get(
        Membership.objects.visible_to(user).select_related("operation", "role", "user"), membership_id
    )
    if not can(user, "user.manage", membership.operation):
        raise Http404
    return membership


def get_job_for_user(user: Any, job_id: Any) -> Job:
    job: Job = _get(Job.objects.visible_to(user).select_related("operation", "created_by"), job_id)
    return job


def get_token_for_user(user: Any, token_id: Any) -> ApiToken:
    """People manage only their own tokens."""
    token: ApiToken = _get(ApiToken.objects.filter(user=user), token_id)
    return token
