"""What happens to a case: opening, assignment, priority and sensitivity, named access, transitions along its
workflow, closure and reopening. Tasks, notes and documents are in work_actions; escalation in escalation.

Every change here is an action: keyword-only arguments, the acting user (None when the system acts), one
transaction, an audit event about the case. A case carries a version: an edit names the version it started
from, and an edit that started before someone else's change is refused with who changed what meanwhile
(CaseChangedMeanwhile), never saved over it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import procedure
from passage.cases.access import MANAGE, VIEW, forget_named, may, may_name_staff
from passage.cases.models import (
    REFERENCE_PREFIX,
    ApprovalDecision,
    Case,
    CaseAccess,
    CaseApproval,
    CaseCounter,
    CaseStateChange,
    ClosureReason,
    Priority,
    Sensitivity,
    StateChangeKind,
)
from passage.cases.procedure import TransitionRefused as TransitionRefused  # raised by transition_case
from passage.cases.work_actions import run_entry_actions
from passage.core import audit
from passage.core.access import can, permissions_in
from passage.core.models import AuditEvent, Office, Programme, User
from passage.core.models.operations import ProgrammeStatus
from passage.registry.models import Group, Household, Person, PersonStatus

# What an edit of the case compares (and its audit event records).
TRACKED = ("caseworker", "priority", "sensitivity", "state", "office", "closed_at", "closure_reason")


class CaseChangedMeanwhile(Exception):
    """Someone changed the case after this edit started from `expected_version`. Nothing was saved."""

    def __init__(self, case: Case, expected_version: int, changes: list[dict[str, Any]]) -> None:
        self.case = case
        self.expected_version = expected_version
        self.current_version = case.version
        self.changes = changes  # each: at, by, fields
        super().__init__(self.message())

    @property
    def fields(self) -> list[str]:
        seen: list[str] = []
        for change in self.changes:
            seen.extend(name for name in change["fields"] if name not in seen)
        return seen

    def message(self) -> str:
        if not self.changes:
            return _(
                "Someone changed this case after you opened it (version %(old)s, now %(new)s). Nothing was saved: "
                "look at the case again and make your change once more."
            ) % {"old": self.expected_version, "new": self.current_version}
        described = "; ".join(
            _("%(by)s at %(at)s changed %(fields)s")
            % {
                "by": change["by"],
                "at": timezone.localtime(change["at"]).strftime("%Y-%m-%d %H:%M"),
                "fields": ", ".join(field_label(name) for name in change["fields"]) or _("the case"),
            }
            for change in self.changes
        )
        return _(
            "Someone changed this case after you opened it: %(changes)s. Nothing was saved: check the case as it "
            "is now and make your change again."
        ) % {"changes": described}


def field_label(name: str) -> str:
    """A case field's name as people read it."""
    labels = {
        "caseworker": _("caseworker"),
        "priority": _("priority"),
        "sensitivity": _("sensitivity"),
        "state": _("state"),
        "office": _("office"),
        "closed_at": _("closure"),
        "closure_reason": _("reason for closing"),
    }
    return labels.get(name, name.replace("_", " "))


# --- helpers ------------------------------------------------------------------------------------------------


def _require(user: User | None, permission: str, case: Case) -> None:
    if user is not None and not may(user, permission, case):
        raise PermissionDenied(permission)


