"""The API's authorization matrix: every operation in the OpenAPI document, as every persona.

Rows are keyed "METHOD /path" exactly as the OpenAPI document lists them; an operation without a row
fails `test_every_api_operation_has_a_row`. Requests carry a real token of the persona; anonymous
requests carry none (401 problem+json). Bodies are valid, so what is tested is who may, not what.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from passage.api.root import api
from passage.core import actions
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Household, HouseholdMember, Person, Site
from passage.registry.person_actions import move_person
from passage.registry.registration import ConsentInput, PersonInput
from tests.test_authorization_matrix import (
    CASE_MANAGERS,
    CASE_PDF,
    CASE_VIEWERS,
    IMPORT_FILE,
    JOB_OVERSEERS,
    PERSONAS,
    REFERRAL_READERS,
    REFERRERS,
    World,
    _assessments,
    _case,
    _group,
    _referrals,
)

EVERY_ROLE = {p for p in PERSONAS if p not in ("outsider", "anonymous")}


@dataclass(frozen=True)
class Row:
    path: Callable[[World], str]
    expect: Callable[[str], int]
    body: Callable[[World], dict[str, Any]] | None = None
    prepare: Callable[[World], None] = lambda world: None
    multipart: bool = False  # send the body as multipart/form-data (file uploads) instead of JSON


def status(roles: set[str], ok: int, *, refused: int = 404, outsider: int = 404) -> Callable[[str], int]:
    def expected(persona: str) -> int:
        if persona == "anonymous":
            return 401
        if persona == "outsider":
            return outsider
        return ok if persona in roles else refused

    return expected


def everyone(ok: int) -> Callable[[str], int]:
    return lambda persona: 401 if persona == "anonymous" else ok


def public(ok: int) -> Callable[[str], int]:
    return lambda persona: ok


ADMIN = {"administrator"}
JOB_SEERS = {"caseworker", *JOB_OVERSEERS}


def _cancel(world: World) -> None:
    actions.cancel_job(job=world.job, acting_user=world.subject)


# --- registry ---------------------------------------------------------------------------------------

PERSON_VIEWERS = {
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
REGISTRARS = {"registration_clerk", "caseworker", "claims_officer", "movement_officer", "administrator"}
EXPORTERS = {
    "registration_clerk",
    "caseworker",
    "claims_officer",
    "movement_officer",
    "data_officer",
    "data_protection_officer",
    "administrator",
}
COUNTERS = {"me_officer", "data_officer", "administrator"}


def _registered(world: World) -> None:
    """A household of the operation (the world's own when it has one) and an administrative area."""
    AdminArea.objects.get_or_create(pcode="IQ", defaults={"country": "IQ", "level": 0, "name": "Iraq"})
    if not Person.objects.filter(operation=world.operation).exists():
        register_household(
            acting_user=None,
            operation=world.operation,
            address="Hay Al-Amil",
            members=[
                PersonInput(
                    relationship="head",
                    consent=ConsentInput(granted=True, method="verbal"),
                    given_name_latin="Amina",
                    phones=["0770 123 4567"],
                )
            ],
        )


def _person_id(world: World) -> Any:
    person = getattr(world, "person", None) or Person.objects.filter(operation=world.operation).first()
    return person.pk


def _household_id(world: World) -> Any:
    household = getattr(world, "household", None) or Household.objects.filter(operation=world.operation).first()
    return household.pk


def _version(world: World) -> int:
    return int(Person.objects.get(pk=world.person.pk).version)


def _consent_id(world: World) -> Any:
    return world.person.consents.get(purpose="registration").pk


def _second_member(world: World) -> None:
    """Someone else joins the world's household, so that its head can change."""
    other = register_household(
        acting_user=None,
        operation=world.operation,
        office=world.office,
        members=[
            PersonInput(
                relationship="head", consent=ConsentInput(granted=True, method="verbal"), given_name_latin="Salma"
            )
        ],
    )
    newcomer = other.members.get().person
    move_person(
        person=newcomer, acting_user=None, to_household=world.household, relationship="spouse", on=timezone.localdate()
    )


def _spouse_id(world: World) -> str:
    return str(HouseholdMember.objects.get(household=world.household, relationship="spouse").person_id)


def _site(world: World) -> None:
    area, _created = AdminArea.objects.get_or_create(pcode="IQ", defaults={"country": "IQ", "level": 0, "name": "Iraq"})
    Site.objects.create(operation=world.operation, code="C-01", name="Camp One", type="camp", admin_area=area)


def _registration(world: World) -> dict[str, Any]:
    member = {"relationship": "head", "consent": {"granted": True, "method": "verbal"}, "given_name_latin": "Noor"}
    return {"operation": str(world.operation.pk), "members": [member]}


def _newcomer(world: World) -> None:
    """A second person of the operation, not yet in the world's group."""
    register_household(
        acting_user=None,
        operation=world.operation,
        members=[PersonInput(relationship="head", consent=YES_VERBAL, given_name_latin="Noor")],
    )


def _newcomer_body(world: World) -> dict[str, Any]:
    return {
        "person": Person.objects.get(operation=world.operation, given_name_latin="Noor").reference,
        "role": "member",
    }


YES_VERBAL = ConsentInput(granted=True, method="verbal")

# --- matching -----------------------------------------------------------------------------------------------

MERGERS = {"data_officer", "administrator"}  # person.merge: who reviews possible duplicates
RUN_STARTERS = REGISTRARS | MERGERS


def _matching(world: World) -> dict[str, Any]:
    """A run, a pair of look-alikes (the world's person and a second registration of her) and a merge of two
    others, made once per world."""
    made = getattr(world, "_matching", None)
    if made is None:
        from passage.matching.actions import start_match_run
        from passage.matching.merge_actions import merge_people
        from passage.matching.models import CandidatePair

        def registered(given: str) -> Any:
            member = PersonInput(relationship="head", consent=YES_VERBAL, given_name_latin=given)
            household = register_household(
                acting_user=None, operation=world.operation, office=world.office, members=[member]
            )
            return household.members.get().person

        again, first, second = registered("Amal"), registered("Noor"), registered("Nour")
        a, b = sorted([world.person, again], key=lambda p: p.pk)
        pair = CandidatePair.objects.create(
            operation=world.operation, person_a=a, person_b=b, probability=0.97, match_weight=9.0, band="probable"
        )
        made = world._matching = {  # type: ignore[attr-defined]
            "run": start_match_run(None, world.operation),
            "pair": pair,
            "merge": merge_people(acting_user=None, survivor=first, merged=[second]),
            "merging": (registered("Huda"), registered("Houda")),
        }
    return made


def _merge_body(world: World) -> dict[str, Any]:
    survivor, merged = _matching(world)["merging"]
    return {"survivor": str(survivor.pk), "merged": [str(merged.pk)]}


def _merging(persona: str) -> int:
    """Merging needs person.merge over people one sees: a 403 for those who see them, a 404 for the rest."""
    if persona == "anonymous":
        return 401
    if persona in MERGERS:
        return 201
    return 403 if persona in PERSON_VIEWERS else 404


# --- cases --------------------------------------------------------------------------------------------------


def _cases(rest: str = "") -> Callable[[World], str]:
    """A URL of the world's case (the caseworker persona's, in the protection workflow's assistance plan, with an
    approval asked for, a document, a task and the finance officer named); {approval}, {document}, {grant} and
    {task} in `rest` stand for its objects."""

    def path(world: World) -> str:
        case = _case(world)
        return f"/api/v1/cases/{case.pk}" + rest.format(
            approval=world._approval.pk,  # type: ignore[attr-defined]
            document=world._document.pk,  # type: ignore[attr-defined]
            grant=world._grant.pk,  # type: ignore[attr-defined]
            task=world._task.pk,  # type: ignore[attr-defined]
        )

    return path


def _case_version(world: World) -> int:
    from passage.cases.models import Case

    return int(Case.objects.get(pk=_case(world).pk).version)


def _closed(world: World) -> None:
    from passage.cases.actions import close_case

    close_case(case=_case(world), acting_user=None, reason="moved")


def _approval_used(world: World) -> None:
    """The approval the world's case waits for is used up, so that another may be asked for."""
    from passage.cases.models import CaseApproval

    _case(world)
    CaseApproval.objects.filter(pk=world._approval.pk).update(used_at=timezone.now())  # type: ignore[attr-defined]


def _with_assessments(world: World) -> None:
    _assessments(world)


def _with_referrals(world: World) -> None:
    _referrals(world)


def _accepted(world: World) -> None:
    from passage.cases.referral_actions import accept_referral

    accept_referral(referral=_referrals(world)["referral"], acting_user=None)


def _referral(rest: str = "") -> Callable[[World], str]:
    return lambda world: f"/api/v1/referrals/{_referrals(world)['referral'].pk}{rest}"


def _opening(persona: str) -> int:
    """Opening a case needs case.manage and sight of the person: a 403 for those who see people only, a 404 for
    those who do not see them."""
    if persona == "anonymous":
        return 401
    if persona in CASE_MANAGERS:
        return 201
    return 403 if persona in PERSON_VIEWERS else 404


def _withdrawing(persona: str) -> int:
    """The protection workflow's `withdraw` is for caseworkers and administrators: other case managers are told why
    they may not (409); everyone else does not see the case to change it."""
    if persona == "anonymous":
        return 401
    if persona in {"caseworker", "administrator"}:
        return 200
    return 409 if persona in CASE_MANAGERS else 404


def _approving(persona: str) -> int:
    """The plan is approved by a second caseworker (the workflow's approving role): others who see the case are
    refused (403), the rest do not see it."""
    if persona == "anonymous":
        return 401
    if persona == "caseworker":
        return 200
    return 403 if persona in CASE_VIEWERS else 404


ROWS: dict[str, Row] = {
    "GET /api/v1/me": Row(lambda w: "/api/v1/me", everyone(200)),
    "GET /api/v1/operations": Row(lambda w: "/api/v1/operations", everyone(200)),
    "GET /api/v1/operations/{operation_id}": Row(
        lambda w: f"/api/v1/operations/{w.operation.pk}", status(EVERY_ROLE, 200)
    ),
    "GET /api/v1/operations/{operation_id}/offices": Row(
        lambda w: f"/api/v1/operations/{w.operation.pk}/offices", status(EVERY_ROLE, 200)
    ),
    # Without ?operation= a list shows what the persona may see in all their operations: the outsider, theirs.
    "GET /api/v1/programmes": Row(lambda w: "/api/v1/programmes", everyone(200)),
    "GET /api/v1/programmes/{programme_id}": Row(
        lambda w: f"/api/v1/programmes/{w.programme.pk}", status(EVERY_ROLE, 200)
    ),
    "POST /api/v1/programmes": Row(
        lambda w: "/api/v1/programmes",
        status(ADMIN, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk), "code": "new", "name": "New", "type": "protection"},
    ),
    "PATCH /api/v1/programmes/{programme_id}": Row(
        lambda w: f"/api/v1/programmes/{w.programme.pk}", status(ADMIN, 200, refused=403), lambda w: {"name": "Renamed"}
    ),
    "GET /api/v1/users": Row(lambda w: f"/api/v1/users?operation={w.operation.pk}", status(ADMIN, 200, refused=403)),
    # Everyone may read their own account; the subject is the caseworker persona.
    "GET /api/v1/users/{user_id}": Row(
        lambda w: f"/api/v1/users/{w.subject.pk}?operation={w.operation.pk}",
        status({*ADMIN, "caseworker"}, 200, refused=403),
    ),
    "POST /api/v1/users": Row(
        lambda w: "/api/v1/users",
        status(ADMIN, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk), "username": "someone.new", "role": "caseworker"},
    ),
    "POST /api/v1/users/{user_id}/memberships": Row(
        lambda w: f"/api/v1/users/{w.subject.pk}/memberships",
        status(ADMIN, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk), "role": "claims_officer"},
    ),
    "DELETE /api/v1/memberships/{membership_id}": Row(
        lambda w: f"/api/v1/memberships/{w.membership.pk}", status(ADMIN, 200)
    ),
    "GET /api/v1/jobs": Row(lambda w: "/api/v1/jobs", everyone(200)),
    "GET /api/v1/jobs/{job_id}": Row(lambda w: f"/api/v1/jobs/{w.job.pk}", status(JOB_SEERS, 200)),
    "POST /api/v1/jobs": Row(
        lambda w: "/api/v1/jobs",
        status(EVERY_ROLE, 201),
        lambda w: {"operation": str(w.operation.pk), "kind": "core.selftest"},
    ),
    "POST /api/v1/jobs/{job_id}/cancel": Row(
        lambda w: f"/api/v1/jobs/{w.job.pk}/cancel", status(JOB_SEERS, 200), lambda w: {}
    ),
    "POST /api/v1/jobs/{job_id}/retry": Row(
        lambda w: f"/api/v1/jobs/{w.job.pk}/retry", status(JOB_SEERS, 200), lambda w: {}, prepare=_cancel
    ),
    "GET /api/v1/audit-events": Row(
        lambda w: f"/api/v1/audit-events?operation={w.operation.pk}",
        status({"data_protection_officer"}, 200, refused=403),
    ),
    "GET /api/v1/tokens": Row(lambda w: "/api/v1/tokens", everyone(200)),
    "POST /api/v1/tokens": Row(lambda w: "/api/v1/tokens", everyone(201), lambda w: {"name": "script", "days": 7}),
    # Only the owner may revoke a token (the subject is the caseworker persona).
    "DELETE /api/v1/tokens/{token_id}": Row(lambda w: f"/api/v1/tokens/{w.token.pk}", status({"caseworker"}, 200)),
    # The registry: people and households for the roles that may see them; another operation's are a 404.
    "GET /api/v1/people": Row(
        lambda w: f"/api/v1/people?operation={w.operation.pk}&q=amina",
        status(PERSON_VIEWERS, 200, refused=403),
        prepare=_registered,
    ),
    "GET /api/v1/people/{person_id}": Row(
        lambda w: f"/api/v1/people/{_person_id(w)}", status(PERSON_VIEWERS, 200), prepare=_registered
    ),
    "GET /api/v1/households/{household_id}": Row(
        lambda w: f"/api/v1/households/{_household_id(w)}", status(PERSON_VIEWERS, 200), prepare=_registered
    ),
    "POST /api/v1/households": Row(lambda w: "/api/v1/households", status(REGISTRARS, 201, refused=403), _registration),
    # The live duplicate check belongs to registering: person.register (403 without), another operation's a 404.
    "POST /api/v1/matching/candidates": Row(
        lambda w: "/api/v1/matching/candidates",
        status(REGISTRARS, 200, refused=403),
        lambda w: {"operation": str(w.operation.pk), "given_name_latin": "Amal", "birth_date": "1990-01-01"},
    ),
    # After registration, as the browser's pages: changes need person.register (404 for anyone else, as the
    # record would otherwise be confirmed to exist); reading consent decisions needs person.view.
    "PATCH /api/v1/people/{person_id}": Row(
        lambda w: f"/api/v1/people/{w.person.pk}",
        status(REGISTRARS, 200),
        lambda w: {"version": _version(w), "given_name_latin": "Amala"},
    ),
    "POST /api/v1/people/{person_id}/status": Row(
        lambda w: f"/api/v1/people/{w.person.pk}/status",
        status(REGISTRARS, 200),
        lambda w: {"status": "withdrawn", "reason": "Moved abroad", "version": _version(w)},
    ),
    "POST /api/v1/people/{person_id}/move": Row(
        lambda w: f"/api/v1/people/{w.person.pk}/move",
        status(REGISTRARS, 200),
        lambda w: {"relationship": "head", "on": timezone.localdate().isoformat(), "address": "Camp One, C-12"},
    ),
    "POST /api/v1/people/{person_id}/leave": Row(
        lambda w: f"/api/v1/people/{w.person.pk}/leave",
        status(REGISTRARS, 200),
        lambda w: {"on": timezone.localdate().isoformat()},
    ),
    "GET /api/v1/people/{person_id}/consents": Row(
        lambda w: f"/api/v1/people/{w.person.pk}/consents", status(PERSON_VIEWERS, 200)
    ),
    "POST /api/v1/people/{person_id}/consents": Row(
        lambda w: f"/api/v1/people/{w.person.pk}/consents",
        status(REGISTRARS, 201),
        lambda w: {"purpose": "research", "granted": True, "method": "verbal"},
    ),
    "POST /api/v1/people/{person_id}/consents/{consent_id}/withdraw": Row(
        lambda w: f"/api/v1/people/{w.person.pk}/consents/{_consent_id(w)}/withdraw",
        status(REGISTRARS, 200),
        lambda w: {"note": "Asked at the help desk"},
    ),
    "GET /api/v1/households": Row(
        lambda w: f"/api/v1/households?operation={w.operation.pk}&q=amal", status(PERSON_VIEWERS, 200, refused=403)
    ),
    "POST /api/v1/households/{household_id}/head": Row(
        lambda w: f"/api/v1/households/{w.household.pk}/head",
        status(REGISTRARS, 200),
        lambda w: {"new_head": _spouse_id(w), "former_head_relationship": "spouse"},
        prepare=_second_member,
    ),
    # Sites are where the operation works: anyone of the operation may list them.
    "GET /api/v1/sites": Row(
        lambda w: f"/api/v1/sites?operation={w.operation.pk}", status(EVERY_ROLE, 200), prepare=_site
    ),
    # Registration imports, as the import pages: the list and the upload need person.register (403 without it);
    # one import is a 404 for anyone who may not register people in its operation.
    "GET /api/v1/imports": Row(
        lambda w: f"/api/v1/imports?operation={w.operation.pk}", status(REGISTRARS, 200, refused=403)
    ),
    "POST /api/v1/imports": Row(
        lambda w: "/api/v1/imports",
        status(REGISTRARS, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk), "file": SimpleUploadedFile("kobo.csv", IMPORT_FILE)},
        multipart=True,
    ),
    "GET /api/v1/imports/{import_id}": Row(
        lambda w: f"/api/v1/imports/{w.registration_import.pk}", status(REGISTRARS, 200)
    ),
    "GET /api/v1/imports/{import_id}/rows": Row(
        lambda w: f"/api/v1/imports/{w.registration_import.pk}/rows?outcome=invalid", status(REGISTRARS, 200)
    ),
    "POST /api/v1/imports/{import_id}/approve": Row(
        lambda w: f"/api/v1/imports/{w.registration_import.pk}/approve", status(REGISTRARS, 200), lambda w: {}
    ),
    "POST /api/v1/imports/{import_id}/reject": Row(
        lambda w: f"/api/v1/imports/{w.registration_import.pk}/reject",
        status(REGISTRARS, 200),
        lambda w: {"reason": "Wrong district"},
    ),
    # Administrative areas are public reference data for anyone signed in.
    "GET /api/v1/admin-areas": Row(lambda w: "/api/v1/admin-areas?country=IQ", everyone(200), prepare=_registered),
    "GET /api/v1/admin-areas/{pcode}": Row(lambda w: "/api/v1/admin-areas/IQ", everyone(200), prepare=_registered),
    # Exports need person.export; counts need person.aggregate (M&E officers may count people they may not see).
    "POST /api/v1/exports/people": Row(
        lambda w: "/api/v1/exports/people",
        status(EXPORTERS, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk), "q": "amina", "format": "csv"},
        prepare=_registered,
    ),
    "GET /api/v1/aggregates/people": Row(
        lambda w: f"/api/v1/aggregates/people?operation={w.operation.pk}&level=0",
        status(COUNTERS, 200, refused=403),
        prepare=_registered,
    ),
    # Groups and communities: seen by those who see people, changed by those who register them.
    "GET /api/v1/groups": Row(
        lambda w: f"/api/v1/groups?operation={w.operation.pk}", status(PERSON_VIEWERS, 200, refused=403)
    ),
    "GET /api/v1/groups/{group_id}": Row(lambda w: f"/api/v1/groups/{_group(w).pk}", status(PERSON_VIEWERS, 200)),
    "POST /api/v1/groups": Row(
        lambda w: "/api/v1/groups",
        status(REGISTRARS, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk), "kind": "association", "name_latin": "Families of the missing"},
    ),
    "PATCH /api/v1/groups/{group_id}": Row(
        lambda w: f"/api/v1/groups/{_group(w).pk}",
        status(REGISTRARS, 200),
        lambda w: {"version": 1, "estimated_size": 40},
    ),
    "POST /api/v1/groups/{group_id}/members": Row(
        lambda w: f"/api/v1/groups/{_group(w).pk}/members", status(REGISTRARS, 201), _newcomer_body, prepare=_newcomer
    ),
    "POST /api/v1/groups/{group_id}/members/{membership_id}/end": Row(
        lambda w: f"/api/v1/groups/{_group(w).pk}/members/{w._group_member.pk}/end",  # type: ignore[attr-defined]
        status(REGISTRARS, 200),
        lambda w: {},
    ),
    # Matching: runs and settings are read by those who see people; runs started by those who register people or
    # review duplicates; settings set by whoever manages the operation; pairs and merges for reviewers only.
    "POST /api/v1/matching/runs": Row(
        lambda w: "/api/v1/matching/runs",
        status(RUN_STARTERS, 201, refused=403),
        lambda w: {"operation": str(w.operation.pk)},
    ),
    "GET /api/v1/matching/runs": Row(
        lambda w: f"/api/v1/matching/runs?operation={w.operation.pk}", status(PERSON_VIEWERS, 200, refused=403)
    ),
    "GET /api/v1/matching/runs/{run_id}": Row(
        lambda w: f"/api/v1/matching/runs/{_matching(w)['run'].pk}", status(PERSON_VIEWERS, 200)
    ),
    "GET /api/v1/matching/settings": Row(
        lambda w: f"/api/v1/matching/settings?operation={w.operation.pk}", status(PERSON_VIEWERS, 200, refused=403)
    ),
    "PUT /api/v1/matching/settings": Row(
        lambda w: "/api/v1/matching/settings",
        status(ADMIN, 200, refused=403),
        lambda w: {
            "operation": str(w.operation.pk),
            "probable_threshold": 0.9,
            "review_threshold": 0.6,
            "import_ceiling_share": 0.1,
        },
    ),
    "GET /api/v1/matching/pairs": Row(
        lambda w: f"/api/v1/matching/pairs?operation={w.operation.pk}&decision=open",
        status(MERGERS, 200, refused=403),
    ),
    "GET /api/v1/matching/pairs/{pair_id}": Row(
        lambda w: f"/api/v1/matching/pairs/{_matching(w)['pair'].pk}", status(MERGERS, 200)
    ),
    "POST /api/v1/matching/pairs/{pair_id}/decision": Row(
        lambda w: f"/api/v1/matching/pairs/{_matching(w)['pair'].pk}/decision",
        status(MERGERS, 200),
        lambda w: {"decision": "unsure", "note": "Ask the family"},
    ),
    "POST /api/v1/matching/merges": Row(lambda w: "/api/v1/matching/merges", _merging, _merge_body),
    "GET /api/v1/matching/merges/{merge_id}": Row(
        lambda w: f"/api/v1/matching/merges/{_matching(w)['merge'].pk}", status(MERGERS, 200)
    ),
    "POST /api/v1/matching/merges/{merge_id}/undo": Row(
        lambda w: f"/api/v1/matching/merges/{_matching(w)['merge'].pk}/undo",
        status(MERGERS, 200),
        lambda w: {"note": "Two people after all"},
    ),
    # Cases: seen by the roles that work cases (and finance officers, who approve), changed by those who manage
    # them; for everyone else a case does not exist (404, never 403). Lists and counts need case.view (403).
    "GET /api/v1/cases": Row(
        lambda w: f"/api/v1/cases?operation={w.operation.pk}&tab=all", status(CASE_VIEWERS, 200, refused=403)
    ),
    "GET /api/v1/cases/counts": Row(
        lambda w: f"/api/v1/cases/counts?operation={w.operation.pk}", status(CASE_VIEWERS, 200, refused=403)
    ),
    "POST /api/v1/cases": Row(
        lambda w: "/api/v1/cases",
        _opening,
        lambda w: {"programme": str(w.programme.pk), "office": str(w.office.pk), "person": str(w.person.pk)},
    ),
    # A result per case: a case one may not see, or may not move, is refused in the answer.
    "POST /api/v1/cases/transitions": Row(
        lambda w: "/api/v1/cases/transitions",
        everyone(200),
        lambda w: {"transition": "withdraw", "reason": "lost contact", "cases": [{"id": str(_case(w).pk)}]},
    ),
    "POST /api/v1/cases/reassignments": Row(
        lambda w: "/api/v1/cases/reassignments",
        status(CASE_MANAGERS, 200, refused=403),
        lambda w: {
            "operation": str(w.operation.pk),
            "caseworker": str(w.users["claims_officer"].pk),
            "cases": [str(_case(w).pk)],
        },
    ),
    "GET /api/v1/cases/{case_id}": Row(_cases(), status(CASE_VIEWERS, 200)),
    "PATCH /api/v1/cases/{case_id}": Row(
        _cases(), status(CASE_MANAGERS, 200), lambda w: {"version": _case_version(w), "priority": 30}
    ),
    "POST /api/v1/cases/{case_id}/close": Row(
        _cases("/close"), status(CASE_MANAGERS, 200), lambda w: {"reason": "moved"}
    ),
    "POST /api/v1/cases/{case_id}/reopen": Row(
        _cases("/reopen"), status(CASE_MANAGERS, 200), lambda w: {"reason": "came back"}, prepare=_closed
    ),
    "GET /api/v1/cases/{case_id}/transitions": Row(_cases("/transitions"), status(CASE_VIEWERS, 200)),
    "POST /api/v1/cases/{case_id}/transitions": Row(
        _cases("/transitions"), _withdrawing, lambda w: {"transition": "withdraw", "reason": "lost contact"}
    ),
    "GET /api/v1/cases/{case_id}/tasks": Row(_cases("/tasks"), status(CASE_VIEWERS, 200)),
    "POST /api/v1/cases/{case_id}/tasks": Row(
        _cases("/tasks"), status(CASE_MANAGERS, 201), lambda w: {"title": "Call"}
    ),
    "POST /api/v1/cases/{case_id}/tasks/{task_id}/complete": Row(
        _cases("/tasks/{task}/complete"), status(CASE_MANAGERS, 200), lambda w: {}
    ),
    "GET /api/v1/cases/{case_id}/notes": Row(_cases("/notes"), status(CASE_VIEWERS, 200)),
    "POST /api/v1/cases/{case_id}/notes": Row(_cases("/notes"), status(CASE_MANAGERS, 201), lambda w: {"text": "Hi"}),
    "GET /api/v1/cases/{case_id}/documents": Row(_cases("/documents"), status(CASE_VIEWERS, 200)),
    "POST /api/v1/cases/{case_id}/documents": Row(
        _cases("/documents"),
        status(CASE_MANAGERS, 201),
        lambda w: {"kind": "consent_form", "file": SimpleUploadedFile("scan.pdf", CASE_PDF)},
        multipart=True,
    ),
    "GET /api/v1/cases/{case_id}/documents/{document_id}/file": Row(
        _cases("/documents/{document}/file"), status(CASE_VIEWERS, 200)
    ),
    "POST /api/v1/cases/{case_id}/documents/{document_id}/remove": Row(
        _cases("/documents/{document}/remove"), status(CASE_MANAGERS, 200), lambda w: {"reason": "wrong person"}
    ),
    "GET /api/v1/cases/{case_id}/approvals": Row(_cases("/approvals"), status(CASE_VIEWERS, 200)),
    "POST /api/v1/cases/{case_id}/approvals": Row(
        _cases("/approvals"),
        status(CASE_MANAGERS, 201),
        lambda w: {"transition": "approve_plan"},
        prepare=_approval_used,
    ),
    "POST /api/v1/cases/{case_id}/approvals/{approval_id}/decision": Row(
        _cases("/approvals/{approval}/decision"), _approving, lambda w: {"approve": True}
    ),
    "GET /api/v1/cases/{case_id}/access": Row(_cases("/access"), status(CASE_VIEWERS, 200)),
    "POST /api/v1/cases/{case_id}/access": Row(
        _cases("/access"),
        status(CASE_MANAGERS, 201),
        lambda w: {"user": str(w.users["movement_officer"].pk), "reason": "specialist"},
    ),
    "POST /api/v1/cases/{case_id}/access/{grant_id}/revoke": Row(
        _cases("/access/{grant}/revoke"), status(CASE_MANAGERS, 200), lambda w: {"reason": "done"}
    ),
    # Assessments follow their case: read by who sees it, filled by who manages it.
    "GET /api/v1/cases/{case_id}/forms": Row(_cases("/forms"), status(CASE_VIEWERS, 200)),
    "GET /api/v1/cases/{case_id}/assessments": Row(
        _cases("/assessments"), status(CASE_VIEWERS, 200), prepare=_with_assessments
    ),
    "POST /api/v1/cases/{case_id}/assessments": Row(
        _cases("/assessments"),
        status(CASE_MANAGERS, 201),
        lambda w: {"form": str(_assessments(w)["template"].pk), "answers": {"case_number": "x"}},
    ),
    "GET /api/v1/cases/{case_id}/assessments/{submission_id}": Row(
        lambda w: f"/api/v1/cases/{_case(w).pk}/assessments/{_assessments(w)['submission'].pk}",
        status(CASE_VIEWERS, 200),
    ),
    # Referrals: read by who sees their case, sent and answered (for the provider) by who manages it; nobody of
    # the operation works for a provider here, so every inbox is refused.
    "GET /api/v1/referrals": Row(
        lambda w: f"/api/v1/referrals?operation={w.operation.pk}",
        status(REFERRAL_READERS, 200, refused=403),
        prepare=_with_referrals,
    ),
    "GET /api/v1/referrals/inbox": Row(
        lambda w: "/api/v1/referrals/inbox", status(set(), 200, refused=403, outsider=403)
    ),
    "GET /api/v1/cases/{case_id}/referrals": Row(
        lambda w: f"/api/v1/cases/{_referrals(w)['case'].pk}/referrals", status(REFERRAL_READERS, 200)
    ),
    "POST /api/v1/cases/{case_id}/referrals": Row(
        lambda w: f"/api/v1/cases/{_referrals(w)['case'].pk}/referrals",
        status(REFERRERS, 201),
        lambda w: {
            "provider": str(_referrals(w)["provider"].pk),
            "service": "health",
            "reason": "A check-up.",
            "items": ["name"],
        },
    ),
    "GET /api/v1/referrals/{referral_id}": Row(_referral(), status(REFERRAL_READERS, 200)),
    "POST /api/v1/referrals/{referral_id}/acknowledge": Row(
        _referral("/acknowledge"), status(REFERRERS, 200), lambda w: {}
    ),
    "POST /api/v1/referrals/{referral_id}/accept": Row(_referral("/accept"), status(REFERRERS, 200), lambda w: {}),
    "POST /api/v1/referrals/{referral_id}/reject": Row(
        _referral("/reject"), status(REFERRERS, 200), lambda w: {"reason": "no_capacity"}
    ),
    "POST /api/v1/referrals/{referral_id}/delivery": Row(
        _referral("/delivery"),
        status(REFERRERS, 200),
        lambda w: {"delivered_on": timezone.localdate().isoformat(), "service": "Check-up"},
        prepare=_accepted,
    ),
}

