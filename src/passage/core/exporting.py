"""What every export shares, whatever it lists (people, cases, ...): spreadsheet-safe values, CSV and XLSX written
as rows come, files protected with a password, the background job that writes them as the person who asked, and
the suppression of small counts (decision 0016).

Spreadsheet safety: a cell that begins with = + - @ (or a tab or carriage return) would be run as a formula by Excel
or LibreOffice; such values are written with a leading apostrophe. A protected export is an encrypted XLSX (Excel
and LibreOffice ask for the password) or, for CSV, an AES-encrypted zip. The password is sealed with the site key
into the job's checkpoint, never into its parameters nor the audit trail, and removed once the file is written.

Counts: a count under the operation's threshold is shown as "<5" and never totalled, so that nobody can be singled
out nor recomputed from a total.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from passage.core import crypto
from passage.core.access import can
from passage.core.jobs import JobContext, JobFailed
from passage.core.models import Job, Operation, User

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
XLSX_ROWS_PER_SHEET = 1_048_575  # Excel's limit, less the header
PASSWORD_MIN_LENGTH = 12
FORMATS = ("csv", "xlsx")
DEFAULT_THRESHOLD = 5


# --- files ---------------------------------------------------------------------------------------------------


def neutralise(value: Any) -> str:
    """Text safe to open in a spreadsheet: formulas become plain text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: list[str], rows: Iterable[list[str]], target: IO[bytes]) -> int:
    """UTF-8 with a byte-order mark, which Excel needs to read Arabic and other scripts correctly."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    text.flush()
    text.detach()
    return written


def write_xlsx(header: list[str], rows: Iterable[list[str]], target: Path | IO[bytes], *, title: str) -> int:
    """A write-only workbook (rows go to disk as they come); a new sheet every million rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    written = 0
    for row in rows:
        if written and written % XLSX_ROWS_PER_SHEET == 0:
            sheet = workbook.create_sheet(f"{title} {written // XLSX_ROWS_PER_SHEET + 1}")
            sheet.append(header)
        sheet.append(row)  # neutralised strings: openpyxl writes them as text, never as formulas
        written += 1
    workbook.save(target)
    return written


def encrypt_xlsx(source: Path, target: IO[bytes], password: str) -> None:
    """ECMA-376 agile encryption (AES-256), which Excel and LibreOffice open after asking for the password."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as handle:
        OOXMLFile(handle).encrypt(password, target)


def encrypt_to_zip(source: Path, target: Path, password: str, *, name: str) -> None:
    """`source` inside an AES-256 zip (WinZip AES; 7-Zip, WinZip and the system tools of macOS and most
    Linux desktops open it; the Windows Explorer built-in zip does not)."""
    import pyzipper

    with pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.write(source, arcname=name)


def password_problem(password: str, *, required: str = "") -> str:
    """What is wrong with an export's password, or "": too short, or missing where `required` says why one is
    needed."""
    if password and len(password) < PASSWORD_MIN_LENGTH:
        return _("Use a password of at least %(n)s characters.") % {"n": PASSWORD_MIN_LENGTH}
    if required and not password:
        return required
    return ""


# --- the export job ------------------------------------------------------------------------------------------


def queue_export(
    *, acting_user: User, operation: Operation, kind: str, params: dict[str, Any], title: str, password: str
) -> Job:
    """Start an export job of `kind` for `acting_user` (its owner, whom it runs as), with the password sealed into
    its checkpoint. The kind must not be startable from the Jobs page: the caller's action, with its checks and
    its audit, is its only door."""
    from passage.core.actions import start_job

    job = start_job(acting_user=None, operation=operation, kind=kind, params=params, title=title)
    checkpoint = {"sealed_password": crypto.encrypt(password, context=_seal_context(job))} if password else {}
    Job.objects.filter(pk=job.pk).update(created_by=acting_user, checkpoint=checkpoint)
    job.created_by, job.checkpoint = acting_user, checkpoint
    return job


def _seal_context(job: Job) -> str:
    """Bound to the job's kind and key: a sealed password opens only for the job it was given to. (The registry's
    people exports kept "registry.export.password" from before exports were shared.)"""
    purpose = "registry.export.password" if job.kind == "registry.export_people" else f"{job.kind}.password"
    return f"{purpose}.{job.pk}"


def asker(ctx: JobContext, permission: str, refusal: str) -> User:
    """The person the export runs as, if they are still active and still hold `permission`; JobFailed with
    `refusal` otherwise."""
    job = ctx.job
    user = User.objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
    if user is None or not user.is_active or not can(user, permission, job.operation):
        raise JobFailed(refusal)
    return user


def unseal_password(ctx: JobContext) -> str:
    """The export's password ("" for an unprotected file)."""
    sealed = ctx.checkpoint.get("sealed_password")
    if not sealed:
        return ""
    try:
        return crypto.decrypt(str(sealed), context=_seal_context(ctx.job))
    except crypto.DecryptionError as exc:
        raise JobFailed(_("The password of this export could not be read: ask for the export again.")) from exc


