"""Case exports as the people who ask for them: the file holds the caseload the filters show, who a case is about
only on request, in a protected file and where the asker sees that person, restricted cases only for their named
staff and only in a protected file, formulas as text, every export audited and only the asker opening it."""

from __future__ import annotations

import csv
import io
from typing import Any

import msoffcrypto
import pytest
import pyzipper
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from passage.cases import actions
from passage.cases.case_exports import CaseExportRequest, export_cases
from passage.cases.models import Priority, Sensitivity
from passage.cases.queries import CaseFilters
from passage.cases.tests.conftest import register_person
from passage.conftest import sign_in
from passage.core.jobs import execute, open_result
from passage.core.models import AuditEvent, Job, Membership
from passage.core.tests.factories import member_of

PASSWORD = "correct horse battery"


def run(capture: Any, **kwargs: Any) -> Job:
    """Ask for an export and let the worker write it (jobs run in-process in tests)."""
    with capture(execute=True):
        job = export_cases(**kwargs)
    job.refresh_from_db()
    assert job.state == "succeeded", job.errors
    return job


def read_csv(job: Job) -> list[list[str]]:
    content = open_result(job).read()
    if job.result_file.name.endswith(".zip"):
        with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
            archive.setpassword(PASSWORD.encode())
            content = archive.read(archive.namelist()[0])
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def as_dicts(job: Job) -> dict[str, dict[str, str]]:
    header, *rows = read_csv(job)
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_a_caseworker_exports_the_caseload_their_filters_show(
    owner, new_case, operation, office, django_capture_on_commit_callbacks
):
    urgent = new_case(priority=Priority.URGENT)
    calm = new_case(register_person(operation, office, "Noor"))
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=owner,
        operation=operation,
        request=CaseExportRequest(filters=CaseFilters(tab="mine", priority=str(Priority.URGENT))),
    )
    header, *rows = read_csv(job)
    assert header == [
        "Case number",
        "Programme",
        "About",
        "State",
        "Priority",
        "Sensitivity",
        "Caseworker",
        "Office",
        "Opened",
        "Due",
        "Overdue",
        "Closed",
    ]
    assert [row[0] for row in rows] == [urgent.reference] and calm.reference not in str(rows)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Programme"] == "Protection" and row["About"] == "Person" and row["State"] == "Intake"
    assert row["Priority"] == "Urgent" and row["Sensitivity"] == "Normal" and row["Office"] == "Erbil"
    assert row["Opened"] == urgent.opened_at.date().isoformat() and row["Overdue"] == "No" and row["Closed"] == ""
    assert job.created_by == owner and job.result["rows"] == 1 and job.counts["cases"] == 1


