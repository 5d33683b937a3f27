"""How assessments are scored (no database here): vulnerability bands (DoMV) and the Reintegration
Sustainability Survey's weighted scores (RSS), and reading DoMV factors out of a form's answers.

DoMV. IOM publishes no numeric vulnerability score: the model is a professional judgement on a scale
(shared/reference/domain.md 1.3). Passage reads an assessment's net score (each risk factor's severity, minus
each protective factor's) against bands a programme sets; a person decides the band, with the rationale, and a
second person reviews it. DEFAULT_BANDS are used until a programme sets its own, and say so on the page.

RSS. Each answer is recoded by the form to 0–1 (1 the best outcome) in a calculate `r_<indicator>`; a dimension's
score is the weighted mean of its indicators' recoded answers, the composite the weighted mean of the dimensions
(domain.md 2.3). IOM's published weights are in the Reintegration Handbook's annex 4 and are not invented here:
DEFAULT_RSS_WEIGHTS weigh every indicator and dimension 1 (an unweighted mean) until a programme loads the
annex's weights as a new version. A form may mark an indicator as not applying to this person with a calculate
`w_<indicator>` of 0 (no school-age children, say): the indicator's weight is multiplied by it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passage.cases.xlsform.library import rss as rss_form

# --- DoMV bands ---------------------------------------------------------------------------------------------

# Bands by net score (from a score up; the first takes anything below the second). Domain.md 1.4 leaves the
# ordinal result to the programme; these are a starting point a programme replaces.
DEFAULT_BANDS: list[dict[str, Any]] = [
    {"code": "low", "label": gettext_lazy("Low"), "from": None},
    {"code": "medium", "label": gettext_lazy("Medium"), "from": 3},
    {"code": "high", "label": gettext_lazy("High"), "from": 8},
    {"code": "critical", "label": gettext_lazy("Critical"), "from": 15},
]
MAX_BANDS = 8
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def clean_bands(rows: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Bands as stored (codes, labels, thresholds rising), and the problems by field (`bands.2.from`)."""
    bands: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows, start=1):
        code = str(row.get("code") or "").strip().lower()
        label = str(row.get("label") or "").strip()
        raw = row.get("from")
        if not code and not label and raw in (None, ""):
            continue  # an empty row of the page's table
        where = f"bands.{index}"
        if not _CODE.match(code):
            errors[f"{where}.code"] = _("Use lower-case letters, digits and _ (up to 40), starting with a letter.")
        if not label or len(label) > 100:
            errors[f"{where}.label"] = _("Give the band a name (up to 100 characters).")
        threshold: float | None = None
        if bands and raw in (None, ""):
            errors[f"{where}.from"] = _("Say from which score this band starts.")
        elif raw not in (None, ""):
            try:
                threshold = float(raw)
            except (TypeError, ValueError):
                errors[f"{where}.from"] = _("Enter a number.")
            else:
                if not math.isfinite(threshold):
                    errors[f"{where}.from"] = _("Enter a number.")
                elif not bands:
                    threshold = None  # the lowest band takes everything below the next
        if bands and threshold is not None:
            before = [band["from"] for band in bands if band["from"] is not None]
            if before and threshold <= before[-1]:
                errors[f"{where}.from"] = _("Each band starts above the one before.")
        if any(band["code"] == code for band in bands):
            errors[f"{where}.code"] = _("Two bands have this code.")
        bands.append({"code": code, "label": label, "from": threshold})
    if len(bands) < 2:
        errors.setdefault("bands", _("Set at least two bands."))
    elif len(bands) > MAX_BANDS:
        errors.setdefault("bands", _("Set at most %(n)s bands.") % {"n": MAX_BANDS})
    return bands, errors


def band_for(score: float | None, bands: Sequence[Mapping[str, Any]]) -> str:
    """The code of the band a score falls in ("" without a score)."""
    if score is None or not bands:
        return ""
    chosen = str(bands[0]["code"])
    for band in bands[1:]:
        start = band.get("from")
        if start is not None and score >= float(start):
            chosen = str(band["code"])
    return chosen


# --- DoMV factors from a form's answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class FactorAnswer:
    code: str
    kind: str  # risk, protective, neutral
    severity: int | None
    note: str


def factors_in_form(field_names: Iterable[str], codes: Iterable[str]) -> list[str]:
    """The catalogue's factors a form asks about: those with a `<code>_polarity` question."""
    names = set(field_names)
    return [code for code in codes if f"{code}_polarity" in names]


