"""The only way an interface fetches a referral or a service provider, and who may do what with them.

A referral the user may not see is a 404, never a 403 (a 403 would confirm it exists; a referral of a restricted
case names a person at risk). Staff reach a referral through its case (cases.access.may), a provider's users
through their provider (Referral.objects.received_by). Opening a referral shows the data shared about a person:
it is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.cases.access import MANAGE, VIEW, may
from passage.cases.models.referrals import ProviderUser, Referral, ServiceProvider, providers_of
from passage.core import audit
from passage.core.access import can
from passage.core.access import fetch_or_404 as _get
from passage.core.models import Operation

PROVIDER_MANAGE = "provider.manage"
NEEDS = ("view", "manage", "respond")


def may_manage_providers(user: Any, operation: Operation) -> bool:
    return can(user, PROVIDER_MANAGE, operation)


def may_consult_directory(user: Any, operation: Operation) -> bool:
    return can(user, VIEW, operation) or can(user, PROVIDER_MANAGE, operation)


def works_for(user: Any, provider_id: Any) -> bool:
    """Whether the user is one of the provider's users (the link not removed)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cache: dict[Any, bool] | None = getattr(user, "_passage_provider_of", None)
    if cache is None:
        cache = {}
        user._passage_provider_of = cache
    if provider_id not in cache:
        cache[provider_id] = providers_of(user).filter(provider_id=provider_id).exists()
    return cache[provider_id]


def may_manage_referral(user: Any, referral: Referral) -> bool:
    """Send, cancel, close and record the person's feedback: whoever may manage the case."""
    return may(user, MANAGE, referral.case)


def may_respond(user: Any, referral: Referral) -> bool:
    """Acknowledge, accept or reject, record the service delivered and the provider's feedback: the provider's
    users, and whoever manages the case (recording what a provider said by phone or email)."""
    return works_for(user, referral.provider_id) or may_manage_referral(user, referral)


def may_see_case(user: Any, referral: Referral) -> bool:
    return may(user, VIEW, referral.case)


def get_referral_for_user(user: Any, referral_id: Any, *, need: str = "view", audited: bool = True) -> Referral:
    """The referral if the user may `need` it (view, manage, respond); Http404 otherwise. Opening it is audited
    (`audited=False` for a change, whose action is)."""
    referral: Referral = _get(
        Referral.objects.visible_to(user).select_related(
            "case", "case__operation", "case__caseworker", "person", "provider", "sent_by", "closed_by"
        ),
        referral_id,
    )
    allowed = {
        "view": lambda: may_see_case(user, referral) or works_for(user, referral.provider_id),
        "manage": lambda: may_manage_referral(user, referral),
        "respond": lambda: may_respond(user, referral),
    }[need]
    if not allowed():
        raise Http404
    if audited:
        audit.record_read(user, referral)
    return referral


def get_provider_for_user(user: Any, provider_id: Any, *, need: str = "view") -> ServiceProvider:
    """A provider of the directories the user may consult (or works for); to change it, provider.manage in its
    operation. Http404 otherwise."""
    provider: ServiceProvider = _get(ServiceProvider.objects.visible_to(user).select_related("operation"), provider_id)
    if need == "manage" and not can(user, PROVIDER_MANAGE, provider):
        raise Http404
    return provider


def get_provider_user(provider: ServiceProvider, link_id: Any) -> ProviderUser:
    link: ProviderUser = _get(provider.members.filter(removed_at__isnull=True).select_related("user"), link_id)
    return link
