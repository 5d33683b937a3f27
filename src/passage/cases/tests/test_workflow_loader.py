"""Reading a workflow file: every problem of form is named with its line and path, all of them at once."""

import textwrap

import pytest

from passage.cases.workflows.definition import ActionKind, StateKind
from passage.cases.workflows.loader import check_workflow, load_workflow, parse_workflow
from passage.cases.workflows.problems import WorkflowInvalid

SAMPLE = textwrap.dedent(
    """\
    code: sample
    version: 2
    name:
      en: Sample procedure
      ar: إجراء نموذجي
    programme_types: [protection]
    states:
      open:
        kind: initial
        label: Open
        deadline:
          days: 5
          escalate: {to: administrator, action: create_task, title: Look at this case}
        on_entry:
          - create_task: {title: Screen the person, role: caseworker, due_days: 2, form: vulnerability_domv}
          - notify: {role: caseworker}
      review:
        deadline: {hours: 36, escalate: administrator}
        on_entry:
          - schedule_follow_up: {days: 30}
      closed:
        kind: final
        on_entry:
          - close_referrals
          - close_tasks
    transitions:
      submit:
        from: open
        to: review
        roles: [caseworker]
        requires:
          forms: [vulnerability_domv]
          documents: [consent_form]
          fields: [destination_country]
      approve:
        from: review
        to: closed
        label: Approve
        roles: caseworker
        requires:
          approval: {role: caseworker}
          reason: true
      withdraw:
        from: "*"
        to: closed
        roles: [caseworker, administrator]
    """
)


def problems_of(text: str) -> list[str]:
    return [str(problem) for problem in check_workflow(text).problems]


def test_reads_every_part_of_the_language():
    workflow = load_workflow(SAMPLE)
    assert workflow.key == ("sample", 2)
    assert workflow.name.get("ar") == "إجراء نموذجي"
    assert workflow.name.get("fr") == "Sample procedure"  # no French: English (or the site's translation)
    assert workflow.name.get("fr", gettext=lambda text: f"[{text}]") == "[Sample procedure]"
    assert workflow.programme_types == ("protection",)
    assert [state.code for state in workflow.states] == ["open", "review", "closed"]
    opened = workflow.state("open")
    assert opened.kind is StateKind.INITIAL and opened.label.msgid == "Open"
    assert opened.deadline is not None and opened.deadline.days == 5
    assert opened.deadline.escalation is not None
    assert opened.deadline.escalation.action is ActionKind.CREATE_TASK
    assert [action.kind for action in opened.on_entry] == [ActionKind.CREATE_TASK, ActionKind.NOTIFY]
    assert opened.on_entry[0].form == "vulnerability_domv" and opened.on_entry[0].due_days == 2
    review = workflow.state("review")
    assert review.label.msgid == "Review"  # no label: the code, readable
    assert review.deadline is not None and review.deadline.duration.total_seconds() == 36 * 3600
    assert review.on_entry[0].due_days == 30
    submit = workflow.transition("submit")
    assert submit.requires.forms == ("vulnerability_domv",)
    assert submit.requires.documents == ("consent_form",)
    assert submit.requires.fields == ("destination_country",)
    approve = workflow.transition("approve")
    assert approve.roles == ("caseworker",)  # one role may be written without brackets
    assert approve.requires.approval is not None and approve.requires.approval.role == "caseworker"
    assert approve.requires.reason
    withdraw = workflow.transition("withdraw")
    assert withdraw.from_any and withdraw.sources == ("open", "review")  # every open state but its target
    assert len(workflow.digest) == 64


def test_the_definition_is_immutable():
    workflow = load_workflow(SAMPLE)
    with pytest.raises(AttributeError):
        workflow.version = 3  # type: ignore[misc]
    assert isinstance(workflow.states, tuple) and isinstance(workflow.transition("submit").roles, tuple)


def test_unknown_key_names_line_path_and_the_likely_key():
    text = SAMPLE.replace(
        "    roles: [caseworker]\n    requires:\n      forms", "    rolse: [caseworker]\n    requires:\n      forms"
    )
    problems = problems_of(text)
    assert (
        "line 30, transitions.submit.rolse: unknown key 'rolse' (did you mean roles?) "
        "(expected one of: from, to, label, description, roles, requires)" in problems
    )
    assert "line 27, transitions.submit: missing 'roles'" in problems