def _locked(case: Case) -> Case:
    """The case as stored now, locked for this transaction."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("operation", "programme", "caseworker")
        .get(pk=case.pk)
    )


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and case.version != version:
        raise CaseChangedMeanwhile(case, version, changes_since(case, version))


def _refuse_closed(case: Case) -> None:
    if case.closed_at is not None:
        raise ValidationError(_("This case is closed: reopen it first."))


def changes_since(case: Case, version: int) -> list[dict[str, Any]]:
    """Who changed which fields of the case after `version`, oldest first, read from the audit trail (every
    change that moves the version records it as "version": [old, new])."""
    found: list[dict[str, Any]] = []
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("-id")
    for event in events[:200]:
        bump = (event.changes or {}).get("version")
        if not (isinstance(bump, list) and len(bump) == 2 and isinstance(bump[1], int)):
            continue
        if bump[1] <= version:
            break
        by = event.actor_username or _("system")
        found.append({"at": event.at, "by": by, "fields": [name for name in event.changes if name != "version"]})
    return list(reversed(found))


def _bump(case: Case, changes: dict[str, Any]) -> None:
    before = case.version
    case.version = before + 1
    changes["version"] = [before, case.version]


def _snapshot(case: Case) -> dict[str, Any]:
    values = audit.snapshot(case, ("priority", "sensitivity", "state", "closed_at", "closure_reason"))
    values["caseworker"] = str(case.caseworker_id) if case.caseworker_id else None
    values["office"] = str(case.office_id)
    return values


def _save(case: Case, acting_user: User | None, action: str, before: dict[str, Any], *, note: str = "") -> Case:
    """Save the case's tracked fields, bump its version and record `action` with what changed."""
    changes: dict[str, Any] = audit.diff(before, _snapshot(case))
    _bump(case, changes)
    case.save()
    audit.record(acting_user, action, case, changes=changes, note=note)
    return case


def _may_work_on(user: User, case: Case) -> bool:
    """Whether `user` could be this case's caseworker: their role manages cases of its programme and office."""
    return user.is_active and can(user, MANAGE, case)


def _clean_reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: _("Say why.")})
    return reason


# --- case numbers -------------------------------------------------------------------------------------------


def allocate_reference(*, programme: Programme, on: dt.date | None = None) -> str:
    """The next case number of the programme's type in its operation and year, e.g. PDA-2026-000123.

    The counter row is created once (a second creator's insert fails on the unique constraint and reads the
    row instead), then incremented in place: the UPDATE locks the row on PostgreSQL until the transaction ends,
    and on SQLite the transaction holds the database's write lock, so two people opening cases at once never
    draw the same number. Must run inside the transaction that saves the case: a rolled-back case gives its
    number back."""
    year = (on or timezone.localdate()).year
    prefix = REFERENCE_PREFIX.get(programme.type, "CASE")
    key = {"operation_id": programme.operation_id, "prefix": prefix, "year": year}
    if not CaseCounter.objects.filter(**key).exists():
        try:
            with transaction.atomic():
                CaseCounter.objects.create(**key, last=0)
        except IntegrityError:
            pass  # someone else created it meanwhile
    CaseCounter.objects.filter(**key).update(last=F("last") + 1)
    last = CaseCounter.objects.filter(**key).values_list("last", flat=True).get()
    return f"{prefix}-{year}-{last:06d}"


# --- opening ------------------------------------------------------------------------------------------------


def _subject_of(person: Person | None, household: Household | None, group: Group | None) -> Any:
    given = [subject for subject in (person, household, group) if subject is not None]
    if len(given) != 1:
        raise ValidationError({"subject": _("A case is about one person, one household or one group.")})
    return given[0]


