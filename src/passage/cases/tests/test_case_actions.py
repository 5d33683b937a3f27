"""Cases through their actions: opening, numbers, the workflow's steps (documents, fields, approvals, reasons),
tasks, notes, documents, closing and reopening, concurrent edits, bulk reassignment and escalation."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from passage.cases import actions, work_actions
from passage.cases.access import notes_for
from passage.cases.documents import open_document
from passage.cases.escalation import escalate_overdue
from passage.cases.models import Case, CaseStateChange, Priority, Sensitivity, Task, TaskSource
from passage.cases.procedure import TransitionRefused
from passage.cases.queries import case_facts, timeline_entries, timeline_keys
from passage.cases.tests.conftest import register_person
from passage.core.models import AuditEvent
from passage.registry.models import Household

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def upload(case, user, content: bytes = PDF, *, kind: str = "consent_form", filename: str = "consent.pdf"):
    return work_actions.upload_document(
        case=case, acting_user=user, kind=kind, upload=io.BytesIO(content), filename=filename, size=len(content)
    )


# --- opening ------------------------------------------------------------------------------------------------


def test_a_caseworker_opens_a_case_in_the_workflows_first_state_with_its_tasks(case, owner, programme):
    year = timezone.localdate().year
    assert case.reference == f"PDA-{year}-000001"
    assert (case.workflow_code, case.workflow_version, case.state) == ("test_protection", 1, "intake")
    assert case.caseworker == owner and case.opened_by == owner
    assert case.state_due_at == case.state_entered_at + dt.timedelta(days=3)
    task = case.tasks.get()
    assert (task.title, task.assignee, task.assignee_role, task.source) == (
        "Screen the person",
        owner,
        "caseworker",
        TaskSource.WORKFLOW,
    )
    assert task.due_on == timezone.localdate() + dt.timedelta(days=2)
    assert CaseStateChange.objects.get(case=case).kind == "opened"
    event = AuditEvent.objects.get(action="case.open", object_id=str(case.pk))
    assert event.changes["state"] == [None, "intake"] and event.object_repr == case.reference


def test_case_numbers_follow_each_other_per_programme_type(new_case, operation, office, owner):
    from passage.core.tests.factories import ProgrammeFactory

    second, third = new_case(), new_case()
    year = timezone.localdate().year
    assert [second.reference, third.reference] == [f"PDA-{year}-000001", f"PDA-{year}-000002"]
    reparations = ProgrammeFactory(operation=operation, code="rep", type="reparations")
    with pytest.raises(ValidationError) as refused:  # no workflow for reparations in the test registry
        actions.open_case(
            acting_user=owner, programme=reparations, office=office, person=register_person(operation, office)
        )
    assert "programme" in refused.value.message_dict


def test_a_refused_opening_gives_its_number_back(new_case, programme):
    with pytest.raises(ValidationError), transaction.atomic():
        first = new_case()
        raise ValidationError("changed my mind")
    assert not Case.objects.filter(pk=first.pk).exists()
    assert new_case().reference.endswith("-000001")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_case_numbers_never_repeat_when_opened_at_once(
    committed_db, transactional_db, programme, office, owner, operation
):  # pragma: no cover
    from concurrent.futures import ThreadPoolExecutor

    people = [register_person(operation, office, f"P{n}") for n in range(8)]

    def open_one(person):
        from django.db import connections

        try:
            return actions.open_case(acting_user=owner, programme=programme, office=office, person=person).reference
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        references = list(pool.map(open_one, people))
    assert len(set(references)) == 8


def test_a_case_has_exactly_one_subject(case):
    case.household = Household.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_opening_is_refused_with_the_reason(new_case, case, person, owner, far_colleague, persona, programme, office):
    with pytest.raises(ValidationError) as twice:
        new_case(person)
    assert case.reference in str(twice.value)
    with pytest.raises(ValidationError) as elsewhere:
        new_case(caseworker=far_colleague)
    assert "caseworker" in elsewhere.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.open_case(acting_user=persona("registration_clerk"), programme=programme, office=office, person=person)


def test_a_household_and_a_group_can_be_the_subject_of_a_case(new_case, operation, office):
    from passage.registry.group_actions import create_group
    from passage.registry.models import AdminArea

    household = register_person(operation, office, "Noor").household_memberships.get().household
    area = AdminArea.objects.create(pcode="IQ", country="IQ", level=0, name="Iraq")
    group = create_group(
        acting_user=None, operation=operation, office=office, kind="community", name="Sinjar", admin_area=area
    )
    assert new_case(household).subject == household
    collective = new_case(group)
    assert collective.subject == group and collective.subject_kind == "group"


# --- the workflow's steps -----------------------------------------------------------------------------------


def test_a_step_is_refused_until_its_document_is_on_the_case(case, owner):
    with pytest.raises(TransitionRefused) as refused:
        actions.transition_case(case=case, transition="assess", acting_user=owner, version=case.version)
    assert refused.value.reasons == ["no document of the kind Signed consent"]
    upload(case, owner)
    moved = actions.transition_case(case=case, transition="assess", acting_user=owner, version=case.version)
    assert moved.state == "assessment"
    assert moved.state_due_at == moved.state_entered_at + dt.timedelta(days=10)
    notification = moved.tasks.get(source=TaskSource.NOTIFICATION)
    assert notification.assignee_role == "administrator" and notification.assignee is None
    change = moved.state_changes.get(kind="transition")
    assert (change.from_state, change.to_state, change.by) == ("intake", "assessment", owner)


def test_only_the_workflows_roles_take_a_step(case, owner, administrator):
    upload(case, owner)
    with pytest.raises(TransitionRefused) as refused:
        actions.transition_case(case=case, transition="assess", acting_user=administrator, version=None)
    assert "only Caseworker may take this step" in str(refused.value)


def test_four_eyes_a_second_person_approves_and_the_approval_is_used_once(case, owner, colleague, administrator):
    upload(case, owner)
    case = actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    with pytest.raises(TransitionRefused) as refused:
        actions.transition_case(case=case, transition="agree_plan", acting_user=owner, version=None, reason="ok")
    assert "approval by a second person (Administrator) has not been given" in str(refused.value)
    approval = actions.request_approval(case=case, transition="agree_plan", acting_user=owner, note="plan attached")
    with pytest.raises(ValidationError):
        actions.request_approval(case=case, transition="agree_plan", acting_user=owner)
    with pytest.raises(PermissionDenied):  # a colleague does not hold the approving role
        actions.decide_approval(approval=approval, acting_user=colleague, approve=True)
    with pytest.raises(ValidationError):  # a refusal says why
        actions.decide_approval(approval=approval, acting_user=administrator, approve=False)
    actions.decide_approval(approval=approval, acting_user=administrator, approve=True)
    with pytest.raises(TransitionRefused) as no_reason:
        actions.transition_case(case=case, transition="agree_plan", acting_user=owner, version=None)
    assert "a reason is required" in str(no_reason.value)
    case = actions.transition_case(
        case=case, transition="agree_plan", acting_user=owner, version=None, reason="agreed with her"
    )
    approval.refresh_from_db()
    assert case.state == "plan" and approval.used_at is not None
    follow_up = case.tasks.get(source=TaskSource.FOLLOW_UP)
    assert follow_up.due_on == timezone.localdate() + dt.timedelta(days=30) and follow_up.assignee == owner


def test_nobody_approves_their_own_request(case, owner, administrator):
    upload(case, owner)
    case = actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    approval = actions.request_approval(case=case, transition="agree_plan", acting_user=administrator)
    with pytest.raises(ValidationError) as refused:
        actions.decide_approval(approval=approval, acting_user=administrator, approve=True)
    assert "Someone other than the person who asked" in str(refused.value)


def test_a_field_of_the_programme_is_set_before_the_step_that_needs_it(case, owner, administrator):
    upload(case, owner)
    case = actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    approval = actions.request_approval(case=case, transition="agree_plan", acting_user=owner)
    actions.decide_approval(approval=approval, acting_user=administrator, approve=True)
    case = actions.transition_case(case=case, transition="agree_plan", acting_user=owner, version=None, reason="ok")
    with pytest.raises(TransitionRefused) as refused:
        actions.transition_case(case=case, transition="refer", acting_user=owner, version=None)
    assert "Referred to is not set" in str(refused.value)
    with pytest.raises(ValidationError) as unknown:
        actions.set_details(case=case, values={"shoe_size": "42"}, acting_user=owner, version=case.version)
    assert "shoe_size" in unknown.value.message_dict
    case = actions.set_details(case=case, values={"referred_to": "Legal aid NGO"}, acting_user=owner, version=None)
    assert "referred_to" in case_facts(case).fields
    assert AuditEvent.objects.get(action="case.details").changes["referred_to"] == ["[redacted]", "[redacted]"]
    assert actions.transition_case(case=case, transition="refer", acting_user=owner, version=None).state == "referred"


def test_the_final_state_closes_the_case_and_its_tasks_and_reopening_goes_back(case, owner):
    closed = actions.transition_case(case=case, transition="close", acting_user=owner, version=None, reason="done")
    assert closed.closed_at is not None and closed.closure_reason == "completed"
    assert not closed.tasks.filter(done_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        actions.set_priority(case=closed, priority=Priority.HIGH, acting_user=owner, version=None)
    work_actions.add_note(case=closed, acting_user=owner, text="a closing note is still written")
    reopened = actions.reopen_case(case=closed, acting_user=owner, reason="she came back", version=closed.version)
    assert (reopened.state, reopened.closed_at) == ("intake", None)
    assert reopened.state_due_at == reopened.state_entered_at + dt.timedelta(days=3)


def test_a_case_closed_outside_its_workflow_keeps_its_state(case, owner):
    with pytest.raises(ValidationError):
        actions.close_case(case=case, acting_user=owner, reason="other")  # "other" needs a note
    closed = actions.close_case(case=case, acting_user=owner, reason="lost_contact", version=case.version)
    assert (closed.state, closed.closure_reason) == ("intake", "lost_contact")
    assert actions.reopen_case(case=closed, acting_user=owner, reason="found her").state == "intake"


# --- concurrent edits ---------------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_naming_who_changed_what(case, owner, colleague):
    opened_at = case.version
    actions.set_priority(case=case, priority=Priority.URGENT, acting_user=colleague, version=opened_at)
    with pytest.raises(actions.CaseChangedMeanwhile) as conflict:
        actions.set_priority(case=case, priority=Priority.LOW, acting_user=owner, version=opened_at)
    assert conflict.value.fields == ["priority"]
    assert colleague.username in str(conflict.value) and "priority" in str(conflict.value)
    assert Case.objects.get(pk=case.pk).priority == Priority.URGENT  # nothing saved over it


# --- assignment and named access ----------------------------------------------------------------------------


def test_bulk_reassignment_answers_for_each_case(new_case, owner, colleague, far_colleague, other_office):
    mine = [new_case(), new_case()]
    elsewhere = new_case()
    elsewhere.office = other_office
    elsewhere.save()
    results = actions.reassign_cases(cases=[*mine, elsewhere], caseworker=colleague, acting_user=owner, reason="leave")
    assert [r.ok for r in results] == [True, True, False]
    assert "does not work on cases of this programme and office" in results[2].message
    assert {c.caseworker for c in Case.objects.filter(pk__in=[c.pk for c in mine])} == {colleague}


def test_named_staff_on_a_highly_restricted_case_are_named_by_its_caseworker_only(
    new_case, owner, colleague, far_colleague
):
    case = new_case(sensitivity=Sensitivity.HIGHLY_RESTRICTED)
    grant = actions.grant_access(case=case, user=colleague, acting_user=owner, reason="covers my leave")
    with pytest.raises(PermissionDenied):
        actions.grant_access(case=case, user=far_colleague, acting_user=colleague, reason="help")
    with pytest.raises(ValidationError):
        actions.grant_access(case=case, user=colleague, acting_user=owner, reason="again")
    actions.revoke_access(grant=grant, acting_user=owner, reason="back from leave")
    assert not Case.objects.visible_to(colleague).filter(pk=case.pk).exists()


# --- tasks, notes, documents --------------------------------------------------------------------------------


def test_tasks_by_hand_and_done_once(case, owner, colleague):
    task = work_actions.add_task(case=case, acting_user=owner, title="Call the clinic", assignee=colleague)
    with pytest.raises(ValidationError):
        work_actions.add_task(case=case, acting_user=owner, title=" ")
    work_actions.complete_task(task=task, acting_user=colleague, note="appointment on Monday")
    with pytest.raises(ValidationError) as again:
        work_actions.complete_task(task=task, acting_user=owner)
    assert str(colleague) in str(again.value)


def test_a_private_note_is_read_by_its_author_and_the_named_staff_only(case, owner, colleague, administrator):
    shared = work_actions.add_note(case=case, acting_user=colleague, text="Prefers Kurdish")
    private = work_actions.add_note(case=case, acting_user=colleague, text="Disclosed abuse", private=True)
    mine = work_actions.add_note(case=case, acting_user=administrator, text="Admin aside", private=True)
    assert set(notes_for(owner, case)) == {shared, private, mine}  # the caseworker is named
    assert set(notes_for(colleague, case)) == {shared, private}
    assert set(notes_for(administrator, case)) == {shared, mine}
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casenote WHERE id = %s", [private.pk.hex])
        stored = cursor.fetchone()
    if stored is None:  # PostgreSQL keeps UUIDs as UUIDs
        with connection.cursor() as cursor:
            cursor.execute("SELECT text FROM cases_casenote WHERE id = %s", [str(private.pk)])
            stored = cursor.fetchone()
    assert "abuse" not in stored[0]
    assert "abuse" not in str(list(AuditEvent.objects.filter(action="case.note_added").values("changes", "note")))


def test_documents_are_checked_by_their_content_and_sealed_at_rest(case, owner, settings):
    document = upload(case, owner, docx(), kind="other", filename="report.docx")
    assert document.content_type.endswith("wordprocessingml.document")
    with default_storage.open(document.file.name, "rb") as stored:
        assert b"word/document.xml" not in stored.read()
    with open_document(document) as plain:
        assert zipfile.ZipFile(io.BytesIO(plain.read())).namelist()[1] == "word/document.xml"
    with pytest.raises(ValidationError) as renamed:
        upload(case, owner, b"MZ\x90\x00 an executable", filename="scan.pdf")
    assert "cannot be added" in str(renamed.value)
    with pytest.raises(ValidationError) as kind:
        upload(case, owner, kind="passport_scan")
    assert "kind" in kind.value.message_dict
    settings.CASE_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as large:
        upload(case, owner)
    assert "larger than" in str(large.value)


def test_a_removed_document_no_longer_counts_and_its_file_is_gone(case, owner, django_capture_on_commit_callbacks):
    document = upload(case, owner)
    name = document.file.name
    assert "consent_form" in case_facts(case).documents
    with django_capture_on_commit_callbacks(execute=True):
        work_actions.remove_document(document=document, acting_user=owner, reason="wrong person")
    assert not default_storage.exists(name)
    assert "consent_form" not in case_facts(case).documents


# --- escalation ---------------------------------------------------------------------------------------------


def test_an_overdue_state_is_escalated_once_to_the_workflows_role(case, owner):
    later = case.state_due_at + dt.timedelta(hours=1)
    assert escalate_overdue(now=later).cases == 1
    case.refresh_from_db()
    assert case.state_escalated_at == later
    task = case.tasks.get(source=TaskSource.ESCALATION, title="Intake is overdue")
    assert task.assignee_role == "administrator"
    assert AuditEvent.objects.filter(action="case.escalated", object_id=str(case.pk)).count() == 1
    assert escalate_overdue(now=later).cases == 0


def test_an_overdue_task_is_escalated_once(case, owner):
    screening = case.tasks.get()
    three_days_on = timezone.now() + dt.timedelta(days=3)
    done = escalate_overdue(now=three_days_on)
    screening.refresh_from_db()
    assert done.tasks == 1 and screening.escalated_at is not None
    assert Task.objects.filter(case=case, source=TaskSource.ESCALATION, title__contains="Screen the person").exists()
    assert escalate_overdue(now=three_days_on).tasks == 0


def test_the_escalation_command_does_what_the_job_does_and_says_how_much(case, owner):
    from django.core.management import call_command

    Case.objects.filter(pk=case.pk).update(state_due_at=timezone.now() - dt.timedelta(hours=1))
    case.tasks.update(due_on=timezone.localdate() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("escalate_overdue", stdout=out)
    assert out.getvalue().strip() == "Escalated 1 cases, 1 tasks and 0 referrals."
    case.refresh_from_db()
    assert case.state_escalated_at is not None
    assert case.tasks.filter(source=TaskSource.ESCALATION).count() == 2
    out = io.StringIO()
    call_command("escalate_overdue", stdout=out)  # once each
    assert "Escalated 0 cases, 0 tasks" in out.getvalue()


# --- timeline -----------------------------------------------------------------------------------------------


def test_the_timeline_reads_the_case_history_newest_first(case, owner):
    from passage.cases.access import get_case_for_user

    work_actions.add_note(case=case, acting_user=owner, text="first call")
    get_case_for_user(owner, case.pk)  # a read: audited, but not part of the timeline
    upload(case, owner)
    actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    rows = list(timeline_keys(case))
    entries = timeline_entries(rows)
    assert [e.action for e in entries][:3] == ["case.tasks_created", "transition", "case.document_added"]
    assert entries[-1].action == "opened"
    assert "case.read" not in [e.action for e in entries]
    assert timeline_keys(case).count() == len(rows)
