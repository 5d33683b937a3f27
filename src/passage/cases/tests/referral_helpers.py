"""Helpers of the referral tests: a person's consent to sharing with its scope, a provider's user, sending."""

from __future__ import annotations

from typing import Any

from passage.cases import provider_actions, referral_actions
from passage.cases.models import Case
from passage.cases.models.referrals import ServiceProvider
from passage.core.models import User
from passage.core.tests.factories import UserFactory, member_of
from passage.registry.person_actions import record_consent

ITEMS = ["name", "sex", "languages", "phone"]


def consent_to_share(person: Any, items: list[str] | None = None) -> Any:
    """The person agrees to share `items` with service providers."""
    record_consent(person=person, acting_user=None, purpose="sharing", granted=True, method="verbal")
    return referral_actions.record_sharing_scope(person=person, acting_user=None, items=items or ITEMS)


def provider_user(provider: ServiceProvider) -> User:
    """An account of the operation that works for `provider` (its role in the operation is ended: it holds
    nothing but the link to the provider)."""
    user = member_of(provider.operation, "registration_clerk", user=UserFactory())
    user.memberships.update(is_active=False)
    provider_actions.link_user(provider=provider, user=user, acting_user=None)
    return user


def send(case: Case, provider: ServiceProvider, user: User, **options: Any) -> referral_actions.Sent:
    values: dict[str, Any] = {
        "case": case,
        "person": case.person,
        "provider": provider,
        "service": "health",
        "reason": "Needs a check-up after the journey.",
        "items": ["name", "phone"],
        "acting_user": user,
    }
    values.update(options)
    return referral_actions.send_referral(**values)
