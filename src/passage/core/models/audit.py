"""The audit trail: an append-only, hash-chained record of every change and every sensitive read."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from passage.core.models.users import User


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Audit events cannot be deleted.")

    def visible_to(self, user: User) -> AuditEventQuerySet:
        """Events of the operations where the user may read the audit trail."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        from passage.core.models.users import Membership

        readable = Membership.objects.filter(user=user, is_active=True, role__grants__permission="audit.view").values(
            "operation_id"
        )
        return self.filter(operation_id__in=readable)


class AuditEvent(models.Model):
    """One event. Sequential integer keys (not UUIDs) give the chain its order.

    `actor_id` and `operation_id` are plain values, not foreign keys: the trail must outlive the
    rows it talks about, and a cascade would have to UPDATE or DELETE it.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    operation_id = models.UUIDField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["operation_id", "-id"], name="audit_by_operation")]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and every recorded field, in a canonical JSON form."""
        body = {
            "prev": self.prev_hash,
            "at": self.at.isoformat(),
            "actor": str(self.actor_id or ""),
            "actor_username": self.actor_username,
            "operation": str(self.operation_id or ""),
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "note": self.note,
            "request_id": self.request_id,
            "ip": self.ip_address or "",
        }
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