def factors_from_answers(answers: Mapping[str, Any], codes: Iterable[str]) -> list[FactorAnswer]:
    """The factors a DoMV form's answers rate (`<code>_polarity` risk / protective / neutral, `<code>_severity`
    1–3, `<code>_note`); a factor left empty or "not assessed" is not rated."""
    found = []
    for code in codes:
        kind = str(answers.get(f"{code}_polarity") or "")
        if kind not in ("risk", "protective", "neutral"):
            continue
        severity: int | None = None
        if kind != "neutral":
            try:
                severity = int(str(answers.get(f"{code}_severity")))
            except ValueError:
                continue  # the form requires a severity; an answer without one rates nothing
            if not 1 <= severity <= 3:
                continue
        found.append(FactorAnswer(code, kind, severity, str(answers.get(f"{code}_note") or "").strip()))
    return found


def net_score(ratings: Iterable[tuple[str, int | None]]) -> int:
    """Risk severities minus protective severities."""
    total = 0
    for kind, severity in ratings:
        if kind == "risk":
            total += int(severity or 0)
        elif kind == "protective":
            total -= int(severity or 0)
    return total


# --- RSS ----------------------------------------------------------------------------------------------------

DIMENSIONS = ("economic", "social", "psychosocial")
RECODED_PREFIX = "r_"
APPLIES_PREFIX = "w_"
DEFAULT_RSS_SOURCE = "Unweighted (every indicator and dimension 1) until the handbook annex's weights are loaded"


def default_rss_weights() -> dict[str, Any]:
    """Every indicator of the sample RSS form (domain.md 2.2) and every dimension weighing 1."""
    return {
        "dimensions": dict.fromkeys(DIMENSIONS, 1.0),
        "indicators": {
            dimension: {name: 1.0 for name, *_rest in rss_form.DIMENSIONS[dimension][1]} for dimension in DIMENSIONS
        },
    }


def clean_rss_weights(weights: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Weights as stored, and the problems by field (`indicators.economic.econ_food`)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {"dimensions": {}, "indicators": {}}

    def number(value: Any, where: str) -> float:
        try:
            weight = float(value)
        except (TypeError, ValueError):
            errors[where] = _("Enter a number.")
            return 0.0
        if not math.isfinite(weight) or weight < 0:
            errors[where] = _("Enter a number of zero or more.")
            return 0.0
        return weight

    dimensions = weights.get("dimensions") or {}
    indicators = weights.get("indicators") or {}
    for dimension in DIMENSIONS:
        out["dimensions"][dimension] = number(dimensions.get(dimension, 0), f"dimensions.{dimension}")
        rows = indicators.get(dimension) or {}
        cleaned: dict[str, float] = {}
        for name, value in rows.items():
            name = str(name).strip()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}", name):
                errors[f"indicators.{dimension}"] = _("“%(name)s” is not a field name of a form.") % {"name": name}
                continue
            cleaned[name] = number(value, f"indicators.{dimension}.{name}")
        if not any(cleaned.values()):
            errors.setdefault(f"indicators.{dimension}", _("Give at least one indicator of this dimension a weight."))
        out["indicators"][dimension] = cleaned
    for dimension in set(dimensions) - set(DIMENSIONS):
        errors[f"dimensions.{dimension}"] = _("The RSS has three dimensions: economic, social and psychosocial.")
    if not any(out["dimensions"].values()):
        errors.setdefault("dimensions", _("Give at least one dimension a weight."))
    return out, errors


@dataclass(frozen=True)
class RssResult:
    dimensions: dict[str, float | None]
    composite: float | None
    indicators: dict[str, list[float]]  # indicator -> [recoded answer, weight used]


def _number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def rss_scores(answers: Mapping[str, Any], weights: Mapping[str, Any], *, digits: int = 3) -> RssResult:
    """Dimension and composite scores (0–1) of one survey: a dimension without any answered indicator has no
    score, and the composite is the weighted mean of the dimensions that have one."""
    used: dict[str, list[float]] = {}
    dimensions: dict[str, float | None] = {}
    for dimension in DIMENSIONS:
        total = weight_sum = 0.0
        for name, weight in (weights.get("indicators", {}).get(dimension) or {}).items():
            recoded = _number(answers.get(f"{RECODED_PREFIX}{name}"))
            applies = _number(answers.get(f"{APPLIES_PREFIX}{name}"))
            effective = float(weight) * (1.0 if applies is None else max(applies, 0.0))
            if recoded is None or effective <= 0:
                continue
            recoded = min(max(recoded, 0.0), 1.0)
            used[name] = [recoded, effective]
            total += effective * recoded
            weight_sum += effective
        dimensions[dimension] = round(total / weight_sum, digits) if weight_sum else None
    total = weight_sum = 0.0
    for dimension, score in dimensions.items():
        weight = float(weights.get("dimensions", {}).get(dimension, 0))
        if score is not None and weight > 0:
            total += weight * score
            weight_sum += weight
    composite = round(total / weight_sum, digits) if weight_sum else None
    return RssResult(dimensions, composite, used)
