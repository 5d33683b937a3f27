"""The JSON shapes of assessments: the forms a case may fill, forms filled on it (with their answers when one is
read), and answers in."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from passage.cases.schemas import StaffOut, staff

# --- assessments ----------------------------------------------------------------------------------------------


class CaseFormOut(Schema):
    """A form the case may be asked to fill: those its workflow requires first, then the operation's others."""

    code: str
    title: str
    form_id: uuid.UUID | None = Field(description="The form to send with POST …/assessments; None until uploaded")
    required: bool = Field(description="Its workflow asks for it before a step")
    completed_id: uuid.UUID | None = Field(description="The completed submission in force")
    draft_id: uuid.UUID | None


class SubmissionOut(Schema):
    """A form filled on the case: its scores, never its answers (GET …/assessments/{id} has them)."""

    id: uuid.UUID
    form_id: uuid.UUID
    form_code: str
    form_title: str
    form_version: int = Field(description="The number of the form's version it was filled with")
    status: str = Field(description="draft or complete")
    scores: dict[str, Any] = Field(description="The form's score_ calculations, by name")
    source: str
    version: int = Field(description="A draft's version: send it back to save the draft again (a stale one is a 409)")
    created_at: dt.datetime
    created_by: StaffOut | None
    submitted_at: dt.datetime | None
    submitted_by: StaffOut | None
    supersedes_id: uuid.UUID | None = Field(description="The submission this one re-does")
    replaced_at: dt.datetime | None = Field(description="When a re-assessment replaced it")

    @staticmethod
    def resolve_form_id(obj: Any) -> Any:
        return obj.template_id

    @staticmethod
    def resolve_form_code(obj: Any) -> str:
        return str(obj.template.code)

    @staticmethod
    def resolve_form_title(obj: Any) -> str:
        return str(obj.template.title)

    @staticmethod
    def resolve_form_version(obj: Any) -> int:
        return int(obj.form_version.number)

    @staticmethod
    def resolve_created_by(obj: Any) -> dict[str, Any] | None:
        return staff(obj.created_by)

    @staticmethod
    def resolve_submitted_by(obj: Any) -> dict[str, Any] | None:
        return staff(obj.submitted_by)


class SubmissionDetailOut(SubmissionOut):
    """A submission with its answers (encrypted at rest). Reading it is recorded in the audit trail."""

    answers: dict[str, Any] = Field(description="The answers by field name; a repeat's as a list of groups")

    @staticmethod
    def resolve_answers(obj: Any) -> dict[str, Any]:
        return dict(obj.answers)


class SubmissionIn(Schema):
    """Answers to a form on the case: complete (checked: 422 with the errors by answer path, e.g. `age` or
    `members[2].age`, nothing saved) or a draft (kept as typed)."""

    form: uuid.UUID = Field(description="The form's id (GET …/forms)")
    answers: dict[str, Any]
    complete: bool = True
    draft: uuid.UUID | None = Field(None, description="A draft of this form on the case, to save again or submit")
    draft_version: int | None = Field(None, description="The draft's version the answers started from")
    supersedes: uuid.UUID | None = Field(None, description="The completed submission in force this one re-does")
