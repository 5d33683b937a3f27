"""Read a workflow from YAML into the definition's dataclasses, naming the line and the path of every
problem (all of them, not the first only).

The file is composed with PyYAML's SafeLoader (what `yaml.safe_load` uses: no Python objects, no code) into
nodes, which keep their line numbers; each value is then read by the same safe constructor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from passage.cases.workflows.definition import (
    CODE_PATTERN,
    FROM_ANY,
    LANGUAGES,
    Action,
    ActionKind,
    Approval,
    Deadline,
    Escalation,
    GetText,
    Requirements,
    State,
    StateKind,
    Text,
    Transition,
    Workflow,
    humanise,
)
from passage.cases.workflows.problems import Problem, Severity, WorkflowInvalid, sort_key, suggestion

WORKFLOW_KEYS = ("code", "version", "name", "description", "programme_types", "states", "transitions")
STATE_KEYS = ("label", "kind", "description", "deadline", "on_entry")
DEADLINE_KEYS = ("days", "hours", "escalate")
ESCALATION_KEYS = ("to", "action", "title")
TRANSITION_KEYS = ("from", "to", "label", "description", "roles", "requires")
REQUIREMENT_KEYS = ("forms", "documents", "fields", "approval", "reason", "different_person_from")
ACTION_KEYS: dict[ActionKind, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (required, optional)
    ActionKind.CREATE_TASK: (("title", "role"), ("due_days", "form")),
    ActionKind.NOTIFY: (("role",), ("message",)),
    ActionKind.SCHEDULE_FOLLOW_UP: (("days",), ("title", "role")),
    ActionKind.CLOSE_REFERRALS: ((), ()),
    ActionKind.CLOSE_TASKS: ((), ()),
}
ESCALATION_ACTIONS = (ActionKind.NOTIFY, ActionKind.CREATE_TASK)

MAPPING, SEQUENCE, SCALAR = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Parsed:
    """What the loader read: the workflow (None when the file is not a workflow at all) and its problems."""

    workflow: Workflow | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.is_error)

    @property
    def ok(self) -> bool:
        return self.workflow is not None and not self.errors


class _Reader:
    """One reading of one file: the problems found so far and the line of every path read."""

    def __init__(self, gettext: GetText | None) -> None:
        self._ = gettext or _identity
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    # -- problems -----------------------------------------------------------------------------------------
    def error(self, path: str, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(Severity.ERROR, path, message, _line(node) or self.lines.get(path)))

    def warn(self, path: str, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(Severity.WARNING, path, message, _line(node) or self.lines.get(path)))

    def unknown_key(self, path: str, node: yaml.Node, key: str, allowed: Collection[str]) -> None:
        _ = self._
        message = _("unknown key '%(key)s'") % {"key": key} + self.hint(key, allowed)
        self.error(path, node, message + " " + _("(expected one of: %(keys)s)") % {"keys": ", ".join(allowed)})

    def hint(self, word: str, choices: Collection[str]) -> str:
        close = suggestion(word, choices)
        return " " + self._("(did you mean %(word)s?)") % {"word": close} if close else ""

    # -- nodes ----------------------------------------------------------------------------------------------
    def items(self, node: yaml.Node, path: str, allowed: Collection[str] | None) -> Iterator[tuple[str, yaml.Node]]:
        """The key/value pairs of a mapping node, each key's line remembered; duplicate and unknown keys
        reported. Keys that are not text are reported and skipped."""
        _ = self._
        if not isinstance(node, MAPPING):
            self.error(path, node, _("expected a mapping (key: value lines), found %(found)s") % _found(node))
            return
        self.constructor.flatten_mapping(node)  # YAML merge keys (<<: *anchor)
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.error(path, key_node, _("a key must be a word, not %(found)s") % _found(key_node))
                continue
            key = str(key)
            child = f"{path}.{key}" if path else key
            if key in seen:
                self.error(
                    child,
                    key_node,
                    _("'%(key)s' appears twice (first on line %(line)s)") % {"key": key, "line": seen[key]},
                )
                continue
            seen[key] = _line(key_node) or 0
            if allowed is not None and key not in allowed:
                self.unknown_key(child, key_node, key, allowed)
                continue
            self.lines[child] = _line(key_node) or 0
            yield key, value_node

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, SCALAR):
            return node
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:  # e.g. an impossible date such as 2024-02-30
            return str(getattr(error, "problem", error))

    def text(self, node: yaml.Node, path: str, *, required: bool = True) -> Text | None:
        """A label: one English text (a message id), or a mapping of language code to text."""
        _ = self._
        if isinstance(node, SCALAR):
            value = self.scalar(node)
            if value is None or value == "":
                if required:
                    self.error(path, node, _("is empty"))
                return None
            return Text(str(value))
        if isinstance(node, MAPPING):
            values: dict[str, str] = {}
            for language, value_node in self.items(node, path, None):
                value = self.scalar(value_node)
                if not isinstance(value, str) or not value.strip():
                    self.error(f"{path}.{language}", value_node, _("expected text"))
                    continue
                if language not in LANGUAGES:
                    self.warn(
                        f"{path}.{language}",
                        value_node,
                        _("language '%(language)s' is not one of Passage's (%(languages)s)")
                        % {"language": language, "languages": ", ".join(LANGUAGES)}
                        + self.hint(language, LANGUAGES),
                    )
                values[language] = value.strip()
            if not values:
                self.error(path, node, _("is empty"))
                return None
            if "en" not in values:
                self.error(path, node, _("needs an English text (en), the message id other languages translate"))
            return Text.of(values)
        self.error(path, node, _("expected text or a mapping of language to text, found %(found)s") % _found(node))
        return None

    def code(self, node: yaml.Node, path: str) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not CODE_PATTERN.match(value):
            self.error(
                path,
                node,
                self._("'%(value)s' is not a code: lower-case letters, digits and _, starting with a letter")
                % {"value": _shown(value)},
            )
            return None
        return value

    def codes(self, node: yaml.Node, path: str) -> tuple[str, ...]:
        """One code, or a list of codes (repeats warned about and dropped)."""
        nodes = node.value if isinstance(node, SEQUENCE) else [node]
        found: list[str] = []
        for index, item in enumerate(nodes):
            item_path = f"{path}[{index}]" if isinstance(node, SEQUENCE) else path
            if isinstance(item, SCALAR) and self.scalar(item) is None:
                continue
            code = self.code(item, item_path)
            if code is None:
                continue
            self.lines.setdefault(f"{path}[{code}]", _line(item) or 0)
            if code in found:
                self.warn(item_path, item, self._("'%(code)s' is listed twice") % {"code": code})
                continue
            found.append(code)
        return tuple(found)

    def integer(self, node: yaml.Node, path: str, *, minimum: int) -> int | None:
        _ = self._
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, node, _("expected a whole number, found %(found)s") % _found(node))
            return None
        if value < minimum:
            self.error(
                path,
                node,
                (_("must be positive") if minimum == 1 else _("must be %(minimum)s or more") % {"minimum": minimum})
                + f" ({value})",
            )
            return None
        return value

    def boolean(self, node: yaml.Node, path: str) -> bool:
        value = self.scalar(node)
        if not isinstance(value, bool):
            self.error(path, node, self._("expected true or false, found %(found)s") % _found(node))
            return False
        return value

    # -- the workflow ---------------------------------------------------------------------------------------
    def workflow(self, root: yaml.Node, digest: str, source: str) -> Workflow | None:
        _ = self._
        if not isinstance(root, MAPPING):
            self.error("", root, _("a workflow file is a mapping with code, version, name, states and transitions"))
            return None
        values = dict(self.items(root, "", WORKFLOW_KEYS))
        for key in ("code", "version", "name", "states", "transitions"):
            if key not in values:
                self.error(
                    key,
                    None,
                    _("missing (every workflow has %(keys)s)") % {"keys": "code, version, name, states, transitions"},
                )
        if "code" in values:
            self.lines[""] = _line(values["code"]) or 1
        code = self.code(values["code"], "code") if "code" in values else None
        version = self.integer(values["version"], "version", minimum=1) if "version" in values else None
        name = self.text(values["name"], "name") if "name" in values else None
        description = self.text(values["description"], "description") if "description" in values else None
        programme_types = (
            self.codes(values["programme_types"], "programme_types") if "programme_types" in values else ()
        )
        states = self.states(values["states"]) if "states" in values else ()
        transitions = (
            self.transitions(values["transitions"], {state.code: state for state in states})
            if "transitions" in values
            else ()
        )
        return Workflow(
            code=code or "",
            version=version or 0,
            name=name or Text(humanise(code or "")),
            description=description,
            programme_types=programme_types,
            states=states,
            transitions=transitions,
            digest=digest,
            source=source,
            lines=MappingProxyType(dict(self.lines)),
        )

    def states(self, node: yaml.Node) -> tuple[State, ...]:
        states = []
        for code, value in self.items(node, "states", None):
            path = f"states.{code}"
            if self.code(_key_node(node, code), path) is None:
                continue
            states.append(self.state(code, value, path))
        if isinstance(node, MAPPING) and not node.value:
            self.error("states", node, self._("a workflow needs states"))
        return tuple(states)

    def state(self, code: str, node: yaml.Node, path: str) -> State:
        _ = self._
        values = {} if _is_null(node) else dict(self.items(node, path, STATE_KEYS))
        kind = StateKind.ACTIVE
        if "kind" in values:
            written = self.scalar(values["kind"])
            try:
                kind = StateKind(written)
            except ValueError:
                kinds = [k.value for k in StateKind]
                self.error(
                    f"{path}.kind",
                    values["kind"],
                    _("unknown kind '%(kind)s'") % {"kind": _shown(written)}
                    + self.hint(str(written), kinds)
                    + " "
                    + _("(expected one of: %(kinds)s)") % {"kinds": ", ".join(kinds)},
                )
        label = self.text(values["label"], f"{path}.label") if "label" in values else None
        return State(
            code=code,
            label=label or Text(humanise(code)),
            kind=kind,
            description=self.text(values["description"], f"{path}.description") if "description" in values else None,
            deadline=self.deadline(values["deadline"], f"{path}.deadline") if "deadline" in values else None,
            on_entry=self.actions(values["on_entry"], f"{path}.on_entry") if "on_entry" in values else (),
        )

    def deadline(self, node: yaml.Node, path: str) -> Deadline | None:
        _ = self._
        values = dict(self.items(node, path, DEADLINE_KEYS))
        if not isinstance(node, MAPPING):
            return None
        days = self.integer(values["days"], f"{path}.days", minimum=0) if "days" in values else 0
        hours = self.integer(values["hours"], f"{path}.hours", minimum=0) if "hours" in values else 0
        if "days" not in values and "hours" not in values:
            self.error(path, node, _("a deadline needs days or hours"))
        elif days == 0 and hours == 0:
            self.error(path, node, _("a deadline must be longer than zero"))
        escalation = self.escalation(values["escalate"], f"{path}.escalate") if "escalate" in values else None
        return Deadline(days=days or 0, hours=hours or 0, escalation=escalation)

    def escalation(self, node: yaml.Node, path: str) -> Escalation | None:
        """`escalate: administrator` (notify that role), or a mapping with to, action and title."""
        _ = self._
        if isinstance(node, SCALAR):
            role = self.code(node, path)
            return Escalation(role=role) if role else None
        values = dict(self.items(node, path, ESCALATION_KEYS))
        if not isinstance(node, MAPPING):
            return None
        if "to" not in values:
            self.error(path, None, _("missing 'to': the role the case is escalated to"))
            return None
        role = self.code(values["to"], f"{path}.to")
        action = ActionKind.NOTIFY
        if "action" in values:
            written = self.scalar(values["action"])
            allowed = [a.value for a in ESCALATION_ACTIONS]
            if written not in allowed:
                self.error(
                    f"{path}.action",
                    values["action"],
                    _("an escalation may %(actions)s, not '%(action)s'")
                    % {"actions": " or ".join(allowed), "action": _shown(written)}
                    + self.hint(str(written), allowed),
                )
            else:
                action = ActionKind(written)
        title = self.text(values["title"], f"{path}.title") if "title" in values else None
        if action is ActionKind.CREATE_TASK and title is None:
            self.error(path, node, _("an escalation that creates a task needs its title"))
        return Escalation(role=role, action=action, title=title) if role else None

    def actions(self, node: yaml.Node, path: str) -> tuple[Action, ...]:
        _ = self._
        if _is_null(node):
            return ()
        if not isinstance(node, SEQUENCE):
            self.error(path, node, _("expected a list of actions (lines starting with '- ')"))
            return ()
        actions = []
        kinds = [kind.value for kind in ActionKind]
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            self.lines[item_path] = _line(item) or 0
            if isinstance(item, SCALAR):
                name, params = self.scalar(item), None
            elif isinstance(item, MAPPING) and len(item.value) == 1:
                name, params = self.scalar(item.value[0][0]), item.value[0][1]
            else:
                self.error(
                    item_path, item, _("an action is one of %(kinds)s, with its settings") % {"kinds": ", ".join(kinds)}
                )
                continue
            if name not in kinds:
                self.error(
                    item_path,
                    item,
                    _("unknown action '%(action)s'") % {"action": _shown(name)}
                    + self.hint(str(name), kinds)
                    + " "
                    + _("(expected one of: %(kinds)s)") % {"kinds": ", ".join(kinds)},
                )
                continue
            action = self.action(ActionKind(name), params, f"{item_path}.{name}", item)
            if action is not None:
                actions.append(action)
        return tuple(actions)

    def action(self, kind: ActionKind, node: yaml.Node | None, path: str, item: yaml.Node) -> Action | None:
        _ = self._
        required, optional = ACTION_KEYS[kind]
        values = {} if node is None or _is_null(node) else dict(self.items(node, path, (*required, *optional)))
        missing = [key for key in required if key not in values]
        if missing:
            self.error(
                path, node or item, _("%(action)s needs %(keys)s") % {"action": kind.value, "keys": ", ".join(missing)}
            )
            return None
        title = self.text(values["title"], f"{path}.title") if "title" in values else None
        message = self.text(values["message"], f"{path}.message") if "message" in values else None
        role = self.code(values["role"], f"{path}.role") if "role" in values else None
        form = self.code(values["form"], f"{path}.form") if "form" in values else None
        due_key = "days" if kind is ActionKind.SCHEDULE_FOLLOW_UP else "due_days"
        minimum = 1 if kind is ActionKind.SCHEDULE_FOLLOW_UP else 0
        due_days = self.integer(values[due_key], f"{path}.{due_key}", minimum=minimum) if due_key in values else None
        if kind is ActionKind.SCHEDULE_FOLLOW_UP and due_days is None:
            return None
        if kind is ActionKind.SCHEDULE_FOLLOW_UP and title is None:
            title = Text("Follow up")
        return Action(kind=kind, title=title, role=role, due_days=due_days, message=message, form=form)

    def transitions(self, node: yaml.Node, states: dict[str, State]) -> tuple[Transition, ...]:
        transitions = []
        for code, value in self.items(node, "transitions", None):
            path = f"transitions.{code}"
            if self.code(_key_node(node, code), path) is None:
                continue
            transition = self.transition(code, value, path, states)
            if transition is not None:
                transitions.append(transition)
        return tuple(transitions)

    def transition(self, code: str, node: yaml.Node, path: str, states: dict[str, State]) -> Transition | None:
        _ = self._
        values = dict(self.items(node, path, TRANSITION_KEYS))
        if not isinstance(node, MAPPING):
            return None
        for key in ("from", "to", "roles"):
            if key not in values:
                self.error(path, None, _("missing '%(key)s'") % {"key": key})
        if "from" not in values or "to" not in values:
            return None
        target = self.code(values["to"], f"{path}.to")
        if target is None:
            return None
        from_any = isinstance(values["from"], SCALAR) and self.scalar(values["from"]) == FROM_ANY
        if from_any:
            sources = tuple(state.code for state in states.values() if not state.is_final and state.code != target)
        else:
            sources = self.codes(values["from"], f"{path}.from")
            if not sources:
                self.error(f"{path}.from", values["from"], _('name the states it leaves from (or "*": any open state)'))
        requires = self.requirements(values["requires"], f"{path}.requires") if "requires" in values else Requirements()
        label = self.text(values["label"], f"{path}.label") if "label" in values else None
        return Transition(
            code=code,
            sources=sources,
            target=target,
            label=label or Text(humanise(code)),
            roles=self.codes(values["roles"], f"{path}.roles") if "roles" in values else (),
            requires=requires,
            from_any=from_any,
            description=self.text(values["description"], f"{path}.description") if "description" in values else None,
        )

    def requirements(self, node: yaml.Node, path: str) -> Requirements:
        values = dict(self.items(node, path, REQUIREMENT_KEYS))
        approval = None
        if "approval" in values:
            approval_node = values["approval"]
            if isinstance(approval_node, SCALAR):  # approval: finance_officer
                role = self.code(approval_node, f"{path}.approval")
            else:
                approval_values = dict(self.items(approval_node, f"{path}.approval", ("role",)))
                if "role" not in approval_values and isinstance(approval_node, MAPPING):
                    self.error(f"{path}.approval", None, self._("missing 'role': who approves"))
                role = (
                    self.code(approval_values["role"], f"{path}.approval.role") if "role" in approval_values else None
                )
            approval = Approval(role=role) if role else None
        return Requirements(
            forms=self.codes(values["forms"], f"{path}.forms") if "forms" in values else (),
            documents=self.codes(values["documents"], f"{path}.documents") if "documents" in values else (),
            fields=self.codes(values["fields"], f"{path}.fields") if "fields" in values else (),
            approval=approval,
            reason=self.boolean(values["reason"], f"{path}.reason") if "reason" in values else False,
            different_person_from=(
                self.codes(values["different_person_from"], f"{path}.different_person_from")
                if "different_person_from" in values
                else ()
            ),
        )


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None and node.start_mark is not None else None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, SCALAR) and node.tag == "tag:yaml.org,2002:null"


def _key_node(mapping: yaml.Node, key: str) -> yaml.Node:
    return next(k for k, _v in mapping.value if isinstance(k, SCALAR) and str(k.value) == key)


def _found(node: yaml.Node) -> dict[str, str]:
    if isinstance(node, MAPPING):
        return {"found": "a mapping"}
    if isinstance(node, SEQUENCE):
        return {"found": "a list"}
    return {"found": repr(_shown(node.value)) if node.value != "" else "nothing"}


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_workflow(text: str, *, source: str = "<text>", gettext: GetText | None = None) -> Parsed:
    """Read a workflow's YAML; every problem of form (not of meaning: see validate) is collected."""
    reader = _Reader(gettext)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.context, error.problem) if part) or str(error)
        if "expected a single document" in message:
            message = reader._("one workflow per file (this one holds several YAML documents)")
        return Parsed(None, (Problem(Severity.ERROR, "", message, mark.line + 1 if mark else None),))
    except yaml.YAMLError as error:
        return Parsed(None, (Problem(Severity.ERROR, "", str(error)),))
    if root is None:
        return Parsed(None, (Problem(Severity.ERROR, "", reader._("the file is empty")),))
    workflow = reader.workflow(root, digest, source)
    return Parsed(workflow, tuple(sorted(reader.problems, key=sort_key)))


