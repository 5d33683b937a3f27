"""Fixtures of the case tests: a small protection workflow, two offices and two programmes of one operation, the
people who work there, and people to open cases for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from passage.cases import procedure
from passage.cases.actions import open_case
from passage.cases.models import Case
from passage.cases.workflows.engine import WorkflowRegistry
from passage.cases.workflows.loader import load_workflow
from passage.core.models import Operation, User
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory, member_of
from passage.registry.actions import register_household
from passage.registry.registration import ConsentInput, PersonInput

# Every feature the cases use: tasks, follow-ups and notifications on entry, a deadline escalated to the
# administrator, a document, a field, a reason, a second person's approval, a final state that closes tasks.
WORKFLOW = """
code: test_protection
version: 1
name: Protection (test)
programme_types: [protection]
states:
  intake:
    kind: initial
    label: Intake
    deadline:
      days: 3
      escalate: {to: administrator, action: create_task, title: Intake is overdue}
    on_entry:
      - create_task: {title: Screen the person, role: caseworker, due_days: 2}
  assessment:
    label: Assessment
    deadline: {days: 10}
    on_entry:
      - notify: {role: administrator, message: A case is in assessment}
  plan:
    label: Assistance plan
    on_entry:
      - schedule_follow_up: {days: 30, title: Follow-up visit, role: caseworker}
  referred:
    label: Referred
  closed:
    kind: final
    label: Closed
    on_entry:
      - close_tasks
transitions:
  assess:
    from: intake
    to: assessment
    label: Start the assessment
    roles: [caseworker]
    requires: {documents: [consent_form]}
  agree_plan:
    from: assessment
    to: plan
    label: Agree the plan
    roles: [caseworker]
    requires: {approval: administrator, reason: true}
  refer:
    from: plan
    to: referred
    roles: [caseworker]
    requires: {fields: [referred_to]}
  close:
    from: "*"
    to: closed
    label: Close
    roles: [caseworker, administrator]
    requires: {reason: true}
"""


@pytest.fixture
def workflows() -> Iterator[WorkflowRegistry]:
    """Cases run on the test workflow above (instead of the shipped library)."""
    with procedure.using(WorkflowRegistry([load_workflow(WORKFLOW)])) as registry:
        yield registry


@pytest.fixture
def office(operation: Operation) -> Any:
    return OfficeFactory(operation=operation, code="ebl", name="Erbil")


@pytest.fixture
def other_office(operation: Operation) -> Any:
    return OfficeFactory(operation=operation, code="msl", name="Mosul")


@pytest.fixture
def programme(operation: Operation, workflows: WorkflowRegistry) -> Any:
    return ProgrammeFactory(operation=operation, code="pda", name="Protection", type="protection")


@pytest.fixture
def other_programme(operation: Operation, workflows: WorkflowRegistry) -> Any:
    return ProgrammeFactory(operation=operation, code="pda2", name="Protection (second)", type="protection")


@pytest.fixture
def owner(operation: Operation, office: Any) -> User:
    """A caseworker of the Erbil office: the caseworker of the cases below."""
    return member_of(operation, "caseworker", offices=[office])


@pytest.fixture
def colleague(operation: Operation, office: Any) -> User:
    return member_of(operation, "caseworker", offices=[office])


@pytest.fixture
def far_colleague(operation: Operation, other_office: Any) -> User:
    """A caseworker of the Mosul office."""
    return member_of(operation, "caseworker", offices=[other_office])


def register_person(operation: Operation, office: Any, name: str = "Amal") -> Any:
    household = register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(relationship="head", consent=ConsentInput(granted=True, method="verbal"), given_name_latin=name)
        ],
    )
    return household.members.get().person


@pytest.fixture
def person(operation: Operation, office: Any) -> Any:
    return register_person(operation, office)


@pytest.fixture
def new_case(programme: Any, office: Any, owner: User) -> Callable[..., Case]:
    """new_case(person, **options) -> a case opened by the owner."""

    def make(subject: Any = None, **options: Any) -> Case:
        subject = subject or register_person(programme.operation, office)
        kind = subject._meta.model_name
        return open_case(acting_user=owner, programme=programme, office=office, **{kind: subject}, **options)

    return make


@pytest.fixture
def case(new_case: Callable[..., Case], person: Any) -> Case:
    return new_case(person)
