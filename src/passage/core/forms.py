"""HTML forms of the core app. They validate shape; rules live in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.core.models import Office, Operation, Programme, Role
from passage.core.models.operations import ProgrammeStatus, ProgrammeType


class Styled:
    """Give widgets Bootstrap's classes (and aria-invalid when bound with errors)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class LoginForm(Styled, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(Styled, forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(Styled, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class OperationForm(Styled, forms.ModelForm):
    class Meta:
        model = Operation
        fields = ["code", "name", "country", "is_active"]


class OfficeForm(Styled, forms.ModelForm):
    class Meta:
        model = Office
        fields = ["code", "name", "place", "is_active"]


class ProgrammeForm(Styled, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=ProgrammeType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ProgrammeStatus.choices)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    donors = forms.CharField(label=_("Donors"), required=False, help_text=_("Separate donors with commas"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_donors(self) -> list[str]:
        return [d.strip() for d in self.cleaned_data.get("donors", "").split(",") if d.strip()]

    @classmethod
    def initial_from(cls, programme: Programme) -> dict[str, Any]:
        return {
            "code": programme.code,
            "name": programme.name,
            "type": programme.type,
            "status": programme.status,
            "start_date": programme.start_date,
            "end_date": programme.end_date,
            "donors": ", ".join(programme.donors),
            "description": programme.description,
        }


class UserCreateForm(Styled, forms.Form):
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$")
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())


class UserEditForm(Styled, forms.Form):
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)


class MembershipForm(Styled, forms.Form):
    """Grant a role, limited to some programmes and offices of the operation (none ticked = all)."""

    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())
    programmes = forms.ModelMultipleChoiceField(
        label=_("Only these programmes"),
        required=False,
        queryset=Programme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Only these offices"),
        required=False,
        queryset=Office.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, operation: Operation, with_role: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = Programme.objects.filter(operation=operation)  # type: ignore[attr-defined]
        self.fields["offices"].queryset = Office.objects.filter(operation=operation)  # type: ignore[attr-defined]
        if not with_role:
            del self.fields["role"]


class ApiTokenForm(Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it, e.g. 'Kobo sync script'"))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)


class StartJobForm(Styled, forms.Form):
    kind = forms.CharField(max_length=64)
