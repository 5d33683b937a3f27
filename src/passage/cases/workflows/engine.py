"""Questions the Case actions ask a workflow, answered without a database: which transitions may these roles
take from this state, and what is still missing before each; when is a state's deadline; which version of
a workflow does a case follow.

The caller gathers the case's facts (forms completed, documents present, fields set, approvals given, who
took which transition before) and decides what counts: e.g. only approvals given since the case entered
its current state, or only forms submitted for this case.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from passage.cases.workflows.definition import GetText, State, Transition, Workflow, humanise


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class GivenApproval:
    """Someone approved a transition of this case (four eyes): who, and the roles they held when approving."""

    transition: str
    approver: Hashable  # a user id
    roles: frozenset[str]


@dataclass(frozen=True)
class CaseFacts:
    forms: frozenset[str] = frozenset()  # form codes with a completed submission
    documents: frozenset[str] = frozenset()  # document kinds present
    fields: frozenset[str] = frozenset()  # case fields that are set
    approvals: tuple[GivenApproval, ...] = ()
    taken_by: Mapping[str, frozenset[Hashable]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(
        cls,
        *,
        forms: Iterable[str] = (),
        documents: Iterable[str] = (),
        fields: Iterable[str] = (),
        approvals: Iterable[GivenApproval] = (),
        taken_by: Mapping[str, Iterable[Hashable]] | None = None,
    ) -> CaseFacts:
        return cls(
            forms=frozenset(forms),
            documents=frozenset(documents),
            fields=frozenset(fields),
            approvals=tuple(approvals),
            taken_by=MappingProxyType({code: frozenset(users) for code, users in (taken_by or {}).items()}),
        )


@dataclass(frozen=True)
class Missing:
    """One thing that stands between a person and a transition, in words they can read."""

    kind: str  # state, role, form, document, field, approval, same_approver, different_person, reason
    code: str  # what is missing (a form code, a role, a transition...)
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Available:
    """A transition these roles may take from the current state, and what is still missing before it."""

    transition: Transition
    missing: tuple[Missing, ...]

    @property
    def ready(self) -> bool:
        """Nothing is missing (a reason, when one is required, is asked for when it is taken)."""
        return not self.missing

    @property
    def needs_reason(self) -> bool:
        return self.transition.requires.reason


class _Names:
    def __init__(self, names: Mapping[str, str] | None, gettext: GetText) -> None:
        self.names = names or {}
        self._ = gettext

    def __call__(self, code: str) -> str:
        if code in self.names:
            return self.names[code]
        role_name = _role_names().get(code)
        return self._(role_name) if role_name else humanise(code)


@functools.cache
def _role_names() -> dict[str, str]:
    from passage.core.roles import DEFAULT_ROLES  # plain data (its names are message ids)

    return {role.code: role.name for role in DEFAULT_ROLES}


def _requirements_missing(
    transition: Transition, *, user: Hashable, facts: CaseFacts, name: _Names, _: GetText
) -> list[Missing]:
    requires = transition.requires
    missing = [
        Missing("form", form, _("the form %(form)s is not completed") % {"form": name(form)})
        for form in requires.forms
        if form not in facts.forms
    ]
    missing += [
        Missing("document", kind, _("no document of the kind %(kind)s") % {"kind": name(kind)})
        for kind in requires.documents
        if kind not in facts.documents
    ]
    missing += [
        Missing("field", case_field, _("%(field)s is not set") % {"field": name(case_field)})
        for case_field in requires.fields
        if case_field not in facts.fields
    ]
    approval = requires.approval
    if approval is not None:
        given = [a for a in facts.approvals if a.transition == transition.code and approval.role in a.roles]
        if not any(a.approver != user for a in given):
            if given:  # only the person about to take it approved it
                missing.append(
                    Missing(
                        "same_approver",
                        approval.role,
                        _("approval by a second person (%(role)s): you cannot approve your own step")
                        % {"role": name(approval.role)},
                    )
                )
            else:
                missing.append(
                    Missing(
                        "approval",
                        approval.role,
                        _("approval by a second person (%(role)s) has not been given") % {"role": name(approval.role)},
                    )
                )
    for other in requires.different_person_from:
        if user in facts.taken_by.get(other, frozenset()):
            missing.append(
                Missing(
                    "different_person",
                    other,
                    _("someone other than you must take it: you took the step '%(step)s'") % {"step": other},
                )
            )
    return missing


def available_transitions(
    workflow: Workflow,
    state: str,
    *,
    roles: Collection[str],
    user: Hashable,
    facts: CaseFacts,
    names: Mapping[str, str] | None = None,
    gettext: GetText | None = None,
) -> tuple[Available, ...]:
    """The transitions out of `state` that someone with `roles` may take, in the workflow's order, each with
    what is missing before it (empty: it may be taken now). `names` gives readable names of forms,
    document kinds, fields and roles by code."""
    _ = gettext or _identity
    name = _Names(names, _)
    return tuple(
        Available(transition, tuple(_requirements_missing(transition, user=user, facts=facts, name=name, _=_)))
        for transition in workflow.transitions_from(state)
        if set(transition.roles) & set(roles)
    )


def check_transition(
    workflow: Workflow,
    state: str,
    transition: str,
    *,
    roles: Collection[str],
    user: Hashable,
    facts: CaseFacts,
    reason: str = "",
    names: Mapping[str, str] | None = None,
    gettext: GetText | None = None,
) -> tuple[Missing, ...]:
    """Everything that stops `user` (holding `roles`) from taking `transition` from `state` now; empty when
    nothing does. The Case action refuses the transition with these reasons."""
    _ = gettext or _identity
    name = _Names(names, _)
    try:
        step = workflow.transition(transition)
    except KeyError:
        return (Missing("state", transition, _("this workflow has no step '%(step)s'") % {"step": transition}),)
    if state not in step.sources:
        current = workflow.state(state).label.get(gettext=gettext) if workflow.has_state(state) else state
        return (
            Missing(
                "state",
                state,
                _("'%(step)s' cannot be taken from the state %(state)s")
                % {"step": step.label.get(gettext=gettext), "state": current},
            ),
        )
    missing: list[Missing] = []
    if not set(step.roles) & set(roles):
        missing.append(
            Missing(
                "role",
                ",".join(step.roles),
                _("only %(roles)s may take this step") % {"roles": _(" or ").join(name(role) for role in step.roles)},
            )
        )
    missing += _requirements_missing(step, user=user, facts=facts, name=name, _=_)
    if step.requires.reason and not reason.strip():
        missing.append(Missing("reason", "reason", _("a reason is required")))
    return tuple(missing)


def deadline_of(state: State, entered_at: datetime) -> datetime | None:
    """When a case that entered `state` at `entered_at` (aware) is overdue; None if the state has no deadline."""
    if entered_at.tzinfo is None:
        raise ValueError("entered_at must be an aware datetime (with a time zone)")
    if state.deadline is None:
        return None
    return entered_at + state.deadline.duration


def is_overdue(state: State, entered_at: datetime, now: datetime) -> bool:
    due = deadline_of(state, entered_at)
    return due is not None and now > due


class VersionConflict(ValueError):
    """The same (code, version) with different text: a published version never changes."""


class WorkflowRegistry:
    """Workflows by (code, version). A case keeps the version it started with, so a newer version is added
    beside the older ones, never over them."""

    def __init__(self, workflows: Iterable[Workflow] = ()) -> None:
        self._workflows: dict[tuple[str, int], Workflow] = {}
        self._lock = threading.Lock()
        for workflow in workflows:
            self.add(workflow)

    def add(self, workflow: Workflow) -> Workflow:
        """Register `workflow`; the same text again is a no-op, a different text under a used version refused."""
        with self._lock:
            existing = self._workflows.get(workflow.key)
            if existing is not None:
                if existing.digest != workflow.digest:
                    raise VersionConflict(
                        f"version {workflow.version} of workflow {workflow.code} exists with different content "
                        f"(from {existing.source or 'elsewhere'}); give the changed workflow version "
                        f"{self._latest_version(workflow.code) + 1}"
                    )
                return existing
            self._workflows[workflow.key] = workflow
            return workflow

    def _latest_version(self, code: str) -> int:
        return max((version for c, version in self._workflows if c == code), default=0)

    def get(self, code: str, version: int) -> Workflow:
        try:
            return self._workflows[(code, version)]
        except KeyError:
            known = ", ".join(str(v) for v in self.versions(code)) or "none"
            raise KeyError(f"no workflow {code} version {version} (versions: {known})") from None

    def latest(self, code: str) -> Workflow:
        """The newest version: the one a new case starts on."""
        version = self._latest_version(code)
        if not version:
            raise KeyError(f"no workflow {code}")
        return self._workflows[(code, version)]

    def versions(self, code: str) -> list[int]:
        return sorted(version for c, version in self._workflows if c == code)

    def codes(self) -> list[str]:
        return sorted({code for code, _version in self._workflows})

    def for_programme_type(self, programme_type: str) -> list[Workflow]:
        """The latest version of every workflow that fits a programme type."""
        return [
            workflow
            for workflow in (self.latest(code) for code in self.codes())
            if programme_type in workflow.programme_types
        ]

    def __contains__(self, key: object) -> bool:
        return key in self._workflows

    def __len__(self) -> int:
        return len(self._workflows)
