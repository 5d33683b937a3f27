"""The registry's JSON API: thin handlers over the same access rules, queries and actions as the pages.

People and households come only through `registry.access.get_*_for_user` (opening one is audited;
another operation's record is a 404); phones, documents and addresses are masked unless the role may
see them (`access.may_see_sensitive`); registering goes through `actions.register_household`.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS
from passage.core import access as core_access
from passage.core.models import Job, User
from passage.core.schemas import JobOut
from passage.registry import access, actions, queries
from passage.registry.export_actions import ExportRequest, count_people
from passage.registry.export_actions import export_people as queue_export
from passage.registry.models import AdminArea, Household, Person, Relationship
from passage.registry.names import NAME_FIELDS
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput
from passage.registry.schemas import (
    AdminAreaOut,
    AggregatesOut,
    HouseholdIn,
    HouseholdOut,
    MemberIn,
    PeopleExportIn,
    PersonOut,
    PersonSummaryOut,
)

router = Router()

SEARCH_MAX = 200


def _user(request: HttpRequest) -> User:
    """The token's owner (set by passage.api.auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _shown(value: str, sensitive: bool) -> str:
    return value if sensitive else access.mask(value)


# --- people -----------------------------------------------------------------------------------------


@router.get("/people", response={200: list[PersonSummaryOut], **PROBLEMS}, tags=["people"])
@paginate(LimitOffset)
def list_people(request: HttpRequest, operation: UUID, q: str = "") -> QuerySet[Person]:
    """People of the operation, or those matching `q`: a phone, a document number, a P-code, a
    registration or household number, or the start of name words in any script."""
    user = _user(request)
    target = core_access.require(user, "person.view", core_access.get_operation_for_user(user, operation))
    return queries.search_people(user, target, q[:SEARCH_MAX])


@router.get("/people/{person_id}", response={200: PersonOut, **PROBLEMS}, tags=["people"])
def get_person(request: HttpRequest, person_id: UUID) -> dict[str, Any]:
    """A person's full record; reading it is recorded in the audit trail."""
    user = _user(request)
    person = queries.person_detail(access.get_person_for_user(user, person_id))
    sensitive = access.may_see_sensitive(user, person)
    return {
        **PersonSummaryOut.from_orm(person).dict(),
        **{name: getattr(person, name) for name in NAME_FIELDS},
        "other_names": person.other_names,
        "age_estimated_on": person.age_estimated_on,
        "nationalities": person.nationalities,
        "languages": person.languages,
        "marital_status": person.marital_status,
        "disability": person.disability,
        "site_id": person.site_id,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
        "sensitive_shown": sensitive,
        "phones": [
            {"number": _shown(phone.number, sensitive), "is_primary": phone.is_primary} for phone in person.phones.all()
        ],
        "documents": [
            {
                "type": document.type,
                "number": _shown(document.number, sensitive),
                "issuing_country": document.issuing_country,
                "expiry_date": document.expiry_date,
            }
            for document in person.documents.all()
        ],
        "consents": list(person.consents.all()),
        "households": [
            {
                "household_id": membership.household_id,
                "household_reference": membership.household.reference,
                "relationship": membership.relationship,
                "joined_on": membership.joined_on,
                "left_on": membership.left_on,
            }
            for membership in person.household_memberships.all()
        ],
    }


# --- households -------------------------------------------------------------------------------------


def _household(user: User, household: Household) -> dict[str, Any]:
    sensitive = access.may_see_sensitive(user, household)
    members = sorted(
        household.members.select_related("person"),
        key=lambda m: (m.left_on is not None, m.relationship != Relationship.HEAD, m.joined_on, m.person.reference),
    )
    return {
        "id": household.pk,
        "reference": household.reference,
        "operation_id": household.operation_id,
        "office_id": household.office_id,
        "admin_area": household.admin_area.pcode if household.admin_area else None,
        "site_id": household.site_id,
        "address": _shown(household.address, sensitive),
        "sensitive_shown": sensitive,
        "created_at": household.created_at,
        "members": [
            {
                "person_id": member.person_id,
                "reference": member.person.reference,
                "display_name": member.person.display_name,
                "display_name_latin": member.person.display_name_latin,
                "relationship": member.relationship,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
            }
            for member in members
        ],
    }


