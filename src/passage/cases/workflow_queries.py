"""The read side of the workflows an operation runs: which version of each is in use, the versions there are
(shipped and the operation's own) with their open cases, the text of any of them, what a check of an edited
text finds, and two versions side by side.

Who may read what: the people who work on the operation's cases (case.view) read its published procedures —
diagrams, tables, text and history; drafts and editing are for those who manage programmes (programme.manage,
administrators), as a workflow is a programme's procedure.
"""

from __future__ import annotations

import difflib
import functools
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from passage.cases import procedure
from passage.cases.models import Case
from passage.cases.models.workflows import WorkflowVersion
from passage.cases.workflows.definition import Action, ActionKind, Deadline, State, Transition, Workflow
from passage.cases.workflows.loader import Known, Parsed, check_workflow, parse_workflow
from passage.cases.workflows.problems import Problem, Severity, sort_key
from passage.core import access
from passage.core.models import Operation

VIEW = "case.view"  # reading an operation's procedures: the people who work on its cases
MANAGE = "programme.manage"  # editing them: administrators (a workflow is a programme's procedure)
SHIPPED, OWN = "shipped", "operation"


# --- which workflow a case runs (procedure.resolve asks) --------------------------------------------------

_stored: dict[tuple[uuid.UUID, str, int], Workflow | None] = {}
_stored_lock = threading.Lock()
_STORED_MAX = 4096


def stored_workflow(operation_id: uuid.UUID, code: str, version: int, *, shipped: bool) -> Workflow | None:
    """The operation's own published version (code, version), or None when it has none by that number.

    Kept for the life of the process: a published version never changes. "None" is kept only for a version
    Passage ships (`shipped`): the operation's own versions are numbered above every shipped one, so none
    will appear later by that number; any other number is looked up again (it may be published meanwhile)."""
    key = (operation_id, code, version)
    with _stored_lock:
        if key in _stored:
            return _stored[key]
    text = (
        WorkflowVersion.objects.filter(operation_id=operation_id, code=code, version=version, published=True)
        .values_list("text", flat=True)
        .first()
    )
    if text is None and not shipped:
        return None
    workflow = None if text is None else _published(text, f"{code} v{version} of operation {operation_id}")
    with _stored_lock:
        if len(_stored) >= _STORED_MAX:
            _stored.clear()
        _stored[key] = workflow
    return workflow


def _published(text: str, source: str) -> Workflow:
    """A published text, read again. It was checked when published; only its form is read here, so that a
    role or form removed since cannot stop the cases that run on it."""
    parsed = parse_workflow(text, source=source)
    if parsed.workflow is None or parsed.errors:
        raise ValueError(f"{source}: published, yet unreadable: " + "; ".join(str(p) for p in parsed.errors))
    return parsed.workflow


@functools.lru_cache(maxsize=256)
def read(text: str) -> Workflow | None:
    """A stored text as a workflow, for its page (None when it is not readable at all)."""
    return parse_workflow(text).workflow


def latest_published(operation_id: uuid.UUID) -> dict[str, int]:
    """The newest published version of each workflow the operation has its own versions of."""
    latest: dict[str, int] = {}
    for code, version in WorkflowVersion.objects.filter(operation_id=operation_id, published=True).values_list(
        "code", "version"
    ):
        latest[code] = max(version, latest.get(code, 0))
    return latest


# --- texts and checks ---------------------------------------------------------------------------------------


def known_for(operation: Operation) -> Known:
    """What an operation's workflows are checked against: Passage's roles, the catalogue's document kinds and
    case fields, and its forms with those the operation's administrators uploaded (FormTemplate codes)."""
    from passage.cases.models import FormTemplate
    from passage.cases.workflows.shipped import catalogue

    known = catalogue().known
    uploaded = FormTemplate.objects.filter(operation=operation).values_list("code", flat=True)
    return Known(forms=sorted({*(known.forms or ()), *uploaded}), documents=known.documents, fields=known.fields)


def shipped_text(code: str, version: int) -> str | None:
    """The YAML of a shipped version as written in its file (None when it was not read from a file)."""
    try:
        source = procedure.registry().get(code, version).source
    except KeyError:
        return None
    path = Path(source)
    return path.read_text(encoding="utf-8") if source and path.is_file() else None


def shipped_file(code: str) -> str:
    """The library file of the newest shipped version of `code` (e.g. avrr.yaml), or "" when not from a file."""
    source = procedure.registry().latest(code).source
    return Path(source).name if source and Path(source).is_file() else ""


def next_version(operation: Operation, code: str) -> int:
    """The number a new version of `code` takes in `operation`: above every version shipped and published."""
    shipped = procedure.registry().versions(code)
    own = WorkflowVersion.objects.filter(operation=operation, code=code, published=True).values_list(
        "version", flat=True
    )
    return max([*shipped, *own, 0]) + 1


