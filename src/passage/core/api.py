"""The core app's JSON API: thin handlers over the same access rules, queries and actions as the HTML views.

Protected objects come only through `access.get_*_for_user` (another operation's object is a 404);
endpoints that are not for a role answer 403 through `access.require`; changes go through `actions`.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS
from passage.core import access, actions, queries
from passage.core.models import (
    ApiToken,
    AuditEvent,
    Job,
    Membership,
    Office,
    Operation,
    Programme,
    Role,
    User,
)
from passage.core.schemas import (
    AuditEventOut,
    JobIn,
    JobOut,
    MembershipIn,
    MembershipOut,
    MeOut,
    OfficeOut,
    OperationOut,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserCreatedOut,
    UserIn,
    UserOut,
)

router = Router()


def _user(request: HttpRequest) -> User:
    """The token's owner (set by passage.api.auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _member(operation: Operation, member: User) -> User:
    """The account with its memberships in `operation` loaded, as in the user list (none for a superuser)."""
    return queries.members_of(operation).filter(pk=member.pk).first() or member


# --- me ---------------------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **PROBLEMS}, tags=["me"])
def me(request: HttpRequest) -> dict[str, Any]:
    """The current user, and in each of their operations the roles they hold and what those allow."""
    user = _user(request)
    roles: dict[UUID, list[str]] = {}
    for membership in Membership.objects.active().filter(user=user).select_related("role"):
        roles.setdefault(membership.operation_id, []).append(membership.role.code)
    operations = [
        {
            "id": operation.pk,
            "code": operation.code,
            "name": operation.name,
            "roles": sorted(roles.get(operation.pk, [])),
            "permissions": sorted(access.permissions_in(user, operation.pk)),
        }
        for operation in Operation.objects.visible_to(user)
    ]
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "operations": operations,
    }


# --- operations, offices, programmes ----------------------------------------------------------------


@router.get("/operations", response={200: list[OperationOut], **PROBLEMS}, tags=["operations"])
@paginate(LimitOffset)
def list_operations(request: HttpRequest) -> QuerySet[Operation]:
    """The operations the user works in."""
    return Operation.objects.visible_to(_user(request))


@router.get("/operations/{operation_id}", response={200: OperationOut, **PROBLEMS}, tags=["operations"])
def get_operation(request: HttpRequest, operation_id: UUID) -> Operation:
    return access.get_operation_for_user(_user(request), operation_id)


@router.get("/operations/{operation_id}/offices", response={200: list[OfficeOut], **PROBLEMS}, tags=["operations"])
@paginate(LimitOffset)
def list_offices(request: HttpRequest, operation_id: UUID) -> QuerySet[Office]:
    user = _user(request)
    return queries.offices_of(user, access.get_operation_for_user(user, operation_id))


@router.get("/programmes", response={200: list[ProgrammeOut], **PROBLEMS}, tags=["programmes"])
@paginate(LimitOffset)
def list_programmes(request: HttpRequest, operation: UUID | None = None) -> QuerySet[Programme]:
    """Programmes the user may see, optionally of one operation."""
    user = _user(request)
    if operation is None:
        return Programme.objects.visible_to(user)
    return queries.programmes_of(user, access.get_operation_for_user(user, operation))


@router.get("/programmes/{programme_id}", response={200: ProgrammeOut, **PROBLEMS}, tags=["programmes"])
def get_programme(request: HttpRequest, programme_id: UUID) -> Programme:
    return access.get_programme_for_user(_user(request), programme_id)


@router.post("/programmes", response={201: ProgrammeOut, **PROBLEMS}, tags=["programmes"])
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status[Programme]:
    """Needs programme.manage in the operation."""
    user = _user(request)
    values = payload.dict()
    operation = access.get_operation_for_user(user, values.pop("operation"))
    return Status(201, actions.create_programme(operation=operation, acting_user=user, **values))


@router.patch("/programmes/{programme_id}", response={200: ProgrammeOut, **PROBLEMS}, tags=["programmes"])
def update_programme(request: HttpRequest, programme_id: UUID, payload: ProgrammePatch) -> Programme:
    """Change the fields sent; needs programme.manage for this programme."""
    user = _user(request)
    programme = access.get_programme_for_user(user, programme_id)
    return actions.update_programme(programme=programme, acting_user=user, **payload.dict(exclude_unset=True))


# --- users and memberships --------------------------------------------------------------------------


def _role(code: str) -> Role:
    role = Role.objects.filter(code=code).first()
    if role is None:
        raise ValidationError({"role": _("Unknown role: %(code)s") % {"code": code}})
    return role


def _limits(user: User, operation: Operation, payload: MembershipIn) -> dict[str, list[Any]]:
    """The programmes and offices a role is limited to, all of which must belong to the operation."""
    limits: dict[str, list[Any]] = {}
    for field, queryset in (
        ("programmes", queries.programmes_of(user, operation)),
        ("offices", queries.offices_of(user, operation)),
    ):
        wanted = set(getattr(payload, field))
        found = list(queryset.filter(pk__in=wanted))
        if len(found) != len(wanted):
            raise ValidationError({field: _("Some of these are not in the operation.")})
        limits[field] = found
    return limits


@router.get("/users", response={200: list[UserOut], **PROBLEMS}, tags=["users"])
@paginate(LimitOffset)
def list_users(request: HttpRequest, operation: UUID, search: str = "") -> QuerySet[User]:
    """Accounts holding a role in the operation; for those who manage its users."""
    user = _user(request)
    target = access.require(user, "user.manage", access.get_operation_for_user(user, operation))
    return queries.members_of(target, search=search.strip()[:80])


