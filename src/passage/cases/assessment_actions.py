"""Programme forms and their submissions as actions: uploading an XLSForm (a new version of the form; refused with
every reason when the engine refuses it, kept with its warnings otherwise), saving a draft and submitting a form
on a case or a person (checked by the engine, errors by answer path), and what a completed submission feeds:
the workflow's "forms completed" (assessment_queries.completed_forms), a DoMV assessment, RSS scores.

Imports of KoboToolbox/ODK submissions are in form_imports. Each action: keyword-only arguments, the acting user,
one transaction, an audit event (on the case when there is one, so that its timeline shows it); answers never go
into the audit trail."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.cases import reintegration_actions, scoring, vulnerability_actions
from passage.cases.access import MANAGE, may
from passage.cases.assessment_access import FORM_MANAGE
from passage.cases.assessment_queries import workflow_form_codes
from passage.cases.models import (
    Case,
    DomvFactor,
    FormTemplate,
    FormVersion,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from passage.cases.xlsform.definition import FormDefinition, Problem, definition_to_dict
from passage.cases.xlsform.reader import MAX_BYTES, check_xlsform
from passage.cases.xlsform.submission import FieldError, evaluate
from passage.core import audit
from passage.core.access import can, permissions_in
from passage.core.models import Operation, User
from passage.registry.models import Person

MAX_ANSWERS_BYTES = 2 * 1024 * 1024  # a submission's answers as JSON
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class FormRefused(ValidationError):
    """The XLSForm cannot be used: `problems` says every reason, each with its sheet, row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__({"file": [str(problem) for problem in problems]})


class SubmissionInvalid(ValidationError):
    """The answers do not satisfy the form: `errors` by answer path (`age`, `members[2].age`). Nothing was saved."""

    def __init__(self, errors: list[FieldError], messages_by_path: dict[str, list[str]]) -> None:
        self.errors = errors
        self.by_path = messages_by_path
        super().__init__({path: messages for path, messages in messages_by_path.items()})


class SubmissionChangedMeanwhile(Exception):
    """Someone saved the draft after this edit started from `expected`. Nothing was saved."""

    def __init__(self, submission: Submission, expected: int) -> None:
        self.submission = submission
        self.expected = expected
        super().__init__(
            _("Someone saved this form after you opened it. Nothing was saved: open it again to see their answers.")
        )


# --- forms --------------------------------------------------------------------------------------------------


def default_code(form: FormDefinition) -> str:
    """The code a form takes unless told: its form_id, without the `passage_` the sample forms start with."""
    code = re.sub(r"[^a-z0-9_]+", "_", form.id_string.lower()).strip("_")
    return code.removeprefix("passage_")[:64]


def _upload_warnings(code: str, form: FormDefinition, previous: FormVersion | None) -> list[Problem]:
    """What Passage itself has to say about a form that the engine accepted."""
    warnings: list[Problem] = []
    if code not in workflow_form_codes():
        warnings.append(
            Problem(
                "warning",
                f"no shipped workflow requires a form with the code '{code}': submissions are kept, but complete no "
                "step of a workflow",
            )
        )
    if previous is not None and form.version and form.version == previous.version:
        warnings.append(
            Problem(
                "warning",
                f"the settings sheet gives the same version ('{form.version}') as version {previous.number}: "
                "KoboCollect and ODK Collect will not tell the two apart; change it before sending the form out",
                sheet="settings",
                column="version",
            )
        )
    if code == reintegration_actions.RSS_FORM:
        indicators = [name for rows in scoring.default_rss_weights()["indicators"].values() for name in rows]
        missing = [name for name in indicators if f"{scoring.RECODED_PREFIX}{name}" not in form.fields]
        if missing:
            warnings.append(
                Problem(
                    "warning",
                    "the RSS scores read each indicator's recoded answer from a calculate r_<indicator>; this form "
                    f"has none for {', '.join(missing[:8])}{'…' if len(missing) > 8 else ''}",
                )
            )
    codes = DomvFactor.objects.values_list("code", flat=True)
    if code.startswith(("vulnerability", "domv")) and not scoring.factors_in_form(form.fields, codes):
        warnings.append(
            Problem(
                "warning",
                "no question <factor>_polarity names a factor of the DoMV catalogue: submissions will not record a "
                "vulnerability assessment",
            )
        )
    return warnings


