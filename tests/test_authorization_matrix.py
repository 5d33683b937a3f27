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
from passage.core.roles import ROLE_CODES
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


PHOTO = _photo()
IMPORT_FILE = b"household_id,given_name,sex,consent\nHH1,Amal,F,yes\nHH2,Noor,X,yes\n"
IMPORT_MAPPING = {"column-0": "household_id", "column-1": "given_name", "column-2": "sex", "column-3": "consent"}


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
def test_matrix(client, db, name: str, persona: str):
    row = ROWS[name]
    world = build_world()
    if persona != "anonymous":
        sign_in(client, world.users[persona])
    call = client.get if row.method == "GET" else client.post
    response = call(row.path(world), row.data(world))
    expected = row.expect(persona)
    assert response.status_code == expected, f"{row.method} {row.path(world)} as {persona}"