@dataclass(frozen=True)
class Known:
    """What a workflow's names are checked against. None: not checked (the check says so)."""

    roles: Collection[str] | None = None  # None: passage.core.roles.ROLE_CODES
    forms: Collection[str] | None = None
    documents: Collection[str] | None = None
    fields: Collection[str] | None = None


def check_workflow(
    text: str, *, source: str = "<text>", known: Known | None = None, gettext: GetText | None = None
) -> Parsed:
    """Read and validate a workflow: the workflow and every problem of form and of meaning, sorted by line."""
    from passage.cases.workflows.validate import validate

    parsed = parse_workflow(text, source=source, gettext=gettext)
    if parsed.workflow is None:
        return parsed
    known = known or Known()
    problems = [
        *parsed.problems,
        *validate(
            parsed.workflow,
            roles=known.roles,
            forms=known.forms,
            documents=known.documents,
            fields=known.fields,
            gettext=gettext,
        ),
    ]
    return Parsed(parsed.workflow, tuple(sorted(problems, key=sort_key)))


def load_workflow(
    text: str, *, source: str = "<text>", known: Known | None = None, gettext: GetText | None = None
) -> Workflow:
    """The workflow in `text`, or WorkflowInvalid listing every problem when it has errors."""
    checked = check_workflow(text, source=source, known=known, gettext=gettext)
    if not checked.ok or checked.workflow is None:
        raise WorkflowInvalid(source, checked.problems)
    return checked.workflow


def load_workflow_file(path: Path, *, known: Known | None = None) -> Workflow:
    return load_workflow(path.read_text(encoding="utf-8"), source=str(path), known=known)
