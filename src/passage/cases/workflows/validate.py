"""Is a workflow usable? Checks of meaning, on a workflow the loader read: every state reachable and able to
reach an end, every transition takeable by some known role, every form, document kind and role it names
known, deadlines and actions well formed. Errors make it unusable; warnings point at what was probably
not meant.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable

from passage.cases.workflows.definition import (
    PROGRAMME_TYPES,
    Action,
    ActionKind,
    GetText,
    StateKind,
    Workflow,
)
from passage.cases.workflows.problems import Problem, Severity, sort_key, suggestion


def _identity(message: str) -> str:
    return message


def default_roles() -> tuple[str, ...]:
    from passage.core.roles import ROLE_CODES  # plain data: importing it needs no Django settings

    return ROLE_CODES


class _Validator:
    def __init__(
        self,
        workflow: Workflow,
        *,
        roles: Collection[str],
        forms: Collection[str] | None,
        documents: Collection[str] | None,
        fields: Collection[str] | None,
        gettext: GetText | None,
    ) -> None:
        self.workflow = workflow
        self.roles = set(roles)
        self.forms = None if forms is None else set(forms)
        self.documents = None if documents is None else set(documents)
        self.fields = None if fields is None else set(fields)
        self._ = gettext or _identity
        self.problems: list[Problem] = []

    def error(self, path: str, message: str, *, at: str | None = None) -> None:
        """An error about `path`, on the line of `at` (a list item such as `path[caseworkr]`) when given."""
        self.problems.append(Problem(Severity.ERROR, path, message, self.workflow.line_of(at or path)))

    def warn(self, path: str, message: str, *, at: str | None = None) -> None:
        self.problems.append(Problem(Severity.WARNING, path, message, self.workflow.line_of(at or path)))

    def hint(self, word: str, choices: Iterable[str]) -> str:
        close = suggestion(word, choices)
        return " " + self._("(did you mean %(word)s?)") % {"word": close} if close else ""

    def known(self, path: str, code: str, kind: str, known: set[str] | None, *, severity: Severity) -> bool:
        """Report `code` if `known` is given and does not hold it; True when it is known (or not checked)."""
        if known is None or code in known:
            return True
        _ = self._
        labels = {"role": _("role"), "form": _("form"), "document": _("document kind"), "field": _("case field")}
        message = _("unknown %(kind)s '%(code)s'") % {"kind": labels[kind], "code": code} + self.hint(code, known)
        (self.error if severity is Severity.ERROR else self.warn)(path, message, at=f"{path}[{code}]")
        return False

    def role(self, path: str, code: str) -> bool:
        return self.known(path, code, "role", self.roles, severity=Severity.ERROR)

    def run(self) -> list[Problem]:
        self.header()
        self.state_kinds()
        self.states()
        self.transitions()
        self.graph()
        return sorted(self.problems, key=sort_key)

    def header(self) -> None:
        for programme_type in self.workflow.programme_types:
            if programme_type not in PROGRAMME_TYPES:
                self.error(
                    "programme_types",
                    self._("unknown programme type '%(type)s'") % {"type": programme_type}
                    + self.hint(programme_type, PROGRAMME_TYPES),
                    at=f"programme_types[{programme_type}]",
                )

    def state_kinds(self) -> None:
        _ = self._
        initial = [state for state in self.workflow.states if state.kind is StateKind.INITIAL]
        if not self.workflow.states:
            return
        if not initial:
            self.error("states", _("no state is the initial one (kind: initial), so no case could start"))
        for extra in initial[1:]:
            self.error(
                f"states.{extra.code}.kind",
                _("a second initial state (the first is '%(first)s'): a workflow starts in exactly one")
                % {"first": initial[0].code},
            )
        if not self.workflow.final_states:
            self.error("states", _("no state is final (kind: final), so no case could ever close"))

    def states(self) -> None:
        _ = self._
        for state in self.workflow.states:
            path = f"states.{state.code}"
            deadline = state.deadline
            if deadline is not None:
                if state.is_final:
                    self.warn(
                        f"{path}.deadline", _("a final state's deadline never matters: a closed case waits for nothing")
                    )
                if deadline.escalation is not None:
                    self.role(f"{path}.deadline.escalate", deadline.escalation.role)
            for index, action in enumerate(state.on_entry):
                self.action(f"{path}.on_entry[{index}].{action.kind.value}", action)

    def action(self, path: str, action: Action) -> None:
        if action.role is not None:
            self.role(f"{path}.role", action.role)
        if action.form is not None:
            self.known(f"{path}.form", action.form, "form", self.forms, severity=Severity.ERROR)
        if action.kind is ActionKind.CREATE_TASK and action.due_days is None:
            self.warn(path, self._("a task without due_days is due the day it is created"))

    def transitions(self) -> None:
        _ = self._
        workflow = self.workflow
        state_codes = [state.code for state in workflow.states]
        transition_codes = [transition.code for transition in workflow.transitions]
        for transition in workflow.transitions:
            path = f"transitions.{transition.code}"
            if not workflow.has_state(transition.target):
                self.error(
                    f"{path}.to",
                    _("unknown state '%(state)s'") % {"state": transition.target}
                    + self.hint(transition.target, state_codes),
                )
            for source in transition.sources:
                if not workflow.has_state(source):
                    self.error(
                        f"{path}.from",
                        _("unknown state '%(state)s'") % {"state": source} + self.hint(source, state_codes),
                        at=f"{path}.from[{source}]",
                    )
                elif workflow.state(source).is_final:
                    self.error(
                        f"{path}.from",
                        _("'%(state)s' is a final state: no transition may leave it") % {"state": source},
                        at=f"{path}.from[{source}]",
                    )
            if transition.from_any and not transition.sources:
                self.error(f"{path}.from", _('there is no open state for "*" to stand for'))
            known_roles = [role for role in transition.roles if self.role(f"{path}.roles", role)]
            if not known_roles:
                self.error(
                    f"{path}.roles",
                    _("no role may take this transition")
                    + ("" if transition.roles else " " + _("(list the roles that may)")),
                )
            requires = transition.requires
            for form in requires.forms:
                self.known(f"{path}.requires.forms", form, "form", self.forms, severity=Severity.ERROR)
            for document in requires.documents:
                self.known(f"{path}.requires.documents", document, "document", self.documents, severity=Severity.ERROR)
            for case_field in requires.fields:
                self.known(f"{path}.requires.fields", case_field, "field", self.fields, severity=Severity.WARNING)
            if requires.approval is not None:
                self.role(f"{path}.requires.approval", requires.approval.role)
            for other in requires.different_person_from:
                if other not in transition_codes:
                    self.error(
                        f"{path}.requires.different_person_from",
                        _("unknown transition '%(transition)s'") % {"transition": other}
                        + self.hint(other, transition_codes),
                        at=f"{path}.requires.different_person_from[{other}]",
                    )

    def graph(self) -> None:
        """Reachable from the initial state, and able to reach a final one."""
        _ = self._
        workflow = self.workflow
        initial = workflow.initial_state
        edges: dict[str, set[str]] = {state.code: set() for state in workflow.states}
        reverse: dict[str, set[str]] = {state.code: set() for state in workflow.states}
        for transition in workflow.transitions:
            if transition.target not in edges:
                continue
            for source in transition.sources:
                if source in edges:
                    edges[source].add(transition.target)
                    reverse[transition.target].add(source)
        if initial is not None:
            reachable = _closure({initial.code}, edges)
            for state in workflow.states:
                if state.code not in reachable:
                    self.error(
                        f"states.{state.code}",
                        _("unreachable: no transition leads here from the initial state '%(initial)s'")
                        % {"initial": initial.code},
                    )
        finals = {state.code for state in workflow.final_states}
        if finals:
            can_finish = _closure(finals, reverse)
            for state in workflow.states:
                if state.code in can_finish:
                    continue
                if not edges[state.code]:
                    message = _("a dead end: no transition leaves this state, and it is not final")
                else:
                    message = _("a dead end: no way from here leads to a final state")
                self.error(f"states.{state.code}", message)


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, queue = set(start), deque(start)
    while queue:
        for following in edges.get(queue.popleft(), ()):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def validate(
    workflow: Workflow,
    *,
    roles: Collection[str] | None = None,
    forms: Collection[str] | None = None,
    documents: Collection[str] | None = None,
    fields: Collection[str] | None = None,
    gettext: GetText | None = None,
) -> list[Problem]:
    """Every problem of meaning in `workflow`. Roles default to Passage's role codes; forms, document kinds
    and case fields are checked only when their known codes are given."""
    return _Validator(
        workflow,
        roles=default_roles() if roles is None else roles,
        forms=forms,
        documents=documents,
        fields=fields,
        gettext=gettext,
    ).run()
