"""Checking a submission against its form: relevance, required, constraints, calculations, repeats, scores."""

from __future__ import annotations

import datetime as dt

import pytest

from passage.cases.xlsform.library import domv, rss
from passage.cases.xlsform.library.build import form_bytes, xlsform_bytes
from passage.cases.xlsform.reader import FormReadError, read_xlsform
from passage.cases.xlsform.submission import evaluate, initial_answers, with_metadata

EN, AR = "English (en)", "Arabic (ar)"
TODAY = dt.date(2025, 6, 1)


def _form(survey, choices=(), settings=None):
    return read_xlsform(xlsform_bytes(survey, choices, settings or {"form_id": "t", "default_language": EN}))


def _errors(evaluation):
    return {error.path: error.message(EN, EN) for error in evaluation.errors}


@pytest.fixture(scope="module")
def household():
    survey = [
        {"type": "integer", "name": "age", f"label::{EN}": "Age", "required": "yes", "constraint": ". >= 0 and . < 130",
         f"constraint_message::{EN}": "Age is 0 to 129.", f"constraint_message::{AR}": "العمر من 0 إلى 129."},
        {"type": "select_one yn", "name": "works", f"label::{EN}": "Works?", "relevant": "${age} >= 15",
         "required": "yes", f"required_message::{EN}": "Say whether the person works."},
        {"type": "begin_group", "name": "job", f"label::{EN}": "Job", "relevant": "${works} = 'yes'"},
        {"type": "text", "name": "employer", f"label::{EN}": "Employer", "required": "yes"},
        {"type": "decimal", "name": "wage", f"label::{EN}": "Wage", "constraint": ". > 0"},
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "household_members", f"label::{EN}": "Member"},
        {"type": "text", "name": "member_name", f"label::{EN}": "Name", "required": "yes"},
        {"type": "integer", "name": "member_age", f"label::{EN}": "Age", "constraint": ". <= ${age} + 60"},
        {"type": "calculate", "name": "number", "calculation": "position(..)"},
        {"type": "calculate", "name": "is_child", "calculation": "if(${member_age} < 18, 1, 0)"},
        {"type": "select_multiple need", "name": "member_needs", f"label::{EN}": "Needs",
         "relevant": "${member_age} != ''"},
        {"type": "end_repeat"},
        {"type": "calculate", "name": "children", "calculation": "sum(${is_child})"},
        {"type": "calculate", "name": "size", "calculation": "count(${household_members}) + 1"},
        {"type": "calculate", "name": "score_dependency", "calculation": "${children} div ${size}"},
        {"type": "date", "name": "seen", f"label::{EN}": "Seen", "constraint": ". <= today()"},
        {"type": "geopoint", "name": "point", f"label::{EN}": "Point"},
        {"type": "time", "name": "at", f"label::{EN}": "At"},
        {"type": "dateTime", "name": "moment", f"label::{EN}": "Moment"},
    ]  # fmt: skip
    choices = [
        {"list_name": "yn", "name": "yes", f"label::{EN}": "Yes"},
        {"list_name": "yn", "name": "no", f"label::{EN}": "No"},
        {"list_name": "need", "name": "food", f"label::{EN}": "Food"},
        {"list_name": "need", "name": "school", f"label::{EN}": "School"},
    ]
    settings = {"form_id": "household", "default_language": EN, "instance_name": "concat('Household of ', ${size})"}
    return _form(survey, choices, settings)


def test_a_complete_household_is_kept_with_its_calculations(household):
    answers = {
        "age": "40",
        "works": "yes",
        "employer": "Bakery",
        "wage": "120.5",
        "household_members": [
            {"member_name": "Sara", "member_age": "9", "member_needs": ["school", "food"]},
            {"member_name": "Omar", "member_age": 45},
        ],
        "seen": "2025-05-30",
        "point": "33.3128 44.3615",
        "at": "09:30",
        "moment": "2025-05-30T09:30:00+03:00",
    }
    evaluation = evaluate(household, answers, today=TODAY)
    assert evaluation.ok, _errors(evaluation)
    assert evaluation.values == {
        "age": 40,
        "works": "yes",
        "employer": "Bakery",
        "wage": 120.5,
        "household_members": [
            {"member_name": "Sara", "member_age": 9, "number": 1, "is_child": 1, "member_needs": ["school", "food"]},
            {"member_name": "Omar", "member_age": 45, "number": 2, "is_child": 0},
        ],
        "children": 1,
        "size": 3,
        "score_dependency": 1 / 3,
        "seen": "2025-05-30",
        "point": "33.3128 44.3615 0 0",
        "at": "09:30",
        "moment": "2025-05-30T09:30:00+03:00",
    }
    assert evaluation.scores == {"score_dependency": 1 / 3}
    assert evaluation.instance_name == "Household of 3"
    assert evaluation.calculated["household_members[2].number"] == 2


