"""What the assessment tests share: a workflow whose step requires the DoMV form, the sample forms as uploaded,
a small monitoring form with a repeat and the case number, and answers of the DoMV and RSS forms."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone

from passage.cases.assessment_actions import save_submission
from passage.cases.models import Submission
from passage.cases.xlsform.library.build import LIBRARY, xlsform_bytes

WORKFLOW = """
code: test_assessed
version: 1
name: Assessed (test)
programme_types: [protection]
states:
  intake: {kind: initial, label: Intake}
  assessed: {label: Assessed}
  closed: {kind: final, label: Closed}
transitions:
  assess:
    from: intake
    to: assessed
    roles: [caseworker]
    requires: {forms: [vulnerability_domv]}
  close:
    from: "*"
    to: closed
    roles: [caseworker, administrator]
    requires: {reason: true}
"""
DOMV = (LIBRARY / "vulnerability_domv.xlsx").read_bytes()
RSS = (LIBRARY / "rss.xlsx").read_bytes()

# A small form with a repeat, a constraint and the case number (for imports).
VISIT_SURVEY = [
    {"type": "text", "name": "case_number", "label": "Case number", "required": "yes"},
    {"type": "integer", "name": "household_size", "label": "People in the household", "required": "yes"},
    {"type": "begin_repeat", "name": "members", "label": "Member"},
    {"type": "text", "name": "member_name", "label": "Name", "required": "yes"},
    {
        "type": "integer",
        "name": "member_age",
        "label": "Age",
        "constraint": ". >= 0 and . < 120",
        "constraint_message": "An age from 0 to 119.",
    },
    {"type": "end_repeat"},
    {"type": "select_one yn", "name": "safe", "label": "Feels safe?", "required": "yes"},
    {"type": "calculate", "name": "score_safety", "calculation": "if(${safe} = 'yes', 1, 0)"},
]
VISIT_CHOICES = [{"list_name": "yn", "name": "yes", "label": "Yes"}, {"list_name": "yn", "name": "no", "label": "No"}]
VISIT = xlsform_bytes(
    VISIT_SURVEY, VISIT_CHOICES, {"form_title": "Monitoring visit", "form_id": "visit", "version": "1"}
)


def domv_answers(**factors: tuple[str, int | None]) -> dict[str, Any]:
    """Answers of the DoMV form rating the given factors: code=(polarity, severity)."""
    levels = sorted({"individual" if code in INDIVIDUAL else "household" for code in factors}) or ["individual"]
    answers: dict[str, Any] = {"assessment_date": timezone.localdate().isoformat(), "levels": levels}
    for code, (polarity, severity) in factors.items():
        answers[f"{code}_polarity"] = polarity
        if severity is not None:
            answers[f"{code}_severity"] = str(severity)
    for level in levels:  # the form requires every factor of a level assessed: the others "not assessed"
        for code in INDIVIDUAL if level == "individual" else HOUSEHOLD:
            answers.setdefault(f"{code}_polarity", "not_assessed")
    return answers


INDIVIDUAL = [
    "age", "sex", "gender_identity", "sexual_orientation", "race_ethnicity_nationality", "personal_history",
    "mental_health", "physical_health", "literacy_education", "access_to_resources", "skills_knowledge",
    "migration_status",
]  # fmt: skip
HOUSEHOLD = [
    "family_size", "household_structure", "socioeconomic_status", "family_migration_history",
    "employment_livelihoods", "household_education", "gender_discrimination", "family_dynamics",
]  # fmt: skip


def submit(user, template, case, answers, **options) -> Submission:
    return save_submission(acting_user=user, template=template, answers=answers, complete=True, case=case, **options)


def rss_answers(when: str, economic: str, **more: str) -> dict[str, Any]:
    answers = {
        "wave": "baseline",
        "survey_date": when,
        "econ_satisfaction": economic,
        "econ_food": "never",
        "econ_borrow": "yes",
        "econ_debt": "no_debt",
        "econ_work": "yes",
        "econ_assets": "no",
        "soc_housing_access": "yes",
        "soc_housing_standard": "good",
        "soc_education": "no_children",
        "soc_justice": "no",
        "soc_documents": "yes",
        "soc_water": "yes",
        "soc_health": "poor",
        "psy_activities": "sometimes",
        "psy_support": "yes",
        "psy_belonging": "agree",
        "psy_discrimination": "rarely",
        "psy_distress": "sometimes",
        "psy_wish_support": "no",
        "psy_safety": "yes",
        "psy_remigrate": "unsure",
    }
    return answers | more


def kobo_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
