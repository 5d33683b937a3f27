"""The read side of the core app: lists and counts, always narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from passage.core import access
from passage.core.models import ApiToken, AuditEvent, Job, Membership, Office, Operation, Programme, User
from passage.core.models.jobs import FINISHED_STATES, JobState


def dashboard_counts(user: Any, operation: Operation) -> dict[str, Any]:
    """The dashboard's live figures for one operation, each through visible_to."""
    since = timezone.now() - dt.timedelta(days=1)
    programmes = Programme.objects.visible_to(user).filter(operation=operation)
    by_status = dict(programmes.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    jobs = (
        Job.objects.visible_to(user)
        .filter(operation=operation)
        .aggregate(
            running=Count("id", filter=Q(state__in=[JobState.QUEUED, JobState.RUNNING])),
            failed_today=Count("id", filter=Q(state=JobState.FAILED, created_at__gte=since)),
            done_today=Count("id", filter=Q(state=JobState.SUCCEEDED, finished_at__gte=since)),
        )
    )
    counts: dict[str, Any] = {
        "programmes": sum(by_status.values()),
        "programmes_active": by_status.get("active", 0),
        "offices": Office.objects.visible_to(user).filter(operation=operation, is_active=True).count(),
        "members": User.objects.filter(memberships__operation=operation, memberships__is_active=True, is_active=True)
        .distinct()
        .count(),
        **{f"jobs_{key}": value for key, value in jobs.items()},
    }
    if access.can(user, "audit.view", operation):
        counts["audit_events_today"] = AuditEvent.objects.filter(operation_id=operation.pk, at__gte=since).count()
    return counts


def programmes_by_type(user: Any, operation: Operation) -> list[dict[str, Any]]:
    rows = (
        Programme.objects.visible_to(user)
        .filter(operation=operation)
        .values("type")
        .annotate(n=Count("id"))
        .order_by("type")
    )
    return list(rows)


def jobs_for(user: Any, operation: Operation) -> QuerySet[Job]:
    return Job.objects.visible_to(user).filter(operation=operation).select_related("created_by")


def has_unfinished(jobs: QuerySet[Job]) -> bool:
    return jobs.exclude(state__in=FINISHED_STATES).exists()


def audit_events_for(
    user: Any, operation: Operation, *, action: str = "", actor: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.visible_to(user).filter(operation_id=operation.pk)
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_username__iexact=actor)
    if object_id:
        events = events.filter(object_id=object_id)
    return events


def offices_of(user: Any, operation: Operation) -> QuerySet[Office]:
    return Office.objects.visible_to(user).filter(operation=operation)


def programmes_of(user: Any, operation: Operation) -> QuerySet[Programme]:
    return Programme.objects.visible_to(user).filter(operation=operation)


def members_of(operation: Operation, *, search: str = "") -> QuerySet[User]:
    """Accounts holding any role in the operation, with their memberships there prefetched."""
    from django.db.models import Prefetch

    users = User.objects.filter(memberships__operation=operation).distinct()
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    here = (
        Membership.objects.filter(operation=operation).select_related("role").prefetch_related("programmes", "offices")
    )
    return users.prefetch_related(Prefetch("memberships", queryset=here, to_attr="memberships_here"))


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def history_of_member(member: User, operation: Operation, *, limit: int = 50) -> list[AuditEvent]:
    """An account's history in one operation: changes to the account and to its roles there."""
    membership_ids = [
        str(pk) for pk in Membership.objects.filter(user=member, operation=operation).values_list("pk", flat=True)
    ]
    return list(
        AuditEvent.objects.filter(
            Q(object_type="core.user", object_id=str(member.pk))
            & (Q(operation_id=operation.pk) | Q(operation_id__isnull=True))
            | Q(object_type="core.membership", object_id__in=membership_ids)
        )[:limit]
    )


def history_of(obj: Any, *, limit: int = 50) -> list[AuditEvent]:
    """The audit events about one object (for 'history' panels)."""
    object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
    return list(AuditEvent.objects.filter(object_type=object_type, object_id=str(obj.pk))[:limit])


def role_catalogue() -> list[dict[str, Any]]:
    """Every role with what it may do, in words, for the users page."""
    from passage.core.models import Role
    from passage.core.roles import PERMISSIONS

    return [
        {"role": role, "permissions": [PERMISSIONS.get(g.permission, g.permission) for g in role.grants.all()]}
        for role in Role.objects.prefetch_related("grants")
    ]