def test_overdue_and_closed_cases_read_as_the_caseload_shows_them(
    owner, new_case, operation, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    late, done = new_case(), new_case()
    type(late).objects.filter(pk=late.pk).update(state_due_at=timezone.now() - timezone.timedelta(days=1))
    actions.close_case(case=done, acting_user=owner, reason="completed")
    rows = as_dicts(
        run(
            django_capture_on_commit_callbacks,
            acting_user=owner,
            operation=operation,
            request=CaseExportRequest(filters=CaseFilters(tab="mine", status="all")),
        )
    )
    assert rows[late.reference]["Overdue"] == "Yes" and rows[late.reference]["Due"]
    assert rows[done.reference]["Closed"] and rows[done.reference]["Overdue"] == "No"


def test_names_leave_only_in_a_protected_file_and_only_for_people_the_asker_sees(
    owner, new_case, operation, office, other_office, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as refused:
        export_cases(acting_user=owner, operation=operation, request=CaseExportRequest(subjects=True))
    assert "password-protected" in refused.value.message_dict["password"][0]
    here = new_case(register_person(operation, office, "Amal"))
    # A person of the Mosul office, whose case (of Erbil) the owner works: the case is seen, the person is not.
    there = actions.open_case(
        acting_user=None,
        programme=here.programme,
        office=office,
        person=register_person(operation, other_office, "Omar"),
        caseworker=owner,
    )
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=owner,
        operation=operation,
        request=CaseExportRequest(subjects=True, password=PASSWORD, format="csv"),
    )
    assert job.result_file.name.endswith(".zip")
    rows = as_dicts(job)
    assert (
        rows[here.reference]["Name"] == "Amal" and rows[here.reference]["Registration number"] == here.person.reference
    )
    assert rows[there.reference]["Name"] == "" and rows[there.reference]["Registration number"] == ""


def test_sensitivity_is_for_those_who_manage_cases_and_names_for_those_who_see_people(
    new_case, operation, django_capture_on_commit_callbacks
):
    from passage.core.models import Role, RoleGrant

    # Finance officers see cases (they approve grants); an administrator lets them export cases, and another time
    # takes people out of their role.
    finance = member_of(operation, "finance_officer")
    role = Role.objects.get(code="finance_officer")
    RoleGrant.objects.get_or_create(role=role, permission="case.export")
    case = new_case()
    header, *rows = read_csv(
        run(
            django_capture_on_commit_callbacks,
            acting_user=finance,
            operation=operation,
            request=CaseExportRequest(filters=CaseFilters(tab="state")),
        )
    )
    assert "Sensitivity" not in header and rows[0][0] == case.reference
    RoleGrant.objects.filter(role=role, permission="person.view").delete()
    finance = type(finance).objects.get(pk=finance.pk)  # a new request: grants are read again
    with pytest.raises(ValidationError) as refused:
        export_cases(
            acting_user=finance, operation=operation, request=CaseExportRequest(subjects=True, password=PASSWORD)
        )
    assert "may not see people" in refused.value.message_dict["subjects"][0]


def test_formulas_in_names_are_written_as_text(owner, new_case, operation, office, django_capture_on_commit_callbacks):
    case = new_case(register_person(operation, office, '=HYPERLINK("http://x","y")'))
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=owner,
        operation=operation,
        request=CaseExportRequest(subjects=True, password=PASSWORD, format="xlsx"),
    )
    office_file = msoffcrypto.OfficeFile(io.BytesIO(open_result(job).read()))
    assert office_file.is_encrypted()
    office_file.load_key(password=PASSWORD, verify_password=True)
    opened = io.BytesIO()
    office_file.decrypt(opened)
    sheet = load_workbook(opened).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    name = values[1][values[0].index("Name")]
    assert values[1][0] == case.reference and name == '\'=HYPERLINK("http://x","y")'
    assert sheet.cell(row=2, column=values[0].index("Name") + 1).data_type == "s"


def test_restricted_cases_leave_only_in_a_protected_file_and_their_reads_are_audited(
    owner, new_case, operation, django_capture_on_commit_callbacks
):
    normal, restricted = new_case(), new_case(sensitivity=Sensitivity.RESTRICTED)
    plain = run(django_capture_on_commit_callbacks, acting_user=owner, operation=operation, request=CaseExportRequest())
    assert set(as_dicts(plain)) == {normal.reference}
    assert plain.result["restricted_left_out"] == 1 and plain.counts["restricted_left_out"] == 1
    protected = run(
        django_capture_on_commit_callbacks,
        acting_user=owner,
        operation=operation,
        request=CaseExportRequest(password=PASSWORD),
    )
    rows = as_dicts(protected)
    assert set(rows) == {normal.reference, restricted.reference}
    assert rows[restricted.reference]["Sensitivity"] == "Restricted"
    read = AuditEvent.objects.get(action="cases.case.read", object_id=str(restricted.pk), note__startswith="export")
    assert read.actor_id == owner.pk and read.note == f"export {protected.pk}"


