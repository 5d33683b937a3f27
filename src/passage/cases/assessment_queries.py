"""The read side of assessments: which forms a case has completed (the workflow's "forms completed"), the form
library, a case's or a person's assessments, vulnerability by level with its context (the community and
structural assessments of the places the case is in) and RSS scores over time. Lists start from the case (already
fetched through its access rule) or from Submission.objects.visible_to(user); each owns its select_related."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from passage.cases import procedure
from passage.cases.models import (
    AssessmentScope,
    Case,
    DomvFactor,
    DomvLevel,
    FactorKind,
    FactorRating,
    FormImport,
    FormTemplate,
    RssScore,
    Submission,
    SubmissionStatus,
    VulnerabilityAssessment,
    VulnerabilityDetermination,
)
from passage.cases.xlsform.definition import Field, FormDefinition
from passage.cases.xlsform.render import choose_language
from passage.core.models import Operation
from passage.registry.models import AdminArea, Person

HISTORY = 50  # submissions, assessments and determinations listed on a page (newest first)


# --- the workflow's "forms completed" ----------------------------------------------------------------------


def completed_forms(case: Case) -> set[str]:
    """Codes of the forms with a completed submission on the case (one in force, not a draft)."""
    return set(
        Submission.objects.filter(case=case, status=SubmissionStatus.COMPLETE, replaced_at__isnull=True)
        .values_list("template__code", flat=True)
        .distinct()
    )


@functools.cache
def _catalogue_forms() -> dict[str, str]:
    from passage.cases.workflows.shipped import catalogue

    return {entry.code: entry.title for entry in catalogue().forms}


def workflow_form_codes() -> dict[str, str]:
    """Form codes a workflow may require, with their titles: the shipped catalogue's, and any other that a
    workflow of the registry names."""
    codes = dict(_catalogue_forms())
    registry = procedure.registry()
    for code in registry.codes():
        for version in registry.versions(code):
            for transition in registry.get(code, version).transitions:
                for form in transition.requires.forms:
                    codes.setdefault(form, form.replace("_", " "))
    return codes


def required_forms(case: Case) -> list[tuple[str, str]]:
    """The forms the case's workflow requires in some step, in the order the steps name them, with titles."""
    workflow = procedure.workflow_of(case)
    names = workflow_form_codes()
    codes: list[str] = []
    for transition in workflow.transitions:
        codes.extend(code for code in transition.requires.forms if code not in codes)
    return [(code, names.get(code, code)) for code in codes]


# --- the form library ---------------------------------------------------------------------------------------


def form_library(operation: Operation) -> QuerySet[FormTemplate]:
    return (
        FormTemplate.objects.filter(operation=operation)
        .annotate(
            version_count=Count("versions", distinct=True),
            last_upload=Max("versions__uploaded_at"),
        )
        .order_by("code")
    )


def form_versions(template: FormTemplate) -> list[Any]:
    return list(
        template.versions.select_related("uploaded_by")
        .annotate(submission_count=Count("submissions"))
        .defer("content", "definition")
    )


def form_imports(template: FormTemplate) -> QuerySet[FormImport]:
    return template.imports.select_related("form_version", "created_by", "job").order_by("-created_at")[:HISTORY]


def fillable_forms(operation_id: Any) -> list[FormTemplate]:
    """The operation's forms that have a version to fill."""
    return list(FormTemplate.objects.filter(operation_id=operation_id, versions__isnull=False).distinct())


# --- a case's or a person's assessments ---------------------------------------------------------------------


@dataclass
class FormStatus:
    code: str
    title: str
    template: FormTemplate | None
    completed: Submission | None  # the completed submission in force
    draft: Submission | None
    required: bool


@dataclass
class CaseAssessments:
    forms: list[FormStatus]
    submissions: list[Submission]  # completed ones, newest first, superseded ones included
    rss: list[RssScore]
    determination: VulnerabilityDetermination | None


