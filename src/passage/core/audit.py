"""Write and verify the audit trail.

Every action calls `record` inside its transaction; `record_read` is called by access functions
when a sensitive record is opened. Events form a hash chain: each stores the hash of the one
before it, so removing or editing an event breaks every later link, and `verify_chain` names the
first broken one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from passage.core.models import AuditEvent

GENESIS = "0" * 64
REDACTED = "[redacted]"
# Any field whose name contains one of these never has its value written to the trail.
ALWAYS_REDACTED = ("password", "secret", "token", "key_hash")
_CHAIN_LOCK_ID = 7_270_001  # PostgreSQL advisory lock that serialises appends to the chain


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_NO_REQUEST = RequestContext()
_request_context: ContextVar[RequestContext] = ContextVar("audit_request_context", default=_NO_REQUEST)


def set_request_context(request_id: str, ip_address: str | None) -> object:
    return _request_context.set(RequestContext(request_id, ip_address))


def reset_request_context(token: object) -> None:
    _request_context.reset(token)  # type: ignore[arg-type]


def describe(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk), str(obj)[:200]


def operation_of(obj: models.Model | None) -> Any:
    if obj is None:
        return None
    return getattr(obj, "operation_id", None)


def redact(changes: Mapping[str, Any], sensitive: Iterable[str] = ()) -> dict[str, Any]:
    hidden = set(sensitive)
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name in hidden or any(word in name for word in ALWAYS_REDACTED):
            clean[name] = [REDACTED, REDACTED] if isinstance(value, (list, tuple)) else REDACTED
        else:
            clean[name] = value
    return clean


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field -> [old, new] for every field whose value changed."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    return str(value)


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: Mapping[str, Any] | None = None,
    sensitive: Iterable[str] = (),
    note: str = "",
    operation_id: Any = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    context = _request_context.get()
    object_type, object_id, object_repr = describe(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        previous = _lock_chain_and_read_tail()
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor_username=(actor.get_username() if is_user else actor_username)[:150],
            operation_id=operation_id if operation_id is not None else operation_of(obj),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=redact(changes or {}, sensitive),
            note=note,
            request_id=context.request_id,
            ip_address=context.ip_address,
            prev_hash=previous,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


def record_read(actor: Any, obj: models.Model, *, note: str = "") -> AuditEvent:
    """A sensitive record was opened: who, what, when, from where."""
    object_type, _, _ = describe(obj)
    return record(actor, f"{object_type}.read", obj, note=note)


def _lock_chain_and_read_tail() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
    # On SQLite the transaction already holds the database's single write lock (IMMEDIATE mode).
    tail = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return tail or GENESIS


@dataclass
class ChainReport:
    checked: int = 0
    broken_at: int | None = None
    problem: str = ""
    last_id: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(events: Iterable[AuditEvent], *, expected_prev: str = GENESIS) -> ChainReport:
    """Walk events in id order; stop at the first event whose links or contents do not add up."""
    report = ChainReport()
    for event in events:
        if event.prev_hash != expected_prev:
            report.broken_at = event.id
            report.problem = (
                f"event #{event.id} points to a previous hash that is not the hash of the event before it "
                "(an event was removed, inserted or reordered)"
            )
            return report
        if event.compute_hash() != event.hash:
            report.broken_at = event.id
            report.problem = (
                f"event #{event.id} was altered after it was written (its contents no longer match its hash)"
            )
            return report
        expected_prev = event.hash
        report.checked += 1
        report.last_id = event.id
    return report


def iter_chain(after_id: int = 0, chunk_size: int = 2000) -> Iterable[AuditEvent]:
    return AuditEvent.objects.filter(id__gt=after_id).order_by("id").iterator(chunk_size=chunk_size)