def in_use(operation: Operation, code: str) -> Workflow:
    """The version new cases of the operation start on (the operation's newest published, else shipped)."""
    return procedure.latest_in(operation.pk, code)


def text_of(operation: Operation, code: str, version: int) -> str | None:
    """The YAML of a version the operation has: its own row (published or the draft), else the shipped file."""
    text = (
        WorkflowVersion.objects.filter(operation=operation, code=code, version=version)
        .values_list("text", flat=True)
        .first()
    )
    return text if text is not None else shipped_text(code, version)


def with_version(text: str, version: int) -> str:
    """`text` with its top-level `version:` set to `version`, everything else (comments included) as it was."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "version" and isinstance(value, yaml.ScalarNode):
                start, end = value.start_mark.index, value.end_mark.index
                return text[:start] + str(version) + text[end:]
    return text


def check_text(text: str, *, operation: Operation, code: str, version: int) -> Parsed:
    """Everything a check of an edited text finds: the loader's and validator's problems by line, and that it
    is still the workflow being edited (its code) in the version it is saved as."""
    checked = check_workflow(text, source=f"{code} v{version}", known=known_for(operation), gettext=_)
    workflow = checked.workflow
    if workflow is None:
        return checked
    extra: list[Problem] = []
    if workflow.code != code:
        extra.append(
            Problem(
                Severity.ERROR,
                "code",
                _("this is the workflow %(code)s: its code stays %(code)s") % {"code": code},
                workflow.line_of("code"),
            )
        )
    if workflow.version != version:
        extra.append(
            Problem(
                Severity.ERROR,
                "version",
                _("the version must be %(version)s: the next version of this workflow (published ones never change)")
                % {"version": version},
                workflow.line_of("version"),
            )
        )
    if procedure.registry().codes() and code in procedure.registry().codes():
        dropped = set(in_use(operation, code).programme_types) - set(workflow.programme_types)
        if dropped:
            extra.append(
                Problem(
                    Severity.WARNING,
                    "programme_types",
                    _("new cases of %(types)s programmes will no longer start on this workflow")
                    % {"types": ", ".join(sorted(dropped))},
                    workflow.line_of("programme_types"),
                )
            )
    return Parsed(workflow, tuple(sorted([*checked.problems, *extra], key=sort_key)))


def problems_as_data(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [
        {"severity": str(problem.severity), "line": problem.line, "path": problem.path, "message": problem.message}
        for problem in problems
    ]


# --- what the pages show ------------------------------------------------------------------------------------


@dataclass
class VersionRow:
    """One version of a workflow as an operation has it."""

    version: int
    origin: str  # SHIPPED or OWN
    published: bool
    row: WorkflowVersion | None = None
    open_cases: int = 0
    in_use: bool = False

    @property
    def is_draft(self) -> bool:
        return not self.published


@dataclass
class WorkflowSummary:
    code: str
    name: str
    programme_types: tuple[str, ...]
    in_use: int
    shipped_latest: int
    versions: list[VersionRow] = field(default_factory=list)  # newest first
    draft: WorkflowVersion | None = None

    @property
    def open_cases(self) -> int:
        return sum(version.open_cases for version in self.versions)

    @property
    def newer_shipped(self) -> bool:
        """Passage ships a newer version than the one the operation's own versions started from."""
        started = [v.row.based_on_version or 0 for v in self.versions if v.row is not None and v.published]
        return bool(started) and self.shipped_latest > max(started)


def open_cases_by_version(user: Any, operation: Operation, code: str | None = None) -> dict[tuple[str, int], int]:
    """Open cases the user may see, by (workflow, version): one grouped count."""
    cases = Case.objects.visible_to(user).open().filter(operation=operation)
    if code is not None:
        cases = cases.filter(workflow_code=code)
    return {
        (row["workflow_code"], row["workflow_version"]): row["n"]
        for row in cases.values("workflow_code", "workflow_version").annotate(n=Count("id")).order_by()
    }


