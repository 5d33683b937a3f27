"""The sample XLSForm library: a form for every code the shipped workflows name, each accepted by the upload
check without an unsupported feature, and each .xlsx beside it built from its Python module as it now stands."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from passage.cases.assessment_actions import upload_form
from passage.cases.workflows.shipped import shipped_workflows
from passage.cases.xlsform.library.build import LIBRARY, form_bytes, library_forms
from passage.cases.xlsform.reader import check_xlsform
from passage.cases.xlsform.submission import Evaluation, evaluate
from passage.core.tests.factories import member_of

LIBRARY_CODES = sorted(library_forms())


def _workflow_form_codes() -> set[str]:
    codes: set[str] = set()
    registry = shipped_workflows()
    for code in registry.codes():
        workflow = registry.latest(code)
        for transition in workflow.transitions:
            codes |= set(transition.requires.forms)
        codes |= {action.form for state in workflow.states for action in state.on_entry if action.form}
    return codes


def _sheets(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_every_form_a_shipped_workflow_names_is_in_the_library():
    named = _workflow_form_codes()
    assert len(named) > 20
    assert sorted(named - set(LIBRARY_CODES)) == []
    assert all((LIBRARY / f"{code}.xlsx").is_file() for code in named)


@pytest.mark.parametrize("code", LIBRARY_CODES)
def test_the_workbook_is_up_to_date_with_its_module(code):
    shipped = _sheets((LIBRARY / f"{code}.xlsx").read_bytes())
    built = _sheets(form_bytes(code))
    assert list(shipped) == list(built)
    for title, rows in built.items():
        assert shipped[title] == rows, (
            f"{code}.xlsx sheet {title} differs: run python -m passage.cases.xlsform.library.build"
        )


@pytest.mark.parametrize("code", LIBRARY_CODES)
def test_the_engine_reads_the_form_under_its_code(code):
    form, problems = check_xlsform(LIBRARY / f"{code}.xlsx")
    assert [str(problem) for problem in problems if problem.refuses] == []
    assert form is not None and form.id_string == f"passage_{code}"
    assert set(form.languages) >= {"English (en)", "Arabic (ar)"}
    questions = [name for name, field in form.fields.items() if field.kind not in ("calculate", "note")]
    assert len(questions) >= 8
    empty = evaluate(form, {})
    assert not empty.ok  # every form has required questions


@pytest.mark.django_db
def test_an_administrator_uploads_the_whole_library(operation):
    admin = member_of(operation, "administrator")
    named = _workflow_form_codes()
    for code in LIBRARY_CODES:
        path = LIBRARY / f"{code}.xlsx"
        version = upload_form(acting_user=admin, operation=operation, filename=path.name, content=path.read_bytes())
        assert version.template.code == code
        assert version.form_id == f"passage_{code}"
        messages = [str(warning.get("message")) for warning in version.warnings]
        assert [message for message in messages if "no shipped workflow" in message] == []
        if code != "protection_intake":  # its image question draws pyxform's advice on max-pixels
            assert messages == []
        assert all(warning.get("severity") == "warning" for warning in version.warnings)
        assert code in named or code in {"vulnerability_domv", "rss", "htcds_screening", "protection_intake"}


def _evaluate(code: str, answers: dict[str, Any]) -> Evaluation:
    form, _problems = check_xlsform(form_bytes(code), filename=f"{code}.xlsx")
    assert form is not None
    return evaluate(form, answers)


def test_the_forms_rules_hold_as_the_domain_reads_them():
    verified = _evaluate(
        "verification_report",
        {
            "verification_date": "2026-01-02",
            "identity_confirmed": "confirmed",
            "identity_sources": "civil_registry",
            "claimant_capacity": "victim",
            "evidence_checked": [
                {"violation_category": "forced_labour", "source_archive": "national_archive", "match_result": "match"},
                {"violation_category": "forced_labour", "source_archive": "court_records", "match_result": "partial"},
            ],
            "recommendation": "verified",
            "verification_reasons": "Two archive records.",
        },
    )
    assert verified.ok and verified.scores == {"score_evidence_match": 75}

    heir = _evaluate(
        "claim_form",
        {
            "received_date": "2026-01-02",
            "channel": "post",
            "claimant_name": "Amira",
            "claimant_capacity": "heir",
            "claimant_birth_date": "1950-01-01",
            "claimant_phone": "0770",
            "victim_name": "Hassan",
            "victim_deceased": "no",
            "kinship": "child",
            "violations": [
                {"violation_category": "forced_labour", "violation_date": "1943-01-01", "violation_place": "Linz"}
            ],
            "evidence_offered": "archive_record kinship_proof",
            "pages_received": "3",
            "declaration": "yes",
        },
    )
    assert sorted(error.path for error in heir.errors) == ["claimant_phone", "victim_deceased"]
    no_violation = _evaluate(
        "claim_form",
        {
            "received_date": "2026-01-02",
            "channel": "in_person",
            "claimant_name": "Amira",
            "claimant_capacity": "victim",
            "claimant_birth_date": "1950-01-01",
            "violations": [],
            "evidence_offered": "none",
            "declaration": "yes",
        },
    )
    assert [error.path for error in no_violation.errors] == ["declaration"]

    pec = {
        "check_date": "2026-01-02",
        "departure_date": "2026-01-04",
        "people_checked": "2",
        "temperature": "38.5",
        "oxygen_saturation": "97",
        "symptoms": "fever",
        "documents_checked": "travel_document visa",
        "outcome": "cleared",
    }
    feverish = _evaluate("pre_embarkation_check", pec)
    assert feverish.scores == {"score_red_flags": 1}
    assert [error.path for error in feverish.errors] == ["clearing_physician"]
    too_early = _evaluate(
        "pre_embarkation_check", {**pec, "departure_date": "2026-01-09", "clearing_physician": "Dr Aziz"}
    )
    assert [error.path for error in too_early.errors] == ["departure_date"]

    tb = _evaluate(
        "migration_health_assessment",
        {
            "exam_date": "2026-01-02",
            "panel_physician": "Dr Aziz",
            "consent": "yes",
            "age": "30",
            "physical_exam": "normal",
            "mental_health_concern": "no",
            "cxr_result": "suggestive_tb",
            "sputum_smear": "positive",
            "sputum_culture": "pending",
            "vaccinations": "mmr",
            "presumptive_treatment": "none",
            "health_undertaking": "yes",
            "fitness": "fit",
        },
    )
    assert tb.scores == {"score_tb_concern": 2} and [error.path for error in tb.errors] == ["fitness"]
