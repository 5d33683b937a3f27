"""Running background jobs: the catalogue of job kinds and the context a running job reports through.

A module registers a kind with `@job_kind(...)`; `start_job` (an action) creates the Job row and
queues it; the Huey task `run_job` calls the handler with a `JobContext`. Handlers report progress,
counts and row errors, keep a checkpoint so that a retried job resumes where it stopped, and may
attach a result file. Progress writes are bookkeeping: no audit event per tick.

Result files are stored sealed (passage.core.file_crypto), bound to their job: `open_result` reads one back.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.db.models import F
from django.utils import timezone

from passage.core import file_crypto
from passage.core.models import Job
from passage.core.models.jobs import JobState

log = logging.getLogger(__name__)
MAX_STORED_ERRORS = 1000
Progress = Callable[[int, int, str], None]


class JobCancelled(Exception):
    """Raised inside a handler when a person cancelled the job."""


class JobFailed(Exception):
    """A handler's way to stop with a message a person can read."""


@dataclass(frozen=True)
class JobKind:
    code: str
    title: str
    permission: str
    handler: Callable[[JobContext], None]
    description: str = ""
    user_startable: bool = True
    # Seen by the person who started it only — not by job overseers, nor superusers: an export's parameters,
    # counts and file hold what that person may see and others may not (Job.objects.visible_to).
    private: bool = False


KINDS: dict[str, JobKind] = {}


def job_kind(
    code: str,
    *,
    title: str,
    permission: str = "job.run",
    description: str = "",
    user_startable: bool = True,
    private: bool = False,
) -> Callable[[Callable[[JobContext], None]], Callable[[JobContext], None]]:
    def register(handler: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        KINDS[code] = JobKind(code, title, permission, handler, description, user_startable, private)
        return handler

    return register


def private_kinds() -> list[str]:
    """The kinds of job only their starter sees."""
    return sorted(code for code, kind in KINDS.items() if kind.private)


class JobContext:
    """What a handler sees: its parameters, its checkpoint, and ways to report."""

    def __init__(self, job: Job, *, on_progress: Progress | None = None) -> None:
        self.job = job
        self.params: dict[str, Any] = dict(job.params)
        self.checkpoint: dict[str, Any] = dict(job.checkpoint)
        self._on_progress = on_progress

    def progress(
        self, done: int, total: int | None = None, *, stage: str | None = None, checkpoint: dict[str, Any] | None = None
    ) -> None:
        values: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            values["progress_total"] = total
        if stage is not None:
            values["stage"] = stage[:200]
        if checkpoint is not None:
            self.checkpoint = checkpoint
            values["checkpoint"] = checkpoint
        Job.objects.filter(pk=self.job.pk).update(**values)
        if self._on_progress is not None:
            self._on_progress(done, total if total is not None else self.job.progress_total, stage or "")
        state = Job.objects.filter(pk=self.job.pk).values_list("state", flat=True).first()
        if state == JobState.CANCELLED:
            raise JobCancelled

    def count(self, name: str, increment: int = 1) -> None:
        self.job.counts[name] = self.job.counts.get(name, 0) + increment
        Job.objects.filter(pk=self.job.pk).update(counts=self.job.counts)

    def error(self, message: str, **where: Any) -> None:
        """A problem with one row or item; the job goes on. `where` says which (row=12, field="dob")."""
        if len(self.job.errors) < MAX_STORED_ERRORS:
            self.job.errors.append({"message": message, **where})
            Job.objects.filter(pk=self.job.pk).update(errors=self.job.errors)

    def attach(self, filename: str, content: bytes) -> None:
        self.attach_file(filename, io.BytesIO(content))

    def attach_file(self, filename: str, source: BinaryIO) -> None:
        """Store `source` (read to its end, a chunk at a time) as the job's result, sealed."""
        self.job.result_file.save(
            filename, file_crypto.sealed_file(source, context=result_context(self.job)), save=False
        )
        Job.objects.filter(pk=self.job.pk).update(result_file=self.job.result_file.name)

    def finish(self, **result: Any) -> None:
        self.job.result.update(result)
        Job.objects.filter(pk=self.job.pk).update(result=self.job.result)


def result_context(job: Job) -> str:
    """What a job's result file is sealed with, besides the key: it opens only as this job's result."""
    return f"core.job.result_file:{job.pk}"


def open_result(job: Job) -> BinaryIO:
    """The job's result file, decrypted as it is read (seekable; a file stored in clear is read as it is).
    Raises file_crypto.SealedFileError if it does not open."""
    return file_crypto.open_sealed(job.result_file.open("rb"), context=result_context(job))  # type: ignore[arg-type]


def execute(job_id: Any, *, on_progress: Progress | None = None) -> None:
    """Run one job to its end. Called by the Huey task; safe to call again for a retried job.
    `on_progress(done, total, stage)` hears every progress report (the command line prints them)."""
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return  # cancelled before it started, or already taken by another worker
    job = Job.objects.get(pk=job_id)
    kind = KINDS.get(job.kind)
    context = JobContext(job, on_progress=on_progress)
    try:
        if kind is None:
            raise JobFailed(f"Unknown kind of job: {job.kind}")
        kind.handler(context)
    except JobCancelled:
        Job.objects.filter(pk=job.pk).update(finished_at=timezone.now())
        return
    except JobFailed as failure:
        _finish(job, JobState.FAILED, str(failure))
        return
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobState.FAILED, f"{type(exc).__name__}: {exc}", trace=traceback.format_exc(limit=5))
        return
    _finish(job, JobState.SUCCEEDED)


def _finish(job: Job, state: str, message: str = "", trace: str = "") -> None:
    values: dict[str, Any] = {"state": state, "finished_at": timezone.now(), "heartbeat_at": timezone.now()}
    if message:
        errors = list(Job.objects.filter(pk=job.pk).values_list("errors", flat=True).first() or [])
        errors.append({"message": message, "fatal": True, **({"trace": trace} if trace else {})})
        values["errors"] = errors
    Job.objects.filter(pk=job.pk).exclude(state=JobState.CANCELLED).update(**values)
