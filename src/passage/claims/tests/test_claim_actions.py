"""Claims through their actions, by the people who use them: a claims officer takes in claims, adds the
violations and evidence, checks completeness and sends deficiency notices; a caseworker and an outsider may not;
an administrator may."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from passage.cases.models import Case, ClosureReason
from passage.claims import actions
from passage.claims.completeness import completeness, heir_shares
from passage.claims.models import Capacity, Claim, DuplicateFlag, FlagKind, ShareRule
from passage.claims.queries import claims_for, heirs_share_total
from passage.claims.tests.conftest import add_document, register_person
from passage.claims.violation_actions import RequirementInput, create_category
from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, ProgrammeFactory
from passage.registry.person_actions import set_person_status

# --- filing -------------------------------------------------------------------------------------------------


def test_claims_officer_files_a_claim_carried_by_a_case(claim, claims_officer, person):
    case = claim.case
    assert case.workflow_code == "reparation_claims" and case.state == "received"
    assert case.person == person and case.caseworker == claims_officer
    assert claim.reference == case.reference
    assert re.fullmatch(rf"REP-{timezone.localdate().year}-\d{{6}}", claim.reference)
    assert claim.capacity == Capacity.VICTIM and claim.victim == person
    assert case.tasks.filter(title__startswith="Register the claim").exists()  # the workflow's first task
    assert AuditEvent.objects.filter(action="claim.file", object_id=str(claim.pk)).exists()
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).exists()


def test_administrator_files_a_claim(file, administrator):
    assert file(acting_user=administrator).case.caseworker == administrator


def test_caseworker_and_outsider_may_not_file_claims(file, caseworker, outsider):
    for user in (caseworker, outsider):
        with pytest.raises(PermissionDenied):
            file(acting_user=user)
    assert not Claim.objects.exists() and not Case.objects.exists()


def test_people_of_another_operation_are_refused(file, other_operation, person):
    stranger = register_person(other_operation, OfficeFactory(operation=other_operation), "Layla")
    with pytest.raises(ValidationError) as refused:
        file(stranger)
    assert "claimant" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        file(person, capacity=Capacity.REPRESENTATIVE, victim=stranger, relationship="lawyer")
    assert "another operation" in refused.value.message_dict["victim"][0]
    assert not Claim.objects.exists()


def test_a_claim_is_filed_only_in_a_reparations_programme(operation, office, person, claims_officer):
    protection = ProgrammeFactory(operation=operation, type="protection")
    with pytest.raises((ValidationError, PermissionDenied)):
        actions.file_claim(programme=protection, office=office, claimant=person, acting_user=claims_officer)


def test_filing_after_the_deadline_is_refused_with_the_date(file, programme, claims_officer):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    actions.configure_programme(programme=programme, acting_user=claims_officer, filing_deadline=yesterday)
    with pytest.raises(ValidationError) as late:
        file()
    message = late.value.message_dict["received_on"][0]
    assert yesterday.isoformat() in message and timezone.localdate().isoformat() in message
    assert file(received_on=yesterday).received_on == yesterday  # received in time, entered later
    assert Claim.objects.count() == 1


# --- heirs and representatives ------------------------------------------------------------------------------


def test_an_heir_claims_on_behalf_of_a_deceased_victim(file, operation, office, claims_officer, category):
    victim = register_person(operation, office, "Khalil")
    set_person_status(person=victim, acting_user=None, status="deceased", on=dt.date(2016, 3, 4))
    heir = register_person(operation, office, "Nadia")
    claim = file(heir, capacity=Capacity.HEIR, victim=victim, relationship="daughter")
    assert claim.victim == victim and claim.victim_died_on == dt.date(2016, 3, 4)
    actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    assert "relationship_proof" in [m.code for m in completeness(claim).missing]

    proof = add_document(claim.case, claims_officer, "proof_of_kinship")
    actions.record_relationship_proof(claim=claim, document=proof, acting_user=claims_officer)
    claim.refresh_from_db()
    assert "relationship_proof" not in [m.code for m in completeness(claim).missing]
    assert heir_shares(programme=claim.programme, victim=victim) == {claim.pk: Decimal(1)}


def test_an_heir_of_a_living_victim_must_give_the_date_of_death(file, operation, office):
    victim = register_person(operation, office, "Khalil")
    with pytest.raises(ValidationError) as refused:
        file(capacity=Capacity.HEIR, victim=victim, relationship="son")
    assert "victim_died_on" in refused.value.message_dict
    claim = file(capacity=Capacity.HEIR, victim=victim, relationship="son", victim_died_on=dt.date(2015, 1, 1))
    assert claim.victim_died_on == dt.date(2015, 1, 1)


def test_an_heir_or_representative_names_the_victim_and_the_relationship(file, person):
    with pytest.raises(ValidationError) as refused:
        file(capacity=Capacity.REPRESENTATIVE)
    assert {"victim", "relationship"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError):
        file(person, capacity=Capacity.HEIR, victim=person, relationship="self")


def test_heirs_share_equally_by_default(file, operation, office):
    victim = register_person(operation, office, "Khalil")
    died = {"victim": victim, "victim_died_on": dt.date(2015, 1, 1), "capacity": Capacity.HEIR}
    claims = [file(relationship=f"child {n}", **died) for n in range(3)]
    shares = heir_shares(programme=claims[0].programme, victim=victim)
    assert set(shares) == {claim.pk for claim in claims}
    assert set(shares.values()) == {Decimal("0.3333")}
    with pytest.raises(ValidationError) as refused:
        file(relationship="child", stated_share="0.5", **died)
    assert "stated_share" in refused.value.message_dict
    assert not DuplicateFlag.objects.exists()  # heirs of one victim are not duplicates of each other


def test_stated_shares_must_add_up_to_one(file, programme, claims_officer, operation, office, category):
    actions.configure_programme(programme=programme, acting_user=claims_officer, share_rule=ShareRule.STATED)
    victim = register_person(operation, office, "Khalil")
    died = {"victim": victim, "victim_died_on": dt.date(2015, 1, 1), "capacity": Capacity.HEIR}
    with pytest.raises(ValidationError) as refused:
        file(relationship="wife", **died)
    assert "share" in refused.value.message_dict["stated_share"][0]
    wife = file(relationship="wife", stated_share="0.5", **died)
    assert "shares" in [m.code for m in completeness(wife).missing]
    assert "0.5, not 1" in " ".join(completeness(wife).messages())
    son = file(relationship="son", stated_share=Decimal("0.5"), **died)
    assert heirs_share_total(programme=programme, victim=victim) == Decimal(1)
    assert "shares" not in [m.code for m in completeness(son).missing]
    with pytest.raises(ValidationError) as over:
        file(relationship="brother", stated_share="0.25", **died)
    assert "1.25" in over.value.message_dict["stated_share"][0]
    with pytest.raises(ValidationError):
        file(relationship="brother", stated_share="1.5", **died)
    # a withdrawn heir's share no longer counts
    actions.withdraw_claim(claim=son, acting_user=claims_officer, reason="renounced the inheritance")
    assert heirs_share_total(programme=programme, victim=victim) == Decimal("0.5")


# --- violations, evidence, completeness, deficiency ---------------------------------------------------------


def test_completeness_names_what_is_missing(claim, claims_officer, category):
    assert [m.code for m in completeness(claim).missing] == ["violation"]
    violation = actions.add_claimed_violation(
        claim=claim,
        category=category,
        acting_user=claims_officer,
        occurred_from=dt.date(2014, 8, 3),
        occurred_to=dt.date(2015, 6, 1),
        narrative="Taken from Kocho, made to work",
    )
    found = actions.check_completeness(claim=claim, acting_user=claims_officer)
    assert not found.complete
    assert found.messages() == [
        "Forced labour: Identity document is missing.",
        "Forced labour: Proof of the forced labour is missing.",
    ]  # the optional verification-list line is not missing
    identity = category.checklist.get(code="identity")
    actions.attach_evidence(
        violation=violation,
        requirement=identity,
        acting_user=claims_officer,
        document=add_document(claim.case, claims_officer, "identity_document"),
    )
    assert [m.code for m in completeness(claim).missing] == ["evidence:proof"]
    actions.attach_evidence(
        violation=violation,
        requirement=category.checklist.get(code="proof"),
        acting_user=claims_officer,
        document=add_document(claim.case, claims_officer, "proof_of_violation"),
    )
    assert actions.check_completeness(claim=claim, acting_user=claims_officer).complete
    checks = AuditEvent.objects.filter(action="claim.completeness_checked", object_id=str(claim.pk))
    assert [event.changes["complete"][1] for event in checks.order_by("id")] == [False, True]


def test_evidence_must_fit_the_checklist(claim, claims_officer, category, file):
    violation = actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    proof = category.checklist.get(code="proof")
    with pytest.raises(ValidationError) as wrong_kind:
        actions.attach_evidence(
            violation=violation,
            requirement=proof,
            acting_user=claims_officer,
            document=add_document(claim.case, claims_officer, "identity_document"),
        )
    assert "proof_of_violation" in wrong_kind.value.message_dict["document"][0]
    other = file()
    with pytest.raises(ValidationError) as elsewhere:
        actions.attach_evidence(
            violation=violation,
            requirement=proof,
            acting_user=claims_officer,
            document=add_document(other.case, claims_officer, "proof_of_violation"),
        )
    assert "this claim's case" in elsewhere.value.message_dict["document"][0]


def test_a_category_of_another_operation_is_refused(claim, claims_officer, other_operation):
    foreign = create_category(
        operation=other_operation,
        acting_user=None,
        code="torture",
        name="Torture",
        checklist=[RequirementInput("proof", "Proof", document_kind="proof_of_violation")],
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_claimed_violation(claim=claim, category=foreign, acting_user=claims_officer)
    assert "another operation" in refused.value.message_dict["category"][0]
    assert not claim.violations.exists()


def test_removing_a_claimed_violation_is_audited(claim, claims_officer, category, caseworker):
    violation = actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    with pytest.raises(PermissionDenied):
        actions.remove_claimed_violation(violation=violation, acting_user=caseworker, reason="entered twice")
    with pytest.raises(ValidationError):
        actions.remove_claimed_violation(violation=violation, acting_user=claims_officer, reason=" ")
    actions.remove_claimed_violation(violation=violation, acting_user=claims_officer, reason="entered twice")
    assert not claim.violations.exists()
    assert AuditEvent.objects.filter(action="claim.violation_removed", note="entered twice").exists()


def test_deficiency_notice_lists_what_is_missing_with_a_deadline(claim, claims_officer, category, programme):
    actions.configure_programme(programme=programme, acting_user=claims_officer, deficiency_days=30)
    actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    notice = actions.issue_deficiency_notice(claim=claim, acting_user=claims_officer, note="by post")
    assert notice.deadline == timezone.localdate() + dt.timedelta(days=30)
    assert [item["code"] for item in notice.missing] == ["evidence:identity", "evidence:proof"]
    assert AuditEvent.objects.filter(action="claim.deficiency_notice", object_id=str(claim.pk)).exists()
    with pytest.raises(ValidationError):
        actions.issue_deficiency_notice(claim=claim, acting_user=claims_officer, deadline=timezone.localdate())


def test_no_deficiency_notice_for_a_complete_claim(claim, claims_officer, category):
    violation = actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)
    for code, kind in (("identity", "identity_document"), ("proof", "proof_of_violation")):
        actions.attach_evidence(
            violation=violation,
            requirement=category.checklist.get(code=code),
            acting_user=claims_officer,
            document=add_document(claim.case, claims_officer, kind),
        )
    with pytest.raises(ValidationError):
        actions.issue_deficiency_notice(claim=claim, acting_user=claims_officer)


def test_withdrawing_closes_the_case(claim, claims_officer, category, caseworker):
    with pytest.raises(PermissionDenied):
        actions.withdraw_claim(claim=claim, acting_user=caseworker, reason="changed her mind")
    actions.withdraw_claim(claim=claim, acting_user=claims_officer, reason="changed her mind")
    claim.refresh_from_db()
    assert claim.is_withdrawn and claim.case.closure_reason == ClosureReason.WITHDREW
    assert claim.case.closed_at is not None
    with pytest.raises(ValidationError):
        actions.add_claimed_violation(claim=claim, category=category, acting_user=claims_officer)


def test_caseworker_and_outsider_may_not_change_a_claim(claim, category, caseworker, outsider, administrator):
    for user in (caseworker, outsider):
        with pytest.raises(PermissionDenied):
            actions.add_claimed_violation(claim=claim, category=category, acting_user=user)
        with pytest.raises(PermissionDenied):
            actions.check_completeness(claim=claim, acting_user=user)
    actions.add_claimed_violation(claim=claim, category=category, acting_user=administrator)
    assert claim.violations.count() == 1


# --- duplicates ---------------------------------------------------------------------------------------------


def test_same_claimant_same_category_is_flagged_not_refused(operation, office, person, claims_officer, category, file):
    first = file(person)
    actions.add_claimed_violation(claim=first, category=category, acting_user=claims_officer)
    second_programme = ProgrammeFactory(operation=operation, code="gflcp", name="Forced labour", type="reparations")
    second = actions.file_claim(programme=second_programme, office=office, claimant=person, acting_user=claims_officer)
    actions.add_claimed_violation(claim=second, category=category, acting_user=claims_officer)
    flags = DuplicateFlag.objects.filter(kind=FlagKind.SAME_CLAIMANT_CATEGORY)
    assert {(flag.claim_id, flag.other_id) for flag in flags} == {(first.pk, second.pk), (second.pk, first.pk)}
    assert {claim.pk for claim in claims_for(claims_officer, flagged=True)} == {first.pk, second.pk}
    # the same person claims as the victim twice as well: both flags show in the list's count
    assert DuplicateFlag.objects.filter(kind=FlagKind.SAME_VICTIM).count() == 2
    listed = {claim.pk: claim.flag_count for claim in claims_for(claims_officer)}
    assert listed == {first.pk: 2, second.pk: 2}
    # adding the category again does not flag the pair twice
    actions.add_claimed_violation(claim=second, category=category, acting_user=claims_officer)
    assert flags.count() == 2


def test_a_second_claim_for_the_same_victim_is_flagged(file, person, operation, office, claims_officer):
    own = file(person)
    lawyer = register_person(operation, office, "Samir")
    represented = file(lawyer, capacity=Capacity.REPRESENTATIVE, victim=person, relationship="lawyer")
    assert DuplicateFlag.objects.filter(claim=represented, other=own, kind=FlagKind.SAME_VICTIM).exists()
    assert DuplicateFlag.objects.filter(claim=own, other=represented, kind=FlagKind.SAME_VICTIM).exists()
    assert AuditEvent.objects.filter(action="claim.flagged_duplicate").exists()
    unflagged = file()
    assert {claim.pk for claim in claims_for(claims_officer, flagged=False)} == {unflagged.pk}


# --- reference numbers --------------------------------------------------------------------------------------


def test_claim_numbers_follow_each_other(file):
    first, second = file(), file()
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_claim_numbers_never_repeat_when_filed_at_once(
    committed_db, transactional_db, programme, office, claims_officer, operation
):  # pragma: no cover
    from concurrent.futures import ThreadPoolExecutor

    people = [register_person(operation, office, f"P{n}") for n in range(8)]

    def file_one(person):
        from django.db import connections

        try:
            return actions.file_claim(
                acting_user=claims_officer, programme=programme, office=office, claimant=person
            ).reference
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        references = list(pool.map(file_one, people))
    assert len(set(references)) == 8
    assert sorted(int(reference[-6:]) for reference in references) == list(range(1, 9))


def test_programme_settings_are_kept_by_claims_officers_and_administrators(programme, caseworker, administrator):
    with pytest.raises(PermissionDenied):
        actions.configure_programme(programme=programme, acting_user=caseworker, share_rule=ShareRule.STATED)
    with pytest.raises(ValidationError) as refused:
        actions.configure_programme(programme=programme, acting_user=administrator, deficiency_days=0)
    assert "deficiency_days" in refused.value.message_dict
    settings = actions.configure_programme(programme=programme, acting_user=administrator, share_rule="stated")
    assert settings.share_rule == ShareRule.STATED
    event = AuditEvent.objects.get(action="claims.programme_configured")
    assert event.changes["share_rule"] == [None, "stated"]
