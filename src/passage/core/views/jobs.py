"""The Jobs page: background work with progress bars that refresh themselves while anything runs."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from passage.core import access, actions, queries
from passage.core.file_crypto import SealedFileError
from passage.core.jobs import KINDS, open_result
from passage.core.views._util import me, operation_or_403, paginate

log = logging.getLogger(__name__)


def _startable(request: HttpRequest) -> list[dict[str, str]]:
    operation = operation_or_403(request)
    return [
        {"code": kind.code, "title": kind.title, "description": kind.description}
        for kind in KINDS.values()
        if kind.user_startable and access.can(request.user, kind.permission, operation)
    ]


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    operation = operation_or_403(request)
    jobs = queries.jobs_for(request.user, operation)
    context = {
        "page": paginate(request, jobs),
        "polling": queries.has_unfinished(jobs),
        "startable": _startable(request),
    }
    template = "core/jobs.html#job-table" if request.htmx else "core/jobs.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access.get_job_for_user(request.user, job_id)
    template = "core/job_detail.html#job-panel" if request.htmx else "core/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_start(request: HttpRequest) -> HttpResponse:
    operation = operation_or_403(request)
    kind = request.POST.get("kind", "")
    try:
        job = actions.start_job(acting_user=me(request), operation=operation, kind=kind)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("jobs")
    except PermissionDenied:
        raise
    messages.info(request, _("%(title)s has been queued.") % {"title": job.title})
    return redirect("jobs")


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access.get_job_for_user(request.user, job_id)
    try:
        actions.cancel_job(job=job, acting_user=me(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access.get_job_for_user(request.user, job_id)
    try:
        actions.retry_job(job=job, acting_user=me(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_GET
def job_result(request: HttpRequest, job_id: str) -> HttpResponseBase:
    job = access.get_job_for_user(request.user, job_id)
    if not job.result_file:
        raise Http404
    try:
        result = open_result(job)  # decrypted as it streams out
    except SealedFileError as error:
        log.error("result file of job %s does not open: %s", job.pk, error)
        messages.error(request, _("The result file could not be decrypted; an administrator can see why in the log."))
        return redirect("job_detail", job_id=job.pk)
    return FileResponse(result, as_attachment=True, filename=(job.result_file.name or "result").rsplit("/", 1)[-1])
