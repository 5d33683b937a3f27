"""Demo cases: a few hundred cases of the demo operation's people, households and groups, in every programme
that runs on a workflow, spread over the workflows' states, priorities, sensitivities, caseworkers and offices,
with tasks (some done, some overdue and escalated), notes and a few documents.

Cases are opened through cases.actions.open_case (as the system, for the demo's caseworkers), so numbers, first
states, on-entry tasks and audit events are the real ones. Moving them along is the demo's own doing: the
workflows ask for forms that come from assessments, so `_advance` walks a case along its workflow's transitions
without their requirements — recording each step in the case's history with back-dated times, running the
states' on-entry actions, and computing each state's deadline — as the cases would look had staff taken those
steps over the past months. One summary audit event (`cases.demo`) says so.

Deterministic for a seed; safe to run again: it opens cases only while the operation has fewer than `count`.
Called by `passage demo` (manage.py demo_cases) after the demo registry and groups.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from passage.cases import actions, procedure, work_actions
from passage.cases.escalation import escalate_overdue
from passage.cases.models import (
    Case,
    CaseNote,
    CaseStateChange,
    ClosureReason,
    Priority,
    Sensitivity,
    StateChangeKind,
)
from passage.cases.workflows.definition import Transition, Workflow
from passage.core import audit
from passage.core.models import Membership, Operation, Programme, User
from passage.core.models.operations import ProgrammeStatus
from passage.registry.models import Group, Household, Person

# Who works the cases of each programme type: the demo users (passage.core.demo) by role.
CASEWORKER_ROLE = {
    "reparations": "claims_officer",
    "resettlement": "movement_officer",
    "medical_evacuation": "movement_officer",
}
PRIORITIES = [(Priority.URGENT, 8), (Priority.HIGH, 20), (Priority.NORMAL, 62), (Priority.LOW, 10)]
SENSITIVITIES = [(Sensitivity.NORMAL, 85), (Sensitivity.RESTRICTED, 11), (Sensitivity.HIGHLY_RESTRICTED, 4)]
NOTES = [
    "First contact by phone; she prefers to be called in the afternoon.",
    "Met at the office with an interpreter. Consent explained and recorded.",
    "Family lives with relatives; rent is paid three months in arrears.",
    "Referred to the health centre for a check-up; appointment next week.",
    "Documents are with the municipality; follow up with the civil registry.",
    "He asked that no one calls his brother's number.",
    "Home visit done: the children attend school again.",
    "Legal aid partner accepted the referral.",
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class DemoCases:
    opened: int = 0
    closed: int = 0
    by_programme: Counter[str] = field(default_factory=Counter)
    escalated: int = 0
    skipped: str = ""

    def __str__(self) -> str:
        if self.skipped:
            return f"Demo cases: {self.skipped}"
        programmes = ", ".join(f"{code} {n}" for code, n in sorted(self.by_programme.items()))
        return (
            f"Demo cases: {self.opened} opened ({programmes}), {self.closed} of them closed; "
            f"{self.escalated} overdue states and tasks escalated."
        )


def build_demo_cases(
    *, operation: Operation, count: int = 300, seed: int = 7, now: dt.datetime | None = None
) -> DemoCases:
    """Open demo cases until the operation has `count` (see the module's docstring)."""
    result = DemoCases()
    missing = count - Case.objects.filter(operation=operation).count()
    if missing <= 0:
        result.skipped = "the operation has its cases already."
        return result
    rng = random.Random(f"{seed}:{operation.code}")  # noqa: S311  (demo data, not security)
    now = now or timezone.now()
    programmes = _programmes(operation)
    people = list(
        Person.objects.filter(operation=operation, status="active", office__isnull=False)
        .order_by("reference")
        .values_list("pk", flat=True)[:20000]
    )
    if not programmes or not people:
        result.skipped = "no programme runs on a workflow, or no person is registered (run `passage demo --people N`)."
        return result
    staff = _staff(operation)
    households = list(
        Household.objects.filter(operation=operation, office__isnull=False).values_list("pk", flat=True)[:2000]
    )
    groups = list(Group.objects.filter(operation=operation, office__isnull=False).values_list("pk", flat=True))
    rng.shuffle(people)
    for index in range(missing * 3):  # a drawn subject may have an open case of the programme already
        if result.opened == missing:
            break
        programme, workflow = programmes[index % len(programmes)]
        subject = _subject(programme, rng, people, households, groups)
        if subject is None:
            continue
        with transaction.atomic():
            case = _open(programme, subject, staff, rng)
            if case is None:
                continue
            _advance(case, workflow, rng, now)
            _work(case, staff, rng, now)
        result.opened += 1
        result.closed += case.closed_at is not None
        result.by_programme[programme.code] += 1
    escalated = escalate_overdue(now=now, batch=1000)
    result.escalated = escalated.cases + escalated.tasks
    audit.record(
        None,
        "cases.demo",
        operation,
        actor_username="system",
        changes={"cases": [None, result.opened]},
        note="Demo cases: opened through open_case, then moved along their workflows by the demo (requirements "
        "not checked), with back-dated history.",
    )
    return result


def _programmes(operation: Operation) -> list[tuple[Programme, Workflow]]:
    found = []
    for programme in Programme.objects.filter(operation=operation, status=ProgrammeStatus.ACTIVE).order_by("code"):
        try:
            found.append((programme, procedure.workflow_for(programme)))
        except ValidationError:
            continue  # no workflow for this programme type
    return found


def _staff(operation: Operation) -> dict[str, list[User]]:
    """Active people of the operation who manage cases, by role code."""
    staff: dict[str, list[User]] = {}
    for membership in (
        Membership.objects.active()
        .filter(operation=operation, role__grants__permission="case.manage", user__is_active=True)
        .select_related("user", "role")
        .order_by("user__username")
    ):
        staff.setdefault(membership.role.code, []).append(membership.user)
    return staff


def _subject(
    programme: Programme, rng: random.Random, people: list[Any], households: list[Any], groups: list[Any]
) -> Any:
    """A person mostly; a household for resettlement and IDP relief now and then; a group for reparations and
    community programmes now and then."""
    roll = rng.random()
    if groups and programme.type in ("reparations", "community_stabilisation") and roll < 0.15:
        return Group.objects.get(pk=rng.choice(groups))
    if households and programme.type in ("resettlement", "idp_relief", "return_reintegration") and roll < 0.3:
        return Household.objects.get(pk=rng.choice(households))
    if not people:
        return None
    return Person.objects.get(pk=people.pop())


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _weight in choices], weights=[weight for _value, weight in choices])[0]


