"""Assessments through their actions: programme forms uploaded as XLSForm (refused or warned, versions kept),
submissions checked by the engine (errors by answer path) completing a workflow's step, DoMV factors and a
determination reviewed by a second person with its history, community and structural context reused by every
case of a place, RSS scores with versioned weights, Kobo/ODK imports run twice, and who sees submissions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from passage.cases import actions, assessment_queries, form_imports, procedure
from passage.cases.assessment_actions import FormRefused, SubmissionInvalid, save_submission, upload_form
from passage.cases.models import (
    FormVersion,
    RssScore,
    Sensitivity,
    Submission,
    SubmissionSource,
    VulnerabilityAssessment,
    VulnerabilityDetermination,
)
from passage.cases.procedure import TransitionRefused
from passage.cases.reintegration_actions import set_rss_weights
from passage.cases.tests.assessment_helpers import (
    DOMV,
    RSS,
    VISIT,
    VISIT_CHOICES,
    VISIT_SURVEY,
    WORKFLOW,
    domv_answers,
    kobo_csv,
    rss_answers,
    submit,
)
from passage.cases.tests.conftest import register_person
from passage.cases.vulnerability_actions import (
    FactorInput,
    determine_vulnerability,
    record_assessment,
    review_determination,
    set_vulnerability_bands,
)
from passage.cases.workflows.engine import WorkflowRegistry
from passage.cases.workflows.loader import load_workflow
from passage.cases.xlsform.library.build import xlsform_bytes
from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.registry.models import AdminArea


@pytest.fixture
def workflows() -> Iterator[WorkflowRegistry]:
    with procedure.using(WorkflowRegistry([load_workflow(WORKFLOW)])) as registry:
        yield registry


@pytest.fixture
def admin(operation):
    return member_of(operation, "administrator")


@pytest.fixture
def domv(admin, operation) -> FormVersion:
    return upload_form(acting_user=admin, operation=operation, filename="vulnerability_domv.xlsx", content=DOMV)


# --- forms --------------------------------------------------------------------------------------------------


def test_an_administrator_uploads_a_form_and_each_upload_is_a_version_submissions_keep(admin, operation, owner, case):
    first = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT)
    assert (first.template.code, first.number, first.version, first.form_id) == ("visit", 1, "1", "visit")
    assert first.definition["id_string"] == "visit" and bytes(first.content) == VISIT
    assert any("no shipped workflow requires" in warning["message"] for warning in first.warnings)
    made_with_first = submit(
        owner, first.template, case, {"case_number": case.reference, "household_size": 1, "safe": "yes"}
    )

    with pytest.raises(ValidationError, match="same as version 1"):
        upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT)
    changed = xlsform_bytes(
        [*VISIT_SURVEY, {"type": "text", "name": "comment", "label": "Comment"}],
        VISIT_CHOICES,
        {"form_title": "Monitoring visit", "form_id": "visit", "version": "1"},
    )
    second = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=changed)
    assert (second.template_id, second.number) == (first.template_id, 2)
    assert any(warning["column"] == "version" for warning in second.warnings)  # same settings version as v1
    assert list(first.template.versions.values_list("number", flat=True)) == [2, 1]
    made_with_first.refresh_from_db()
    assert made_with_first.form_version == first
    assert (
        submit(owner, first.template, case, {"case_number": "x", "household_size": 2, "safe": "no"}).form_version
        == second
    )
    assert AuditEvent.objects.filter(action="form.upload").count() == 2


def test_a_form_with_a_feature_passage_does_not_run_is_refused_with_its_row_and_nothing_is_kept(admin, operation):
    survey = [
        {"type": "text", "name": "name", "label": "Name"},
        {"type": "range", "name": "pain", "label": "Pain", "parameters": "start=0 end=10"},
    ]
    with pytest.raises(FormRefused) as refused:
        upload_form(acting_user=admin, operation=operation, filename="pain.xlsx", content=xlsform_bytes(survey))
    problem = refused.value.problems[0]
    assert (problem.severity, problem.sheet, problem.row, problem.column, problem.field) == (
        "unsupported",
        "survey",
        3,
        "type",
        "pain",
    )
    assert "range" in str(problem)
    assert not FormVersion.objects.exists()


def test_a_feature_passage_ignores_is_kept_with_a_warning_naming_its_column(admin, operation):
    survey = [{"type": "text", "name": "name", "label": "Name", "media::image": "face.png"}]
    version = upload_form(acting_user=admin, operation=operation, filename="media.xlsx", content=xlsform_bytes(survey))
    assert any(warning["column"].startswith("media") and warning["row"] == 2 for warning in version.warnings)


def test_only_who_manages_forms_uploads_them(owner, operation):
    with pytest.raises(PermissionDenied):
        upload_form(acting_user=owner, operation=operation, filename="visit.xlsx", content=VISIT)


# --- submissions --------------------------------------------------------------------------------------------


def test_a_submission_is_checked_by_the_engine_with_each_error_named_by_its_path(admin, operation, owner, case):
    template = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT).template
    answers = {
        "household_size": "two",
        "members": [{"member_name": "Amal", "member_age": 30}, {"member_age": 130}],
        "safe": "maybe",
    }
    with pytest.raises(SubmissionInvalid) as invalid:
        submit(owner, template, case, answers)
    errors = invalid.value.by_path
    assert set(errors) == {"case_number", "household_size", "members[2].member_name", "members[2].member_age", "safe"}
    assert errors["members[2].member_age"] == ["An age from 0 to 119."]
    assert errors["safe"] == ["maybe is not one of the choices."]
    assert not Submission.objects.exists()

    draft = save_submission(acting_user=owner, template=template, answers=answers, complete=False, case=case)
    assert draft.status == "draft" and draft.answers["household_size"] == "two"  # kept as typed
    answers |= {"case_number": case.reference, "household_size": 2, "safe": "yes"}
    answers["members"][1] = {"member_name": "Noor", "member_age": 4}
    done = save_submission(
        acting_user=owner, template=template, answers=answers, complete=True, case=case, draft=draft, version=1
    )
    assert done.pk == draft.pk and done.status == "complete" and done.scores == {"score_safety": 1}
    assert done.person == case.person and done.answers["members"][1]["member_age"] == 4
    stored = Submission.objects.filter(pk=done.pk).values_list("sealed_answers", flat=True).get()
    assert "Noor" in done.answers["members"][1]["member_name"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_answers FROM cases_submission WHERE id = %s", [done.pk.hex])
        raw = cursor.fetchone()[0]
    assert stored and "Noor" not in raw  # sealed at rest


def test_completing_the_required_form_unlocks_the_workflow_step(domv, owner, case):
    with pytest.raises(TransitionRefused, match="not completed"):
        actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    save_submission(acting_user=owner, template=domv.template, answers={}, complete=False, case=case)
    assert "vulnerability_domv" not in assessment_queries.completed_forms(case)  # a draft completes nothing
    submit(owner, domv.template, case, domv_answers(age=("risk", 2)))
    assert assessment_queries.completed_forms(case) == {"vulnerability_domv"}
    moved = actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    assert moved.state == "assessed"


def test_a_closed_or_invisible_case_takes_no_submission(domv, owner, far_colleague, case):
    with pytest.raises(PermissionDenied):
        submit(far_colleague, domv.template, case, domv_answers(age=("risk", 2)))
    actions.close_case(case=case, acting_user=owner, reason="withdrew")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        submit(owner, domv.template, case, domv_answers(age=("risk", 2)))


# --- vulnerability (DoMV) -----------------------------------------------------------------------------------


def test_a_domv_form_records_the_factors_and_a_second_person_reviews_the_determination(
    domv, owner, colleague, case, programme, admin
):
    first = submit(
        owner,
        domv.template,
        case,
        domv_answers(
            age=("risk", 3),
            personal_history=("risk", 3),
            literacy_education=("protective", 1),
            family_size=("neutral", None),
        ),
    )
    assessment = VulnerabilityAssessment.objects.get(case=case)
    assert assessment.submission == first and assessment.score == 5  # 3 + 3 - 1
    ratings = {r.factor_id: (r.level, r.kind, r.severity) for r in assessment.factors.all()}
    assert ratings == {
        "age": ("individual", "risk", 3),
        "personal_history": ("individual", "risk", 3),
        "literacy_education": ("individual", "protective", 1),
        "family_size": ("household", "neutral", None),
    }
    set_vulnerability_bands(
        programme=programme,
        bands=[{"code": "low", "label": "Low", "from": None}, {"code": "high", "label": "High", "from": 4}],
        acting_user=admin,
    )
    determination = determine_vulnerability(
        case=case, band="high", rationale="Prior abuse, no support.", acting_user=owner
    )
    assert (determination.suggested_band, determination.status, determination.bands.number) == ("high", "pending", 1)
    assert determination.submission == first
    with pytest.raises(ValidationError, match="Someone other"):
        review_determination(determination=determination, confirm=True, acting_user=owner)
    with pytest.raises(ValidationError):
        review_determination(determination=determination, confirm=False, acting_user=colleague)  # no note
    confirmed = review_determination(determination=determination, confirm=True, acting_user=colleague)
    assert (confirmed.status, confirmed.reviewed_by) == ("confirmed", colleague)

    again = submit(owner, domv.template, case, domv_answers(age=("risk", 1)), supersedes=first)
    first.refresh_from_db()
    assert first.replaced_at is not None and again.supersedes == first
    current = VulnerabilityAssessment.objects.current().get(case=case)
    assert current.submission == again and current.supersedes == assessment and current.score == 1
    redone = determine_vulnerability(case=case, band="low", rationale="Better now.", acting_user=colleague)
    history = list(VulnerabilityDetermination.objects.filter(case=case).order_by("determined_at"))
    assert history == [determination, redone] and redone.supersedes == determination
    determination.refresh_from_db()
    assert determination.replaced_at is not None and determination.status == "confirmed"
    with pytest.raises(ValidationError, match="later determination"):
        review_determination(determination=determination, confirm=True, acting_user=owner)


def test_factors_are_checked_and_named(owner, case):
    with pytest.raises(ValidationError) as refused:
        record_assessment(
            acting_user=owner,
            case=case,
            assessed_on=timezone.localdate(),
            factors=[
                FactorInput("age", "risk", 5),
                FactorInput("no_such", "risk", 1),
                FactorInput("sex", "neutral", 2),
            ],
        )
    assert set(refused.value.message_dict) == {"factors.age", "factors.no_such", "factors.sex"}
    assert not VulnerabilityAssessment.objects.exists()


def test_community_and_structural_context_is_recorded_once_and_shown_on_every_case_there(
    operation, office, owner, new_case
):
    country = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    province = AdminArea.objects.create(country="IQ", level=1, pcode="IQ01", name="Ninewa", parent=country)
    district = AdminArea.objects.create(country="IQ", level=2, pcode="IQ0101", name="Sinjar", parent=province)
    elsewhere = AdminArea.objects.create(country="IQ", level=1, pcode="IQ02", name="Basra", parent=country)
    people = [register_person(operation, office, name) for name in ("Amal", "Noor", "Sami")]
    for person, area in zip(people, (district, district, elsewhere), strict=True):
        person.admin_area = area
        person.save(update_fields=["admin_area"])
    cases = [new_case(person) for person in people]

    community = record_assessment(
        acting_user=owner,
        operation=operation,
        admin_area=province,
        assessed_on=timezone.localdate(),
        factors=[FactorInput("social_networks", "protective", 2), FactorInput("access_to_services", "risk", 3)],
    )
    structural = record_assessment(
        acting_user=owner,
        operation=operation,
        country="iq",
        assessed_on=timezone.localdate(),
        factors=[FactorInput("conflict", "risk", 3)],
    )
    assert structural.country == "IQ" and community.score == 1
    assert assessment_queries.case_context(cases[0]) == [community, structural]  # the nearest place first
    assert assessment_queries.case_context(cases[1]) == [community, structural]
    assert assessment_queries.case_context(cases[2]) == [structural]
    with pytest.raises(ValidationError):  # a place has no individual factors
        record_assessment(
            acting_user=owner,
            operation=operation,
            admin_area=province,
            assessed_on=timezone.localdate(),
            factors=[FactorInput("age", "risk", 1)],
        )
    newer = record_assessment(
        acting_user=owner,
        operation=operation,
        admin_area=province,
        assessed_on=timezone.localdate(),
        factors=[FactorInput("access_to_services", "risk", 1)],
    )
    community.refresh_from_db()
    assert community.replaced_at is not None and newer.supersedes == community
    assert assessment_queries.case_context(cases[0]) == [newer, structural]


# --- RSS ----------------------------------------------------------------------------------------------------


def test_rss_scores_use_the_programme_weights_in_force_and_keep_their_version(admin, operation, owner, case, programme):
    template = upload_form(acting_user=admin, operation=operation, filename="rss.xlsx", content=RSS).template
    first = submit(owner, template, case, rss_answers("2025-01-10", "very_dissatisfied"))
    score = RssScore.objects.get(submission=first)
    assert score.weights.number == 1 and "Unweighted" in score.weights.source
    economic = round((0 + 1 + 1 + 1 + 1 + 0) / 6, 3)
    social = round((1 + 0.67 + 0 + 1 + 1 + 0.33) / 6, 3)  # no school-age children: education does not count
    psychosocial = round((0.67 + 1 + 0.67 + 0.67 + 0.33 + 1 + 1 + 0.5) / 8, 3)
    assert (score.economic, score.social, score.psychosocial) == (economic, social, psychosocial)
    assert score.composite == round((economic + social + psychosocial) / 3, 3)
    assert score.composite == first.scores["score_composite"]  # the form's own reading agrees, unweighted

    weights = {**score.weights.weights, "dimensions": {"economic": 2, "social": 1, "psychosocial": 1}}
    with pytest.raises(ValidationError) as refused:
        set_rss_weights(programme=programme, weights=weights, source="", acting_user=admin)
    assert "source" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        set_rss_weights(programme=programme, weights=weights, source="annex 4", acting_user=owner)
    second_weights = set_rss_weights(programme=programme, weights=weights, source="Handbook annex 4", acting_user=admin)
    assert second_weights.number == 2
    later = submit(owner, template, case, rss_answers("2025-07-10", "very_satisfied", wave="follow_up"))
    later_score = RssScore.objects.get(submission=later)
    assert later_score.weights == second_weights
    assert later_score.economic == round(5 / 6, 3)
    assert later_score.composite == round((2 * later_score.economic + social + psychosocial) / 4, 3)
    score.refresh_from_db()
    assert score.weights.number == 1  # kept
    assert [s.surveyed_on.isoformat() for s in assessment_queries.rss_scores(case=case)] == ["2025-01-10", "2025-07-10"]


# --- imports from KoboToolbox -------------------------------------------------------------------------------


def test_a_kobo_export_imported_twice_adds_nothing_twice_and_an_edit_supersedes(admin, operation, owner, new_case):
    template = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT).template
    first, second = new_case(), new_case()
    restricted = new_case(sensitivity=Sensitivity.RESTRICTED)
    rows = [
        {"_uuid": "u1", "case_number": first.reference, "household_size": "3", "safe": "yes"},
        {"_uuid": "u2", "case_number": second.reference.lower(), "household_size": "1", "safe": "no"},
        {"_uuid": "u3", "case_number": "PDA-2020-999999", "household_size": "1", "safe": "no"},
        {"_uuid": "u4", "case_number": first.reference, "household_size": "lots", "safe": "no"},
        {"_uuid": "u5", "case_number": restricted.reference, "household_size": "1", "safe": "no"},
    ]
    done = form_imports.upload_form_import(
        acting_user=admin, template=template, filename="visit.csv", content=kobo_csv(rows), link_field="case_number"
    )
    counts = done.counts
    assert (counts["created"], counts["unchanged"], counts["invalid"], counts["not_linked"]) == (2, 0, 1, 2)
    outcomes = {row["key"]: row for row in done.results}
    assert outcomes["u4"]["messages"] == ["household_size: Enter a whole number."]
    assert "no case numbered PDA-2020-999999" in outcomes["u3"]["messages"][0]
    assert "no case numbered" in outcomes["u5"]["messages"][0]  # the administrator is not named on it
    imported = Submission.objects.get(source_key="u1")
    assert (imported.case, imported.source, imported.answers["household_size"]) == (first, SubmissionSource.IMPORT, 3)

    again = form_imports.upload_form_import(
        acting_user=admin, template=template, filename="visit.csv", content=kobo_csv(rows), link_field="case_number"
    )
    assert (again.counts["created"], again.counts["unchanged"], again.counts["updated"]) == (0, 2, 0)
    assert Submission.objects.count() == 2

    rows[0]["household_size"] = "4"  # edited in Kobo: same submission ID
    edited = form_imports.upload_form_import(
        acting_user=admin, template=template, filename="visit.csv", content=kobo_csv(rows), link_field="case_number"
    )
    assert (edited.counts["created"], edited.counts["updated"], edited.counts["unchanged"]) == (0, 1, 1)
    newest = Submission.objects.current().get(source_key="u1")
    assert newest.answers["household_size"] == 4 and newest.supersedes == imported
    imported.refresh_from_db()
    assert imported.replaced_at is not None
    assert "visit" in assessment_queries.completed_forms(first)


def test_a_kobo_import_refuses_a_field_the_form_does_not_have(admin, operation):
    template = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT).template
    with pytest.raises(ValidationError) as refused:
        form_imports.upload_form_import(
            acting_user=admin, template=template, filename="v.csv", content=b"_uuid;x\n1;2\n", link_field="nope"
        )
    assert "link_field" in refused.value.message_dict


# --- who sees submissions -----------------------------------------------------------------------------------


def test_submissions_are_seen_by_the_case_rule(domv, owner, colleague, far_colleague, outsider, new_case):
    normal, restricted = new_case(), new_case(sensitivity=Sensitivity.RESTRICTED)
    on_normal = submit(owner, domv.template, normal, domv_answers(age=("risk", 1)))
    on_restricted = submit(owner, domv.template, restricted, domv_answers(age=("risk", 2)))

    def seen(user) -> set:
        return set(Submission.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(owner) == {on_normal.pk, on_restricted.pk}
    assert seen(colleague) == {on_normal.pk}  # same office, not named on the restricted case
    assert seen(far_colleague) == set()  # another office
    assert seen(outsider) == set()
    actions.grant_access(case=restricted, user=colleague, acting_user=owner, reason="second caseworker")
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert seen(colleague) == {on_normal.pk, on_restricted.pk}


def test_a_large_export_is_imported_by_a_background_job(
    admin, operation, new_case, monkeypatch, django_capture_on_commit_callbacks
):
    from passage.core.models import Job

    template = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT).template
    case = new_case()
    monkeypatch.setattr(form_imports, "RUN_AT_ONCE_BYTES", 10)
    rows = [{"_uuid": "j1", "case_number": case.reference, "household_size": "2", "safe": "yes"}]
    with django_capture_on_commit_callbacks(execute=True):
        queued = form_imports.upload_form_import(
            acting_user=admin, template=template, filename="visit.csv", content=kobo_csv(rows), link_field="case_number"
        )
    job = Job.objects.get(pk=queued.job_id)
    queued.refresh_from_db()
    assert (job.kind, job.state, job.counts.get("created")) == ("cases.form_import", "succeeded", 1)
    assert (queued.state, queued.counts["created"]) == ("done", 1)
    assert Submission.objects.get().case == case
