"""Operations, offices and programmes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from passage.core import audit
from passage.core.access import can
from passage.core.actions._helpers import apply_changes
from passage.core.models import Office, Operation, Programme, User

OPERATION_FIELDS = ("code", "name", "country", "is_active")
OFFICE_FIELDS = ("code", "name", "place", "is_active")
PROGRAMME_FIELDS = ("code", "name", "type", "status", "start_date", "end_date", "donors", "description")


def _check(acting_user: User | None, permission: str, target: Any) -> None:
    """Actions called from the CLI pass acting_user=None: the machine's operator is trusted."""
    if acting_user is not None and not can(acting_user, permission, target):
        raise PermissionDenied(permission)


@transaction.atomic
def create_operation(*, acting_user: User | None, code: str, name: str, country: str) -> Operation:
    """Only platform administrators (superusers) and the command line create operations."""
    if acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied("operation.create")
    operation = Operation(code=code, name=name, country=country)
    operation.full_clean()
    operation.save()
    audit.record(
        acting_user,
        "operation.create",
        operation,
        actor_username="system",
        changes=audit.diff({}, audit.snapshot(operation, OPERATION_FIELDS)),
    )
    return operation


@transaction.atomic
def update_operation(*, operation: Operation, acting_user: User | None, **values: Any) -> Operation:
    _check(acting_user, "operation.manage", operation)
    changes = apply_changes(operation, {k: v for k, v in values.items() if k in OPERATION_FIELDS})
    if changes:
        operation.save()
        audit.record(acting_user, "operation.update", operation, changes=changes, actor_username="system")
    return operation


@transaction.atomic
def create_office(*, operation: Operation, acting_user: User | None, code: str, name: str, place: str = "") -> Office:
    _check(acting_user, "operation.manage", operation)
    office = Office(operation=operation, code=code, name=name, place=place)
    office.full_clean()
    office.save()
    audit.record(
        acting_user,
        "office.create",
        office,
        actor_username="system",
        changes=audit.diff({}, audit.snapshot(office, OFFICE_FIELDS)),
    )
    return office


@transaction.atomic
def update_office(*, office: Office, acting_user: User | None, **values: Any) -> Office:
    _check(acting_user, "operation.manage", office)
    changes = apply_changes(office, {k: v for k, v in values.items() if k in OFFICE_FIELDS})
    if changes:
        office.save()
        audit.record(acting_user, "office.update", office, changes=changes, actor_username="system")
    return office


@transaction.atomic
def create_programme(
    *,
    operation: Operation,
    acting_user: User | None,
    code: str,
    name: str,
    type: str,
    status: str = "planned",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    donors: list[str] | None = None,
    description: str = "",
) -> Programme:
    _check(acting_user, "programme.manage", operation)
    programme = Programme(
        operation=operation,
        code=code,
        name=name,
        type=type,
        status=status,
        start_date=start_date,
        end_date=end_date,
        donors=[d.strip() for d in donors or [] if d.strip()],
        description=description,
    )
    programme.full_clean()
    programme.save()
    audit.record(
        acting_user,
        "programme.create",
        programme,
        actor_username="system",
        changes=audit.diff({}, audit.snapshot(programme, PROGRAMME_FIELDS)),
    )
    return programme


@transaction.atomic
def update_programme(*, programme: Programme, acting_user: User | None, **values: Any) -> Programme:
    _check(acting_user, "programme.manage", programme)
    if "donors" in values:
        values["donors"] = [d.strip() for d in values["donors"] or [] if d.strip()]
    changes = apply_changes(programme, {k: v for k, v in values.items() if k in PROGRAMME_FIELDS})
    if changes:
        programme.save()
        audit.record(acting_user, "programme.update", programme, changes=changes, actor_username="system")
    return programme
