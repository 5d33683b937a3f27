"""Every API error as an RFC 9457 problem: application/problem+json with type, title, status and detail.

The handlers are registered on the API root by `install`. Validation problems carry `errors`, one
entry per field (`field` is None for a problem with the whole request).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
# Where a ninja validation error says the bad value came from; the field path starts after it.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class FieldError(Schema):
    field: str | None
    message: str


class Problem(Schema):
    """An RFC 9457 problem detail."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


# Declared on every operation so that the OpenAPI document lists the problems a client may meet.
PROBLEMS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}


def problem_response(
    request: HttpRequest, status: int, detail: str, errors: list[dict[str, Any]] | None = None
) -> HttpResponse:
    """A problem+json response; `title` is the status's standard phrase, as RFC 9457 asks for about:blank."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=CONTENT_TYPE)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _ninja_field(loc: list[Any] | tuple[Any, ...]) -> str | None:
    """("body", "payload", "end_date") -> "end_date"; ("query", "limit") -> "limit"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]  # the handler's parameter name means nothing to a client
    return ".".join(parts) or None


def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _ninja_field(error.get("loc", ())), "message": str(error.get("msg", ""))} for error in exc.errors
    ]
    return problem_response(request, 422, _("The request has invalid values."), errors)


def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": None if name == "__all__" else name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": None, "message": message} for message in exc.messages]
    detail = str(errors[0]["message"]) if len(errors) == 1 else _("The request has invalid values.")
    return problem_response(request, 422, detail, errors)


def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, 403, _("Your role does not allow this here."))


def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, _("There is nothing here, or you may not see it."))


def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        request, 401, _("Send a valid API token: 'Authorization: Bearer psg_…'. It may have expired or been revoked.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="passage"'
    return response


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc.message))


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Log the details for the operators; tell the client only the request id to quote."""
    log.exception("API error on %s %s", request.method, request.path)
    request_id = getattr(request, "request_id", "")
    return problem_response(
        request,
        500,
        _("Something went wrong on our side. Quote request id %(id)s when you report it.") % {"id": request_id},
    )


def install(api: NinjaAPI) -> None:
    """Register the problem handlers on `api` (replacing ninja's defaults)."""
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (NinjaValidationError, on_ninja_validation),
        (DjangoValidationError, on_django_validation),
        (PermissionDenied, on_permission_denied),
        (Http404, on_not_found),
        (AuthenticationError, on_authentication),
        (HttpError, on_http_error),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/ path no endpoint answers: a problem+json 404 rather than an HTML page."""
    return problem_response(request, 404, "No such endpoint. The list is at /api/v1/docs.")
