"""The audit trail page, for data protection officers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from passage.core import access, queries
from passage.core.views._util import operation_or_403, paginate


@login_required
@require_GET
def audit_events(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip()[:80] for key in ("action", "actor", "object_id")}
    operation = access.open_audit_trail(request.user, operation_or_403(request), filters=filters)
    events = queries.audit_events_for(request.user, operation, **filters)
    return render(
        request,
        "core/audit_events.html",
        {
            "page": paginate(request, events),
            "filters": filters,
            "can_verify": access.can(request.user, "audit.verify", operation),
        },
    )
