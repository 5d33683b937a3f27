"""Referrals through the JSON API: a case's referrals and sending one (only what the person agreed to share), the
referrals of one's offices, a provider's inbox, a referral, and the provider's answers — acknowledged, accepted
or rejected with the reason, the service delivered.

The same rules as the pages: a referral comes only through cases.referral_access (a 404 for anyone who neither
sees its case nor works for its provider; its provider's users see what was shared and the answers, never the
case), and every change is an action of cases.referral_actions. An answer the referral's state does not allow
(acknowledged already, closed…) is a 409.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS, Problem, problem_response
from passage.cases import referral_actions as actions
from passage.cases import referral_queries as queries
from passage.cases.access import MANAGE, VIEW, get_case_for_user
from passage.cases.models.referrals import Referral
from passage.cases.referral_access import (
    get_provider_for_user,
    get_referral_for_user,
    may_see_case,
)
from passage.cases.referral_schemas import (
    ReceivedReferralOut,
    ReferralAcceptIn,
    ReferralDeliveryIn,
    ReferralDetailOut,
    ReferralIn,
    ReferralListQuery,
    ReferralOut,
    ReferralRejectIn,
    ReferralSentOut,
)
from passage.cases.referral_sharing import SharingRefused
from passage.core import access as core_access
from passage.core.models import User

router = Router(tags=["referrals"])
STATE_CONFLICT: dict[int, type[Problem]] = {409: Problem}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _for(user: User, referral: Referral) -> Referral:
    """The referral as the caller may read it: its case and person only for staff who see the case."""
    referral.staff = may_see_case(user, referral)  # type: ignore[attr-defined]
    return referral


def _answered(request: HttpRequest, answer: Any) -> Any:
    """An answer's refusal by the referral's state (answered already, closed…) as a 409; a bad value stays a
    422."""
    try:
        return answer()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        return problem_response(request, 409, " ".join(error.messages))


# --- lists (before /referrals/{referral_id}) --------------------------------------------------------------------


@router.get("/referrals", response={200: list[ReferralOut], **PROBLEMS})
@paginate(LimitOffset)
def list_referrals(request: HttpRequest, filters: Query[ReferralListQuery]) -> QuerySet[Referral]:
    """The referrals of the cases the caller sees in the offices they work in (`mine`: of their own cases), overdue
    first, then by the date an answer is due; needs case.view."""
    user = _user(request)
    operation = core_access.require(user, VIEW, core_access.get_operation_for_user(user, filters.operation))
    referrals = queries.office_referrals(user, operation, status=filters.status, mine=filters.mine)
    return referrals.select_related("case", "person").annotate(
        staff=Value(True, output_field=BooleanField())
    )  # of cases the caller sees


@router.get("/referrals/inbox", response={200: list[ReceivedReferralOut], **PROBLEMS})
@paginate(LimitOffset)
def referral_inbox(request: HttpRequest, status: str = "active") -> QuerySet[Referral]:
    """The referrals received by the providers the caller works for (403 for someone who works for none)."""
    user = _user(request)
    if not user.provider_links.filter(removed_at__isnull=True).exists():  # type: ignore[attr-defined]
        raise PermissionDenied(_("You do not work for a service provider."))
    if status not in queries.STATUSES:
        raise ValidationError({"status": _("Choose one of %(s)s.") % {"s": ", ".join(queries.STATUSES)}})
    return queries.inbox(user, status=status)


# --- a case's referrals ---------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/referrals", response={200: list[ReferralOut], **PROBLEMS})
@paginate(LimitOffset)
def list_case_referrals(request: HttpRequest, case_id: UUID) -> list[Referral]:
    """Every referral of the case, newest first."""
    user = _user(request)
    referrals = queries.case_referrals(get_case_for_user(user, case_id, audited=False))
    for referral in referrals:
        referral.staff = True  # type: ignore[attr-defined]
    return referrals


@router.post("/cases/{case_id}/referrals", response={201: ReferralSentOut, 409: Problem, **PROBLEMS})
def send_referral(request: HttpRequest, case_id: UUID, payload: ReferralIn) -> Any:
    """Refer a person of the case (the case's person when not named) to a provider for a service, sharing the items
    chosen — only among those the person agreed to share, and that the caller may see (422 naming `items`
    otherwise; 409 when the person gave no consent to sharing, refused or withdrew it). A provider reached by
    one-time link gets one: emailed to its contacts with `email_link` (when email is set up), else its address
    is in `link_url`, this once, to pass on. Needs case.manage."""
    user = _user(request)
    case = get_case_for_user(user, case_id, need=MANAGE, audited=False)
    people = actions.people_of(case)
    wanted = payload.person or case.person_id
    person = next((someone for someone in people if someone.pk == wanted), None)
    if person is None:
        raise ValidationError({"person": _("Refer someone this case is about.")})
    try:
        provider = get_provider_for_user(user, payload.provider)
    except Http404 as missing:
        raise ValidationError({"provider": _("No provider of the directory has this id.")}) from missing
    try:
        sent = actions.send_referral(
            case=case,
            person=person,
            provider=provider,
            service=payload.service,
            urgency=payload.urgency,
            reason=payload.reason,
            items=payload.items,
            acting_user=user,
            email_link=payload.email_link,
            site_url=request.build_absolute_uri("/"),
        )
    except SharingRefused as refused:
        return problem_response(request, 409, str(refused))
    referral = _for(user, sent.referral)
    referral.link_url = (  # type: ignore[attr-defined]
        request.build_absolute_uri(reverse("cases_referral_link", kwargs={"token": sent.token}))
        if sent.token and not sent.emailed_to
        else None
    )
    referral.emailed_to = sent.emailed_to  # type: ignore[attr-defined]
    return Status(201, referral)


# --- a referral -------------------------------------------------------------------------------------------------


@router.get("/referrals/{referral_id}", response={200: ReferralDetailOut, **PROBLEMS})
def get_referral(request: HttpRequest, referral_id: UUID) -> Referral:
    """A referral with what was shared (less what the person no longer agrees to share); reading it is recorded in
    the audit trail. Its provider's users see it without its case."""
    user = _user(request)
    referral = _for(user, get_referral_for_user(user, referral_id))
    referral.shown = queries.shown(referral)  # type: ignore[attr-defined]
    return referral


def _responding(user: User, referral_id: UUID) -> Referral:
    return get_referral_for_user(user, referral_id, need="respond", audited=False)


@router.post("/referrals/{referral_id}/acknowledge", response={200: ReferralOut, **STATE_CONFLICT, **PROBLEMS})
def acknowledge_referral(request: HttpRequest, referral_id: UUID) -> Any:
    """The provider received the referral: by its users, or recorded by whoever manages the case."""
    user = _user(request)
    referral = _responding(user, referral_id)
    answered = _answered(request, lambda: actions.acknowledge_referral(referral=referral, acting_user=user))
    return answered if isinstance(answered, HttpResponse) else _for(user, answered)


@router.post("/referrals/{referral_id}/accept", response={200: ReferralOut, **STATE_CONFLICT, **PROBLEMS})
def accept_referral(request: HttpRequest, referral_id: UUID, payload: ReferralAcceptIn) -> Any:
    """The provider will provide the service (acknowledging the referral too, if it had not)."""
    user = _user(request)
    referral = _responding(user, referral_id)
    answered = _answered(
        request, lambda: actions.accept_referral(referral=referral, acting_user=user, note=payload.note)
    )
    return answered if isinstance(answered, HttpResponse) else _for(user, answered)


@router.post("/referrals/{referral_id}/reject", response={200: ReferralOut, **STATE_CONFLICT, **PROBLEMS})
def reject_referral(request: HttpRequest, referral_id: UUID, payload: ReferralRejectIn) -> Any:
    """The provider will not provide the service, and says why (a note with `other`)."""
    user = _user(request)
    referral = _responding(user, referral_id)
    answered = _answered(
        request,
        lambda: actions.reject_referral(referral=referral, acting_user=user, reason=payload.reason, note=payload.note),
    )
    return answered if isinstance(answered, HttpResponse) else _for(user, answered)


@router.post("/referrals/{referral_id}/delivery", response={200: ReferralOut, **STATE_CONFLICT, **PROBLEMS})
def record_delivery(request: HttpRequest, referral_id: UUID, payload: ReferralDeliveryIn) -> Any:
    """The provider delivered the service of an accepted referral: when, and what."""
    user = _user(request)
    referral = _responding(user, referral_id)
    answered = _answered(
        request,
        lambda: actions.record_delivery(
            referral=referral, acting_user=user, delivered_on=payload.delivered_on, service=payload.service
        ),
    )
    return answered if isinstance(answered, HttpResponse) else _for(user, answered)
