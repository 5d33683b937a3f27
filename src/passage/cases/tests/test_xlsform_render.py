"""Drawing a form: widgets in the user's language, relevance and calculations from the server, the template
partial for every type, and the posted page read back into the same answers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.template import Context, Template

from passage.cases.xlsform.library.build import form_bytes, xlsform_bytes
from passage.cases.xlsform.reader import read_xlsform
from passage.cases.xlsform.render import answers_from_post, apply_action, build_form, form_state
from passage.cases.xlsform.submission import evaluate

EN, AR = "English (en)", "Arabic (ar)"


@pytest.fixture(scope="module")
def intake():
    return read_xlsform(form_bytes("protection_intake"))


@pytest.fixture(scope="module")
def every_type():
    survey = [
        {"type": "text", "name": "name", f"label::{EN}": "Name", f"label::{AR}": "الاسم", "required": "yes",
         f"hint::{EN}": "As on the card", f"hint::{AR}": "كما في البطاقة"},
        {"type": "text", "name": "story", f"label::{EN}": "Story", f"label::{AR}": "القصة", "appearance": "multiline"},
        {"type": "integer", "name": "age", f"label::{EN}": "Age", f"label::{AR}": "العمر", "constraint": ". < 130"},
        {"type": "decimal", "name": "income", f"label::{EN}": "Income", f"label::{AR}": "الدخل"},
        {"type": "date", "name": "seen", f"label::{EN}": "Seen", f"label::{AR}": "تاريخ"},
        {"type": "time", "name": "at", f"label::{EN}": "At", f"label::{AR}": "الوقت"},
        {"type": "dateTime", "name": "moment", f"label::{EN}": "Moment", f"label::{AR}": "اللحظة"},
        {"type": "select_one yn", "name": "adult", f"label::{EN}": "Adult?", f"label::{AR}": "بالغ؟"},
        {"type": "select_one yn", "name": "works", f"label::{EN}": "Works?", f"label::{AR}": "يعمل؟",
         "appearance": "minimal", "relevant": "${adult} = 'yes'"},
        {"type": "select_multiple need", "name": "needs", f"label::{EN}": "Needs", f"label::{AR}": "الاحتياجات"},
        {"type": "begin_group", "name": "where", f"label::{EN}": "Where", f"label::{AR}": "أين"},
        {"type": "geopoint", "name": "point", f"label::{EN}": "Point", f"label::{AR}": "نقطة"},
        {"type": "image", "name": "photo", f"label::{EN}": "Photo", f"label::{AR}": "صورة"},
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "members", f"label::{EN}": "Member", f"label::{AR}": "فرد"},
        {"type": "text", "name": "member_name", f"label::{EN}": "Member name", f"label::{AR}": "اسم الفرد"},
        {"type": "integer", "name": "member_age", f"label::{EN}": "Member age", f"label::{AR}": "عمر الفرد"},
        {"type": "end_repeat"},
        {"type": "calculate", "name": "size", "calculation": "count(${members}) + 1"},
        {"type": "note", "name": "summary", f"label::{EN}": "${name}: household of ${size}",
         f"label::{AR}": "${name}: أسرة من ${size}"},
    ]  # fmt: skip
    choices = [
        {"list_name": "yn", "name": "yes", f"label::{EN}": "Yes", f"label::{AR}": "نعم"},
        {"list_name": "yn", "name": "no", f"label::{EN}": "No", f"label::{AR}": "لا"},
        {"list_name": "need", "name": "food", f"label::{EN}": "Food", f"label::{AR}": "غذاء"},
        {"list_name": "need", "name": "shelter", f"label::{EN}": "Shelter", f"label::{AR}": "مأوى"},
    ]
    return read_xlsform(xlsform_bytes(survey, choices, {"form_id": "every", "default_language": EN}))


ANSWERS = {
    "name": "Amal",
    "story": "Two lines\nof story",
    "age": "34",
    "income": "12.5",
    "seen": "2025-05-01",
    "at": "10:15",
    "moment": "2025-05-01T10:15",
    "adult": "yes",
    "works": "no",
    "needs": ["food", "shelter"],
    "point": "33.31 44.36",
    "photo": "uploads/photo-1.jpg",
    "members": [{"member_name": "Omar", "member_age": "8"}, {"member_name": "Lina"}],
}


def _flat(widgets):
    for widget in widgets:
        yield widget
        yield from _flat(widget.children)
        for instance in widget.instances:
            yield from _flat(instance.widgets)


def test_widgets_follow_the_question_types(every_type):
    rendered = build_form(every_type, ANSWERS, language="en")
    controls = {widget.path: (widget.control, widget.input_type, widget.step) for widget in _flat(rendered.widgets)}
    assert controls["name"] == ("input", "text", "")
    assert controls["story"][0] == "textarea"
    assert controls["age"] == ("input", "number", "1")
    assert controls["income"] == ("input", "number", "any")
    assert controls["seen"][1] == "date" and controls["at"][1] == "time" and controls["moment"][1] == "datetime-local"
    assert controls["adult"][0] == "radio" and controls["works"][0] == "select"  # appearance minimal
    assert controls["needs"][0] == "checkbox"
    assert controls["where"][0] == "group" and controls["point"][0] == "geopoint" and controls["photo"][0] == "image"
    assert controls["members"][0] == "repeat" and controls["members[2].member_name"][0] == "input"
    assert controls["size"][0] == "hidden" and controls["summary"][0] == "note"
    widgets = {widget.path: widget for widget in _flat(rendered.widgets)}
    assert widgets["point"].latitude == "33.31" and widgets["point"].longitude == "44.36"
    assert [option.selected for option in widgets["needs"].options] == [True, True]
    assert widgets["summary"].label == "Amal: household of 3"  # ${…} in a label shows the answer
    assert widgets["size"].value == "3"
    assert widgets["members"].can_add and widgets["members"].can_remove


def test_labels_in_the_users_language_with_fallback(every_type):
    arabic = build_form(every_type, ANSWERS, language="ar")
    assert arabic.direction == "rtl" and arabic.language == AR
    widgets = {widget.path: widget for widget in _flat(arabic.widgets)}
    assert widgets["name"].label == "الاسم" and widgets["name"].hint == "كما في البطاقة"
    assert [option.label for option in widgets["adult"].options] == ["نعم", "لا"]
    french = build_form(every_type, ANSWERS, language="fr")
    assert french.direction == "ltr" and french.language == EN
    assert {widget.path: widget for widget in _flat(french.widgets)}["name"].label == "Name"


def test_relevance_and_calculations_come_from_the_server(intake):
    relevant, calculated = form_state(intake, {"consent": "no"})
    assert relevant["intake"] is False and relevant["no_consent_note"] is True
    relevant, calculated = form_state(
        intake, {"consent": "yes", "age": "12", "household_members": [{"member_name": "A", "member_age": "3"}]}
    )
    assert relevant["intake"] is True
    assert calculated["household_size"] == 2 and calculated["children_count"] == 2
    rendered = build_form(intake, {"consent": "no"}, language="en")
    widgets = {widget.path: widget for widget in _flat(rendered.widgets)}
    assert widgets["intake"].relevant is False and widgets["no_consent_note"].relevant is True


def test_choice_filter_shows_only_the_matching_choices(intake):
    rendered = build_form(intake, {"consent": "yes", "governorate": "gov_b"}, language="en")
    district = next(widget for widget in _flat(rendered.widgets) if widget.name == "district")
    assert [option.value for option in district.options] == ["gov_b_1", "gov_b_2"]


def test_errors_are_shown_only_when_asked(every_type):
    answers = {**ANSWERS, "name": "", "age": "200"}
    quiet = {w.path: w for w in _flat(build_form(every_type, answers).widgets)}
    assert not quiet["name"].errors
    loud = {w.path: w for w in _flat(build_form(every_type, answers, show_errors=True).widgets)}
    assert loud["name"].errors == ["This field is required."]
    assert loud["age"].errors == ["This answer is not allowed by the form's rule."]
    assert loud["age"].described_by == "xf-age-error"


def test_repeat_add_and_remove(every_type):
    added = apply_action(every_type, ANSWERS, "add:members")
    assert len(added["members"]) == 3 and len(ANSWERS["members"]) == 2
    removed = apply_action(every_type, added, "remove:members[1]")
    assert [member.get("member_name") for member in removed["members"]] == ["Lina", None]
    assert apply_action(every_type, ANSWERS, "remove:nothing[1]") == ANSWERS
    assert apply_action(every_type, ANSWERS, "explode:members") == ANSWERS


class _Fields(HTMLParser):
    """What a browser would post from the rendered fragment (no files)."""

    def __init__(self) -> None:
        super().__init__()
        self.data = QueryDict(mutable=True)
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("file", "submit"):
            if attributes.get("type") in ("radio", "checkbox") and "checked" not in attributes:
                return
            if "disabled" not in attributes:
                self.data.appendlist(name, attributes.get("value") or "")
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.data.appendlist(self.select, attributes.get("value") or "")
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.appendlist(self.textarea, self.text)
            self.textarea = None


def _render(rendered) -> str:
    return Template('{% include "cases/xlsform/form.html" %}').render(Context({"xlsform": rendered}))


def test_the_template_draws_every_type_and_posts_the_same_answers_back(every_type):
    rendered = build_form(every_type, ANSWERS, language="en", refresh_url="/cases/1/assessment/refresh")
    html = _render(rendered)
    for fragment in (
        'type="radio" name="adult"',
        '<select class="form-select" name="works"',
        'type="checkbox" name="needs"',
        'type="number" name="age" id="xf-age" value="34" step="1"',
        'step="any"',
        'type="date" name="seen"',
        'type="time" name="at"',
        'type="datetime-local" name="moment"',
        'name="point__lat"',
        'name="point__lon"',
        'type="file" accept="image/*" name="photo__file"',
        'value="uploads/photo-1.jpg"',
        "<textarea",
        '<fieldset class="xlsform-group',
        'name="members" value="2"',
        'value="add:members"',
        'value="remove:members[2]"',
        'hx-post="/cases/1/assessment/refresh"',
        "Amal: household of 3",
        'name="members[1].member_name" id="xf-members-1-member_name" value="Omar"',
    ):
        assert fragment in html, fragment
    fields = _Fields()
    fields.feed(html)
    assert len(fields.ids) == len(set(fields.ids)), "ids are unique"
    posted = answers_from_post(every_type, fields.data)
    expected = evaluate(every_type, ANSWERS).values
    assert evaluate(every_type, posted).values == expected


def test_the_template_in_arabic_is_right_to_left_and_marks_what_is_required(every_type):
    html = _render(build_form(every_type, {**ANSWERS, "adult": "no"}, language="ar", show_errors=True))
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "الاسم" in html and "نعم" in html
    assert 'aria-required="true"' in html and "(required)" in html
    assert 'id="xf-works-wrap" hidden' in html  # not relevant when not an adult
    assert 'dir="ltr"' in html  # numbers and coordinates stay left to right


def test_the_template_shows_errors(every_type):
    html = _render(build_form(every_type, {**ANSWERS, "age": "x"}, show_errors=True))
    assert 'aria-invalid="true"' in html and "Enter a whole number." in html


def test_a_new_form_starts_from_its_defaults(intake):
    rendered = build_form(intake, None, language="ar")
    widgets = {widget.path: widget for widget in _flat(rendered.widgets)}
    assert widgets["intake_date"].value  # today()
    html = _render(rendered)
    assert 'name="intake_date"' in html


def test_posted_geopoint_halves_and_prefix(every_type):
    data = QueryDict(mutable=True)
    data.update({"xf.name": "A", "xf.point__lat": "10", "xf.point__lon": "", "xf.members": "1"})
    data.appendlist("xf.members", "3")
    data.update({"xf.members[3].member_name": "C"})
    posted = answers_from_post(every_type, data, prefix="xf.")
    assert posted == {"name": "A", "point": "?", "members": [{}, {"member_name": "C"}]}
    assert [error.path for error in evaluate(every_type, posted).errors] == ["point"]
