"""Registration imports through the JSON API with tokens: a clerk uploads a small CSV with one bad row, reads the
rows with errors, approves, and the people exist; the same file again adds nobody. A colleague follows the
import; roles without person.register and outsiders of another operation cannot; rows are masked for a role
without need-to-know. Jobs run when the request's transaction commits (Huey in immediate mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from passage.core import actions as core_actions
from passage.core.models import AuditEvent, Job, Operation, RoleGrant, User
from passage.core.tests.factories import member_of
from passage.core.tests.test_api import Api, assert_problem
from passage.registry.import_actions import save_import_template
from passage.registry.models import ImportState, Person, RegistrationImport

HEADER = "household_id,relationship,given_name,family_name,sex,dob,phone,document_number,consent\n"
ROWS = [
    "HH1,head,Mohammed,Al-Jubouri,M,1985,0770 123 4567,A1234567,yes",
    "HH1,spouse,Fatima,Hassan,F,1990-02,,,yes",
    "HH2,head,Amina,Yusuf,female,12/07/1979,+252 61 555 1234,,yes",
    "HH3,head,Omar,Salih,X,31/02/1980,,,yes",  # row 5: unknown sex, impossible date
]


def csv_file(rows: list[str], name: str = "registrations.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv")


class ImportApi(Api):
    def upload(self, operation: Operation, file: SimpleUploadedFile, **fields: str) -> Any:
        data = {"operation": str(operation.pk), "file": file, **fields}
        return self.client.post("/api/v1/imports", data, headers=self.headers)


@pytest.fixture
def api_as(client: Client) -> Callable[[User], ImportApi]:
    def make(user: User) -> ImportApi:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return ImportApi(client, plaintext)

    return make


@pytest.fixture
def jobs_run(django_capture_on_commit_callbacks):
    """Run the jobs queued inside the block (the suite runs Huey in immediate mode)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def clerk(persona) -> User:
    return persona("registration_clerk")


def _upload(api: ImportApi, operation: Operation, jobs_run: Any, rows: list[str], **fields: str) -> dict[str, Any]:
    with jobs_run():
        response = api.upload(operation, csv_file(rows), **fields)
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.fixture
def staged(api_as, clerk, operation, jobs_run) -> RegistrationImport:
    created = _upload(api_as(clerk), operation, jobs_run, ROWS)
    return RegistrationImport.objects.get(pk=created["id"])


def test_clerk_imports_a_csv_with_a_bad_row_approves_and_importing_again_adds_nobody(
    api_as, clerk, operation, jobs_run
):
    api = api_as(clerk)
    with jobs_run():
        response = api.upload(operation, csv_file(ROWS))
        assert response.status_code == 201, response.content
        created = response.json()
        # Answered before the check runs: the import and the job that reads it.
        assert (created["state"], created["running"]) == ("staging", True)
        assert (created["job"]["kind"], created["created_by"]) == ("registry.import_stage", clerk.get_username())

    checked = api.get(f"/imports/{created['id']}").json()
    assert checked["state"] == "validated" and not checked["running"]
    assert checked["rows"] == {"total": 4, "invalid": 1, "new": 3, "update": 0, "unchanged": 0}
    assert (checked["job"]["state"], checked["job"]["percent"]) == ("succeeded", 100)
    assert checked["mapping"]["dob"] == "birth_date"

    invalid = api.get(f"/imports/{created['id']}/rows", outcome="invalid").json()
    assert invalid["count"] == 1
    (row,) = invalid["items"]
    assert (row["row"], row["household"], row["values"]["given_name"]) == (5, "HH3", "Omar")
    assert {"sex", "birth_date"} <= {error["field"] for error in row["errors"]}
    new = api.get(f"/imports/{created['id']}/rows", outcome="new", limit=2).json()
    assert (new["count"], len(new["items"])) == (3, 2)
    assert new["items"][0]["values"]["phone"] == "0770 123 4567"  # a clerk may see phones
    assert AuditEvent.objects.filter(action="registry.registrationimport.read", actor_id=clerk.pk).count() == 2

    with jobs_run():
        approved = api.post(f"/imports/{created['id']}/approve")
        assert approved.status_code == 200, approved.content
        assert (approved.json()["state"], approved.json()["job"]["kind"]) == ("committing", "registry.import_commit")
    job = Job.objects.get(kind="registry.import_commit")
    assert job.params["approved_by"] == str(clerk.pk)
    done = api.get(f"/imports/{created['id']}").json()
    assert (done["state"], done["decided_by"]) == ("committed", clerk.get_username())
    assert done["result"] == {"households_created": 2, "people_created": 3, "people_updated": 0}
    assert set(Person.objects.values_list("given_name", flat=True)) == {"Mohammed", "Fatima", "Amina"}
    found = api.get("/people", operation=str(operation.pk), q="Fatima").json()["items"]
    assert [person["display_name"] for person in found] == ["Fatima Hassan"]

    again = _upload(api, operation, jobs_run, ROWS)
    rows = api.get(f"/imports/{again['id']}").json()["rows"]
    assert (rows["unchanged"], rows["new"], rows["invalid"]) == (3, 0, 1)
    problem = assert_problem(api.post(f"/imports/{again['id']}/approve"), 409)
    assert "Nothing in this import would change the registry" in problem["detail"]
    assert Person.objects.count() == 3


