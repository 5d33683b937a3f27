"""Key rotation: what each encryption key still seals, and moving every value and file to the current key.

Values: every EncryptedTextField column of every model, found through the field class, so an app that adds one
needs nothing more. Files: an app says where its sealed files are with `register_sealed_files` (the registry
registers import files and photos; core registers job results here).

`rotate` is the body of the `core.reencrypt` job: it walks each table by primary key, a batch at a time, and
re-seals what an older key sealed (a file stored in clear from before files were encrypted is sealed too). Its
checkpoint names the table and the last key done, so a stopped job resumes there; values already under the
current key are skipped, so running it again is safe. A value is written back only if it has not changed since
it was read (compare-and-set), and a file is replaced whole (written beside it, then renamed over it) while its
record is locked, so people may keep working while it runs.

Blind indexes are not touched: they are HMACs under PASSAGE_BLIND_INDEX_KEY, which this does not rotate.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import connection, models, transaction

from passage.core import audit, crypto, file_crypto
from passage.core.fields import EncryptedTextField
from passage.core.jobs import JobContext, result_context
from passage.core.models import Job

KIND = "core.reencrypt"
BATCH = 1000
FILE_BATCH = 100
CLEAR = "clear"  # a file stored before files were encrypted
MISSING = "missing"  # a record names a file that is not in storage


@dataclass(frozen=True)
class SealedFiles:
    """Where one kind of sealed file is named: `model.field` holds its storage name (a FileField or a CharField),
    `context(obj)` what it was sealed with besides the key. `whole_token`: the file is one crypto.encrypt token
    (small files, such as photos), not a file_crypto stream."""

    name: str
    model: type[models.Model]
    field: str
    context: Callable[[Any], str]
    whole_token: bool = False

    @property
    def storage(self) -> Storage:
        found = self.model._meta.get_field(self.field)
        return found.storage if isinstance(found, models.FileField) else default_storage


SEALED_FILES: dict[str, SealedFiles] = {}


def register_sealed_files(source: SealedFiles) -> None:
    SEALED_FILES[source.name] = source


register_sealed_files(SealedFiles("core.job.result_file", Job, "result_file", result_context))


def encrypted_columns() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every model with encrypted columns, and those columns (each table once: proxies and parents' columns
    inherited by a child table are left to the model that owns them)."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = [f for f in meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if columns:
            found.append((model, columns))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(column: EncryptedTextField) -> str:
    return str(column.column)


def _label(model: type[models.Model], column: EncryptedTextField) -> str:
    return f"{model._meta.label_lower}.{column.name}"


# Status -----------------------------------------------------------------------------------------------------


@dataclass
class KeyStatus:
    current: str
    listed: list[str]
    values: dict[str, Counter[str]] = field(default_factory=dict)  # "app.model.column" -> key id -> count
    files: dict[str, Counter[str]] = field(default_factory=dict)  # kind of file -> key id | clear | missing -> n

    def values_by_key(self) -> Counter[str]:
        return sum(self.values.values(), Counter())

    def files_by_key(self) -> Counter[str]:
        return sum(self.files.values(), Counter())

    @property
    def to_move(self) -> int:
        """Values and files not yet under the current key (files in clear included; missing ones are not)."""
        values = sum(n for kid, n in self.values_by_key().items() if kid != self.current)
        files = sum(n for kid, n in self.files_by_key().items() if kid not in (self.current, MISSING))
        return values + files

    def unlisted(self) -> list[str]:
        """Key ids that seal something but are not in PASSAGE_ENCRYPTION_KEYS: those cannot be read."""
        seen = set(self.values_by_key()) | set(self.files_by_key())
        return sorted(seen - set(self.listed) - {CLEAR, MISSING})


def key_status() -> KeyStatus:
    """How many values and files each key seals (by reading the key id of every value and file header)."""
    status = KeyStatus(current=crypto.current_key_id(), listed=crypto.key_ids())
    with connection.cursor() as cursor:
        for model, columns in encrypted_columns():
            table = _q(model._meta.db_table)
            for column in columns:
                name = _q(_column(column))
                cursor.execute(
                    f"SELECT CASE WHEN {name} LIKE %s THEN SUBSTR({name}, 4, 10) ELSE '?' END, COUNT(*) "  # noqa: S608
                    f"FROM {table} WHERE {name} IS NOT NULL AND {name} <> '' GROUP BY 1",
                    ["v1.%"],
                )
                status.values[_label(model, column)] = Counter({str(kid): int(n) for kid, n in cursor.fetchall()})
    for source in SEALED_FILES.values():
        counts: Counter[str] = Counter()
        for _pk, name in _named_files(source).iterator(chunk_size=2000):
            counts[_file_key(source, name)] += 1
        status.files[source.name] = counts
    return status


def _named_files(source: SealedFiles) -> models.QuerySet[Any]:
    manager = source.model._base_manager
    return (
        manager.exclude(**{source.field: ""})
        .exclude(**{f"{source.field}__isnull": True})
        .values_list("pk", source.field)
    )


def _file_key(source: SealedFiles, name: str) -> str:
    try:
        with source.storage.open(name, "rb") as handle:
            if source.whole_token:
                return crypto.key_id_of(handle.read(64).decode("ascii", errors="replace")) or "?"
            return file_crypto.key_id_of(handle) or CLEAR  # type: ignore[arg-type]
    except FileNotFoundError:
        return MISSING


# Rotation ---------------------------------------------------------------------------------------------------


def _steps() -> list[tuple[str, str]]:
    values = [("values", model._meta.label_lower) for model, _columns in encrypted_columns()]
    files = [("files", name) for name in sorted(SEALED_FILES)]
    return values + files


def _stale_filter(columns: list[EncryptedTextField], current: str) -> tuple[str, list[Any]]:
    """SQL true for a row with a column sealed by another key than `current` (or not sealed at all)."""
    names = [_q(_column(c)) for c in columns]
    parts = [f"({name} IS NOT NULL AND {name} <> '' AND {name} NOT LIKE %s)" for name in names]
    return "(" + " OR ".join(parts) + ")", [f"v1.{current}.%"] * len(columns)


def _count_to_do(current: str) -> int:
    total = 0
    with connection.cursor() as cursor:
        for model, columns in encrypted_columns():
            where, params = _stale_filter(columns, current)
            cursor.execute(f"SELECT COUNT(*) FROM {_q(model._meta.db_table)} WHERE {where}", params)  # noqa: S608
            total += int(cursor.fetchone()[0])
    return total + sum(_named_files(source).count() for source in SEALED_FILES.values())


def rotate(ctx: JobContext) -> None:
    """The `core.reencrypt` job: every value and file to the current key, a batch at a time, resumable."""
    current = crypto.current_key_id()
    checkpoint = ctx.checkpoint if ctx.checkpoint.get("key") == current else {}
    progress: dict[str, Any] = {
        "key": current,
        "step": int(checkpoint.get("step", 0)),
        "after": checkpoint.get("after"),
        "done": int(checkpoint.get("done", 0)),
        "counts": dict(checkpoint.get("counts", {})),
    }
    total = progress["done"] + _count_to_do(current)
    ctx.progress(progress["done"], total, stage=f"re-encrypting with key {current}", checkpoint=progress)
    steps = _steps()
    models_by_label = {model._meta.label_lower: (model, columns) for model, columns in encrypted_columns()}
    while progress["step"] < len(steps):
        kind, name = steps[progress["step"]]
        while True:
            if kind == "values":
                model, columns = models_by_label[name]
                handled, last = _rotate_values(ctx, model, columns, current, progress["after"], progress["counts"])
            else:
                handled, last = _rotate_files(ctx, SEALED_FILES[name], current, progress["after"], progress["counts"])
            if last is None:
                break
            progress["after"] = last
            progress["done"] += handled
            ctx.progress(progress["done"], max(total, progress["done"]), stage=f"{name}", checkpoint=progress)
        progress["step"] += 1
        progress["after"] = None
        ctx.progress(progress["done"], max(total, progress["done"]), stage=f"{name}: done", checkpoint=progress)
    counts = progress["counts"]
    with transaction.atomic():
        audit.record(
            None,
            "keys.rotated",
            ctx.job,
            actor_username="system",
            changes={
                "key": [None, current],
                "values_reencrypted": [None, counts.get("values_reencrypted", 0)],
                "files_resealed": [None, counts.get("files_resealed", 0)],
                "files_sealed_from_clear": [None, counts.get("files_sealed_from_clear", 0)],
                "unreadable": [None, counts.get("unreadable", 0)],
            },
        )
    for name, n in counts.items():
        ctx.count(name, n)
    ctx.finish(key=current, **counts)


def _bump(counts: dict[str, int], name: str, n: int = 1) -> None:
    counts[name] = counts.get(name, 0) + n


def _rotate_values(
    ctx: JobContext,
    model: type[models.Model],
    columns: list[EncryptedTextField],
    current: str,
    after: Any,
    counts: dict[str, int],
) -> tuple[int, Any]:
    """One batch of rows with a stale column: (rows handled, the last primary key, or None when none are left)."""
    table, pk = _q(model._meta.db_table), _q(str(model._meta.pk.column))  # type: ignore[union-attr]
    where, params = _stale_filter(columns, current)
    if after is not None:
        where += f" AND {pk} > %s"
        params.append(after)
    select = ", ".join(_q(_column(c)) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {select} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s",  # noqa: S608
            [*params, BATCH],
        )
        rows = cursor.fetchall()
    if not rows:
        return 0, None
    updates: dict[str, list[tuple[str, Any, str]]] = {_column(c): [] for c in columns}
    prefix = f"v1.{current}."
    for row in rows:
        for column, token in zip(columns, row[1:], strict=True):
            if not token or token.startswith(prefix):
                continue
            try:
                updates[_column(column)].append((crypto.reencrypt(token, context=column._context), row[0], token))
            except crypto.DecryptionError as error:
                _bump(counts, "unreadable")
                ctx.error(str(error), table=_label(model, column), id=str(row[0]))
    with transaction.atomic(), connection.cursor() as cursor:
        for column_name, changes in updates.items():
            if changes:
                cursor.executemany(
                    f"UPDATE {table} SET {_q(column_name)} = %s WHERE {pk} = %s AND {_q(column_name)} = %s",  # noqa: S608
                    changes,
                )
                _bump(counts, "values_reencrypted", len(changes))
    last = rows[-1][0]
    return len(rows), last if isinstance(last, int | str) else str(last)


def _rotate_files(
    ctx: JobContext, source: SealedFiles, current: str, after: Any, counts: dict[str, int]
) -> tuple[int, Any]:
    batch = _named_files(source).order_by("pk")
    if after is not None:
        batch = batch.filter(pk__gt=after)
    rows = list(batch[:FILE_BATCH])
    if not rows:
        return 0, None
    for pk, name in rows:
        kid = _file_key(source, name)
        if kid == current:
            continue
        if kid == MISSING:
            _bump(counts, "files_missing")
            ctx.error("The file is not in storage.", files=source.name, id=str(pk), name=name)
            continue
        try:
            if _reseal(source, pk, name):
                _bump(counts, "files_sealed_from_clear" if kid == CLEAR else "files_resealed")
        except crypto.DecryptionError as error:
            _bump(counts, "unreadable")
            ctx.error(str(error), files=source.name, id=str(pk), name=name)
    return len(rows), str(rows[-1][0])


def _reseal(source: SealedFiles, pk: Any, name: str) -> bool:
    """Re-seal one file under the current key, its record locked so it is not replaced meanwhile; False if the
    record now names another file (that one was written under the current key)."""
    with transaction.atomic():
        obj = source.model._base_manager.select_for_update().filter(pk=pk).first()
        named = getattr(obj, source.field, None) if obj is not None else None
        if obj is None or (getattr(named, "name", named) or "") != name:
            return False
        context = source.context(obj)
        path = source.storage.path(name)  # local file storage: the only kind Passage configures
        folder = os.path.dirname(path)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".rotating-")
        try:
            with os.fdopen(fd, "wb") as target, open(path, "rb") as stored:
                if source.whole_token:
                    token = stored.read().decode("ascii")
                    target.write(crypto.reencrypt(token, context=context).encode("ascii"))
                else:
                    file_crypto.reseal(stored, target, context=context)
                target.flush()
                os.fsync(target.fileno())
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    return True
