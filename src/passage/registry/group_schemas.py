"""The JSON shapes of groups and communities: a group in a list, a group with its members and households, a
group in (create, correct), a member in and a membership's end.

Choice fields are plain strings checked by the actions (registry.group_actions), so the API and the pages
refuse the same values with the same field names."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Schema

from passage.api.problems import Problem


class GroupSummaryOut(Schema):
    """A group in a list."""

    id: uuid.UUID
    reference: str = Field(description="The group number, e.g. GR-7K3M-Q9XD-2P4A")
    operation_id: uuid.UUID
    office_id: uuid.UUID | None
    kind: str = Field(
        description="community, association, cooperative, womens_group, youth_group, victims_association or other"
    )
    name: str = Field(description="The name as written, in any script")
    name_latin: str
    admin_area: str | None = Field(description="P-code of the group's area")
    site_id: uuid.UUID | None
    estimated_size: int | None = Field(description="About how many people the group counts (registered or not)")
    status: str = Field(description="active or dissolved")
    member_count: int = Field(description="Current registered members")
    household_count: int = Field(description="Households counted now (communities)")
    version: int = Field(description="Send it back with a correction (PATCH): a stale one is refused with 409")

    @staticmethod
    def resolve_admin_area(obj: object) -> str | None:
        if isinstance(obj, dict):  # a group's page, already in its JSON shape
            return obj.get("admin_area")
        area = getattr(obj, "admin_area", None)
        return area.pcode if area is not None else None


class GroupMemberOut(Schema):
    """A person's role in the group over a period; an ended one stays, with why it ended."""

    id: uuid.UUID
    person_id: uuid.UUID
    reference: str
    display_name: str
    display_name_latin: str
    role: str = Field(description="member, representative, chair, vice_chair, secretary, treasurer or focal_point")
    joined_on: dt.date
    left_on: dt.date | None
    ended_because: str = Field(description="left, role_changed or group_dissolved; empty while current")


class GroupHouseholdOut(Schema):
    id: uuid.UUID
    household_id: uuid.UUID
    household_reference: str
    joined_on: dt.date
    left_on: dt.date | None
    ended_because: str


class GroupOut(GroupSummaryOut):
    """A group with its members and households, current first. Reading it is recorded in the audit trail."""

    description: str
    dissolved_on: dt.date | None
    dissolution_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime
    members: list[GroupMemberOut]
    households: list[GroupHouseholdOut]


class GroupIn(Schema):
    operation: uuid.UUID
    kind: str = Field(description="community, association, cooperative, womens_group, youth_group, …")
    name: str = Field("", max_length=200, description="As written, in any script")
    name_latin: str = Field("", max_length=200)
    office: uuid.UUID | None = None
    admin_area: str = Field("", max_length=32, description="P-code; a community needs an area or a site")
    site: uuid.UUID | None = None
    description: str = Field("", max_length=5000)
    estimated_size: int | None = Field(None, ge=0)


class GroupPatch(Schema):
    """A correction: only the fields sent change. `version` is the version the correction started from."""

    version: int
    kind: str | None = None
    name: str | None = Field(None, max_length=200)
    name_latin: str | None = Field(None, max_length=200)
    office: uuid.UUID | None = None
    admin_area: str | None = Field(None, max_length=32, description="P-code; an empty string clears it")
    site: uuid.UUID | None = None
    description: str | None = Field(None, max_length=5000)
    estimated_size: int | None = Field(None, ge=0)


class GroupMemberIn(Schema):
    """The person by id, or by registration number."""

    person_id: uuid.UUID | None = None
    person: str = Field("", max_length=32, description="Registration number, e.g. P-7K3M-Q9XD-2P4A")
    role: str = "member"
    joined_on: dt.date | None = Field(None, description="Today when not given")
    note: str = Field("", max_length=2000)


class MembershipEndIn(Schema):
    on: dt.date | None = Field(None, description="Today when not given")
    note: str = Field("", max_length=2000)


class GroupChangeOut(Schema):
    at: dt.datetime
    by: str = Field(description="Username of who changed the group")
    fields: list[str]


class GroupConflictProblem(Problem):
    """409: the group changed after the version the correction started from. Nothing was saved."""

    current_version: int
    changes: list[GroupChangeOut] = Field(description="Who changed which fields since that version, oldest first")