@transaction.atomic
def open_case(
    *,
    acting_user: User | None,
    programme: Programme,
    office: Office,
    person: Person | None = None,
    household: Household | None = None,
    group: Group | None = None,
    caseworker: User | None = None,
    priority: int = Priority.NORMAL,
    sensitivity: str = Sensitivity.NORMAL,
    note: str = "",
) -> Case:
    """Enrol a person, a household or a group (a collective case) in a programme. The case starts in the initial
    state of the newest workflow for the programme's type, keeps that workflow's version for life, and runs the
    state's on-entry actions. The caseworker is the person opening it unless another is named."""
    subject = _subject_of(person, household, group)
    caseworker = caseworker or acting_user
    errors: dict[str, str] = {}
    if programme.operation_id != office.operation_id:
        errors["office"] = _("This office belongs to another operation.")
    if subject.operation_id != programme.operation_id:
        errors["subject"] = _("This person, household or group belongs to another operation.")
    if programme.status == ProgrammeStatus.CLOSED:
        errors["programme"] = _("This programme is closed: cases are no longer opened in it.")
    if not office.is_active:
        errors["office"] = _("This office is closed.")
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if sensitivity not in Sensitivity.values:
        errors["sensitivity"] = _("Unknown sensitivity.")
    if isinstance(subject, Person) and subject.status == PersonStatus.MERGED:
        errors["subject"] = _("This record was merged into another one: open the case on that record.")
    if errors:
        raise ValidationError(errors)
    case = Case(operation_id=programme.operation_id, programme=programme, office=office)
    if acting_user is not None:
        if not can(acting_user, MANAGE, case):
            raise PermissionDenied(MANAGE)
        if not type(subject).objects.visible_to(acting_user).filter(pk=subject.pk).exists():
            raise PermissionDenied("person.view")
    if caseworker is None:
        raise ValidationError({"caseworker": _("Name the caseworker.")})
    if not _may_work_on(caseworker, case):
        raise ValidationError(
            {"caseworker": _("%(name)s does not work on cases of this programme and office.") % {"name": caseworker}}
        )
    already = Case.objects.open().filter(programme=programme, **{case_subject_field(subject): subject}).first()
    if already is not None:
        raise ValidationError(
            {"subject": _("Case %(ref)s of this programme is open for them already.") % {"ref": already.reference}}
        )
    workflow = procedure.workflow_for(programme)
    initial = procedure.initial_state(workflow)
    now = timezone.now()
    case.reference = allocate_reference(programme=programme, on=timezone.localdate(now))
    case.person, case.household, case.group = person, household, group
    case.caseworker = caseworker
    case.workflow_code, case.workflow_version = workflow.code, workflow.version
    case.state, case.state_entered_at = initial.code, now
    case.state_due_at = procedure.due_at(initial, now)
    case.priority, case.sensitivity = priority, sensitivity
    case.opened_at, case.opened_by = now, acting_user
    case.save()
    CaseStateChange.objects.create(
        case=case,
        kind=StateChangeKind.OPENED,
        to_state=initial.code,
        by=acting_user,
        at=now,
        reason=note.strip(),
        due_at=case.state_due_at,
    )
    audit.record(
        acting_user,
        "case.open",
        case,
        changes={
            "programme": [None, programme.code],
            "subject": [None, subject.reference],
            "caseworker": [None, str(caseworker.pk)],
            "state": [None, initial.code],
            "workflow": [None, f"{workflow.code} v{workflow.version}"],
            "priority": [None, priority],
            "sensitivity": [None, sensitivity],
        },
        note=note.strip(),
    )
    run_entry_actions(case=case, state=initial, acting_user=acting_user, at=now)
    return case


def case_subject_field(subject: Any) -> str:
    return {Person: "person", Household: "household", Group: "group"}[type(subject)]


# --- assignment, priority, sensitivity ----------------------------------------------------------------------


@transaction.atomic
def assign_case(
    *, case: Case, caseworker: User, acting_user: User | None, version: int | None, reason: str = ""
) -> Case:
    """Give the case to another caseworker (who must work on cases of its programme and office)."""
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _refuse_closed(current)
    _check_version(current, version)
    if current.caseworker_id == caseworker.pk:
        raise ValidationError({"caseworker": _("%(name)s is already the caseworker.") % {"name": caseworker}})
    if not _may_work_on(caseworker, current):
        raise ValidationError(
            {"caseworker": _("%(name)s does not work on cases of this programme and office.") % {"name": caseworker}}
        )
    before = _snapshot(current)
    current.caseworker = caseworker
    return _save(current, acting_user, "case.assign", before, note=reason.strip())


@dataclass(frozen=True)
class Reassigned:
    """What happened to one case of a bulk reassignment."""

    case_id: Any
    reference: str
    ok: bool
    message: str


def reassign_cases(
    *, cases: Iterable[Case], caseworker: User, acting_user: User | None, reason: str = ""
) -> list[Reassigned]:
    """Give several cases to one caseworker: each case on its own (one refused does not stop the others), with a
    result per case. Each is an assign_case, in its own transaction."""
    results: list[Reassigned] = []
    for case in cases:
        try:
            assign_case(case=case, caseworker=caseworker, acting_user=acting_user, version=None, reason=reason)
        except ValidationError as error:
            results.append(Reassigned(case.pk, case.reference, False, " ".join(error.messages)))
        except PermissionDenied:
            results.append(Reassigned(case.pk, case.reference, False, _("You may not reassign this case.")))
        else:
            results.append(Reassigned(case.pk, case.reference, True, _("Reassigned.")))
    return results


