"""The JSON shapes of cases: a case in a list and in full, the steps it may take, its tasks, notes, documents,
approvals and named staff out; opening, editing, moving along the workflow, closing, and the work on it in.

Choice fields are plain strings and numbers checked by the actions themselves (passage.cases.actions,
work_actions), so that the API and the pages refuse the same values with the same field names.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from passage.api.problems import Problem
from passage.cases.models import Case, CaseAccess, CaseApproval, CaseDocument, CaseNote, Task
from passage.registry.models import Household, Person
from passage.registry.schemas import ChangedMeanwhileOut

BULK_MAX = 200  # cases in one bulk request (a page of the caseload)


class StaffOut(Schema):
    """Someone who works in Passage, as a case names them."""

    id: uuid.UUID
    username: str
    name: str = Field(description="Their full name, or the username when it is not known")


def staff(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.get_username()}


# --- cases --------------------------------------------------------------------------------------------------


class SubjectOut(Schema):
    """Who the case is about: a person, a household or a group (a collective case)."""

    kind: str = Field(description="person, household or group")
    id: uuid.UUID
    reference: str = Field(description="Their registration, household or group number")
    name: str = Field(description="The name as written (a household: its number)")
    name_latin: str


def subject(case: Case) -> dict[str, Any]:
    found = case.subject
    if isinstance(found, Person):
        names = (found.display_name, found.display_name_latin)
    elif isinstance(found, Household):
        names = (found.reference, found.reference)
    else:
        names = (found.name, found.name_latin)
    return {
        "kind": case.subject_kind,
        "id": found.pk,
        "reference": found.reference,
        "name": names[0],
        "name_latin": names[1],
    }


class CaseSummaryOut(Schema):
    """A case in a list: who it is about, where it stands and who works on it; never its notes or details."""

    id: uuid.UUID
    reference: str = Field(description="The case number, e.g. PDA-2026-000123")
    operation_id: uuid.UUID
    programme_id: uuid.UUID
    programme: str = Field(description="The programme's name")
    office_id: uuid.UUID
    office: str = Field(description="The office's name")
    subject: SubjectOut
    state: str = Field(description="The code of the workflow state the case is in")
    state_entered_at: dt.datetime
    state_due_at: dt.datetime | None = Field(description="When the case is due to leave its state")
    priority: int = Field(description="10 low, 20 normal, 30 high, 40 urgent")
    sensitivity: str = Field(description="normal, restricted or highly_restricted")
    caseworker: StaffOut | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    version: int = Field(description="Send it back with a change: a stale one is refused with 409")

    @staticmethod
    def resolve_programme(obj: Case) -> str:
        return obj.programme.name

    @staticmethod
    def resolve_office(obj: Case) -> str:
        return obj.office.name

    @staticmethod
    def resolve_subject(obj: Case) -> dict[str, Any]:
        return subject(obj)

    @staticmethod
    def resolve_caseworker(obj: Case) -> dict[str, Any] | None:
        return staff(obj.caseworker)


class CaseOut(CaseSummaryOut):
    """A case in full. Reading it is recorded in the audit trail."""

    workflow_code: str
    workflow_version: int = Field(description="The workflow's version the case started on (and keeps)")
    workflow_name: str
    state_label: str = Field(description="The state in the reader's language")
    closure_reason: str = Field(description="Why it was closed; empty while open")
    closure_note: str
    details: dict[str, str] = Field(description="The programme's own fields its workflow names (encrypted at rest)")
    named: bool = Field(description="Whether the caller is named on the case (its caseworker, or granted access)")

    @staticmethod
    def resolve_details(obj: Case) -> dict[str, str]:
        return {name: str(value) for name, value in obj.detail_values.items()}


class CaseListQuery(Schema):
    """A caseload, as the caseload page narrows it."""

    operation: uuid.UUID
    tab: Literal["all", "mine", "office", "overdue", "state"] = Field(
        "all", description="mine: the caller's cases; office: of their offices; overdue; all (state: the same)"
    )
    status: Literal["open", "closed", "all"] = "open"
    state: str = Field("", max_length=64, description="A workflow state's code")
    programme: uuid.UUID | None = None
    office: uuid.UUID | None = None
    caseworker: uuid.UUID | None = None
    priority: int | None = Field(None, description="10 low, 20 normal, 30 high, 40 urgent")
    q: str = Field("", max_length=200, description="A case number (or its start), or words of the person's name")


class CaseCountsOut(Schema):
    """How many open cases the caller sees, by caseload tab and by state."""

    operation_id: uuid.UUID
    mine: int
    office: int = Field(description="In the caller's offices (every office when their role is not limited)")
    overdue: int = Field(description="Past their state's deadline, or with a task past its due date")
    open: int = Field(description="Every open case the caller sees")
    states: dict[str, int] = Field(description="Open cases by state code")


class CaseIn(Schema):
    """Open a case: enrol one person, household or group (give exactly one) in a programme."""

    programme: uuid.UUID
    office: uuid.UUID
    person: uuid.UUID | None = None
    household: uuid.UUID | None = None
    group: uuid.UUID | None = None
    caseworker: uuid.UUID | None = Field(None, description="Who works the case; the caller when not given")
    priority: int = Field(20, description="10 low, 20 normal, 30 high, 40 urgent")
    sensitivity: str = Field("normal", description="normal, restricted or highly_restricted")
    note: str = Field("", max_length=2000, description="Why the case is opened, for its history")


class CasePatchIn(Schema):
    """Change a case: only the fields sent change, each by its own rule (the same as the case page's forms), all
    or none. `version` is the one the change started from: if the case changed since, nothing is saved and the
    409 says who changed what."""

    version: int = Field(description="The version the change started from (as GET /cases/{id} gave it)")
    caseworker: uuid.UUID | None = Field(None, description="Give the case to this caseworker")
    priority: int | None = Field(None, description="10 low, 20 normal, 30 high, 40 urgent")
    sensitivity: str | None = Field(
        None, description="normal, restricted or highly_restricted; needs a reason, and whoever may name staff"
    )
    details: dict[str, str] | None = Field(
        None, description="Programme fields to set (an empty value clears one); dates as YYYY-MM-DD"
    )
    reason: str = Field("", max_length=2000, description="Why, for the case's history")


class CaseConflictProblem(Problem):
    """409: the case changed after the version the request started from (current_version and changes say who
    changed what), or the step cannot be taken now (errors list every reason). Nothing was saved."""

    current_version: int | None = None
    changes: list[ChangedMeanwhileOut] | None = Field(
        None, description="Who changed which fields since that version, oldest first"
    )


class CloseIn(Schema):
    reason: str = Field(
        description="completed, withdrew, deceased, moved, lost_contact, transferred, ineligible, duplicate or other"
    )
    note: str = Field("", max_length=2000, description="Required with `other`")
    version: int | None = Field(None, description="The version the change started from; a stale one is a 409")


class ReopenIn(Schema):
    reason: str = Field(max_length=2000)
    version: int | None = Field(None, description="The version the change started from; a stale one is a 409")


# --- steps along the workflow -------------------------------------------------------------------------------


class StepOut(Schema):
    """A step the caller may take from the case's state, with what is still missing."""

    transition: str = Field(description="The step's code, to send to POST …/transitions")
    label: str
    target: str = Field(description="The state it leads to")
    target_label: str
    ready: bool = Field(description="Nothing is missing: the step may be taken now")
    missing: list[str] = Field(description="What stands in the way, in words a person can act on")
    needs_reason: bool
    approval_role: str = Field(description="The role that must approve the step first; empty when none")
    pending_approval_id: uuid.UUID | None = Field(description="The approval asked for and not yet decided")
    may_ask_approval: bool = Field(description="The approval is what is missing, and none is asked for yet")


class TransitionIn(Schema):
    transition: str = Field(max_length=64, description="The step's code (GET …/transitions lists them)")
    reason: str = Field("", max_length=2000, description="Required by some steps")
    version: int | None = Field(None, description="The version the change started from; a stale one is a 409")


class BulkCaseIn(Schema):
    id: uuid.UUID
    version: int | None = Field(None, description="The version seen; a stale one refuses this case only")


class BulkTransitionIn(Schema):
    """The same step for several cases: each on its own (one refused does not undo or stop the others)."""

    transition: str = Field(max_length=64)
    reason: str = Field("", max_length=2000)
    cases: list[BulkCaseIn] = Field(min_length=1, max_length=BULK_MAX)


class BulkResultOut(Schema):
    """What happened to one case of a bulk request."""

    case_id: uuid.UUID
    reference: str | None = Field(description="None for a case that does not exist or that the caller may not see")
    ok: bool
    detail: str = Field(description="Done, or why the case was refused")
    state: str | None = Field(None, description="The case's state afterwards")
    version: int | None = Field(None, description="The case's version afterwards")


class BulkOut(Schema):
    done: int
    refused: int
    results: list[BulkResultOut] = Field(description="One per case asked for, in the order asked")


class ReassignIn(Schema):
    """Give several cases of an operation to one caseworker, each on its own."""

    operation: uuid.UUID
    caseworker: uuid.UUID
    cases: list[uuid.UUID] = Field(min_length=1, max_length=BULK_MAX)
    reason: str = Field("", max_length=2000)


# --- tasks, notes, documents, approvals, named staff ----------------------------------------------------------


class TaskOut(Schema):
    id: uuid.UUID
    title: str
    description: str
    due_on: dt.date | None
    assignee: StaffOut | None
    assignee_role: str = Field(description="For whoever holds this role, when not for one person")
    source: str = Field(description="manual, workflow, follow_up, notification or escalation")
    state: str = Field(description="The state the case was in when the task was made")
    created_at: dt.datetime
    done_at: dt.datetime | None
    done_by: StaffOut | None
    done_note: str

    @staticmethod
    def resolve_assignee(obj: Task) -> dict[str, Any] | None:
        return staff(obj.assignee)

    @staticmethod
    def resolve_done_by(obj: Task) -> dict[str, Any] | None:
        return staff(obj.done_by)


class TaskIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field("", max_length=2000)
    due_on: dt.date | None = None
    assignee: uuid.UUID | None = Field(None, description="Someone who sees the case; the caseworker by default")
    assignee_role: str = Field("", max_length=40, description="Or a role: for whoever holds it")


class TaskDoneIn(Schema):
    note: str = Field("", max_length=2000)


class NoteOut(Schema):
    id: uuid.UUID
    text: str
    private: bool = Field(description="Read only by its author and the case's named staff")
    author: StaffOut | None
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: CaseNote) -> dict[str, Any] | None:
        return staff(obj.author)


