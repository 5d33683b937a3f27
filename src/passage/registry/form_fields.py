"""Form fields and parsing shared by the registration wizard (forms.MemberForm) and the correction of a
registered person (person_forms.PersonForm): the same labels, choices and reading of what was typed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from passage.registry.models import DatePrecision
from passage.registry.models.people import MaritalStatus
from passage.registry.registration import WASHINGTON_GROUP_ANSWERS

BLANK: list[tuple[str, Any]] = [("", "—")]
AGE_ONLY = "age"
PRECISIONS = [
    (DatePrecision.DAY.value, _("Exact day")),
    (DatePrecision.MONTH.value, _("Month and year")),
    (DatePrecision.YEAR.value, _("Year only")),
    (AGE_ONLY, _("Age only")),
]
DATE_PATTERNS = {
    DatePrecision.DAY.value: (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), _("Write the date as YYYY-MM-DD.")),
    DatePrecision.MONTH.value: (re.compile(r"(\d{4})-(\d{1,2})"), _("Write the month as YYYY-MM.")),
    DatePrecision.YEAR.value: (re.compile(r"(\d{4})"), _("Write the year as YYYY.")),
}
WASHINGTON_GROUP_LABELS = {
    1: _("No difficulty"),
    2: _("Some difficulty"),
    3: _("A lot of difficulty"),
    4: _("Cannot do at all"),
    7: _("Refused"),
    9: _("Does not know"),
}
WASHINGTON_GROUP_CHOICES = [(answer, WASHINGTON_GROUP_LABELS[answer]) for answer in WASHINGTON_GROUP_ANSWERS]
NAME_LABELS = {
    "given_name": _("Given name"),
    "father_name": _("Father's name"),
    "grandfather_name": _("Grandfather's name"),
    "family_name": _("Family name"),
    "full_name": _("Full name as written"),
    "given_name_latin": _("Given name (Latin letters)"),
    "father_name_latin": _("Father's name (Latin letters)"),
    "grandfather_name_latin": _("Grandfather's name (Latin letters)"),
    "family_name_latin": _("Family name (Latin letters)"),
    "full_name_latin": _("Full name (Latin letters)"),
}


def codes(text: str) -> list[str]:
    """'IQ SY', 'IQ, SY' or 'IQ;SY' -> ['IQ', 'SY'] (the rules say whether they are codes)."""
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_birth_date(form: forms.Form, data: dict[str, Any]) -> None:
    """Read `birth_date` as its precision says into data['parsed_birth_date'], or put the error on the field."""
    precision = data.get("birth_date_precision") or DatePrecision.DAY.value
    raw = str(data.get("birth_date") or "").strip()
    data["parsed_birth_date"] = None
    if precision != AGE_ONLY and raw:
        pattern, message = DATE_PATTERNS[precision]
        match = pattern.fullmatch(raw)
        try:
            if match is None:
                raise ValueError
            parts = [int(p) for p in match.groups()] + [1, 1]
            data["parsed_birth_date"] = dt.date(parts[0], parts[1], parts[2])
        except ValueError:
            form.add_error("birth_date", ValidationError(message))


def marital_status_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Marital status"), choices=MaritalStatus.choices, required=False)


def other_names_field() -> forms.CharField:
    return forms.CharField(
        label=_("Other names and aliases"),
        required=False,
        help_text=_("One a line"),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


def nationalities_field(**attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Nationalities"),
        required=False,
        max_length=100,
        help_text=_("Two-letter codes, e.g. IQ SY"),
        widget=forms.TextInput(attrs={"dir": "ltr", **attrs}),
    )


def languages_field(**attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=100,
        help_text=_("ISO 639 codes, e.g. ar ku"),
        widget=forms.TextInput(attrs={"dir": "ltr", **attrs}),
    )


# The short set's questions, as the clerk asks them.
WASHINGTON_GROUP_QUESTIONS = {
    "seeing": _("Seeing, even if wearing glasses"),
    "hearing": _("Hearing, even if using a hearing aid"),
    "walking": _("Walking or climbing steps"),
    "remembering": _("Remembering or concentrating"),
    "self_care": _("Self-care, such as washing all over or dressing"),
    "communicating": _("Communicating in their usual language"),
}


def washington_group_field(domain: str, label: Any = None) -> forms.TypedChoiceField:
    """One of the six questions; the answer is stored as its number (1–4, 7 refused, 9 does not know)."""
    return forms.TypedChoiceField(
        label=label or WASHINGTON_GROUP_QUESTIONS[domain],
        choices=[*BLANK, *WASHINGTON_GROUP_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