def test_problems_are_collected_not_only_the_first():
    text = (
        SAMPLE.replace("kind: final", "kind: finale")
        .replace("days: 5\n", "days: -5\n")
        .replace("- notify: {role: caseworker}", "- notfy: {role: caseworker}")
        .replace("reason: true", "reason: maybe")
    )
    problems = problems_of(text)
    assert (
        "line 22, states.closed.kind: unknown kind 'finale' (did you mean final?) "
        "(expected one of: initial, active, final)" in problems
    )
    assert "line 12, states.open.deadline.days: must be 0 or more (-5)" in problems
    assert any(
        p.startswith("line 16, states.open.on_entry[1]: unknown action 'notfy' (did you mean notify?)")
        for p in problems
    )
    assert "line 42, transitions.approve.requires.reason: expected true or false, found 'maybe'" in problems
    assert problems == sorted(problems, key=lambda p: int(p.split(",")[0].removeprefix("line ")))


def test_duplicate_codes_are_errors():
    text = SAMPLE.replace("  closed:\n    kind: final", "  review:\n    kind: final\n  closed:\n    kind: final")
    assert "line 21, states.review: 'review' appears twice (first on line 17)" in problems_of(text)


def test_yaml_syntax_error_names_its_line():
    parsed = parse_workflow("code: x\nversion: 1\nname: [unclosed\nstates: {}\n")
    assert parsed.workflow is None
    assert len(parsed.problems) == 1 and parsed.problems[0].line == 4


def test_one_workflow_per_file():
    parsed = parse_workflow(SAMPLE + "---\n" + SAMPLE)
    assert [problem.message for problem in parsed.problems] == [
        "one workflow per file (this one holds several YAML documents)"
    ]


def test_not_a_workflow_at_all():
    assert [str(p) for p in parse_workflow("").problems] == ["the file is empty"]
    assert "a workflow file is a mapping" in str(parse_workflow("- a\n- b\n").problems[0])
    missing = [str(p) for p in check_workflow("code: x\n").problems]
    assert "version: missing (every workflow has code, version, name, states, transitions)" in missing


def test_codes_versions_deadlines_and_actions_are_checked():
    text = (
        SAMPLE.replace("code: sample", "code: Sample Workflow")
        .replace("version: 2", "version: 0")
        .replace("deadline: {hours: 36, escalate: administrator}", "deadline: {days: 0}")
        .replace("- schedule_follow_up: {days: 30}", "- schedule_follow_up: {title: Visit}")
        .replace(
            "escalate: {to: administrator, action: create_task, title: Look at this case}",
            "escalate: {to: administrator, action: email}",
        )
    )
    problems = problems_of(text)
    assert (
        "line 1, code: 'Sample Workflow' is not a code: lower-case letters, digits and _, starting with a letter"
        in problems
    )
    assert "line 2, version: must be positive (0)" in problems
    assert "line 18, states.review.deadline: a deadline must be longer than zero" in problems
    assert "line 20, states.review.on_entry[0].schedule_follow_up: schedule_follow_up needs days" in problems
    assert (
        "line 13, states.open.deadline.escalate.action: an escalation may notify or create_task, not 'email'"
        in problems
    )


def test_a_label_in_several_languages_needs_english():
    text = SAMPLE.replace("  en: Sample procedure\n", "  de: Musterverfahren\n")
    problems = problems_of(text)
    assert "line 4, name: needs an English text (en), the message id other languages translate" in problems
    assert "line 4, name.de: language 'de' is not one of Passage's (en, fr, es, ar)" in problems


def test_load_refuses_a_file_with_errors_and_lists_them_all():
    with pytest.raises(WorkflowInvalid) as refused:
        load_workflow(SAMPLE.replace("to: review", "to: reveiw"), source="mine.yaml")
    assert str(refused.value).startswith("mine.yaml: ")
    problems = [str(problem) for problem in refused.value.problems]
    assert "line 29, transitions.submit.to: unknown state 'reveiw' (did you mean review?)" in problems
    assert "line 17, states.review: unreachable: no transition leads here from the initial state 'open'" in problems
