"""The catalogue of permissions and the roles Passage seeds with their default permissions.

Roles are rows in the database (administrators may change what a role may do); this module only
holds the codes the code checks for and the defaults a new installation starts from.
"""

from __future__ import annotations

from dataclasses import dataclass


def _(message: str) -> str:
    """Marks a role name for translation (makemessages finds it) without importing Django, so that tools
    which run without settings (`passage workflow check`) can read the role codes."""
    return message


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
    "person.merge": "Review possible duplicates: decide on them, merge records and undo merges",
    "case.view": "See the cases of one's programmes and offices (a restricted case only when named on it)",
    "case.manage": "Open, assign and close cases, add tasks, notes and documents, move cases along their workflow",
    "case.export": "Export lists of the cases one may see (CSV, XLSX)",
    "case.aggregate": "See counts of cases by programme, state, office and priority, small cells suppressed "
    "(restricted cases are never counted)",
    "provider.manage": "Keep the directory of service providers: providers, their contacts and accounts",
    "claim.manage": "Take in reparation claims: the violations claimed, evidence, completeness checks, deficiency "
    "notices and withdrawals, and keep the violation registry (categories, events, verification lists)",
    "form.manage": "Upload programme forms (XLSForm), import their submissions from KoboToolbox or ODK, set the "
    "vulnerability bands and reintegration weights of programmes",
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
# Merging changes who a record stands for and moves what hangs off it: data-quality work apart from
# registering (four eyes: clerks register, data officers and administrators decide on duplicates).
_REGISTRY_MERGE = {"data_officer", "administrator"}


def _registry(code: str) -> tuple[str, ...]:
    """The registry permissions a role starts with (see core migrations 0005 and 0006, matching 0003)."""
    return tuple(
        permission
        for permission, holders in (
            ("person.view", _REGISTRY_VIEW),
            ("person.register", _REGISTRY_REGISTER),
            ("person.view_sensitive", _REGISTRY_SENSITIVE),
            ("person.export", _REGISTRY_EXPORT),
            ("person.aggregate", _REGISTRY_AGGREGATE),
            ("person.merge", _REGISTRY_MERGE),
        )
        if code in holders
    )


# Cases: the roles that take cases through a procedure, and administrators (who reassign the cases of staff who
# leave); finance officers see them to approve grants and payments. A restricted case stays with its named staff
# whatever the role (passage.cases.models.cases).
_CASE_MANAGE = {"caseworker", "claims_officer", "movement_officer", "administrator"}
_CASE_VIEW = {*_CASE_MANAGE, "finance_officer"}
# Lists of cases leave Passage with those who work them (not finance officers, whose lists come from Assistance);
# counts are for them, M&E officers and data protection officers, who may count cases they may not see one by one.
_CASE_EXPORT = set(_CASE_MANAGE)
_CASE_AGGREGATE = {*_CASE_MANAGE, "me_officer", "data_protection_officer"}


def _cases(code: str) -> tuple[str, ...]:
    """The case permissions a role starts with (see cases migrations 0002 and 0050)."""
    return tuple(
        permission
        for permission, holders in (
            ("case.view", _CASE_VIEW),
            ("case.manage", _CASE_MANAGE),
            ("case.export", _CASE_EXPORT),
            ("case.aggregate", _CASE_AGGREGATE),
        )
        if code in holders
    )


# Claims: claims officers and administrators manage reparation claims (see claims migration 0002); who sees a claim
# is who sees its case.
_CLAIMS = {"claims_officer", "administrator"}


def _claims(code: str) -> tuple[str, ...]:
    return ("claim.manage",) if code in _CLAIMS else ()


# Forms: administrators upload programme forms and set how they are scored (see cases migration 0010).
_FORMS = {"administrator"}


def _forms(code: str) -> tuple[str, ...]:
    return ("form.manage",) if code in _FORMS else ()


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
        (
            *_EVERYONE,
            "job.view_all",
            "operation.manage",
            "programme.manage",
            "user.manage",
            "location.manage",
            "provider.manage",  # the directory of service providers (see cases migration 0020)
        ),
        requires_two_factor=True,
    ),
)

DEFAULT_ROLES: tuple[RoleDefault, ...] = tuple(
    RoleDefault(
        r.code,
        r.name,
        r.description,
        (*r.permissions, *_registry(r.code), *_cases(r.code), *_claims(r.code), *_forms(r.code)),
        r.requires_two_factor,
    )
    for r in _ROLE_LIST
)
ROLE_CODES = tuple(role.code for role in DEFAULT_ROLES)
