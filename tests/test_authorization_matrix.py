"""The authorization matrix: every URL, as every demo role, an outsider and an anonymous visitor.

Each row names a URL pattern, how to call it, and the status each persona must get. A URL pattern
without a row fails `test_every_url_has_a_row`, so nobody adds a page without deciding who may use it.
The outsider is an administrator — of another operation — so every 404 below is a real boundary.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from passage.conftest import sign_in
from passage.core import actions
from passage.core.roles import DEFAULT_ROLES, ROLE_CODES
from passage.core.tests.factories import OfficeFactory, OperationFactory, ProgrammeFactory, member_of
from passage.registry.actions import register_household
from passage.registry.import_actions import save_import_template, stage_registration_import, upload_registration_import
from passage.registry.person_actions import set_photo
from passage.registry.registration import ConsentInput, PersonInput

PERSONAS = (*ROLE_CODES, "outsider", "anonymous")
JOB_OVERSEERS = {"data_officer", "me_officer", "data_protection_officer", "administrator"}
EVERY_ROLE = set(ROLE_CODES)
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
MERGERS = {"data_officer", "administrator"}  # person.merge: who reviews possible duplicates
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
SENSITIVE_VIEWERS = REGISTRARS | {"data_protection_officer"}  # documents, phones and photos unmasked
WORKFLOW_READERS = {role.code for role in DEFAULT_ROLES if "case.view" in role.permissions}  # cases 0002


@dataclass
class World:
    operation: Any
    office: Any
    programme: Any
    subject: Any  # a caseworker of the operation: the member, job owner and token owner the rows point at
    membership: Any
    job: Any
    token: Any
    users: dict[str, Any] = field(default_factory=dict)
    household: Any = None  # a household registered in the operation, and its head
    person: Any = None
    registration_import: Any = None  # a checked import waiting for approval, and a saved column mapping
    import_template: Any = None


def build_world() -> World:
    operation = OperationFactory(code="irq", name="Iraq")
    other = OperationFactory(code="lby", name="Libya", country="LY")
    office = OfficeFactory(operation=operation)
    programme = ProgrammeFactory(operation=operation)
    subject = member_of(operation, "caseworker")
    job = actions.start_job(acting_user=subject, operation=operation, kind="core.selftest")
    job.result_file.save("report.csv", ContentFile(b"step,check\n"), save=True)
    token, _ = actions.create_api_token(acting_user=subject, name="script")
    users = {code: member_of(operation, code) for code in ROLE_CODES}
    users["caseworker"] = subject  # the caseworker persona owns the job
    users["outsider"] = member_of(other, "administrator")
    household = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(
                relationship="head",
                consent=ConsentInput(granted=True, method="verbal"),
                given_name_latin="Amal",
                phones=["0770 123 4567"],
            )
        ],
    )
    person = household.members.get().person
    person = set_photo(person=person, acting_user=None, data=PHOTO)
    registration_import = stage_registration_import(
        registration_import=upload_registration_import(
            acting_user=None, operation=operation, filename="kobo.csv", content=IMPORT_FILE
        )
    )
    template = save_import_template(
        acting_user=users["registration_clerk"], operation=operation, name="Kobo", mapping={"given_name": "given_name"}
    )
    return World(
        operation,
        office,
        programme,
        subject,
        subject.memberships.get(),
        job,
        token,
        users,
        household,
        person,
        registration_import,
        template,
    )


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "grey").save(buffer, "PNG")
    return buffer.getvalue()


def _group(world: World) -> Any:
    """A community of the operation with the world's person as member and household (made once per world)."""
    group = getattr(world, "_group", None)
    if group is None:
        from passage.registry.group_actions import add_household, add_member, create_group
        from passage.registry.models import AdminArea

        area, _ = AdminArea.objects.get_or_create(pcode="IQ", defaults={"country": "IQ", "level": 0, "name": "Iraq"})
        group = create_group(
            acting_user=None,
            operation=world.operation,
            office=world.office,
            kind="community",
            name="Sinjar",
            admin_area=area,
        )
        world._group_member = add_member(group=group, person=world.person, acting_user=None)  # type: ignore[attr-defined]
        world._group_household = add_household(group=group, household=world.household, acting_user=None)  # type: ignore[attr-defined]
        world._group = group  # type: ignore[attr-defined]
    return group


def _group_url(world: World, rest: str = "") -> str:
    """A URL of the world's group; {member} and {household} in `rest` stand for its membership and household."""
    group = _group(world)
    member, household = world._group_member.pk, world._group_household.pk  # type: ignore[attr-defined]
    return f"/registry/groups/{group.pk}/" + rest.format(member=member, household=household)


def _review(world: World) -> Any:
    """A pair of look-alikes for the review pages, a merge of two others, and a bulk decision (made once per
    world): the world's person and a second registration of her in the same office."""
    review = getattr(world, "_review", None)
    if review is None:
        from passage.matching.bulk_actions import start_bulk_decision
        from passage.matching.merge_actions import merge_people
        from passage.matching.models import CandidatePair

        def registered(given: str) -> Any:
            member = PersonInput(
                relationship="head",
                consent=ConsentInput(granted=True, method="verbal"),
                given_name_latin=given,
                phones=["0770 123 4567"],
            )
            household = register_household(
                acting_user=None, operation=world.operation, office=world.office, members=[member]
            )
            return household.members.get().person

        again, first, second = registered("Amal"), registered("Noor"), registered("Nour")
        a, b = sorted([world.person, again], key=lambda p: p.pk)
        pair = CandidatePair.objects.create(
            operation=world.operation, person_a=a, person_b=b, probability=0.97, match_weight=9.0, band="probable"
        )
        merge = merge_people(acting_user=None, survivor=first, merged=[second])
        bulk = start_bulk_decision(
            acting_user=world.users["data_officer"], operation=world.operation, decision="same", min_probability=0.99
        )
        review = world._review = {"pair": pair, "merge": merge, "bulk": bulk}  # type: ignore[attr-defined]
    return review


