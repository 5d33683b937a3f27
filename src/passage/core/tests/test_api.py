"""The JSON API, told through the people who use it: tokens, problems, pagination and who may see what."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as DjangoClient
from django.utils import timezone

from passage.core import actions
from passage.core.models import ApiToken, AuditEvent, Job, Office, Operation, Programme, User
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory, member_of

PROBLEM = "application/problem+json"


class Api:
    """A test client speaking to /api/v1 with one person's bearer token."""

    def __init__(self, client: DjangoClient, plaintext: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {plaintext}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", headers=self.headers)


@pytest.fixture
def api_as(client: Client) -> Callable[[User], Api]:
    """api_as(caseworker).get("/me") -> the response, authenticated with a new token of theirs."""

    def make(user: User) -> Api:
        _token, plaintext = actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(problem)
    return problem


# --- who is calling ---------------------------------------------------------------------------------


def test_request_without_token_is_a_401_problem(client: Client, caseworker: User) -> None:
    response = client.get("/api/v1/me")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_signed_in_session_is_not_enough(client: Client, caseworker: User) -> None:
    client.force_login(caseworker)
    assert_problem(client.get("/api/v1/me"), 401)


def test_unknown_token_is_refused(client: Client, caseworker: User) -> None:
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer psg_not-a-real-token"}), 401)


def test_expired_token_is_refused(client: Client, caseworker: User) -> None:
    token, plaintext = actions.create_api_token(acting_user=caseworker, name="old script")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}), 401)


def test_revoked_token_is_refused(client: Client, caseworker: User) -> None:
    token, plaintext = actions.create_api_token(acting_user=caseworker, name="leaked")
    actions.revoke_api_token(token=token, acting_user=caseworker)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}), 401)


def test_caseworker_sees_own_roles_and_permissions(
    api_as: Callable[[User], Api], caseworker: User, operation: Operation
) -> None:
    me = api_as(caseworker).get("/me").json()
    assert me["username"] == caseworker.username
    [here] = me["operations"]
    assert here["id"] == str(operation.pk)
    assert here["roles"] == ["caseworker"]
    assert "operation.view" in here["permissions"]
    assert "user.manage" not in here["permissions"]


# --- lists ------------------------------------------------------------------------------------------


def test_programme_list_is_paginated(api_as: Callable[[User], Api], caseworker: User, operation: Operation) -> None:
    ProgrammeFactory.create_batch(3, operation=operation)
    page = api_as(caseworker).get("/programmes", limit=2, offset=1).json()
    assert set(page) == {"count", "limit", "offset", "items"}
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 1, 2)


def test_limit_is_capped_at_200(api_as: Callable[[User], Api], caseworker: User) -> None:
    page = api_as(caseworker).get("/operations", limit=1000).json()
    assert page["limit"] == 200


def test_default_limit_is_50(api_as: Callable[[User], Api], caseworker: User) -> None:
    assert api_as(caseworker).get("/jobs").json()["limit"] == 50


def test_zero_limit_is_a_422_problem_naming_the_field(api_as: Callable[[User], Api], caseworker: User) -> None:
    problem = assert_problem(api_as(caseworker).get("/operations", limit=0), 422)
    assert [error["field"] for error in problem["errors"]] == ["limit"]


def test_user_list_query_count_is_flat(
    api_as: Callable[[User], Api], administrator: User, operation: Operation, django_assert_max_num_queries: Any
) -> None:
    api = api_as(administrator)
    for _ in range(10):
        member_of(operation, "caseworker")
    with django_assert_max_num_queries(12):
        assert api.get("/users", operation=operation.pk).json()["count"] == 11


# --- one operation's things are invisible to another's staff ----------------------------------------


def test_outsider_cannot_see_programme_of_another_operation(
    api_as: Callable[[User], Api], outsider: User, programme: Programme
) -> None:
    api = api_as(outsider)
    assert_problem(api.get(f"/programmes/{programme.pk}"), 404)
    assert api.get("/programmes").json()["count"] == 0
    assert_problem(api.patch(f"/programmes/{programme.pk}", {"name": "Mine now"}), 404)


def test_outsider_cannot_see_job_of_another_operation(
    api_as: Callable[[User], Api], outsider: User, caseworker: User, operation: Operation
) -> None:
    job = actions.start_job(acting_user=caseworker, operation=operation, kind="core.selftest")
    api = api_as(outsider)
    assert_problem(api.get(f"/jobs/{job.pk}"), 404)
    assert_problem(api.post(f"/jobs/{job.pk}/cancel"), 404)
    assert api.get("/jobs").json()["count"] == 0


def test_outsider_cannot_see_operation_or_its_offices(
    api_as: Callable[[User], Api], outsider: User, operation: Operation
) -> None:
    api = api_as(outsider)
    assert_problem(api.get(f"/operations/{operation.pk}"), 404)
    assert_problem(api.get(f"/operations/{operation.pk}/offices"), 404)
    assert_problem(api.get("/users", operation=operation.pk), 404)


