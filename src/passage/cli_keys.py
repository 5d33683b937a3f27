"""`passage keys`: what each encryption key still seals, and rotating to a new key.

Rotation, step by step: put a new key first in PASSAGE_ENCRYPTION_KEYS (keep the old ones after it) and restart
Passage; run `passage keys rotate`; when `passage keys status` shows nothing left under the old keys, remove them.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

STALLED_MINUTES = 10


def add_parser(sub: Any) -> None:
    keys = sub.add_parser("keys", help="encryption keys: what each key seals, and rotation to a new key")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_sub.add_parser(
        "status", help="count the values and files each key seals; exit 1 while any are under an older key"
    )
    rotate = keys_sub.add_parser(
        "rotate", help="re-encrypt every value and file an older key sealed with the first key (resumable)"
    )
    rotate.add_argument("--operation", help="operation code to list the job under (default: the oldest operation)")
    rotate.add_argument("--queue", action="store_true", help="leave the work to the background worker")
    keys.set_defaults(func=cmd_keys)


def cmd_keys(args: argparse.Namespace) -> int:
    from passage.cli import _setup_django

    _setup_django()
    if args.keys_command == "status":
        return _status()
    return _rotate(args)


def _status() -> int:
    from passage.core.rotation import CLEAR, MISSING, key_status

    status = key_status()
    position = {kid: n for n, kid in enumerate(status.listed, start=1)}

    def describe(kid: str) -> str:
        if kid == status.current:
            return f"{kid}  (key 1, current)"
        if kid in position:
            return f"{kid}  (key {position[kid]}, older: still needed)"
        if kid == CLEAR:
            return "in clear (from before files were encrypted)"
        if kid == MISSING:
            return "missing from storage"
        return f"{kid}  (NOT in PASSAGE_ENCRYPTION_KEYS: cannot be read)"

    print(f"PASSAGE_ENCRYPTION_KEYS lists {len(status.listed)} key(s); new values use {status.current}.")
    for title, by_kind, totals in (
        ("Values", status.values, status.values_by_key()),
        ("Files", status.files, status.files_by_key()),
    ):
        print(f"{title}:")
        if not totals:
            print("  none")
        for kid, count in sorted(totals.items(), key=lambda item: (item[0] != status.current, item[0])):
            print(f"  {count:>12,}  {describe(kid)}")
            for kind, counts in sorted(by_kind.items()):
                if kid != status.current and counts.get(kid):
                    print(f"  {'':>12}    {counts[kid]:,} in {kind}")
    for kid in status.listed[1:]:
        if not status.values_by_key().get(kid) and not status.files_by_key().get(kid):
            print(
                f"Key {position[kid]} ({kid}) seals nothing any more: it may be removed from PASSAGE_ENCRYPTION_KEYS."
            )
    if status.unlisted():
        print(f"Sealed with keys no longer listed: {', '.join(status.unlisted())}.", file=sys.stderr)
    if status.to_move:
        print(f"{status.to_move:,} values and files are not under the current key: run `passage keys rotate`.")
        return 1
    print("Everything is under the current key.")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from passage.core.actions import fail_stalled_jobs
    from passage.core.actions.keys import rotate_keys
    from passage.core.jobs import execute
    from passage.core.models import Job, Operation
    from passage.core.models.jobs import JobState

    operation = None
    if args.operation:
        operation = Operation.objects.filter(code=args.operation).first()
        if operation is None:
            print(f"No operation with code {args.operation!r}.", file=sys.stderr)
            return 1
    fail_stalled_jobs(older_than_minutes=STALLED_MINUTES)  # a rotation whose process died is resumed, not waited for
    try:
        job = rotate_keys(acting_user=None, operation=operation)
    except ValidationError as error:
        print(" ".join(error.messages), file=sys.stderr)
        return 1
    print(f"Re-encrypting with key {job.params.get('key')}: job {job.pk} ({job.operation.code}).", flush=True)
    if args.queue:
        print("Queued for the background worker; follow it on the Jobs page, then run `passage keys status`.")
        return 0
    printer = _Printer()
    job.refresh_from_db()
    if job.state == JobState.QUEUED:
        execute(job.pk, on_progress=printer)  # does nothing if a worker took it first: then it is followed below
    while True:
        job = Job.objects.get(pk=job.pk)
        if job.is_finished:
            break
        if job.heartbeat_at and timezone.now() - job.heartbeat_at > dt.timedelta(minutes=STALLED_MINUTES):
            printer.end(job.progress_done, job.progress_total)
            print(
                f"The job has not reported for {STALLED_MINUTES} minutes: its process may have stopped. "
                "Run `passage keys rotate` again to resume it.",
                file=sys.stderr,
            )
            return 1
        printer(job.progress_done, job.progress_total, job.stage)
        time.sleep(1)
    printer.end(job.progress_done, job.progress_total)
    return _summary(job)


class _Printer:
    """Progress on one line that rewrites itself, at most twice a second."""

    def __init__(self) -> None:
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int, stage: str) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last, self.shown = now, True
        print(f"\r  {done:,} / {total:,}  {stage[:60]:<60}", end="", flush=True)

    def end(self, done: int, total: int) -> None:
        if self.shown:
            print(f"\r  {done:,} / {total:,}  {'rows and files checked':<60}")


def _summary(job: Any) -> int:
    result = job.result
    if job.state != "succeeded":
        problems = [error["message"] for error in job.errors if error.get("fatal")]
        print(f"The job {job.get_state_display().lower()}: {' '.join(problems)}", file=sys.stderr)
        print("Run `passage keys rotate` again to resume where it stopped.", file=sys.stderr)
        return 1
    print(
        f"Re-encrypted {result.get('values_reencrypted', 0):,} values and {result.get('files_resealed', 0):,} files; "
        f"sealed {result.get('files_sealed_from_clear', 0):,} files stored in clear."
    )
    unreadable = result.get("unreadable", 0) + result.get("files_missing", 0)
    if unreadable:
        print(f"{unreadable:,} values or files could not be read; the job's errors name them:", file=sys.stderr)
        for error in job.errors[:20]:
            where = ", ".join(f"{k}={v}" for k, v in error.items() if k != "message")
            print(f"  {where}: {error['message']}", file=sys.stderr)
        return 1
    print("Check with `passage keys status`, then remove the older keys from PASSAGE_ENCRYPTION_KEYS.")
    return 0
