"""Request id and audit context, the current operation, and the two-factor requirement."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from passage.core import access, audit

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tag each request with an id (kept from X-Request-ID when well-formed) for logs and audit events."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = audit.set_request_context(request_id, request.META.get("REMOTE_ADDR") or None)
        try:
            response = self.get_response(request)
        finally:
            audit.reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response


class CurrentOperationMiddleware:
    """Attach the operation the user works in, and their preferred language when they set one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        request.operation = access.current_operation(user)  # type: ignore[attr-defined]
        language = getattr(user, "preferred_language", "")
        if language and not request.path.startswith("/api/"):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Roles that need two-factor authentication cannot use the site until they have verified a code."""

    exempt_prefixes = ("/login", "/logout", "/two-factor", "/static/", "/i18n/", "/api/", "/health")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and not request.path.startswith(self.exempt_prefixes)
            and not user.is_verified()  # type: ignore[union-attr]
            and access.requires_two_factor(user)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