@router.get("/users/{user_id}", response={200: UserOut, **PROBLEMS}, tags=["users"])
def get_user(request: HttpRequest, user_id: UUID, operation: UUID) -> User:
    """One account with its roles in the operation (one's own, or as a user manager there)."""
    user = _user(request)
    target = access.get_operation_for_user(user, operation)
    member = access.get_member_for_user(user, user_id, target)
    return _member(target, member)


@router.post("/users", response={201: UserCreatedOut, **PROBLEMS}, tags=["users"])
def create_user(request: HttpRequest, payload: UserIn) -> Status[dict[str, Any]]:
    """Create an account holding one role; the initial password is in this answer only."""
    user = _user(request)
    operation = access.require(user, "user.manage", access.get_operation_for_user(user, payload.operation))
    values = payload.dict(exclude={"operation", "role"})
    created, password = actions.create_user(acting_user=user, operation=operation, role=_role(payload.role), **values)
    return Status(201, {"user": _member(operation, created), "initial_password": password})


@router.post("/users/{user_id}/memberships", response={201: MembershipOut, **PROBLEMS}, tags=["users"])
def grant_role(request: HttpRequest, user_id: UUID, payload: MembershipIn) -> Status[Membership]:
    """Give an account of the operation another role there, optionally limited to programmes/offices."""
    user = _user(request)
    operation = access.require(user, "user.manage", access.get_operation_for_user(user, payload.operation))
    member = access.get_member_for_user(user, user_id, operation)
    membership = actions.grant_role(
        acting_user=user,
        user=member,
        operation=operation,
        role=_role(payload.role),
        **_limits(user, operation, payload),
    )
    return Status(201, membership)


@router.delete("/memberships/{membership_id}", response={200: MembershipOut, **PROBLEMS}, tags=["users"])
def revoke_membership(request: HttpRequest, membership_id: UUID, reason: str = "") -> Membership:
    user = _user(request)
    membership = access.get_membership_for_user(user, membership_id)
    return actions.revoke_membership(membership=membership, acting_user=user, reason=reason[:500])


# --- jobs -------------------------------------------------------------------------------------------


@router.get("/jobs", response={200: list[JobOut], **PROBLEMS}, tags=["jobs"])
@paginate(LimitOffset)
def list_jobs(request: HttpRequest, operation: UUID | None = None) -> QuerySet[Job]:
    """One's own jobs, and every job of the operations where one may see them all."""
    user = _user(request)
    if operation is None:
        return Job.objects.visible_to(user).select_related("created_by")
    return queries.jobs_for(user, access.get_operation_for_user(user, operation))


@router.get("/jobs/{job_id}", response={200: JobOut, **PROBLEMS}, tags=["jobs"])
def get_job(request: HttpRequest, job_id: UUID) -> Job:
    return access.get_job_for_user(_user(request), job_id)


@router.post("/jobs", response={201: JobOut, **PROBLEMS}, tags=["jobs"])
def start_job(request: HttpRequest, payload: JobIn) -> Status[Job]:
    """Queue a job of a kind the user's role may start in the operation."""
    user = _user(request)
    operation = access.get_operation_for_user(user, payload.operation)
    job = actions.start_job(
        acting_user=user, operation=operation, kind=payload.kind, params=payload.params, title=payload.title
    )
    return Status(201, job)


@router.post("/jobs/{job_id}/cancel", response={200: JobOut, **PROBLEMS}, tags=["jobs"])
def cancel_job(request: HttpRequest, job_id: UUID) -> Job:
    user = _user(request)
    return actions.cancel_job(job=access.get_job_for_user(user, job_id), acting_user=user)


@router.post("/jobs/{job_id}/retry", response={200: JobOut, **PROBLEMS}, tags=["jobs"])
def retry_job(request: HttpRequest, job_id: UUID) -> Job:
    """Queue a failed or cancelled job again; it resumes from its checkpoint."""
    user = _user(request)
    return actions.retry_job(job=access.get_job_for_user(user, job_id), acting_user=user)


# --- audit trail ------------------------------------------------------------------------------------


@router.get("/audit-events", response={200: list[AuditEventOut], **PROBLEMS}, tags=["audit"])
@paginate(LimitOffset)
def list_audit_events(
    request: HttpRequest, operation: UUID, action: str = "", actor: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    """The operation's audit trail, newest first; for those with audit.view (data protection officers)."""
    user = _user(request)
    filters = {
        key: value.strip()[:80] for key, value in (("action", action), ("actor", actor), ("object_id", object_id))
    }
    target = access.open_audit_trail(user, access.get_operation_for_user(user, operation), filters=filters)
    return queries.audit_events_for(user, target, **filters)


# --- personal API tokens ----------------------------------------------------------------------------


@router.get("/tokens", response={200: list[TokenOut], **PROBLEMS}, tags=["tokens"])
@paginate(LimitOffset)
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """One's own tokens (never their plaintext)."""
    return queries.tokens_of(_user(request))


@router.post("/tokens", response={201: TokenCreatedOut, **PROBLEMS}, tags=["tokens"])
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """A new token for oneself; its plaintext is in this answer only."""
    token, plaintext = actions.create_api_token(acting_user=_user(request), name=payload.name, days=payload.days)
    return Status(201, {"token": token, "plaintext": plaintext})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **PROBLEMS}, tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: UUID) -> ApiToken:
    user = _user(request)
    return actions.revoke_api_token(token=access.get_token_for_user(user, token_id), acting_user=user)
