"""The work on a case: tasks (by hand and from the workflow's on-entry actions), notes and documents.

Actions like those of passage.cases.actions: keyword-only arguments, the acting user, one transaction, an audit
event about the case (so that the case's timeline reads them). Note texts and file names never go into the audit
trail: it says that a note was added, not what it says.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import documents, procedure
from passage.cases.access import MANAGE, may
from passage.cases.models import Case, CaseDocument, CaseNote, Task, TaskSource
from passage.cases.workflows.definition import Action, ActionKind, State
from passage.core import audit
from passage.core.models import Role, User

TITLE_MAX = 200
NOTE_MAX = 20000


def _require(user: User | None, case: Case) -> None:
    if user is not None and not may(user, MANAGE, case):
        raise PermissionDenied(MANAGE)


def _refuse_closed(case: Case) -> None:
    if case.closed_at is not None:
        raise ValidationError(_("This case is closed: reopen it first."))


def _sees(user: User, case: Case) -> bool:
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


# --- tasks --------------------------------------------------------------------------------------------------


@transaction.atomic
def add_task(
    *,
    case: Case,
    acting_user: User | None,
    title: str,
    due_on: dt.date | None = None,
    assignee: User | None = None,
    assignee_role: str = "",
    description: str = "",
) -> Task:
    """A task by hand: for a person who sees the case, or for whoever holds a role (the caseworker when neither
    is given)."""
    _require(acting_user, case)
    _refuse_closed(case)
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what is to be done.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(n)s characters.") % {"n": TITLE_MAX}
    if due_on is not None and due_on < timezone.localdate() - dt.timedelta(days=1):
        errors["due_on"] = _("The due date is in the past.")
    if assignee_role and not Role.objects.filter(code=assignee_role).exists():
        errors["assignee_role"] = _("Unknown role.")
    if assignee is None and not assignee_role:
        assignee = case.caseworker
        if assignee is None:
            errors["assignee"] = _("Choose who does it.")
    if assignee is not None and not (assignee.is_active and _sees(assignee, case)):
        errors["assignee"] = _("%(name)s does not see this case.") % {"name": assignee}
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        case=case,
        title=title,
        description=description.strip(),
        due_on=due_on,
        assignee=assignee,
        assignee_role=assignee_role,
        source=TaskSource.MANUAL,
        state=case.state,
        created_by=acting_user,
    )
    audit.record(acting_user, "case.task_added", case, changes=_task_changes(task))
    return task


def _task_changes(task: Task) -> dict[str, Any]:
    changes: dict[str, Any] = {"task": [None, task.title]}
    if task.due_on:
        changes["due_on"] = [None, task.due_on.isoformat()]
    if task.assignee_id:
        changes["assignee"] = [None, str(task.assignee_id)]
    if task.assignee_role:
        changes["assignee_role"] = [None, task.assignee_role]
    return changes


def may_complete(user: Any, task: Task) -> bool:
    """Whoever manages the case, and the person the task is for."""
    if task.done_at is not None or not getattr(user, "is_authenticated", False):
        return False
    return task.assignee_id == user.pk or may(user, MANAGE, task.case)


@transaction.atomic
def complete_task(*, task: Task, acting_user: User | None, note: str = "") -> Task:
    task = Task.objects.select_for_update(of=("self",)).select_related("case", "done_by").get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError(
            _("%(who)s marked this task done at %(at)s.")
            % {
                "who": task.done_by or _("The system"),
                "at": timezone.localtime(task.done_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    if acting_user is not None and not may_complete(acting_user, task):
        raise PermissionDenied(MANAGE)
    task.done_at, task.done_by, task.done_note = timezone.now(), acting_user, note.strip()
    task.save(update_fields=["done_at", "done_by", "done_note"])
    audit.record(acting_user, "case.task_done", task.case, changes={"task": [task.title, "done"]}, note=note.strip())
    return task


def run_entry_actions(*, case: Case, state: State, acting_user: User | None, at: dt.datetime) -> list[Task]:
    """Carry out what the workflow does on entering `state`: tasks, follow-ups and notifications (a notification
    is a task for the role to read and acknowledge, so that it is seen in the same list as the rest of the work),
    and closing the tasks still open. Runs inside the transition's transaction."""
    created: list[Task] = []
    today = timezone.localdate(at)
    for action in state.on_entry:
        if action.kind == ActionKind.CLOSE_TASKS:
            _close_open_tasks(case, state, acting_user, at)
        elif action.kind in (ActionKind.CREATE_TASK, ActionKind.SCHEDULE_FOLLOW_UP, ActionKind.NOTIFY):
            created.append(_entry_task(case, state, action, today))
        elif action.kind == ActionKind.CLOSE_REFERRALS:
            _close_referrals(case, state, acting_user)
    if created:
        audit.record(
            acting_user,
            "case.tasks_created",
            case,
            changes={"tasks": [None, [task.title for task in created]]},
            note=_("On entering %(state)s") % {"state": procedure.label(state.label)},
        )
    return created


