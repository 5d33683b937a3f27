"""Assessments and referrals of a case through the JSON API, as the people who use them: the caseworker fills a form
(checked by the same engine as the browser's, errors by answer path) and refers the person to providers (only
what she agreed to share); a provider's user answers in their inbox without ever seeing the case; a colleague of
another office sees none of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from passage.cases.assessment_actions import upload_form
from passage.cases.models import Case
from passage.cases.tests.assessment_helpers import VISIT
from passage.core import actions as core_actions
from passage.core.models import AuditEvent
from passage.core.tests.test_api import Api, assert_problem

pytest_plugins = ["passage.cases.tests.referral_fixtures"]

GOOD = {"case_number": "x", "household_size": 3, "members": [{"member_name": "Amal", "member_age": 34}], "safe": "yes"}


@pytest.fixture
def api_as(client: Client) -> Callable[[Any], Api]:
    def make(user: Any) -> Api:
        _token, plaintext = core_actions.create_api_token(acting_user=user, name="t")
        return Api(client, plaintext)

    return make


@pytest.fixture
def visit(operation: Any) -> Any:
    """A small monitoring form (a repeat, a constraint, a score) uploaded for the operation."""
    return upload_form(acting_user=None, operation=operation, filename="visit.xlsx", content=VISIT).template


# --- assessments ----------------------------------------------------------------------------------------------


def test_a_form_is_filled_on_a_case_checked_and_read_back(api_as, case, owner, colleague, far_colleague, visit):
    api = api_as(owner)
    forms = {form["code"]: form for form in api.get(f"/cases/{case.pk}/forms").json()}
    assert forms["visit"]["form_id"] == str(visit.pk) and forms["visit"]["completed_id"] is None

    bad = {**GOOD, "household_size": None, "members": [{"member_name": "Amal", "member_age": 150}]}
    problem = assert_problem(api.post(f"/cases/{case.pk}/assessments", {"form": str(visit.pk), "answers": bad}), 422)
    assert {error["field"] for error in problem["errors"]} == {"household_size", "members[1].member_age"}  # 1-based
    assert not case.submissions.exists()

    response = api.post(f"/cases/{case.pk}/assessments", {"form": str(visit.pk), "answers": GOOD})
    assert response.status_code == 201, response.content
    submission = response.json()
    assert (submission["status"], submission["scores"], submission["form_code"]) == (
        "complete",
        {"score_safety": 1},
        "visit",
    )
    assert submission["answers"]["members"][0]["member_name"] == "Amal"

    listed = api_as(colleague).get(f"/cases/{case.pk}/assessments").json()["items"]
    assert [item["id"] for item in listed] == [submission["id"]] and "answers" not in listed[0]
    read = api_as(colleague).get(f"/cases/{case.pk}/assessments/{submission['id']}")
    assert read.status_code == 200 and read.json()["answers"]["safe"] == "yes"
    assert AuditEvent.objects.filter(
        action="cases.case.read", actor_id=colleague.pk, note=f"submission {submission['id']}"
    ).exists()
    for path in ("/forms", "/assessments", f"/assessments/{submission['id']}"):
        assert_problem(api_as(far_colleague).get(f"/cases/{case.pk}{path}"), 404)
    assert_problem(
        api_as(far_colleague).post(f"/cases/{case.pk}/assessments", {"form": str(visit.pk), "answers": GOOD}), 404
    )


def test_a_draft_is_kept_as_typed_and_guarded_against_a_second_save(api_as, case, owner, colleague, visit):
    body = {"form": str(visit.pk), "answers": {"household_size": 2}, "complete": False}
    draft = api_as(owner).post(f"/cases/{case.pk}/assessments", body).json()
    assert (draft["status"], draft["version"]) == ("draft", 1)
    again = {**body, "draft": draft["id"], "draft_version": 1, "answers": {"household_size": 4}}
    assert api_as(colleague).post(f"/cases/{case.pk}/assessments", again).status_code == 201
    assert_problem(api_as(owner).post(f"/cases/{case.pk}/assessments", again), 409)  # started from version 1
    done = {**again, "draft_version": 2, "answers": GOOD, "complete": True}
    submitted = api_as(owner).post(f"/cases/{case.pk}/assessments", done)
    assert submitted.status_code == 201 and submitted.json()["status"] == "complete"


def test_a_closed_case_takes_no_form(api_as, case, owner, visit):
    from passage.cases.actions import close_case

    close_case(case=case, acting_user=owner, reason="moved")
    assert_problem(api_as(owner).post(f"/cases/{case.pk}/assessments", {"form": str(visit.pk), "answers": GOOD}), 409)


# --- referrals ------------------------------------------------------------------------------------------------


def _refer(api: Api, case: Case, provider: Any, **values: Any) -> Any:
    body = {"provider": str(provider.pk), "service": "health", "reason": "A check-up.", "items": ["name", "phone"]}
    return api.post(f"/cases/{case.pk}/referrals", {**body, **values})


def test_a_referral_is_sent_answered_and_its_service_delivered(
    api_as, shared_case, owner, far_colleague, legal, lawyer, operation
):
    api = api_as(owner)
    sent = _refer(api, shared_case, legal)
    assert sent.status_code == 201, sent.content
    referral = sent.json()
    assert (referral["state"], referral["case_reference"], referral["link_url"]) == (
        "sent",
        shared_case.reference,
        None,
    )
    assert [item["reference"] for item in api.get(f"/cases/{shared_case.pk}/referrals").json()["items"]] == [
        referral["reference"]
    ]
    assert [item["id"] for item in api.get("/referrals", operation=operation.pk).json()["items"]] == [referral["id"]]

    # The provider's user: the inbox and the referral, what was shared, never the case.
    provider = api_as(lawyer)
    inbox = provider.get("/referrals/inbox").json()["items"]
    assert [item["id"] for item in inbox] == [referral["id"]] and "case_id" not in inbox[0]
    seen = provider.get(f"/referrals/{referral['id']}").json()
    assert (seen["case_id"], seen["person_reference"]) == (None, None)
    assert [row["code"] for row in seen["shared"]] == ["name", "phone"]
    assert_problem(provider.get(f"/cases/{shared_case.pk}/referrals"), 404)
    assert_problem(api_as(far_colleague).get(f"/referrals/{referral['id']}"), 404)
    assert_problem(api_as(far_colleague).post(f"/referrals/{referral['id']}/acknowledge"), 404)

    acknowledged = provider.post(f"/referrals/{referral['id']}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["state"] == "acknowledged"
    assert acknowledged.json()["case_id"] is None
    assert_problem(provider.post(f"/referrals/{referral['id']}/acknowledge"), 409)
    assert provider.post(f"/referrals/{referral['id']}/accept", {"note": "Tuesday"}).json()["state"] == "accepted"
    today = timezone.localdate().isoformat()
    problem = assert_problem(
        provider.post(f"/referrals/{referral['id']}/delivery", {"delivered_on": today, "service": ""}), 422
    )
    assert [error["field"] for error in problem["errors"]] == ["service"]
    delivered = provider.post(f"/referrals/{referral['id']}/delivery", {"delivered_on": today, "service": "Check-up"})
    assert delivered.status_code == 200 and delivered.json()["state"] == "delivered"


def test_a_referral_shares_only_what_the_person_agreed_to(api_as, case, shared_case, owner, clinic, legal, lawyer):
    api = api_as(owner)
    problem = assert_problem(_refer(api, shared_case, legal, items=["name", "address"]), 422)
    assert [error["field"] for error in problem["errors"]] == ["items"]
    by_link = _refer(api, shared_case, clinic).json()
    assert by_link["link_url"].startswith("http://testserver/")  # shown this once, to pass on
    rejected = api_as(lawyer).post(
        f"/referrals/{_refer(api, shared_case, legal).json()['id']}/reject", {"reason": "other"}
    )
    assert [error["field"] for error in assert_problem(rejected, 422)["errors"]] == ["note"]


def test_a_person_who_did_not_agree_to_share_is_not_referred(api_as, case, owner, clinic):
    problem = assert_problem(_refer(api_as(owner), case, clinic), 409)
    assert problem["detail"]
    assert not case.referrals.exists()
