"""The engine the Case actions ask: which steps a person may take now, and what is missing before each."""

from datetime import UTC, datetime, timedelta

import pytest

from passage.cases.workflows.engine import (
    CaseFacts,
    GivenApproval,
    VersionConflict,
    WorkflowRegistry,
    available_transitions,
    check_transition,
    deadline_of,
    is_overdue,
)
from passage.cases.workflows.loader import load_workflow
from passage.cases.workflows.shipped import catalogue, shipped_workflows

CLAIMS = shipped_workflows().latest("reparation_claims")
NAMES = catalogue().names
OFFICER, SECOND_OFFICER, FINANCE = "officer-1", "officer-2", "finance-1"


def approval(transition: str, approver: str, *roles: str) -> GivenApproval:
    return GivenApproval(transition, approver, frozenset(roles))


def test_a_claims_officer_sees_the_steps_of_their_role_with_what_is_missing():
    options = available_transitions(
        CLAIMS, "completeness_check", roles={"claims_officer"}, user=OFFICER, facts=CaseFacts(), names=NAMES
    )
    assert [option.transition.code for option in options] == [
        "mark_incomplete",
        "accept_complete",
        "claimant_deceased",
        "withdraw",
    ]
    by_code = {option.transition.code: option for option in options}
    assert by_code["mark_incomplete"].ready and by_code["mark_incomplete"].needs_reason
    assert [str(m) for m in by_code["accept_complete"].missing] == [
        "no document of the kind Identity document",
        "no document of the kind Evidence of the violation",
    ]
    complete = CaseFacts.of(documents={"identity_document", "proof_of_violation"})
    options = available_transitions(
        CLAIMS, "completeness_check", roles={"claims_officer"}, user=OFFICER, facts=complete, names=NAMES
    )
    assert next(o for o in options if o.transition.code == "accept_complete").ready


def test_roles_without_a_step_see_none_of_it():
    options = available_transitions(CLAIMS, "award", roles={"caseworker"}, user=OFFICER, facts=CaseFacts())
    assert options == ()
    finance = available_transitions(CLAIMS, "award", roles={"finance_officer"}, user=FINANCE, facts=CaseFacts())
    assert [option.transition.code for option in finance] == ["schedule_payment"]


def test_four_eyes_the_same_person_may_not_approve_their_own_decision():
    ready = CaseFacts.of(fields={"decision_outcome"})
    missing = check_transition(
        CLAIMS,
        "grouped_for_decision",
        "decide",
        roles={"claims_officer"},
        user=OFFICER,
        facts=ready,
        reason="Category A",
    )
    assert [(m.kind, str(m)) for m in missing] == [
        ("approval", "approval by a second person (Claims officer) has not been given")
    ]
    self_approved = CaseFacts.of(fields={"decision_outcome"}, approvals=[approval("decide", OFFICER, "claims_officer")])
    missing = check_transition(
        CLAIMS,
        "grouped_for_decision",
        "decide",
        roles={"claims_officer"},
        user=OFFICER,
        facts=self_approved,
        reason="A",
    )
    assert [(m.kind, str(m)) for m in missing] == [
        ("same_approver", "approval by a second person (Claims officer): you cannot approve your own step")
    ]
    wrong_role = CaseFacts.of(fields={"decision_outcome"}, approvals=[approval("decide", FINANCE, "finance_officer")])
    assert [
        m.kind
        for m in check_transition(
            CLAIMS,
            "grouped_for_decision",
            "decide",
            roles={"claims_officer"},
            user=OFFICER,
            facts=wrong_role,
            reason="A",
        )
    ] == ["approval"]
    other_step = CaseFacts.of(
        fields={"decision_outcome"}, approvals=[approval("reject_incomplete", SECOND_OFFICER, "claims_officer")]
    )
    assert [
        m.kind
        for m in check_transition(
            CLAIMS,
            "grouped_for_decision",
            "decide",
            roles={"claims_officer"},
            user=OFFICER,
            facts=other_step,
            reason="A",
        )
    ] == ["approval"]
    approved = CaseFacts.of(
        fields={"decision_outcome"}, approvals=[approval("decide", SECOND_OFFICER, "claims_officer")]
    )
    assert (
        check_transition(
            CLAIMS, "grouped_for_decision", "decide", roles={"claims_officer"}, user=OFFICER, facts=approved, reason="A"
        )
        == ()
    )


def test_an_appeal_is_decided_by_someone_other_than_whoever_decided_the_claim():
    facts = CaseFacts.of(fields={"appeal_outcome"}, taken_by={"decide": [OFFICER]})
    missing = check_transition(
        CLAIMS, "appeal", "decide_appeal", roles={"claims_officer"}, user=OFFICER, facts=facts, reason="Upheld"
    )
    assert [(m.kind, m.code) for m in missing] == [("different_person", "decide")]
    assert (
        check_transition(
            CLAIMS,
            "appeal",
            "decide_appeal",
            roles={"claims_officer"},
            user=SECOND_OFFICER,
            facts=facts,
            reason="Upheld",
        )
        == ()
    )


