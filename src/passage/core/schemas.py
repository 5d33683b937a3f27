"""The core app's JSON shapes: what the API reads in (…In, …Patch) and writes out (…Out)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from passage.core.models import ApiToken, Job, User
from passage.core.models.jobs import JobState
from passage.core.models.operations import ProgrammeStatus, ProgrammeType


class OperationOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    country: str
    is_active: bool


class OfficeOut(Schema):
    id: uuid.UUID
    operation_id: uuid.UUID
    code: str
    name: str
    place: str
    is_active: bool


class ProgrammeOut(Schema):
    id: uuid.UUID
    operation_id: uuid.UUID
    code: str
    name: str
    type: ProgrammeType
    status: ProgrammeStatus
    start_date: dt.date | None
    end_date: dt.date | None
    donors: list[str]
    description: str


class ProgrammeIn(Schema):
    model_config = ConfigDict(use_enum_values=True)

    operation: uuid.UUID = Field(description="The operation the programme belongs to")
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    type: ProgrammeType
    status: ProgrammeStatus = ProgrammeStatus.PLANNED
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    donors: list[str] = Field(default_factory=list)
    description: str = ""


class ProgrammePatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(use_enum_values=True)

    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    type: ProgrammeType | None = None
    status: ProgrammeStatus | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    donors: list[str] | None = None
    description: str | None = None


class MembershipOut(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    operation_id: uuid.UUID
    role: str = Field(description="The role's code")
    is_active: bool
    programme_ids: list[uuid.UUID] = Field(description="Empty: every programme of the operation")
    office_ids: list[uuid.UUID] = Field(description="Empty: every office of the operation")

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.role.code)

    @staticmethod
    def resolve_programme_ids(obj: Any) -> list[uuid.UUID]:
        return [programme.pk for programme in obj.programmes.all()]

    @staticmethod
    def resolve_office_ids(obj: Any) -> list[uuid.UUID]:
        return [office.pk for office in obj.offices.all()]


class MembershipIn(Schema):
    operation: uuid.UUID
    role: str = Field(description="The role's code, e.g. caseworker")
    programmes: list[uuid.UUID] = Field(default_factory=list, description="Limit the role to these programmes")
    offices: list[uuid.UUID] = Field(default_factory=list, description="Limit the role to these offices")


class UserOut(Schema):
    id: uuid.UUID
    username: str
    first_name: str
    last_name: str
    email: str
    is_active: bool
    memberships: list[MembershipOut] = Field(description="Roles held in the operation asked about")

    @staticmethod
    def resolve_memberships(obj: User) -> list[Any]:
        return list(getattr(obj, "memberships_here", []))


class UserIn(Schema):
    operation: uuid.UUID
    username: str = Field(max_length=150, pattern=r"^[\w.@+-]+$")
    role: str = Field(description="The role's code, e.g. caseworker")
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)


class UserCreatedOut(Schema):
    user: UserOut
    initial_password: str = Field(description="Shown once; pass it to the person by a safe channel")


class OperationAccessOut(Schema):
    """An operation the current user works in, with their roles and what those allow there."""

    id: uuid.UUID
    code: str
    name: str
    roles: list[str]
    permissions: list[str]


class MeOut(Schema):
    id: uuid.UUID
    username: str
    first_name: str
    last_name: str
    email: str
    operations: list[OperationAccessOut]


class JobOut(Schema):
    id: uuid.UUID
    operation_id: uuid.UUID
    kind: str
    title: str
    state: JobState
    percent: int
    progress_done: int
    progress_total: int
    stage: str
    counts: dict[str, Any]
    errors: list[dict[str, Any]] = Field(description="Problems with single rows or items, and why it failed")
    result: dict[str, Any]
    attempts: int
    created_by: str | None = Field(description="Username of who started it")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_created_by(obj: Job) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_errors(obj: Job) -> list[dict[str, Any]]:
        """Tracebacks stay on the server."""
        return [{k: v for k, v in error.items() if k != "trace"} for error in obj.errors]


class JobIn(Schema):
    operation: uuid.UUID
    kind: str = Field(description="A job kind, e.g. core.selftest")
    params: dict[str, Any] = Field(default_factory=dict)
    title: str = Field("", max_length=200)


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_id: uuid.UUID | None
    actor_username: str
    operation_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    note: str
    request_id: str
    ip_address: str | None


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it")
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_usable: bool

    @staticmethod
    def resolve_is_usable(obj: ApiToken) -> bool:
        return obj.is_usable


class TokenIn(Schema):
    name: str = Field(max_length=100)
    days: int | None = Field(None, description="How long it lasts (1-366 days); the site's default if left out")


class TokenCreatedOut(Schema):
    token: TokenOut
    plaintext: str = Field(description="The token itself, shown once: the server keeps only its hash")
