"""Exports and counts through HTTP, as the people who use them: the people list's Export button carries its
search, the export page queues a job the asker follows and downloads, the M&E officer reads counts and
downloads HXL; the API does the same through the same functions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from passage.conftest import sign_in
from passage.core import actions as core_actions
from passage.core.models import AuditEvent, Job, Operation, User
from passage.core.tests.factories import member_of
from passage.core.tests.test_api import Api, assert_problem
from passage.registry.actions import new_reference, register_household
from passage.registry.models import AdminArea, Person
from passage.registry.registration import ConsentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")
PASSWORD = "correct horse battery"


@pytest.fixture
def api_as(client: Client) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


@pytest.fixture
def clerk(operation: Operation) -> User:
    return member_of(operation, "registration_clerk")


@pytest.fixture
def amal(operation: Operation) -> Person:
    household = register_household(
        acting_user=None,
        operation=operation,
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name="أمل",
                given_name_latin="Amal",
                family_name_latin="<b>Hassan</b>",
                phones=["0770 123 4567"],
            )
        ],
    )
    register_household(
        acting_user=None,
        operation=operation,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Omar")],
    )
    return household.members.get().person


@pytest.fixture
def counted(operation: Operation) -> None:
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    people = [("female", dt.date(1990, 5, 1))] * 7 + [("male", dt.date(2020, 1, 1))] * 2
    Person.objects.bulk_create(
        Person(
            operation=operation,
            reference=new_reference("P"),
            admin_area=ninewa,
            sex=sex,
            birth_date=birth,
            birth_date_precision="day",
        )
        for sex, birth in people
    )


# --- the people list and the export page ---------------------------------------------------------------


def test_export_button_carries_the_search_for_those_who_may_export(client, clerk, persona, amal):
    sign_in(client, clerk)
    page = client.get("/registry/people/", {"q": "amal"}).content.decode()
    assert 'href="/registry/people/export/?q=amal"' in page and "Export this person" in page
    client.logout()
    sign_in(client, persona("finance_officer"))  # sees people, does not export them
    assert 'data-testid="export"' not in client.get("/registry/people/").content.decode()


def test_clerk_exports_the_search_and_downloads_the_file(client, clerk, amal, django_capture_on_commit_callbacks):
    sign_in(client, clerk)
    page = client.get("/registry/people/export/", {"q": "amal"}).content.decode()
    assert "1 person you may see matches" in page and "another channel" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/registry/people/export/",
            {"q": "amal", "format": "csv", "personal": "on", "password": "", "password_again": ""},
        )
    job = Job.objects.get(kind="registry.export_people")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Download the result" in detail and "being written" in detail
    download = client.get(f"/jobs/{job.pk}/result/")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [amal.reference]
    assert "<b>Hassan</b>" in rows[1]  # the file holds the name as written; pages escape what they show
    shown = client.get("/registry/people/export/", {"q": "<b>amal"}).content.decode()
    assert "&lt;b&gt;amal" in shown and "<b>amal" not in shown


def test_protected_export_says_to_send_the_password_another_way(
    client, clerk, amal, django_capture_on_commit_callbacks
):
    sign_in(client, clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/registry/people/export/",
            {"format": "xlsx", "sensitive": "on", "password": PASSWORD, "password_again": PASSWORD},
            follow=True,
        )
    assert "another channel than the file" in response.content.decode()
    job = Job.objects.get(kind="registry.export_people")
    assert job.state == "succeeded" and job.result["protected"] is True


def test_export_form_names_what_is_wrong(client, clerk, amal):
    sign_in(client, clerk)
    page = client.post(
        "/registry/people/export/",
        {"format": "csv", "sensitive": "on", "password": "short", "password_again": "different"},
    ).content.decode()
    assert "The two passwords differ." in page
    page = client.post(
        "/registry/people/export/", {"format": "csv", "sensitive": "on", "password": "", "password_again": ""}
    ).content.decode()
    assert "password-protected file" in page
    assert not Job.objects.filter(kind="registry.export_people").exists()


def test_a_role_without_need_to_know_is_not_offered_phones(client, persona, amal, django_capture_on_commit_callbacks):
    sign_in(client, persona("data_officer"))
    page = client.get("/registry/people/export/").content.decode()
    assert 'name="sensitive"' not in page and "may not see phone numbers" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/registry/people/export/", {"format": "csv", "sensitive": "on"})
    job = Job.objects.get(kind="registry.export_people")
    assert job.params["sensitive"] is False  # the ticked box that was never offered is ignored


def test_pages_refuse_roles_that_may_not_use_them(client, persona):
    sign_in(client, persona("finance_officer"))
    assert client.get("/registry/people/export/").status_code == 403
    assert client.get("/registry/aggregates/").status_code == 403
    client.logout()
    sign_in(client, persona("registration_clerk"))
    assert client.get("/registry/aggregates/hxl/").status_code == 403


def test_only_the_asker_downloads_an_export_of_people(client, clerk, persona, amal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        from passage.registry.export_actions import ExportRequest, export_people

        job = export_people(acting_user=clerk, operation=clerk.memberships.get().operation, request=ExportRequest())
    sign_in(client, persona("me_officer"))  # sees every job of the operation, may see nobody
    assert client.get(f"/jobs/{job.pk}/result/").status_code == 404


# --- counts ----------------------------------------------------------------------------------------------


def test_me_officer_reads_counts_with_small_cells_suppressed(client, persona, counted):
    sign_in(client, persona("me_officer"))
    page = client.get("/registry/aggregates/", {"level": "1"}).content.decode()
    assert "Ninewa" in page and "&lt;5" in page and ">7<" in page
    assert 'id="aggregates-chart"' in page and "echarts.min.js" in page
    assert "1 cell suppressed." in page
    assert ">0<" not in page  # nobody in a cell is a small count too, shown as "<5"
    refused = client.get("/registry/aggregates/", {"level": "1", "threshold": "2"}).content.decode()
    assert "always suppressed in this operation" in refused


def test_data_officer_downloads_hxl_and_it_is_audited(client, persona, counted):
    data_officer = persona("data_officer")
    sign_in(client, data_officer)
    response = client.get("/registry/aggregates/hxl/", {"level": "1", "threshold": "6"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:5] == ["#adm1+code", "#adm1+name", "#beneficiary+sex", "#beneficiary+age+group", "#affected+ind"]
    assert rows[3][:6] == ["IQG15", "Ninewa", "male", "5-11", "", "<6"]
    event = AuditEvent.objects.get(action="person.aggregate.export")
    assert event.actor_id == data_officer.pk and event.changes["threshold"] == [None, 6]


# --- the API ---------------------------------------------------------------------------------------------


def test_api_export_returns_the_job(api_as, clerk, operation, amal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(clerk).post(
            "/exports/people", {"operation": str(operation.pk), "q": "amal", "format": "xlsx", "personal": True}
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "registry.export_people" and body["created_by"] == clerk.username
    job = Job.objects.get(pk=body["id"])
    assert job.state == "succeeded" and job.result["rows"] == 1


def test_api_export_refusals(api_as, persona, operation, outsider, amal):
    body: dict[str, Any] = {"operation": str(operation.pk), "sensitive": True}
    problem = api_as(persona("registration_clerk")).post("/exports/people", body)
    assert_problem(problem, 422)
    assert {e["field"] for e in problem.json()["errors"]} == {"password"}
    assert_problem(api_as(persona("data_officer")).post("/exports/people", {**body, "password": PASSWORD}), 422)
    assert_problem(api_as(persona("finance_officer")).post("/exports/people", {"operation": str(operation.pk)}), 403)
    assert_problem(api_as(outsider).post("/exports/people", {"operation": str(operation.pk)}), 404)


def test_api_counts(api_as, persona, operation, outsider, counted):
    response = api_as(persona("me_officer")).get("/aggregates/people", operation=str(operation.pk), level=1)
    assert response.status_code == 200, response.content
    body = response.json()
    shown = {(c["pcode"], c["sex"], c["age_group"]): (c["count"], c["shown"]) for c in body["cells"]}
    assert shown == {("IQG15", "female", "18-59"): (7, "7"), ("IQG15", "male", "5-11"): (None, "<5")}
    assert body["threshold"] == 5 and body["suppressed"] == 1
    assert_problem(api_as(persona("registration_clerk")).get("/aggregates/people", operation=str(operation.pk)), 403)
    assert_problem(api_as(outsider).get("/aggregates/people", operation=str(operation.pk)), 404)
    lowered = api_as(persona("me_officer")).get("/aggregates/people", operation=str(operation.pk), threshold=1)
    assert_problem(lowered, 422)