@transaction.atomic
def set_priority(*, case: Case, priority: int, acting_user: User | None, version: int | None, reason: str = "") -> Case:
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _refuse_closed(current)
    _check_version(current, version)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    if current.priority == priority:
        raise ValidationError({"priority": _("The case already has this priority.")})
    before = _snapshot(current)
    current.priority = priority
    return _save(current, acting_user, "case.priority", before, note=reason.strip())


@transaction.atomic
def set_sensitivity(
    *, case: Case, sensitivity: str, acting_user: User | None, version: int | None, reason: str
) -> Case:
    """Restrict a case to its named staff, or lift the restriction. On a restricted case only those who may name
    staff may change it (on a highly restricted case, its caseworker). Always with a reason."""
    if acting_user is not None and not may_name_staff(acting_user, case):
        raise PermissionDenied(MANAGE)
    current = _locked(case)
    _check_version(current, version)
    if sensitivity not in Sensitivity.values:
        raise ValidationError({"sensitivity": _("Unknown sensitivity.")})
    if current.sensitivity == sensitivity:
        raise ValidationError({"sensitivity": _("The case already has this sensitivity.")})
    reason = _clean_reason(reason, required=True)
    before = _snapshot(current)
    current.sensitivity = sensitivity
    return _save(current, acting_user, "case.sensitivity", before, note=reason)


@transaction.atomic
def set_details(*, case: Case, values: dict[str, str], acting_user: User | None, version: int | None) -> Case:
    """Set the programme's own fields of the case (those its workflow names: trafficking status, departure
    date…). Only the keys given change; an empty value clears a field. Dates (fields ending in _date or _on) are
    written YYYY-MM-DD. The values are sensitive: the audit event names the fields, not what they hold."""
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _refuse_closed(current)
    _check_version(current, version)
    known = dict(procedure.detail_fields(procedure.workflow_of(current)))
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        value = (value or "").strip()
        if name not in known:
            errors[name] = _("This case has no field “%(name)s”.") % {"name": name}
        elif len(value) > 500:
            errors[name] = _("Keep this under 500 characters.")
        elif value and name.endswith(("_date", "_on")):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors[name] = _("Write the date as YYYY-MM-DD.")
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    stored = current.detail_values
    changed = {name: value for name, value in cleaned.items() if stored.get(name, "") != value}
    if not changed:
        return current
    for name, value in changed.items():
        if value:
            stored[name] = value
        else:
            stored.pop(name, None)
    current.details = json.dumps(stored, ensure_ascii=False, sort_keys=True)
    changes: dict[str, Any] = {name: [None, None] for name in changed}
    _bump(current, changes)
    current.save()
    audit.record(acting_user, "case.details", current, changes=changes, sensitive=list(changed))
    return current


# --- named staff --------------------------------------------------------------------------------------------


@transaction.atomic
def grant_access(*, case: Case, user: User, acting_user: User | None, reason: str) -> CaseAccess:
    """Name someone on the case: they see it (restricted or not, beyond their offices and programmes) while they
    hold case.view in its operation. Who named them, when and why are kept."""
    if acting_user is not None and not may_name_staff(acting_user, case):
        raise PermissionDenied(MANAGE)
    current = _locked(case)
    reason = _clean_reason(reason, required=True)
    if current.caseworker_id == user.pk:
        raise ValidationError({"user": _("The caseworker always sees the case.")})
    if not user.is_active or VIEW not in permissions_in(user, current.operation_id):
        raise ValidationError({"user": _("%(name)s does not work on cases in this operation.") % {"name": user}})
    if CaseAccess.objects.filter(case=current, user=user, revoked_at__isnull=True).exists():
        raise ValidationError({"user": _("%(name)s is already named on this case.") % {"name": user}})
    grant = CaseAccess.objects.create(
        case=current, user=user, granted_by=acting_user, granted_at=timezone.now(), reason=reason
    )
    audit.record(acting_user, "case.access_granted", current, changes={"named": [None, str(user.pk)]}, note=reason)
    forget_named(user)
    return grant


@transaction.atomic
def revoke_access(*, grant: CaseAccess, acting_user: User | None, reason: str = "") -> CaseAccess:
    case = grant.case
    if acting_user is not None and not may_name_staff(acting_user, case):
        raise PermissionDenied(MANAGE)
    grant = CaseAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationError(_("This access was already revoked."))
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), acting_user, reason.strip()
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit.record(
        acting_user, "case.access_revoked", case, changes={"named": [str(grant.user_id), None]}, note=reason.strip()
    )
    forget_named(grant.user)
    return grant


