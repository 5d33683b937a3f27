"""The HTML forms of the assessment pages: uploading an XLSForm, importing Kobo/ODK submissions, a DoMV factor
table, a determination and its review, a programme's bands and RSS weights. Each only shapes input for one
action (assessment_actions, form_imports, vulnerability_actions, reintegration_actions), which checks it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from passage.cases.models import DomvFactor, FactorKind
from passage.cases.scoring import DIMENSIONS, MAX_BANDS
from passage.cases.vulnerability_actions import FactorInput
from passage.cases.xlsform.reader import SUFFIXES


def _style(form: forms.Form) -> None:
    """Bootstrap's classes, as passage.core.forms.Styled gives them, on fields declared and added at run time."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class FormUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm file"), help_text=_("An XLSForm workbook (.xlsx, .xls) or CSV, as for KoboToolbox or ODK.")
    )
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=64,
        help_text=_(
            "The code the workflows name (e.g. vulnerability_domv, rss). Empty: the form's ID. Uploading to a code "
            "that exists makes a new version of that form."
        ),
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)

    def __init__(self, *args: Any, codes: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = sorted((codes or {}).items())
        self.fields["file"].widget.attrs["accept"] = ",".join(SUFFIXES)
        self.fields["code"].widget.attrs.update({"list": "form-codes", "autocomplete": "off", "dir": "ltr"})
        _style(self)


class FormImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export of submissions"),
        help_text=_("From KoboToolbox (CSV or XLSX, with its repeat sheets) or ODK Central (the ZIP)."),
    )
    link_field = forms.ChoiceField(
        label=_("Field holding the case number"),
        help_text=_(
            "Each submission is added to the case whose number (or the person whose registration number) "
            "this field holds."
        ),
    )

    def __init__(self, *args: Any, fields: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        link: Any = self.fields["link_field"]
        link.choices = [(name, f"{label} ({name})" if label != name else name) for name, label in fields]
        guessed = next((name for name, _label in fields if "case" in name or "reference" in name), None)
        if guessed:
            self.initial.setdefault("link_field", guessed)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,.zip"
        _style(self)


KIND_CHOICES = [("", _("Not assessed")), *FactorKind.choices]
SEVERITY_CHOICES = [("", "—"), ("1", _("1 – low")), ("2", _("2 – moderate")), ("3", _("3 – high"))]


class FactorTableForm(forms.Form):
    """Every factor of some levels as a row: risk, protective or neutral, a severity and a note."""

    assessed_on = forms.DateField(label=_("Date of assessment"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, factors: Iterable[DomvFactor] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factors = list(factors)
        for factor in self.factors:
            small = {"class": "form-select form-select-sm"}
            self.fields[f"{factor.code}__kind"] = forms.ChoiceField(
                label=factor.label, choices=KIND_CHOICES, required=False, widget=forms.Select(attrs=small)
            )
            self.fields[f"{factor.code}__severity"] = forms.ChoiceField(
                label=_("Severity"), choices=SEVERITY_CHOICES, required=False, widget=forms.Select(attrs=small)
            )
            self.fields[f"{factor.code}__note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=2000,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "dir": "auto"}),
            )
        _style(self)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "factor": factor,
                "kind": self[f"{factor.code}__kind"],
                "severity": self[f"{factor.code}__severity"],
                "note": self[f"{factor.code}__note"],
            }
            for factor in self.factors
        ]

    def factor_inputs(self) -> list[FactorInput]:
        """The rated rows (a row left "not assessed" is not a rating)."""
        rated = []
        for factor in self.factors:
            kind = self.cleaned_data.get(f"{factor.code}__kind") or ""
            if not kind:
                continue
            severity = self.cleaned_data.get(f"{factor.code}__severity") or ""
            rated.append(
                FactorInput(
                    code=factor.code,
                    kind=kind,
                    severity=int(severity) if severity else None,
                    note=self.cleaned_data.get(f"{factor.code}__note") or "",
                )
            )
        return rated


class PlaceForm(FactorTableForm):
    """A community's or a country's factors: the place is an area (by P-code) or a country."""

    pcode = forms.CharField(label=_("Area (P-code)"), required=False, max_length=32)
    country = forms.CharField(label=_("Or the whole country (ISO code)"), required=False, max_length=2)

    field_order = ["pcode", "country", "assessed_on", "summary"]


class DeterminationForm(forms.Form):
    band = forms.ChoiceField(label=_("Band"))
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What in the factors, read against the community and structural context, leads to this band."),
    )

    def __init__(self, *args: Any, bands: Sequence[dict[str, Any]] = (), suggested: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        band: Any = self.fields["band"]
        band.choices = [(item["code"], str(item["label"])) for item in bands]
        if suggested:
            self.initial.setdefault("band", suggested)
        _style(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm the determination")), ("return", _("Return it for another look"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class BandsForm(forms.Form):
    """Up to MAX_BANDS rows of code, name and the score the band starts from (the first: anything below)."""

    note = forms.CharField(label=_("Why these bands"), required=False, max_length=500)

    def __init__(self, *args: Any, bands: Sequence[dict[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, MAX_BANDS + 1):
            current = bands[index - 1] if index <= len(bands) else {}
            self.fields[f"band_{index}_code"] = forms.CharField(
                label=_("Code"), required=False, max_length=40, initial=current.get("code", "")
            )
            self.fields[f"band_{index}_label"] = forms.CharField(
                label=_("Name"), required=False, max_length=100, initial=str(current.get("label", ""))
            )
            start = current.get("from")
            self.fields[f"band_{index}_from"] = forms.CharField(
                label=_("From a score of"), required=False, max_length=20, initial="" if start is None else start
            )
        _style(self)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "index": index,
                "code": self[f"band_{index}_code"],
                "label": self[f"band_{index}_label"],
                "from": self[f"band_{index}_from"],
            }
            for index in range(1, MAX_BANDS + 1)
        ]

    def bands(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"code": data[f"band_{i}_code"], "label": data[f"band_{i}_label"], "from": data[f"band_{i}_from"]}
            for i in range(1, MAX_BANDS + 1)
        ]


class WeightsForm(forms.Form):
    """The three dimensions' weights and each indicator's, as in force; the source of the weights."""

    source = forms.CharField(
        label=_("Source of the weights"),
        max_length=300,
        help_text=_("e.g. IOM Reintegration Handbook (2019), annex 4; or the programme's decision."),
    )

    def __init__(self, *args: Any, weights: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weights = weights or {}
        self.layout: list[tuple[str, str, list[str]]] = []
        for dimension in DIMENSIONS:
            name = f"dimension__{dimension}"
            self.fields[name] = forms.CharField(
                label=dimension, max_length=20, initial=weights.get("dimensions", {}).get(dimension, 1)
            )
            indicators = []
            for indicator, weight in (weights.get("indicators", {}).get(dimension) or {}).items():
                key = f"indicator__{dimension}__{indicator}"
                self.fields[key] = forms.CharField(label=indicator, max_length=20, initial=weight)
                indicators.append(key)
            self.layout.append((dimension, name, indicators))
        _style(self)

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"dimension": dimension, "weight": self[name], "indicators": [self[key] for key in keys]}
            for dimension, name, keys in self.layout
        ]

    def weights(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "dimensions": {dimension: data[name] for dimension, name, _keys in self.layout},
            "indicators": {
                dimension: {key.rsplit("__", 1)[1]: data[key] for key in keys} for dimension, _name, keys in self.layout
            },
        }