CASE_MANAGERS = {"caseworker", "claims_officer", "movement_officer", "administrator"}
CASE_VIEWERS = CASE_MANAGERS | {"finance_officer"}  # finance officers approve grants a workflow asks them to
CASE_EXPORTERS = set(CASE_MANAGERS)  # case.export (cases 0050)
CASE_COUNTERS = CASE_MANAGERS | {"me_officer", "data_protection_officer"}  # case.aggregate (cases 0050)
CASE_PDF = b"%PDF-1.4\n%%EOF\n"


def _case(world: World) -> Any:
    """A protection case of the world's person (the caseworker persona's), in the state where its plan waits for a
    second caseworker's approval, with a document, a task and a colleague named on it (made once per world)."""
    case = getattr(world, "_case", None)
    if case is None:
        import io

        from passage.cases import actions as case_actions
        from passage.cases import work_actions
        from passage.cases.models import Case

        case = case_actions.open_case(
            acting_user=None,
            programme=world.programme,
            office=world.office,
            person=world.person,
            caseworker=world.subject,
        )
        Case.objects.filter(pk=case.pk).update(state="assistance_plan")
        case.refresh_from_db()
        world._approval = case_actions.request_approval(  # type: ignore[attr-defined]
            case=case, transition="approve_plan", acting_user=None
        )
        world._document = work_actions.upload_document(  # type: ignore[attr-defined]
            case=case, acting_user=None, kind="consent_form", upload=io.BytesIO(CASE_PDF), filename="c.pdf", size=11
        )
        world._grant = case_actions.grant_access(  # type: ignore[attr-defined]
            case=case, user=world.users["finance_officer"], acting_user=None, reason="approves the grant"
        )
        world._task = case.tasks.first()  # type: ignore[attr-defined]
        world._case = case  # type: ignore[attr-defined]
    return case


def _case_url(world: World, rest: str = "") -> str:
    """A URL of the world's case; {approval}, {document}, {grant} and {task} in `rest` stand for its objects."""
    case = _case(world)
    return f"/cases/{case.pk}/" + rest.format(
        approval=world._approval.pk,  # type: ignore[attr-defined]
        document=world._document.pk,  # type: ignore[attr-defined]
        grant=world._grant.pk,  # type: ignore[attr-defined]
        task=world._task.pk,  # type: ignore[attr-defined]
    )


def _assessments(world: World) -> dict[str, Any]:
    """A small form uploaded for the operation, a submission and a draft of it on the world's case, an import of
    it, a vulnerability assessment of the case with a determination waiting for review, and an assessment of a
    place (made once per world)."""
    made = getattr(world, "_assessments", None)
    if made is None:
        from passage.cases import form_imports
        from passage.cases.assessment_actions import save_submission, upload_form
        from passage.cases.vulnerability_actions import FactorInput, determine_vulnerability, record_assessment
        from passage.cases.xlsform.library.build import xlsform_bytes

        case = _case(world)
        survey = [{"type": "text", "name": "case_number", "label": "Case number"}]
        version = upload_form(
            acting_user=None, operation=world.operation, filename="visit.xlsx", content=xlsform_bytes(survey)
        )
        template = version.template
        submission = save_submission(
            acting_user=None, template=template, answers={"case_number": case.reference}, complete=True, case=case
        )
        draft = save_submission(acting_user=None, template=template, answers={}, complete=False, case=case)
        form_import = form_imports.upload_form_import(
            acting_user=None,
            template=template,
            filename="visit.csv",
            content=f"_uuid;case_number\nu1;{case.reference}\n".encode(),
            link_field="case_number",
        )
        today = timezone.localdate()
        record_assessment(acting_user=None, case=case, assessed_on=today, factors=[FactorInput("age", "risk", 2)])
        determination = determine_vulnerability(case=case, band="low", rationale="r", acting_user=None)
        place = record_assessment(
            acting_user=None,
            operation=world.operation,
            country="IQ",
            assessed_on=today,
            factors=[FactorInput("conflict", "risk", 3)],
        )
        made = world._assessments = {  # type: ignore[attr-defined]
            "template": template,
            "version": version,
            "submission": submission,
            "draft": draft,
            "import": form_import,
            "determination": determination,
            "place": place,
        }
    return made


def _assessment_url(world: World, rest: str) -> str:
    """A URL under /cases/; {case}, {template}, {version}, {submission}, {draft}, {import}, {determination} and
    {place} in `rest` stand for the world's objects."""
    made = _assessments(world)
    return "/cases/" + rest.format(case=_case(world).pk, **{name: item.pk for name, item in made.items()})


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", CASE_PDF, content_type="application/pdf")


PHOTO = _photo()
IMPORT_FILE = b"household_id,given_name,sex,consent\nHH1,Amal,F,yes\nHH2,Noor,X,yes\n"
IMPORT_MAPPING = {"column-0": "household_id", "column-1": "given_name", "column-2": "sex", "column-3": "consent"}


def _workflow(world: World, *, draft: bool = False) -> str:
    """The operation's own version 2 of the protection workflow, published (made once per world); with `draft`,
    a draft of version 3 too. Returns the workflow's code."""
    from passage.cases import workflow_actions
    from passage.cases.workflow_queries import text_of, with_version

    code, admin = "protection_assistance", world.users["administrator"]
    if not getattr(world, "_workflow", False):
        text = with_version(text_of(world.operation, code, 1) or "", 2)
        saved = workflow_actions.save_draft(operation=world.operation, code=code, text=text, acting_user=admin)
        workflow_actions.publish_draft(draft=saved, acting_user=admin)
        world._workflow = True  # type: ignore[attr-defined]
    if draft:
        workflow_actions.start_version(operation=world.operation, code=code, acting_user=admin)
    return code


