"""The shell: dashboard with live counts, operation and language switchers, profile, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from passage.core import access, actions, queries
from passage.core.dashboard import tiles_for
from passage.core.forms import ApiTokenForm
from passage.core.models import Membership
from passage.core.models.operations import ProgrammeType
from passage.core.views._util import me, operation_or_403


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    operation = getattr(request, "operation", None)
    if operation is None:
        return render(request, "core/no_operation.html", status=403)
    context = _dashboard_context(request)
    template = "core/dashboard.html#counts" if request.htmx else "core/dashboard.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _dashboard_context(request: HttpRequest) -> dict[str, object]:
    operation = operation_or_403(request)
    labels = dict(ProgrammeType.choices)
    by_type = [
        {"label": str(labels.get(row["type"], row["type"])), "value": row["n"]}
        for row in queries.programmes_by_type(request.user, operation)
    ]
    return {
        "counts": queries.dashboard_counts(request.user, operation),
        "tiles": tiles_for(request.user, operation),
        "programmes_by_type": by_type,
        "recent_jobs": queries.jobs_for(request.user, operation)[:5],
    }


@login_required
@require_POST
def switch_operation(request: HttpRequest) -> HttpResponse:
    operation = access.get_operation_for_user(request.user, request.POST.get("operation"))
    actions.switch_operation(acting_user=me(request), operation=operation)
    messages.info(request, _("You are now working in %(operation)s.") % {"operation": operation.name})
    return redirect("dashboard")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Set the interface language: on the account when signed in, and in a cookie for the sign-in page."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        try:
            actions.set_preferred_language(acting_user=me(request), language=language)
        except ValidationError:
            return response
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )
    return response


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.active()
        .filter(user=me(request))
        .select_related("operation", "role")
        .prefetch_related("programmes", "offices")
    )
    return render(
        request,
        "core/profile.html",
        {
            "memberships": memberships,
            "tokens": queries.tokens_of(request.user),
            "token_form": ApiTokenForm(),
            "new_token": request.session.pop("new_token", None),
            "two_factor_required": access.requires_two_factor(request.user),
        },
    )


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, plaintext = actions.create_api_token(
                acting_user=me(request),
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            # Shown once on the next page, then gone: the server keeps only its hash.
            request.session["new_token"] = plaintext
    else:
        messages.error(request, _("Give the token a name and a number of days between 1 and 366."))
    return redirect("profile")


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: str) -> HttpResponse:
    token = access.get_token_for_user(request.user, token_id)
    actions.revoke_api_token(token=token, acting_user=me(request))
    messages.info(request, _("The token %(name)s no longer works.") % {"name": token.name})
    return redirect("profile")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make run`: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
