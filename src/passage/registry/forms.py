"""HTML forms of the registry. They read the shape of what was typed; the rules live in
registration.check_members (through actions.register_household), never here."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from passage.core.forms import Styled
from passage.core.models import Office, Operation
from passage.registry import queries
from passage.registry.form_fields import (
    AGE_ONLY,
    BLANK,
    NAME_LABELS,
    PRECISIONS,
    WASHINGTON_GROUP_QUESTIONS,
    languages_field,
    lines,
    marital_status_field,
    nationalities_field,
    other_names_field,
    parse_birth_date,
    washington_group_field,
)
from passage.registry.form_fields import codes as split_codes
from passage.registry.models import (
    AdminArea,
    ConsentMethod,
    ConsentPurpose,
    DatePrecision,
    DocumentType,
    Relationship,
    Sex,
    Site,
)
from passage.registry.models.people import MaritalStatus
from passage.registry.registration import WASHINGTON_GROUP_DOMAINS, ConsentInput, DocumentInput, PersonInput

OTHER_PURPOSES = [(p.value, p.label) for p in ConsentPurpose if p != ConsentPurpose.REGISTRATION]


class HouseholdForm(Styled, forms.Form):
    """Where the household is. The place picker submits an area's P-code and, for a site, the site's code."""

    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    admin_area = forms.CharField(
        label=_("Administrative area or site"), required=False, max_length=64, widget=forms.HiddenInput
    )
    site = forms.CharField(label=_("Site"), required=False, max_length=40, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )

    def __init__(self, *args: Any, operation: Operation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation = operation
        office: Any = self.fields["office"]
        office.queryset = Office.objects.filter(operation=operation, is_active=True).order_by("name")
        self.fields["office"].widget.attrs["autofocus"] = True

    def clean_admin_area(self) -> AdminArea | None:
        """A P-code of the operation's country (an area's id is read too, as the form once sent it)."""
        value = str(self.cleaned_data.get("admin_area") or "").strip()
        if not value:
            return None
        areas = AdminArea.objects.filter(country=self.operation.country)
        area = areas.filter(pcode=value.upper()).first()
        if area is None:
            try:
                area = areas.filter(pk=uuid.UUID(value)).first()
            except ValueError:
                area = None
        if area is None:
            raise ValidationError(
                _("No administrative area of %(country)s has the P-code %(code)s.")
                % {"country": self.operation.country, "code": value}
            )
        return area

    def clean_site(self) -> Site | None:
        code = str(self.cleaned_data.get("site") or "").strip()
        if not code:
            return None
        site = Site.objects.filter(operation=self.operation, is_active=True, code=code).first()
        if site is None:
            raise ValidationError(_("No open site of this operation has the code %(code)s.") % {"code": code})
        return site

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site = data.get("site")
        if site is not None and data.get("admin_area") is None and "admin_area" not in self.errors:
            data["admin_area"] = site.admin_area  # a site is in an area: the household is in it too
        return data

    def chosen_place(self) -> queries.Place | None:
        """The place the picker shows as chosen when the page comes back (with errors)."""
        data = getattr(self, "cleaned_data", None)
        if not data:
            return None
        return queries.chosen_place(self.operation, area=data.get("admin_area"), site=data.get("site"))


def _name(label: Any, max_length: int = 100) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )


def _phone(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr", "autocomplete": "off"}),
    )


def _document_type(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=BLANK + DocumentType.choices, required=False)


def _document_number() -> forms.CharField:
    return forms.CharField(
        label=_("Document number"), required=False, max_length=60, widget=forms.TextInput(attrs={"dir": "ltr"})
    )


def _document_country() -> forms.CharField:
    return forms.CharField(
        label=_("Issuing country"),
        required=False,
        max_length=2,
        help_text=_("Two letters, e.g. IQ"),
        widget=forms.TextInput(attrs={"dir": "ltr", "size": 3}),
    )


class MemberForm(Styled, forms.Form):
    """One member of the household. Every field is optional here: what must be there is check_members' call."""

    relationship = forms.ChoiceField(
        label=_("Relationship to the head"), choices=BLANK + Relationship.choices, required=False
    )
    given_name = _name(NAME_LABELS["given_name"])
    father_name = _name(NAME_LABELS["father_name"])
    grandfather_name = _name(NAME_LABELS["grandfather_name"])
    family_name = _name(NAME_LABELS["family_name"])
    given_name_latin = _name(NAME_LABELS["given_name_latin"])
    father_name_latin = _name(NAME_LABELS["father_name_latin"])
    grandfather_name_latin = _name(NAME_LABELS["grandfather_name_latin"])
    family_name_latin = _name(NAME_LABELS["family_name_latin"])
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
    phone = _phone(_("Phone"))
    document_type = _document_type(_("Document"))
    document_number = _document_number()
    document_country = _document_country()
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
    # "More about this person": folded away unless it holds an error.
    full_name = _name(NAME_LABELS["full_name"], max_length=400)
    full_name_latin = _name(NAME_LABELS["full_name_latin"], max_length=400)
    other_names = other_names_field()
    marital_status = marital_status_field()
    nationalities = nationalities_field(autocomplete="off", **{"data-codes": "countries"})
    languages = languages_field(autocomplete="off", **{"data-codes": "languages"})
    phone_2 = _phone(_("Second phone"))
    document_2_type = _document_type(_("Second document"))
    document_2_number = _document_number()
    document_2_country = _document_country()

    NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name", "full_name")
    LATIN_FIELDS = (
        "given_name_latin",
        "father_name_latin",
        "grandfather_name_latin",
        "family_name_latin",
        "full_name_latin",
    )
    PHONE_FIELDS = ("phone", "phone_2")
    DOCUMENT_FIELDS = (
        ("document_type", "document_number", "document_country"),
        ("document_2_type", "document_2_number", "document_2_country"),
    )
    WASHINGTON_GROUP_FIELDS = tuple(f"disability_{domain}" for domain in WASHINGTON_GROUP_DOMAINS)
    MORE_FIELDS = (
        "full_name",
        "full_name_latin",
        "other_names",
        "marital_status",
        "nationalities",
        "languages",
        *WASHINGTON_GROUP_FIELDS,
        "phone_2",
        "document_2_type",
        "document_2_number",
        "document_2_country",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for domain in WASHINGTON_GROUP_DOMAINS:
            question = washington_group_field(domain, WASHINGTON_GROUP_QUESTIONS[domain])
            question.widget.attrs["class"] = "form-select"
            self.fields[f"disability_{domain}"] = question
        self.fields["marital_status"].initial = MaritalStatus.UNKNOWN
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"
            # Errors appear in a slot beside each field; screen readers read it with the field.
            field.widget.attrs["aria-describedby"] = f"err-{self.prefix}-{name}"
        # Which field each phone and document given came from, to put the rules' errors back on it.
        self.phone_sources: list[str] = []
        self.document_sources: list[tuple[str, str, str]] = []

    def clean_document_country(self) -> str:
        return str(self.cleaned_data.get("document_country", "")).strip().upper()

    def clean_document_2_country(self) -> str:
        return str(self.cleaned_data.get("document_2_country", "")).strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parse_birth_date(self, data)
        return data

    @property
    def is_removed(self) -> bool:
        """The clerk took this member out before registering (the formset's DELETE box, as typed)."""
        return "DELETE" in self.fields and bool(self["DELETE"].data)

    @property
    def functioning(self) -> list[Any]:
        return [self[name] for name in self.WASHINGTON_GROUP_FIELDS]

    @property
    def more_has_errors(self) -> bool:
        return self.is_bound and any(self.errors.get(name) for name in self.MORE_FIELDS)

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
        self.phone_sources = [name for name in self.PHONE_FIELDS if (data.get(name) or "").strip()]
        self.document_sources = [
            fields for fields in self.DOCUMENT_FIELDS if data.get(fields[0]) or (data.get(fields[1]) or "").strip()
        ]
        documents = [
            DocumentInput(
                type=data.get(kind) or "", number=data.get(number) or "", issuing_country=data.get(country) or ""
            )
            for kind, number, country in self.document_sources
        ]
        names: dict[str, Any] = {name: (data.get(name) or "").strip() for name in self.NAME_FIELDS + self.LATIN_FIELDS}
        return PersonInput(
            relationship=data.get("relationship") or "",
            consent=consent,
            **names,
            other_names=lines(data.get("other_names") or ""),
            sex=data.get("sex") or Sex.UNKNOWN,
            birth_date=None if precision == AGE_ONLY else data.get("parsed_birth_date"),
            birth_date_precision="" if precision == AGE_ONLY else precision,
            age_years=data.get("age_years") if precision == AGE_ONLY else None,
            nationalities=split_codes(data.get("nationalities") or ""),
            languages=split_codes(data.get("languages") or ""),
            marital_status=data.get("marital_status") or MaritalStatus.UNKNOWN,
            phones=[data[name] for name in self.phone_sources],
            documents=documents,
            disability={
                domain: data[f"disability_{domain}"]
                for domain in WASHINGTON_GROUP_DOMAINS
                if data.get(f"disability_{domain}") is not None
            },
        )

    def field_for(self, key: str) -> str | None:
        """The field an error of check_members is about, for this member as to_input() read it:
        'phones[1]' -> the field that phone was typed in; 'disability.seeing' -> 'disability_seeing'."""
        if match := re.fullmatch(r"phones\[(\d+)\]", key):
            n = int(match.group(1))
            return self.phone_sources[n] if n < len(self.phone_sources) else "phone"
        if match := re.fullmatch(r"documents\[(\d+)\]\.(type|number)", key):
            n = int(match.group(1))
            fields = self.document_sources[n] if n < len(self.document_sources) else self.DOCUMENT_FIELDS[0]
            return fields[0] if match.group(2) == "type" else fields[1]
        if key.startswith("disability."):
            name = "disability_" + key.removeprefix("disability.")
            return name if name in self.fields else None
        if key in _FIELD_FOR:
            return _FIELD_FOR[key]
        return key if key in self.fields else None


class BaseMemberFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this member")
            form.fields["DELETE"].widget.attrs.update({"class": "btn-check", "autocomplete": "off"})


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, validate_min=False, can_delete=True
)
MEMBERS_PREFIX = "members"

# Where each kind of error from check_members about consent is shown on the member form.
_FIELD_FOR = {
    "consent": "consent_granted",
    "consent.method": "consent_method",
    "consent.proxy_name": "proxy_name",
    "consent.other_purposes": "purposes",
}
_MEMBER_KEY = re.compile(r"members\[(\d+)\]\.(.+)")


def locate_error(key: str) -> tuple[int | None, str | None]:
    """Member and what the error is about: 'members[1].phones[0]' -> (1, 'phones[0]') (MemberForm.field_for
    names the field); 'office' -> (None, 'office'); 'members' -> (None, None)."""
    match = _MEMBER_KEY.fullmatch(key)
    if match is None:
        return None, key if key in HouseholdForm.base_fields else None
    return int(match.group(1)), match.group(2)
