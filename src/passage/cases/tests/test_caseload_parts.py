"""What a person sees, counted part by part (CaseQuerySet.visible_parts): the parts never overlap and together are
exactly visible_to, so the caseload's pages, its tab counts and its states count the same cases as before, for
every persona; and the case page's pickers offer only the people a change accepts."""

from __future__ import annotations

import pytest

from passage.cases import actions, queries
from passage.cases.models import Case, Sensitivity
from passage.conftest import sign_in
from passage.core.tests.factories import member_of


@pytest.fixture
def people(operation, other_operation, other_office, other_programme, owner, colleague, far_colleague):
    return {
        "owner": owner,
        "colleague": colleague,
        "far_colleague": far_colleague,
        "programme_limited": member_of(operation, "caseworker", programmes=[other_programme]),
        "administrator": member_of(operation, "administrator"),
        "outsider": member_of(other_operation, "administrator"),
    }


@pytest.fixture
def cases(new_case, owner, colleague, far_colleague, people, other_office, programme, operation):
    from passage.cases.tests.conftest import register_person

    made = [
        new_case(),
        new_case(sensitivity=Sensitivity.RESTRICTED),
        new_case(sensitivity=Sensitivity.HIGHLY_RESTRICTED, caseworker=colleague),
        actions.open_case(
            acting_user=far_colleague,
            programme=programme,
            office=other_office,
            person=register_person(operation, other_office, "Noor"),
        ),
    ]
    actions.grant_access(case=made[1], user=far_colleague, acting_user=owner, reason="speaks Kurmanji")
    actions.grant_access(case=made[2], user=owner, acting_user=colleague, reason="covers")
    actions.close_case(case=new_case(), acting_user=owner, reason="moved")
    return made


def _ids(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "name", ["owner", "colleague", "far_colleague", "programme_limited", "administrator", "outsider"]
)
def test_the_parts_are_what_a_person_sees_and_counts_add_up(people, cases, operation, name):
    user = people[name]
    seen = _ids(Case.objects.visible_to(user))
    parts = [_ids(part) for part in Case.objects.visible_parts(user)]
    assert set().union(*parts) == seen
    if parts:
        assert not parts[0] & parts[1]
    for tab in (*queries.TABS, "all"):
        for status in ("open", "closed", "all"):
            listed = queries.caseload(user, operation, queries.CaseFilters(tab=tab, status=status))
            assert listed.count() == len(list(listed)), (tab, status)
    open_seen = Case.objects.visible_to(user).filter(operation=operation, closed_at__isnull=True)
    counts = queries.tab_counts(user, operation)
    assert counts["state"] == open_seen.count()
    assert counts["mine"] == open_seen.filter(caseworker=user).count()
    assert queries.states_in_use(user, operation) == ([("intake", open_seen.count())] if open_seen.exists() else [])


def test_the_case_page_offers_only_the_people_a_change_accepts(client, case, owner, colleague, far_colleague):
    page = sign_in(client, owner).get(f"/cases/{case.pk}/").content.decode()
    assign = page[page.index('name="caseworker"') : page.index("</select>", page.index('name="caseworker"'))]
    assert colleague.get_username() in assign and far_colleague.get_username() not in assign  # Mosul's
    task = page[page.index('name="assignee"') : page.index("</select>", page.index('name="assignee"'))]
    assert colleague.get_username() in task and far_colleague.get_username() not in task
    named = page[page.index('name="user"') : page.index("</select>", page.index('name="user"'))]
    assert far_colleague.get_username() in named  # anyone of the operation may be named on a case