def _open(programme: Programme, subject: Any, staff: dict[str, list[User]], rng: random.Random) -> Case | None:
    role = CASEWORKER_ROLE.get(programme.type, "caseworker")
    candidates = staff.get(role) or staff.get("caseworker") or [user for users in staff.values() for user in users]
    if not candidates or subject.office is None:
        return None
    kind = subject._meta.model_name
    try:
        return actions.open_case(
            acting_user=None,
            programme=programme,
            office=subject.office,
            caseworker=rng.choice(candidates),
            priority=_weighted(rng, PRIORITIES),
            sensitivity=_weighted(rng, SENSITIVITIES),
            **{kind: subject},
        )
    except ValidationError:
        return None  # e.g. an open case of this programme for them already


def _forward(workflow: Workflow, state: str) -> list[Transition]:
    """The steps out of a state, the workflow's own path first (not the "from any state" exits)."""
    steps = workflow.transitions_from(state)
    return [t for t in steps if not t.from_any] or list(steps)


def _advance(case: Case, workflow: Workflow, rng: random.Random, now: dt.datetime) -> None:
    """Walk the case a random number of steps along its workflow, back-dated: opened 1 to 240 days ago, each
    step some days after the one before."""
    depth = rng.choice([0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12])
    at = now - dt.timedelta(days=rng.randint(1, 240), hours=rng.randint(0, 20))
    first = case.state_changes.get()
    CaseStateChange.objects.filter(pk=first.pk).update(at=at)
    state = workflow.state(case.state)
    Case.objects.filter(pk=case.pk).update(opened_at=at, state_entered_at=at, state_due_at=procedure.due_at(state, at))
    shift = timezone.localdate(now) - timezone.localdate(at)
    for task in case.tasks.filter(due_on__isnull=False):  # the first state's tasks, due from the day it opened
        due: dt.date = task.due_on  # type: ignore[assignment]
        task.due_on = due - shift
        task.save(update_fields=["due_on"])
    case.refresh_from_db()
    span = (now - at).total_seconds()
    for _step in range(depth):
        choices = _forward(workflow, case.state)
        ahead = [step for step in choices if not workflow.state(step.target).is_final]
        if ahead and rng.random() < 0.75:  # most demo cases are still being worked on
            choices = ahead
        if not choices:
            break
        # the steps spread over the time since opening, so that the last one is recent
        at += dt.timedelta(seconds=span / (depth + 1) * rng.uniform(0.6, 1.2))
        if at >= now:
            break
        _take(case, workflow, rng.choice(choices), at)
        if case.closed_at is not None:
            break


def _take(case: Case, workflow: Workflow, step: Transition, at: dt.datetime) -> None:
    """One step, taken by the caseworker at `at`: the tasks of the state left are done, the next state's
    deadline and on-entry tasks count from `at`."""
    target = workflow.state(step.target)
    case.tasks.filter(done_at__isnull=True).update(done_at=at, done_by=case.caseworker)
    due = procedure.due_at(target, at)
    CaseStateChange.objects.create(
        case=case,
        kind=StateChangeKind.TRANSITION,
        transition=step.code,
        from_state=case.state,
        to_state=target.code,
        by=case.caseworker,
        at=at,
        due_at=due,
    )
    case.state, case.state_entered_at, case.state_due_at = target.code, at, due
    if target.is_final:
        case.closed_at, case.closed_by, case.closure_reason = at, case.caseworker, ClosureReason.COMPLETED
    case.save()
    work_actions.run_entry_actions(case=case, state=target, acting_user=None, at=at)


def _work(case: Case, staff: dict[str, list[User]], rng: random.Random, now: dt.datetime) -> None:
    """A few notes, and a document for the case's first requirement of a document."""
    author = case.caseworker
    for _note in range(rng.choice([0, 1, 1, 2, 3])):
        note = work_actions.add_note(case=case, acting_user=author, text=rng.choice(NOTES), private=rng.random() < 0.2)
        written = case.opened_at + (now - case.opened_at) * rng.random()
        CaseNote.objects.filter(pk=note.pk).update(created_at=written)  # back-dated, as the history is
    if author is not None and rng.random() < 0.4 and case.closed_at is None:
        kinds = procedure.document_kinds(procedure.workflow_of(case))
        kind = kinds[0][0]
        work_actions.upload_document(
            case=case,
            acting_user=author,
            kind=kind,
            upload=io.BytesIO(PDF),
            filename=f"{kind}.pdf",
            size=len(PDF),
            title=kinds[0][1],
        )
    if case.sensitivity != Sensitivity.NORMAL and rng.random() < 0.5:
        colleagues = [user for users in staff.values() for user in users if user.pk != case.caseworker_id]
        if colleagues:
            actions.grant_access(
                case=case, user=rng.choice(colleagues), acting_user=None, reason="Covers the caseworker's leave"
            )