def summaries(user: Any, operation: Operation, code: str | None = None) -> list[WorkflowSummary]:
    """Every workflow of the operation (or one), its versions newest first with their open cases, the one in
    use, and the draft when the user may see drafts. Two queries whatever the number of workflows."""
    registry = procedure.registry()
    codes = [code] if code is not None else registry.codes()
    may_manage = access.can(user, MANAGE, operation)
    rows = WorkflowVersion.objects.filter(operation=operation, code__in=codes).select_related(
        "published_by", "saved_by"
    )
    own: dict[str, list[WorkflowVersion]] = {}
    for row in rows:
        own.setdefault(row.code, []).append(row)
    counts = open_cases_by_version(user, operation, code)
    found = []
    for each in codes:
        published = [row for row in own.get(each, []) if row.published]
        draft = next((row for row in own.get(each, []) if not row.published), None)
        in_use_version = max((row.version for row in published), default=registry.latest(each).version)
        versions = {
            version: VersionRow(version, SHIPPED, True) for version in registry.versions(each)
        }  # an own version by the same number stands for it in this operation (procedure.resolve)
        for row in published:
            versions[row.version] = VersionRow(row.version, OWN, True, row)
        if draft is not None and may_manage:
            versions[draft.version] = VersionRow(draft.version, OWN, False, draft)
        for version in versions.values():
            version.open_cases = counts.get((each, version.version), 0) if version.published else 0
            version.in_use = version.version == in_use_version and version.published
        current = versions[in_use_version]
        workflow = (read(current.row.text) if current.row is not None else None) or registry.get(each, in_use_version)
        found.append(
            WorkflowSummary(
                code=each,
                name=procedure.label(workflow.name),
                programme_types=workflow.programme_types,
                in_use=in_use_version,
                shipped_latest=registry.latest(each).version,
                versions=sorted(versions.values(), key=lambda v: -v.version),
                draft=draft if may_manage else None,
            )
        )
    return found


@dataclass
class Shown:
    """A version of a workflow opened on its page."""

    summary: WorkflowSummary
    version: VersionRow
    workflow: Workflow | None  # None: a text that is not readable (never for a published version)
    text: str


def get_workflow_for_user(user: Any, operation: Operation, code: str, version: int | None = None) -> Shown:
    """A version of one of the operation's workflows (the one in use when `version` is None). Unknown codes
    and versions are 404; so are drafts for those who may not manage workflows."""
    access.require(user, VIEW, operation)
    if code not in procedure.registry().codes():
        raise Http404
    summary = summaries(user, operation, code)[0]
    wanted = summary.in_use if version is None else version
    shown = next((row for row in summary.versions if row.version == wanted), None)
    if shown is None:
        raise Http404
    if shown.row is not None:
        text = shown.row.text
        workflow = read(text)
    else:
        text = shipped_text(code, wanted) or ""
        workflow = procedure.registry().get(code, wanted)
    return Shown(summary, shown, workflow, text)


def get_draft_for_user(user: Any, operation: Operation, code: str) -> WorkflowVersion | None:
    """The draft of `code` for someone who manages workflows (403 for others); None when there is none."""
    access.require(user, MANAGE, operation)
    if code not in procedure.registry().codes():
        raise Http404
    return WorkflowVersion.objects.filter(operation=operation, code=code, published=False).first()


# --- states and transitions in words ------------------------------------------------------------------------


def role_name(code: str) -> str:
    from passage.core.roles import DEFAULT_ROLES

    names = {role.code: role.name for role in DEFAULT_ROLES}
    return _(names[code]) if code in names else code


def deadline_words(deadline: Deadline) -> str:
    parts = []
    if deadline.days:
        parts.append(ngettext("%(n)s day", "%(n)s days", deadline.days) % {"n": deadline.days})
    if deadline.hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", deadline.hours) % {"n": deadline.hours})
    return " ".join(parts) or _("at once")


def escalation_words(deadline: Deadline) -> str:
    escalation = deadline.escalation
    if escalation is None:
        return ""
    if escalation.action is ActionKind.CREATE_TASK:
        title = procedure.label(escalation.title) if escalation.title else ""
        return _("a task for %(role)s") % {"role": role_name(escalation.role)} + (f": “{title}”" if title else "")
    return _("%(role)s told") % {"role": role_name(escalation.role)}


def action_words(action: Action, names: dict[str, str]) -> str:
    role = role_name(action.role) if action.role else ""
    title = procedure.label(action.title) if action.title else ""
    if action.kind is ActionKind.CREATE_TASK:
        words = _("task “%(title)s” for %(role)s") % {"title": title, "role": role or _("the caseworker")}
        if action.due_days is not None:
            words += ", " + ngettext("due in %(n)s day", "due in %(n)s days", action.due_days) % {"n": action.due_days}
        if action.form:
            words += ", " + _("form %(form)s") % {"form": names.get(action.form, action.form)}
        return words
    if action.kind is ActionKind.NOTIFY:
        message = procedure.label(action.message) if action.message else ""
        return _("tell %(role)s") % {"role": role} + (f": “{message}”" if message else "")
    if action.kind is ActionKind.SCHEDULE_FOLLOW_UP:
        days = action.due_days or 0
        return ngettext("follow-up “%(title)s” in %(n)s day", "follow-up “%(title)s” in %(n)s days", days) % {
            "title": title,
            "n": days,
        }
    if action.kind is ActionKind.CLOSE_REFERRALS:
        return _("close the open referrals")
    return _("close the open tasks")


