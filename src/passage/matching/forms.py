"""HTML forms of the review of duplicates. They validate shape; the rules live in the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.core.forms import Styled
from passage.core.models import Office, Operation
from passage.matching.bulk_actions import MAX_SAMPLE_SHARE
from passage.matching.models import Band, Decision, MatchRun, MatchSettings
from passage.matching.queries import VIEWS, QueueFilters, imports_with_pairs
from passage.registry.models import RegistrationImport

VIEW_LABELS = {
    "open": _("To review"),
    "to_check": _("Quality checks"),
    "unsure": _("Escalated (unsure)"),
    "same": _("Same person"),
    "different": _("Different people"),
    "all": _("All"),
}


class QueueFilterForm(Styled, forms.Form):
    view = forms.ChoiceField(label=_("Show"), required=False, choices=[(v, VIEW_LABELS[v]) for v in VIEWS])
    band = forms.ChoiceField(label=_("Band"), required=False, choices=[("", _("Both bands")), *Band.choices])
    run = forms.ModelChoiceField(label=_("Run"), required=False, queryset=MatchRun.objects.none(), empty_label=_("Any"))
    office = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=Office.objects.none(), empty_label=_("Any")
    )
    registration_import = forms.ModelChoiceField(
        label=_("Import"), required=False, queryset=RegistrationImport.objects.none(), empty_label=_("Any")
    )

    def __init__(self, *args: Any, operation: Operation, runs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = runs  # type: ignore[attr-defined]
        self.fields["run"].label_from_instance = lambda run: run.created_at.strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
        self.fields["office"].queryset = Office.objects.filter(operation=operation).order_by("name")  # type: ignore[attr-defined]
        imports: Any = self.fields["registration_import"]
        imports.queryset = imports_with_pairs(operation)
        imports.label_from_instance = lambda item: item.filename

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            view=data.get("view") or "open",
            band=data.get("band") or "",
            run=data.get("run"),
            office=data.get("office"),
            registration_import=data.get("registration_import"),
        )


class DecideForm(Styled, forms.Form):
    decision = forms.ChoiceField(choices=[(Decision.DIFFERENT, _("Different people")), (Decision.UNSURE, _("Unsure"))])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("For an escalation: what a second look should settle."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.UNSURE and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why you are unsure, for whoever looks next."))
        return data


class UndoForm(Styled, forms.Form):
    note = forms.CharField(
        label=_("Why is this merge undone?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    keep_later_changes = forms.BooleanField(
        label=_("Undo anyway, and keep the changes made after the merge as they are"), required=False
    )


class BulkForm(Styled, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decide"),
        choices=[(Decision.SAME, _("Same person: merge each pair")), (Decision.DIFFERENT, _("Different people"))],
    )
    min_probability = forms.FloatField(
        label=_("Pairs from probability"),
        min_value=0.01,
        max_value=1,
        required=False,
        initial=0.99,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=_("Only the open pairs shown by the filters above, from this probability up."),
    )
    sample_percent = forms.FloatField(
        label=_("Set aside for a quality check (%)"),
        min_value=0,
        max_value=MAX_SAMPLE_SHARE * 100,
        initial=5,
        widget=forms.NumberInput(attrs={"step": "1"}),
        help_text=_("A random share of the pairs is left for another person to decide: their agreement measures it."),
    )
    seed = forms.IntegerField(label=_("Seed of the sample"), min_value=1, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.TextInput(attrs={"dir": "auto"})
    )


class SettingsForm(Styled, forms.Form):
    """The bands; whether they hold together is set_match_settings' to say."""

    probable_threshold = forms.FloatField(
        label=_("Probable duplicate from"),
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=_("Pairs from this probability up are probable duplicates."),
    )
    review_threshold = forms.FloatField(
        label=_("Needs review from"),
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=_("Pairs from this probability up (and below the first) need a look."),
    )
    import_ceiling_share = forms.FloatField(
        label=_("Largest share of duplicates in an import"),
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=_("An import whose share of people in probable pairs passes this is held for review."),
    )

    @classmethod
    def initial_from(cls, config: MatchSettings) -> dict[str, float]:
        return {
            "probable_threshold": config.probable_threshold,
            "review_threshold": config.review_threshold,
            "import_ceiling_share": config.import_ceiling_share,
        }
