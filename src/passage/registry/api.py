"""The registry's JSON API: thin handlers over the same access rules, queries and actions as the pages.

People and households come only through `registry.access.get_*_for_user` (opening one is audited;
another operation's record is a 404); phones, documents and addresses are masked unless the role may
see them (`access.may_see_sensitive`); registering goes through `actions.register_household`.
"""

import json
import re
from typing import Any, cast
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS, problem_response
from passage.core import access as core_access
from passage.core.models import Job, User
from passage.core.schemas import JobOut
from passage.registry import access, actions, person_actions, queries
from passage.registry.export_actions import ExportRequest, count_people
from passage.registry.export_actions import export_people as queue_export
from passage.registry.models import (
    AdminArea,
    Consent,
    Household,
    HouseholdMember,
    Person,
    Relationship,
    Site,
    SiteType,
)
from passage.registry.names import NAME_FIELDS
from passage.registry.person_actions import PersonChangedMeanwhile
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput
from passage.registry.schemas import (
    AdminAreaOut,
    AggregatesOut,
    ConflictProblem,
    ConsentDecisionIn,
    ConsentRecordOut,
    HeadIn,
    HouseholdIn,
    HouseholdOut,
    HouseholdSummaryOut,
    LeaveIn,
    MemberIn,
    MoveIn,
    PeopleExportIn,
    PersonOut,
    PersonPatchIn,
    PersonSummaryOut,
    SiteOut,
    StatusIn,
    WithdrawIn,
)

router = Router()

