"""Validation: a workflow that loads is also usable — every rule, with the line it points at."""

import textwrap

from passage.cases.workflows.loader import Known, check_workflow
from passage.cases.workflows.problems import Severity

VALID = textwrap.dedent(
    """\
    code: sample
    version: 1
    name: Sample
    programme_types: [protection]
    states:
      intake:
        kind: initial
        deadline: {days: 3, escalate: administrator}
      assessment:
        on_entry:
          - create_task: {title: Assess, role: caseworker, due_days: 5, form: vulnerability_domv}
      closed:
        kind: final
    transitions:
      start:
        from: intake
        to: assessment
        roles: [caseworker]
        requires:
          forms: [protection_intake]
          documents: [consent_form]
      close:
        from: assessment
        to: closed
        roles: [caseworker]
        requires:
          forms: [vulnerability_domv]
          approval: {role: caseworker}
    """
)
FORMS = Known(forms=["protection_intake", "vulnerability_domv"], documents=["consent_form"])


def errors(text: str, known: Known | None = None) -> list[str]:
    return [str(p) for p in check_workflow(text, known=known).problems if p.severity is Severity.ERROR]


def warnings(text: str, known: Known | None = None) -> list[str]:
    return [str(p) for p in check_workflow(text, known=known).problems if p.severity is Severity.WARNING]


def test_a_sound_workflow_has_no_problems():
    assert check_workflow(VALID, known=FORMS).problems == ()


def test_unreachable_state():
    text = VALID.replace("  closed:\n", "  archived: {}\n  closed:\n").replace(
        "transitions:\n", "transitions:\n  archive: {from: archived, to: closed, roles: [caseworker]}\n"
    )
    assert errors(text) == [
        "line 12, states.archived: unreachable: no transition leads here from the initial state 'intake'"
    ]


def test_dead_ends():
    text = VALID.replace("  closed:\n", "  waiting: {}\n  stuck: {}\n  closed:\n").replace(
        "transitions:\n",
        "transitions:\n"
        "  wait: {from: intake, to: waiting, roles: [caseworker]}\n"
        "  loop: {from: waiting, to: stuck, roles: [caseworker]}\n"
        "  back: {from: stuck, to: waiting, roles: [caseworker]}\n"
        "  park: {from: intake, to: parked, roles: [caseworker]}\n",
    )
    text = text.replace("  closed:\n", "  parked: {}\n  closed:\n")
    assert errors(text) == [
        "line 12, states.waiting: a dead end: no way from here leads to a final state",
        "line 13, states.stuck: a dead end: no way from here leads to a final state",
        "line 14, states.parked: a dead end: no transition leaves this state, and it is not final",
    ]


def test_transitions_no_role_may_take():
    text = VALID.replace(
        "    roles: [caseworker]\n    requires:\n      forms: [vulnerability_domv]",
        "    roles: [caseworkr, registrar]\n    requires:\n      forms: [vulnerability_domv]",
    )
    assert errors(text) == [
        "line 25, transitions.close.roles: unknown role 'caseworkr' (did you mean caseworker?)",
        "line 25, transitions.close.roles: unknown role 'registrar' (did you mean registration_clerk?)",
        "line 25, transitions.close.roles: no role may take this transition",
    ]
    empty = VALID.replace(
        "    roles: [caseworker]\n    requires:\n      forms: [vulnerability_domv]",
        "    roles: []\n    requires:\n      forms: [vulnerability_domv]",
    )
    assert errors(empty) == [
        "line 25, transitions.close.roles: no role may take this transition (list the roles that may)"
    ]


def test_roles_are_checked_against_the_list_given():
    assert errors(VALID, Known(roles=["caseworker"])) == [
        "line 8, states.intake.deadline.escalate: unknown role 'administrator'"
    ]


