"""HTML forms of groups and communities. They read the shape of what was typed; the rules live in
registry.group_actions, never here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passage.core.forms import Styled
from passage.core.models import Office, Operation
from passage.registry.models import AdminArea, Group, GroupKind, GroupRole, Site

BLANK: list[tuple[str, Any]] = [("", "—")]


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _note(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"), required=False, max_length=2000, widget=forms.TextInput(attrs={"dir": "auto"})
    )


class GroupForm(Styled, forms.Form):
    """A group's own fields, for creating one or correcting it (then with the version it started from)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + GroupKind.choices)
    name = forms.CharField(
        label=_("Name as written"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    name_latin = forms.CharField(
        label=_("Name in Latin letters"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    admin_area = forms.ModelChoiceField(
        label=_("Administrative area"), queryset=AdminArea.objects.none(), required=False
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    estimated_size = forms.IntegerField(
        label=_("Estimated size (people)"),
        required=False,
        min_value=0,
        help_text=_("For a community whose members are not all registered: about how many people it counts."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, operation: Operation, group: Group | None = None, **kwargs: Any) -> None:
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": group.kind,
                    "name": group.name,
                    "name_latin": group.name_latin,
                    "office": group.office_id,
                    "admin_area": group.admin_area_id,
                    "site": group.site_id,
                    "estimated_size": group.estimated_size,
                    "description": group.description,
                    "version": group.version,
                },
            )
        super().__init__(*args, **kwargs)
        office: Any = self.fields["office"]
        office.queryset = Office.objects.filter(operation=operation, is_active=True).order_by("name")
        area: Any = self.fields["admin_area"]
        area.queryset = AdminArea.objects.filter(country=operation.country).order_by("level", "name")
        site: Any = self.fields["site"]
        site.queryset = Site.objects.filter(operation=operation, is_active=True).select_related("admin_area")
        if group is None:
            del self.fields["version"]
        self.fields["kind"].widget.attrs["autofocus"] = True

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields if name != "version"}


class AddMemberForm(Styled, forms.Form):
    """A person joins the group: picked from the search (`person`) or typed by registration number."""

    person = forms.CharField(required=False, widget=forms.HiddenInput)  # set by a picked search result
    reference = forms.CharField(
        label=_("Registration number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "placeholder": "P-XXXX-XXXX-XXXX"}),
    )
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupRole.choices, initial=GroupRole.MEMBER)
    joined_on = _date(_("Joined on"))
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"joined_on": timezone.localdate(), "role": GroupRole.MEMBER})
        super().__init__(*args, **kwargs)

    def chosen(self) -> str:
        """The registration number picked or typed ('' when neither)."""
        data = self.cleaned_data
        return (data.get("person") or data.get("reference") or "").strip()


class EndForm(Styled, forms.Form):
    on = _date(_("Left on"))
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RoleForm(Styled, forms.Form):
    role = forms.ChoiceField(
        label=_("New role"), choices=[c for c in GroupRole.choices if c[0] != GroupRole.REPRESENTATIVE]
    )
    on = _date(_("From"))
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        kwargs.setdefault("prefix", "role")
        super().__init__(*args, **kwargs)


class RepresentativeForm(Styled, forms.Form):
    person = forms.ChoiceField(label=_("New representative"))
    former_role = forms.ChoiceField(
        label=_("The former representative's role from then on"),
        choices=[c for c in GroupRole.choices if c[0] != GroupRole.REPRESENTATIVE],
        initial=GroupRole.MEMBER,
    )
    on = _date(_("From"))
    note = _note()

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate(), "former_role": GroupRole.MEMBER})
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.choices = [
            (str(m.person_id), f"{m.person.reference} · {m.person} · {m.get_role_display()}")
            for m in members
            if m.role != GroupRole.REPRESENTATIVE
        ]


class AddHouseholdForm(Styled, forms.Form):
    household = forms.CharField(
        label=_("Household number"),
        max_length=32,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "placeholder": "HH-XXXX-XXXX-XXXX"}),
    )
    joined_on = _date(_("Part of the community since"))
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"joined_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class DissolveForm(Styled, forms.Form):
    on = _date(_("Dissolved on"))
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate(), "version": group.version})
        super().__init__(*args, **kwargs)
