"""Who sees a case, as a matrix: the caseworker, a colleague of the same office, a colleague of another office,
someone limited to another programme, someone named on the case, an administrator, an outsider (administrator of
another operation), a registration clerk and an anonymous visitor — for normal, restricted and highly restricted
cases, in the list, the counts, search, the board, the case page, its fragments and the person's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from passage.cases import actions
from passage.cases.access import get_case_for_user
from passage.cases.models import Case, Sensitivity
from passage.cases.queries import CaseFilters, board, caseload, tab_counts
from passage.conftest import sign_in
from passage.core.tests.factories import member_of

PERSONAS = (
    "caseworker",
    "colleague_same_office",
    "colleague_other_office",
    "programme_limited",
    "named_staff",
    "administrator",
    "outsider",
    "registration_clerk",
    "anonymous",
)
SEES_NORMAL = {"caseworker", "colleague_same_office", "named_staff", "administrator"}
SEES_RESTRICTED = {"caseworker", "named_staff"}


@pytest.fixture
def people(operation, other_operation, office, other_office, other_programme, owner, colleague, far_colleague):
    return {
        "caseworker": owner,
        "colleague_same_office": colleague,
        "colleague_other_office": far_colleague,
        "programme_limited": member_of(operation, "caseworker", programmes=[other_programme]),
        "named_staff": member_of(operation, "caseworker", offices=[other_office]),
        "administrator": member_of(operation, "administrator"),
        "outsider": member_of(other_operation, "administrator"),
        "registration_clerk": member_of(operation, "registration_clerk"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def cases(new_case, people, owner):
    made = {}
    for sensitivity in Sensitivity.values:
        case = new_case(sensitivity=sensitivity)
        actions.grant_access(case=case, user=people["named_staff"], acting_user=owner, reason="specialist")
        made[sensitivity] = case
    return made


def expected(persona: str, sensitivity: str) -> bool:
    return persona in (SEES_NORMAL if sensitivity == Sensitivity.NORMAL else SEES_RESTRICTED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_counts_search_and_board_show_exactly_what_the_persona_may_see(
    persona, people, cases, operation, programme
):
    user = people[persona]
    should = {case.pk for sensitivity, case in cases.items() if expected(persona, sensitivity)}
    assert {case.pk for case in Case.objects.visible_to(user)} == should
    everything = caseload(user, operation, CaseFilters(tab="state"))
    assert {case.pk for case in everything} == should
    assert everything.count() == len(should)
    if persona != "anonymous":
        assert tab_counts(user, operation)["state"] == len(should)
        columns = board(user, operation, programme, [("intake", "Intake", False)])
        assert columns[0].count == len(should)
        assert {case.pk for case in columns[0].cards} == should
    for sensitivity, case in cases.items():
        found = caseload(user, operation, CaseFilters(tab="state", text=case.reference))
        assert found.exists() == expected(persona, sensitivity), (persona, sensitivity)


@pytest.mark.parametrize("sensitivity", Sensitivity.values)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_page_is_a_404_for_whoever_may_not_see_it(client, persona, sensitivity, people, cases):
    case = cases[sensitivity]
    user = people[persona]
    if expected(persona, sensitivity):
        assert get_case_for_user(user, case.pk) == case
    else:
        with pytest.raises(Http404):
            get_case_for_user(user, case.pk)
    if persona == "anonymous":
        assert client.get(f"/cases/{case.pk}/").status_code == 302
        return
    sign_in(client, user)
    status = client.get(f"/cases/{case.pk}/").status_code
    assert status == (200 if expected(persona, sensitivity) else 404)
    timeline = client.get(f"/cases/{case.pk}/?page=1", headers={"HX-Request": "true"}).status_code
    assert timeline == status
    note = client.post(f"/cases/{case.pk}/notes/", {"text": "hello"}).status_code
    assert note == (302 if expected(persona, sensitivity) else 404)


def test_the_persons_page_lists_only_the_cases_the_reader_may_see(client, people, cases, owner):
    person = cases[Sensitivity.RESTRICTED].person
    sign_in(client, people["administrator"])
    page = client.get(f"/registry/people/{person.pk}/").content.decode()
    assert cases[Sensitivity.RESTRICTED].reference not in page
    sign_in(client, owner)
    assert cases[Sensitivity.RESTRICTED].reference in client.get(f"/registry/people/{person.pk}/").content.decode()


def test_a_restricted_case_disappears_for_colleagues_once_restricted(people, new_case, owner):
    case = new_case()
    colleague = people["colleague_same_office"]
    assert Case.objects.visible_to(colleague).filter(pk=case.pk).exists()
    actions.set_sensitivity(
        case=case, sensitivity=Sensitivity.RESTRICTED, acting_user=owner, version=case.version, reason="survivor"
    )
    assert not Case.objects.visible_to(colleague).filter(pk=case.pk).exists()


def test_a_named_person_who_leaves_the_operation_no_longer_sees_it(people, cases, operation):
    from passage.core.actions import revoke_membership

    named = people["named_staff"]
    membership = named.memberships.get()
    revoke_membership(membership=membership, acting_user=None)
    fresh = type(named).objects.get(pk=named.pk)  # a new request: grants are read again
    assert not Case.objects.visible_to(fresh).exists()


def test_a_superuser_sees_normal_cases_but_not_restricted_ones_unless_named(cases, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "a long password 123")
    seen = set(Case.objects.visible_to(root).values_list("sensitivity", flat=True))
    assert seen == {Sensitivity.NORMAL}


def test_a_case_of_another_office_is_seen_by_its_named_caseworker(new_case, people, other_office, owner):
    """The caseworker is always named: a case moved to an office outside their membership stays theirs."""
    case = new_case()
    Case.objects.filter(pk=case.pk).update(office=other_office)
    assert Case.objects.visible_to(owner).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(people["colleague_same_office"]).filter(pk=case.pk).exists()