def test_every_export_is_audited_and_its_password_kept_nowhere(
    owner, new_case, operation, django_capture_on_commit_callbacks
):
    new_case()
    job = run(
        django_capture_on_commit_callbacks,
        acting_user=owner,
        operation=operation,
        request=CaseExportRequest(filters=CaseFilters(tab="office", text="Amal"), password=PASSWORD, subjects=True),
    )
    asked = AuditEvent.objects.get(action="case.export.request", object_id=str(job.pk))
    written = AuditEvent.objects.get(action="case.export", object_id=str(job.pk))
    assert asked.actor_id == owner.pk == written.actor_id and written.operation_id == operation.pk
    assert written.changes["filters"] == [None, {"tab": "office", "q": "Amal", "status": "open"}]
    assert written.changes["rows"] == [None, 1] and written.changes["protected"] == [None, True]
    job.refresh_from_db()
    assert job.checkpoint == {} and "password" not in job.params
    stored = " ".join(str(e.changes) for e in AuditEvent.objects.all()) + str(job.params) + str(job.result)
    assert PASSWORD not in stored


def test_who_may_export(persona, operation, outsider, owner):
    for refused in (persona("me_officer"), persona("finance_officer"), persona("registration_clerk"), outsider):
        with pytest.raises(PermissionDenied):
            export_cases(acting_user=refused, operation=operation, request=CaseExportRequest())
    with pytest.raises(ValidationError) as unknown:
        export_cases(acting_user=owner, operation=operation, request=CaseExportRequest(format="ods"))
    assert "format" in unknown.value.message_dict


def test_the_job_checks_the_permission_again_when_it_runs(
    owner, new_case, operation, django_capture_on_commit_callbacks
):
    new_case()
    with django_capture_on_commit_callbacks(execute=False):
        job = export_cases(acting_user=owner, operation=operation, request=CaseExportRequest())
    Membership.objects.filter(user=owner).update(is_active=False)
    execute(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and not job.result_file
    assert "may no longer export cases" in job.errors[-1]["message"]


# --- through the pages --------------------------------------------------------------------------------------------


def test_the_caseload_links_to_the_export_of_what_it_shows(client, owner, new_case):
    new_case()
    sign_in(client, owner)
    page = client.get("/cases/", {"tab": "office", "q": "Amal"}).content.decode()
    assert 'href="/cases/export/?tab=office&amp;q=Amal"' in page
    fragment = client.get("/cases/", {"tab": "state", "status": "all"}, headers={"HX-Request": "true"}).content.decode()
    assert "/cases/export/?tab=state&amp;status=all" in fragment


def test_the_export_page_says_what_is_exported_and_queues_a_job_only_the_asker_opens(
    client, owner, new_case, persona, django_capture_on_commit_callbacks
):
    normal, restricted = new_case(), new_case(sensitivity=Sensitivity.RESTRICTED)
    sign_in(client, owner)
    page = client.get("/cases/export/", {"tab": "mine"}).content.decode()
    assert "2 cases you may see match these filters." in page and "1 of them is restricted" in page
    assert 'name="subjects"' in page and '<input type="hidden" name="tab" value="mine">' in page
    short = client.post("/cases/export/", {"tab": "mine", "format": "csv", "subjects": "on"}).content.decode()
    assert "password-protected" in short
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cases/export/",
            {"tab": "mine", "format": "csv", "password": PASSWORD, "password_again": PASSWORD},
        )
    job = Job.objects.get(kind="cases.export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert set(as_dicts(job)) == {normal.reference, restricted.reference}
    assert client.get(f"/jobs/{job.pk}/result/").status_code == 200
    for other in (persona("administrator"), persona("me_officer")):  # job overseers
        client.logout()
        sign_in(client, other)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/result/").status_code == 404


def test_rows_stream_with_one_query_per_chunk(owner, new_case, operation, django_assert_max_num_queries):
    from django.utils import timezone

    from passage.cases.case_exports import case_rows, columns_for, for_export
    from passage.cases.queries import caseload

    for _ in range(7):
        new_case()
    cases = for_export(caseload(owner, operation, CaseFilters(tab="mine")), now=timezone.now())
    columns = columns_for(subjects=True, sensitivity=True)
    # 7 cases in chunks of 3: 3 queries for the cases (programme, office, caseworker and subject joined, overdue
    # worked out by the database), and nothing per case.
    with django_assert_max_num_queries(3 + 1):
        rows = list(case_rows(cases.iterator(chunk_size=3), columns, user=owner))
    assert len(rows) == 7
