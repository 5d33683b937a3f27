"""An operation's own workflow versions, through their actions: drafts refused with every problem by line,
saved with their warnings, published; cases opened before keep their version and its steps, cases opened after
take the new one; only administrators edit; every change audited with what it changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from passage.cases import procedure
from passage.cases import workflow_actions as actions
from passage.cases import workflow_queries as queries
from passage.cases.actions import open_case, transition_case
from passage.cases.models.workflows import WorkflowVersion
from passage.cases.procedure import TransitionRefused
from passage.cases.tests.conftest import register_person
from passage.cases.workflows.problems import WorkflowInvalid
from passage.core.models import AuditEvent
from passage.core.tests.factories import ProgrammeFactory, member_of

CODE = "protection_assistance"  # the shipped protection workflow, version 1
FAST_TRACK = """
  fast_track:
    from: screening
    to: assistance_plan
    label: Fast track to a plan
    roles: [caseworker]
"""


def edited(operation: Any, *, version: int = 2, extra: str = FAST_TRACK) -> str:
    """The text in use, as `version`, with `extra` transitions added at the end."""
    text = queries.text_of(operation, CODE, queries.in_use(operation, CODE).version) or ""
    return queries.with_version(text, version).rstrip("\n") + "\n" + extra


@pytest.fixture
def protection(operation: Any) -> Any:
    return ProgrammeFactory(operation=operation, code="pda", name="Protection", type="protection")


@pytest.fixture
def owner(operation: Any, office: Any) -> Any:
    return member_of(operation, "caseworker", offices=[office])


def opened(protection: Any, office: Any, owner: Any) -> Any:
    person = register_person(protection.operation, office)
    return open_case(acting_user=owner, programme=protection, office=office, person=person)


def publish(operation: Any, administrator: Any, text: str) -> WorkflowVersion:
    draft = actions.save_draft(operation=operation, code=CODE, text=text, acting_user=administrator)
    return actions.publish_draft(draft=draft, acting_user=administrator)


# --- drafts ---------------------------------------------------------------------------------------------------


def test_a_draft_with_errors_is_refused_with_every_problem_by_line_and_nothing_is_saved(operation, administrator):
    text = edited(
        operation, extra=FAST_TRACK.replace("[caseworker]", "[caseworkr]").replace("assistance_plan", "planz")
    )
    with pytest.raises(WorkflowInvalid) as refused:
        actions.save_draft(operation=operation, code=CODE, text=text, acting_user=administrator)
    lines = text.splitlines()
    errors = {problem.message.split(" (")[0]: problem.line for problem in refused.value.problems if problem.is_error}
    assert "unknown role 'caseworkr'" in errors and "unknown state 'planz'" in errors
    assert "[caseworkr]" in lines[errors["unknown role 'caseworkr'"] - 1]
    assert "to: planz" in lines[errors["unknown state 'planz'"] - 1]
    assert not WorkflowVersion.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="workflow.").exists()


def test_a_yaml_error_is_named_with_its_line(operation, administrator):
    text = edited(operation, extra="  broken: [unclosed\n")
    with pytest.raises(WorkflowInvalid) as refused:
        actions.save_draft(operation=operation, code=CODE, text=text, acting_user=administrator)
    assert refused.value.problems[0].line is not None
    assert refused.value.problems[0].line >= len(text.splitlines()) - 1


def test_the_draft_must_keep_its_code_and_take_the_next_version(operation, administrator):
    text = edited(operation, version=7).replace(f"code: {CODE}", "code: something_else")
    checked = queries.check_text(text, operation=operation, code=CODE, version=2)
    by_path = {problem.path: problem for problem in checked.errors}
    assert by_path["version"].message.startswith("the version must be 2")
    assert text.splitlines()[by_path["version"].line - 1] == "version: 7"
    assert text.splitlines()[by_path["code"].line - 1] == "code: something_else"


def test_a_draft_is_saved_with_its_warnings_and_audited_with_what_changed(operation, administrator):
    extra = FAST_TRACK + "    requires: {fields: [favourite_colour]}\n"
    draft = actions.save_draft(
        operation=operation, code=CODE, text=edited(operation, extra=extra), acting_user=administrator
    )
    assert (draft.version, draft.published, draft.based_on_version) == (2, False, 1)
    assert draft.shipped_file == "protection_assistance.yaml"
    assert [problem["path"] for problem in draft.problems] == ["transitions.fast_track.requires.fields"]
    event = AuditEvent.objects.get(action="workflow.draft_save")
    assert (event.changes["lines_added"], event.changes["lines_removed"]) == (8, 1) and event.changes[
        "transitions_added"
    ] == ["fast_track"]
    assert event.object_id == str(draft.pk) and event.operation_id == operation.pk


def test_starting_from_the_shipped_version_numbers_the_next_and_keeps_the_comments(operation, administrator):
    draft = actions.start_version(operation=operation, code=CODE, acting_user=administrator, base="shipped")
    shipped = queries.shipped_text(CODE, 1) or ""
    assert draft.version == 2
    assert draft.text == shipped.replace("\nversion: 1\n", "\nversion: 2\n")
    assert draft.text.startswith("# Protection and direct assistance")
    with pytest.raises(ValidationError, match="a draft already"):
        actions.start_version(operation=operation, code=CODE, acting_user=administrator)
    actions.discard_draft(draft=draft, acting_user=administrator)
    assert not WorkflowVersion.objects.exists()
    assert AuditEvent.objects.filter(action="workflow.draft_discard").exists()


def test_a_second_editor_does_not_overwrite_the_first(operation, administrator, persona):
    other = persona("administrator")
    draft = actions.start_version(operation=operation, code=CODE, acting_user=administrator)
    opened_at = draft.revision
    actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=other, revision=opened_at)
    with pytest.raises(actions.DraftConflict, match="saved this draft"):
        actions.save_draft(
            operation=operation, code=CODE, text=edited(operation) + "\n", acting_user=administrator, revision=opened_at
        )


# --- publishing and the cases -------------------------------------------------------------------------------


def test_open_cases_keep_their_version_and_its_steps_and_new_cases_take_the_published_one(
    operation, administrator, protection, office, owner
):
    before = opened(protection, office, owner)
    assert (before.workflow_code, before.workflow_version) == (CODE, 1)

    published = publish(operation, administrator, edited(operation))
    assert published.published and published.published_by == administrator
    after = opened(protection, office, owner)
    assert (after.workflow_code, after.workflow_version) == (CODE, 2)

    assert "fast_track" not in {t.code for t in procedure.workflow_of(before).transitions}
    with pytest.raises(TransitionRefused, match="no step 'fast_track'"):
        transition_case(case=before, transition="fast_track", acting_user=owner, version=before.version)
    moved = transition_case(case=after, transition="fast_track", acting_user=owner, version=after.version)
    assert moved.state == "assistance_plan"

    event = AuditEvent.objects.get(action="workflow.publish")
    assert event.changes["version"] == [1, 2] and event.changes["transitions_added"] == ["fast_track"]
    assert event.note == "+7 −1 lines against v1"


def test_an_operations_version_is_its_own(operation, other_operation, administrator, protection, office, owner):
    publish(operation, administrator, edited(operation))
    assert queries.in_use(operation, CODE).version == 2
    assert queries.in_use(other_operation, CODE).version == 1
    elsewhere = ProgrammeFactory(operation=other_operation, code="pda", type="protection")
    assert procedure.workflow_for(elsewhere).version == 1
    assert procedure.resolve(other_operation.pk, CODE, 1).version == 1


def test_the_next_version_after_a_published_one(operation, administrator):
    publish(operation, administrator, edited(operation))
    third = actions.start_version(operation=operation, code=CODE, acting_user=administrator)
    assert (third.version, third.based_on_version) == (3, 2)
    assert "fast_track" in third.text  # started from the version in use, the operation's own
    assert third.shipped_file == "protection_assistance.yaml"


def test_a_published_version_never_changes(operation, administrator):
    published = publish(operation, administrator, edited(operation))
    with pytest.raises(ValidationError, match="published or discarded"):
        actions.publish_draft(draft=published, acting_user=administrator)


def test_removing_a_programme_type_is_warned(operation):
    text = edited(operation, extra="").replace(
        "programme_types: [protection, idp_relief]", "programme_types: [protection]"
    )
    checked = queries.check_text(text, operation=operation, code=CODE, version=2)
    assert checked.ok
    assert [problem.message for problem in checked.warnings] == [
        "new cases of idp_relief programmes will no longer start on this workflow"
    ]


def test_a_step_may_require_a_form_the_operation_uploaded(operation, administrator):
    from passage.cases.models import FormTemplate

    text = edited(operation, extra=FAST_TRACK + "    requires: {forms: [local_screening]}\n")
    unknown = queries.check_text(text, operation=operation, code=CODE, version=2)
    assert [problem.message.split(" (")[0] for problem in unknown.errors] == ["unknown form 'local_screening'"]
    FormTemplate.objects.create(operation=operation, code="local_screening", title="Local screening")
    assert queries.check_text(text, operation=operation, code=CODE, version=2).ok


# --- who may ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["caseworker", "data_protection_officer", "registration_clerk"])
def test_only_administrators_edit_workflows(operation, persona, role):
    with pytest.raises(PermissionDenied):
        actions.start_version(operation=operation, code=CODE, acting_user=persona(role))
    with pytest.raises(PermissionDenied):
        actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=persona(role))


def test_an_administrator_of_another_operation_may_not_edit_this_ones(operation, outsider):
    with pytest.raises(PermissionDenied):
        actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=outsider)


# --- reading ------------------------------------------------------------------------------------------------


def test_two_versions_side_by_side():
    diff = queries.side_by_side("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nD\ne\nf\ng\nh\ni\n", context=1)
    kinds = [(row.kind, row.left_no, row.right_no) for row in diff.rows]
    assert kinds == [
        ("gap", None, None),
        ("equal", 3, 3),
        ("replace", 4, 4),
        ("equal", 5, 5),
        ("gap", None, None),
        ("equal", 8, 8),
        ("insert", None, 9),
    ]
    assert (diff.added, diff.removed) == (2, 1)


def test_the_list_counts_the_open_cases_on_each_version(operation, administrator, protection, office, owner):
    opened(protection, office, owner)
    publish(operation, administrator, edited(operation))
    opened(protection, office, owner)
    opened(protection, office, owner)
    summary = next(s for s in queries.summaries(administrator, operation) if s.code == CODE)
    assert summary.in_use == 2
    assert [(v.version, v.origin, v.open_cases, v.in_use) for v in summary.versions] == [
        (2, "operation", 2, True),
        (1, "shipped", 1, False),
    ]
