"""The catalogue of permissions and the roles Passage seeds with their default permissions.

Roles are rows in the database (administrators may change what a role may do); this module only
holds the codes the code checks for and the defaults a new installation starts from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop as _

PERMISSIONS: dict[str, str] = {
    "operation.view": "See the operation, its offices and programmes",
    "operation.manage": "Edit the operation and its offices",
    "programme.manage": "Create and edit programmes",
    "user.manage": "Create users and grant or revoke their roles in the operation",
    "job.run": "Start background jobs",
    "job.view_all": "See every background job of the operation, not only one's own",
    "audit.view": "Read the audit trail of the operation",
    "audit.verify": "Verify the audit chain",
    "location.manage": "Load administrative areas (P-codes) and manage sites",
    "person.view": "See people and households in the registry",
    "person.register": "Register people and households, record consent",
    "person.view_sensitive": "See identity documents and phone numbers unmasked",
    "person.export": "Export lists of the people one may see (CSV, XLSX)",
    "person.aggregate": "See counts of people by area, sex and age group, small cells suppressed",
}


@dataclass(frozen=True)
class RoleDefault:
    code: str
    name: str
    description: str
    permissions: tuple[str, ...]
    requires_two_factor: bool = False


_EVERYONE = ("operation.view", "job.run")

_REGISTRY_VIEW = {
    "registration_clerk",
    "caseworker",
    "claims_officer",
    "finance_officer",
    "movement_officer",
    "data_officer",
    "feedback_focal_point",
    "data_protection_officer",
    "administrator",
}
_REGISTRY_REGISTER = {"registration_clerk", "caseworker", "claims_officer", "movement_officer", "administrator"}
_REGISTRY_SENSITIVE = {
    "registration_clerk",
    "caseworker",
    "claims_officer",
    "movement_officer",
    "data_protection_officer",
    "administrator",
}
_REGISTRY_EXPORT = {
    "registration_clerk",
    "caseworker",
    "claims_officer",
    "movement_officer",
    "data_officer",
    "data_protection_officer",
    "administrator",
}
_REGISTRY_AGGREGATE = {"me_officer", "data_officer", "administrator"}


def _registry(code: str) -> tuple[str, ...]:
    """The registry permissions a role starts with (see core migration 0005)."""
    return tuple(
        permission
        for permission, holders in (
            ("person.view", _REGISTRY_VIEW),
            ("person.register", _REGISTRY_REGISTER),
            ("person.view_sensitive", _REGISTRY_SENSITIVE),
            ("person.export", _REGISTRY_EXPORT),
            ("person.aggregate", _REGISTRY_AGGREGATE),
        )
        if code in holders
    )


_ROLE_LIST: tuple[RoleDefault, ...] = (
    RoleDefault(
        "registration_clerk", _("Registration clerk"), "Registers people and households, records consent", _EVERYONE
    ),
    RoleDefault(
        "caseworker",
        _("Caseworker"),
        "Moves protection, counter-trafficking and return cases through their procedure",
        _EVERYONE,
    ),
    RoleDefault(
        "claims_officer",
        _("Claims officer"),
        "Takes in reparation claims, checks evidence, decides with reasons",
        _EVERYONE,
    ),
    RoleDefault(
        "finance_officer",
        _("Finance officer"),
        "Plans assistance, approves entitlements, sends and reconciles payments",
        _EVERYONE,
    ),
    RoleDefault(
        "movement_officer",
        _("Movement officer"),
        "Health clearance, orientation, bookings, manifests, departures and arrivals",
        _EVERYONE,
    ),
    RoleDefault(
        "data_officer",
        _("Data officer"),
        "Displacement tracking rounds, flow monitoring, HXL datasets",
        (*_EVERYONE, "job.view_all", "location.manage"),
    ),
    RoleDefault(
        "me_officer",
        _("M&E officer"),
        "Dashboards, indicators against targets, donor reports",
        (*_EVERYONE, "job.view_all"),
    ),
    RoleDefault(
        "feedback_focal_point",
        _("Feedback focal point"),
        "Complaints and feedback, routes sensitive ones to restricted staff",
        _EVERYONE,
    ),
    RoleDefault(
        "data_protection_officer",
        _("Data protection officer"),
        "Consent, access logs, retention, data-sharing agreements, subject requests",
        (*_EVERYONE, "job.view_all", "audit.view", "audit.verify"),
        requires_two_factor=True,
    ),
    RoleDefault(
        "administrator",
        _("Administrator"),
        "Offices, programmes, users and roles, forms, workflows",
        (*_EVERYONE, "job.view_all", "operation.manage", "programme.manage", "user.manage", "location.manage"),
        requires_two_factor=True,
    ),
)

DEFAULT_ROLES: tuple[RoleDefault, ...] = tuple(
    RoleDefault(r.code, r.name, r.description, (*r.permissions, *_registry(r.code)), r.requires_two_factor)
    for r in _ROLE_LIST
)
ROLE_CODES = tuple(role.code for role in DEFAULT_ROLES)