def test_unknown_forms_and_document_kinds_when_the_known_ones_are_given():
    assert errors(VALID) == []  # not given: not checked (the CLI says so)
    text = VALID.replace("forms: [protection_intake]", "forms: [protection_intak]").replace(
        "form: vulnerability_domv", "form: domv"
    )
    known = Known(forms=["protection_intake", "vulnerability_domv"], documents=["consent"])
    assert errors(text, known) == [
        "line 11, states.assessment.on_entry[0].create_task.form: unknown form 'domv'",
        "line 20, transitions.start.requires.forms: unknown form 'protection_intak' (did you mean protection_intake?)",
        "line 21, transitions.start.requires.documents: unknown document kind 'consent_form' (did you mean consent?)",
    ]


def test_unknown_case_fields_are_warnings():
    text = VALID.replace(
        "      documents: [consent_form]", "      documents: [consent_form]\n      fields: [destination]"
    )
    assert warnings(text, Known(fields=["destination_country"])) == [
        "line 22, transitions.start.requires.fields: unknown case field 'destination' "
        "(did you mean destination_country?)"
    ]


def test_exactly_one_initial_state():
    none = VALID.replace("    kind: initial\n", "")
    assert "line 5, states: no state is the initial one (kind: initial), so no case could start" in errors(none)
    two = VALID.replace("  assessment:\n", "  assessment:\n    kind: initial\n")
    assert errors(two) == [
        "line 10, states.assessment.kind: a second initial state (the first is 'intake'): "
        "a workflow starts in exactly one"
    ]


def test_at_least_one_final_state_and_none_left_again():
    no_final = VALID.replace("    kind: final\n", "")
    assert "line 5, states: no state is final (kind: final), so no case could ever close" in errors(no_final)
    leaving = VALID.replace(
        "transitions:\n", "transitions:\n  reopen: {from: closed, to: intake, roles: [caseworker]}\n"
    )
    assert errors(leaving) == [
        "line 15, transitions.reopen.from: 'closed' is a final state: no transition may leave it"
    ]


def test_transitions_name_states_that_exist():
    text = VALID.replace("    from: assessment\n", "    from: [assesment]\n")
    assert "line 23, transitions.close.from: unknown state 'assesment' (did you mean assessment?)" in errors(text)


def test_deadlines_escalations_and_actions():
    text = (
        VALID.replace("deadline: {days: 3, escalate: administrator}", "deadline: {hours: 4, escalate: admin}")
        .replace("role: caseworker, due_days: 5", "role: case_worker")
        .replace("    kind: final\n", "    kind: final\n    deadline: {days: 1}\n")
    )
    assert errors(text) == [
        "line 8, states.intake.deadline.escalate: unknown role 'admin' (did you mean administrator?)",
        "line 11, states.assessment.on_entry[0].create_task.role: unknown role 'case_worker' "
        "(did you mean caseworker?)",
    ]
    assert warnings(text) == [
        "line 11, states.assessment.on_entry[0].create_task: a task without due_days is due the day it is created",
        "line 14, states.closed.deadline: a final state's deadline never matters: a closed case waits for nothing",
    ]


def test_approvals_and_different_person_name_known_roles_and_transitions():
    text = VALID.replace(
        "approval: {role: caseworker}", "approval: {role: supervisor}\n      different_person_from: [strat]"
    )
    assert errors(text) == [
        "line 28, transitions.close.requires.approval: unknown role 'supervisor'",
        "line 29, transitions.close.requires.different_person_from: unknown transition 'strat' (did you mean start?)",
    ]


def test_programme_types_are_passages():
    text = VALID.replace("programme_types: [protection]", "programme_types: [protections, avrr]")
    assert errors(text) == [
        "line 4, programme_types: unknown programme type 'protections' (did you mean protection?)",
        "line 4, programme_types: unknown programme type 'avrr'",
    ]


def test_messages_can_be_translated():
    translations = {"no role may take this transition": "aucun rôle ne peut prendre cette transition"}
    translated = check_workflow(
        VALID.replace("roles: [caseworker]", "roles: [nobody]"), gettext=lambda text: translations.get(text, text)
    )
    assert "line 18, transitions.start.roles: aucun rôle ne peut prendre cette transition" in [
        str(p) for p in translated.problems
    ]
