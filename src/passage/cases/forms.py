"""HTML forms of cases. They read the shape of what was typed; the rules live in cases.actions and
cases.work_actions, never here. Every form that edits the case itself carries the version it started from."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from passage.cases.models import ClosureReason, Priority, Sensitivity
from passage.core.forms import Styled
from passage.core.models import Office, Programme, Role, User

BLANK: list[tuple[Any, Any]] = [("", "—")]


def _reason(label: Any = None, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class QuickSelect(forms.Select):
    """A select of many people, drawn from rows rather than users: Django's own widget renders a template per option
    and its choice iterator loads a user object per option, together most of a second for the two thousand
    caseworkers of a large operation's caseload page."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        iterator: Any = self.choices  # a ModelChoiceIterator when the field is a ModelChoiceField
        queryset = getattr(iterator, "queryset", None)
        if queryset is None:  # plain choices: Django's way
            return super().render(name, value, attrs, renderer)
        chosen = {str(v) for v in self.format_value(value)}
        empty_label = iterator.field.empty_label
        rows = [("", empty_label)] if empty_label is not None else []
        rows += [
            (str(pk), people_label(first, last, username))
            for pk, first, last, username in queryset.values_list("pk", "first_name", "last_name", "username")
        ]
        options = mark_safe(  # noqa: S308 - every value and label is escaped here
            "".join(
                f'<option value="{escape(pk)}"{SELECTED if pk in chosen else ""}>{escape(label)}</option>'
                for pk, label in rows
            )
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


SELECTED = mark_safe(" selected")


def people_label(first: str, last: str, username: str) -> str:
    name = f"{first} {last}".strip()
    return f"{name} ({username})" if name else username


class UserChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj: Any) -> str:
        return people_label(obj.first_name, obj.last_name, obj.get_username())


class OpenCaseForm(Styled, forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    caseworker = UserChoiceField(
        label=_("Caseworker"), queryset=User.objects.none(), required=False, help_text=_("You, unless you choose.")
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"),
        choices=Sensitivity.choices,
        initial=Sensitivity.NORMAL,
        help_text=_("A restricted case is seen only by its caseworker and the people named on it."),
    )
    note = _reason(_("Why the case is opened"))

    def __init__(self, *args: Any, programmes: Any, offices: Any, caseworkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]


class TransitionForm(Styled, forms.Form):
    reason = _reason()
    version = _version()


class AssignForm(Styled, forms.Form):
    caseworker = UserChoiceField(label=_("Caseworker"), queryset=User.objects.none())
    reason = _reason()
    version = _version()

    def __init__(self, *args: Any, caseworkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]


class PriorityForm(Styled, forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    version = _version()


class SensitivityForm(Styled, forms.Form):
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices)
    reason = _reason(required=True)
    version = _version()


class DetailsForm(Styled, forms.Form):
    """The programme's own fields of the case, as its workflow names them."""

    version = _version()

    def __init__(self, *args: Any, fields: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in fields:
            if code.endswith(("_date", "_on")):
                widget: forms.Widget = forms.DateInput(attrs={"type": "date", "class": "form-control"})
            else:
                widget = forms.TextInput(attrs={"dir": "auto", "class": "form-control"})
            self.fields[code] = forms.CharField(label=label, required=False, max_length=500, widget=widget)
        self.codes = [code for code, _label in fields]

    def values(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(code) or "" for code in self.codes}


class CloseForm(Styled, forms.Form):
    reason = forms.ChoiceField(label=_("Why is the case closed?"), choices=BLANK + ClosureReason.choices)
    note = _reason(_("Note"))
    version = _version()


class ReopenForm(Styled, forms.Form):
    reason = _reason(required=True)
    version = _version()


class TaskForm(Styled, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    due_on = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    assignee = UserChoiceField(
        label=_("For"), queryset=User.objects.none(), required=False, help_text=_("The caseworker, unless you choose.")
    )
    assignee_role = forms.ChoiceField(label=_("Or for whoever holds the role"), choices=(), required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]
        self.fields["assignee_role"].choices = BLANK + [  # type: ignore[attr-defined]
            (role.code, role.name) for role in Role.objects.order_by("name")
        ]


class NoteForm(Styled, forms.Form):
    text = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    private = forms.BooleanField(label=_("Private: only me and the people named on the case read it"), required=False)


class DocumentForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    title = forms.CharField(
        label=_("Title"), required=False, max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG, PNG, Word (DOCX) or Excel (XLSX)."))

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = BLANK + kinds  # type: ignore[attr-defined]


class RemoveForm(Styled, forms.Form):
    reason = _reason(required=True)


class AccessForm(Styled, forms.Form):
    user = UserChoiceField(label=_("Person"), queryset=User.objects.none())
    reason = _reason(required=True)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class ApprovalRequestForm(Styled, forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = _reason(_("Note for the approver"))


class ApprovalDecisionForm(Styled, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = _reason()


class ReassignForm(Styled, forms.Form):
    caseworker = UserChoiceField(label=_("Give the chosen cases to"), queryset=User.objects.none())
    reason = _reason()

    def __init__(self, *args: Any, caseworkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]