def forget_password(ctx: JobContext) -> None:
    """The sealed password goes with the finished job."""
    Job.objects.filter(pk=ctx.job.pk).update(checkpoint={})
    ctx.checkpoint = {}


def write_export(
    ctx: JobContext,
    *,
    header: list[str],
    rows: Iterable[list[str]],
    total: int,
    file_format: str,
    password: str,
    base: str,
    title: str,
) -> tuple[str, int]:
    """Write `rows` to a temporary file in `file_format`, protect it with `password` if there is one, and attach it
    to the job, sealed; progress is reported every CHUNK rows. Returns the file's name and the rows written."""
    ctx.progress(0, total, stage=_("writing %(n)s rows") % {"n": total})

    def reported() -> Iterator[list[str]]:
        for done, row in enumerate(rows, 1):
            yield row
            if done % CHUNK == 0:
                ctx.progress(done, total)

    with tempfile.TemporaryDirectory(prefix="passage-export-") as folder:
        plain = Path(folder) / f"{base}.{file_format}"
        with plain.open("wb") as handle:
            if file_format == "xlsx":
                written = write_xlsx(header, reported(), handle, title=title)
            else:
                written = write_csv(header, reported(), handle)
        ctx.progress(written, max(total, written), stage=_("protecting the file") if password else None)
        result, filename = plain, plain.name
        if password and file_format == "xlsx":
            result = Path(folder) / "protected.xlsx"
            with result.open("wb") as handle:
                encrypt_xlsx(plain, handle, password)
        elif password:
            filename = f"{base}.zip"
            result = Path(folder) / filename
            encrypt_to_zip(plain, result, password, name=plain.name)
        with result.open("rb") as finished:
            ctx.attach_file(filename, finished)
    return filename, written


# --- counts --------------------------------------------------------------------------------------------------


def small_cell_threshold(operation: Operation) -> int:
    """The operation's threshold (settings.SMALL_CELL_THRESHOLDS by operation code), else the site's
    (settings.SMALL_CELL_THRESHOLD), else 5."""
    by_operation: dict[str, int] = getattr(settings, "SMALL_CELL_THRESHOLDS", {}) or {}
    default = int(getattr(settings, "SMALL_CELL_THRESHOLD", DEFAULT_THRESHOLD))
    return max(1, int(by_operation.get(operation.code, default)))


def threshold_problem(operation: Operation, threshold: int | None) -> str:
    """A threshold may be raised above the operation's, never lowered below it."""
    minimum = small_cell_threshold(operation)
    if threshold is not None and threshold < minimum:
        return _("Counts under %(n)s are always suppressed in this operation: choose %(n)s or more.") % {"n": minimum}
    return ""


def suppress(count: int, threshold: int) -> tuple[int | None, str]:
    """A count as published: (None, "<5") under the threshold, else (the count, its text)."""
    if count < threshold:
        return None, f"<{threshold}"
    return count, str(count)
