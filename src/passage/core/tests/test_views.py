"""The shell and the administration pages, through HTTP, as each persona."""

from __future__ import annotations

from passage.conftest import sign_in
from passage.core.models import AuditEvent, Membership, Programme
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory, member_of


def test_dashboard_shows_live_counts_of_the_operation(client, caseworker, operation, other_operation):
    ProgrammeFactory.create_batch(3, operation=operation)
    ProgrammeFactory.create_batch(2, operation=other_operation)
    sign_in(client, caseworker)
    page = client.get("/").content.decode()
    assert 'data-stat="programmes">3<' in page
    fragment = client.get("/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="counts"') and "<html" not in fragment


def test_navigation_follows_the_role(client, caseworker, administrator, dpo):
    caseworker_page = sign_in(client, caseworker).get("/").content.decode()
    assert "/manage/users/" not in caseworker_page and "/audit/" not in caseworker_page
    admin_page = sign_in(client, administrator).get("/").content.decode()
    assert "/manage/users/" in admin_page and "/audit/" not in admin_page
    assert "/audit/" in sign_in(client, dpo).get("/").content.decode()


def test_operation_switcher(client, operation, other_operation):
    user = member_of(operation, "caseworker")
    member_of(other_operation, "caseworker", user=user)
    sign_in(client, user)
    assert "operation-switcher" in client.get("/").content.decode()
    client.post("/switch/operation/", {"operation": other_operation.pk})
    assert '<h1 class="h3">Libya</h1>' in client.get("/").content.decode()


def test_switching_to_an_operation_one_is_not_in_is_404(client, caseworker, other_operation):
    sign_in(client, caseworker)
    assert client.post("/switch/operation/", {"operation": other_operation.pk}).status_code == 404
    assert client.post("/switch/operation/", {"operation": "garbage"}).status_code == 404


def test_arabic_is_right_to_left_with_the_rtl_stylesheet(client, caseworker):
    sign_in(client, caseworker)
    client.post("/switch/language/", {"language": "ar", "next": "/"})
    page = client.get("/").content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page and "bootstrap.rtl.min.css" in page
    assert "لوحة المتابعة" in page  # "Dashboard", from the compiled Arabic catalogue
    caseworker.refresh_from_db()
    assert caseworker.preferred_language == "ar"


def test_administrator_adds_an_office_and_a_programme(client, administrator, operation):
    sign_in(client, administrator)
    client.post("/manage/offices/new/", {"code": "erb", "name": "Erbil", "place": "Erbil", "is_active": "on"})
    assert operation.offices.get().name == "Erbil"
    response = client.post(
        "/manage/programmes/new/",
        {
            "code": "avrr",
            "name": "Return",
            "type": "return_reintegration",
            "status": "active",
            "start_date": "2026-01-01",
            "end_date": "2025-01-01",
            "donors": "EU, Italy",
        },
    )
    assert response.status_code == 200 and "before the start date" in response.content.decode()
    client.post(
        "/manage/programmes/new/",
        {"code": "avrr", "name": "Return", "type": "return_reintegration", "status": "active", "donors": "EU, Italy"},
    )
    assert Programme.objects.get(code="avrr").donors == ["EU", "Italy"]


def test_html_in_names_is_escaped(client, administrator, operation):
    OfficeFactory(operation=operation, name="<script>alert(1)</script>")
    page = sign_in(client, administrator).get("/manage/operation/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_administrator_creates_a_user_and_limits_the_role(client, administrator, operation):
    prog = ProgrammeFactory(operation=operation)
    sign_in(client, administrator)
    created = client.post("/manage/users/new/", {"username": "amal", "role": _role_id("caseworker")})
    assert 'data-testid="initial-password"' in created.content.decode()
    membership = Membership.objects.get(user__username="amal")
    client.post(f"/manage/memberships/{membership.pk}/", {"programmes": [prog.pk]})
    assert list(membership.programmes.all()) == [prog]
    client.post(f"/manage/memberships/{membership.pk}/revoke/")
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditEvent.objects.filter(action="membership.revoke", object_id=str(membership.pk)).exists()


def test_outsider_cannot_reach_another_operations_objects(client, outsider, operation):
    office = OfficeFactory(operation=operation)
    prog = ProgrammeFactory(operation=operation)
    member = member_of(operation, "caseworker")
    sign_in(client, outsider)
    assert client.get(f"/manage/offices/{office.pk}/").status_code == 404
    assert client.get(f"/manage/programmes/{prog.pk}/").status_code == 404
    assert client.get(f"/manage/users/{member.pk}/").status_code == 404
    membership = member.memberships.get()
    assert client.post(f"/manage/memberships/{membership.pk}/revoke/").status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_user_with_no_role_sees_a_clear_page(client, db):
    from passage.core.tests.factories import UserFactory

    sign_in(client, UserFactory())
    response = client.get("/")
    assert response.status_code == 403 and "no role in any operation" in response.content.decode()


def test_api_token_is_shown_once(client, caseworker):
    sign_in(client, caseworker)
    client.post("/profile/tokens/", {"name": "kobo", "days": 30})
    first = client.get("/profile/").content.decode()
    assert 'data-testid="new-token"' in first
    assert 'data-testid="new-token"' not in client.get("/profile/").content.decode()


def test_job_list_query_count_is_flat(client, caseworker, operation, django_assert_max_num_queries):
    from passage.core import actions

    for _ in range(30):
        actions.start_job(acting_user=caseworker, operation=operation, kind="core.selftest")
    sign_in(client, caseworker)
    with django_assert_max_num_queries(15):
        assert client.get("/jobs/").status_code == 200


def test_health_answers_without_signing_in(client, db):
    assert client.get("/health").json() == {"status": "ok"}


def _role_id(code: str) -> str:
    from passage.core.models import Role

    return str(Role.objects.get(code=code).pk)


def test_users_page_explains_what_each_role_may_do(client, administrator):
    page = sign_in(client, administrator).get("/manage/users/").content.decode()
    assert "Read the audit trail of the operation" in page and "Data protection officer" in page


def test_django_admin_is_for_superusers_and_keeps_the_audit_trail_read_only(client, db):
    from passage.core.models import User

    root = User.objects.create_superuser("root", "root@example.org", "a long root passphrase")
    sign_in(client, root)
    assert client.get("/django-admin/core/role/").status_code == 200
    assert client.get("/django-admin/core/auditevent/add/").status_code == 403


def test_no_navigation_before_the_second_factor(client, administrator):
    client.post("/login/", {"username": administrator.username, "password": "correct horse battery"})
    page = client.get("/two-factor/").content.decode()
    assert "/manage/users/" not in page and 'id="nav"' not in page


def test_a_users_history_shows_their_role_changes_here(client, administrator, operation):
    from passage.core import actions
    from passage.core.models import Role

    member = member_of(operation, "caseworker")
    actions.grant_role(
        acting_user=administrator, user=member, operation=operation, role=Role.objects.get(code="claims_officer")
    )
    page = sign_in(client, administrator).get(f"/manage/users/{member.pk}/").content.decode()
    assert "membership.grant" in page
