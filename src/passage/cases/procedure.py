"""The cases' side of the workflow engine (passage.cases.workflows): which workflow a case runs, its states in
words, deadlines, the roles a person holds on a case, and what they may do next with what is missing for each.

The engine answers without a database; this module gathers what it needs: the workflow by (code, version) for
the case's operation (resolve: the operation's own published version, else the one shipped in the registry),
the person's roles on the case (their memberships whose programmes and offices include it), and the case's
facts (passage.cases.queries.case_facts: documents present, fields set, approvals given, who took which step —
forms completed will come from assessments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from passage.cases.access import is_named
from passage.cases.models import Case, CaseApproval
from passage.cases.workflows import engine
from passage.cases.workflows.definition import Approval, State, Text, Transition, Workflow, humanise
from passage.core.models import Membership, User

OTHER_DOCUMENT = "other"  # a kind every case accepts, beside those its workflow asks for

_registry: engine.WorkflowRegistry | None = None


class TransitionRefused(Exception):
    """A transition the case cannot take now; `reasons` say why, in words a person can act on."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = [str(reason) for reason in reasons]
        super().__init__("; ".join(self.reasons))


def registry() -> engine.WorkflowRegistry:
    """The workflows cases run on, by (code, version): the library Passage ships, loaded once."""
    global _registry
    if _registry is None:
        _registry = engine.WorkflowRegistry(_shipped())
    return _registry


def _shipped() -> list[Workflow]:
    from passage.cases.workflows.shipped import shipped_workflows

    found = shipped_workflows()
    return [found.get(code, version) for code in found.codes() for version in found.versions(code)]


def catalogue_names() -> dict[str, str]:
    """Readable names of the forms, document kinds and fields the shipped workflows name, by code."""
    from passage.cases.workflows.shipped import catalogue

    return catalogue().names


@contextmanager
def using(workflows: engine.WorkflowRegistry) -> Iterator[engine.WorkflowRegistry]:
    """Run with another registry (tests, and a check of workflows before they are published)."""
    global _registry
    before, _registry = _registry, workflows
    try:
        yield workflows
    finally:
        _registry = before


def label(text: Text | None) -> str:
    """A workflow's text in the reader's language."""
    if text is None:
        return ""
    return text.get(get_language() or "en", gettext=_)


def resolve(operation_id: Any, code: str, version: int) -> Workflow:
    """The workflow (code, version) as an operation runs it: the operation's own published version by that
    number (written by its administrators, passage.cases.models.workflows), else the one Passage ships.
    KeyError when neither exists."""
    from passage.cases.workflow_queries import stored_workflow

    found = stored_workflow(operation_id, code, version, shipped=(code, version) in registry())
    return found if found is not None else registry().get(code, version)


def latest_in(operation_id: Any, code: str) -> Workflow:
    """The version of `code` new cases of the operation start on: its newest published own version, else the
    newest shipped one (a newer shipped version does not replace an operation's own: it is offered)."""
    from passage.cases.workflow_queries import latest_published

    own = latest_published(operation_id).get(code)
    return resolve(operation_id, code, own) if own else registry().latest(code)


def workflow_for(programme: Any) -> Workflow:
    """The workflow a new case of `programme` starts on: the version in use in its operation (latest_in) of the
    first workflow (by code) made for the programme's type."""
    from passage.cases.workflow_queries import latest_published

    own = latest_published(programme.operation_id)
    current = [
        resolve(programme.operation_id, code, own[code]) if code in own else registry().latest(code)
        for code in registry().codes()
    ]
    fitting = sorted(
        (workflow for workflow in current if programme.type in workflow.programme_types),
        key=lambda workflow: workflow.code,
    )
    if not fitting:
        raise ValidationError(
            {
                "programme": _("No workflow is set up for programmes of the type “%(type)s”.")
                % {"type": programme.get_type_display()}
            }
        )
    return fitting[0]


def workflow_of(case: Case) -> Workflow:
    """The workflow (in the version) the case started on."""
    return resolve(case.operation_id, case.workflow_code, case.workflow_version)


def initial_state(workflow: Workflow) -> State:
    state = workflow.initial_state
    if state is None:
        raise ValidationError(_("The workflow %(workflow)s has no initial state.") % {"workflow": workflow})
    return state


def due_at(state: State, entered_at: dt.datetime) -> dt.datetime | None:
    return engine.deadline_of(state, entered_at)


def state_of(case: Case) -> State | None:
    workflow = workflow_of(case)
    return workflow.state(case.state) if workflow.has_state(case.state) else None


def state_labels(workflow: Workflow) -> dict[str, str]:
    return {state.code: label(state.label) for state in workflow.states}


def known_state_labels() -> dict[str, str]:
    """Every state of the known workflows in words (a code shared by several workflows reads the same)."""
    labels: dict[str, str] = {}
    known = registry()
    for code in known.codes():
        for version in known.versions(code):
            for state, text in state_labels(known.get(code, version)).items():
                labels.setdefault(state, text)
    return labels


def _named(code: str) -> str:
    return _(catalogue_names().get(code) or humanise(code))


def document_kinds(workflow: Workflow) -> list[tuple[str, str]]:
    """The kinds of document a case of this workflow takes: those its steps require, in the order they come,
    and "other"."""
    kinds: list[str] = []
    for transition in workflow.transitions:
        kinds.extend(kind for kind in transition.requires.documents if kind not in kinds)
    return [(kind, _named(kind)) for kind in kinds] + [(OTHER_DOCUMENT, _("Other document"))]


