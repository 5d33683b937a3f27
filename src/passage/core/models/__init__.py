from passage.core.models.audit import AuditEvent
from passage.core.models.jobs import Job
from passage.core.models.operations import Office, Operation, Programme, ProgrammeType
from passage.core.models.tokens import ApiToken
from passage.core.models.users import Membership, Role, RoleGrant, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Job",
    "Membership",
    "Office",
    "Operation",
    "Programme",
    "ProgrammeType",
    "Role",
    "RoleGrant",
    "User",
]