def test_approving_twice_or_after_rejection_is_a_conflict(api_as, clerk, staged):
    api = api_as(clerk)
    assert api.post(f"/imports/{staged.pk}/approve").status_code == 200  # queued, not yet run
    problem = assert_problem(api.post(f"/imports/{staged.pk}/approve"), 409)
    assert "already being added to the registry" in problem["detail"]
    assert_problem(api.post(f"/imports/{staged.pk}/reject", {"reason": "late"}), 409)
    assert Job.objects.filter(kind="registry.import_commit").count() == 1


def test_reject_needs_a_reason(api_as, clerk, staged):
    api = api_as(clerk)
    problem = assert_problem(api.post(f"/imports/{staged.pk}/reject", {"reason": "  "}), 422)
    assert [error["field"] for error in problem["errors"]] == ["reason"]
    assert [e["field"] for e in assert_problem(api.post(f"/imports/{staged.pk}/reject", {}), 422)["errors"]] == [
        "reason"
    ]
    rejected = api.post(f"/imports/{staged.pk}/reject", {"reason": "wrong district"})
    assert rejected.status_code == 200
    assert (rejected.json()["state"], rejected.json()["problem"]) == ("rejected", "wrong district")
    assert_problem(api.post(f"/imports/{staged.pk}/approve"), 409)
    assert not Person.objects.exists()


def test_a_colleague_follows_the_import_others_cannot(api_as, persona, staged, operation, outsider):
    colleague = api_as(persona("caseworker"))  # registers people too
    assert colleague.get(f"/imports/{staged.pk}").status_code == 200
    assert [item["id"] for item in colleague.get("/imports", operation=str(operation.pk)).json()["items"]] == [
        str(staged.pk)
    ]

    finance = api_as(persona("finance_officer"))  # sees people, registers nobody: no imports at all
    assert_problem(finance.get("/imports", operation=str(operation.pk)), 403)
    assert_problem(finance.upload(operation, csv_file(ROWS)), 403)
    assert_problem(finance.get(f"/imports/{staged.pk}"), 404)
    assert_problem(finance.get(f"/imports/{staged.pk}/rows"), 404)

    stranger = api_as(outsider)
    assert_problem(stranger.get("/imports", operation=str(operation.pk)), 404)
    assert_problem(stranger.upload(operation, csv_file(ROWS)), 404)
    assert_problem(stranger.get(f"/imports/{staged.pk}/rows"), 404)
    assert_problem(stranger.post(f"/imports/{staged.pk}/approve"), 404)
    assert_problem(stranger.post(f"/imports/{staged.pk}/reject", {"reason": "x"}), 404)
    staged.refresh_from_db()
    assert staged.state == ImportState.VALIDATED and RegistrationImport.objects.count() == 1


