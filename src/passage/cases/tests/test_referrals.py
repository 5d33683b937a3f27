"""Referrals through their actions: consent respected (what was not agreed to is never sent), the sealed
snapshot, the state machine and its refusals, overdue referrals raising a task once, the workflow closing them,
who sees them (a provider's users only theirs; a restricted case's only its named staff), the directory."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from passage.cases import actions, provider_actions, referral_actions, referral_queries, referral_sharing
from passage.cases.models import Sensitivity, Task, TaskSource
from passage.cases.models.referrals import Referral, ReferralLink, ReferralState
from passage.cases.tests.referral_helpers import ITEMS, consent_to_share, provider_user, send
from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.registry.person_actions import current_decisions, record_consent, withdraw_consent

pytest_plugins = ["passage.cases.tests.referral_fixtures"]


def events(referral: Referral, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(referral.pk), action=action))


# --- consent ------------------------------------------------------------------------------------------------


def test_nothing_is_sent_without_consent_to_sharing(case, clinic, owner):
    with pytest.raises(referral_sharing.SharingRefused, match="not been asked"):
        send(case, clinic, owner)
    record_consent(person=case.person, acting_user=None, purpose="sharing", granted=False, method="verbal")
    with pytest.raises(referral_sharing.SharingRefused, match="refused"):
        send(case, clinic, owner)
    assert not Referral.objects.exists() and not ReferralLink.objects.exists()


def test_a_withdrawn_consent_stops_sharing(shared_case, clinic, owner):
    consent = current_decisions(shared_case.person)["sharing"]
    withdraw_consent(consent=consent, acting_user=None, note="changed her mind")
    with pytest.raises(referral_sharing.SharingRefused, match="withdrew"):
        send(shared_case, clinic, owner)
    assert not Referral.objects.exists()


def test_consent_without_its_scope_shares_nothing(case, clinic, owner):
    record_consent(person=case.person, acting_user=None, purpose="sharing", granted=True, method="written")
    with pytest.raises(referral_sharing.SharingRefused, match="Record what"):
        send(case, clinic, owner)


def test_an_item_not_agreed_to_is_refused_by_name(shared_case, clinic, owner):
    with pytest.raises(ValidationError) as refused:
        send(shared_case, clinic, owner, items=["name", "documents"])
    assert "Identity documents" in refused.value.message_dict["items"][0]
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(action="referral.sent").exists()


def test_the_snapshot_holds_only_the_items_chosen_and_the_trail_no_values(shared_case, clinic, owner, operation):
    from passage.registry.models import Phone

    person = shared_case.person
    Phone.objects.create(person=person, number="+9647701234567", number_index="x")
    referral = send(shared_case, clinic, owner, items=["name", "phone"]).referral
    snapshot = referral_sharing.unseal(referral.snapshot)
    assert set(snapshot) == {"name", "phone"} and snapshot["phone"] == ["+9647701234567"]
    assert referral.shared_items == ["name", "phone"]
    assert referral_sharing.digest(snapshot) == referral.snapshot_digest
    sent = events(referral, "referral.sent")[0]
    assert sent.changes["shared"] == [None, ["name", "phone"]]
    assert sent.changes["snapshot_digest"] == [None, referral.snapshot_digest]
    trail = json.dumps([event.changes for event in AuditEvent.objects.all()]) + "".join(
        event.note for event in AuditEvent.objects.all()
    )
    assert "+9647701234567" not in trail and "Amal" not in trail and "check-up" not in trail
    # Sealed: the column holds ciphertext only.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot, reason FROM cases_referral WHERE id = %s", [referral.pk.hex])
        raw = " ".join(cursor.fetchone())
    assert "Amal" not in raw and "+9647701234567" not in raw and "check-up" not in raw


def test_the_page_shows_what_was_sent_less_what_is_no_longer_agreed(referral):
    person = referral.person
    assert [row.code for row in referral_queries.shown(referral).rows] == ["name", "phone"]
    referral_actions.record_sharing_scope(person=person, acting_user=None, items=["name", "sex"])
    shown = referral_queries.shown(referral)
    assert [row.code for row in shown.rows] == ["name"] and shown.narrowed == ["phone"]
    withdraw_consent(consent=current_decisions(person)["sharing"], acting_user=None)
    shown = referral_queries.shown(referral)
    assert shown.withdrawn and shown.rows == []


def test_sensitive_items_only_from_someone_who_sees_them(shared_case, clinic, operation, office, programme):
    finance = member_of(operation, "finance_officer")  # sees cases, never phones unmasked
    assert not referral_sharing.may_share(finance, shared_case.person, "phone")
    assert referral_sharing.may_share(finance, shared_case.person, "name")


def test_scope_items_are_checked(case):
    record_consent(person=case.person, acting_user=None, purpose="sharing", granted=True, method="verbal")
    with pytest.raises(ValidationError) as refused:
        referral_actions.record_sharing_scope(person=case.person, acting_user=None, items=["shoe_size"])
    assert "items" in refused.value.message_dict
    scope = referral_actions.record_sharing_scope(person=case.person, acting_user=None, items=["phone", "name"])
    assert scope.items == ["name", "phone"]  # the catalogue's order
    assert AuditEvent.objects.filter(action="person.sharing_scope", object_id=str(case.person.pk)).exists()


# --- sending ------------------------------------------------------------------------------------------------


def test_sending_checks_the_provider_service_and_reason(shared_case, clinic, legal, owner):
    with pytest.raises(ValidationError) as refused:
        send(shared_case, clinic, owner, service="shelter", reason=" ")
    assert set(refused.value.message_dict) == {"service", "reason"}
    assert "does not offer" in refused.value.message_dict["service"][0]
    with pytest.raises(ValidationError) as refused:
        send(shared_case, legal, owner)  # nobody at the centre has an account yet
    assert "provider" in refused.value.message_dict
    provider_actions.set_provider_active(provider=clinic, acting_user=None, active=False, reason="closed")
    with pytest.raises(ValidationError, match="no longer takes referrals"):
        send(shared_case, clinic, owner)


def test_only_those_who_manage_the_case_send(shared_case, clinic, colleague, far_colleague):
    send(shared_case, clinic, colleague)  # same office
    with pytest.raises(PermissionDenied):
        send(shared_case, clinic, far_colleague)


def test_a_link_is_issued_for_a_provider_without_accounts(referral, clinic):
    link = referral.links.get()
    assert len(link.token_hash) == 64 and link.opened_at is None
    assert referral.reference.startswith(f"REF-{timezone.localdate().year}-")
    assert link.expires_at - link.created_at == dt.timedelta(days=7)


def test_a_new_link_revokes_the_earlier_one(referral, owner):
    first = referral.links.get()
    issued = referral_actions.issue_link(referral=referral, acting_user=owner)
    first.refresh_from_db()
    assert first.revoked_at is not None and issued.link.revoked_at is None and issued.token


def test_the_link_can_be_emailed(shared_case, clinic, owner, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(shared_case, clinic, owner, email_link=True, site_url="https://passage.example/")
    assert sent.emailed_to == ["referrals@hope.example"]
    message = mailoutbox[0]
    assert f"https://passage.example/cases/referral-link/{sent.token}/" in message.body
    assert "Amal" not in message.body and "check-up" not in message.body


# --- the state machine --------------------------------------------------------------------------------------


def test_a_referral_goes_round_the_loop(referral, owner):
    referral_actions.acknowledge_referral(referral=referral, acting_user=owner)
    referral_actions.accept_referral(referral=referral, acting_user=owner)
    referral_actions.record_delivery(
        referral=referral, acting_user=owner, delivered_on=timezone.localdate(), service="Consultation"
    )
    referral_actions.record_provider_feedback(referral=referral, acting_user=owner, feedback="Seen twice.")
    referral_actions.record_person_feedback(referral=referral, acting_user=owner, satisfaction=4, feedback="Kind")
    done = referral_actions.close_referral(referral=referral, acting_user=owner)
    assert done.state == ReferralState.CLOSED and done.person_satisfaction == 4
    assert not referral.links.filter(revoked_at__isnull=True).exists()
    actions_done = list(
        AuditEvent.objects.filter(object_id=str(referral.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions_done == [
        "referral.sent",
        "referral.link_issued",
        "referral.acknowledged",
        "referral.accepted",
        "referral.delivered",
        "referral.provider_feedback",
        "referral.person_feedback",
        "referral.closed",
    ]


def test_the_state_machine_refuses_steps_out_of_order(referral, owner):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="Only an accepted referral"):
        referral_actions.record_delivery(referral=referral, acting_user=owner, delivered_on=today, service="x")
    with pytest.raises(ValidationError, match="once the service is delivered"):
        referral_actions.record_provider_feedback(referral=referral, acting_user=owner, feedback="x")
    with pytest.raises(ValidationError, match="once the service is delivered"):
        referral_actions.record_person_feedback(referral=referral, acting_user=owner, satisfaction=3)
    referral_actions.acknowledge_referral(referral=referral, acting_user=owner)
    with pytest.raises(ValidationError, match="already acknowledged"):
        referral_actions.acknowledge_referral(referral=referral, acting_user=owner)
    with pytest.raises(ValidationError) as refused:
        referral_actions.reject_referral(referral=referral, acting_user=owner, reason="other")
    assert "note" in refused.value.message_dict
    referral_actions.reject_referral(referral=referral, acting_user=owner, reason="no_capacity")
    with pytest.raises(ValidationError, match="already answered"):
        referral_actions.accept_referral(referral=referral, acting_user=owner)
    with pytest.raises(ValidationError, match="close it instead"):
        referral_actions.cancel_referral(referral=referral, acting_user=owner, reason="x")
    referral_actions.close_referral(referral=referral, acting_user=owner)
    with pytest.raises(ValidationError, match="closed"):
        referral_actions.acknowledge_referral(referral=referral, acting_user=owner)


def test_an_open_referral_closes_only_with_a_note_and_cancels_with_a_reason(referral, owner):
    with pytest.raises(ValidationError) as refused:
        referral_actions.close_referral(referral=referral, acting_user=owner)
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        referral_actions.cancel_referral(referral=referral, acting_user=owner, reason="")
    assert "reason" in refused.value.message_dict
    cancelled = referral_actions.cancel_referral(referral=referral, acting_user=owner, reason="Moved away")
    assert cancelled.state == ReferralState.CANCELLED and referral.links.get().revoked_at is not None


def test_accepting_acknowledges_and_delivery_dates_are_checked(referral, owner):
    accepted = referral_actions.accept_referral(referral=referral, acting_user=owner)
    assert accepted.acknowledged_at is not None
    with pytest.raises(ValidationError) as refused:
        referral_actions.record_delivery(
            referral=referral, acting_user=owner, delivered_on=timezone.localdate() + dt.timedelta(days=2), service=""
        )
    assert set(refused.value.message_dict) == {"delivered_on", "service"}


def test_a_provider_user_answers_only_their_own_referrals(shared_case, clinic, legal, lawyer, owner, operation):
    to_clinic = send(shared_case, clinic, owner).referral
    to_legal = send(shared_case, legal, owner, service="legal_aid").referral
    referral_actions.acknowledge_referral(referral=to_legal, acting_user=lawyer)
    with pytest.raises(PermissionDenied):
        referral_actions.acknowledge_referral(referral=to_clinic, acting_user=lawyer)
    with pytest.raises(PermissionDenied):
        referral_actions.close_referral(referral=to_legal, acting_user=lawyer, note="x")
    assert list(Referral.objects.visible_to(lawyer)) == [to_legal]
    assert list(Referral.objects.received_by(lawyer)) == [to_legal]


# --- visibility ---------------------------------------------------------------------------------------------


def test_a_restricted_cases_referrals_stay_with_its_named_staff(
    shared_case, clinic, legal, lawyer, owner, colleague, operation
):
    referral = send(shared_case, legal, owner, service="legal_aid").referral
    assert Referral.objects.visible_to(colleague).filter(pk=referral.pk).exists()
    actions.set_sensitivity(
        case=shared_case, sensitivity=Sensitivity.RESTRICTED, acting_user=owner, version=None, reason="Survivor"
    )
    admin = member_of(operation, "administrator")
    for someone in (colleague, admin):
        assert not Referral.objects.visible_to(someone).filter(pk=referral.pk).exists()
        assert not referral_queries.office_referrals(someone, operation, status="all").exists()
    assert Referral.objects.visible_to(owner).filter(pk=referral.pk).exists()
    assert Referral.objects.visible_to(lawyer).filter(pk=referral.pk).exists()  # sent to them, with consent


def test_an_unlinked_provider_user_sees_nothing_more(referral, legal, lawyer, shared_case, owner):
    sent = send(shared_case, legal, owner, service="legal_aid").referral
    link = legal.members.get(user=lawyer)
    provider_actions.unlink_user(link=link, acting_user=None)
    lawyer.refresh_from_db()
    assert not Referral.objects.visible_to(lawyer).filter(pk=sent.pk).exists()


# --- overdue ------------------------------------------------------------------------------------------------


def test_an_overdue_referral_raises_a_task_once(referral, owner):
    now = timezone.now()
    assert referral_actions.escalate_overdue_referrals(now=now) == 0
    later = now + dt.timedelta(days=3, hours=1)  # routine: to acknowledge within 3 days
    assert referral_actions.escalate_overdue_referrals(now=later) == 1
    for minutes in (5, 10, 15):  # the job runs every five minutes
        assert referral_actions.escalate_overdue_referrals(now=later + dt.timedelta(minutes=minutes)) == 0
    task = Task.objects.get(case=referral.case, source=TaskSource.ESCALATION)
    assert "not acknowledged" in task.title and task.assignee == owner
    much_later = now + dt.timedelta(days=7, hours=1)  # and to answer within 7
    assert referral_actions.escalate_overdue_referrals(now=much_later) == 1
    assert referral_actions.escalate_overdue_referrals(now=much_later) == 0
    assert Task.objects.filter(case=referral.case, source=TaskSource.ESCALATION).count() == 2
    assert len(events(referral, "referral.overdue")) == 2


def test_an_answered_referral_is_not_escalated(referral, owner):
    referral_actions.accept_referral(referral=referral, acting_user=owner)
    assert referral_actions.escalate_overdue_referrals(now=timezone.now() + dt.timedelta(days=30)) == 0


def test_the_escalation_job_escalates_referrals_too(referral, settings):
    from passage.cases.tasks import escalate_overdue_cases

    Referral.objects.filter(pk=referral.pk).update(acknowledge_by=timezone.now() - dt.timedelta(hours=1))
    escalate_overdue_cases.call_local()
    assert len(events(referral, "referral.overdue")) == 1
    escalate_overdue_cases.call_local()
    assert len(events(referral, "referral.overdue")) == 1


# --- the workflow closes them -------------------------------------------------------------------------------


def test_the_workflows_close_referrals_closes_those_still_open(referral, owner, programme):
    from passage.cases import procedure
    from passage.cases.workflows.engine import WorkflowRegistry
    from passage.cases.workflows.loader import load_workflow

    workflow = load_workflow(
        """
