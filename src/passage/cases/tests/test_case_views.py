"""Case pages through HTTP: the caseload and its tabs, the board, opening a case from a person's page, the case
page and its forms, steps with their reason, the conflict page, bulk reassignment, and flat query counts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from passage.cases import actions, work_actions
from passage.cases.models import Case, Priority
from passage.cases.tests.conftest import register_person
from passage.conftest import sign_in
from passage.core.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def as_owner(client, owner):
    return sign_in(client, owner)


def test_the_caseload_lists_my_cases_most_urgent_first_with_counts(as_owner, new_case):
    calm, urgent = new_case(), new_case(priority=Priority.URGENT)
    page = as_owner.get("/cases/").content.decode()
    assert page.index(urgent.reference) < page.index(calm.reference)
    assert 'data-testid="count-mine">2<' in page
    assert 'data-testid="count-overdue">0<' in page


def test_the_caseload_searches_by_number_and_name_and_filters(as_owner, new_case, operation, office):
    amal = new_case(register_person(operation, office, "Amal"))
    noor = new_case(register_person(operation, office, "Noor"))
    by_number = as_owner.get("/cases/", {"q": noor.reference}).content.decode()
    assert noor.reference in by_number and amal.reference not in by_number
    by_name = as_owner.get("/cases/", {"q": "amal"}).content.decode()
    assert amal.reference in by_name and noor.reference not in by_name
    fragment = as_owner.get("/cases/", {"q": "nobody"}, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="empty"' in fragment and "<html" not in fragment


def test_empty_caseload_says_what_to_do(as_owner, programme):
    page = as_owner.get("/cases/").content.decode()
    assert "You have no open case." in page


def test_a_case_is_opened_from_the_persons_page(as_owner, person, programme, office, owner):
    person_page = as_owner.get(f"/registry/people/{person.pk}/").content.decode()
    assert f"/cases/open/?person={person.pk}" in person_page
    form = as_owner.get(f"/cases/open/?person={person.pk}")
    assert form.status_code == 200
    response = as_owner.post(
        "/cases/open/",
        {"person": person.pk, "programme": programme.pk, "office": office.pk, "priority": 20, "sensitivity": "normal"},
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.caseworker == owner
    assert case.reference in as_owner.get(f"/registry/people/{person.pk}/").content.decode()


def test_opening_twice_is_refused_on_the_form(as_owner, case, person, programme, office):
    response = as_owner.post(
        "/cases/open/",
        {"person": person.pk, "programme": programme.pk, "office": office.pk, "priority": 20, "sensitivity": "normal"},
    )
    assert response.status_code == 200 and case.reference in response.content.decode()


def test_the_case_page_shows_state_steps_what_is_missing_and_tasks(as_owner, case):
    page = as_owner.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="state">Intake<' in page
    assert "Start the assessment" in page and "no document of the kind Signed consent" in page
    assert "Screen the person" in page
    assert AuditEvent.objects.filter(action="cases.case.read", object_id=str(case.pk)).exists()


def test_a_step_is_taken_with_its_form_and_refusals_are_shown(as_owner, case, owner):
    url = f"/cases/{case.pk}/steps/assess/"
    refused = as_owner.post(url, {"version": case.version})
    assert refused.status_code == 200 and "no document of the kind Signed consent" in refused.content.decode()
    work_actions.upload_document(
        case=case, acting_user=owner, kind="consent_form", upload=io.BytesIO(PDF), filename="c.pdf", size=len(PDF)
    )
    assert as_owner.get(url).status_code == 200
    moved = as_owner.post(url, {"version": case.version})
    assert moved.status_code == 302
    case.refresh_from_db()
    assert case.state == "assessment"


def test_a_stale_form_gets_the_conflict_page(as_owner, case, colleague):
    opened = case.version
    actions.set_priority(case=case, priority=Priority.HIGH, acting_user=colleague, version=opened)
    response = as_owner.post(f"/cases/{case.pk}/priority/", {"priority": Priority.LOW, "version": opened})
    assert response.status_code == 409
    page = response.content.decode()
    assert colleague.username in page and "priority" in page and "Nothing of your change was saved" in page
    case.refresh_from_db()
    assert case.priority == Priority.HIGH


def test_notes_tasks_and_documents_from_the_case_page(as_owner, case, owner):
    assert as_owner.post(f"/cases/{case.pk}/notes/", {"text": "Met her at the clinic"}).status_code == 302
    empty = as_owner.post(f"/cases/{case.pk}/notes/", {"text": ""})
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    assert as_owner.post(f"/cases/{case.pk}/tasks/", {"title": "Call back"}).status_code == 302
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    assert as_owner.post(f"/cases/{case.pk}/documents/", {"kind": "consent_form", "file": upload}).status_code == 302
    fake = SimpleUploadedFile("scan.pdf", b"not a pdf at all", content_type="application/pdf")
    refused = as_owner.post(f"/cases/{case.pk}/documents/", {"kind": "consent_form", "file": fake})
    assert "cannot be added" in refused.content.decode()
    document = case.documents.get()
    download = as_owner.get(f"/cases/{case.pk}/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    page = as_owner.get(f"/cases/{case.pk}/").content.decode()
    assert "Met her at the clinic" in page and "Call back" in page and "scan.pdf" in page


def test_bulk_reassignment_answers_per_case(as_owner, new_case, colleague, other_office):
    mine = new_case()
    elsewhere = new_case()
    Case.objects.filter(pk=elsewhere.pk).update(office=other_office)
    response = as_owner.post(
        "/cases/reassign/", {"case": [mine.pk, elsewhere.pk], "caseworker": colleague.pk, "reason": "leave"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and mine.reference in page
    mine.refresh_from_db()
    assert mine.caseworker == colleague
    # the other-office case was not visible to the owner: it is not touched, and counted as not found
    assert Case.objects.get(pk=elsewhere.pk).caseworker != colleague


def test_the_board_shows_a_column_per_state(as_owner, new_case):
    new_case(), new_case()
    page = as_owner.get("/cases/board/").content.decode()
    assert "Intake" in page and 'data-testid="column-count">2<' in page


def test_close_and_reopen_from_their_pages(as_owner, case):
    assert as_owner.get(f"/cases/{case.pk}/close/").status_code == 200
    assert as_owner.post(f"/cases/{case.pk}/close/", {"reason": "withdrew", "version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.closed_at is not None
    assert as_owner.post(f"/cases/{case.pk}/reopen/", {"reason": "", "version": case.version}).status_code == 200
    assert as_owner.post(f"/cases/{case.pk}/reopen/", {"reason": "back", "version": case.version}).status_code == 302


def test_pages_answer_in_arabic_right_to_left(as_owner, case):
    as_owner.post("/switch/language/", {"language": "ar"})
    page = as_owner.get(f"/cases/{case.pk}/").content.decode()
    assert 'dir="rtl"' in page


def test_the_caseload_costs_the_same_queries_for_many_cases(as_owner, new_case, django_assert_max_num_queries):
    for _ in range(3):
        new_case()
    as_owner.get("/cases/")
    # Counts are read part by part of what the user sees (CaseQuerySet.visible_parts): two queries each, but each
    # from the open cases' index alone.
    with django_assert_max_num_queries(19) as few:
        as_owner.get("/cases/")
    for _ in range(30):
        new_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_owner.get("/cases/")


def test_the_case_page_costs_a_bounded_number_of_queries(as_owner, case, owner, django_assert_max_num_queries):
    for n in range(15):
        work_actions.add_note(case=case, acting_user=owner, text=f"note {n}")
        work_actions.add_task(case=case, acting_user=owner, title=f"task {n}")
    with django_assert_max_num_queries(40):
        assert as_owner.get(f"/cases/{case.pk}/").status_code == 200
