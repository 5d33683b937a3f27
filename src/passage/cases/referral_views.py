"""Pages of referrals: the office's referrals, a case's referrals and the form to send one (with a preview of
exactly what the provider will see), a referral's page (for staff, and for the provider's users), the provider's
inbox. The directory of providers is in provider_views; the one-time link pages in referral_link_views.

Thin: a referral comes only through referral_access (a 404 for anyone who may not see it), lists through
referral_queries, every change through one action.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.cases import referral_actions as actions
from passage.cases import referral_queries as queries
from passage.cases import referral_sharing as sharing
from passage.cases.access import MANAGE, VIEW, get_case_for_user, may
from passage.cases.models.referrals import Channel, Referral, ReferralLink, RejectionReason, Service
from passage.cases.referral_access import (
    get_referral_for_user,
    may_manage_referral,
    may_respond,
    may_see_case,
    works_for,
)
from passage.cases.referral_forms import (
    AnswerForm,
    CancelForm,
    CloseForm,
    IssueLinkForm,
    PersonFeedbackForm,
    ReferralForm,
    SharingScopeForm,
)
from passage.core import access
from passage.core.models import User
from passage.core.views._util import add_action_errors, me, operation_or_403, paginate
from passage.registry.access import may_see_sensitive
from passage.registry.models import AdminArea, Person

PROVIDERS_SHOWN = 50


def _referral_url(referral: Referral, anchor: str = "") -> str:
    url = reverse("cases_referral", kwargs={"referral_id": referral.pk})
    return f"{url}#{anchor}" if anchor else url


def _status(request: HttpRequest) -> str:
    status = request.GET.get("status", "active")
    return status if status in queries.STATUSES else "active"


def _status_tabs(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    names = {"active": _("Active"), "overdue": _("Overdue"), "finished": _("Closed"), "all": _("All")}
    return [(code, names[code], counts[code]) for code in queries.STATUSES]


def no_store(response: HttpResponse) -> HttpResponse:
    """Pages showing shared data or a link's token are not kept by the browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


