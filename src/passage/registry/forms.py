"""HTML forms of the registry. They read the shape of what was typed; the rules live in
registration.check_members (through actions.register_household), never here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from passage.core.forms import Styled
from passage.core.models import Office, Operation
from passage.registry.models import (
    AdminArea,
    ConsentMethod,
    ConsentPurpose,
    DatePrecision,
    DocumentType,
    Relationship,
    Sex,
)
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

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
OTHER_PURPOSES = [(p.value, p.label) for p in ConsentPurpose if p != ConsentPurpose.REGISTRATION]


class HouseholdForm(Styled, forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    admin_area = forms.ModelChoiceField(
        label=_("Administrative area"), queryset=AdminArea.objects.none(), required=False
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )

    def __init__(self, *args: Any, operation: Operation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office: Any = self.fields["office"]
        office.queryset = Office.objects.filter(operation=operation, is_active=True).order_by("name")
        area: Any = self.fields["admin_area"]
        area.queryset = AdminArea.objects.filter(country=operation.country).order_by("level", "name")
        self.fields["office"].widget.attrs["autofocus"] = True


def _name(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )


class MemberForm(Styled, forms.Form):
    """One member of the household. Every field is optional here: what must be there is check_members' call."""

    relationship = forms.ChoiceField(
        label=_("Relationship to the head"), choices=BLANK + Relationship.choices, required=False
    )
    given_name = _name(_("Given name"))
    father_name = _name(_("Father's name"))
    grandfather_name = _name(_("Grandfather's name"))
    family_name = _name(_("Family name"))
    given_name_latin = _name(_("Given name (Latin letters)"))
    father_name_latin = _name(_("Father's name (Latin letters)"))
    grandfather_name_latin = _name(_("Grandfather's name (Latin letters)"))
    family_name_latin = _name(_("Family name (Latin letters)"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False)
    birth_date_precision = forms.ChoiceField(
        label=_("Date of birth known as"), choices=PRECISIONS, initial=DatePrecision.DAY.value, required=False
    )
    birth_date = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=10,
        help_text=_("YYYY-MM-DD, YYYY-MM or YYYY, as the precision says"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "YYYY-MM-DD", "dir": "ltr"}),
    )
    age_years = forms.IntegerField(
        label=_("Age in years"), required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 120})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr", "autocomplete": "off"}),
    )
    document_type = forms.ChoiceField(label=_("Document"), choices=BLANK + DocumentType.choices, required=False)
    document_number = forms.CharField(
        label=_("Document number"), required=False, max_length=60, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    document_country = forms.CharField(
        label=_("Issuing country"),
        required=False,
        max_length=2,
        help_text=_("Two letters, e.g. IQ"),
        widget=forms.TextInput(attrs={"dir": "ltr", "size": 3}),
    )
    consent_granted = forms.ChoiceField(
        label=_("Consents to registration"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        required=False,
        widget=forms.RadioSelect,
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"), choices=BLANK + ConsentMethod.choices, required=False
    )
    proxy_name = forms.CharField(
        label=_("Proxy's name and relationship"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Also consents to"), choices=OTHER_PURPOSES, required=False, widget=forms.CheckboxSelectMultiple
    )

    NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name")
    LATIN_FIELDS = ("given_name_latin", "father_name_latin", "grandfather_name_latin", "family_name_latin")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"
            # Errors appear in a slot beside each field; screen readers read it with the field.
            field.widget.attrs["aria-describedby"] = f"err-{self.prefix}-{name}"

    def clean_document_country(self) -> str:
        return str(self.cleaned_data.get("document_country", "")).strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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
                self.add_error("birth_date", ValidationError(message))
        return data

    def to_input(self) -> PersonInput:
        """What was typed, as the registration action reads it (fields that failed to parse are left out)."""
        data = getattr(self, "cleaned_data", {})
        precision = data.get("birth_date_precision") or DatePrecision.DAY.value
        consent = None
        if data.get("consent_granted") or data.get("consent_method"):
            consent = ConsentInput(
                granted=data.get("consent_granted") == "yes",
                method=data.get("consent_method") or "",
                proxy_name=data.get("proxy_name") or "",
                other_purposes={p: True for p in data.get("purposes") or []},
            )
        documents = []
        if data.get("document_type") or data.get("document_number"):
            documents.append(
                DocumentInput(
                    type=data.get("document_type") or "",
                    number=data.get("document_number") or "",
                    issuing_country=data.get("document_country") or "",
                )
            )
        names: dict[str, Any] = {name: (data.get(name) or "").strip() for name in self.NAME_FIELDS + self.LATIN_FIELDS}
        return PersonInput(
            relationship=data.get("relationship") or "",
            consent=consent,
            **names,
            sex=data.get("sex") or Sex.UNKNOWN,
            birth_date=None if precision == AGE_ONLY else data.get("parsed_birth_date"),
            birth_date_precision="" if precision == AGE_ONLY else precision,
            age_years=data.get("age_years") if precision == AGE_ONLY else None,
            phones=[data["phone"]] if (data.get("phone") or "").strip() else [],
            documents=documents,
        )


MemberFormSet = forms.formset_factory(MemberForm, extra=0, min_num=1, validate_min=False)
MEMBERS_PREFIX = "members"

# Where each kind of error from check_members is shown on the member form.
_FIELD_FOR = {
    "phones": "phone",
    "documents.type": "document_type",
    "documents.number": "document_number",
    "consent": "consent_granted",
    "consent.method": "consent_method",
    "consent.proxy_name": "proxy_name",
    "consent.other_purposes": "purposes",
}
_MEMBER_KEY = re.compile(r"members\[(\d+)\]\.(.+)")


def locate_error(key: str) -> tuple[int | None, str | None]:
    """Member and field of an error key: 'members[1].phones[0]' -> (1, 'phone');
    'members[0].disability.seeing' -> (0, None); 'office' -> (None, 'office'); 'members' -> (None, None)."""
    match = _MEMBER_KEY.fullmatch(key)
    if match is None:
        return None, key if key in HouseholdForm.base_fields else None
    index, rest = int(match.group(1)), re.sub(r"\[\d+\]", "", match.group(2))
    if rest in _FIELD_FOR:
        return index, _FIELD_FOR[rest]
    return index, rest if rest in MemberForm.base_fields else None
