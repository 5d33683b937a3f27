"""HTML forms of referrals and the directory. They read the shape of what was typed; the rules live in
referral_actions and provider_actions."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.cases import referral_sharing as sharing
from passage.cases.forms import UserChoiceField
from passage.cases.models.referrals import Channel, ProviderType, RejectionReason, Service, Urgency
from passage.core.forms import Styled
from passage.core.models import Operation, User
from passage.registry.models import AdminArea

BLANK: list[tuple[Any, Any]] = [("", "—")]


def _text(label: Any, *, required: bool = False, rows: int = 3, max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}),
    )


class ProviderForm(Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    type = forms.ChoiceField(label=_("Type of organisation"), choices=ProviderType.choices)
    services = forms.MultipleChoiceField(
        label=_("Services offered"), choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    areas = forms.CharField(
        label=_("Areas served (P-codes)"),
        required=False,
        max_length=2000,
        help_text=_("Separated by spaces or commas, e.g. IQG07 IQD035. None: the whole operation."),
    )
    channel = forms.ChoiceField(label=_("Receives referrals"), choices=Channel.choices, widget=forms.RadioSelect)
    description = _text(_("Description"))
    address = forms.CharField(
        label=_("Address of the organisation"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args: Any, operation: Operation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation = operation

    def clean_areas(self) -> list[AdminArea]:
        codes = [code.upper() for code in re.split(r"[\s,;]+", self.cleaned_data.get("areas") or "") if code]
        if not codes:
            return []
        found = {
            area.pcode: area
            for area in AdminArea.objects.filter(country=self.operation.country.upper(), pcode__in=codes)
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(
                _("No administrative area of %(country)s has the P-code %(codes)s.")
                % {"country": self.operation.country.upper(), "codes": ", ".join(missing)}
            )
        return [found[code] for code in dict.fromkeys(codes)]


class ActiveForm(Styled, forms.Form):
    reason = _text(_("Reason"), rows=2, max_length=2000)


class ContactForm(Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    position = forms.CharField(label=_("Position"), required=False, max_length=120)
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=60, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    email = forms.CharField(
        label=_("Email"), required=False, max_length=254, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    receives_referrals = forms.BooleanField(label=_("Receives referral links by email"), required=False)


class LinkUserForm(Styled, forms.Form):
    user = UserChoiceField(label=_("Account"), queryset=User.objects.none())

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class DirectorySearchForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=[*BLANK, *Service.choices], required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=AdminArea.objects.none(), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["area"].label_from_instance = lambda area: (  # type: ignore[attr-defined]
            f"{'— ' if area.level > 1 else ''}{area.local_name} ({area.pcode})"
        )
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )


class SharingScopeForm(Styled, forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Information the person agreed service providers may receive"),
        choices=[(item.code, item.label) for item in sharing.SHAREABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text(_("Note"), rows=2, max_length=2000)


class ReferralForm(Styled, forms.Form):
    """The referral as the caseworker composes it. The items offered are those the person agreed to share (and
    the caseworker may see); `previewed` carries a fingerprint of the choice last previewed, so that what is sent
    is what was previewed."""

    person = forms.ChoiceField(label=_("For"))
    provider = forms.ChoiceField(label=_("Provider"), widget=forms.RadioSelect)
    service = forms.ChoiceField(label=_("Service"), choices=Service.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)
    reason = _text(_("Reason for the referral (the provider reads it)"), required=True, rows=4)
    items = forms.MultipleChoiceField(
        label=_("Information to share"), widget=forms.CheckboxSelectMultiple, required=False
    )
    email_link = forms.BooleanField(
        label=_("Email the one-time link to the provider's referral contacts"), required=False
    )
    previewed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self, *args: Any, people: list[Any], providers: list[Any], items: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.display_name or p.display_name_latin} ({p.reference})") for p in people
        ]
        self.fields["provider"].choices = [(str(p.pk), p.name) for p in providers]  # type: ignore[attr-defined]
        self.fields["items"].choices = items  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    """The provider's answer, from their inbox or the one-time link page: one of acknowledge, accept, reject,
    deliver, feedback, with what that answer needs."""

    answer = forms.ChoiceField(
        choices=[(code, code) for code in ("acknowledge", "accept", "reject", "deliver", "feedback")]
    )
    reason = forms.ChoiceField(choices=[*BLANK, *RejectionReason.choices], required=False)
    note = forms.CharField(required=False, max_length=5000)
    delivered_on = forms.DateField(required=False)
    service = forms.CharField(required=False, max_length=5000)
    feedback = forms.CharField(required=False, max_length=5000)

    def clean_delivered_on(self) -> Any:
        value = self.cleaned_data.get("delivered_on")
        if self.data.get("answer") == "deliver" and value is None:
            raise forms.ValidationError(_("Give the date the service was delivered (YYYY-MM-DD)."))
        return value


class CloseForm(Styled, forms.Form):
    note = _text(_("Note"), rows=2, max_length=2000)


class CancelForm(Styled, forms.Form):
    reason = _text(_("Why the referral is cancelled"), required=True, rows=2, max_length=2000)


class PersonFeedbackForm(Styled, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied is the person with the service?"),
        coerce=int,
        choices=[
            (5, _("5 — very satisfied")),
            (4, _("4")),
            (3, _("3")),
            (2, _("2")),
            (1, _("1 — not at all satisfied")),
        ],
        widget=forms.RadioSelect,
    )
    feedback = _text(_("What the person said"), rows=3)


class IssueLinkForm(forms.Form):
    email_link = forms.BooleanField(required=False)
