"""Counts of cases as M&E officers and caseworkers read them: small cells suppressed (and a second one where a
single one would be worked out from the total), restricted cases in nobody's counts, each reader's programmes and
offices, the page with its chart, and the dashboard's tile."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from passage.cases.case_counts import count_cases, dashboard_tiles, suppress_column
from passage.cases.models import Case, Priority, Sensitivity
from passage.conftest import sign_in
from passage.core.tests.factories import member_of


@pytest.fixture
def threshold(settings):
    settings.SMALL_CELL_THRESHOLD = 3
    return 3


def shown(counted, measure="open"):
    return {row.label: row.figures[measure].shown for row in counted.rows}


def test_a_single_small_count_hides_the_smallest_other_one_too():
    assert [f.shown for f in suppress_column([9, 1, 4], 3)] == ["9", "<3", "hidden"]
    assert [f.shown for f in suppress_column([9, 1, 2], 3)] == ["9", "<3", "<3"]  # two already: enough
    assert [f.shown for f in suppress_column([1], 3)] == ["<3"]
    assert [f.shown for f in suppress_column([0, 0, 7], 3)] == ["<3", "<3", "7"]


def test_counts_by_programme_suppress_small_cells(
    threshold, persona, new_case, other_programme, office, operation, owner
):
    for _ in range(4):
        new_case()
    new_case(sensitivity=Sensitivity.RESTRICTED)  # never counted
    Case.objects.filter(pk=new_case().pk).update(programme=other_programme)
    late = new_case()
    Case.objects.filter(pk=late.pk).update(state_due_at=timezone.now() - timezone.timedelta(days=2))
    counted = count_cases(acting_user=persona("me_officer"), operation=operation, by="programme")
    assert shown(counted) == {"Protection": "hidden", "Protection (second)": "<3"}
    assert shown(counted, "overdue") == {"Protection": "<3", "Protection (second)": "<3"}
    assert counted.totals["open"].shown == "6" and counted.totals["closed"].shown == "<3"
    assert counted.suppressed == 6
    chart = counted.chart()
    assert chart["labels"] == ["Protection", "Protection (second)"]
    assert chart["series"][0] == {"key": "open", "name": "Open", "data": [None, None]}


def test_counts_by_priority_office_and_state(threshold, persona, new_case, operation):
    for _ in range(3):
        new_case(priority=Priority.URGENT)
    for _ in range(3):
        new_case()
    me_officer = persona("me_officer")
    assert shown(count_cases(acting_user=me_officer, operation=operation, by="priority")) == {
        "Urgent": "3",
        "Normal": "3",
    }
    assert [r.label for r in count_cases(acting_user=me_officer, operation=operation, by="priority").rows] == [
        "Urgent",
        "Normal",
    ]
    assert shown(count_cases(acting_user=me_officer, operation=operation, by="office")) == {"Erbil": "6"}
    assert shown(count_cases(acting_user=me_officer, operation=operation, by="state")) == {"Intake": "6"}


def test_restricted_cases_are_in_nobodys_counts_not_even_their_named_staffs(
    threshold, new_case, operation, owner, settings
):
    settings.SMALL_CELL_THRESHOLD = 1
    new_case()
    new_case(sensitivity=Sensitivity.RESTRICTED)
    new_case(sensitivity=Sensitivity.HIGHLY_RESTRICTED)
    assert count_cases(acting_user=owner, operation=operation).totals["open"].shown == "1"


def test_each_reader_counts_within_their_offices(threshold, new_case, operation, office, other_office, settings):
    settings.SMALL_CELL_THRESHOLD = 1
    new_case()
    far = new_case()
    Case.objects.filter(pk=far.pk).update(office=other_office)
    mosul_only = member_of(operation, "me_officer", offices=[other_office])
    assert shown(count_cases(acting_user=mosul_only, operation=operation, by="office")) == {"Mosul": "1"}


def test_who_may_count_and_what_may_be_asked(threshold, persona, operation, outsider):
    for refused in (persona("finance_officer"), persona("registration_clerk"), persona("data_officer"), outsider):
        with pytest.raises(PermissionDenied):
            count_cases(acting_user=refused, operation=operation)
    me_officer = persona("me_officer")
    with pytest.raises(ValidationError) as lowered:
        count_cases(acting_user=me_officer, operation=operation, threshold=2)
    assert "always suppressed" in lowered.value.message_dict["threshold"][0]
    with pytest.raises(ValidationError) as unknown:
        count_cases(acting_user=me_officer, operation=operation, by="caseworker")
    assert "by" in unknown.value.message_dict
    assert count_cases(acting_user=me_officer, operation=operation, threshold=10).threshold == 10


def test_the_tile_shows_a_caseload_to_caseworkers_and_suppressed_counts_to_me_officers(
    threshold, persona, new_case, operation, owner
):
    new_case()
    new_case(sensitivity=Sensitivity.RESTRICTED)
    (mine,) = dashboard_tiles(owner, operation)
    assert (mine.value, mine.sub) == (2, 0)  # the owner's caseload, their restricted case included
    (counted,) = dashboard_tiles(persona("me_officer"), operation)
    assert (counted.value, counted.sub) == ("<3", "<3")
    new_case()
    new_case()
    (counted,) = dashboard_tiles(persona("me_officer"), operation)
    assert counted.value == 3
    assert dashboard_tiles(persona("registration_clerk"), operation) == []


def test_me_officer_reads_the_counts_page_with_its_chart(client, threshold, persona, new_case):
    for _ in range(3):
        new_case()
    me_officer = persona("me_officer")
    sign_in(client, me_officer)
    page = client.get("/cases/counts/", {"by": "programme"}).content.decode()
    assert 'data-testid="case-counts"' in page and "Protection" in page and 'data-testid="total-open">3<' in page
    assert 'id="case-counts-chart"' in page and "echarts.min.js" in page and "case_counts.js" in page
    assert "Restricted cases are never counted here" in page
    refused = client.get("/cases/counts/", {"threshold": "1"}).content.decode()
    assert "always suppressed in this operation" in refused
    dashboard = client.get("/").content.decode()
    assert 'data-stat="open-cases">3<' in dashboard
    assert "/cases/counts/" in dashboard  # the navigation's entry