@transaction.atomic
def upload_form(
    *,
    acting_user: User | None,
    operation: Operation,
    filename: str,
    content: bytes,
    code: str = "",
    title: str = "",
) -> FormVersion:
    """A new version of the operation's form `code` (the form's ID when no code is given; a new form when the
    code is new), from an XLSForm file. Refused (FormRefused) with every reason the engine gives — a feature
    Passage does not run is never dropped in silence; kept with the engine's warnings and Passage's own."""
    if acting_user is not None and not can(acting_user, FORM_MANAGE, operation):
        raise PermissionDenied(FORM_MANAGE)
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than %(n)s MB.") % {"n": MAX_BYTES // (1024 * 1024)}})
    form, problems = check_xlsform(content, filename=filename)
    if form is None:
        raise FormRefused([problem for problem in problems if problem.refuses])
    code = (code or default_code(form)).strip().lower()
    if not _CODE.match(code):
        raise ValidationError({"code": _("Use lower-case letters, digits and _ (up to 64), starting with a letter.")})
    title = (title or form.title or code).strip()[:200]
    template, created = FormTemplate.objects.get_or_create(
        operation=operation, code=code, defaults={"title": title, "created_by": acting_user}
    )
    template = FormTemplate.objects.select_for_update().get(pk=template.pk)  # one new version at a time
    previous = template.current
    digest = hashlib.sha256(content).hexdigest()
    if previous is not None and previous.sha256 == digest:
        raise ValidationError({"file": _("This file is the same as version %(n)s.") % {"n": previous.number}})
    warnings = [*form.problems, *_upload_warnings(code, form, previous)]
    if not created and title and title != template.title:
        template.title = title
        template.save(update_fields=["title"])
    version = FormVersion.objects.create(
        template=template,
        number=(previous.number if previous else 0) + 1,
        version=form.version[:100],
        form_id=form.id_string[:200],
        title=(form.title or title)[:200],
        filename=Path(filename).name[:255] or f"{code}.xlsx",
        content=content,
        sha256=digest,
        definition=definition_to_dict(form),
        warnings=[vars(problem) for problem in warnings],
        languages=list(form.languages),
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    audit.record(
        acting_user,
        "form.upload",
        template,
        changes={
            "version": [previous.number if previous else None, version.number],
            "form_version": [previous.version if previous else None, version.version],
            "warnings": [None, len(warnings)],
        },
        operation_id=operation.pk,
    )
    return version


# --- submissions --------------------------------------------------------------------------------------------


def _check_subject(acting_user: User | None, case: Case | None, person: Person | None) -> tuple[Any, Person | None]:
    """The operation, and the person a submission is about (the case's person when it has one)."""
    if case is None and person is None:
        raise ValidationError({"subject": _("A form is filled on a case or on a person.")})
    if case is not None:
        if acting_user is not None and not may(acting_user, MANAGE, case):
            raise PermissionDenied(MANAGE)
        if case.closed_at is not None:
            raise ValidationError(_("This case is closed: reopen it first."))
        if person is not None and case.person_id not in (None, person.pk):
            raise ValidationError({"person": _("This person is not the case's.")})
        return case.operation_id, person or case.person
    assert person is not None  # noqa: S101 - checked above
    if acting_user is not None and (
        MANAGE not in permissions_in(acting_user, person.operation_id)
        or not Person.objects.visible_to(acting_user).filter(pk=person.pk).exists()
    ):
        raise PermissionDenied(MANAGE)
    return person.operation_id, person


def _sized(answers: Mapping[str, Any]) -> str:
    text = json.dumps(answers, ensure_ascii=False, sort_keys=True, default=str)
    if len(text.encode()) > MAX_ANSWERS_BYTES:
        raise ValidationError({"answers": _("The answers are too long to keep.")})
    return text


def checked_answers(form: FormDefinition, answers: Mapping[str, Any], *, language: str = "") -> Any:
    """The engine's evaluation of `answers`, or SubmissionInvalid with every error by path (in `language` when
    the form has its own messages)."""
    evaluation = evaluate(form, answers, language=language)
    if not evaluation.ok:
        by_path: dict[str, list[str]] = {}
        for error in evaluation.errors:
            by_path.setdefault(error.path, []).append(error.message(language, form.default_language, _))
        raise SubmissionInvalid(evaluation.errors, by_path)
    return evaluation


@transaction.atomic
def save_submission(
    *,
    acting_user: User | None,
    template: FormTemplate,
    answers: Mapping[str, Any],
    complete: bool,
    case: Case | None = None,
    person: Person | None = None,
    draft: Submission | None = None,
    version: int | None = None,
    supersedes: Submission | None = None,
    source: str = SubmissionSource.BROWSER,
    language: str = "",
) -> Submission:
    """Save the answers of a form filled on a case or a person: as a draft (kept as typed, checked only when
    submitted) or complete (checked by the engine: SubmissionInvalid with the errors by path, nothing saved).

    A new submission uses the form's newest version; a draft keeps the version it was started with and its
    `version` guards against a second person's save (SubmissionChangedMeanwhile). `supersedes`: the completed
    submission this one re-does (a re-assessment): it stays, marked replaced, once this one is complete."""
    operation_id, person = _check_subject(acting_user, case, person)
    if template.operation_id != operation_id:
        raise ValidationError({"form": _("This form belongs to another operation.")})
    if source not in SubmissionSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    now = timezone.now()
    if draft is not None:
        submission = Submission.objects.select_for_update(of=("self",)).select_related("form_version").get(pk=draft.pk)
        if submission.status != SubmissionStatus.DRAFT:
            raise ValidationError(_("This submission is complete: fill the form again to re-assess."))
        if submission.template_id != template.pk or submission.case_id != getattr(case, "pk", None):
            raise ValidationError(_("This draft is of another form or case."))
        if version is not None and submission.version != version:
            raise SubmissionChangedMeanwhile(submission, version)
        submission.version += 1
    else:
        form_version = template.current
        if form_version is None:
            raise ValidationError({"form": _("This form has no version yet: upload its XLSForm first.")})
        if supersedes is not None:
            if supersedes.template_id != template.pk or supersedes.case_id != getattr(case, "pk", None):
                raise ValidationError(_("A re-assessment is of the same form and case."))
            if not supersedes.is_complete or not supersedes.is_current:
                raise ValidationError(_("Only the submission in force can be re-done."))
            if Submission.objects.filter(supersedes=supersedes).exists():
                raise ValidationError(_("A re-assessment of this submission is already in draft."))
        submission = Submission(
            operation_id=operation_id,
            template=template,
            form_version=form_version,
            case=case,
            person=person,
            created_by=acting_user,
            created_at=now,
            source=source,
            supersedes=supersedes,
        )
    form = submission.form_version.form()
    if complete:
        evaluation = checked_answers(form, answers, language=language)
        _sized(evaluation.values)
        submission.answers = evaluation.values
        submission.scores = evaluation.scores
        submission.sealed_label = evaluation.instance_name[:500]
        submission.status = SubmissionStatus.COMPLETE
        submission.submitted_by, submission.submitted_at = acting_user, now
    else:
        _sized(answers)
        submission.answers = dict(answers)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError as error:  # a second re-assessment of the same submission, at the same moment
        raise ValidationError(_("A re-assessment of this submission is already in draft.")) from error
    if complete:
        after_completion(submission, acting_user)
    action = "submission.complete" if complete else "submission.draft"
    audit.record(
        acting_user,
        action,
        case if case is not None else submission,
        changes={
            "submission": [str(submission.supersedes_id) if submission.supersedes_id else None, str(submission.pk)],
            "form": [None, f"{template.code} v{submission.form_version.number}"],
            **({"scores": [None, submission.scores]} if complete and submission.scores else {}),
        },
        operation_id=operation_id,
    )
    return submission


def after_completion(submission: Submission, acting_user: User | None) -> None:
    """What a completed submission feeds, in its transaction: it replaces the one it re-does; a DoMV form's
    factors become the subject's vulnerability assessment; an RSS survey on a case is scored."""
    if submission.supersedes_id:
        Submission.objects.filter(pk=submission.supersedes_id).update(replaced_at=submission.submitted_at)
    vulnerability_actions.assessment_from_submission(submission=submission, acting_user=acting_user)
    if submission.template.code == reintegration_actions.RSS_FORM:
        reintegration_actions.score_submission(submission=submission, acting_user=acting_user)


@transaction.atomic
def discard_draft(*, draft: Submission, acting_user: User | None) -> None:
    """Throw away a draft (a completed submission is never deleted)."""
    submission = Submission.objects.select_for_update(of=("self",)).select_related("case").get(pk=draft.pk)
    if submission.status != SubmissionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be thrown away."))
    case = submission.case
    _check_subject(acting_user, case, submission.person)
    audit.record(
        acting_user,
        "submission.discard",
        case if case is not None else submission,
        changes={"submission": [str(submission.pk), None], "form": [submission.template.code, None]},
        operation_id=submission.operation_id,
    )
    submission.delete()