SEARCH_MAX = 200
HOUSEHOLD_NUMBER = re.compile(r"HH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


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
    return _person(user, access.get_person_for_user(user, person_id))


def _person(user: User, person: Person) -> dict[str, Any]:
    person = queries.person_detail(person)
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
        "version": person.version,
        "status_on": person.status_on,
        "status_reason": person.status_reason,
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


# --- after registration: corrections, status, households over time, consent ---------------------------
# As on the browser's pages: the person is fetched with need="person.register" (a 404 for anyone who may not
# change them), and each handler calls one action of registry.person_actions.


def _changer(user: User, person_id: UUID) -> Person:
    return access.get_person_for_user(user, person_id, need="person.register")


def _conflict(request: HttpRequest, conflict: PersonChangedMeanwhile) -> HttpResponse:
    """409 with the browser's message, who changed which fields since, and the version to start from again."""
    changes = [
        {"at": change["at"], "by": change["by"], "fields": list(change["fields"])} for change in conflict.changes
    ]
    errors = [
        {"field": name, "message": _("Changed by someone else after version %(v)s.") % {"v": conflict.expected_version}}
        for name in conflict.fields
    ]
    response = problem_response(request, 409, str(conflict), errors or None)
    body = json.loads(response.content)
    body |= {"current_version": conflict.current_version, "changes": changes}
    response.content = json.dumps(body, cls=DjangoJSONEncoder).encode()
    return response


@router.patch("/people/{person_id}", response={200: PersonOut, 409: ConflictProblem, **PROBLEMS}, tags=["people"])
def update_person(request: HttpRequest, person_id: UUID, payload: PersonPatchIn) -> Any:
    """Correct a person's record; only the fields sent change, by the registration's rules (422 names the field,
    e.g. `phones[0]`, `documents[1].number`). `version` is the one the correction started from: if the record
    changed since, nothing is saved and the 409 says who changed what. Needs person.register; phones and
    documents also person.view_sensitive (nobody changes what they may not see)."""
    user = _user(request)
    person = _changer(user, person_id)
    values = payload.dict(exclude_unset=True, exclude={"version", "note"})
    if ("phones" in values or "documents" in values) and not access.may_see_sensitive(user, person):
        raise PermissionDenied("person.view_sensitive")
    if "documents" in values:
        values["documents"] = [DocumentInput(**document) for document in values["documents"]]
    try:
        changed = person_actions.update_person(
            person=person, acting_user=user, version=payload.version, values=values, note=payload.note
        )
    except PersonChangedMeanwhile as conflict:
        return _conflict(request, conflict)
    return _person(user, changed)


@router.post("/people/{person_id}/status", response={200: PersonOut, 409: ConflictProblem, **PROBLEMS}, tags=["people"])
def set_person_status(request: HttpRequest, person_id: UUID, payload: StatusIn) -> Any:
    """Record that a person died (with the date), withdrew (with the reason), or is active again (with the
    reason). Needs person.register."""
    user = _user(request)
    person = _changer(user, person_id)
    try:
        changed = person_actions.set_person_status(
            person=person,
            acting_user=user,
            status=payload.status,
            on=payload.on,
            reason=payload.reason,
            version=payload.version,
        )
    except PersonChangedMeanwhile as conflict:
        return _conflict(request, conflict)
    return _person(user, changed)


@router.post("/people/{person_id}/move", response={200: PersonOut, **PROBLEMS}, tags=["people"])
def move_person(request: HttpRequest, person_id: UUID, payload: MoveIn) -> dict[str, Any]:
    """Move a person to another household of the operation, or to a new one of their own. Their current
    membership ends that day; nothing is deleted. Needs person.register, for the household moved to too."""
    user = _user(request)
    person = _changer(user, person_id)
    field = "household_id" if payload.household_id is not None else "household"
    household = None
    try:
        if payload.household_id is not None:
            household = access.get_household_for_user(user, payload.household_id, need="person.register")
        elif payload.household.strip():
            household = access.find_household_for_user(user, person.operation, payload.household)
    except Http404:
        raise ValidationError({field: _("No household with this number among those you may change.")}) from None
    try:
        person_actions.move_person(
            person=person,
            acting_user=user,
            to_household=household,
            relationship=payload.relationship,
            on=payload.on,
            address=payload.address,
            note=payload.note,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "to_household" in error.error_dict:
            raise ValidationError(
                {(field if key == "to_household" else key): value for key, value in error.error_dict.items()}
            ) from None
        raise
    return _person(user, person)


@router.post("/people/{person_id}/leave", response={200: PersonOut, **PROBLEMS}, tags=["people"])
def leave_household(request: HttpRequest, person_id: UUID, payload: LeaveIn) -> dict[str, Any]:
    """The person no longer lives in their household (and has not joined another one in the registry). A head
    leaves only a household nobody else lives in. Needs person.register."""
    user = _user(request)
    person = _changer(user, person_id)
    person_actions.leave_household(person=person, acting_user=user, on=payload.on, note=payload.note)
    return _person(user, person)


@router.get("/people/{person_id}/consents", response={200: list[ConsentRecordOut], **PROBLEMS}, tags=["consent"])
def list_consents(request: HttpRequest, person_id: UUID) -> list[Consent]:
    """The person's consent decisions, newest first, as their page shows them."""
    user = _user(request)
    person = access.get_person_for_user(user, person_id)
    current = {consent.pk for consent in person_actions.current_decisions(person).values()}
    consents = list(person.consents.select_related("recorded_by", "withdrawn_by").order_by("-recorded_at", "-id"))
    for consent in consents:
        consent.current = consent.pk in current  # type: ignore[attr-defined]
    return consents


def _consent(consent: Consent) -> Consent:
    found = Consent.objects.select_related("recorded_by", "withdrawn_by").get(pk=consent.pk)
    found.current = found == person_actions.current_decisions(found.person).get(found.purpose)  # type: ignore[attr-defined]
    return found


@router.post("/people/{person_id}/consents", response={201: ConsentRecordOut, **PROBLEMS}, tags=["consent"])
def record_consent(request: HttpRequest, person_id: UUID, payload: ConsentDecisionIn) -> Status[Consent]:
    """A new decision of the person for one purpose (it replaces an earlier one). Consent to registration given
    again makes a record withdrawn for lack of it active again; refusing it is a withdrawal (POST …/withdraw).
    Needs person.register."""
    user = _user(request)
    person = _changer(user, person_id)
    consent = person_actions.record_consent(
        person=person,
        acting_user=user,
        purpose=payload.purpose,
        granted=payload.granted,
        method=payload.method,
        proxy_name=payload.proxy_name,
        note=payload.note,
    )
    return Status(201, _consent(consent))


@router.post(
    "/people/{person_id}/consents/{consent_id}/withdraw", response={200: ConsentRecordOut, **PROBLEMS}, tags=["consent"]
)
def withdraw_consent(request: HttpRequest, person_id: UUID, consent_id: UUID, payload: WithdrawIn) -> Consent:
    """The person withdraws a consent they gave. Withdrawing consent to registration ends every other consent and
    marks the person withdrawn (the record stays). Needs person.register."""
    user = _user(request)
    person = _changer(user, person_id)
    consent = core_access.fetch_or_404(person.consents.all(), consent_id)
    withdrawn = person_actions.withdraw_consent(
        consent=consent, acting_user=user, note=payload.note, withdrawn_at=payload.withdrawn_at
    )
    return _consent(withdrawn)


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


@router.get("/households", response={200: list[HouseholdSummaryOut], **PROBLEMS}, tags=["households"])
@paginate(LimitOffset)
def list_households(request: HttpRequest, operation: UUID, q: str = "") -> QuerySet[Household]:
    """Households of the operation the user may see, or those with a member matching `q` (as GET /people?q=:
    a name, phone, document number, P-code or registration number; or the household's own number)."""
    user = _user(request)
    target = core_access.require(user, "person.view", core_access.get_operation_for_user(user, operation))
    households = cast("QuerySet[Household]", Household.objects.visible_to(user).filter(operation=target))
    text = q.strip()[:SEARCH_MAX]
    if HOUSEHOLD_NUMBER.fullmatch(text.upper()):
        households = households.filter(reference=text.upper())
    elif text:
        people = queries.search_people(user, target, text)
        households = households.filter(pk__in=HouseholdMember.objects.filter(person__in=people).values("household_id"))
    heads = HouseholdMember.objects.filter(relationship=Relationship.HEAD, left_on__isnull=True).select_related(
        "person"
    )
    return (
        households.select_related("admin_area")
        .annotate(size=Count("members", filter=Q(members__left_on__isnull=True)))
        .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
        .order_by("reference")
    )


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


@router.post("/households/{household_id}/head", response={200: HouseholdOut, **PROBLEMS}, tags=["households"])
def change_head(request: HttpRequest, household_id: UUID, payload: HeadIn) -> dict[str, Any]:
    """Make a current member the head; the former head stays a member with `former_head_relationship`. A
    household always keeps exactly one head. Needs person.register."""
    user = _user(request)
    household = access.get_household_for_user(user, household_id, need="person.register")
    member = household.members.filter(person_id=payload.new_head, left_on__isnull=True).select_related("person")
    chosen = member.first()
    if chosen is None:
        raise ValidationError({"new_head": _("Only a current member of the household can become its head.")})
    person_actions.change_head(
        household=household,
        new_head=chosen.person,
        acting_user=user,
        former_head_relationship=payload.former_head_relationship,
        note=payload.note,
    )
    return _household(user, household)


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


# --- sites ------------------------------------------------------------------------------------------


@router.get("/sites", response={200: list[SiteOut], **PROBLEMS}, tags=["sites"])
@paginate(LimitOffset)
def list_sites(
    request: HttpRequest, operation: UUID | None = None, kind: str = "", admin_area: str = ""
) -> QuerySet[Site]:
    """Sites of the operations the user works in (of one operation with `operation`): camps, collective and
    transit centres, border and flow-monitoring points; of one `kind`; in an administrative area (its P-code)
    or any area below it."""
    user = _user(request)
    sites = Site.objects.visible_to(user).select_related("admin_area")
    if operation is not None:
        sites = sites.filter(operation=core_access.get_operation_for_user(user, operation))
    if kind:
        if kind not in SiteType.values:
            raise ValidationError(
                {"kind": _("Unknown kind of site: choose one of %(kinds)s.") % {"kinds": ", ".join(SiteType.values)}}
            )
        sites = sites.filter(type=kind)
    if admin_area:
        pcode = admin_area.strip().upper()
        within = Q(admin_area__pcode=pcode)
        path = "admin_area"
        for _level in range(4):
            path += "__parent"
            within |= Q(**{f"{path}__pcode": pcode})
        sites = sites.filter(within)
    return sites.order_by("operation", "name", "id")


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


# Registration imports live in their own module (one idea per module), under this router.
router.add_router("", "passage.registry.import_api.router")