# Referrals follow their case: seen by who sees it, sent and closed by who manages it (cases 0002); the directory
# is consulted by the same people and kept by administrators (provider.manage, cases 0020).
REFERRERS = {"caseworker", "claims_officer", "movement_officer", "administrator"}
REFERRAL_READERS = REFERRERS | {"finance_officer"}


def _referrals(world: World) -> dict[str, Any]:
    """A person who agreed to share their name, a case of theirs, a clinic reached by one-time link (with a contact
    and an account working for it) and a referral to it, with its link's token (made once per world)."""
    made = getattr(world, "_referrals", None)
    if made is None:
        from passage.cases import actions as case_actions
        from passage.cases import provider_actions, referral_actions
        from passage.registry.person_actions import record_consent

        household = register_household(
            acting_user=None,
            operation=world.operation,
            office=world.office,
            members=[
                PersonInput(
                    relationship="head", consent=ConsentInput(granted=True, method="verbal"), given_name_latin="Noor"
                )
            ],
        )
        person = household.members.get().person
        record_consent(person=person, acting_user=None, purpose="sharing", granted=True, method="verbal")
        referral_actions.record_sharing_scope(person=person, acting_user=None, items=["name"])
        case = case_actions.open_case(
            acting_user=None, programme=world.programme, office=world.office, person=person, caseworker=world.subject
        )
        provider = provider_actions.create_provider(
            acting_user=None,
            operation=world.operation,
            name="Hope Clinic",
            type="ngo",
            channel="link",
            services=["health"],
        )
        contact = provider_actions.add_contact(provider=provider, acting_user=None, name="Dr Salma", phone="0750 1")
        account = provider_actions.link_user(
            provider=provider, user=member_of(world.operation, "registration_clerk"), acting_user=None
        )
        sent = referral_actions.send_referral(
            case=case,
            person=person,
            provider=provider,
            service="health",
            reason="check-up",
            items=["name"],
            acting_user=None,
        )
        made = world._referrals = {  # type: ignore[attr-defined]
            "case": case,
            "person": person,
            "provider": provider,
            "contact": contact,
            "account": account,
            "referral": sent.referral,
            "link": sent.link,
            "token": sent.token,
        }
    return made


def _referral_url(world: World, rest: str) -> str:
    """A URL under /cases/; {case}, {person}, {provider}, {contact}, {account}, {referral}, {link} and {token} in
    `rest` stand for the world's referral and what goes with it."""
    made = _referrals(world)
    return "/cases/" + rest.format(**{name: getattr(item, "pk", item) for name, item in made.items()})


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable[[World], str]
    expect: Callable[[str], int]
    data: Callable[[World], dict[str, Any]] = lambda world: {}


def allowed(
    roles: set[str], *, ok: int = 200, refused: int = 403, outsider: int | None = None, anonymous: int = 302
) -> Callable[[str], int]:
    """Status per persona: `ok` for `roles`, `refused` for the other roles; the outsider as told."""

    def status(persona: str) -> int:
        if persona == "anonymous":
            return anonymous
        if persona == "outsider":
            return refused if outsider is None else outsider
        return ok if persona in roles else refused

    return status


def everyone(status: int, *, anonymous: int = 302) -> Callable[[str], int]:
    return lambda persona: anonymous if persona == "anonymous" else status


ADMIN = {"administrator"}