@router.get("/households/{household_id}", response={200: HouseholdOut, **PROBLEMS}, tags=["households"])
def get_household(request: HttpRequest, household_id: UUID) -> dict[str, Any]:
    """A household and its members; reading it is recorded in the audit trail."""
    user = _user(request)
    return _household(user, access.get_household_for_user(user, household_id))


def _member(member: MemberIn) -> PersonInput:
    values = member.dict(exclude={"consent", "documents"})
    consent = ConsentInput(**member.consent.dict()) if member.consent is not None else None
    documents = [DocumentInput(**document.dict()) for document in member.documents]
    return PersonInput(**values, consent=consent, documents=documents)


@router.post("/households", response={201: HouseholdOut, **PROBLEMS}, tags=["households"])
def register_household(request: HttpRequest, payload: HouseholdIn) -> Status[dict[str, Any]]:
    """Register a household and its members, each with their consent decision; needs person.register.
    All or nothing: each problem is named by member and field, e.g. `members[1].phones[0]`."""
    user = _user(request)
    operation = core_access.get_operation_for_user(user, payload.operation)
    office = core_access.get_office_for_user(user, payload.office) if payload.office is not None else None
    admin_area = None
    if payload.admin_area:
        admin_area = AdminArea.objects.visible_to(user).filter(pcode=payload.admin_area.strip().upper()).first()
        if admin_area is None:
            raise ValidationError({"admin_area": _("Unknown P-code.")})
    household = actions.register_household(
        acting_user=user,
        operation=operation,
        office=office,
        admin_area=admin_area,
        address=payload.address,
        members=[_member(member) for member in payload.members],
    )
    return Status(201, _household(user, household))


# --- administrative areas ---------------------------------------------------------------------------


@router.get("/admin-areas", response={200: list[AdminAreaOut], **PROBLEMS}, tags=["admin areas"])
@paginate(LimitOffset)
def list_admin_areas(
    request: HttpRequest, country: str = "", level: int | None = None, parent: str = ""
) -> QuerySet[AdminArea]:
    """Administrative areas (COD-AB), optionally of one country, level or parent P-code."""
    areas = AdminArea.objects.visible_to(_user(request)).select_related("parent")
    if country:
        areas = areas.filter(country=country.strip().upper())
    if level is not None:
        areas = areas.filter(level=level)
    if parent:
        areas = areas.filter(parent__pcode=parent.strip().upper())
    return areas


@router.get("/admin-areas/{pcode}", response={200: AdminAreaOut, **PROBLEMS}, tags=["admin areas"])
def get_admin_area(request: HttpRequest, pcode: str) -> AdminArea:
    areas = AdminArea.objects.visible_to(_user(request)).select_related("parent")
    return get_object_or_404(areas, pcode=pcode.strip().upper())


# --- exports and counts -----------------------------------------------------------------------------


@router.post("/exports/people", response={201: JobOut, **PROBLEMS}, tags=["exports"])
def export_people(request: HttpRequest, payload: PeopleExportIn) -> Status[Job]:
    """Queue an export of the people the user may see matching `q` (needs person.export); the answer is the
    job: follow it at GET /jobs/{job_id} and download the file from the Jobs page when it has finished."""
    user = _user(request)
    operation = core_access.get_operation_for_user(user, payload.operation)
    job = queue_export(
        acting_user=user,
        operation=operation,
        request=ExportRequest(
            q=payload.q.strip(),
            format=payload.format,
            personal=payload.personal,
            sensitive=payload.sensitive,
            password=payload.password,
        ),
    )
    return Status(201, job)


@router.get("/aggregates/people", response={200: AggregatesOut, **PROBLEMS}, tags=["exports"])
def people_aggregates(
    request: HttpRequest, operation: UUID, level: int = 1, threshold: int | None = None
) -> dict[str, Any]:
    """Active people counted by administrative area at `level` (0-4), sex and age group, counts under the
    threshold suppressed; needs person.aggregate. `threshold` may raise the operation's, never lower it."""
    user = _user(request)
    counted = count_people(
        acting_user=user,
        operation=core_access.get_operation_for_user(user, operation),
        level=level,
        threshold=threshold,
    )
    return {
        "operation_id": counted.operation.pk,
        "level": counted.level,
        "threshold": counted.threshold,
        "as_of": counted.as_of,
        "suppressed": counted.suppressed,
        "cells": counted.cells,
    }