def test_malformed_id_is_a_problem_not_a_crash(api_as: Callable[[User], Api], caseworker: User) -> None:
    api = api_as(caseworker)
    assert_problem(api.get("/programmes/not-a-uuid"), 422)
    assert_problem(api.get("/jobs", operation="12345"), 422)


# --- pages that are not for a role ------------------------------------------------------------------


def test_caseworker_may_not_list_users(api_as: Callable[[User], Api], caseworker: User, operation: Operation) -> None:
    assert_problem(api_as(caseworker).get("/users", operation=operation.pk), 403)


def test_caseworker_may_not_read_audit_trail(
    api_as: Callable[[User], Api], caseworker: User, operation: Operation
) -> None:
    assert_problem(api_as(caseworker).get("/audit-events", operation=operation.pk), 403)


def test_caseworker_may_not_create_programme(
    api_as: Callable[[User], Api], caseworker: User, operation: Operation
) -> None:
    response = api_as(caseworker).post(
        "/programmes",
        {"operation": str(operation.pk), "code": "ct", "name": "Counter-trafficking", "type": "counter_trafficking"},
    )
    assert_problem(response, 403)


def test_dpo_reads_and_filters_audit_trail(
    api_as: Callable[[User], Api], dpo: User, administrator: User, operation: Operation, programme: Programme
) -> None:
    actions.update_programme(programme=programme, acting_user=administrator, name="Renamed")
    api = api_as(dpo)
    page = api.get("/audit-events", operation=operation.pk, action="programme.").json()
    assert [event["action"] for event in page["items"]] == ["programme.update"]
    assert page["items"][0]["actor_username"] == administrator.username
    by_actor = api.get("/audit-events", operation=operation.pk, actor=administrator.username).json()
    assert by_actor["count"] >= 1


# --- administrators change things through the same actions ------------------------------------------


def test_administrator_creates_programme(
    api_as: Callable[[User], Api], administrator: User, operation: Operation
) -> None:
    response = api_as(administrator).post(
        "/programmes",
        {
            "operation": str(operation.pk),
            "code": "avrr",
            "name": "Return and reintegration",
            "type": "return_reintegration",
            "start_date": "2025-01-01",
            "donors": ["EU", " "],
        },
    )
    assert response.status_code == 201, response.content
    created = Programme.objects.get(pk=response.json()["id"])
    assert (created.operation, created.code, created.donors) == (operation, "avrr", ["EU"])
    assert AuditEvent.objects.filter(
        action="programme.create", object_id=str(created.pk), actor_id=administrator.pk
    ).exists()


def test_administrator_patches_only_what_is_sent(
    api_as: Callable[[User], Api], administrator: User, programme: Programme
) -> None:
    response = api_as(administrator).patch(f"/programmes/{programme.pk}", {"status": "closed"})
    assert response.status_code == 200, response.content
    programme.refresh_from_db()
    assert programme.status == "closed"
    event = AuditEvent.objects.get(action="programme.update", object_id=str(programme.pk))
    assert event.changes == {"status": ["active", "closed"]}


def test_end_date_before_start_date_is_a_field_problem(
    api_as: Callable[[User], Api], administrator: User, programme: Programme
) -> None:
    response = api_as(administrator).patch(
        f"/programmes/{programme.pk}", {"start_date": "2025-06-01", "end_date": "2025-01-01"}
    )
    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["end_date"]
    programme.refresh_from_db()
    assert programme.end_date is None


def test_duplicate_programme_code_is_a_problem(
    api_as: Callable[[User], Api], administrator: User, programme: Programme
) -> None:
    response = api_as(administrator).post(
        "/programmes",
        {"operation": str(programme.operation_id), "code": programme.code, "name": "Twin", "type": "protection"},
    )
    problem = assert_problem(response, 422)
    assert problem["errors"]
    assert Programme.objects.filter(code=programme.code).count() == 1


def test_unknown_programme_type_names_the_field(
    api_as: Callable[[User], Api], administrator: User, operation: Operation
) -> None:
    response = api_as(administrator).post(
        "/programmes", {"operation": str(operation.pk), "code": "x", "name": "X", "type": "space_travel"}
    )
    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["type"]


