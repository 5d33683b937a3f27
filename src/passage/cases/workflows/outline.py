"""A workflow as plain text lines: its states and transitions with who may take them and what they need
(`passage workflow show`)."""

from __future__ import annotations

from passage.cases.workflows.definition import Action, ActionKind, Transition, Workflow


def _action(action: Action, language: str) -> str:
    title = f" “{action.title.get(language)}”" if action.title else ""
    role = f" for {action.role}" if action.role else ""
    if action.kind is ActionKind.CREATE_TASK:
        due = f", due in {action.due_days} d" if action.due_days is not None else ""
        form = f", form {action.form}" if action.form else ""
        return f"task{title}{role}{due}{form}"
    if action.kind is ActionKind.NOTIFY:
        return f"notify {action.role}" + (f" “{action.message.get(language)}”" if action.message else "")
    if action.kind is ActionKind.SCHEDULE_FOLLOW_UP:
        return f"follow-up in {action.due_days} d{title}{role}"
    return action.kind.value.replace("_", " ")


def _requirements(transition: Transition) -> list[str]:
    requires = transition.requires
    parts = []
    if requires.forms:
        parts.append("forms " + ", ".join(requires.forms))
    if requires.documents:
        parts.append("documents " + ", ".join(requires.documents))
    if requires.fields:
        parts.append("fields " + ", ".join(requires.fields))
    if requires.approval:
        parts.append(f"approved by a second {requires.approval.role}")
    if requires.different_person_from:
        parts.append("not by whoever took " + ", ".join(requires.different_person_from))
    if requires.reason:
        parts.append("a reason")
    return parts


def outline(workflow: Workflow, *, language: str = "en") -> list[str]:
    lines = [f"{workflow.name.get(language)} — {workflow.code} version {workflow.version}"]
    if workflow.programme_types:
        lines.append(f"Programme types: {', '.join(workflow.programme_types)}")
    lines += ["", f"States ({len(workflow.states)}):"]
    width = max((len(state.code) for state in workflow.states), default=0)
    for state in workflow.states:
        kind = "" if state.kind.value == "active" else f" [{state.kind.value}]"
        lines.append(f"  {state.code:<{width}}  {state.label.get(language)}{kind}")
        if state.deadline is not None:
            deadline = f"deadline {state.deadline}"
            escalation = state.deadline.escalation
            if escalation is not None:
                then = "notify" if escalation.action is ActionKind.NOTIFY else "a task for"
                deadline += f", then {then} {escalation.role}"
            lines.append(f"  {'':<{width}}    {deadline}")
        for action in state.on_entry:
            lines.append(f"  {'':<{width}}    on entry: {_action(action, language)}")
    lines += ["", f"Transitions ({len(workflow.transitions)}):"]
    for transition in workflow.transitions:
        sources = "any open state" if transition.from_any else ", ".join(transition.sources)
        lines.append(f"  {transition.code}: {sources} -> {transition.target}  “{transition.label.get(language)}”")
        lines.append(f"      roles: {', '.join(transition.roles) or 'none'}")
        needs = _requirements(transition)
        if needs:
            lines.append(f"      needs: {'; '.join(needs)}")
    return lines
