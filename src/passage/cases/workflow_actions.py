"""Every change to an operation's workflows: start a new version from the shipped one or the one in use, save
the draft from its YAML, publish it, or discard it. Administrators only (programme.manage: a workflow is a
programme's procedure).

A text with errors is never saved: WorkflowInvalid carries every problem with its line, and nothing changes.
Publishing makes the draft the version new cases start on; cases already open keep the version they started
with (passage.cases.procedure.resolve reads it back). Each change is audited with what it changed.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from passage.cases import procedure
from passage.cases import workflow_queries as queries
from passage.cases.models.workflows import WorkflowVersion
from passage.cases.workflows.definition import Workflow
from passage.cases.workflows.loader import Parsed
from passage.cases.workflows.problems import WorkflowInvalid
from passage.core import access, audit
from passage.core.models import Operation

Base = Literal["latest", "shipped"]


class DraftConflict(ValidationError):
    """Someone saved the draft after the editor opened it: saving would overwrite their work."""


def _require(acting_user: Any, operation: Operation) -> None:
    if acting_user is not None and not access.can(acting_user, queries.MANAGE, operation):
        raise PermissionDenied(queries.MANAGE)


def _lock(operation: Operation, code: str) -> WorkflowVersion | None:
    """Serialise changes to the operation's workflows (version numbers are taken under this lock); the draft
    of `code`, locked, if there is one."""
    Operation.objects.select_for_update().filter(pk=operation.pk).first()
    if code not in procedure.registry().codes():
        raise ValidationError({"code": _("There is no workflow %(code)s.") % {"code": code}})
    return WorkflowVersion.objects.select_for_update().filter(operation=operation, code=code, published=False).first()


def _checked(text: str, *, operation: Operation, code: str, version: int) -> tuple[Workflow, Parsed]:
    """The workflow in `text` and what its check found, or WorkflowInvalid with every problem."""
    checked = queries.check_text(text, operation=operation, code=code, version=version)
    if not checked.ok or checked.workflow is None:
        raise WorkflowInvalid(f"{code} v{version}", checked.problems)
    return checked.workflow, checked


def _note(summary: dict[str, Any], against: str) -> str:
    return f"+{summary['lines_added']} −{summary['lines_removed']} lines against {against}"


@transaction.atomic
def start_version(*, operation: Operation, code: str, acting_user: Any, base: Base = "latest") -> WorkflowVersion:
    """A draft of the next version of `code`, from the version in use (`latest`) or from the newest shipped
    one (`shipped`), numbered above every version shipped or published."""
    _require(acting_user, operation)
    draft = _lock(operation, code)
    if draft is not None:
        raise ValidationError(
            _("Version %(version)s of this workflow is a draft already: continue it, or discard it first.")
            % {"version": draft.version}
        )
    registry = procedure.registry()
    if base == "shipped":
        source_version = registry.latest(code).version
        text, shipped_file = queries.shipped_text(code, source_version), queries.shipped_file(code)
        origin = f"shipped v{source_version}"
    else:
        current = queries.in_use(operation, code)
        source_version = current.version
        row = WorkflowVersion.objects.filter(
            operation=operation, code=code, version=source_version, published=True
        ).first()
        if row is not None:
            text, shipped_file, origin = row.text, row.shipped_file, f"v{source_version}"
        else:
            text, shipped_file = queries.shipped_text(code, source_version), queries.shipped_file(code)
            origin = f"shipped v{source_version}"
    if text is None:
        raise ValidationError(_("The text of this workflow cannot be read, so it cannot be edited here."))
    version = queries.next_version(operation, code)
    text = queries.with_version(text, version)
    workflow, checked = _checked(text, operation=operation, code=code, version=version)
    now = timezone.now()
    draft = WorkflowVersion.objects.create(
        operation=operation,
        code=code,
        version=version,
        name=workflow.name.msgid[:200],
        text=text,
        digest=workflow.digest,
        problems=queries.problems_as_data(checked.problems),
        based_on_version=source_version,
        shipped_file=shipped_file,
        created_by=acting_user,
        created_at=now,
        saved_by=acting_user,
        saved_at=now,
    )
    audit.record(
        acting_user, "workflow.draft_start", draft, changes={"version": [None, version]}, note=f"from {origin}"
    )
    return draft


@transaction.atomic
def save_draft(
    *, operation: Operation, code: str, text: str, acting_user: Any, revision: int | None = None
) -> WorkflowVersion:
    """Save `text` as the draft of the next version of `code` (started from the version in use when there is no
    draft yet). Refused with every problem by line when the text has errors (nothing saved); warnings are
    kept with the draft. `revision`: the draft's revision the editor started from (DraftConflict if someone
    saved it since)."""
    _require(acting_user, operation)
    draft = _lock(operation, code)
    text = text.replace("\r\n", "\n")
    if draft is not None and revision is not None and draft.revision != revision:
        raise DraftConflict(
            _(
                "%(who)s saved this draft at %(when)s, after you opened it: copy your changes, reload, "
                "and make them again."
            )
            % {"who": draft.saved_by or _("someone"), "when": date_format(timezone.localtime(draft.saved_at), "H:i")}
        )
    version = queries.next_version(operation, code)
    workflow, checked = _checked(text, operation=operation, code=code, version=version)
    now = timezone.now()
    if draft is None:
        current = queries.in_use(operation, code)
        before, against = queries.text_of(operation, code, current.version) or "", f"v{current.version}"
        row = WorkflowVersion.objects.filter(operation=operation, code=code, version=current.version).first()
        draft = WorkflowVersion(
            operation=operation,
            code=code,
            based_on_version=current.version,
            shipped_file=row.shipped_file if row is not None else queries.shipped_file(code),
            created_by=acting_user,
            created_at=now,
            revision=0,
        )
    else:
        before, against = draft.text, f"draft revision {draft.revision}"
        if draft.text == text:
            return draft  # nothing changed: nothing to save or audit
    summary = queries.change_summary(before, text)
    draft.version, draft.text = version, text
    draft.name, draft.digest = workflow.name.msgid[:200], workflow.digest
    draft.problems = queries.problems_as_data(checked.problems)
    draft.saved_by, draft.saved_at, draft.revision = acting_user, now, draft.revision + 1
    draft.save()
    audit.record(acting_user, "workflow.draft_save", draft, changes=summary, note=_note(summary, against))
    return draft


@transaction.atomic
def publish_draft(*, draft: WorkflowVersion, acting_user: Any) -> WorkflowVersion:
    """Make the draft the version new cases of the operation start on. Checked again first (roles and the
    catalogue may have changed since it was saved); cases already open keep their version."""
    operation = draft.operation
    _require(acting_user, operation)
    current_draft = _lock(operation, draft.code)
    if current_draft is None or current_draft.pk != draft.pk:
        raise ValidationError(_("This draft has been published or discarded meanwhile."))
    draft = current_draft
    _workflow, checked = _checked(draft.text, operation=operation, code=draft.code, version=draft.version)
    previous = queries.in_use(operation, draft.code)
    before = queries.text_of(operation, draft.code, previous.version) or ""
    summary = queries.change_summary(before, draft.text)
    now = timezone.now()
    draft.published, draft.published_at, draft.published_by = True, now, acting_user
    draft.problems = queries.problems_as_data(checked.problems)
    draft.save(update_fields=["published", "published_at", "published_by", "problems"])
    audit.record(
        acting_user,
        "workflow.publish",
        draft,
        changes={"version": [previous.version, draft.version], **summary},
        note=_note(summary, f"v{previous.version}"),
    )
    return draft


@transaction.atomic
def discard_draft(*, draft: WorkflowVersion, acting_user: Any) -> None:
    """Throw the draft away (the versions published stay as they are)."""
    operation = draft.operation
    _require(acting_user, operation)
    current_draft = _lock(operation, draft.code)
    if current_draft is None or current_draft.pk != draft.pk:
        raise ValidationError(_("This draft has been published or discarded meanwhile."))
    audit.record(
        acting_user, "workflow.draft_discard", current_draft, changes={"version": [current_draft.version, None]}
    )
    current_draft.delete()
