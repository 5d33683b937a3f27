"""HTML forms for a registered person: correction, status, household moves, consent and photo.

They read the shape of what was typed. What is allowed is person_actions' call (which runs the registration
rules): these forms only turn text into values and say which fields were changed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passage.core.forms import Styled
from passage.registry.form_fields import (
    AGE_ONLY,
    BLANK,
    NAME_LABELS,
    PRECISIONS,
    codes,
    languages_field,
    lines,
    marital_status_field,
    nationalities_field,
    other_names_field,
    parse_birth_date,
    washington_group_field,
)
from passage.registry.models import (
    ConsentMethod,
    ConsentPurpose,
    DatePrecision,
    DocumentType,
    Person,
    PersonStatus,
    Relationship,
    Sex,
)
from passage.registry.names import NAME_FIELDS
from passage.registry.person_actions import BIRTH_KEYS
from passage.registry.registration import WASHINGTON_GROUP_DOMAINS, DocumentInput

PERSON_PREFIX = "person"
DOCUMENTS_PREFIX = "documents"


def _radios() -> forms.RadioSelect:
    """Radio buttons styled as Bootstrap's (Styled would give them a text box's class)."""
    return forms.RadioSelect(attrs={"class": "form-check-input"})


class PersonForm(Styled, forms.Form):
    """A correction of a person's record. Each field carries the value it was shown with (hidden), so the
    correction sends only what the clerk changed, and `version` says which version they were looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    marital_status = marital_status_field()
    birth_date_precision = forms.ChoiceField(label=_("Date of birth known as"), choices=PRECISIONS, required=False)
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
    other_names = other_names_field()
    nationalities = nationalities_field()
    languages = languages_field()
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        help_text=_("One a line; the first is the primary number"),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
    )

    def __init__(self, *args: Any, person: Person, sensitive: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", PERSON_PREFIX)
        if "initial" not in kwargs:
            kwargs["initial"] = initial_for(person)
        super().__init__(*args, **kwargs)
        for name in NAME_FIELDS:
            self.fields[name] = forms.CharField(
                label=NAME_LABELS[name],
                required=False,
                max_length=400 if name.startswith("full_name") else 100,
                widget=forms.TextInput(attrs={"dir": "ltr" if name.endswith("_latin") else "auto"}),
            )
        for domain in WASHINGTON_GROUP_DOMAINS:
            self.fields[f"disability_{domain}"] = washington_group_field(domain)
        if not sensitive:
            del self.fields["phones"]  # nobody changes what they may not see
        for name, field in self.fields.items():
            if name != "version":
                field.show_hidden_initial = True
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")
            field.widget.attrs["aria-describedby"] = f"err-{self.add_prefix(name)}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parse_birth_date(self, data)
        return data

    def values(self) -> dict[str, Any]:
        """What the clerk changed, as update_person reads it."""
        data = getattr(self, "cleaned_data", {})
        changed = set(self.changed_data)
        values: dict[str, Any] = {}
        for name in (*NAME_FIELDS, "sex", "marital_status"):
            if name in changed and name in data:
                values[name] = (data[name] or "").strip() if name in NAME_FIELDS else data[name]
        if "other_names" in changed:
            values["other_names"] = lines(data.get("other_names") or "")
        for name in ("nationalities", "languages"):
            if name in changed:
                values[name] = codes(data.get(name) or "")
        if changed & set(BIRTH_KEYS):
            precision = data.get("birth_date_precision") or DatePrecision.DAY.value
            by_age = precision == AGE_ONLY
            values["birth_date"] = None if by_age else data.get("parsed_birth_date")
            values["birth_date_precision"] = "" if by_age else precision
            values["age_years"] = data.get("age_years") if by_age else None
        if any(f"disability_{domain}" in changed for domain in WASHINGTON_GROUP_DOMAINS):
            values["disability"] = {
                domain: data[f"disability_{domain}"]
                for domain in WASHINGTON_GROUP_DOMAINS
                if data.get(f"disability_{domain}") is not None
            }
        if "phones" in changed and "phones" in self.fields:
            values["phones"] = lines(data.get("phones") or "")
        return values

    @staticmethod
    def field_of(key: str) -> str:
        """The field an action's error key speaks of ('phones[1]' -> 'phones', 'disability.seeing' -> ...)."""
        return re.sub(r"\[\d+\]$", "", key).replace("disability.", "disability_")

    def place(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put an action's errors beside their fields; return those about documents."""
        rest: dict[str, list[str]] = {}
        for key, messages in errors.items():
            name = self.field_of(key)
            if key.startswith("documents"):
                rest[key] = messages
            elif name in self.fields:
                self.add_error(name, messages)
            else:
                self.add_error(None, messages)
        return rest


def initial_for(person: Person) -> dict[str, Any]:
    """The form's values for the person as stored (an estimated birth date shows as the age given then)."""
    initial: dict[str, Any] = {name: getattr(person, name) for name in NAME_FIELDS}
    initial |= {
        "version": person.version,
        "sex": person.sex,
        "marital_status": person.marital_status,
        "other_names": "\n".join(person.other_names),
        "nationalities": " ".join(person.nationalities),
        "languages": " ".join(person.languages),
        "phones": "\n".join(phone.number for phone in person.phones.order_by("-is_primary", "id")),
    }
    date, precision = person.birth_date, person.birth_date_precision
    if date is not None and precision == DatePrecision.ESTIMATED:
        since = person.age_estimated_on or date
        initial |= {"birth_date_precision": AGE_ONLY, "age_years": since.year - date.year}
    elif date is not None:
        shown = {"year": f"{date.year}", "month": f"{date.year}-{date.month:02d}"}.get(precision, date.isoformat())
        initial |= {"birth_date_precision": precision or DatePrecision.DAY.value, "birth_date": shown}
    else:
        initial["birth_date_precision"] = DatePrecision.DAY.value
    for domain in WASHINGTON_GROUP_DOMAINS:
        initial[f"disability_{domain}"] = person.disability.get(domain)
    return initial


class DocumentForm(Styled, forms.Form):
    type = forms.ChoiceField(label=_("Document"), choices=BLANK + DocumentType.choices, required=False)
    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=60,
        help_text=_("Empty the number to remove the document"),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    issuing_country = forms.CharField(
        label=_("Issuing country"), required=False, max_length=2, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    expiry_date = forms.DateField(
        label=_("Expires"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.show_hidden_initial = True
            field.widget.attrs["aria-describedby"] = f"err-{self.add_prefix(name)}"


DocumentFormSet = forms.formset_factory(DocumentForm, extra=1)


def documents_formset(person: Person, data: Any = None) -> Any:
    initial = [
        {
            "type": document.type,
            "number": document.number,
            "issuing_country": document.issuing_country,
            "expiry_date": document.expiry_date,
        }
        for document in person.documents.all()
    ]
    return DocumentFormSet(data, prefix=DOCUMENTS_PREFIX, initial=initial)


def document_values(formset: Any) -> tuple[list[DocumentInput], list[int]]:
    """The documents as they should be stored (rows without a type or number are dropped), and the form each
    came from, to put errors back on it."""
    documents: list[DocumentInput] = []
    rows: list[int] = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", {})
        if not (data.get("number") or "").strip() and not data.get("type"):
            continue
        documents.append(
            DocumentInput(
                type=data.get("type") or "",
                number=data.get("number") or "",
                issuing_country=(data.get("issuing_country") or "").strip().upper(),
                expiry_date=data.get("expiry_date"),
            )
        )
        rows.append(index)
    return documents, rows


class StatusForm(Styled, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in PersonStatus if s != PersonStatus.MERGED],
        widget=_radios(),
    )
    on = forms.DateField(
        label=_("Since"),
        required=False,
        help_text=_("For a death: the date of death (the best date known)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveForm(Styled, forms.Form):
    destination = forms.ChoiceField(
        label=_("Moves to"),
        choices=[("existing", _("Another registered household")), ("new", _("A new household of their own"))],
        initial="existing",
        widget=_radios(),
    )
    household = forms.CharField(
        label=_("Household number"),
        required=False,
        max_length=32,
        help_text=_("e.g. HH-4D2R-8KQP"),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(label=_("Relationship to the head there"), choices=Relationship.choices)
    on = forms.DateField(label=_("Date of the move"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    address = forms.CharField(
        label=_("Address of the new household"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class LeaveForm(Styled, forms.Form):
    on = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        kwargs.setdefault("prefix", "leave")
        super().__init__(*args, **kwargs)


class HeadForm(Styled, forms.Form):
    new_head = forms.ChoiceField(label=_("New head of household"))
    former_head_relationship = forms.ChoiceField(
        label=_("The former head's relationship to the new head"),
        choices=BLANK + [c for c in Relationship.choices if c[0] != Relationship.HEAD],
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput())

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["new_head"]
        field.choices = [
            (str(m.person_id), f"{m.person.reference} · {m.person} · {m.get_relationship_display()}")
            for m in members
            if m.relationship != Relationship.HEAD
        ]


class ConsentForm(Styled, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    granted = forms.ChoiceField(
        label=_("Decision"), choices=[("yes", _("Consents")), ("no", _("Refuses"))], widget=_radios()
    )
    method = forms.ChoiceField(label=_("How"), choices=BLANK + ConsentMethod.choices, required=False)
    proxy_name = forms.CharField(
        label=_("Proxy's name and relationship"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput())


class WithdrawForm(Styled, forms.Form):
    on = forms.DateField(
        label=_("Withdrawn on"),
        required=False,
        help_text=_("Leave empty for now"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )

    def withdrawn_at(self) -> dt.datetime | None:
        """Today (or no date) is now; an earlier day is the end of that day."""
        day = self.cleaned_data.get("on")
        if day is None or day == timezone.localdate():
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG or PNG, up to 5 MB. Camera details and location are removed."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "class": "form-control"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