def test_rows_are_masked_for_a_role_without_need_to_know(api_as, staged, operation):
    # An administrator takes unmasked phones and documents away from registration clerks.
    RoleGrant.objects.filter(role__code="registration_clerk", permission="person.view_sensitive").delete()
    volunteer = member_of(operation, "registration_clerk")
    rows = api_as(volunteer).get(f"/imports/{staged.pk}/rows", outcome="new").json()["items"]
    head = rows[0]["values"]
    assert head["phone"] == "•••••••••••67" and head["document_number"] == "••••••67"
    assert head["given_name"] == "Mohammed"


def test_upload_problems_name_the_field(api_as, clerk, operation, jobs_run):
    api = api_as(clerk)
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4", content_type="application/pdf")
    problem = assert_problem(api.upload(operation, pdf), 422)
    assert [error["field"] for error in problem["errors"]] == ["file"]
    problem = assert_problem(api.upload(operation, csv_file(ROWS), template="Kobo v9"), 422)
    assert [error["field"] for error in problem["errors"]] == ["template"]
    missing = assert_problem(api.client.post("/api/v1/imports", {}, headers=api.headers), 422)
    assert {"file", "operation"} <= {error["field"] for error in missing["errors"]}
    assert not RegistrationImport.objects.exists()


def test_a_saved_template_is_applied_by_name(api_as, clerk, operation, jobs_run):
    save_import_template(
        acting_user=clerk,
        operation=operation,
        name="Kobo household form",
        mapping={"household_id": "household_id", "given_name": "given_name", "consent": "consent"},
    )
    created = _upload(api_as(clerk), operation, jobs_run, ROWS, template="kobo household form")
    assert created["template"] == "Kobo household form"
    assert set(created["mapping"]) == {"household_id", "given_name", "consent"}


def test_rows_of_an_outcome_that_does_not_exist_are_a_problem(api_as, clerk, staged):
    problem = assert_problem(api_as(clerk).get(f"/imports/{staged.pk}/rows", outcome="maybe"), 422)
    assert [error["field"] for error in problem["errors"]] == ["outcome"]


def test_changes_to_registered_people_are_shown_old_to_new_and_applied_after_approval(
    api_as, clerk, operation, jobs_run
):
    header = "_uuid,household_id,relationship,given_name,family_name,sex,dob,consent\n"

    def upload(row: str) -> dict[str, Any]:
        file = SimpleUploadedFile("kobo.csv", (header + row + "\n").encode(), content_type="text/csv")
        with jobs_run():
            response = api.upload(operation, file)
        assert response.status_code == 201, response.content
        return dict(response.json())

    api = api_as(clerk)
    first = upload("k-1,H1,head,Zainab,Ali,F,1990,yes")
    with jobs_run():
        api.post(f"/imports/{first['id']}/approve")
    corrected = upload("k-1,H1,head,Zaynab,Ali,F,1990-04-12,yes")
    assert api.get(f"/imports/{corrected['id']}").json()["rows"]["update"] == 1
    (row,) = api.get(f"/imports/{corrected['id']}/rows", outcome="update").json()["items"]
    person = Person.objects.get()
    assert row["person_id"] == str(person.pk)
    changes = {change["field"]: (change["old"], change["new"]) for change in row["changes"]}
    assert changes["given_name"] == ("Zainab", "Zaynab") and changes["birth_date"] == ("1990-01-01", "1990-04-12")
    assert person.given_name == "Zainab"  # nothing changes before approval
    with jobs_run():
        api.post(f"/imports/{corrected['id']}/approve")
    assert api.get(f"/imports/{corrected['id']}").json()["result"]["people_updated"] == 1
    assert api.get(f"/people/{person.pk}").json()["given_name"] == "Zaynab"
