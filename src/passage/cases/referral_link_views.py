"""The one-time link pages: what a provider without a Passage account sees. No sign-in; a valid token, then the
session it opens, is the only key (referral_links explains the rule). Minimal pages outside the shell: no
navigation, no script, nothing from another site, translatable and right to left; every view audited, rate
limited per address, never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import referral_actions as actions
from passage.cases import referral_links as links
from passage.cases import referral_queries as queries
from passage.cases.models.referrals import ReferralLink, RejectionReason
from passage.cases.referral_forms import AnswerForm
from passage.cases.referral_views import answer_errors, apply_answer
from passage.core.access import fetch_or_404


def cookie_path() -> str:
    """The path the session cookie is limited to: the link pages only."""
    return reverse("cases_referral_link", kwargs={"token": "x" * 32}).rsplit("/", 2)[0] + "/"


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: the token's address never goes to another site, while the forms keep their
    # Origin header (with no-referrer, browsers send "Origin: null" and the CSRF check refuses every answer).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest, code: str) -> HttpResponse:
    texts = {
        "unknown": _("This link does not open anything. Check that you copied it whole."),
        "expired": _("This link has expired. Ask the organisation that referred the person for a new one."),
        "revoked": _("This link was withdrawn. Ask the organisation that referred the person for a new one."),
        "used": _(
            "This link was already opened, and for the person's safety it opens only once. If you opened it "
            "yourself, go back to the browser you used; otherwise ask the organisation that referred the person "
            "for a new one."
        ),
        "finished": _("This referral is closed: there is nothing more to see or do here."),
        "session_over": _(
            "Your time on this referral has ended. Ask the organisation that referred the person for a new link."
        ),
    }
    status = 404 if code == "unknown" else 410
    return _public(
        render(
            request,
            "cases/referrals/public_refused.html",
            {"message": texts.get(code, texts["unknown"])},
            status=status,
        )
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "cases/referrals/public_refused.html",
        {"message": _("Too many attempts from your network. Wait ten minutes and try again.")},
        status=429,
    )
    response["Retry-After"] = str(links.RATE_WINDOW)
    return _public(response)


@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest, token: str) -> HttpResponse:
    """GET: who sent it and a button, nothing about the person (mail scanners fetch links); POST: open it."""
    if not links.within_rate(request, "token", links.LINK_TRIES):
        return _too_many(request)
    link = links.find(token)
    if link is not None and links.refusal_in_session(link, links.session_secret(request, link.pk)) is None:
        return _public(redirect("cases_referral_shared", link_id=link.pk))  # this browser opened it already
    refusal = links.refusal_to_open(link)
    if refusal is not None or link is None:
        code = refusal.code if refusal is not None else "unknown"
        actions.record_link_refusal(link, code)
        return _refused(request, code)
    if request.method == "GET":
        actions.record_link_view(link, action="referral.link_landed")
        return _public(
            render(
                request,
                "cases/referrals/public_landing.html",
                {"link": link, "referral": link.referral, "minutes": links.SESSION_MINUTES},
            )
        )
    try:
        secret = actions.open_link(link=link)
    except ValidationError as refused:
        actions.record_link_refusal(link, refused.messages[0])
        return _refused(request, refused.messages[0])
    response = redirect("cases_referral_shared", link_id=link.pk)
    response.set_cookie(
        links.cookie_name(link),
        secret,
        max_age=links.SESSION_MINUTES * 60,
        path=cookie_path(),
        secure=request.is_secure() or bool(settings.SESSION_COOKIE_SECURE),
        httponly=True,
        samesite="Lax",
    )
    return _public(response)


def _in_session(request: HttpRequest, link_id: str) -> ReferralLink | HttpResponse:
    """The link whose session this browser holds, or the refusal page (audited)."""
    link: ReferralLink = fetch_or_404(
        ReferralLink.objects.select_related(
            "referral", "referral__provider", "referral__person", "referral__case__office"
        ),
        link_id,
    )
    refusal = links.refusal_in_session(link, links.session_secret(request, link.pk))
    if refusal is not None:
        actions.record_link_refusal(link, refusal.code)
        return _refused(request, refusal.code)
    return link


@require_GET
def shared(request: HttpRequest, link_id: str) -> HttpResponse:
    """What was shared with the provider, and their answers so far; the forms to answer."""
    if not links.within_rate(request, "session", links.SESSION_VIEWS):
        return _too_many(request)
    found = _in_session(request, link_id)
    if isinstance(found, HttpResponse):
        return found
    actions.record_link_view(found)
    referral = found.referral
    return _public(
        render(
            request,
            "cases/referrals/public_referral.html",
            {
                "link": found,
                "referral": referral,
                "shown": queries.shown(referral),
                "rejection_reasons": RejectionReason.choices,
                "answer_url": reverse("cases_referral_shared_answer", kwargs={"link_id": found.pk}),
            },
        )
    )


@require_POST
def answer(request: HttpRequest, link_id: str) -> HttpResponse:
    if not links.within_rate(request, "session", links.SESSION_VIEWS):
        return _too_many(request)
    found = _in_session(request, link_id)
    if isinstance(found, HttpResponse):
        return found
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, answer_errors(form))
    else:
        try:
            messages.success(request, apply_answer(form, found.referral, acting_user=None, via_link=found))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            return _refused(request, "session_over")
    return _public(redirect("cases_referral_shared", link_id=found.pk))
