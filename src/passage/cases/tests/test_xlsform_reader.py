"""Reading an administrator's XLSForm: what Passage runs, what it refuses (with sheet and row), what it
keeps with a warning, and the sample forms of the library."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from passage.cases.xlsform.definition import SCORE_PREFIX, definition_from_dict, definition_to_dict
from passage.cases.xlsform.library.build import LIBRARY, form_bytes, library_forms, xlsform_bytes
from passage.cases.xlsform.reader import FormReadError, check_xlsform, read_xlsform
from passage.cases.xlsform.submission import evaluate

EN, AR = "label::English (en)", "label::Arabic (ar)"
CHOICES = [
    {"list_name": "yn", "name": "yes", EN: "Yes", AR: "نعم"},
    {"list_name": "yn", "name": "no", EN: "No", AR: "لا"},
]
SETTINGS = {"form_title": "Every type", "form_id": "every_type", "version": "3", "default_language": "English (en)"}

EVERY_TYPE = [
    {"type": "start", "name": "start"},
    {"type": "text", "name": "name", EN: "Name", AR: "الاسم", "required": "yes", "hint::English (en)": "As written"},
    {"type": "integer", "name": "age", EN: "Age", AR: "العمر", "constraint": ". >= 0",
     "constraint_message::English (en)": "Not negative"},
    {"type": "decimal", "name": "income", EN: "Income", AR: "الدخل", "default": "0"},
    {"type": "date", "name": "seen", EN: "Seen on", AR: "تاريخ", "default": "today()"},
    {"type": "time", "name": "at", EN: "At", AR: "الوقت"},
    {"type": "dateTime", "name": "moment", EN: "Moment", AR: "اللحظة"},
    {"type": "select_one yn", "name": "adult", EN: "Adult?", AR: "بالغ؟", "appearance": "minimal",
     "relevant": "${age} >= 18"},
    {"type": "select_multiple yn", "name": "both", EN: "Both", AR: "كلاهما"},
    {"type": "begin_group", "name": "where", EN: "Where", AR: "أين"},
    {"type": "geopoint", "name": "point", EN: "Point", AR: "نقطة"},
    {"type": "image", "name": "photo", EN: "Photo", AR: "صورة"},
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "members", EN: "Members", AR: "الأفراد"},
    {"type": "text", "name": "member_name", EN: "Member", AR: "الفرد", "read_only": "yes"},
    {"type": "end_repeat"},
    {"type": "note", "name": "hello", EN: "Hello ${name}", AR: "مرحبا ${name}"},
    {"type": "calculate", "name": "score_age", "calculation": "${age} * 2"},
]  # fmt: skip


def test_every_supported_type_is_read_with_its_rules():
    form = read_xlsform(xlsform_bytes(EVERY_TYPE, CHOICES, SETTINGS), filename="every.xlsx")
    kinds = {name: item.kind for name, item in form.fields.items()}
    assert kinds == {
        "start": "metadata", "name": "text", "age": "integer", "income": "decimal", "seen": "date", "at": "time",
        "moment": "datetime", "adult": "select_one", "both": "select_multiple", "where": "group",
        "point": "geopoint", "photo": "image", "members": "repeat", "member_name": "text", "hello": "note",
        "score_age": "calculate",
    }  # fmt: skip
    assert (form.id_string, form.version, form.title) == ("every_type", "3", "Every type")
    assert form.default_language == "English (en)"
    assert form.languages == ("English (en)", "Arabic (ar)")
    name, age, adult = form.fields["name"], form.fields["age"], form.fields["adult"]
    assert name.required == "true()" and name.hints == {"English (en)": "As written"}
    assert name.label("ar") == "الاسم" and name.label("fr") == "Name"  # French falls back to the default language
    assert age.constraint == ". >= 0" and age.constraint_message == {"English (en)": "Not negative"}
    assert adult.relevant == "${age} >= 18" and adult.appearance == "minimal"
    assert [choice.name for choice in adult.choices] == ["yes", "no"]
    assert adult.choices[1].label("ar") == "لا"
    assert form.fields["income"].default == "0" and not form.fields["income"].dynamic_default
    assert form.fields["seen"].default == "today()" and form.fields["seen"].dynamic_default
    assert form.fields["member_name"].read_only == "true()"
    assert form.fields["member_name"].repeats == ("members",)
    assert form.fields["point"].group_path == ("where",)
    assert form.fields["photo"].xml_path == "where/photo"
    assert form.fields["score_age"].calculation == "${age} * 2"
    assert form.scores == ("score_age",)
    assert not [problem for problem in form.problems if problem.refuses]


def test_a_csv_xlsform_is_read_too():
    source = (
        "survey,type,name,label,calculation\n"
        ",integer,age,Age,\n"
        ",calculate,score_double,,${age} * 2\n"
        "settings,form_id,version\n"
        ",csv_form,1\n"
    )
    form = read_xlsform(source.encode(), filename="form.csv")
    assert form.id_string == "csv_form"
    assert evaluate(form, {"age": "4"}).scores == {"score_double": 8}


def _problems(survey, choices=CHOICES, settings=None):
    form, problems = check_xlsform(xlsform_bytes(survey, choices, settings))
    return form, [str(problem) for problem in problems]


def test_unsupported_features_are_reported_with_sheet_and_row_and_refuse_the_form():
    survey = [
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "range", "name": "pain", "label": "Pain", "parameters": "start=0 end=10"},
        {"type": "calculate", "name": "district_code", "calculation": "pulldata('places', 'code', 'name', ${age})"},
        {"type": "audio", "name": "voice", "label": "Voice"},
        {"type": "text", "name": "later", "label": "Later", "trigger": "${age}"},
        {"type": "text", "name": "pathy", "label": "Path", "relevant": "/data/age > 3"},
        {"type": "select_one_from_file places.csv", "name": "place", "label": "Place"},
    ]
    form, problems = _problems(survey)
    assert form is None
    assert "unsupported: sheet survey row 3, column 'type', type 'range': ranges (sliders) are not supported; use " \
           "integer with a constraint (field 'pain')" in problems  # fmt: skip
    assert any(
        p.startswith("unsupported: sheet survey row 4, column 'calculation', the function pulldata()") for p in problems
    )
    assert any("row 5" in p and "type 'audio'" in p for p in problems)
    assert any("row 6" in p and "column 'trigger'" in p for p in problems)
    assert any("row 7" in p and "column 'relevant'" in p and "paths" in p for p in problems)
    assert any("row 8" in p and "choices from a file" in p for p in problems)
    with pytest.raises(FormReadError) as caught:
        read_xlsform(xlsform_bytes(survey, CHOICES))
    assert len(caught.value.problems) == 6


def test_or_other_and_the_search_appearance():
    form = read_xlsform(xlsform_bytes([{"type": "select_one yn or_other", "name": "pick", "label": "Pick"}], CHOICES))
    assert [choice.name for choice in form.fields["pick"].choices] == ["yes", "no", "other"]
    assert evaluate(form, {"pick": "other", "pick_other": "maybe"}).values == {"pick": "other", "pick_other": "maybe"}
    assert evaluate(form, {"pick": "yes", "pick_other": "maybe"}).values == {"pick": "yes"}
    survey = [{"type": "select_one yn", "name": "fruit", "label": "Fruit", "appearance": "search('fruits')"}]
    form, problems = _problems(survey)
    assert form is None
    assert "unsupported: sheet survey row 2, column 'appearance', the search() appearance reads a CSV file attached " \
           "to the form on the device (field 'fruit')" in problems  # fmt: skip


def test_an_entities_sheet_is_refused():
    source = xlsform_bytes([{"type": "text", "name": "a", "label": "A"}])
    book = load_workbook(io.BytesIO(source))
    sheet = book.create_sheet("entities")
    sheet.append(["list_name", "label"])
    sheet.append(["people", "${a}"])
    out = io.BytesIO()
    book.save(out)
    form, problems = check_xlsform(out.getvalue())
    assert form is None
    assert any("entities sheet" in str(problem) and problem.severity == "unsupported" for problem in problems)


def test_what_only_changes_the_device_is_kept_with_a_warning():
    survey = [
        {"type": "text", "name": "a", "label": "A", "media::image": "a.png", "guidance_hint": "Ask slowly", "foo": "x"},
    ]
    form, problems = _problems(survey, settings={"form_id": "f", "style": "pages"})
    assert form is not None
    assert "warning: sheet survey row 2, column 'media::image', Passage ignores this column; it is kept in the XForm " \
           "for Collect (field 'a')" in problems  # fmt: skip
    assert any("column 'guidance_hint'" in p for p in problems)
    assert any("column 'foo'" in p for p in problems)
    assert any("sheet settings, column 'style'" in p for p in problems)
    assert all(problem.severity == "warning" for problem in form.problems)


@pytest.mark.parametrize(
    ("survey", "expected"),
    [
        ([{"type": "calculate", "name": "c", "label": "C"}], "error: sheet survey row 2, missing calculation."),
        ([{"type": "foo", "name": "x", "label": "X"}], "unknown question type 'foo'"),
        ([{"type": "begin_group", "name": "g", "label": "G"}, {"type": "text", "name": "a", "label": "A"}], "row 2"),
        ([{"type": "text", "name": "a", "label": "A", "relevant": "${nobody} = 1"}], "sheet survey row 2"),
        ([{"type": "text", "name": "a", "label": "A", "relevant": "${a} > (1"}],
         "error: sheet survey row 2, column 'relevant', expected ')' but found the end of the expression"),
        ([{"type": "integer", "name": "a", "label": "A", "constraint": ". > 1 1"}], "column 'constraint'"),
    ],
)  # fmt: skip
def test_broken_xlsforms_are_refused_with_a_clear_message(survey, expected):
    form, problems = _problems(survey)
    assert form is None
    assert any(expected.lower() in problem.lower() for problem in problems), problems


def test_a_file_that_is_not_an_xlsform():
    form, problems = check_xlsform(b"this is not a spreadsheet", filename="form.xlsx")
    assert form is None and problems[0].severity == "error"
    form, problems = check_xlsform(b"whatever", filename="form.pdf")
    assert form is None and ".pdf is not an XLSForm" in str(problems[0])
    with pytest.raises(FormReadError, match="empty"):
        read_xlsform(b"", filename="form.xlsx")


def test_names_must_be_unique_across_groups():
    survey = [
        {"type": "begin_group", "name": "g1", "label": "G1"},
        {"type": "text", "name": "a", "label": "A"},
        {"type": "end_group"},
        {"type": "begin_group", "name": "g2", "label": "G2"},
        {"type": "text", "name": "a", "label": "A"},
        {"type": "end_group"},
    ]
    form, problems = _problems(survey)
    assert form is None
    assert any("the name 'a' is used more than once (rows 3, 6)" in p for p in problems)


def test_calculation_cycles_are_refused():
    survey = [
        {"type": "calculate", "name": "a", "calculation": "${b} + 1"},
        {"type": "calculate", "name": "b", "calculation": "${c} + 1"},
        {"type": "integer", "name": "c", "label": "C", "relevant": "${a} > 1"},
    ]
    form, problems = _problems(survey)
    assert form is None
    assert any("cycle: a → b → c → a" in p for p in problems), problems


def test_calculations_are_ordered_by_what_they_read():
    survey = [
        {"type": "calculate", "name": "total", "calculation": "${double} + 1"},
        {"type": "calculate", "name": "double", "calculation": "${age} * 2"},
        {"type": "integer", "name": "age", "label": "Age"},
    ]
    form = read_xlsform(xlsform_bytes(survey))
    assert form.order.index("age") < form.order.index("double") < form.order.index("total")
    assert evaluate(form, {"age": 5}).values == {"age": 5, "double": 10, "total": 11}


def test_a_score_inside_a_repeat_is_refused():
    survey = [
        {"type": "begin_repeat", "name": "r", "label": "R"},
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "calculate", "name": "score_n", "calculation": "${n}"},
        {"type": "end_repeat"},
    ]
    form, problems = _problems(survey)
    assert form is None
    assert any("score" in p and "inside a repeat" in p and "row 4" in p for p in problems)


def test_choice_filter_names_must_be_columns_of_the_choices():
    survey = [
        {"type": "select_one yn", "name": "a", "label": "A"},
        {"type": "select_one yn", "name": "b", "label": "B", "choice_filter": "region = ${a}"},
    ]
    form, problems = _problems(survey)
    assert form is None
    assert any("have no column 'region'" in p for p in problems)


@pytest.mark.parametrize("name", list(library_forms()))
def test_library_forms_are_read_without_refusal(name):
    form = read_xlsform(form_bytes(name), filename=f"{name}.xlsx")
    survey = library_forms()[name][0]
    declared = tuple(
        row["name"] for row in survey if row.get("type") == "calculate" and row["name"].startswith(SCORE_PREFIX)
    )
    assert form.scores == declared  # every score the source declares, and a plan or closure form has none
    if name in ("vulnerability_domv", "rss", "htcds_screening", "protection_intake"):
        assert form.scores  # the scored assessments
    assert not [problem for problem in form.problems if problem.refuses]
    committed = LIBRARY / f"{name}.xlsx"
    assert committed.exists(), "run python -m passage.cases.xlsform.library.build"
    stored = read_xlsform(committed)
    assert definition_to_dict(stored) == definition_to_dict(form), f"{committed.name} is older than its source"


def test_domv_has_four_levels_in_three_languages():
    form = read_xlsform(form_bytes("vulnerability_domv"))
    assert form.languages == ("English (en)", "Arabic (ar)", "French (fr)")
    assert [item.name for item in form.children if item.kind == "group"] == [
        "individual", "household", "community", "structural",
    ]  # fmt: skip
    assert form.scores == ("score_individual", "score_household", "score_community", "score_structural", "score_total")
    assert form.fields["age_polarity"].label("ar") == "العمر"
    assert form.fields["age_polarity"].label("fr") == "Âge"
    assert form.direction == "ltr"


def test_a_definition_survives_being_stored_as_json():
    form = read_xlsform(form_bytes("protection_intake"))
    stored = json.loads(json.dumps(definition_to_dict(form)))
    again = definition_from_dict(stored)
    assert definition_to_dict(again) == definition_to_dict(form)
    answers = {"intake_date": "2025-01-02", "consent": "yes", "full_name": "A", "sex": "female", "age": 30,
               "governorate": "gov_a", "district": "gov_a_1", "needs": "food", "safety_risk": "high",
               "immediate_referral": "yes"}  # fmt: skip
    assert evaluate(again, answers).scores == evaluate(form, answers).scores == {"score_protection_risk": 3}


def test_reading_from_a_path(tmp_path: Path):
    path = tmp_path / "intake.xlsx"
    path.write_bytes(form_bytes("protection_intake"))
    assert read_xlsform(path).id_string == "passage_protection_intake"