def test_administrator_creates_user_and_sees_password_once(
    api_as: Callable[[User], Api], administrator: User, operation: Operation
) -> None:
    api = api_as(administrator)
    response = api.post(
        "/users",
        {"operation": str(operation.pk), "username": "amina", "role": "registration_clerk", "first_name": "Amina"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    new_user = User.objects.get(username="amina")
    assert new_user.check_password(body["initial_password"])
    assert [m["role"] for m in body["user"]["memberships"]] == ["registration_clerk"]
    shown = api.get(f"/users/{new_user.pk}", operation=operation.pk).json()
    assert "initial_password" not in shown and shown["username"] == "amina"


def test_administrator_grants_and_revokes_a_limited_role(
    api_as: Callable[[User], Api], administrator: User, caseworker: User, operation: Operation, programme: Programme
) -> None:
    api = api_as(administrator)
    office: Office = OfficeFactory(operation=operation)
    response = api.post(
        f"/users/{caseworker.pk}/memberships",
        {
            "operation": str(operation.pk),
            "role": "data_officer",
            "programmes": [str(programme.pk)],
            "offices": [str(office.pk)],
        },
    )
    assert response.status_code == 201, response.content
    granted = response.json()
    assert (granted["programme_ids"], granted["office_ids"]) == ([str(programme.pk)], [str(office.pk)])
    revoked = api.delete(f"/memberships/{granted['id']}").json()
    assert revoked["is_active"] is False
    assert AuditEvent.objects.filter(action="membership.revoke", object_id=granted["id"]).exists()


def test_role_limited_to_another_operations_programme_is_refused(
    api_as: Callable[[User], Api],
    administrator: User,
    caseworker: User,
    operation: Operation,
    other_operation: Operation,
) -> None:
    elsewhere: Programme = ProgrammeFactory(operation=other_operation)
    response = api_as(administrator).post(
        f"/users/{caseworker.pk}/memberships",
        {"operation": str(operation.pk), "role": "data_officer", "programmes": [str(elsewhere.pk)]},
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["programmes"]


def test_unknown_role_is_a_field_problem(
    api_as: Callable[[User], Api], administrator: User, operation: Operation
) -> None:
    response = api_as(administrator).post(
        "/users", {"operation": str(operation.pk), "username": "x", "role": "emperor"}
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["role"]


# --- jobs -------------------------------------------------------------------------------------------


def test_caseworker_starts_cancels_and_retries_a_job(
    api_as: Callable[[User], Api], caseworker: User, operation: Operation
) -> None:
    api = api_as(caseworker)
    response = api.post("/jobs", {"operation": str(operation.pk), "kind": "core.selftest"})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert api.get("/jobs", operation=operation.pk).json()["count"] == 1
    assert api.post(f"/jobs/{job_id}/cancel").json()["state"] == "cancelled"
    assert_problem(api.post(f"/jobs/{job_id}/cancel"), 422)
    assert api.post(f"/jobs/{job_id}/retry").json()["state"] == "queued"
    assert Job.objects.get(pk=job_id).created_by == caseworker


def test_unknown_job_kind_is_a_field_problem(
    api_as: Callable[[User], Api], caseworker: User, operation: Operation
) -> None:
    response = api_as(caseworker).post("/jobs", {"operation": str(operation.pk), "kind": "core.teleport"})
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["kind"]


# --- personal tokens --------------------------------------------------------------------------------


def test_caseworker_manages_own_tokens(api_as: Callable[[User], Api], client: Client, caseworker: User) -> None:
    api = api_as(caseworker)
    created = api.post("/tokens", {"name": "kobo sync", "days": 30})
    assert created.status_code == 201, created.content
    plaintext, token_id = created.json()["plaintext"], created.json()["token"]["id"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200
    listed = api.get("/tokens").json()
    assert listed["count"] == 2 and all("plaintext" not in t for t in listed["items"])
    assert api.delete(f"/tokens/{token_id}").json()["is_usable"] is False
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}), 401)


def test_nobody_revokes_anothers_token(api_as: Callable[[User], Api], caseworker: User, dpo: User) -> None:
    theirs, _plaintext = actions.create_api_token(acting_user=dpo, name="dpo script")
    assert_problem(api_as(caseworker).delete(f"/tokens/{theirs.pk}"), 404)


def test_token_lasting_too_long_is_a_field_problem(api_as: Callable[[User], Api], caseworker: User) -> None:
    response = api_as(caseworker).post("/tokens", {"name": "forever", "days": 5000})
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["days"]


# --- failures and documentation ---------------------------------------------------------------------


def test_unexpected_error_is_a_500_problem_without_internals(
    api_as: Callable[[User], Api], caseworker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(user: Any) -> Any:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("passage.core.queries.tokens_of", broken)
    response = api_as(caseworker).get("/tokens")
    problem = assert_problem(response, 500)
    assert "hunter2" not in response.content.decode() and "RuntimeError" not in problem["detail"]


def test_docs_work_offline_without_inline_scripts(client: Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui-init.js" in html
    assert "cdn" not in html.lower()
    # The only inline <script> is JSON data, which a script-src 'self' policy does not block.
    assert html.count("<script>") == 0
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_unknown_endpoint_is_a_problem_404(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
