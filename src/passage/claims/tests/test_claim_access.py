"""Who sees a claim: whoever sees its case — restricted claims only their named staff, another operation nobody;
lists and counts by the same rule, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from passage.cases.models import Sensitivity
from passage.claims.access import MANAGE, get_claim_for_user, get_source_for_user
from passage.claims.models import Claim
from passage.claims.queries import claim_detail, claims_for, count_claims, counts_by_capacity
from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of


def test_claims_officer_opens_a_claim_and_the_read_is_audited(claim, claims_officer):
    assert get_claim_for_user(claims_officer, claim.pk, need=MANAGE) == claim
    assert get_claim_for_user(claims_officer, claim.pk) == claim
    assert AuditEvent.objects.filter(action="claims.claim.read", object_id=str(claim.pk)).count() == 2


def test_outsider_cannot_learn_that_a_claim_exists(claim, outsider):
    with pytest.raises(Http404):
        get_claim_for_user(outsider, claim.pk)
    assert count_claims(outsider) == 0 and not claims_for(outsider).exists()


def test_caseworker_sees_a_claim_as_they_see_its_case_but_may_not_manage_it(claim, caseworker):
    assert get_claim_for_user(caseworker, claim.pk) == claim
    with pytest.raises(Http404):
        get_claim_for_user(caseworker, claim.pk, need=MANAGE)


def test_a_restricted_claim_is_seen_by_its_named_staff_only(file, claims_officer, operation, administrator):
    restricted = file(sensitivity=Sensitivity.RESTRICTED)
    normal = file()
    colleague = member_of(operation, "claims_officer")
    assert {claim.pk for claim in claims_for(claims_officer)} == {restricted.pk, normal.pk}
    for user in (colleague, administrator):
        assert [claim.pk for claim in claims_for(user)] == [normal.pk]
        assert count_claims(user) == 1
        with pytest.raises(Http404):
            get_claim_for_user(user, restricted.pk)
    assert counts_by_capacity(colleague) == {"victim": 1, "heir": 0, "representative": 0}


def test_verification_sources_are_for_those_who_keep_the_registry(tmp_path, operation, claims_officer, caseworker):
    from passage.claims.violation_actions import import_verification_source

    path = tmp_path / "list.csv"
    path.write_text("given_name,family_name\nNadia,Basee\n")
    source = import_verification_source(
        operation=operation,
        acting_user=claims_officer,
        name="List",
        provider="NGO",
        received_on=dt.date(2025, 1, 1),
        path=path,
    )
    assert get_source_for_user(claims_officer, source.pk) == source
    with pytest.raises(Http404):
        get_source_for_user(caseworker, source.pk)


def _list_queries(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        rows = [
            (claim.case.state, claim.claimant.reference, claim.victim.reference, claim.programme.name, claim.flag_count)
            for claim in claims_for(user)
        ]
    assert rows
    return len(captured)


def test_the_list_reads_a_fixed_number_of_queries(file, claims_officer, person):
    file(person)
    few = _list_queries(claims_officer)
    for _ in range(6):
        file()
    assert Claim.objects.count() == 7
    assert _list_queries(claims_officer) == few


def test_a_claim_with_everything_on_it_in_a_few_queries(claim, claims_officer, category, django_assert_max_num_queries):
    from passage.claims import actions

    for _ in range(3):
        actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    with django_assert_max_num_queries(8):
        detail = claim_detail(claim)
        lines = [
            (v.category.code, [r.code for r in v.category.checklist.all()], list(v.evidence.all()))
            for v in detail.violations.all()
        ]
        list(detail.flags.all()), list(detail.deficiency_notices.all())
    assert len(lines) == 3