code: test_protection
version: 1
name: Protection (test)
programme_types: [protection]
states:
  intake: {kind: initial, label: Intake}
  closed: {kind: final, label: Closed, on_entry: [close_referrals]}
transitions:
  close: {from: intake, to: closed, roles: [caseworker]}
"""
    )
    with procedure.using(WorkflowRegistry([workflow])):
        actions.transition_case(case=referral.case, transition="close", acting_user=owner, version=None)
    referral.refresh_from_db()
    assert referral.state == ReferralState.CLOSED and "Closed on entering" in referral.closure_note


# --- the directory ------------------------------------------------------------------------------------------


def test_only_the_directorys_keepers_change_it(operation, owner, administrator):
    with pytest.raises(PermissionDenied):
        provider_actions.create_provider(
            acting_user=owner, operation=operation, name="X", type="ngo", channel="link", services=["health"]
        )
    made = provider_actions.create_provider(
        acting_user=administrator, operation=operation, name="Shelter", type="un", channel="link", services=["shelter"]
    )
    with pytest.raises(ValidationError) as refused:
        provider_actions.create_provider(
            acting_user=administrator, operation=operation, name="shelter", type="x", channel="x", services=[]
        )
    assert set(refused.value.message_dict) == {"name", "type", "channel", "services"}
    assert AuditEvent.objects.filter(action="provider.created", object_id=str(made.pk)).exists()


def test_contacts_are_encrypted_and_a_link_contact_needs_an_email(clinic):
    from django.db import connection

    with pytest.raises(ValidationError) as refused:
        provider_actions.add_contact(provider=clinic, acting_user=None, name="Ali", phone="", receives_referrals=True)
    assert {"phone", "receives_referrals"} <= set(refused.value.message_dict)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email FROM cases_providercontact")
        raw = " ".join(cursor.fetchone())
    assert "Salma" not in raw and "hope.example" not in raw


def test_the_directory_is_searched_by_service_and_area(operation, owner):
    from passage.registry.models import AdminArea

    country = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=country)
    mosul = AdminArea.objects.create(country="IQ", level=2, pcode="IQD087", name="Mosul", parent=ninewa)
    erbil = AdminArea.objects.create(country="IQ", level=1, pcode="IQG07", name="Erbil", parent=country)
    make = provider_actions.create_provider
    everywhere = make(acting_user=None, operation=operation, name="A", type="un", channel="link", services=["cash"])
    in_ninewa = make(
        acting_user=None, operation=operation, name="B", type="ngo", channel="link", services=["cash"], areas=[ninewa]
    )
    in_mosul = make(
        acting_user=None, operation=operation, name="C", type="ngo", channel="link", services=["cash"], areas=[mosul]
    )
    in_erbil = make(
        acting_user=None, operation=operation, name="D", type="ngo", channel="link", services=["health"], areas=[erbil]
    )
    found = referral_queries.directory(owner, operation, service="cash", area=mosul)
    assert list(found) == [everywhere, in_ninewa, in_mosul]
    assert list(referral_queries.directory(owner, operation, area=ninewa)) == [everywhere, in_ninewa, in_mosul]
    assert list(referral_queries.directory(owner, operation, service="health")) == [in_erbil]


def test_the_directory_is_for_the_operations_staff(clinic, outsider, owner, lawyer):
    from passage.cases.models.referrals import ServiceProvider

    assert [p.name for p in ServiceProvider.objects.visible_to(owner)] == ["Hope Clinic", "Legal Aid Centre"]
    assert not ServiceProvider.objects.visible_to(outsider).exists()
    assert [p.name for p in ServiceProvider.objects.visible_to(lawyer)] == ["Legal Aid Centre"]


def test_items_default(case):
    consent_to_share(case.person)
    assert referral_sharing.consented(case.person).items == ITEMS


def test_a_provider_user_is_an_account_of_the_operation(clinic, outsider):
    with pytest.raises(ValidationError, match="no account in this operation"):
        provider_actions.link_user(provider=clinic, user=outsider, acting_user=None)
    assert provider_user(clinic).provider_links.count() == 1
