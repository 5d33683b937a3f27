"""Cases through the JSON API, with tokens, as the people who use it: the caseworker who owns a case, a colleague
of the same office, a caseworker of another office, one limited to another programme, someone named on a
restricted case, an outsider of another operation and an anonymous caller; a stale edit refused with who changed
what; the same step for many cases with a result per case; the work on a case (tasks, notes, documents,
approvals, named staff); and a bounded number of queries for the list and a case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from passage.cases import actions, work_actions
from passage.cases.models import Case, Priority, Sensitivity
from passage.cases.tests.conftest import register_person
from passage.core import actions as core_actions
from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.core.tests.test_api import Api, assert_problem

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def api_as(client: Client) -> Callable[[Any], Api]:
    def make(user: Any) -> Api:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


@pytest.fixture
def people(operation, other_operation, other_office, other_programme, owner, colleague, far_colleague):
    return {
        "owner": owner,
        "colleague_same_office": colleague,
        "colleague_other_office": far_colleague,
        "programme_limited": member_of(operation, "caseworker", programmes=[other_programme]),
        "named_staff": member_of(operation, "caseworker", offices=[other_office]),
        "outsider": member_of(other_operation, "administrator"),
    }


def upload(api: Api, case: Case, content: bytes = PDF, name: str = "consent.pdf", kind: str = "consent_form") -> Any:
    return api.client.post(
        f"/api/v1/cases/{case.pk}/documents",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        headers=api.headers,
    )


def listed(api: Api, operation: Any, **filters: Any) -> list[str]:
    response = api.get("/cases", operation=operation.pk, **filters)
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


# --- who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sensitivity", [Sensitivity.NORMAL, Sensitivity.RESTRICTED])
def test_who_sees_a_case_in_the_list_the_counts_and_on_its_own(
    api_as, client, people, new_case, owner, operation, sensitivity
):
    case = new_case(sensitivity=sensitivity)
    actions.grant_access(case=case, user=people["named_staff"], acting_user=owner, reason="specialist")
    sees = {"owner", "named_staff"} | ({"colleague_same_office"} if sensitivity == Sensitivity.NORMAL else set())
    for name, user in people.items():
        api = api_as(user)
        response = api.get(f"/cases/{case.pk}")
        if name in sees:
            assert response.status_code == 200, (name, response.content)
            assert response.json()["reference"] == case.reference
            assert listed(api, operation) == [case.reference], name
            assert api.get("/cases/counts", operation=operation.pk).json()["open"] == 1, name
        else:
            assert_problem(response, 404)  # never 403: that would confirm the case exists
            assert_problem(api.get(f"/cases/{case.pk}/notes"), 404)
            assert_problem(api.post(f"/cases/{case.pk}/transitions", {"transition": "close", "reason": "x"}), 404)
            if name != "outsider":
                assert listed(api, operation) == [], name
                counts = api.get("/cases/counts", operation=operation.pk).json()
                assert (counts["open"], counts["states"]) == (0, {}), name
    assert_problem(api_as(people["outsider"]).get("/cases", operation=operation.pk), 404)
    assert_problem(client.get(f"/api/v1/cases/{case.pk}"), 401)
    reads = AuditEvent.objects.filter(action="cases.case.read", object_id=str(case.pk))
    assert {event.actor_id for event in reads} == {people[name].pk for name in sees}


def test_the_caseload_filters_as_the_page_does(api_as, new_case, owner, colleague, operation, office):
    mine = new_case(register_person(operation, office, "Amal"), priority=Priority.URGENT)
    theirs = new_case(register_person(operation, office, "Noor"), caseworker=colleague)
    api = api_as(owner)
    assert listed(api, operation) == [mine.reference, theirs.reference]  # most urgent first
    assert listed(api, operation, tab="mine") == [mine.reference]
    assert listed(api, operation, q="noor") == [theirs.reference]
    assert listed(api, operation, priority=40) == [mine.reference]
    assert listed(api, operation, state="assessment") == []
    assert listed(api, operation, status="closed") == []
    page = api.get("/cases", operation=operation.pk, limit=1, offset=1).json()
    assert (page["count"], [item["reference"] for item in page["items"]]) == (2, [theirs.reference])
    item = page["items"][0]
    assert item["subject"]["name_latin"] == "Noor" and item["caseworker"]["id"] == str(colleague.pk)
    assert "details" not in item and "notes" not in item
    counts = api.get("/cases/counts", operation=operation.pk).json()
    assert (counts["mine"], counts["office"], counts["overdue"], counts["states"]) == (1, 2, 0, {"intake": 2})
    problem = assert_problem(api.get("/cases", operation=operation.pk, tab="everything"), 422)
    assert [error["field"] for error in problem["errors"]] == ["tab"]
    assert_problem(api_as(member_of(operation, "registration_clerk")).get("/cases", operation=operation.pk), 403)


def test_private_notes_are_read_only_by_their_author_and_the_named_staff(api_as, case, owner, colleague, people):
    owner_api = api_as(owner)
    assert owner_api.post(f"/cases/{case.pk}/notes", {"text": "Visited her at home."}).status_code == 201
    private = owner_api.post(f"/cases/{case.pk}/notes", {"text": "She named the recruiter.", "private": True})
    assert private.status_code == 201 and private.json()["private"] is True
    texts = [note["text"] for note in api_as(colleague).get(f"/cases/{case.pk}/notes").json()["items"]]
    assert texts == ["Visited her at home."]
    actions.grant_access(case=case, user=colleague, acting_user=owner, reason="covers for the caseworker")
    texts = [note["text"] for note in api_as(colleague).get(f"/cases/{case.pk}/notes").json()["items"]]
    assert texts == ["She named the recruiter.", "Visited her at home."]
    problem = assert_problem(owner_api.post(f"/cases/{case.pk}/notes", {"text": "  "}), 422)
    assert [error["field"] for error in problem["errors"]] == ["text"]


# --- opening and changing a case ----------------------------------------------------------------------------


def test_a_caseworker_opens_a_case_and_only_once(api_as, owner, person, programme, office, operation):
    api = api_as(owner)
    body = {"programme": str(programme.pk), "office": str(office.pk), "person": str(person.pk), "priority": 30}
    response = api.post("/cases", body)
    assert response.status_code == 201, response.content
    opened = response.json()
    assert (opened["state"], opened["state_label"], opened["priority"]) == ("intake", "Intake", 30)
    assert opened["caseworker"]["id"] == str(owner.pk) and opened["named"] is True
    assert opened["subject"] == {
        "kind": "person",
        "id": str(person.pk),
        "reference": person.reference,
        "name": person.display_name,
        "name_latin": person.display_name_latin,
    }
    problem = assert_problem(api.post("/cases", body), 422)
    assert [error["field"] for error in problem["errors"]] == ["subject"]
    assert_problem(api.post("/cases", {**body, "person": None}), 422)
    assert_problem(api_as(member_of(operation, "registration_clerk")).post("/cases", body), 403)
    assert Case.objects.filter(person=person).count() == 1


def test_a_stale_version_is_a_409_naming_who_changed_what(api_as, case, owner, colleague):
    started_from = api_as(owner).get(f"/cases/{case.pk}").json()["version"]
    first = api_as(colleague).patch(f"/cases/{case.pk}", {"version": started_from, "priority": 40})
    assert first.status_code == 200 and first.json()["version"] == started_from + 1

    problem = assert_problem(
        api_as(owner).patch(f"/cases/{case.pk}", {"version": started_from, "caseworker": str(colleague.pk)}), 409
    )
    assert colleague.get_username() in problem["detail"] and "priority" in problem["detail"]
    assert "Nothing was saved" in problem["detail"]
    assert problem["current_version"] == started_from + 1
    assert [(change["by"], change["fields"]) for change in problem["changes"]] == [
        (colleague.get_username(), ["priority"])
    ]
    case.refresh_from_db()
    assert (case.caseworker, case.priority) == (owner, Priority.URGENT)

    again = api_as(owner).patch(
        f"/cases/{case.pk}",
        {"version": started_from + 1, "caseworker": str(colleague.pk), "priority": 40, "reason": "leave"},
    )
    assert again.status_code == 200, again.content
    assert again.json()["caseworker"]["id"] == str(colleague.pk) and again.json()["version"] == started_from + 2


def test_a_patch_is_all_or_nothing_and_names_the_field(api_as, case, owner, far_colleague):
    api = api_as(owner)
    version = case.version
    problem = assert_problem(
        api.patch(f"/cases/{case.pk}", {"version": version, "priority": 40, "details": {"x": "1"}}), 422
    )
    assert [error["field"] for error in problem["errors"]] == ["x"]
    problem = assert_problem(
        api.patch(f"/cases/{case.pk}", {"version": version, "priority": 10, "caseworker": str(far_colleague.pk)}), 422
    )
    assert [error["field"] for error in problem["errors"]] == ["caseworker"]  # Mosul's caseworker, an Erbil case
    case.refresh_from_db()
    assert (case.version, case.priority) == (version, Priority.NORMAL)
    assert_problem(api.patch(f"/cases/{case.pk}", {"version": version}), 422)
    restricted = api.patch(f"/cases/{case.pk}", {"version": version, "sensitivity": "restricted", "reason": "survivor"})
    assert restricted.status_code == 200 and restricted.json()["sensitivity"] == "restricted"


def test_closing_and_reopening(api_as, case, owner):
    api = api_as(owner)
    closed = api.post(f"/cases/{case.pk}/close", {"reason": "moved", "version": case.version})
    assert closed.status_code == 200 and closed.json()["closure_reason"] == "moved"
    assert_problem(api.post(f"/cases/{case.pk}/close", {"reason": "moved"}), 409)  # closed already
    assert api.get(f"/cases/{case.pk}/transitions").json() == []
    assert_problem(api.post(f"/cases/{case.pk}/reopen", {"reason": ""}), 422)
    reopened = api.post(f"/cases/{case.pk}/reopen", {"reason": "came back"})
    assert reopened.status_code == 200 and reopened.json()["closed_at"] is None


# --- steps along the workflow -------------------------------------------------------------------------------


def test_a_step_says_what_is_missing_until_it_can_be_taken(api_as, case, owner, colleague, administrator):
    api = api_as(owner)
    steps = {step["transition"]: step for step in api.get(f"/cases/{case.pk}/transitions").json()}
    assert set(steps) == {"assess", "close"}
    assert steps["assess"]["ready"] is False and steps["assess"]["missing"] == [
        "no document of the kind Signed consent"
    ]
    problem = assert_problem(api.post(f"/cases/{case.pk}/transitions", {"transition": "assess"}), 409)
    assert [error["message"] for error in problem["errors"]] == ["no document of the kind Signed consent"]

    document = upload(api, case)
    assert document.status_code == 201, document.content
    assert document.json()["content_type"] == "application/pdf"
    moved = api.post(f"/cases/{case.pk}/transitions", {"transition": "assess", "version": case.version})
    assert moved.status_code == 200 and moved.json()["state"] == "assessment"

    # Four eyes: the plan is approved by an administrator, not by whoever asked.
    asked = api.post(f"/cases/{case.pk}/approvals", {"transition": "agree_plan", "note": "plan attached"})
    assert asked.status_code == 201, asked.content
    approval = asked.json()["id"]
    assert_problem(api.post(f"/cases/{case.pk}/approvals/{approval}/decision", {"approve": True}), 409)  # own
    assert_problem(api_as(colleague).post(f"/cases/{case.pk}/approvals/{approval}/decision", {"approve": True}), 403)
    admin = api_as(administrator)
    assert_problem(admin.post(f"/cases/{case.pk}/approvals/{approval}/decision", {"approve": False}), 422)
    decided = admin.post(f"/cases/{case.pk}/approvals/{approval}/decision", {"approve": True})
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    assert_problem(admin.post(f"/cases/{case.pk}/approvals/{approval}/decision", {"approve": True}), 409)
    planned = api.post(f"/cases/{case.pk}/transitions", {"transition": "agree_plan", "reason": "agreed with her"})
    assert planned.status_code == 200 and planned.json()["state"] == "plan"
    assert [a["used"] for a in api.get(f"/cases/{case.pk}/approvals").json()["items"]] == [True]


def test_the_same_step_for_many_cases_answers_for_each(api_as, new_case, owner, colleague, far_colleague):
    ready, missing, stale, closed = new_case(), new_case(), new_case(), new_case()
    for case in (ready, stale, closed):
        work_actions.upload_document(
            case=case, acting_user=owner, kind="consent_form", upload=_pdf(), filename="c.pdf", size=len(PDF)
        )
    actions.set_priority(case=stale, priority=Priority.HIGH, acting_user=colleague, version=None)
    actions.close_case(case=closed, acting_user=owner, reason="moved")
    hidden = new_case(sensitivity=Sensitivity.RESTRICTED, caseworker=colleague)
    unknown = "00000000-0000-4000-8000-000000000000"
    response = api_as(owner).post(
        "/cases/transitions",
        {
            "transition": "assess",
            "cases": [
                {"id": str(ready.pk), "version": ready.version},
                {"id": str(missing.pk)},
                {"id": str(stale.pk), "version": 1},
                {"id": str(closed.pk)},
                {"id": str(hidden.pk)},
                {"id": unknown},
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["done"], body["refused"]) == (1, 5)
    results = body["results"]
    assert [result["ok"] for result in results] == [True, False, False, False, False, False]
    assert (results[0]["state"], results[0]["version"]) == ("assessment", ready.version + 1)
    assert results[1]["detail"] == "no document of the kind Signed consent"
    assert colleague.get_username() in results[2]["detail"] and results[2]["version"] == stale.version + 1
    assert "closed" in results[3]["detail"]
    assert results[4] == results[5] | {"case_id": str(hidden.pk)}  # a case one may not see reads as no case
    assert results[4]["reference"] is None
    states = dict(Case.objects.values_list("pk", "state"))
    assert (states[ready.pk], states[missing.pk], states[stale.pk]) == ("assessment", "intake", "intake")
    # A colleague of another office sees none of them: every case is refused alike.
    other = api_as(far_colleague).post("/cases/transitions", {"transition": "assess", "cases": [{"id": str(ready.pk)}]})
    assert other.json()["results"][0]["reference"] is None


def test_bulk_reassignment_answers_for_each_case(api_as, new_case, owner, colleague, far_colleague, operation):
    first, second = new_case(), new_case()
    hidden = new_case(sensitivity=Sensitivity.RESTRICTED, caseworker=colleague)
    body = {
        "operation": str(operation.pk),
        "caseworker": str(colleague.pk),
        "cases": [str(first.pk), str(second.pk), str(hidden.pk)],
        "reason": "owner on leave",
    }
    response = api_as(owner).post("/cases/reassignments", body)
    assert response.status_code == 200, response.content
    assert [(r["ok"], r["reference"]) for r in response.json()["results"]] == [
        (True, first.reference),
        (True, second.reference),
        (False, None),
    ]
    assert set(Case.objects.filter(caseworker=colleague).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        hidden.pk,
    }
    # Mosul's caseworker does not work on these Erbil cases: each is refused, with the reason.
    refused = api_as(owner).post("/cases/reassignments", {**body, "caseworker": str(far_colleague.pk)}).json()
    assert refused["done"] == 0 and "does not work on cases" in refused["results"][0]["detail"]


# --- the work on a case -------------------------------------------------------------------------------------


def _pdf() -> Any:
    import io

    return io.BytesIO(PDF)


def test_tasks_are_added_and_done_once(api_as, case, owner, colleague, far_colleague):
    api = api_as(owner)
    added = api.post(f"/cases/{case.pk}/tasks", {"title": "Call her sister", "assignee": str(colleague.pk)})
    assert added.status_code == 201, added.content
    task = added.json()
    assert task["assignee"]["id"] == str(colleague.pk) and task["source"] == "manual"
    problem = assert_problem(
        api.post(f"/cases/{case.pk}/tasks", {"title": "x", "assignee": str(far_colleague.pk)}), 422
    )
    assert [error["field"] for error in problem["errors"]] == ["assignee"]  # Mosul does not see this Erbil case
    assert_problem(api_as(far_colleague).post(f"/cases/{case.pk}/tasks/{task['id']}/complete"), 404)
    done = api_as(colleague).post(f"/cases/{case.pk}/tasks/{task['id']}/complete", {"note": "reached her"})
    assert done.status_code == 200 and done.json()["done_by"]["id"] == str(colleague.pk)
    again = assert_problem(api.post(f"/cases/{case.pk}/tasks/{task['id']}/complete"), 409)
    assert again["detail"].startswith(f"{colleague} marked this task done")
    titles = [item["title"] for item in api.get(f"/cases/{case.pk}/tasks").json()["items"]]
    assert "Call her sister" in titles and "Screen the person" in titles  # by hand, and from the workflow


def test_documents_are_checked_by_their_content_and_read_back(api_as, case, owner, colleague, settings):
    api = api_as(owner)
    problem = assert_problem(upload(api, case, content=b"MZ\x90\x00 not a pdf", name="scan.pdf"), 422)
    assert [error["field"] for error in problem["errors"]] == ["file"]
    problem = assert_problem(upload(api, case, kind="passport_scan"), 422)
    assert [error["field"] for error in problem["errors"]] == ["kind"]
    settings.CASE_DOCUMENT_MAX_BYTES = 10
    assert_problem(upload(api, case), 422)
    settings.CASE_DOCUMENT_MAX_BYTES = 1024
    document = upload(api, case).json()
    assert [item["id"] for item in api.get(f"/cases/{case.pk}/documents").json()["items"]] == [document["id"]]
    response = api_as(colleague).get(f"/cases/{case.pk}/documents/{document['id']}/file")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action="cases.case.read", actor_id=colleague.pk, note=f"document {document['id']}"
    ).exists()
    removed = api.post(f"/cases/{case.pk}/documents/{document['id']}/remove", {"reason": "wrong person"})
    assert removed.status_code == 200
    assert_problem(api.get(f"/cases/{case.pk}/documents/{document['id']}/file"), 404)


def test_named_staff_are_named_and_revoked(api_as, case, owner, colleague, far_colleague, people):
    api = api_as(owner)
    named = api.post(f"/cases/{case.pk}/access", {"user": str(far_colleague.pk), "reason": "speaks Kurmanji"})
    assert named.status_code == 201, named.content
    assert api_as(far_colleague).get(f"/cases/{case.pk}").json()["named"] is True
    grants = api.get(f"/cases/{case.pk}/access").json()["items"]
    assert [grant["user"]["id"] for grant in grants] == [str(far_colleague.pk)]
    problem = assert_problem(
        api.post(f"/cases/{case.pk}/access", {"user": str(people["outsider"].pk), "reason": "x"}), 422
    )
    assert [error["field"] for error in problem["errors"]] == ["user"]
    revoked = api.post(f"/cases/{case.pk}/access/{named.json()['id']}/revoke", {"reason": "done"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_problem(api_as(far_colleague).get(f"/cases/{case.pk}"), 404)


# --- a bounded number of queries ----------------------------------------------------------------------------


def test_the_case_list_and_a_case_cost_a_bounded_number_of_queries(
    api_as, new_case, case, owner, operation, django_assert_max_num_queries
):
    api = api_as(owner)
    for _ in range(2):
        new_case()
    api.get("/cases", operation=operation.pk)
    with django_assert_max_num_queries(12) as few:
        assert api.get("/cases", operation=operation.pk).status_code == 200
    for _ in range(25):
        new_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/cases", operation=operation.pk).json()["items"]) == 28
    for n in range(10):
        work_actions.add_note(case=case, acting_user=owner, text=f"note {n}")
        work_actions.add_task(case=case, acting_user=owner, title=f"task {n}")
    with django_assert_max_num_queries(20):
        assert api.get(f"/cases/{case.pk}").status_code == 200
    with django_assert_max_num_queries(12):
        assert len(api.get(f"/cases/{case.pk}/tasks").json()["items"]) == 11
    with django_assert_max_num_queries(20):
        assert len(api.get(f"/cases/{case.pk}/notes").json()["items"]) == 10
