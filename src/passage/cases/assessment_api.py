"""Assessments through the JSON API: the forms a case may be asked to fill, the forms filled on it, filling one
(checked by the same engine as the browser's form: errors by answer path), and one with its answers.

The case comes only through cases.access (a 404 for anyone who may not see it; filling needs case.manage), a
submission only through the case, and saving is assessment_actions.save_submission, as the fill page saves.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from passage.api.pagination import LimitOffset
from passage.api.problems import PROBLEMS, Problem, problem_response
from passage.cases.access import MANAGE, get_case_for_user
from passage.cases.assessment_access import get_case_form, get_submission
from passage.cases.assessment_actions import SubmissionChangedMeanwhile, save_submission
from passage.cases.assessment_queries import case_assessments
from passage.cases.assessment_schemas import CaseFormOut, SubmissionDetailOut, SubmissionIn, SubmissionOut
from passage.cases.models import Submission, SubmissionSource
from passage.core import audit
from passage.core.models import User

router = Router(tags=["assessments"])


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/cases/{case_id}/forms", response={200: list[CaseFormOut], **PROBLEMS})
def list_case_forms(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    """The forms the case may be asked to fill, those its workflow requires first, each with its completed
    submission in force and its draft."""
    case = get_case_for_user(_user(request), case_id, audited=False)
    return [
        {
            "code": status.code,
            "title": status.title,
            "form_id": status.template.pk if status.template else None,
            "required": status.required,
            "completed_id": status.completed.pk if status.completed else None,
            "draft_id": status.draft.pk if status.draft else None,
        }
        for status in case_assessments(case).forms
    ]


@router.get("/cases/{case_id}/assessments", response={200: list[SubmissionOut], **PROBLEMS})
@paginate(LimitOffset)
def list_assessments(request: HttpRequest, case_id: UUID) -> QuerySet[Submission]:
    """The forms filled on the case, newest first: drafts, and completed ones (those re-done with replaced_at)."""
    case = get_case_for_user(_user(request), case_id, audited=False)
    return (
        Submission.objects.filter(case=case)
        .select_related("template", "form_version", "created_by", "submitted_by")
        .defer("form_version__content", "form_version__definition")
        .order_by("-created_at", "id")
    )


@router.post("/cases/{case_id}/assessments", response={201: SubmissionDetailOut, 409: Problem, **PROBLEMS})
def submit_assessment(request: HttpRequest, case_id: UUID, payload: SubmissionIn) -> Any:
    """Fill a form on the case: submit it (checked; 422 with every error by answer path, nothing saved) or keep a
    draft. A completed form counts for the workflow's steps, feeds the vulnerability assessment (DoMV) or the
    reintegration scores (RSS). 409 when the case is closed or the draft was saved by someone else meanwhile.
    Needs case.manage."""
    user = _user(request)
    case = get_case_for_user(user, case_id, need=MANAGE, audited=False)
    template = get_case_form(case, payload.form)
    draft = get_submission(case, payload.draft) if payload.draft else None
    supersedes = get_submission(case, payload.supersedes) if payload.supersedes else None
    try:
        submission = save_submission(
            acting_user=user,
            template=template,
            answers=payload.answers,
            complete=payload.complete,
            case=case,
            draft=draft,
            version=payload.draft_version,
            supersedes=supersedes,
            source=SubmissionSource.API,
        )
    except SubmissionChangedMeanwhile as conflict:
        return problem_response(request, 409, str(conflict))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        return problem_response(request, 409, " ".join(error.messages))
    return Status(201, get_submission(case, submission.pk))


@router.get("/cases/{case_id}/assessments/{submission_id}", response={200: SubmissionDetailOut, **PROBLEMS})
def get_assessment(request: HttpRequest, case_id: UUID, submission_id: UUID) -> Submission:
    """A form filled on the case, with its answers; reading it is recorded in the audit trail."""
    user = _user(request)
    case = get_case_for_user(user, case_id, audited=False)
    submission = get_submission(case, submission_id)
    audit.record_read(user, case, note=f"submission {submission.pk}")
    return submission
