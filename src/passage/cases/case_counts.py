"""Counts of cases for those who report on them (case.aggregate: caseworkers, M&E and data protection officers,
administrators): open cases, of which overdue, and closed cases, by programme, office, state or priority, and the
dashboard's tile.

Who is counted is the visibility rule's own reach (models.case_scope) for case.aggregate, over normal cases only: a
restricted case is in nobody's counts, its named staff's included, so that no two readers' counts differ by it and
no count says that one exists (decision 0019). Small cells are suppressed as every count is (core.exporting): under
the operation's threshold a count reads "<5". Totals are published, so a column with a single suppressed cell would
give it away by subtraction: its smallest published cell is suppressed too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passage.cases import procedure, queries
from passage.cases.access import VIEW
from passage.cases.models import Case, Priority, Sensitivity
from passage.cases.models.cases import case_scope
from passage.core import exporting
from passage.core.access import can
from passage.core.dashboard import Tile
from passage.core.models import Office, Operation, Programme

AGGREGATE = "case.aggregate"
DIMENSIONS = {
    "programme": gettext_lazy("Programme"),
    "office": gettext_lazy("Office"),
    "state": gettext_lazy("State"),
    "priority": gettext_lazy("Priority"),
}
_KEYS = {"programme": "programme_id", "office": "office_id", "state": "state", "priority": "priority"}
MEASURES = ("open", "overdue", "closed")
# A count at or over the threshold, hidden so that a single small count beside it cannot be worked out from a total.
HIDDEN = gettext_lazy("hidden")


def countable_cases(user: Any, operation: Operation) -> QuerySet[Case]:
    """The normal cases of `operation` within reach of the user's case.aggregate grants (their programmes and
    offices, as for case.view). Restricted cases are never counted."""
    cases = Case.objects.filter(operation=operation, sensitivity=Sensitivity.NORMAL)
    if not can(user, AGGREGATE, operation):
        return cases.none()
    if user.is_superuser:
        return cases
    scope, _operations = case_scope(user, AGGREGATE)
    return cases.filter(scope) if scope is not None else cases.none()


@dataclass(frozen=True)
class Figure:
    count: int | None  # None when suppressed
    shown: str  # the count, or "<5"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: dict[str, Figure]  # by measure

    @property
    def cells(self) -> list[tuple[str, Figure]]:
        return [(measure, self.figures[measure]) for measure in MEASURES]


@dataclass(frozen=True)
class CaseCounts:
    operation: Operation
    by: str
    threshold: int
    as_of: dt.datetime
    rows: list[Row]
    totals: dict[str, Figure]

    @property
    def total_cells(self) -> list[tuple[str, Figure]]:
        return [(measure, self.totals[measure]) for measure in MEASURES]

    @property
    def suppressed(self) -> int:
        return sum(1 for row in self.rows for figure in row.figures.values() if figure.count is None)

    def chart(self) -> dict[str, Any]:
        """A bar per row and measure, from the published figures only (suppressed ones are gaps)."""
        return {
            "labels": [row.label for row in self.rows],
            "series": [
                {
                    "key": measure,
                    "name": str(MEASURE_LABELS[measure]),
                    "data": [r.figures[measure].count for r in self.rows],
                }
                for measure in MEASURES
            ],
        }


MEASURE_LABELS = {
    "open": gettext_lazy("Open"),
    "overdue": gettext_lazy("Overdue"),
    "closed": gettext_lazy("Closed"),
}


def suppress_column(counts: list[int], threshold: int) -> list[Figure]:
    """A column of counts as published: under the threshold "<5", and when that leaves a single cell suppressed
    beside published ones, the smallest published one too (the column's total is published)."""
    figures = [Figure(*exporting.suppress(count, threshold)) for count in counts]
    hidden = [index for index, figure in enumerate(figures) if figure.count is None]
    shown = [index for index, figure in enumerate(figures) if figure.count is not None]
    if len(hidden) == 1 and shown:
        smallest = min(shown, key=lambda index: (counts[index], index))
        figures[smallest] = Figure(None, str(HIDDEN))
    return figures


def count_cases(
    *, acting_user: Any, operation: Operation, by: str = "programme", threshold: int | None = None, now: Any = None
) -> CaseCounts:
    """The read behind the counts page: needs case.aggregate. One GROUP BY in the database. A threshold may be
    raised above the operation's, never lowered below it."""
    if not can(acting_user, AGGREGATE, operation):
        raise PermissionDenied(AGGREGATE)
    problems: dict[str, list[str]] = {}
    if by not in DIMENSIONS:
        problems["by"] = [_("Count by programme, office, state or priority.")]
    if problem := exporting.threshold_problem(operation, threshold):
        problems["threshold"] = [problem]
    if problems:
        raise ValidationError(problems)
    limit = threshold or exporting.small_cell_threshold(operation)
    now = now or timezone.now()
    key = _KEYS[by]
    grouped = list(
        countable_cases(acting_user, operation)
        .order_by()
        .values(key)
        .annotate(
            open=Count("pk", filter=Q(closed_at__isnull=True)),
            overdue=Count("pk", filter=queries.overdue_filter(now)),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
        )
    )
    labels = _labels(by, [row[key] for row in grouped])
    if by == "priority":
        grouped.sort(key=lambda row: -int(row[key]))  # the most urgent first
    else:
        grouped.sort(key=lambda row: labels.get(row[key], str(row[key])).casefold())
    columns = {measure: suppress_column([row[measure] for row in grouped], limit) for measure in MEASURES}
    rows = [
        Row(str(row[key]), labels.get(row[key], str(row[key])), {m: columns[m][i] for m in MEASURES})
        for i, row in enumerate(grouped)
    ]
    totals = {measure: Figure(*exporting.suppress(sum(row[measure] for row in grouped), limit)) for measure in MEASURES}
    return CaseCounts(operation, by, limit, now, rows, totals)


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "programme":
        return dict(Programme.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "office":
        return dict(Office.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "priority":
        return {value: str(label) for value, label in Priority.choices}
    names = procedure.known_state_labels()
    return {key: names.get(key, key) for key in keys}


# --- the dashboard ------------------------------------------------------------------------------------------


def dashboard_tiles(user: Any, operation: Operation) -> list[Tile]:
    """Open cases: for those who see cases, what their caseload holds (their restricted cases included, as its tabs
    count them); for those who only count them, the operation's normal open cases, suppressed when small."""
    if can(user, VIEW, operation):
        counts = queries.tab_counts(user, operation)
        return [Tile("cases", _("Open cases"), counts["state"], "folder2-open", counts["overdue"], _("overdue"))]
    if not can(user, AGGREGATE, operation):
        return []
    threshold = exporting.small_cell_threshold(operation)
    figures = countable_cases(user, operation).aggregate(
        open=Count("pk", filter=Q(closed_at__isnull=True)),
        overdue=Count("pk", filter=queries.overdue_filter(timezone.now())),
    )
    open_count, open_shown = exporting.suppress(figures["open"] or 0, threshold)
    late_count, late_shown = exporting.suppress(figures["overdue"] or 0, threshold)
    value = open_shown if open_count is None else open_count
    late = late_shown if late_count is None else late_count
    return [Tile("cases", _("Open cases"), value, "folder2-open", late, _("overdue"))]
