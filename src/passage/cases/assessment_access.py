"""The only way an interface fetches a form, a submission, an import of submissions, a vulnerability assessment
or determination.

What hangs off a case comes through the case, fetched first with cases.access.get_case_for_user: a restricted
case's assessments are as invisible as the case (a 404). Forms are an operation's: seen by whoever works on
cases there or manages forms; changed by whoever manages forms. Assessments of a place (community, structural)
carry no personal data: seen by whoever sees cases in the operation."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.cases.access import MANAGE, VIEW
from passage.cases.models import (
    AssessmentScope,
    Case,
    FormImport,
    FormTemplate,
    FormVersion,
    Submission,
    VulnerabilityAssessment,
    VulnerabilityDetermination,
)
from passage.core import audit
from passage.core.access import fetch_or_404 as _get
from passage.core.access import permissions_in
from passage.core.models import Operation
from passage.registry.access import get_person_for_user
from passage.registry.models import Person

FORM_MANAGE = "form.manage"


def may_see_forms(user: Any, operation: Operation) -> bool:
    return bool({VIEW, FORM_MANAGE} & permissions_in(user, operation.pk))


def may_manage_forms(user: Any, operation: Operation) -> bool:
    return FORM_MANAGE in permissions_in(user, operation.pk)


def get_form_for_user(user: Any, operation: Operation, template_id: Any, *, manage: bool = False) -> FormTemplate:
    """A form of the user's current operation; 404 for any other, and for who may not see (or manage) forms."""
    if not (may_manage_forms(user, operation) if manage else may_see_forms(user, operation)):
        raise Http404
    template: FormTemplate = _get(FormTemplate.objects.filter(operation=operation), template_id)
    return template


def get_form_version_for_user(user: Any, operation: Operation, version_id: Any) -> FormVersion:
    if not may_see_forms(user, operation):
        raise Http404
    version: FormVersion = _get(
        FormVersion.objects.filter(template__operation=operation).select_related("template"), version_id
    )
    return version


def get_import_for_user(user: Any, operation: Operation, import_id: Any) -> FormImport:
    """An import of submissions: for who manages forms (its results quote answers)."""
    if not may_manage_forms(user, operation):
        raise Http404
    form_import: FormImport = _get(
        FormImport.objects.filter(operation=operation).select_related("template", "form_version", "job"), import_id
    )
    return form_import


def get_submission(case: Case, submission_id: Any) -> Submission:
    """A submission of a case already fetched through get_case_for_user; any other is a 404."""
    submission: Submission = _get(
        Submission.objects.filter(case=case).select_related(
            "template", "form_version", "submitted_by", "created_by", "supersedes"
        ),
        submission_id,
    )
    return submission


def get_submission_for_user(user: Any, submission_id: Any) -> Submission:
    """Any submission the user may see (on a case they see, or on a person they see); reading it is audited on
    its case, or on the person."""
    submission: Submission = _get(
        Submission.objects.visible_to(user).select_related("template", "form_version", "case", "person"),
        submission_id,
    )
    subject: Any = submission.case or submission.person
    audit.record_read(user, subject, note=f"submission {submission.pk}")
    return submission


def get_person_with_assessments(user: Any, person_id: Any) -> Person:
    """A person whose assessments the user may look at: they see the person and work on cases in the operation."""
    person = get_person_for_user(user, person_id)
    if VIEW not in permissions_in(user, person.operation_id):
        raise Http404
    return person


def get_determination(case: Case, determination_id: Any) -> VulnerabilityDetermination:
    determination: VulnerabilityDetermination = _get(
        VulnerabilityDetermination.objects.filter(case=case).select_related(
            "assessment", "determined_by", "reviewed_by"
        ),
        determination_id,
    )
    return determination


def may_assess_places(user: Any, operation: Operation) -> bool:
    """Who records a community's or a country's factors: whoever works on cases in the operation."""
    return MANAGE in permissions_in(user, operation.pk)


def get_place_assessment_for_user(user: Any, operation: Operation, assessment_id: Any) -> VulnerabilityAssessment:
    if VIEW not in permissions_in(user, operation.pk):
        raise Http404
    assessment: VulnerabilityAssessment = _get(
        VulnerabilityAssessment.objects.filter(operation=operation, scope=AssessmentScope.PLACE).select_related(
            "admin_area", "assessed_by"
        ),
        assessment_id,
    )
    return assessment


def get_case_form(case: Case, template_id: Any) -> FormTemplate:
    """A form of the case's operation, to fill on the case (already fetched through get_case_for_user)."""
    template: FormTemplate = _get(FormTemplate.objects.filter(operation_id=case.operation_id), template_id)
    return template