def test_a_reason_the_role_and_the_state_are_checked_when_the_step_is_taken():
    missing = check_transition(
        CLAIMS, "completeness_check", "mark_incomplete", roles={"finance_officer"}, user=FINANCE, facts=CaseFacts()
    )
    assert [str(m) for m in missing] == ["only Claims officer may take this step", "a reason is required"]
    wrong_state = check_transition(
        CLAIMS, "payment", "mark_incomplete", roles={"claims_officer"}, user=OFFICER, facts=CaseFacts(), reason="x"
    )
    assert [str(m) for m in wrong_state] == ["'Incomplete' cannot be taken from the state Payment scheduled"]
    unknown = check_transition(CLAIMS, "payment", "teleport", roles={"claims_officer"}, user=OFFICER, facts=CaseFacts())
    assert [str(m) for m in unknown] == ["this workflow has no step 'teleport'"]


def test_reasons_are_translated():
    french = {"a reason is required": "une raison est requise"}
    missing = check_transition(
        CLAIMS,
        "completeness_check",
        "mark_incomplete",
        roles={"claims_officer"},
        user=OFFICER,
        facts=CaseFacts(),
        gettext=lambda text: french.get(text, text),
    )
    assert [str(m) for m in missing] == ["une raison est requise"]


def test_from_any_open_state():
    for state in ("received", "verification", "payment", "appeal_window"):
        assert "withdraw" in [
            o.transition.code
            for o in available_transitions(CLAIMS, state, roles={"claims_officer"}, user=OFFICER, facts=CaseFacts())
        ]
    assert available_transitions(CLAIMS, "closed", roles={"claims_officer"}, user=OFFICER, facts=CaseFacts()) == ()


def test_deadlines():
    entered = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    deficiency = CLAIMS.state("deficiency_notice")
    assert deadline_of(deficiency, entered) == entered + timedelta(days=60)
    assert not is_overdue(deficiency, entered, entered + timedelta(days=59))
    assert is_overdue(deficiency, entered, entered + timedelta(days=60, seconds=1))
    assert deadline_of(CLAIMS.state("closed"), entered) is None
    ct = shipped_workflows().latest("counter_trafficking")
    assert deadline_of(ct.state("screening"), entered) == entered + timedelta(hours=48)
    with pytest.raises(ValueError, match="aware"):
        deadline_of(deficiency, datetime(2025, 3, 1, 9, 0))  # noqa: DTZ001


V1 = """\
code: sample
version: 1
name: Sample
states:
  open: {kind: initial}
  closed: {kind: final}
transitions:
  close: {from: open, to: closed, roles: [caseworker]}
"""
V2 = (
    V1.replace("version: 1", "version: 2")
    .replace("  closed: {kind: final}", "  review: {}\n  closed: {kind: final}")
    .replace(
        "  close: {from: open, to: closed, roles: [caseworker]}",
        "  submit: {from: open, to: review, roles: [caseworker]}\n"
        "  close: {from: review, to: closed, roles: [caseworker], requires: {approval: caseworker}}",
    )
)


def test_a_case_keeps_the_version_it_started_with():
    registry = WorkflowRegistry([load_workflow(V1)])
    started_on = registry.latest("sample")
    registry.add(load_workflow(V2))
    assert registry.versions("sample") == [1, 2]
    assert registry.latest("sample").version == 2
    old_case = registry.get("sample", started_on.version)
    assert [
        o.transition.code
        for o in available_transitions(old_case, "open", roles={"caseworker"}, user="u", facts=CaseFacts())
    ] == ["close"]
    new_case = registry.get("sample", 2)
    assert [
        o.transition.code
        for o in available_transitions(new_case, "open", roles={"caseworker"}, user="u", facts=CaseFacts())
    ] == ["submit"]
    with pytest.raises(KeyError, match="versions: 1, 2"):
        registry.get("sample", 3)


def test_a_published_version_never_changes():
    registry = WorkflowRegistry([load_workflow(V1)])
    registry.add(load_workflow(V1))  # the same text again: nothing happens
    changed = V1.replace("name: Sample", "name: Sample, renamed")
    with pytest.raises(VersionConflict, match="give the changed workflow version 2"):
        registry.add(load_workflow(changed))


def test_workflows_for_a_programme_type():
    registry = shipped_workflows()
    assert [w.code for w in registry.for_programme_type("reparations")] == ["reparation_claims"]
    assert [w.code for w in registry.for_programme_type("return_reintegration")] == ["avrr"]
