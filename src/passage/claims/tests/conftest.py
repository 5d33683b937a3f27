"""Fixtures of the claims tests: a reparations programme on the shipped reparation claims workflow, its office,
the people who work there (a claims officer, a caseworker, an administrator; the outsider is an administrator of
another operation), a category of violation with its checklist, and people to claim."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from passage.cases import work_actions
from passage.cases.models import CaseDocument
from passage.claims import actions
from passage.claims.models import Claim, ViolationCategory
from passage.claims.violation_actions import RequirementInput, create_category
from passage.core.models import Operation, User
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory, member_of
from passage.registry.actions import register_household
from passage.registry.registration import ConsentInput, PersonInput

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def register_person(operation: Operation, office: Any, name: str = "Amal") -> Any:
    household = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(relationship="head", consent=ConsentInput(granted=True, method="verbal"), given_name_latin=name)
        ],
    )
    return household.members.get().person


def add_document(case: Any, user: User, kind: str) -> CaseDocument:
    return work_actions.upload_document(
        case=case, acting_user=user, kind=kind, upload=io.BytesIO(PDF), filename=f"{kind}.pdf", size=len(PDF)
    )


@pytest.fixture
def office(operation: Operation) -> Any:
    return OfficeFactory(operation=operation, code="dhk", name="Duhok")


@pytest.fixture
def programme(operation: Operation) -> Any:
    return ProgrammeFactory(operation=operation, code="ysl", name="Yazidi Survivors Law", type="reparations")


@pytest.fixture
def claims_officer(operation: Operation) -> User:
    return member_of(operation, "claims_officer")


@pytest.fixture
def person(operation: Operation, office: Any) -> Any:
    return register_person(operation, office)


@pytest.fixture
def category(operation: Operation) -> ViolationCategory:
    return create_category(
        operation=operation,
        acting_user=None,
        code="forced-labour",
        name="Forced labour",
        legal_basis="Survivors law, article 2",
        checklist=[
            RequirementInput("identity", "Identity document", document_kind="identity_document"),
            RequirementInput("proof", "Proof of the forced labour", document_kind="proof_of_violation"),
            RequirementInput("listed", "Named on a verification list", source_match=True, required=False),
        ],
    )


@pytest.fixture
def file(programme: Any, office: Any, claims_officer: User) -> Callable[..., Claim]:
    """file(claimant, **options) -> a claim filed by the claims officer."""

    def make(claimant: Any = None, **options: Any) -> Claim:
        claimant = claimant or register_person(programme.operation, office)
        options.setdefault("acting_user", claims_officer)
        return actions.file_claim(programme=programme, office=office, claimant=claimant, **options)

    return make


@pytest.fixture
def claim(file: Callable[..., Claim], person: Any) -> Claim:
    return file(person)
