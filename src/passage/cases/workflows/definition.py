"""What a workflow is: a programme's procedure as immutable data (states, transitions, who may take them,
what must be done first, deadlines, and what happens on entering a state).

Nothing here knows YAML or Django: the loader builds these from a file, the validator checks them, the
engine answers questions about them, and the Case model keeps a reference to (code, version).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from types import MappingProxyType

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
LANGUAGES = ("en", "fr", "es", "ar")  # settings.LANGUAGES; a test keeps the two equal
RTL_LANGUAGES = frozenset({"ar"})
GetText = Callable[[str], str]  # django.utils.translation.gettext where Django runs; without it, English
FROM_ANY = "*"  # a transition's `from`: every state that is not final

# core.models.ProgrammeType's values, repeated so that checking a file needs no Django (a test keeps them equal)
PROGRAMME_TYPES = (
    "reparations",
    "protection",
    "counter_trafficking",
    "return_reintegration",
    "resettlement",
    "idp_relief",
    "community_stabilisation",
    "former_combatants",
    "out_of_country_voting",
    "medical_evacuation",
    "labour_migration",
)


def humanise(code: str) -> str:
    """`assistance_plan` -> `Assistance plan`: the label of something the file did not label."""
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Text:
    """Text a person reads: one English message id (translated by the site's catalogue where it holds one),
    or the text in several languages written in the file itself."""

    msgid: str
    translations: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, value: str | Mapping[str, str]) -> Text:
        if isinstance(value, str):
            return cls(value)
        msgid = value.get("en") or next(iter(value.values()), "")
        return cls(msgid, tuple(value.items()))

    def get(self, language: str = "en", gettext: GetText | None = None) -> str:
        """The text in `language` (a code such as `fr` or `ar-iq`), else translated by `gettext`, else English."""
        by_language = dict(self.translations)
        for candidate in (language, language.split("-")[0]):
            if candidate in by_language:
                return by_language[candidate]
        return gettext(self.msgid) if gettext else self.msgid

    def __str__(self) -> str:
        return self.msgid


class StateKind(enum.StrEnum):
    INITIAL = "initial"
    ACTIVE = "active"
    FINAL = "final"


class ActionKind(enum.StrEnum):
    """What happens on entering a state (or when its deadline passes). The Case actions carry them out."""

    CREATE_TASK = "create_task"  # a task with a title, for a role, due in some days
    NOTIFY = "notify"  # tell the people holding a role (on the case's office), with an optional message
    SCHEDULE_FOLLOW_UP = "schedule_follow_up"  # a follow-up task some days from now
    CLOSE_REFERRALS = "close_referrals"  # close the case's referrals still open
    CLOSE_TASKS = "close_tasks"  # close the case's tasks still open


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    title: Text | None = None  # create_task, schedule_follow_up (the task's title)
    role: str | None = None  # create_task, notify, schedule_follow_up: who it is for
    due_days: int | None = None  # create_task (days after entry), schedule_follow_up (days from entry)
    message: Text | None = None  # notify
    form: str | None = None  # create_task: the form the task asks for, if any


@dataclass(frozen=True)
class Escalation:
    """Who hears about a case that stayed in a state past its deadline, and how."""

    role: str
    action: ActionKind = ActionKind.NOTIFY  # notify or create_task
    title: Text | None = None


@dataclass(frozen=True)
class Deadline:
    days: int = 0
    hours: int = 0
    escalation: Escalation | None = None

    @property
    def duration(self) -> timedelta:
        return timedelta(days=self.days, hours=self.hours)

    def __str__(self) -> str:
        parts = [f"{self.days} d"] if self.days else []
        if self.hours:
            parts.append(f"{self.hours} h")
        return " ".join(parts) or "0 h"


@dataclass(frozen=True)
class State:
    code: str
    label: Text
    kind: StateKind = StateKind.ACTIVE
    description: Text | None = None
    deadline: Deadline | None = None
    on_entry: tuple[Action, ...] = ()

    @property
    def is_final(self) -> bool:
        return self.kind is StateKind.FINAL

    @property
    def is_initial(self) -> bool:
        return self.kind is StateKind.INITIAL


@dataclass(frozen=True)
class Approval:
    """Four eyes: someone holding `role`, other than the person taking the transition, must approve it first."""

    role: str


@dataclass(frozen=True)
class Requirements:
    forms: tuple[str, ...] = ()  # form codes with a completed submission on the case
    documents: tuple[str, ...] = ()  # document kinds present on the case
    fields: tuple[str, ...] = ()  # fields of the case that must be set
    approval: Approval | None = None
    reason: bool = False  # the person taking it writes why
    different_person_from: tuple[str, ...] = ()  # transitions whose taker may not take this one (an appeal)

    @property
    def empty(self) -> bool:
        return self == Requirements()


@dataclass(frozen=True)
class Transition:
    code: str
    sources: tuple[str, ...]  # the states it leaves from (`from: "*"` already expanded)
    target: str
    label: Text
    roles: tuple[str, ...]
    requires: Requirements = field(default_factory=Requirements)
    from_any: bool = False  # written `from: "*"`: drawn once, from "any open state"
    description: Text | None = None


@dataclass(frozen=True)
class Workflow:
    code: str
    version: int
    name: Text
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    programme_types: tuple[str, ...] = ()
    description: Text | None = None
    digest: str = ""  # sha256 of the file's text: the same (code, version) must always mean the same text
    source: str = field(default="", compare=False)  # where it was read from (a path, or <text>)
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}), compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.version)

    @cached_property
    def _states(self) -> dict[str, State]:
        return {state.code: state for state in self.states}

    @cached_property
    def _transitions(self) -> dict[str, Transition]:
        return {transition.code: transition for transition in self.transitions}

    def state(self, code: str) -> State:
        """The state `code`; KeyError names it when the workflow has no such state."""
        try:
            return self._states[code]
        except KeyError:
            raise KeyError(f"workflow {self.code} v{self.version} has no state {code!r}") from None

    def transition(self, code: str) -> Transition:
        try:
            return self._transitions[code]
        except KeyError:
            raise KeyError(f"workflow {self.code} v{self.version} has no transition {code!r}") from None

    def has_state(self, code: str) -> bool:
        return code in self._states

    @property
    def initial_state(self) -> State | None:
        return next((state for state in self.states if state.is_initial), None)

    @property
    def final_states(self) -> tuple[State, ...]:
        return tuple(state for state in self.states if state.is_final)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return tuple(transition for transition in self.transitions if state in transition.sources)

    def line_of(self, path: str) -> int | None:
        """The line a path such as `transitions.approve.roles` was written on, or its nearest written parent's."""
        while path:
            if path in self.lines:
                return self.lines[path]
            if path.endswith("]"):  # roles[caseworker] (an item of a list, by its value) or on_entry[2]
                path = path[: path.rindex("[")]
                continue
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return None

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"
