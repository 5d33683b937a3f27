"""Fixtures of the referral tests: providers (one reached by link, one with Passage accounts), a provider's user,
a case whose person agreed to share, and a referral."""

from __future__ import annotations

import pytest

from passage.cases import provider_actions
from passage.cases.models import Case
from passage.cases.models.referrals import Referral, ServiceProvider
from passage.cases.tests.referral_helpers import consent_to_share, provider_user, send
from passage.core.models import Operation, User


@pytest.fixture
def clinic(operation: Operation) -> ServiceProvider:
    """A clinic without Passage accounts: it receives referrals by one-time link."""
    provider = provider_actions.create_provider(
        acting_user=None,
        operation=operation,
        name="Hope Clinic",
        type="ngo",
        channel="link",
        services=["health", "mhpss"],
    )
    provider_actions.add_contact(
        provider=provider, acting_user=None, name="Dr Salma", email="referrals@hope.example", receives_referrals=True
    )
    return provider


@pytest.fixture
def legal(operation: Operation) -> ServiceProvider:
    """A legal aid organisation whose staff use Passage."""
    return provider_actions.create_provider(
        acting_user=None,
        operation=operation,
        name="Legal Aid Centre",
        type="ngo",
        channel="account",
        services=["legal_aid", "health"],
    )


@pytest.fixture
def lawyer(legal: ServiceProvider) -> User:
    return provider_user(legal)


@pytest.fixture
def shared_case(case: Case) -> Case:
    """The case's person agreed to share their name, sex, languages and phone."""
    consent_to_share(case.person)
    return case


@pytest.fixture
def referral(shared_case: Case, clinic: ServiceProvider, owner: User) -> Referral:
    return send(shared_case, clinic, owner).referral