def _close_referrals(case: Case, state: State, acting_user: User | None) -> None:
    from passage.cases.referral_actions import close_open_referrals  # referrals hang off cases and their work

    close_open_referrals(
        case=case,
        acting_user=acting_user,
        note=_("Closed on entering %(state)s") % {"state": procedure.label(state.label)},
    )


def _entry_task(case: Case, state: State, action: Action, today: dt.date) -> Task:
    kind = {
        ActionKind.CREATE_TASK: TaskSource.WORKFLOW,
        ActionKind.SCHEDULE_FOLLOW_UP: TaskSource.FOLLOW_UP,
        ActionKind.NOTIFY: TaskSource.NOTIFICATION,
    }[action.kind]
    if action.kind == ActionKind.NOTIFY:
        text = action.message or state.label
        title = _("Case %(ref)s: %(message)s") % {"ref": case.reference, "message": procedure.label(text)}
        due_on: dt.date | None = today
    else:
        title = procedure.label(action.title) if action.title else procedure.label(state.label)
        due_on = today + dt.timedelta(days=action.due_days) if action.due_days is not None else None
    assignee, role = procedure.assignee_for(case, action.role)
    return Task.objects.create(
        case=case,
        title=title[:TITLE_MAX],
        due_on=due_on,
        assignee=assignee,
        assignee_role=role,
        source=kind,
        state=state.code,
    )


def _close_open_tasks(case: Case, state: State, acting_user: User | None, at: dt.datetime) -> None:
    open_tasks = list(case.tasks.filter(done_at__isnull=True).values_list("title", flat=True))
    if not open_tasks:
        return
    note = _("Closed on entering %(state)s") % {"state": procedure.label(state.label)}
    case.tasks.filter(done_at__isnull=True).update(done_at=at, done_by=acting_user, done_note=note)
    audit.record(acting_user, "case.tasks_closed", case, changes={"tasks": [open_tasks, None]}, note=note)


# --- notes --------------------------------------------------------------------------------------------------


@transaction.atomic
def add_note(*, case: Case, acting_user: User | None, text: str, private: bool = False) -> CaseNote:
    """A note on the case, encrypted at rest. A private note is read only by its author and the case's named
    staff."""
    _require(acting_user, case)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": _("Keep a note under %(n)s characters.") % {"n": NOTE_MAX}})
    note = CaseNote.objects.create(case=case, author=acting_user, text=text, private=private)
    audit.record(acting_user, "case.note_added", case, changes={"note": [None, "private" if private else "shared"]})
    return note


# --- documents ----------------------------------------------------------------------------------------------


@transaction.atomic
def upload_document(
    *,
    case: Case,
    acting_user: User | None,
    kind: str,
    upload: BinaryIO,
    filename: str,
    size: int,
    title: str = "",
) -> CaseDocument:
    """Add a file to the case: of one of the workflow's document kinds, of an accepted type read from its bytes
    (PDF, JPEG, PNG, DOCX, XLSX), within the size limit. Stored sealed, bound to this document."""
    _require(acting_user, case)
    _refuse_closed(case)
    kinds = dict(procedure.document_kinds(procedure.workflow_of(case)))
    if kind not in kinds:
        raise ValidationError({"kind": _("Choose one of the kinds of document of this case's procedure.")})
    content_type = documents.sniff(upload, size=size)
    document = CaseDocument(
        case=case,
        kind=kind,
        title=title.strip()[:200],
        filename=filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or "document",
        content_type=content_type,
        size=size,
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    document.file.save(f"{uuid.uuid4().hex}.sealed", documents.sealed(upload, document), save=False)
    try:
        document.save()
        audit.record(
            acting_user,
            "case.document_added",
            case,
            changes={"document": [None, kind], "content_type": [None, content_type], "bytes": [None, size]},
        )
    except BaseException:
        default_storage.delete(document.file.name or "")  # nothing points at it
        raise
    return document


@transaction.atomic
def remove_document(*, document: CaseDocument, acting_user: User | None, reason: str) -> CaseDocument:
    """Take a document off the case: the file is deleted once this commits; the row stays, with who removed it,
    when and why."""
    case = document.case
    _require(acting_user, case)
    document = CaseDocument.objects.select_for_update().get(pk=document.pk)
    if document.removed_at is not None:
        raise ValidationError(_("This document was already removed."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is removed.")})
    name = document.file.name
    document.removed_at, document.removed_by, document.removal_reason = timezone.now(), acting_user, reason
    document.file = ""  # type: ignore[assignment]
    document.save(update_fields=["removed_at", "removed_by", "removal_reason", "file"])
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
    audit.record(acting_user, "case.document_removed", case, changes={"document": [document.kind, None]}, note=reason)
    return document
