"""The JSON API of groups and communities: thin handlers over the same access rules, queries and actions as
the pages. A group comes only through registry.group_access (opening one is audited; another operation's,
or another office's for a role limited to some offices, is a 404); every change goes through
registry.group_actions."""

import json
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import CONTENT_TYPE, PROBLEMS
from passage.core import access as core_access
from passage.core.models import User
from passage.registry import group_actions as actions
from passage.registry import group_queries as queries
from passage.registry.group_access import (
    find_person_for_group,
    get_group_for_user,
    get_group_membership,
    get_person_for_group,
)
from passage.registry.group_schemas import (
    GroupConflictProblem,
    GroupIn,
    GroupMemberIn,
    GroupMemberOut,
    GroupOut,
    GroupPatch,
    GroupSummaryOut,
    MembershipEndIn,
)
from passage.registry.models import AdminArea, Group, GroupMembership, Site

router = Router(tags=["groups"])

SEARCH_MAX = 200


def _user(request: HttpRequest) -> User:
    """The token's owner (set by passage.api.auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _area(user: User, pcode: str) -> AdminArea | None:
    if not pcode.strip():
        return None
    area = AdminArea.objects.visible_to(user).filter(pcode=pcode.strip().upper()).first()
    if area is None:
        raise ValidationError({"admin_area": _("Unknown P-code.")})
    return area


def _site(user: User, site_id: UUID | None) -> Site | None:
    if site_id is None:
        return None
    site = Site.objects.visible_to(user).filter(pk=site_id).first()
    if site is None:
        raise ValidationError({"site": _("Unknown site.")})
    return site


def _member(membership: GroupMembership) -> dict[str, Any]:
    person = membership.person
    return {
        "id": membership.pk,
        "person_id": person.pk,
        "reference": person.reference,
        "display_name": person.display_name,
        "display_name_latin": person.display_name_latin,
        "role": membership.role,
        "joined_on": membership.joined_on,
        "left_on": membership.left_on,
        "ended_because": membership.ended_because,
    }


def _group(group: Group) -> dict[str, Any]:
    found = queries.group_detail(group)
    parts = queries.split_members(found)
    return {
        "id": found.pk,
        "reference": found.reference,
        "operation_id": found.operation_id,
        "office_id": found.office_id,
        "kind": found.kind,
        "name": found.name,
        "name_latin": found.name_latin,
        "admin_area": found.admin_area.pcode if found.admin_area else None,
        "site_id": found.site_id,
        "estimated_size": found.estimated_size,
        "status": found.status,
        "version": found.version,
        "member_count": len(parts["current"]),
        "household_count": len(parts["households"]),
        "description": found.description,
        "dissolved_on": found.dissolved_on,
        "dissolution_reason": found.dissolution_reason,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "members": [_member(m) for m in [*parts["current"], *parts["past"]]],
        "households": [
            {
                "id": link.pk,
                "household_id": link.household_id,
                "household_reference": link.household.reference,
                "joined_on": link.joined_on,
                "left_on": link.left_on,
                "ended_because": link.ended_because,
            }
            for link in [*parts["households"], *parts["past_households"]]
        ],
    }


@router.get("/groups", response={200: list[GroupSummaryOut], **PROBLEMS})
@paginate(LimitOffset)
def list_groups(
    request: HttpRequest, operation: UUID, q: str = "", kind: str = "", area: str = "", status: str = ""
) -> QuerySet[Group]:
    """Groups and communities of the operation the user may see: matching `q` (the group number, or words of
    its name in either script), of `kind`, in the area with P-code `area` or any area below it."""
    user = _user(request)
    target = core_access.require(user, "person.view", core_access.get_operation_for_user(user, operation))
    place = AdminArea.objects.filter(pcode=area.strip().upper()).first() if area.strip() else None
    if area.strip() and place is None:
        raise ValidationError({"area": _("Unknown P-code.")})
    return queries.groups_for(user, target, text=q[:SEARCH_MAX], kind=kind, area=place, status=status)


@router.get("/groups/{group_id}", response={200: GroupOut, **PROBLEMS})
def get_group(request: HttpRequest, group_id: UUID) -> dict[str, Any]:
    """A group with its members (their roles over time) and households; reading it is audited."""
    return _group(get_group_for_user(_user(request), group_id))


@router.post("/groups", response={201: GroupOut, **PROBLEMS})
def create_group(request: HttpRequest, payload: GroupIn) -> Status[dict[str, Any]]:
    """Record a group or community; needs person.register (in the office, for roles limited to some)."""
    user = _user(request)
    operation = core_access.get_operation_for_user(user, payload.operation)
    office = core_access.get_office_for_user(user, payload.office) if payload.office is not None else None
    group = actions.create_group(
        acting_user=user,
        operation=operation,
        kind=payload.kind,
        name=payload.name,
        name_latin=payload.name_latin,
        office=office,
        admin_area=_area(user, payload.admin_area),
        site=_site(user, payload.site),
        description=payload.description,
        estimated_size=payload.estimated_size,
    )
    return Status(201, _group(group))


@router.patch("/groups/{group_id}", response={200: GroupOut, 409: GroupConflictProblem, **PROBLEMS})
def update_group(request: HttpRequest, group_id: UUID, payload: GroupPatch) -> Any:
    """Correct a group: only the fields sent change. A `version` older than the group's is refused with 409,
    naming who changed which fields since; nothing is saved."""
    user = _user(request)
    group = get_group_for_user(user, group_id, need="person.register")
    sent = payload.dict(exclude_unset=True)
    values: dict[str, Any] = {}
    for name in ("kind", "name", "name_latin", "description", "estimated_size"):
        if name in sent:
            values[name] = sent[name] if sent[name] is not None or name == "estimated_size" else ""
    if "office" in sent:
        values["office"] = core_access.get_office_for_user(user, sent["office"]) if sent["office"] else None
    if "admin_area" in sent:
        values["admin_area"] = _area(user, sent["admin_area"] or "")
    if "site" in sent:
        values["site"] = _site(user, sent["site"])
    try:
        changed = actions.update_group(group=group, acting_user=user, version=payload.version, values=values)
    except actions.GroupChangedMeanwhile as conflict:
        return _conflict(request, conflict)
    return _group(changed)


def _conflict(request: HttpRequest, conflict: actions.GroupChangedMeanwhile) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": str(conflict),
        "instance": request.path,
        "current_version": conflict.current_version,
        "changes": conflict.changes,
    }
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), status=409, content_type=CONTENT_TYPE)


@router.post("/groups/{group_id}/members", response={201: GroupMemberOut, **PROBLEMS})
def add_member(request: HttpRequest, group_id: UUID, payload: GroupMemberIn) -> Status[dict[str, Any]]:
    """A registered person of the group's operation joins it in a role. Give `person_id` or the registration
    number as `person`; someone the user may not see, or of another operation, is refused (422, `person`)."""
    user = _user(request)
    group = get_group_for_user(user, group_id, need="person.register")
    try:
        if payload.person_id is not None:
            person = get_person_for_group(user, group, payload.person_id)
        elif payload.person.strip():
            person = find_person_for_group(user, group, payload.person)
        else:
            raise ValidationError({"person": _("Give the person's id or registration number.")})
    except Http404:
        raise ValidationError({"person": _("No person with this registration number in this operation.")}) from None
    membership = actions.add_member(
        group=group,
        person=person,
        acting_user=user,
        role=payload.role,
        joined_on=payload.joined_on,
        note=payload.note,
    )
    membership.person = person
    return Status(201, _member(membership))


@router.post("/groups/{group_id}/members/{membership_id}/end", response={200: GroupMemberOut, **PROBLEMS})
def end_membership(
    request: HttpRequest, group_id: UUID, membership_id: UUID, payload: MembershipEndIn
) -> dict[str, Any]:
    """The person left the group on `on`; the membership is kept, ended."""
    user = _user(request)
    group = get_group_for_user(user, group_id, need="person.register")
    membership = get_group_membership(group, membership_id)
    ended = actions.end_membership(membership=membership, acting_user=user, on=payload.on, note=payload.note)
    return _member(ended)