def detail_fields(workflow: Workflow) -> list[tuple[str, str]]:
    """The programme's own fields of a case of this workflow (those its steps require set), in the order they
    come, with their names."""
    from passage.cases.queries import CASE_FIELDS

    codes: list[str] = []
    for transition in workflow.transitions:
        codes.extend(code for code in transition.requires.fields if code not in codes and code not in CASE_FIELDS)
    return [(code, _named(code)) for code in codes]


def names_for(workflow: Workflow) -> dict[str, str]:
    """Readable names of what the workflow's steps may require (forms, document kinds, fields), for the
    engine's messages."""
    names = {code: _(title) for code, title in catalogue_names().items()}
    names.update(dict(document_kinds(workflow)))
    return names


# --- people on a case ---------------------------------------------------------------------------------------


def roles_on(user: Any, case: Case) -> frozenset[str]:
    """The roles `user` holds for this case: their active memberships in its operation whose programme and
    office limits include it (all of them when the user is named on the case). Cached on the user object for
    the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache: dict[Any, frozenset[str]] | None = getattr(user, "_passage_case_roles", None)
    if cache is None:
        cache = {}
        user._passage_case_roles = cache
    if case.pk in cache:
        return cache[case.pk]
    named = is_named(user, case)
    roles: set[str] = set()
    memberships = (
        Membership.objects.active()
        .filter(user_id=user.pk, operation_id=case.operation_id)
        .select_related("role")
        .prefetch_related("programmes", "offices")
    )
    for membership in memberships:
        programmes = {programme.pk for programme in membership.programmes.all()}
        offices = {office.pk for office in membership.offices.all()}
        in_reach = (not programmes or case.programme_id in programmes) and (not offices or case.office_id in offices)
        if in_reach or named:
            roles.add(membership.role.code)
    cache[case.pk] = frozenset(roles)
    return cache[case.pk]


def assignee_for(case: Case, role: str | None) -> tuple[User | None, str]:
    """Who a task of the workflow is for: the caseworker when the action names no role, or names a role the
    caseworker holds on this case; otherwise whoever holds the role."""
    caseworker = case.caseworker
    if role is None:
        return caseworker, ""
    if caseworker is not None and role in roles_on(caseworker, case):
        return caseworker, role
    return None, role


# --- what may be done next ----------------------------------------------------------------------------------


@dataclass
class Step:
    """A transition a person may take from the case's state, as the case page shows it."""

    transition: Transition
    label: str
    target_label: str
    missing: list[str]
    needs_reason: bool
    approval_role: str = ""  # the role that must approve it first, if any
    pending_approval: CaseApproval | None = None
    may_ask_approval: bool = False  # the approval is what is missing, and none is pending
    kinds: set[str] = field(default_factory=set)  # kinds of what is missing (engine.Missing.kind)

    @property
    def code(self) -> str:
        return self.transition.code

    @property
    def ready(self) -> bool:
        return not self.missing


def steps_for(user: Any, case: Case, facts: engine.CaseFacts, approvals: Iterable[CaseApproval] = ()) -> list[Step]:
    """The transitions `user` may take from the case's state, each with what is missing (empty when it may be
    taken now). `approvals`: the case's pending approvals (to show that one is asked for)."""
    if case.closed_at is not None:
        return []
    workflow = workflow_of(case)
    labels = state_labels(workflow)
    pending = {approval.transition: approval for approval in approvals if approval.is_pending}
    steps = []
    for available in engine.available_transitions(
        workflow,
        case.state,
        roles=roles_on(user, case),
        user=user.pk,
        facts=facts,
        names=names_for(workflow),
        gettext=_,
    ):
        transition = available.transition
        kinds = {missing.kind for missing in available.missing}
        approval = transition.requires.approval
        steps.append(
            Step(
                transition=transition,
                label=label(transition.label),
                target_label=labels.get(transition.target, transition.target),
                missing=[missing.message for missing in available.missing],
                needs_reason=available.needs_reason,
                approval_role=approval.role if approval else "",
                pending_approval=pending.get(transition.code),
                may_ask_approval="approval" in kinds and transition.code not in pending,
                kinds=kinds,
            )
        )
    return steps


@dataclass(frozen=True)
class CheckedStep:
    transition: Transition
    target: State
    approval: CaseApproval | None  # the approval this transition uses up


def check_transition(*, case: Case, user: Any, transition: str, reason: str) -> CheckedStep:
    """The transition `user` may take now, or TransitionRefused with every reason it may not."""
    from passage.cases.queries import case_facts

    workflow = workflow_of(case)
    facts = case_facts(case)
    roles = roles_on(user, case) if user is not None else frozenset(_all_roles(workflow))
    missing = engine.check_transition(
        workflow,
        case.state,
        transition,
        roles=roles,
        user=user.pk if user is not None else None,
        facts=facts,
        reason=reason,
        names=names_for(workflow),
        gettext=_,
    )
    if missing:
        raise TransitionRefused(str(item) for item in missing)
    step = workflow.transition(transition)
    used = None
    if step.requires.approval is not None:
        used = (
            case.approvals.filter(transition=transition, state=case.state, decision="approved", used_at__isnull=True)
            .exclude(decided_by_id=getattr(user, "pk", None))
            .order_by("decided_at")
            .first()
        )
    return CheckedStep(step, workflow.state(step.target), used)


def _all_roles(workflow: Workflow) -> set[str]:
    """The system (a command, the demo) acts in every role the workflow names."""
    return {role for transition in workflow.transitions for role in transition.roles}


def approval_needed(case: Case, transition: str) -> Approval | None:
    workflow = workflow_of(case)
    try:
        step = workflow.transition(transition)
    except KeyError:
        return None
    if case.state not in step.sources:
        return None
    return step.requires.approval