# --- lists --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def office_referrals(request: HttpRequest) -> HttpResponse:
    """The referrals of the cases of the offices one works in (or one's own cases), overdue first."""
    operation = access.require(request.user, VIEW, operation_or_403(request))
    mine = request.GET.get("mine") == "1"
    status = _status(request)
    all_of_them = queries.office_referrals(request.user, operation, status="all", mine=mine)
    page = paginate(request, queries.office_referrals(request.user, operation, status=status, mine=mine))
    return render(
        request,
        "cases/referrals/list.html",
        {
            "page": page,
            "status": status,
            "mine": mine,
            "tabs": _status_tabs(queries.status_counts(all_of_them)),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals received by the providers one works for."""
    user = me(request)
    providers = list(user.provider_links.filter(removed_at__isnull=True).select_related("provider"))  # type: ignore[attr-defined]
    if not providers:
        raise PermissionDenied(_("You do not work for a service provider."))
    status = _status(request)
    page = paginate(request, queries.inbox(user, status=status))
    return render(
        request,
        "cases/referrals/inbox.html",
        {
            "page": page,
            "status": status,
            "tabs": _status_tabs(queries.status_counts(queries.inbox(user, status="all"))),
            "providers": [link.provider for link in providers],
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def case_referrals(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    return render(
        request,
        "cases/referrals/case_referrals.html",
        {
            "case": case,
            "referrals": queries.case_referrals(case),
            "may_refer": case.is_open and may(request.user, MANAGE, case),
            "now": timezone.now(),
        },
    )


# --- what the person agreed to share -------------------------------------------------------------------------


def _person_of(request: HttpRequest, people: list[Person]) -> Person | None:
    wanted = (request.POST if request.method == "POST" else request.GET).get("person", "")
    for person in people:
        if str(person.pk) == wanted:
            return person
    return people[0] if len(people) == 1 or not wanted else None


@login_required
@require_http_methods(["GET", "POST"])
def sharing_scope(request: HttpRequest, case_id: str) -> HttpResponse:
    """Record what a person of the case agreed service providers may receive, under their consent to sharing."""
    case = get_case_for_user(request.user, case_id, need=MANAGE, audited=request.method == "GET")
    people = actions.people_of(case)
    person = _person_of(request, people)
    if person is None:
        messages.info(request, _("Choose whom the referral is for."))
        return redirect("cases_referral_new", case_id=case.pk)
    if not access.can(request.user, "person.register", person):
        raise PermissionDenied
    current = sharing.consented(person)
    form = SharingScopeForm(request.POST or None, initial={"items": current.items if current else []})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_sharing_scope(
                person=person, acting_user=me(request), items=form.cleaned_data["items"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("What the person agreed to share is recorded."))
            return redirect(f"{reverse('cases_referral_new', kwargs={'case_id': case.pk})}?person={person.pk}")
    return render(
        request,
        "cases/referrals/scope.html",
        {
            "case": case,
            "person": person,
            "form": form,
            "decision": sharing.sharing_decision(person),
            "current": current,
        },
    )


# --- sending ------------------------------------------------------------------------------------------------


def fingerprint(data: dict[str, Any]) -> str:
    """What the caseworker previewed: the person, provider, service, reason and items (sent only if unchanged)."""
    items = ",".join(sorted(data.get("items") or []))
    text = "|".join(str(data.get(key, "")) for key in ("person", "provider", "service", "reason")) + "|" + items
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, case_id: str) -> HttpResponse:
    """Refer a person of the case: choose them, the service and the area, then a provider among those found,
    what to share (only what they agreed to), preview exactly what the provider will see, and send."""
    case = get_case_for_user(request.user, case_id, need=MANAGE, audited=request.method == "GET")
    if not case.is_open:
        messages.error(request, _("This case is closed: reopen it first."))
        return redirect("cases_case_referrals", case_id=case.pk)
    people = actions.people_of(case)
    person = _person_of(request, people)
    data = request.POST if request.method == "POST" else request.GET
    service = data.get("service", "") if data.get("service", "") in Service.values else ""
    areas = queries.search_areas(case.operation)
    wanted_area = data.get("area", "")
    area = areas.filter(pk=wanted_area).first() if _is_uuid(wanted_area) else None
    if area is None and person is not None and person.admin_area_id:
        area = _area_to_search(person.admin_area_id, areas)
    context: dict[str, Any] = {
        "case": case,
        "people": people,
        "person": person,
        "service": service,
        "services": Service.choices,
        "areas": areas,
        "area": area,
        "may_record_scope": person is not None and access.can(request.user, "person.register", person),
    }
    if person is None or not service:
        return render(request, "cases/referrals/new.html", context)
    try:
        consent = sharing.require_consent(person)
    except sharing.SharingRefused as refused:
        context["refused"] = str(refused)
        context["decision"] = sharing.sharing_decision(person)
        return render(request, "cases/referrals/new.html", context)
    providers = list(queries.directory(request.user, case.operation, service=service, area=area)[:PROVIDERS_SHOWN])
    offered = [
        (code, sharing.ITEMS[code].label) for code in consent.items if sharing.may_share(request.user, person, code)
    ]
    form = ReferralForm(
        request.POST or None,
        people=people,
        providers=providers,
        items=offered,
        initial={"person": str(person.pk), "service": service, "items": [code for code, _label in offered]},
    )
    context.update(
        {
            "form": form,
            "providers": providers,
            "offered": offered,
            "not_agreed": [sharing.ITEMS[code].label for code in sharing.ITEM_CODES if code not in consent.items],
            "not_visible": [
                sharing.ITEMS[code].label for code in consent.items if not sharing.may_share(request.user, person, code)
            ],
            "email_possible": actions.email_possible(),
            "sees_sensitive": may_see_sensitive(request.user, person),
        }
    )
    if request.method != "POST" or not form.is_valid():
        return render(request, "cases/referrals/new.html", context)
    cleaned = form.cleaned_data
    chosen = next(p for p in providers if str(p.pk) == cleaned["provider"])
    previewed = fingerprint(cleaned)
    if "send" not in request.POST or cleaned.get("previewed") != previewed:
        if "send" in request.POST:
            form.add_error(None, _("You changed the referral since the preview: check the preview again, then send."))
        context.update(
            {
                "preview": queries.preview(person, cleaned["items"]),
                "preview_provider": chosen,
                "preview_reason": cleaned["reason"],
                "fingerprint": previewed,
            }
        )
        return no_store(render(request, "cases/referrals/new.html", context))
    try:
        sent = actions.send_referral(
            case=case,
            person=person,
            provider=chosen,
            service=cleaned["service"],
            urgency=cleaned["urgency"],
            reason=cleaned["reason"],
            items=cleaned["items"],
            acting_user=me(request),
            email_link=cleaned["email_link"],
            site_url=request.build_absolute_uri("/"),
        )
    except sharing.SharingRefused as refused:
        form.add_error(None, str(refused))
    except ValidationError as error:
        add_action_errors(form, error)
    else:
        messages.success(request, _("Referral %(ref)s is sent.") % {"ref": sent.referral.reference})
        if sent.token and not sent.emailed_to:
            return _link_shown(request, sent.referral, sent.link, sent.token)
        if sent.emailed_to:
            messages.info(request, _("The one-time link was emailed to the provider's referral contacts."))
        return redirect(_referral_url(sent.referral))
    return render(request, "cases/referrals/new.html", context)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _area_to_search(area_id: Any, areas: Any) -> AdminArea | None:
    """The person's area, or the one above it that the search offers."""
    area = AdminArea.objects.filter(pk=area_id).select_related("parent").first()
    while area is not None and area.level > 2:
        area = area.parent
    return area if area is not None and area.level in (1, 2) else None


def _link_shown(request: HttpRequest, referral: Referral, link: ReferralLink | None, token: str) -> HttpResponse:
    """The one time a link's address is shown: to copy and pass on to the provider."""
    url = request.build_absolute_uri(reverse("cases_referral_link", kwargs={"token": token}))
    return no_store(
        render(request, "cases/referrals/link_issued.html", {"referral": referral, "link": link, "url": url})
    )


# --- a referral ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def referral(request: HttpRequest, referral_id: str) -> HttpResponse:
    """A referral: for staff who see its case, with its case, links and history; for the provider's users, only
    what was shared and the answers."""
    item = get_referral_for_user(request.user, referral_id)
    staff = may_see_case(request.user, item)
    context: dict[str, Any] = {
        "referral": item,
        "staff": staff,
        "shown": queries.shown(item),
        "may_respond": not item.is_finished and may_respond(request.user, item),
        "may_manage": staff and not item.is_finished and may_manage_referral(request.user, item),
        "for_provider": works_for(request.user, item.provider_id),
        "now": timezone.now(),
    }
    context.update(_answer_context(item))
    if staff:
        context.update(
            {
                "links": list(item.links.select_related("created_by")) if item.provider.channel == Channel.LINK else [],
                "history": queries.history(item),
                "close_form": CloseForm(),
                "cancel_form": CancelForm(),
                "feedback_form": PersonFeedbackForm(),
                "email_possible": actions.email_possible(),
            }
        )
    return no_store(render(request, "cases/referrals/referral.html", context))


def _answer_context(item: Referral) -> dict[str, Any]:
    return {"rejection_reasons": RejectionReason.choices, "today": timezone.localdate()}


def apply_answer(
    form: AnswerForm, referral: Referral, *, acting_user: User | None, via_link: ReferralLink | None = None
) -> str:
    """Carry out a provider's answer (acknowledge, accept, reject, deliver, feedback): the message to show. The
    same for the provider's users, staff recording it for them, and the one-time link page."""
    data = form.cleaned_data
    answer = data["answer"]
    who: dict[str, Any] = {"referral": referral, "acting_user": acting_user, "via_link": via_link}
    if answer == "acknowledge":
        actions.acknowledge_referral(**who)
        return _("The referral is acknowledged.")
    if answer == "accept":
        actions.accept_referral(**who, note=data.get("note") or "")
        return _("The referral is accepted.")
    if answer == "reject":
        actions.reject_referral(**who, reason=data.get("reason") or "", note=data.get("note") or "")
        return _("The referral is rejected.")
    if answer == "deliver":
        actions.record_delivery(**who, delivered_on=data["delivered_on"], service=data.get("service") or "")
        return _("The service delivered is recorded.")
    actions.record_provider_feedback(**who, feedback=data.get("feedback") or "")
    return _("Your feedback is recorded.")


def answer_errors(form: AnswerForm) -> str:
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


@login_required
@require_POST
def referral_answer(request: HttpRequest, referral_id: str) -> HttpResponse:
    item = get_referral_for_user(request.user, referral_id, need="respond", audited=False)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, answer_errors(form))
    else:
        try:
            messages.success(request, apply_answer(form, item, acting_user=me(request)))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(_referral_url(item, "answer"))


@login_required
@require_POST
def referral_close(request: HttpRequest, referral_id: str) -> HttpResponse:
    item = get_referral_for_user(request.user, referral_id, need="manage", audited=False)
    form = CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.close_referral(referral=item, acting_user=me(request), note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The referral is closed."))
    return redirect(_referral_url(item))


@login_required
@require_POST
def referral_cancel(request: HttpRequest, referral_id: str) -> HttpResponse:
    item = get_referral_for_user(request.user, referral_id, need="manage", audited=False)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.cancel_referral(referral=item, acting_user=me(request), reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The referral is cancelled."))
    return redirect(_referral_url(item))


@login_required
@require_POST
def referral_person_feedback(request: HttpRequest, referral_id: str) -> HttpResponse:
    item = get_referral_for_user(request.user, referral_id, need="manage", audited=False)
    form = PersonFeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how satisfied the person is."))
        return redirect(_referral_url(item, "feedback"))
    try:
        actions.record_person_feedback(
            referral=item,
            acting_user=me(request),
            satisfaction=form.cleaned_data["satisfaction"],
            feedback=form.cleaned_data["feedback"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The person's feedback is recorded."))
    return redirect(_referral_url(item, "feedback"))


@login_required
@require_POST
def referral_link_issue(request: HttpRequest, referral_id: str) -> HttpResponse:
    """A new one-time link (the earlier ones stop working): shown once, or emailed."""
    item = get_referral_for_user(request.user, referral_id, need="manage", audited=False)
    form = IssueLinkForm(request.POST)
    email = form.is_valid() and form.cleaned_data["email_link"]
    try:
        issued = actions.issue_link(
            referral=item, acting_user=me(request), email=email, site_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_referral_url(item, "links"))
    if issued.emailed_to:
        messages.success(request, _("A new link was emailed to the provider's referral contacts."))
        return redirect(_referral_url(item, "links"))
    return _link_shown(request, item, issued.link, issued.token)


@login_required
@require_POST
def referral_link_revoke(request: HttpRequest, referral_id: str, link_id: str) -> HttpResponse:
    item = get_referral_for_user(request.user, referral_id, need="manage", audited=False)
    link = item.links.filter(pk=link_id).first() if _is_uuid(link_id) else None
    if link is None:
        raise Http404
    try:
        actions.revoke_link(link=link, acting_user=me(request), reason=request.POST.get("reason", "")[:500])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link no longer works."))
    return redirect(_referral_url(item, "links"))