def test_irrelevant_answers_are_dropped_and_never_required(household):
    evaluation = evaluate(household, {"age": "10", "works": "yes", "employer": "Bakery"}, today=TODAY)
    assert evaluation.ok, _errors(evaluation)
    assert "works" not in evaluation.values and "employer" not in evaluation.values
    assert evaluation.relevant["works"] is False
    assert evaluation.relevant["job"] is False
    assert evaluation.relevant["employer"] is False  # inside an irrelevant group


def test_required_where_relevant_with_the_forms_message(household):
    evaluation = evaluate(household, {"age": "30"}, today=TODAY)
    assert _errors(evaluation) == {"works": "Say whether the person works."}
    evaluation = evaluate(household, {"age": "30", "works": "yes"}, today=TODAY)
    assert _errors(evaluation) == {"employer": "This field is required."}
    assert evaluation.required["employer"] is True


def test_constraints_speak_the_users_language(household):
    evaluation = evaluate(household, {"age": "200", "works": "no"}, today=TODAY)
    (error,) = evaluation.errors
    assert (error.path, error.code) == ("age", "constraint")
    assert error.message("ar", EN) == "العمر من 0 إلى 129."
    assert error.message("fr", EN) == "Age is 0 to 129."
    evaluation = evaluate(household, {"age": "30", "works": "yes", "employer": "X", "wage": "-1"}, today=TODAY)
    assert _errors(evaluation) == {"wage": "This answer is not allowed by the form's rule."}


def test_constraints_are_not_checked_on_empty_answers(household):
    assert evaluate(household, {"age": "30", "works": "no", "seen": ""}, today=TODAY).ok


def test_wrong_types_are_named_by_path(household):
    answers = {
        "age": "forty",
        "household_members": [{"member_name": "A"}, {"member_name": "B", "member_age": "1.5"}],
        "seen": "2025-13-01",
        "point": "95 44",
        "at": "25:00",
        "moment": "yesterday",
    }
    errors = _errors(evaluate(household, answers, today=TODAY))
    assert errors == {
        "age": "Enter a whole number.",
        "household_members[2].member_age": "Enter a whole number.",
        "seen": "Enter a date as YYYY-MM-DD.",
        "point": "Enter a location as latitude (-90 to 90) and longitude (-180 to 180).",
        "at": "Enter a time as HH:MM.",
        "moment": "Enter a date and time as YYYY-MM-DDTHH:MM.",
    }


def test_choices_must_be_in_the_list(household):
    answers = {"age": "30", "works": "maybe", "household_members": [{"member_name": "A", "member_age": 3,
               "member_needs": "food cake"}]}  # fmt: skip
    errors = _errors(evaluate(household, answers, today=TODAY))
    assert errors == {
        "works": "maybe is not one of the choices.",
        "household_members[1].member_needs": "cake is not one of the choices.",
    }


def test_repeat_errors_and_constraints_read_the_outer_answers(household):
    answers = {
        "age": "20",
        "works": "no",
        "household_members": [{"member_age": "5"}, {"member_name": "Old", "member_age": "90"}],
    }
    errors = _errors(evaluate(household, answers, today=TODAY))
    assert errors == {
        "household_members[1].member_name": "This field is required.",
        "household_members[2].member_age": "This answer is not allowed by the form's rule.",
    }


def test_future_dates_are_refused_against_today(household):
    evaluation = evaluate(household, {"age": "20", "works": "no", "seen": "2025-06-02"}, today=TODAY)
    assert [error.path for error in evaluation.errors] == ["seen"]


def test_unknown_fields_and_groups_given_nested(household):
    evaluation = evaluate(
        household, {"age": "30", "works": "yes", "job": {"employer": "X"}, "colour": "red"}, today=TODAY
    )
    assert _errors(evaluation) == {"colour": "This is not a field of this form."}
    assert evaluation.values["employer"] == "X"


def test_a_score_is_empty_when_its_calculation_cannot_be_made(household):
    evaluation = evaluate(
        household, {"age": "30", "works": "no", "household_members": [{"member_name": "A"}]}, today=TODAY
    )
    assert evaluation.ok
    assert evaluation.scores == {"score_dependency": 0}  # sum of "no child" is 0, not empty
    form = _form(
        [
            {"type": "integer", "name": "n", "label": "N"},
            {"type": "calculate", "name": "score_n", "calculation": "${n} * 2"},
        ]
    )
    assert evaluate(form, {}).scores == {"score_n": None}