def requirement_words(transition: Transition, names: dict[str, str], labels: dict[str, str]) -> list[str]:
    requires = transition.requires
    words = [_("form %(form)s completed") % {"form": names.get(code, code)} for code in requires.forms]
    words += [_("a document: %(kind)s") % {"kind": names.get(code, code)} for code in requires.documents]
    words += [_("%(field)s set") % {"field": names.get(code, code)} for code in requires.fields]
    if requires.approval is not None:
        words.append(_("approved first by another %(role)s") % {"role": role_name(requires.approval.role)})
    for other in requires.different_person_from:
        words.append(_("not by whoever took “%(step)s”") % {"step": labels.get(other, other)})
    if requires.reason:
        words.append(_("a reason"))
    return words


@dataclass
class StateRow:
    state: State
    label: str
    kind: str
    deadline: str
    escalation: str
    on_entry: list[str]
    line: int | None


@dataclass
class TransitionRow:
    transition: Transition
    label: str
    sources: list[str]
    target: str
    roles: list[str]
    requires: list[str]
    line: int | None


def tables(workflow: Workflow) -> tuple[list[StateRow], list[TransitionRow]]:
    """The workflow's states (deadline, escalation, what happens on entry) and transitions (from, to, who,
    what they need) in the reader's language, each with the line it is written on."""
    names = procedure.names_for(workflow)
    labels = procedure.state_labels(workflow)
    kinds = {"initial": _("first"), "active": "", "final": _("final")}
    states = [
        StateRow(
            state=state,
            label=labels[state.code],
            kind=kinds[state.kind.value],
            deadline=deadline_words(state.deadline) if state.deadline else "",
            escalation=escalation_words(state.deadline) if state.deadline else "",
            on_entry=[action_words(action, names) for action in state.on_entry],
            line=workflow.line_of(f"states.{state.code}"),
        )
        for state in workflow.states
    ]
    step_labels = {transition.code: procedure.label(transition.label) for transition in workflow.transitions}
    transitions = [
        TransitionRow(
            transition=transition,
            label=step_labels[transition.code],
            sources=[_("any open state")]
            if transition.from_any
            else [labels.get(code, code) for code in transition.sources],
            target=labels.get(transition.target, transition.target),
            roles=[role_name(role) for role in transition.roles],
            requires=requirement_words(transition, names, step_labels),
            line=workflow.line_of(f"transitions.{transition.code}"),
        )
        for transition in workflow.transitions
    ]
    return states, transitions


def numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


# --- two versions side by side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    kind: str  # equal, replace, delete, insert, gap (lines left out between changes)
    left_no: int | None = None
    left: str = ""
    right_no: int | None = None
    right: str = ""


@dataclass(frozen=True)
class Diff:
    rows: tuple[DiffRow, ...]
    added: int
    removed: int

    @property
    def same(self) -> bool:
        return not self.added and not self.removed


def side_by_side(before: str, after: str, *, context: int = 3) -> Diff:
    """Two texts line by line, changed lines facing each other, with `context` unchanged lines around each
    change (the rest left out as a gap)."""
    left, right = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    rows: list[DiffRow] = []
    added = removed = 0
    end = (0, 0)  # where the last change's context ends, in each text
    for group in matcher.get_grouped_opcodes(context):
        if rows or group[0][1] or group[0][3]:
            rows.append(DiffRow("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag != "equal":
                removed += i2 - i1
                added += j2 - j1
            for offset in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + offset, j1 + offset
                kind = tag if tag != "replace" or (i < i2 and j < j2) else "delete" if i < i2 else "insert"
                rows.append(
                    DiffRow(
                        kind,
                        i + 1 if i < i2 else None,
                        left[i] if i < i2 else "",
                        j + 1 if j < j2 else None,
                        right[j] if j < j2 else "",
                    )
                )
            end = (i2, j2)
    if added or removed:
        if end[0] < len(left) or end[1] < len(right):
            rows.append(DiffRow("gap"))
    else:
        rows = []
    return Diff(tuple(rows), added, removed)


def change_summary(before: str, after: str) -> dict[str, Any]:
    """What changed from one text to the next, for the audit trail: lines added and removed, and the states
    and transitions added or removed."""
    diff = side_by_side(before, after, context=0)
    summary: dict[str, Any] = {"lines_added": diff.added, "lines_removed": diff.removed}
    old, new = parse_workflow(before).workflow, parse_workflow(after).workflow
    if old is not None and new is not None:
        for kind, was, now in (
            ("states", {s.code for s in old.states}, {s.code for s in new.states}),
            ("transitions", {t.code for t in old.transitions}, {t.code for t in new.transitions}),
        ):
            if now - was:
                summary[f"{kind}_added"] = sorted(now - was)
            if was - now:
                summary[f"{kind}_removed"] = sorted(was - now)
    return summary
