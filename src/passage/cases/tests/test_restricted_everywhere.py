"""Issue 5: "restricted cases stay invisible to others in every list, search, count and export". A matrix: for each
persona — the caseworker, staff named on the case, a colleague of the same office not named, a colleague of another
office, someone limited to another programme, an administrator not named, an M&E officer, an outsider and an
anonymous visitor — a restricted case is in the caseload, a search by its number and by its person's name, the
board, the caseload's counts, the counts page, an export (its CSV read back) and the dashboard's tile exactly when
the persona is named on it; and it is in no count of cases for anyone (decision 0019)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import pyzipper
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from passage.cases import actions
from passage.cases.case_counts import count_cases
from passage.cases.case_exports import CaseExportRequest, export_cases
from passage.cases.models import Sensitivity
from passage.cases.queries import CaseFilters, board, caseload, tab_counts
from passage.cases.tests.conftest import register_person
from passage.conftest import sign_in
from passage.core.dashboard import tiles_for
from passage.core.jobs import open_result
from passage.core.tests.factories import member_of

PASSWORD = "correct horse battery"
PERSONAS = (
    "caseworker",
    "named_staff",
    "colleague_same_office",
    "colleague_other_office",
    "programme_limited",
    "administrator",
    "me_officer",
    "outsider",
    "anonymous",
)
# What each persona sees of the two cases: N (normal, Erbil) and R (restricted, Erbil, one colleague of Mosul named).
SEES = {
    "caseworker": {"N", "R"},
    "named_staff": {"R"},
    "colleague_same_office": {"N"},
    "administrator": {"N"},
}
# Normal cases within reach of each persona's case.aggregate: R is nobody's count. None: may not count.
COUNTS = {
    "caseworker": 1,
    "named_staff": 0,
    "colleague_same_office": 1,
    "colleague_other_office": 0,
    "programme_limited": 0,
    "administrator": 1,
    "me_officer": 1,
}
EXPORTERS = {
    "caseworker",
    "named_staff",
    "colleague_same_office",
    "colleague_other_office",
    "programme_limited",
    "administrator",
}


@pytest.fixture
def world(operation, other_operation, office, other_office, other_programme, owner, colleague, far_colleague, new_case):
    people = {
        "caseworker": owner,
        "named_staff": member_of(operation, "caseworker", offices=[other_office]),
        "colleague_same_office": colleague,
        "colleague_other_office": far_colleague,
        "programme_limited": member_of(operation, "caseworker", programmes=[other_programme]),
        "administrator": member_of(operation, "administrator"),
        "me_officer": member_of(operation, "me_officer"),
        "outsider": member_of(other_operation, "administrator"),
        "anonymous": AnonymousUser(),
    }
    normal = new_case(register_person(operation, office, "Noor"))
    restricted = new_case(register_person(operation, office, "Rasha"), sensitivity=Sensitivity.RESTRICTED)
    actions.grant_access(case=restricted, user=people["named_staff"], acting_user=owner, reason="lawyer")
    return people, {"N": normal, "R": restricted}


def exported(job: Any) -> set[str]:
    with pyzipper.AESZipFile(io.BytesIO(open_result(job).read())) as archive:
        archive.setpassword(PASSWORD.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    return {row[0] for row in list(csv.reader(io.StringIO(text)))[1:]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_restricted_case_is_seen_and_counted_only_as_the_rule_says(
    persona, world, operation, programme, settings, django_capture_on_commit_callbacks
):
    settings.SMALL_CELL_THRESHOLD = 1  # every count shown as it is: the matrix reads exact figures
    people, cases = world
    user, sees = people[persona], SEES.get(persona, set())
    restricted = cases["R"]
    seen = {cases[key].reference for key in sees}

    # Lists and search: the caseload of every tab, a search by case number and by the person's name.
    listed = caseload(user, operation, CaseFilters(tab="state", status="all"))
    assert {case.reference for case in listed} == seen
    for text in (restricted.reference, "Rasha"):
        assert caseload(user, operation, CaseFilters(tab="state", text=text)).exists() == ("R" in sees), text

    # The board and the caseload's own counts.
    if persona != "anonymous":
        assert tab_counts(user, operation)["state"] == len(sees)
        (column,) = board(user, operation, programme, [("intake", "Intake", False)])
        assert column.count == len(sees) and {case.reference for case in column.cards} == seen

    # Counts of cases: restricted cases are nobody's count.
    if persona in COUNTS:
        counted = count_cases(acting_user=user, operation=operation, by="programme")
        assert (counted.totals["open"].count or 0) == COUNTS[persona]
    else:
        with pytest.raises(PermissionDenied):
            count_cases(acting_user=user, operation=operation)

    # An export, protected (so that restricted cases may be in it), read back.
    if persona in EXPORTERS:
        with django_capture_on_commit_callbacks(execute=True):
            job = export_cases(
                acting_user=user,
                operation=operation,
                request=CaseExportRequest(filters=CaseFilters(tab="state", status="all"), password=PASSWORD),
            )
        job.refresh_from_db()
        assert job.state == "succeeded", job.errors
        assert exported(job) == seen
    else:
        with pytest.raises(PermissionDenied):
            export_cases(acting_user=user, operation=operation, request=CaseExportRequest(password=PASSWORD))

    # The dashboard's tile: a caseload for those who see cases, the counts for those who count them.
    tiles = {tile.key: tile for tile in tiles_for(user, operation)}
    if persona in SEES or persona in EXPORTERS:
        assert tiles["cases"].value == len(sees)
    elif persona in COUNTS:
        assert tiles["cases"].value == COUNTS[persona]
    else:
        assert "cases" not in tiles


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_shows_a_restricted_case_to_anyone_not_named(persona, world, client, settings):
    settings.SMALL_CELL_THRESHOLD = 1
    people, cases = world
    restricted = cases["R"]
    named = "R" in SEES.get(persona, set())
    pages = [
        "/cases/?tab=state&status=all",
        f"/cases/?tab=state&q={restricted.reference}",
        "/cases/?tab=state&q=Rasha",
        "/cases/board/",
        "/cases/export/?tab=state&status=all",
        "/cases/counts/",
        "/",
    ]
    if persona == "anonymous":
        assert all(client.get(page).status_code == 302 for page in pages)
        return
    sign_in(client, people[persona])
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 403), page
        shown = str(restricted.pk) in response.content.decode()  # a link to it (its number may be the search)
        assert shown == (named and page in pages[:4]), page
    export_page = client.get("/cases/export/", {"tab": "state", "status": "all"})
    if export_page.status_code == 200:
        sees = len(SEES.get(persona, set()))
        text = "1 case you may see matches" if sees == 1 else f"{sees} cases you may see match"
        assert text in export_page.content.decode()
