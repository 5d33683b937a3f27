"""Moving what points at a person when records merge, in a form that undo can put back exactly.

A change to a row is kept as a RowChange: which table, which row, the columns before and after, as plain JSON.
Undo restores `before` only where the row still holds `after` (else someone changed it since, and undo says so).

Apps that keep rows about a person (cases, assistance, claims, as they arrive) register a repointer in their
AppConfig.ready():

    from passage.matching.repoint import move_rows, register_repointer

    def repoint_cases(*, merged, survivor):
        return move_rows(Case.objects.filter(person=merged), "person", survivor)

    register_repointer("cases", repoint_cases)

The merge calls every repointer inside its transaction and keeps what each returned; a repointer with rules
of its own (one open case per programme, say) ends or changes rows with change_rows, which records them alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class RowChange:
    model: str  # app_label.model_name
    pk: str
    before: dict[str, Any]
    after: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "pk": self.pk, "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowChange:
        return cls(data["model"], str(data["pk"]), dict(data["before"]), dict(data["after"]))

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def current(self) -> dict[str, Any] | None:
        """The row's columns as they are now (None when the row is gone)."""
        row = self.model_class._default_manager.filter(pk=self.pk).values(*self.after).first()
        return None if row is None else {name: plain(value) for name, value in row.items()}

    def changed_since(self) -> list[str]:
        """The columns that no longer hold what the merge wrote; ['*'] when the row is gone."""
        now = self.current()
        if now is None:
            return ["*"]
        return [name for name, value in self.after.items() if now.get(name) != value]

    def restore(self) -> None:
        model = self.model_class
        values = {name: column(model, name).to_python(value) for name, value in self.before.items()}
        model._default_manager.filter(pk=self.pk).update(**values)


def column(model: type[models.Model], name: str) -> models.Field:
    """A concrete column of `model` by its name or attname (person_id)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise LookupError(f"{model._meta.label}.{name} is not a column")
    return field


def plain(value: Any) -> Any:
    """A column's value as JSON keeps it (ids and dates as text)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def change_rows(queryset: models.QuerySet, **values: Any) -> list[RowChange]:
    """Set `values` (column names as stored: person_id, left_on) on every row of `queryset`, and say what each
    held before. Rows are taken in key order, under lock."""
    label = queryset.model._meta.label_lower
    wanted = {name: plain(value) for name, value in values.items()}
    changes = []
    for row in queryset.select_for_update().order_by("pk").values("pk", *values):
        before = {name: plain(row[name]) for name in values}
        if before != wanted:
            changes.append(RowChange(label, str(row["pk"]), before, dict(wanted)))
    if changes:
        queryset.model._default_manager.filter(pk__in=[c.pk for c in changes]).update(**values)
    return changes


def move_rows(queryset: models.QuerySet, field: str, survivor: models.Model) -> list[RowChange]:
    """Point `field` of every row of `queryset` at the survivor."""
    return change_rows(queryset, **{f"{field}_id": survivor.pk})


_REPOINTERS: dict[str, Callable[..., list[RowChange]]] = {}


def register_repointer(name: str, repointer: Callable[..., list[RowChange]]) -> None:
    """Have merges call `repointer(merged=..., survivor=...)` for each merged record (registering a name twice
    replaces the first, so a reloaded app does not move rows twice)."""
    _REPOINTERS[name] = repointer


def repointers() -> list[tuple[str, Callable[..., list[RowChange]]]]:
    return sorted(_REPOINTERS.items())