class NoteIn(Schema):
    text: str = Field(max_length=20000)
    private: bool = False


class CaseDocumentOut(Schema):
    id: uuid.UUID
    kind: str = Field(description="One of the kinds of document of the case's workflow, or `other`")
    title: str
    filename: str
    content_type: str = Field(description="Read from the file's bytes, not its name")
    size: int = Field(description="Bytes")
    uploaded_by: StaffOut | None
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_uploaded_by(obj: CaseDocument) -> dict[str, Any] | None:
        return staff(obj.uploaded_by)


class RemoveIn(Schema):
    reason: str = Field(max_length=2000)


class ApprovalOut(Schema):
    id: uuid.UUID
    transition: str
    state: str = Field(description="The state it was asked in: it counts only there, once")
    requested_by: StaffOut | None
    requested_at: dt.datetime
    note: str
    decision: str = Field(description="approved or refused; empty while pending")
    decided_by: StaffOut | None
    decided_at: dt.datetime | None
    decision_note: str
    used: bool = Field(description="The step it allowed was taken (or it was asked in an earlier state)")

    @staticmethod
    def resolve_requested_by(obj: CaseApproval) -> dict[str, Any] | None:
        return staff(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj: CaseApproval) -> dict[str, Any] | None:
        return staff(obj.decided_by)

    @staticmethod
    def resolve_used(obj: CaseApproval) -> bool:
        return obj.used_at is not None


class ApprovalIn(Schema):
    transition: str = Field(max_length=64, description="The step that needs a second person's approval")
    note: str = Field("", max_length=2000)


class ApprovalDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000, description="Required to refuse")


class AccessOut(Schema):
    """Someone named on the case: they see it, restricted or not."""

    id: uuid.UUID
    user: StaffOut
    granted_by: StaffOut | None
    granted_at: dt.datetime
    reason: str
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_user(obj: CaseAccess) -> dict[str, Any] | None:
        return staff(obj.user)

    @staticmethod
    def resolve_granted_by(obj: CaseAccess) -> dict[str, Any] | None:
        return staff(obj.granted_by)


class AccessIn(Schema):
    user: uuid.UUID = Field(description="Someone who works on cases in the case's operation")
    reason: str = Field(max_length=2000)


class RevokeIn(Schema):
    reason: str = Field("", max_length=2000)