# --- transitions --------------------------------------------------------------------------------------------


@transaction.atomic
def transition_case(
    *, case: Case, transition: str, acting_user: User | None, version: int | None, reason: str = ""
) -> Case:
    """Move the case along its workflow, or raise TransitionRefused saying why (a role that may not take it,
    what is missing: forms, documents, fields, a second person's approval, a reason). The new state's deadline is
    computed on entry and its on-entry actions run; a final state closes the case."""
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _refuse_closed(current)
    _check_version(current, version)
    reason = (reason or "").strip()
    step = procedure.check_transition(case=current, user=acting_user, transition=transition, reason=reason)
    now = timezone.now()
    before = _snapshot(current)
    from_state = current.state
    target = step.target
    current.state, current.state_entered_at = target.code, now
    current.state_due_at, current.state_escalated_at = procedure.due_at(target, now), None
    if target.is_final:
        current.closed_at, current.closed_by = now, acting_user
        current.closure_reason = ClosureReason.COMPLETED
        current.closure_note = reason
    if step.approval is not None:
        CaseApproval.objects.filter(pk=step.approval.pk).update(used_at=now)
    CaseStateChange.objects.create(
        case=current,
        kind=StateChangeKind.TRANSITION,
        transition=transition,
        from_state=from_state,
        to_state=target.code,
        by=acting_user,
        at=now,
        reason=reason,
        due_at=current.state_due_at,
    )
    _save(current, acting_user, "case.transition", before, note=reason)
    run_entry_actions(case=current, state=target, acting_user=acting_user, at=now)
    return current


@dataclass(frozen=True)
class Transitioned:
    """What happened to one case of a bulk transition."""

    case_id: Any
    reference: str
    ok: bool
    message: str
    state: str
    version: int


def transition_cases(
    *,
    cases: Iterable[Case],
    transition: str,
    acting_user: User | None,
    reason: str = "",
    versions: Mapping[Any, int | None] | None = None,
) -> list[Transitioned]:
    """Take the same step for several cases, each on its own: each is a transition_case in its own transaction
    (call this outside any transaction), so one refused does not undo or stop the others; a result per case with
    the reason it was refused. `versions`: the version seen of each case (by id), refused when stale."""
    results: list[Transitioned] = []
    for case in cases:
        version = (versions or {}).get(case.pk)
        current = case.version
        try:
            moved = transition_case(
                case=case, transition=transition, acting_user=acting_user, version=version, reason=reason
            )
        except TransitionRefused as refused:
            message = "; ".join(refused.reasons)
        except CaseChangedMeanwhile as conflict:
            message, current = str(conflict), conflict.current_version
        except ValidationError as error:
            message = " ".join(error.messages)
        except PermissionDenied:
            message = _("You may not move this case along its workflow.")
        else:
            results.append(Transitioned(moved.pk, moved.reference, True, _("Done."), moved.state, moved.version))
            continue
        results.append(Transitioned(case.pk, case.reference, False, message, case.state, current))
    return results


@transaction.atomic
def request_approval(*, case: Case, transition: str, acting_user: User | None, note: str = "") -> CaseApproval:
    """Ask a second person to approve a transition that needs one (asked in the case's current state)."""
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _refuse_closed(current)
    needed = procedure.approval_needed(current, transition)
    if needed is None:
        raise ValidationError({"transition": _("This step needs no approval.")})
    pending = CaseApproval.objects.filter(case=current, transition=transition, decision="", used_at__isnull=True)
    if pending.filter(state=current.state).exists():
        raise ValidationError({"transition": _("An approval of this step is already asked for.")})
    pending.update(used_at=timezone.now())  # asked in an earlier state: no longer meaningful
    approval = CaseApproval.objects.create(
        case=current,
        transition=transition,
        state=current.state,
        requested_by=acting_user,
        requested_at=timezone.now(),
        note=note.strip(),
    )
    audit.record(
        acting_user, "case.approval_requested", current, changes={"approval": [None, transition]}, note=note.strip()
    )
    return approval