def test_repeat_count_sets_the_number_of_instances():
    form = _form(
        [
            {"type": "integer", "name": "children", "label": "Children"},
            {"type": "begin_repeat", "name": "child", "label": "Child", "repeat_count": "${children}"},
            {"type": "text", "name": "child_name", "label": "Name", "required": "yes"},
            {"type": "end_repeat"},
        ]
    )
    evaluation = evaluate(form, {"children": "2", "child": [{"child_name": "A"}]})
    assert evaluation.repeat_sizes == {"child": 2}
    assert _errors(evaluation) == {"child[2].child_name": "This field is required."}
    evaluation = evaluate(form, {"children": "1", "child": [{"child_name": "A"}, {"child_name": "B"}]})
    assert evaluation.values == {"children": 1, "child": [{"child_name": "A"}]}


def test_nested_repeats_and_indexed_repeat():
    form = _form(
        [
            {"type": "begin_repeat", "name": "visit", "label": "Visit"},
            {"type": "integer", "name": "visit_cost", "label": "Cost"},
            {"type": "calculate", "name": "previous_cost", "calculation":
                "if(position(..) > 1, indexed-repeat(${visit_cost}, ${visit}, position(..) - 1), 0)"},
            {"type": "begin_repeat", "name": "item", "label": "Item"},
            {"type": "integer", "name": "item_cost", "label": "Item cost", "constraint": ". <= ${visit_cost}"},
            {"type": "end_repeat"},
            {"type": "calculate", "name": "items_total", "calculation": "sum(${item_cost})"},
            {"type": "end_repeat"},
            {"type": "calculate", "name": "all_items", "calculation": "sum(${item_cost})"},
        ]
    )  # fmt: skip
    answers = {
        "visit": [
            {"visit_cost": 10, "item": [{"item_cost": 4}, {"item_cost": 5}]},
            {"visit_cost": 3, "item": [{"item_cost": 7}]},
        ]
    }
    evaluation = evaluate(form, answers)
    assert _errors(evaluation) == {"visit[2].item[1].item_cost": "This answer is not allowed by the form's rule."}
    assert evaluation.calculated["visit[1].items_total"] == 9
    assert evaluation.calculated["visit[2].items_total"] == 7
    assert evaluation.calculated["visit[2].previous_cost"] == 10
    assert evaluation.calculated["all_items"] == 16


def test_choice_filter_limits_the_choices():
    form = read_xlsform(form_bytes("protection_intake"))
    base = {"intake_date": "2025-01-02", "consent": "yes", "full_name": "A", "sex": "female", "age": 30,
            "governorate": "gov_a", "needs": ["food"], "safety_risk": "none"}  # fmt: skip
    assert evaluate(form, {**base, "district": "gov_a_2"}, today=TODAY).ok
    evaluation = evaluate(form, {**base, "district": "gov_b_1"}, today=TODAY)
    assert _errors(evaluation) == {"district": "gov_b_1 is not one of the choices."}
    assert evaluation.choices["district"] == ["gov_a_1", "gov_a_2"]


def test_defaults_start_a_new_submission():
    form = read_xlsform(form_bytes("protection_intake"))
    assert initial_answers(form, today=TODAY) == {"intake_date": "2025-06-01"}


def test_domv_scores_net_risk_per_level():
    form = read_xlsform(form_bytes("vulnerability_domv"))
    answers = {"assessment_date": "2025-05-01", "levels": "individual household"}
    for code, *_ in domv.LEVELS["individual"][1]:
        answers[f"{code}_polarity"] = "neutral"
    answers.update({"age_polarity": "risk", "age_severity": "3", "age_note": "Unaccompanied child"})
    answers.update({"sex_polarity": "protective", "sex_severity": "1", "literacy_education_polarity": "risk",
                    "literacy_education_severity": "2", "mental_health_severity": "3"})  # fmt: skip
    for code, *_ in domv.LEVELS["household"][1]:
        answers[f"{code}_polarity"] = "not_assessed"
    answers.update({"family_dynamics_polarity": "risk", "family_dynamics_severity": "3"})
    evaluation = evaluate(form, answers, today=TODAY)
    assert evaluation.ok, _errors(evaluation)
    assert evaluation.scores == {
        "score_individual": 3 - 1 + 2,
        "score_household": 3,
        "score_community": None,  # not assessed
        "score_structural": None,
        "score_total": 7,
    }
    assert "mental_health_severity" not in evaluation.values  # neutral: no severity kept
    assert evaluation.instance_name == "DoMV 2025-05-01 · 7"


