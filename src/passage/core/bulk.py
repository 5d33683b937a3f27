"""Writing many rows fast: COPY on PostgreSQL, one prepared executemany on SQLite.

Django's bulk_create prepares every value of every object through its field (and builds a model instance per
row); for a million-person import that preparation costs more than the database does. Here the caller gives
plain tuples, and each column is converted once per value by a converter chosen once per column. Values of
EncryptedTextField columns must already be sealed (passage.core.crypto.encrypt with the column's context).
Runs inside the caller's transaction; no signals, no save(): the caller's action writes the audit event.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(field: models.Field[Any, Any], vendor: str) -> Converter:
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if isinstance(field, models.UUIDField) or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.UUIDField)
    ):
        if vendor == "postgresql":
            return _identity
        return lambda v: v.hex if isinstance(v, uuid.UUID) else (uuid.UUID(str(v)).hex if v else None)
    if isinstance(field, models.DateTimeField):
        if vendor == "postgresql":
            return _identity
        return lambda v: None if v is None else timezone.make_naive(v, dt.UTC).isoformat(" ")
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    return _identity


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in the order of `fields`, attribute names such as "person_id") into `model`'s
    table. Returns how many were written."""
    vendor = connection.vendor
    given = [model._meta.get_field(name) for name in fields]
    # Columns the caller does not name get their default (fields added later need no change to callers).
    others = [
        field
        for field in model._meta.concrete_fields
        if field not in given and not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]
    concrete = [*given, *others]
    converters = [_converter(field, vendor) for field in concrete]  # type: ignore[arg-type]
    defaults = tuple(field.get_default() for field in others)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in concrete)  # type: ignore[union-attr]
    count = 0
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [convert(value) for convert, value in zip(converters, (*row, *defaults), strict=True)]
                    )
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(concrete))
        batch: list[list[Any]] = []
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from model meta, quoted)
        for row in rows:
            batch.append([convert(value) for convert, value in zip(converters, (*row, *defaults), strict=True)])
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