def case_assessments(case: Case) -> CaseAssessments:
    """The forms the case may be asked to fill (those its workflow requires first, then the operation's others),
    each with its submission in force and its draft; the history of submissions; RSS scores; the determination
    in force."""
    submissions = list(
        Submission.objects.filter(case=case)
        .select_related("template", "form_version", "submitted_by", "created_by")
        .order_by("-created_at")[: HISTORY * 2]
    )
    completed: dict[str, Submission] = {}
    drafts: dict[str, Submission] = {}
    for submission in submissions:
        code = submission.template.code
        if submission.status == SubmissionStatus.DRAFT:
            drafts.setdefault(code, submission)
        elif submission.replaced_at is None:
            completed.setdefault(code, submission)
    templates = {template.code: template for template in fillable_forms(case.operation_id)}
    forms = [
        FormStatus(code, title, templates.get(code), completed.get(code), drafts.get(code), True)
        for code, title in required_forms(case)
    ]
    shown = {status.code for status in forms}
    forms += [
        FormStatus(code, template.title, template, completed.get(code), drafts.get(code), False)
        for code, template in sorted(templates.items())
        if code not in shown
    ]
    return CaseAssessments(
        forms=forms,
        submissions=[item for item in submissions if item.status == SubmissionStatus.COMPLETE][:HISTORY],
        rss=list(rss_scores(case=case)),
        determination=VulnerabilityDetermination.objects.filter(case=case, replaced_at__isnull=True)
        .select_related("determined_by", "reviewed_by")
        .first(),
    )


def person_submissions(user: Any, person: Person) -> QuerySet[Submission]:
    """The completed submissions about a person the user may see (on cases they see, or on the person alone)."""
    return (
        Submission.objects.visible_to(user)
        .filter(Q(person=person) | Q(case__person=person), status=SubmissionStatus.COMPLETE)
        .select_related("template", "form_version", "case", "submitted_by")
        .order_by("-submitted_at")[:HISTORY]
    )


# --- RSS ----------------------------------------------------------------------------------------------------


def rss_scores(*, case: Case | None = None, user: Any = None, person: Person | None = None) -> QuerySet[RssScore]:
    """A returnee's RSS scores in force, oldest survey first: of one case, or of a person across the cases the
    user may see."""
    scores = RssScore.objects.current().select_related("weights", "submission")
    if case is not None:
        return scores.filter(case=case).order_by("surveyed_on", "computed_at")
    return scores.visible_to(user).filter(person=person).order_by("surveyed_on", "computed_at")


def rss_chart(scores: Iterable[RssScore], labels: dict[str, str]) -> dict[str, Any]:
    """The line chart's data: one point per survey, a series per dimension and the composite."""
    rows = list(scores)
    series = {
        name: [getattr(score, name) for score in rows] for name in ("economic", "social", "psychosocial", "composite")
    }
    return {
        "dates": [score.surveyed_on.isoformat() for score in rows],
        "rounds": [score.survey_round for score in rows],
        "series": [{"name": labels[name], "key": name, "data": values} for name, values in series.items()],
    }


# --- vulnerability ------------------------------------------------------------------------------------------


@dataclass
class LevelRows:
    level: str
    label: str
    ratings: list[FactorRating] = field(default_factory=list)

    @property
    def risks(self) -> int:
        return sum(1 for rating in self.ratings if rating.kind == FactorKind.RISK)

    @property
    def protective(self) -> int:
        return sum(1 for rating in self.ratings if rating.kind == FactorKind.PROTECTIVE)

    @property
    def net(self) -> int:
        return sum(rating.net for rating in self.ratings)


def by_level(assessment: VulnerabilityAssessment | None) -> list[LevelRows]:
    """An assessment's ratings grouped by level, in the model's order of levels (empty levels left out)."""
    if assessment is None:
        return []
    rows = {level: LevelRows(level, str(label)) for level, label in DomvLevel.choices}
    for rating in assessment.factors.select_related("factor").order_by("factor__position", "factor__code"):
        rows[rating.level].ratings.append(rating)
    return [row for row in rows.values() if row.ratings]


def level_chart(levels: Iterable[LevelRows], labels: dict[str, str]) -> dict[str, Any]:
    """The small chart's data: per level, the severity of risk factors (up) and of protective ones (down)."""
    rows = list(levels)
    return {
        "levels": [row.label for row in rows],
        "series": [
            {
                "name": labels["risk"],
                "key": "risk",
                "data": [sum(r.severity or 0 for r in row.ratings if r.kind == FactorKind.RISK) for row in rows],
            },
            {
                "name": labels["protective"],
                "key": "protective",
                "data": [-sum(r.severity or 0 for r in row.ratings if r.kind == FactorKind.PROTECTIVE) for row in rows],
            },
        ],
    }


def assessment_history(case: Case) -> list[VulnerabilityAssessment]:
    return list(
        VulnerabilityAssessment.objects.filter(case=case)
        .select_related("assessed_by", "submission__template")
        .order_by("-assessed_on", "-created_at")[:HISTORY]
    )


def determination_history(case: Case) -> list[VulnerabilityDetermination]:
    return list(
        VulnerabilityDetermination.objects.filter(case=case)
        .select_related("determined_by", "reviewed_by", "bands", "assessment")
        .order_by("-determined_at")[:HISTORY]
    )


