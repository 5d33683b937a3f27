"""Escalation of overdue work, run every five minutes by a periodic task (passage.cases.tasks) and on demand by
`passage manage escalate_overdue`.

A case that stayed in a state past the state's deadline, and an open task past its due date, are escalated
once: marked escalated, a task created for the role the workflow escalates that state to (the caseworker when it
names none), and an audit event written. Each case is escalated in its own transaction, locked, so two workers
never escalate the same case twice; a batch at a time, oldest deadline first, so a backlog drains over a few runs
without one run holding the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import procedure
from passage.cases.models import Case, Task, TaskSource
from passage.core import audit

BATCH = 200
ROUNDS = 10  # batches per run: a backlog of up to 2,000 cases, tasks and referrals each drains in one run


@dataclass
class Escalated:
    cases: int = 0
    tasks: int = 0
    referrals: int = 0


def escalate_all(*, now: dt.datetime | None = None, rounds: int = ROUNDS, batch: int = BATCH) -> Escalated:
    """Overdue cases, tasks and referrals, a batch of each per round until none is left or `rounds` are done."""
    from passage.cases.referral_actions import escalate_overdue_referrals

    total = Escalated()
    for _round in range(rounds):
        done = escalate_overdue(now=now, batch=batch)
        done.referrals = escalate_overdue_referrals(now=now, batch=batch)
        total.cases, total.tasks, total.referrals = (
            total.cases + done.cases,
            total.tasks + done.tasks,
            total.referrals + done.referrals,
        )
        if not (done.cases or done.tasks or done.referrals):
            break
    return total


def escalate_overdue(*, now: dt.datetime | None = None, batch: int = BATCH) -> Escalated:
    """Escalate up to `batch` overdue cases and `batch` overdue tasks; how many of each were escalated."""
    now = now or timezone.now()
    done = Escalated()
    late_cases = (
        Case.objects.filter(closed_at__isnull=True, state_due_at__lt=now, state_escalated_at__isnull=True)
        .order_by("state_due_at")
        .values_list("pk", flat=True)[:batch]
    )
    for case_id in list(late_cases):
        done.cases += _escalate_case(case_id, now)
    late_tasks = (
        Task.objects.filter(
            done_at__isnull=True,
            escalated_at__isnull=True,
            due_on__lt=timezone.localdate(now),
            case__closed_at__isnull=True,
        )
        .exclude(source=TaskSource.ESCALATION)
        .order_by("due_on")
        .values_list("pk", flat=True)[:batch]
    )
    for task_id in list(late_tasks):
        done.tasks += _escalate_task(task_id, now)
    return done


def _escalation_of(case: Case) -> tuple[str | None, str]:
    """The role the case's current state escalates to (None: the caseworker), and the escalation's title."""
    state = procedure.state_of(case)
    escalation = state.deadline.escalation if state is not None and state.deadline is not None else None
    if escalation is None:
        return None, ""
    return escalation.role, procedure.label(escalation.title) if escalation.title else ""


def _escalation_task(case: Case, title: str, role: str | None, now: dt.datetime) -> Task:
    assignee = None if role else case.caseworker
    return Task.objects.create(
        case=case,
        title=title[:200],
        due_on=timezone.localdate(now),
        assignee=assignee,
        assignee_role=role or "",
        source=TaskSource.ESCALATION,
        state=case.state,
    )


@transaction.atomic
def _escalate_case(case_id: Any, now: dt.datetime) -> int:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("caseworker")
        .filter(pk=case_id, closed_at__isnull=True, state_due_at__lt=now, state_escalated_at__isnull=True)
        .first()
    )
    if case is None:
        return 0  # moved on, closed or escalated meanwhile
    role, title = _escalation_of(case)
    state = procedure.state_of(case)
    state_label = procedure.label(state.label) if state is not None else case.state
    title = title or _("Case %(ref)s is overdue in “%(state)s”") % {"ref": case.reference, "state": state_label}
    _escalation_task(case, title, role, now)
    case.state_escalated_at = now
    case.save(update_fields=["state_escalated_at", "updated_at"])
    audit.record(
        None,
        "case.escalated",
        case,
        actor_username="system",
        changes={"state": [case.state, case.state], "escalated_to": [None, role or str(case.caseworker_id)]},
        note=_("In this state since %(since)s; due by %(due)s.")
        % {
            "since": timezone.localtime(case.state_entered_at).strftime("%Y-%m-%d %H:%M"),
            "due": timezone.localtime(case.state_due_at).strftime("%Y-%m-%d %H:%M") if case.state_due_at else "",
        },
    )
    return 1


@transaction.atomic
def _escalate_task(task_id: Any, now: dt.datetime) -> int:
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "case__caseworker")
        .filter(pk=task_id, done_at__isnull=True, escalated_at__isnull=True)
        .first()
    )
    if task is None:
        return 0
    case = task.case
    role, _title = _escalation_of(case)
    task.escalated_at = now
    task.save(update_fields=["escalated_at"])
    to_caseworker = role is None and task.assignee_id != case.caseworker_id and case.caseworker_id is not None
    if role or to_caseworker:
        title = _("Overdue on case %(ref)s: %(task)s") % {"ref": case.reference, "task": task.title}
        _escalation_task(case, title, role, now)
    audit.record(
        None,
        "case.task_escalated",
        case,
        actor_username="system",
        changes={"task": [task.title, "escalated"], "escalated_to": [None, role or str(case.caseworker_id or "")]},
        note=_("Due on %(due)s.") % {"due": task.due_on.isoformat() if task.due_on else ""},
    )
    return 1