ROWS: dict[str, Row] = {
    "dashboard": Row("GET", lambda w: "/", everyone(200)),
    "health": Row("GET", lambda w: "/health", everyone(200, anonymous=200)),
    "login": Row("GET", lambda w: "/login/", everyone(302, anonymous=200)),
    "two_factor": Row("GET", lambda w: "/two-factor/", everyone(302)),
    "logout": Row("POST", lambda w: "/logout/", everyone(302)),
    "profile": Row("GET", lambda w: "/profile/", everyone(200)),
    "password_change": Row("GET", lambda w: "/profile/password/", everyone(200)),
    "token_create": Row("POST", lambda w: "/profile/tokens/", everyone(302), lambda w: {"name": "x", "days": 5}),
    # Only the owner may revoke a token: for everyone else it does not exist.
    "token_revoke": Row(
        "POST", lambda w: f"/profile/tokens/{w.token.pk}/revoke/", allowed({"caseworker"}, ok=302, refused=404)
    ),
    "switch_operation": Row(
        "POST",
        lambda w: "/switch/operation/",
        allowed(EVERY_ROLE, ok=302, refused=404),
        lambda w: {"operation": w.operation.pk},
    ),
    "switch_language": Row(
        "POST", lambda w: "/switch/language/", everyone(302, anonymous=302), lambda w: {"language": "fr"}
    ),
    "jobs": Row("GET", lambda w: "/jobs/", everyone(200)),
    "job_start": Row("POST", lambda w: "/jobs/start/", everyone(302), lambda w: {"kind": "core.selftest"}),
    "job_detail": Row("GET", lambda w: f"/jobs/{w.job.pk}/", allowed({"caseworker", *JOB_OVERSEERS}, refused=404)),
    "job_cancel": Row(
        "POST", lambda w: f"/jobs/{w.job.pk}/cancel/", allowed({"caseworker", *JOB_OVERSEERS}, ok=302, refused=404)
    ),
    "job_retry": Row(
        "POST", lambda w: f"/jobs/{w.job.pk}/retry/", allowed({"caseworker", *JOB_OVERSEERS}, ok=302, refused=404)
    ),
    "job_result": Row(
        "GET", lambda w: f"/jobs/{w.job.pk}/result/", allowed({"caseworker", *JOB_OVERSEERS}, refused=404)
    ),
    "audit_events": Row("GET", lambda w: "/audit/", allowed({"data_protection_officer"})),
    # The outsider administers their own operation: these pages show it, not ours.
    "manage_operation": Row("GET", lambda w: "/manage/operation/", allowed(ADMIN, outsider=200)),
    "manage_office_create": Row("GET", lambda w: "/manage/offices/new/", allowed(ADMIN, outsider=200)),
    "manage_office": Row("GET", lambda w: f"/manage/offices/{w.office.pk}/", allowed(ADMIN, outsider=404)),
    "manage_programmes": Row("GET", lambda w: "/manage/programmes/", allowed(ADMIN, outsider=200)),
    "manage_programme_create": Row("GET", lambda w: "/manage/programmes/new/", allowed(ADMIN, outsider=200)),
    "manage_programme": Row("GET", lambda w: f"/manage/programmes/{w.programme.pk}/", allowed(ADMIN, outsider=404)),
    "manage_users": Row("GET", lambda w: "/manage/users/", allowed(ADMIN, outsider=200)),
    "manage_user_create": Row("GET", lambda w: "/manage/users/new/", allowed(ADMIN, outsider=200)),
    "manage_user": Row("GET", lambda w: f"/manage/users/{w.subject.pk}/", allowed(ADMIN, outsider=404)),
    "manage_user_reset_password": Row(
        "POST", lambda w: f"/manage/users/{w.subject.pk}/password/", allowed(ADMIN, outsider=404)
    ),
    "manage_user_reset_two_factor": Row(
        "POST",
        lambda w: f"/manage/users/{w.subject.pk}/two-factor/",
        allowed(ADMIN, ok=302, outsider=404),
        lambda w: {"reason": "phone lost"},
    ),
    "manage_membership_grant": Row(
        "POST",
        lambda w: f"/manage/users/{w.subject.pk}/roles/",
        allowed(ADMIN, ok=302, outsider=404),
        lambda w: {"role": ""},
    ),
    "manage_membership": Row("GET", lambda w: f"/manage/memberships/{w.membership.pk}/", allowed(ADMIN, refused=404)),
    "manage_membership_revoke": Row(
        "POST", lambda w: f"/manage/memberships/{w.membership.pk}/revoke/", allowed(ADMIN, ok=302, refused=404)
    ),
    # The registry. The outsider sees the list and the wizard of their own operation, never our people.
    "registry_people": Row("GET", lambda w: "/registry/people/", allowed(PERSON_VIEWERS, outsider=200)),
    "registry_person": Row("GET", lambda w: f"/registry/people/{w.person.pk}/", allowed(PERSON_VIEWERS, refused=404)),
    "registry_household": Row(
        "GET", lambda w: f"/registry/households/{w.household.pk}/", allowed(PERSON_VIEWERS, refused=404)
    ),
    "registry_register": Row("GET", lambda w: "/registry/register/", allowed(REGISTRARS, outsider=200)),
    "registry_member_form": Row(
        "GET", lambda w: "/registry/register/member-form/?index=1", allowed(REGISTRARS, outsider=200)
    ),
    "registry_register_check": Row(
        "POST",
        lambda w: "/registry/register/check/",
        allowed(REGISTRARS, outsider=200),
        lambda w: {
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-relationship": "head",
            "members-0-phone": "0770 123 4567",
            "touched": "members-0-phone",
        },
    ),
    "registry_place_search": Row(
        "GET", lambda w: "/registry/register/places/?q=Mosul", allowed(REGISTRARS, outsider=200)
    ),
    # Registration imports: for those who register people. The outsider sees their own operation's list and
    # upload page, never our imports; roles that do not register get 403 on the pages, 404 on an import.
    "registry_imports": Row("GET", lambda w: "/registry/imports/", allowed(REGISTRARS, outsider=200)),
    "registry_import_upload": Row("GET", lambda w: "/registry/imports/new/", allowed(REGISTRARS, outsider=200)),
    "registry_import": Row(
        "GET", lambda w: f"/registry/imports/{w.registration_import.pk}/", allowed(REGISTRARS, refused=404)
    ),
    "registry_import_remap": Row(
        "POST",
        lambda w: f"/registry/imports/{w.registration_import.pk}/mapping/",
        allowed(REGISTRARS, ok=302, refused=404),
        lambda w: IMPORT_MAPPING,
    ),
    "registry_import_save_template": Row(
        "POST",
        lambda w: f"/registry/imports/{w.registration_import.pk}/template/",
        allowed(REGISTRARS, ok=302, refused=404),
        lambda w: {**IMPORT_MAPPING, "template_name": "Kobo v2"},
    ),
    "registry_import_check": Row(
        "POST",
        lambda w: f"/registry/imports/{w.registration_import.pk}/check/",
        allowed(REGISTRARS, ok=302, refused=404),
    ),
    "registry_import_approve": Row(
        "POST",
        lambda w: f"/registry/imports/{w.registration_import.pk}/approve/",
        allowed(REGISTRARS, ok=302, refused=404),
    ),
    "registry_import_reject": Row(
        "POST",
        lambda w: f"/registry/imports/{w.registration_import.pk}/reject/",
        allowed(REGISTRARS, ok=302, refused=404),
        lambda w: {"reason": "wrong district"},
    ),
    "registry_import_errors": Row(
        "GET", lambda w: f"/registry/imports/{w.registration_import.pk}/errors.xlsx", allowed(REGISTRARS, refused=404)
    ),
    "registry_import_template_delete": Row(
        "POST",
        lambda w: f"/registry/imports/templates/{w.import_template.pk}/delete/",
        allowed(REGISTRARS, ok=302, refused=404),
    ),
    # Exports and counts: exporting needs person.export, counts need person.aggregate (M&E, data officers and
    # administrators, who may count people they may not see). The outsider gets their own operation's pages.
    "registry_people_export": Row("GET", lambda w: "/registry/people/export/", allowed(EXPORTERS, outsider=200)),
    "registry_aggregates": Row("GET", lambda w: "/registry/aggregates/?level=1", allowed(COUNTERS, outsider=200)),
    "registry_aggregates_hxl": Row(
        "GET", lambda w: "/registry/aggregates/hxl/?level=1", allowed(COUNTERS, outsider=200)
    ),
    # After registration: only those who register people may correct, move, record consent or change a photo;
    # for everyone else the person does not exist. The photo is shown only to roles with need-to-know.
    "registry_person_edit": Row(
        "GET", lambda w: f"/registry/people/{w.person.pk}/edit/", allowed(REGISTRARS, refused=404)
    ),
    "registry_person_edit_check": Row(
        "POST",
        lambda w: f"/registry/people/{w.person.pk}/edit/check/",
        allowed(REGISTRARS, refused=404),
        lambda w: {"touched": "given_name_latin", "given_name_latin": "Amal"},
    ),
    "registry_person_status": Row(
        "GET", lambda w: f"/registry/people/{w.person.pk}/status/", allowed(REGISTRARS, refused=404)
    ),
    "registry_person_move": Row(
        "GET", lambda w: f"/registry/people/{w.person.pk}/move/", allowed(REGISTRARS, refused=404)
    ),
    "registry_person_leave": Row(
        "POST", lambda w: f"/registry/people/{w.person.pk}/leave/", allowed(REGISTRARS, refused=404)
    ),
    "registry_person_consent": Row(
        "GET", lambda w: f"/registry/people/{w.person.pk}/consent/", allowed(REGISTRARS, refused=404)
    ),
    "registry_consent_withdraw": Row(
        "GET",
        lambda w: f"/registry/people/{w.person.pk}/consent/{w.person.consents.get().pk}/withdraw/",
        allowed(REGISTRARS, refused=404),
    ),
    "registry_person_photo": Row(
        "GET", lambda w: f"/registry/people/{w.person.pk}/photo/", allowed(SENSITIVE_VIEWERS, refused=404)
    ),
    "registry_person_photo_upload": Row(
        "GET", lambda w: f"/registry/people/{w.person.pk}/photo/change/", allowed(REGISTRARS, refused=404)
    ),
    "registry_person_photo_remove": Row(
        "POST", lambda w: f"/registry/people/{w.person.pk}/photo/remove/", allowed(REGISTRARS, ok=302, refused=404)
    ),
    "registry_household_head": Row(
        "GET", lambda w: f"/registry/households/{w.household.pk}/head/", allowed(REGISTRARS, refused=404)
    ),
    # Groups and communities: seen by those who see people, changed by those who register them; another
    # operation's group (and for everyone else, a page to change one) does not exist.
    "registry_groups": Row("GET", lambda w: "/registry/groups/", allowed(PERSON_VIEWERS, outsider=200)),
    "registry_group_create": Row("GET", lambda w: "/registry/groups/new/", allowed(REGISTRARS, outsider=200)),
    "registry_group": Row("GET", lambda w: _group_url(w), allowed(PERSON_VIEWERS, refused=404)),
    "registry_group_edit": Row("GET", lambda w: _group_url(w, "edit/"), allowed(REGISTRARS, refused=404)),
    "registry_group_dissolve": Row("GET", lambda w: _group_url(w, "dissolve/"), allowed(REGISTRARS, refused=404)),
    "registry_group_member_add": Row("GET", lambda w: _group_url(w, "members/add/"), allowed(REGISTRARS, refused=404)),
    "registry_group_person_picker": Row(
        "GET", lambda w: _group_url(w, "members/find/?find=Amal"), allowed(REGISTRARS, refused=404)
    ),
    "registry_group_membership": Row(
        "GET", lambda w: _group_url(w, "members/{member}/"), allowed(REGISTRARS, refused=404)
    ),
    "registry_group_member_end": Row(
        "POST",
        lambda w: _group_url(w, "members/{member}/end/"),
        allowed(REGISTRARS, ok=302, refused=404),
        lambda w: {"end-on": timezone.localdate().isoformat()},
    ),
    "registry_group_member_role": Row(
        "POST",
        lambda w: _group_url(w, "members/{member}/role/"),
        allowed(REGISTRARS, ok=302, refused=404),
        lambda w: {"role-role": "chair", "role-on": timezone.localdate().isoformat()},
    ),
    "registry_group_representative": Row(
        "GET", lambda w: _group_url(w, "representative/"), allowed(REGISTRARS, refused=404)
    ),
    "registry_group_household_add": Row(
        "GET", lambda w: _group_url(w, "households/add/"), allowed(REGISTRARS, refused=404)
    ),
    "registry_group_household_end": Row(
        "GET",
        lambda w: _group_url(w, "households/{household}/end/"),
        allowed(REGISTRARS, refused=404),
    ),
    # The review of possible duplicates: for those who merge (person.merge). The outsider gets their own
    # operation's queue, merges and bands; another operation's pairs, merges and bulk decisions do not exist.
    "matching_queue": Row("GET", lambda w: "/duplicates/", allowed(MERGERS, outsider=200)),
    "matching_run_start": Row("POST", lambda w: "/duplicates/runs/start/", allowed(MERGERS, ok=302, outsider=302)),
    "matching_settings": Row("GET", lambda w: "/duplicates/settings/", allowed(ADMIN, outsider=200)),
    "matching_pair": Row("GET", lambda w: f"/duplicates/pairs/{_review(w)['pair'].pk}/", allowed(MERGERS, refused=404)),
    "matching_pair_merge": Row(
        "POST",
        lambda w: f"/duplicates/pairs/{_review(w)['pair'].pk}/merge/",
        allowed(MERGERS, ok=302, refused=404),
        lambda w: {"survivor": str(w.person.pk)},
    ),
    "matching_pair_decide": Row(
        "POST",
        lambda w: f"/duplicates/pairs/{_review(w)['pair'].pk}/decide/",
        allowed(MERGERS, ok=302, refused=404),
        lambda w: {"decision": "different"},
    ),
    "matching_merges": Row("GET", lambda w: "/duplicates/merges/", allowed(MERGERS, outsider=200)),
    "matching_merge": Row(
        "GET", lambda w: f"/duplicates/merges/{_review(w)['merge'].pk}/", allowed(MERGERS, refused=404)
    ),
    "matching_merge_undo": Row(
        "POST",
        lambda w: f"/duplicates/merges/{_review(w)['merge'].pk}/undo/",
        allowed(MERGERS, ok=302, refused=404),
        lambda w: {"note": "not the same person"},
    ),
    "matching_bulk_start": Row(
        "POST",
        lambda w: "/duplicates/bulk/",
        allowed(MERGERS, ok=302, outsider=302),
        lambda w: {"decision": "different", "min_probability": "0.99", "sample_percent": "5"},
    ),
    "matching_bulk": Row("GET", lambda w: f"/duplicates/bulk/{_review(w)['bulk'].pk}/", allowed(MERGERS, refused=404)),
    # Cases: seen by the roles that work cases (and finance officers, who approve), changed by those who manage
    # them; for everyone else a case does not exist. The outsider sees their own operation's caseload and board.
    "cases_caseload": Row("GET", lambda w: "/cases/", allowed(CASE_VIEWERS, outsider=200)),
    "cases_board": Row("GET", lambda w: "/cases/board/", allowed(CASE_VIEWERS, outsider=200)),
    # Exports of cases for those who work them, counts for them and M&E and data protection officers; the outsider
    # gets their own operation's pages.
    "cases_export": Row("GET", lambda w: "/cases/export/?tab=state", allowed(CASE_EXPORTERS, outsider=200)),
    "cases_counts": Row("GET", lambda w: "/cases/counts/?by=state", allowed(CASE_COUNTERS, outsider=200)),
    "cases_open": Row("GET", lambda w: f"/cases/open/?person={w.person.pk}", allowed(CASE_MANAGERS, outsider=404)),
    "cases_reassign": Row(
        "POST",
        lambda w: "/cases/reassign/",
        allowed(CASE_MANAGERS, outsider=302),
        lambda w: {"case": _case(w).pk, "caseworker": w.users["claims_officer"].pk, "reason": "leave"},
    ),
    "cases_case": Row("GET", lambda w: _case_url(w), allowed(CASE_VIEWERS, refused=404)),
    "cases_transition": Row("GET", lambda w: _case_url(w, "steps/withdraw/"), allowed(CASE_MANAGERS, refused=404)),
    "cases_approval_request": Row(
        "POST",
        lambda w: _case_url(w, "approvals/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"transition": "approve_plan"},
    ),
    "cases_approval_decide": Row(
        "POST",
        lambda w: _case_url(w, "approvals/{approval}/decide/"),
        allowed(CASE_VIEWERS, ok=302, refused=404),
        lambda w: {"decision": "approve"},
    ),
    "cases_assign": Row(
        "POST",
        lambda w: _case_url(w, "caseworker/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"caseworker": w.users["claims_officer"].pk, "version": _case(w).version},
    ),
    "cases_priority": Row(
        "POST",
        lambda w: _case_url(w, "priority/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"priority": 30, "version": _case(w).version},
    ),
    "cases_sensitivity": Row(
        "POST",
        lambda w: _case_url(w, "sensitivity/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"sensitivity": "restricted", "reason": "survivor", "version": _case(w).version},
    ),
    "cases_details": Row(
        "POST",
        lambda w: _case_url(w, "details/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"version": _case(w).version},
    ),
    "cases_close": Row("GET", lambda w: _case_url(w, "close/"), allowed(CASE_MANAGERS, refused=404)),
    "cases_reopen": Row("GET", lambda w: _case_url(w, "reopen/"), allowed(CASE_MANAGERS, ok=302, refused=404)),
    "cases_access_grant": Row(
        "POST",
        lambda w: _case_url(w, "access/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"user": w.users["movement_officer"].pk, "reason": "specialist"},
    ),
    "cases_access_revoke": Row(
        "POST", lambda w: _case_url(w, "access/{grant}/revoke/"), allowed(CASE_MANAGERS, ok=302, refused=404)
    ),
    "cases_task_add": Row(
        "POST",
        lambda w: _case_url(w, "tasks/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"title": "Call"},
    ),
    "cases_task_done": Row(
        "POST", lambda w: _case_url(w, "tasks/{task}/done/"), allowed(CASE_MANAGERS, ok=302, refused=404)
    ),
    "cases_note_add": Row(
        "POST", lambda w: _case_url(w, "notes/"), allowed(CASE_MANAGERS, ok=302, refused=404), lambda w: {"text": "Hi"}
    ),
    "cases_document_add": Row(
        "POST",
        lambda w: _case_url(w, "documents/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"kind": "consent_form", "file": _upload()},
    ),
    "cases_document": Row("GET", lambda w: _case_url(w, "documents/{document}/"), allowed(CASE_VIEWERS, refused=404)),
    "cases_document_remove": Row(
        "POST",
        lambda w: _case_url(w, "documents/{document}/remove/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"reason": "wrong person"},
    ),
    # Forms and assessments: forms are seen by those who work on cases and managed by administrators (form.manage);
    # what hangs off the case follows the case (seen with it, changed by who changes it). The outsider sees their
    # own operation's library and places; this operation's forms, imports, scoring and case do not exist there.
    "cases_forms": Row("GET", lambda w: "/cases/forms/", allowed(CASE_VIEWERS, outsider=200)),
    "cases_form_upload": Row("POST", lambda w: "/cases/forms/upload/", allowed(ADMIN, outsider=200)),
    "cases_form": Row("GET", lambda w: _assessment_url(w, "forms/{template}/"), allowed(CASE_VIEWERS, refused=404)),
    "cases_form_import_upload": Row(
        "POST", lambda w: _assessment_url(w, "forms/{template}/imports/"), allowed(ADMIN, refused=404)
    ),
    "cases_form_import": Row(
        "GET", lambda w: _assessment_url(w, "forms/imports/{import}/"), allowed(ADMIN, refused=404)
    ),
    "cases_form_xlsform": Row(
        "GET", lambda w: _assessment_url(w, "forms/versions/{version}/xlsform/"), allowed(CASE_VIEWERS, refused=404)
    ),
    "cases_form_xform": Row(
        "GET", lambda w: _assessment_url(w, "forms/versions/{version}/xform/"), allowed(CASE_VIEWERS, refused=404)
    ),
    "cases_assessments": Row(
        "GET", lambda w: _assessment_url(w, "{case}/assessments/"), allowed(CASE_VIEWERS, refused=404)
    ),
    "cases_assessment_fill": Row(
        "GET", lambda w: _assessment_url(w, "{case}/assessments/{template}/fill/"), allowed(CASE_MANAGERS, refused=404)
    ),
    "cases_assessment_refresh": Row(
        "POST",
        lambda w: _assessment_url(w, "{case}/assessments/{template}/fill/refresh/"),
        allowed(CASE_MANAGERS, refused=404),
    ),
    "cases_submission": Row(
        "GET",
        lambda w: _assessment_url(w, "{case}/assessments/submissions/{submission}/"),
        allowed(CASE_VIEWERS, refused=404),
    ),
    "cases_submission_discard": Row(
        "POST",
        lambda w: _assessment_url(w, "{case}/assessments/submissions/{draft}/discard/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
    ),
    "cases_vulnerability": Row(
        "GET", lambda w: _assessment_url(w, "{case}/vulnerability/"), allowed(CASE_VIEWERS, refused=404)
    ),
    "cases_vulnerability_factors": Row(
        "GET", lambda w: _assessment_url(w, "{case}/vulnerability/factors/"), allowed(CASE_MANAGERS, refused=404)
    ),
    "cases_vulnerability_determine": Row(
        "POST",
        lambda w: _assessment_url(w, "{case}/vulnerability/determine/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"band": "medium", "rationale": "again"},
    ),
    "cases_vulnerability_review": Row(
        "POST",
        lambda w: _assessment_url(w, "{case}/vulnerability/determinations/{determination}/review/"),
        allowed(CASE_MANAGERS, ok=302, refused=404),
        lambda w: {"decision": "confirm"},
    ),
    "cases_places": Row("GET", lambda w: "/cases/places/", allowed(CASE_VIEWERS, outsider=200)),
    "cases_place_new": Row("GET", lambda w: "/cases/places/new/", allowed(CASE_MANAGERS, outsider=200)),
    "cases_place": Row("GET", lambda w: _assessment_url(w, "places/{place}/"), allowed(CASE_VIEWERS, refused=404)),
    "cases_person_assessments": Row(
        "GET", lambda w: f"/cases/people/{w.person.pk}/assessments/", allowed(CASE_VIEWERS, refused=404)
    ),
    "cases_programme_scoring": Row(
        "GET", lambda w: f"/cases/programmes/{w.programme.pk}/scoring/", allowed(ADMIN, refused=404)
    ),
    # Workflows: read by those who work on cases (case.view), edited by administrators (programme.manage). The
    # outsider reads and edits their own operation's; this operation's own versions and drafts do not exist there.
    "cases_workflows": Row("GET", lambda w: "/cases/workflows/", allowed(WORKFLOW_READERS, outsider=200)),
    "cases_workflow": Row(
        "GET", lambda w: "/cases/workflows/protection_assistance/", allowed(WORKFLOW_READERS, outsider=200)
    ),
    "cases_workflow_version": Row(
        "GET", lambda w: f"/cases/workflows/{_workflow(w)}/v2/", allowed(WORKFLOW_READERS, outsider=404)
    ),
    "cases_workflow_diff": Row(
        "GET", lambda w: f"/cases/workflows/{_workflow(w)}/compare/?a=1&b=2", allowed(WORKFLOW_READERS, outsider=404)
    ),
    "cases_workflow_edit": Row("GET", lambda w: "/cases/workflows/avrr/edit/", allowed(ADMIN, outsider=200)),
    "cases_workflow_check": Row(
        "POST", lambda w: "/cases/workflows/avrr/edit/check/", allowed(ADMIN, outsider=200), lambda w: {"text": "x"}
    ),
    "cases_workflow_start": Row(
        "POST",
        lambda w: "/cases/workflows/avrr/new/",
        allowed(ADMIN, ok=302, outsider=302),
        lambda w: {"base": "latest"},
    ),
    "cases_workflow_discard": Row(
        "POST",
        lambda w: f"/cases/workflows/{_workflow(w, draft=True)}/edit/discard/",
        allowed(ADMIN, ok=302, outsider=404),
    ),
    # Referrals and the directory of providers. The outsider sees their own operation's lists and directory; this
    # operation's referrals and providers do not exist there. The inbox is for a provider's accounts only. The
    # one-time link page opens for anyone holding a valid token; without the session it opens, it shows nothing.
    "cases_referrals": Row("GET", lambda w: "/cases/referrals/", allowed(REFERRAL_READERS, outsider=200)),
    "cases_referral_inbox": Row("GET", lambda w: "/cases/referrals/inbox/", everyone(403)),
    "cases_providers": Row("GET", lambda w: "/cases/referrals/providers/", allowed(REFERRAL_READERS, outsider=200)),
    "cases_provider_create": Row("GET", lambda w: "/cases/referrals/providers/new/", allowed(ADMIN, outsider=200)),
    "cases_provider": Row(
        "GET", lambda w: _referral_url(w, "referrals/providers/{provider}/"), allowed(REFERRAL_READERS, refused=404)
    ),
    "cases_provider_edit": Row(
        "GET", lambda w: _referral_url(w, "referrals/providers/{provider}/edit/"), allowed(ADMIN, refused=404)
    ),
    "cases_provider_active": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/providers/{provider}/active/"),
        allowed(ADMIN, ok=302, refused=404),
        lambda w: {"active": "0", "reason": "closed"},
    ),
    "cases_provider_contact_add": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/providers/{provider}/contacts/"),
        allowed(ADMIN, ok=302, refused=404),
        lambda w: {"name": "Ali", "phone": "0750 2"},
    ),
    "cases_provider_contact_remove": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/providers/{provider}/contacts/{contact}/remove/"),
        allowed(ADMIN, ok=302, refused=404),
    ),
    "cases_provider_user_link": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/providers/{provider}/accounts/"),
        allowed(ADMIN, ok=302, refused=404),
        lambda w: {"user": w.users["data_officer"].pk},
    ),
    "cases_provider_user_unlink": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/providers/{provider}/accounts/{account}/remove/"),
        allowed(ADMIN, ok=302, refused=404),
    ),
    "cases_referral": Row(
        "GET", lambda w: _referral_url(w, "referrals/{referral}/"), allowed(REFERRAL_READERS, refused=404)
    ),
    "cases_referral_answer": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/{referral}/answer/"),
        allowed(REFERRERS, ok=302, refused=404),
        lambda w: {"answer": "acknowledge"},
    ),
    "cases_referral_close": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/{referral}/close/"),
        allowed(REFERRERS, ok=302, refused=404),
        lambda w: {"note": "served elsewhere"},
    ),
    "cases_referral_cancel": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/{referral}/cancel/"),
        allowed(REFERRERS, ok=302, refused=404),
        lambda w: {"reason": "moved away"},
    ),
    "cases_referral_person_feedback": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/{referral}/person-feedback/"),
        allowed(REFERRERS, ok=302, refused=404),
        lambda w: {"satisfaction": "4"},
    ),
    "cases_referral_link_issue": Row(
        "POST", lambda w: _referral_url(w, "referrals/{referral}/links/"), allowed(REFERRERS, refused=404)
    ),
    "cases_referral_link_revoke": Row(
        "POST",
        lambda w: _referral_url(w, "referrals/{referral}/links/{link}/revoke/"),
        allowed(REFERRERS, ok=302, refused=404),
    ),
    "cases_case_referrals": Row(
        "GET", lambda w: _referral_url(w, "{case}/referrals/"), allowed(REFERRAL_READERS, refused=404)
    ),
    "cases_referral_new": Row(
        "GET", lambda w: _referral_url(w, "{case}/referrals/new/"), allowed(REFERRERS, refused=404)
    ),
    "cases_sharing_scope": Row(
        "GET", lambda w: _referral_url(w, "{case}/referrals/consent/?person={person}"), allowed(REFERRERS, refused=404)
    ),
    "cases_referral_link": Row(
        "GET", lambda w: _referral_url(w, "referral-link/{token}/"), everyone(200, anonymous=200)
    ),
    "cases_referral_shared": Row(
        "GET", lambda w: _referral_url(w, "referral-link/s/{link}/"), everyone(404, anonymous=404)
    ),
    "cases_referral_shared_answer": Row(
        "POST",
        lambda w: _referral_url(w, "referral-link/s/{link}/answer/"),
        everyone(404, anonymous=404),
        lambda w: {"answer": "acknowledge"},
    ),
    "api_unknown_endpoint": Row("GET", lambda w: "/api/v1/no-such-thing", everyone(404, anonymous=404)),
    # Django's own admin is for platform superusers only; everybody else is sent to its sign-in page.
    "django_admin": Row("GET", lambda w: "/django-admin/", everyone(302)),
}


def _url_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                names.add("django_admin")
            elif pattern.namespace and pattern.namespace.startswith("api-"):
                continue  # the API has its own matrix (tests/test_api_authorization_matrix.py)
            else:
                names |= _url_names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern):
            names.add(pattern.name or str(pattern.pattern))
    return names


def test_every_url_has_a_row():
    missing = _url_names(get_resolver().url_patterns) - set(ROWS)
    assert not missing, f"Add a row to the authorization matrix for: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix(client, matrix_world, name: str, persona: str):
    row = ROWS[name]
    world = matrix_world
    if persona != "anonymous":
        sign_in(client, world.users[persona])
    call = client.get if row.method == "GET" else client.post
    response = call(row.path(world), row.data(world))
    expected = row.expect(persona)
    assert response.status_code == expected, f"{row.method} {row.path(world)} as {persona}"