def place_of(case: Case) -> tuple[AdminArea | None, str]:
    """Where the case's subject lives: their administrative area, and the country (the area's, else the
    operation's)."""
    subject = case.subject
    area = getattr(subject, "admin_area", None)
    country = area.country if area is not None else case.operation.country
    return area, (country or "").upper()


def area_chain(area: AdminArea | None) -> list[AdminArea]:
    """The area and those above it, nearest first (the stored hierarchy, never a sliced P-code)."""
    chain: list[AdminArea] = []
    seen: set[Any] = set()
    while area is not None and area.pk not in seen and len(chain) < 6:
        chain.append(area)
        seen.add(area.pk)
        area = area.parent
    return chain


def context_for(operation_id: Any, area: AdminArea | None, country: str) -> list[VulnerabilityAssessment]:
    """The community and structural assessments in force for a place: its area's and every area's above it,
    nearest first, then its country's."""
    chain = area_chain(area)
    found = (
        VulnerabilityAssessment.objects.current()
        .filter(operation_id=operation_id, scope=AssessmentScope.PLACE)
        .filter(Q(admin_area__in=[a.pk for a in chain]) | Q(admin_area__isnull=True, country=country or "-"))
        .select_related("admin_area", "assessed_by")
        .prefetch_related(Prefetch("factors", queryset=FactorRating.objects.select_related("factor")))
    )
    rank = {a.pk: index for index, a in enumerate(chain)}
    return sorted(
        found, key=lambda item: rank.get(item.admin_area_id, len(chain)) if item.admin_area_id else len(chain)
    )


def case_context(case: Case) -> list[VulnerabilityAssessment]:
    area, country = place_of(case)
    return context_for(case.operation_id, area, country)


def place_assessments(operation: Operation) -> QuerySet[VulnerabilityAssessment]:
    return (
        VulnerabilityAssessment.objects.current()
        .filter(operation=operation, scope=AssessmentScope.PLACE)
        .select_related("admin_area", "assessed_by")
        .annotate(factor_count=Count("factors"))
        .order_by("country", "admin_area__pcode", "-assessed_on")
    )


def factors_for(levels: Iterable[str]) -> list[DomvFactor]:
    """The catalogue's factors in use at these levels, in order."""
    return list(DomvFactor.objects.filter(is_active=True, level__in=list(levels)).order_by("position", "code"))


# --- a submission's answers, as a page shows them -----------------------------------------------------------


@dataclass
class AnswerRow:
    depth: int
    label: str
    value: str
    kind: str  # group, repeat, instance, answer, score
    path: str


def answer_rows(form: FormDefinition, answers: dict[str, Any], language: str) -> list[AnswerRow]:
    """The answers in the form's order and groups, labelled in the form's language closest to `language`,
    choices by their labels; scores shown, other calculations and metadata left out."""
    chosen = choose_language(form, language)

    def text(item: Field, value: Any) -> str:
        if item.kind == "select_one":
            choice = item.choice(str(value))
            return choice.label(chosen, form.default_language) if choice else str(value)
        if item.kind == "select_multiple":
            names = value if isinstance(value, list) else str(value).split()
            return ", ".join(
                (choice.label(chosen, form.default_language) if (choice := item.choice(str(name))) else str(name))
                for name in names
            )
        return str(value)

    def visit(items: list[Field], scope: dict[str, Any], depth: int, base: str) -> Iterator[AnswerRow]:
        for item in items:
            path = f"{base}.{item.name}" if base else item.name
            label = item.label(chosen, form.default_language) or item.name
            if item.kind == "group":
                inner = list(visit(item.children, scope, depth + 1, base))
                if inner:
                    yield AnswerRow(depth, label, "", "group", path)
                    yield from inner
            elif item.kind == "repeat":
                instances = [entry for entry in scope.get(item.name) or [] if isinstance(entry, dict)]
                if instances:
                    yield AnswerRow(depth, label, str(len(instances)), "repeat", path)
                for index, entry in enumerate(instances, start=1):
                    yield AnswerRow(depth + 1, f"{label} {index}", "", "instance", f"{path}[{index}]")
                    yield from visit(item.children, entry, depth + 2, f"{path}[{index}]")
            elif item.name in scope and (item.is_question or item.is_score):
                yield AnswerRow(
                    depth, label, text(item, scope[item.name]), "score" if item.is_score else "answer", path
                )

    return list(visit(form.children, answers, 0, ""))