@transaction.atomic
def decide_approval(*, approval: CaseApproval, acting_user: User | None, approve: bool, note: str = "") -> CaseApproval:
    """Approve or refuse a requested transition: by someone holding the workflow's approving role for this case,
    other than the person who asked (four eyes). A refusal says why."""
    approval = CaseApproval.objects.select_for_update(of=("self",)).select_related("case").get(pk=approval.pk)
    case = approval.case
    _require(acting_user, VIEW, case)
    if not approval.is_pending or approval.used_at is not None:
        raise ValidationError(_("This approval was already decided."))
    if approval.state != case.state or case.closed_at is not None:
        raise ValidationError(_("The case has moved on since this approval was asked for."))
    if acting_user is not None and approval.requested_by_id == acting_user.pk:
        raise ValidationError(_("Someone other than the person who asked must decide."))
    needed = procedure.approval_needed(case, approval.transition)
    if needed is None:
        raise ValidationError(_("This step no longer needs an approval."))
    if acting_user is not None and needed.role not in procedure.roles_on(acting_user, case):
        raise PermissionDenied(needed.role)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the step is refused.")})
    approval.decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REFUSED
    approval.decided_by, approval.decided_at, approval.decision_note = acting_user, timezone.now(), note
    approval.approver_role = needed.role
    approval.save(update_fields=["decision", "decided_by", "decided_at", "decision_note", "approver_role"])
    audit.record(
        acting_user,
        "case.approval_decided",
        case,
        changes={"approval": [approval.transition, approval.decision]},
        note=note,
    )
    return approval


# --- closing and reopening ----------------------------------------------------------------------------------


@transaction.atomic
def close_case(
    *, case: Case, acting_user: User | None, reason: str, note: str = "", version: int | None = None
) -> Case:
    """Close a case outside its workflow's own end (the person withdrew, died, moved away, contact was lost, it
    was opened twice…): the state it was in is kept, so reopening takes it back there. Open tasks stay as they
    are, for the record."""
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _refuse_closed(current)
    _check_version(current, version)
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Choose why the case is closed.")})
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Say why the case is closed.")})
    now = timezone.now()
    before = _snapshot(current)
    current.closed_at, current.closed_by = now, acting_user
    current.closure_reason, current.closure_note = reason, note.strip()
    CaseStateChange.objects.create(
        case=current,
        kind=StateChangeKind.CLOSED,
        from_state=current.state,
        to_state=current.state,
        by=acting_user,
        at=now,
        reason=note.strip() or str(ClosureReason(reason).label),
    )
    return _save(current, acting_user, "case.close", before, note=note.strip())


@transaction.atomic
def reopen_case(*, case: Case, acting_user: User | None, reason: str, version: int | None = None) -> Case:
    """Reopen a closed case, with the reason. A case closed by reaching its workflow's final state goes back to
    the state it came from; a case closed outside its workflow stays in the state it was in."""
    _require(acting_user, MANAGE, case)
    current = _locked(case)
    _check_version(current, version)
    if current.closed_at is None:
        raise ValidationError(_("This case is open."))
    reason = _clean_reason(reason, required=True)
    now = timezone.now()
    before = _snapshot(current)
    workflow = procedure.workflow_of(current)
    state = workflow.state(current.state) if workflow.has_state(current.state) else None
    if state is not None and state.is_final:
        came_from = (
            current.state_changes.filter(kind=StateChangeKind.TRANSITION, to_state=current.state)
            .order_by("-at")
            .values_list("from_state", flat=True)
            .first()
        )
        back = workflow.state(came_from) if came_from and workflow.has_state(came_from) else None
        if back is None:
            raise ValidationError(_("The state this case came from is not known: it cannot be reopened here."))
        current.state, current.state_entered_at = back.code, now
        current.state_due_at, current.state_escalated_at = procedure.due_at(back, now), None
    current.closed_at, current.closed_by, current.closure_reason, current.closure_note = None, None, "", ""
    CaseStateChange.objects.create(
        case=current,
        kind=StateChangeKind.REOPENED,
        from_state=before["state"],
        to_state=current.state,
        by=acting_user,
        at=now,
        reason=reason,
        due_at=current.state_due_at,
    )
    return _save(current, acting_user, "case.reopen", before, note=reason)