def test_domv_risk_needs_a_severity():
    form = read_xlsform(form_bytes("vulnerability_domv"))
    answers = {"assessment_date": "2025-05-01", "levels": ["structural"]}
    for code, *_ in domv.LEVELS["structural"][1]:
        answers[f"{code}_polarity"] = "risk"
        answers[f"{code}_severity"] = "2"
    del answers["conflict_severity"]
    assert _errors(evaluate(form, answers, today=TODAY)) == {"conflict_severity": "This field is required."}


def test_rss_dimension_and_composite_scores():
    form = read_xlsform(form_bytes("rss"))
    answers = {"wave": "baseline", "survey_date": "2025-05-01", "return_date": "2024-11-01"}
    best = {name: next(choice for choice, value in values.items() if value == "1")
            for _, (_, items) in rss.DIMENSIONS.items() for name, _, _, _, values in items}  # fmt: skip
    answers.update(best)
    answers.update({"econ_food": "sometimes", "econ_borrow": "no", "soc_education": "no_children"})
    evaluation = evaluate(form, answers, today=TODAY)
    assert evaluation.ok, _errors(evaluation)
    economic = round((1 + 0.33 + 0 + 1 + 1 + 1) / 6, 3)
    social = round(6 / 6, 3)  # school does not apply: it weighs nothing
    assert evaluation.scores["score_economic"] == economic
    assert evaluation.scores["score_social"] == social
    assert evaluation.scores["score_psychosocial"] == 1
    assert evaluation.scores["score_composite"] == round((economic + social + 1) / 3, 3)
    assert evaluation.values["months_since_return"] == 5


def test_htcds_screening_needs_consent_first():
    form = read_xlsform(form_bytes("htcds_screening"))
    assert evaluate(form, {"con_Consent": "no", "prs_Gender": "Feminine"}).values == {"con_Consent": "no"}
    answers = {"con_Consent": "yes", "prs_Gender": "Feminine", "prs_Age": 19, "prs_Citizenship": "ET SO",
               "vic_TraffickingStatus": "PossibleVictimOfTrafficking", "vic_AgeWhenTrafficked": 16,
               "vic_MethodsOfControl": "DebtBondage WithholdsDocuments", "vic_TypeOfExploitation": "ForcedLabour",
               "vic_ForcedLabourIndustry": "A", "ras_HouseholdIncomeRisk": "yes",
               "hte_Events": [{"hte_Type": "Recruitment", "hte_Date": "2023-02-01"},
                              {"hte_Type": "Exploitation"}]}  # fmt: skip
    evaluation = evaluate(form, answers, today=TODAY)
    assert evaluation.ok, _errors(evaluation)
    assert evaluation.scores == {"score_risk_flags": 1, "score_control_methods": 2}
    assert evaluation.values["hte_Count"] == 2
    assert evaluation.values["vic_WasChild"] == "true"
    bad = {**answers, "prs_Citizenship": "Ethiopia", "vic_AgeWhenTrafficked": 25}
    assert set(_errors(evaluate(form, bad, today=TODAY))) == {"prs_Citizenship", "vic_AgeWhenTrafficked"}


def test_english_messages_can_be_translated_by_the_caller(household):
    (error,) = evaluate(household, {"age": "1e9"}).errors
    assert error.message(translate=lambda text: text.replace("Enter", "Saisissez")) == "Saisissez a whole number."
    (error,) = evaluate(household, {"age": "99999999999"}).errors
    assert error.text == "Enter a whole number between %(min)s and %(max)s."
    assert error.message() == "Enter a whole number between -2147483647 and 2147483647."


def test_metadata_is_filled_as_collect_would():
    form = read_xlsform(form_bytes("protection_intake"))
    started = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
    answers = with_metadata(form, {"consent": "no"}, username="caseworker1", started=started,
                            now=started + dt.timedelta(minutes=5))  # fmt: skip
    assert answers == {"consent": "no", "today": "2025-06-01", "username": "caseworker1"}
    assert evaluate(form, answers, today=TODAY).values == answers
    kept = with_metadata(form, {"username": "enumerator7"}, username="caseworker1", started=started)
    assert kept["username"] == "enumerator7"


def test_read_only_as_an_expression_is_refused():
    survey = [{"type": "integer", "name": "a", "label": "A", "read_only": "${b} > 1"},
              {"type": "integer", "name": "b", "label": "B"}]  # fmt: skip
    with pytest.raises(FormReadError, match="read_only as an expression"):
        _form(survey)