# The documentation itself is public: it describes the API, it holds no data.
PUBLIC = {"/api/v1/openapi.json": 200, "/api/v1/docs": 200}


def _operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}


def test_every_api_operation_has_a_row():
    missing = _operations() - set(ROWS)
    assert not missing, f"Add a row to the API authorization matrix for: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", sorted(ROWS))
def test_api_matrix(client, matrix_world, key: str, persona: str):
    row = ROWS[key]
    world = matrix_world
    row.prepare(world)
    headers = {}
    if persona != "anonymous":
        _token, plaintext = actions.create_api_token(acting_user=world.users[persona], name="matrix")
        headers["Authorization"] = f"Bearer {plaintext}"
    method = key.split(" ", 1)[0].lower()
    kwargs: dict[str, Any] = {"headers": headers}
    if row.body is not None and row.multipart:
        kwargs.update(data=row.body(world))
    elif row.body is not None:
        kwargs.update(data=json.dumps(row.body(world)), content_type="application/json")
    response = getattr(client, method)(row.path(world), **kwargs)
    assert response.status_code == row.expect(persona), (
        f"{key} as {persona}: {response.status_code} {response.content[:300]!r}"
    )
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_api_documentation_is_public(client, db, path: str):
    assert client.get(path).status_code == PUBLIC[path]
