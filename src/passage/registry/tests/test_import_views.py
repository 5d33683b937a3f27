"""Registration imports in the browser, through HTTP, as the people who use them: a clerk uploads a Kobo export
with errors, reads them, downloads them, corrects the mapping, approves; colleagues see, others do not."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from passage.conftest import sign_in
from passage.core.models import AuditEvent, Job, RoleGrant
from passage.core.tests.factories import member_of
from passage.registry.import_actions import save_import_template, start_registration_import
from passage.registry.models import ImportState, ImportTemplate, Person, RegistrationImport

HEADER = (
    "_uuid,group_hh/household_id,group_hh/member/relationship,group_hh/member/given_name,"
    "group_hh/member/family_name,group_hh/member/sex,group_hh/member/dob,group_hh/member/phone,"
    "group_hh/member/consent,notes\n"
)
GOOD = [
    "u-1,HH1,head,محمد,الجبوري,ذكر,00/00/1985,0770 123 4567,نعم,keep",
    "u-2,HH1,spouse,Fatima,Hassan,F,1990-02,,yes,",
    "u-3,HH2,head,Amina,Yusuf,female,12/07/1979,+252 61 555 1234,yes,",
]
BAD = [
    "u-4,HH3,head,Omar,Salih,X,31/02/1980,12,yes,",  # row 5: unknown sex, impossible date, short phone
    "u-5,HH3,son,Ali,Salih,M,2010,,no,",  # row 6: refused consent
    'u-6,HH4,head,<b>Huda</b>,"=HYPERLINK(""x"")",F,,,yes,',  # row 7: HTML and a formula, kept as text
]
FIXED = [
    "u-4,HH3,head,Omar,Salih,M,28/02/1980,07701112222,yes,",
    "u-5,HH3,son,Ali,Salih,M,2010,,yes,",
]


def csv_file(rows: list[str], name: str = "kobo.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv")


@pytest.fixture
def clerk(persona):
    return persona("registration_clerk")


@pytest.fixture
def jobs_run(django_capture_on_commit_callbacks):
    """Run the jobs queued inside the block (the suite runs Huey in immediate mode)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(client, rows: list[str], jobs_run, **extra: Any) -> RegistrationImport:
    with jobs_run():
        response = client.post("/registry/imports/new/", {"file": csv_file(rows), **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return RegistrationImport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


@pytest.fixture
def staged(client, clerk, jobs_run) -> RegistrationImport:
    sign_in(client, clerk)
    return upload(client, GOOD + BAD, jobs_run)


def test_clerk_imports_a_kobo_export_fixes_it_and_approves(client, clerk, jobs_run):
    sign_in(client, clerk)
    assert "No file has been imported" in client.get("/registry/imports/").content.decode()
    assert client.get("/registry/imports/new/").status_code == 200

    first = upload(client, GOOD + BAD, jobs_run)
    assert first.state == ImportState.VALIDATED and first.created_by == clerk
    page = client.get(f"/registry/imports/{first.pk}/").content.decode()
    assert "is not a sex Passage knows" in page  # the tab with errors opens first
    new = client.get(f"/registry/imports/{first.pk}/?outcome=new").content.decode()
    assert "&lt;b&gt;Huda&lt;/b&gt;" in new and "<b>Huda</b>" not in new
    listing = client.get("/registry/imports/").content.decode()
    assert "kobo.csv" in listing and clerk.get_username() in listing

    with jobs_run():
        response = client.post(f"/registry/imports/{first.pk}/approve/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == ImportState.COMMITTED and first.people_created == 4 and first.decided_by == clerk
    assert not Person.objects.filter(given_name__in=["Omar", "Ali"]).exists()
    assert "Added to the registry" in client.get(f"/registry/imports/{first.pk}/").content.decode()

    fixed = upload(client, GOOD + FIXED, jobs_run)
    assert (fixed.rows_invalid, fixed.rows_already_registered, fixed.rows_valid) == (0, 3, 2)
    with jobs_run():
        client.post(f"/registry/imports/{fixed.pk}/approve/")
    assert Person.objects.filter(family_name="Salih").count() == 2
    people = client.get("/registry/people/?q=Omar").content.decode()
    assert "Omar" in people

    again = upload(client, GOOD + FIXED, jobs_run)
    assert again.rows_already_registered == 5 and again.rows_valid == 0
    before = Person.objects.count()
    page = client.get(f"/registry/imports/{again.pk}/").content.decode()
    assert "Every row of this file is already registered" in page
    response = client.post(f"/registry/imports/{again.pk}/approve/", follow=True)
    assert "Nothing in this import would change the registry" in response.content.decode()
    assert Person.objects.count() == before


def test_a_colleague_sees_the_import_others_do_not(client, staged, operation, other_operation, persona):
    sign_in(client, persona("caseworker"))  # registers people too
    assert client.get(f"/registry/imports/{staged.pk}/").status_code == 200
    assert "kobo.csv" in client.get("/registry/imports/").content.decode()

    sign_in(client, member_of(other_operation, "registration_clerk"))
    assert client.get(f"/registry/imports/{staged.pk}/").status_code == 404
    assert client.get(f"/registry/imports/{staged.pk}/errors.xlsx").status_code == 404
    assert client.post(f"/registry/imports/{staged.pk}/approve/").status_code == 404
    assert "kobo.csv" not in client.get("/registry/imports/").content.decode()

    sign_in(client, persona("finance_officer"))  # sees no registry imports at all
    assert client.get("/registry/imports/").status_code == 403
    assert client.get("/registry/imports/new/").status_code == 403
    assert client.get(f"/registry/imports/{staged.pk}/").status_code == 404
    assert client.post(f"/registry/imports/{staged.pk}/reject/", {"reason": "x"}).status_code == 404
    staged.refresh_from_db()
    assert staged.state == ImportState.VALIDATED


def test_the_wrong_file_is_refused_with_a_reason(client, clerk):
    sign_in(client, clerk)
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4", content_type="application/pdf")
    page = client.post("/registry/imports/new/", {"file": pdf}).content.decode()
    assert "Passage reads CSV and XLSX files" in page
    empty = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    assert "empty" in client.post("/registry/imports/new/", {"file": empty}).content.decode()
    fake = SimpleUploadedFile("book.xlsx", b"this is no workbook", content_type="application/octet-stream")
    assert "not a readable XLSX workbook" in client.post("/registry/imports/new/", {"file": fake}).content.decode()
    assert not RegistrationImport.objects.exists()


def test_a_header_without_rows_says_so(client, clerk, jobs_run):
    sign_in(client, clerk)
    only_header = upload(client, [], jobs_run)
    page = client.get(f"/registry/imports/{only_header.pk}/").content.decode()
    assert "no rows" in page and "Approve…" not in page


def _mapping_post(registration_import: RegistrationImport, **chosen: str) -> dict[str, str]:
    """The mapping form as posted: one select per column, in the file's order."""
    columns = HEADER.strip().split(",")
    current = registration_import.mapping
    return {f"column-{i}": chosen.get(column, current.get(column, "")) for i, column in enumerate(columns)}


def test_a_bad_mapping_is_refused_with_a_message(client, staged):
    jobs_before = Job.objects.count()
    twice = _mapping_post(staged, **{"group_hh/member/family_name": "given_name"})
    page = client.post(f"/registry/imports/{staged.pk}/mapping/", twice).content.decode()
    assert "both go to" in page and "group_hh/member/family_name" in page
    unknown = _mapping_post(staged, notes="salary")
    assert "is not a registry field" in client.post(f"/registry/imports/{staged.pk}/mapping/", unknown).content.decode()
    nothing = {key: "" for key in _mapping_post(staged)}
    assert "at least one column" in client.post(f"/registry/imports/{staged.pk}/mapping/", nothing).content.decode()
    staged.refresh_from_db()
    assert staged.mapping["group_hh/member/family_name"] == "family_name" and Job.objects.count() == jobs_before


def test_a_corrected_mapping_checks_every_row_again(client, staged, jobs_run):
    without_phone = _mapping_post(staged, **{"group_hh/member/phone": "", "notes": "full_name"})
    with jobs_run():
        response = client.post(f"/registry/imports/{staged.pk}/mapping/", without_phone)
    assert response.status_code == 302
    staged.refresh_from_db()
    assert "group_hh/member/phone" not in staged.mapping and staged.mapping["notes"] == "full_name"
    assert staged.state == ImportState.VALIDATED
    assert AuditEvent.objects.filter(action="registration_import.remap", object_id=str(staged.pk)).exists()


def test_a_saved_template_is_applied_to_the_next_upload(client, staged, jobs_run, operation):
    mapping = _mapping_post(staged, notes="full_name")
    response = client.post(f"/registry/imports/{staged.pk}/template/", {**mapping, "template_name": "Kobo HH v3"})
    assert response.status_code == 302
    template = ImportTemplate.objects.get(operation=operation, name="Kobo HH v3")
    assert template.mapping["notes"] == "full_name"
    assert "Kobo HH v3" in client.get("/registry/imports/new/").content.decode()

    again = client.post(f"/registry/imports/{staged.pk}/template/", {**mapping, "template_name": "kobo hh V3"})
    assert "already a template called" in again.content.decode()

    second = upload(client, GOOD, jobs_run, template=str(template.pk))
    assert second.template == template and second.mapping["notes"] == "full_name"

    client.post(f"/registry/imports/templates/{template.pk}/delete/")
    assert not ImportTemplate.objects.exists()
    assert AuditEvent.objects.filter(action="import_template.delete").exists()


def test_a_template_from_another_form_is_refused_at_upload(client, clerk, operation):
    template = save_import_template(acting_user=clerk, operation=operation, name="ODK", mapping={"nom": "family_name"})
    sign_in(client, clerk)
    page = client.post("/registry/imports/new/", {"file": csv_file(GOOD), "template": str(template.pk)})
    assert "None of the columns of the template" in page.content.decode()


def test_the_error_workbook_names_rows_and_problems(client, staged, clerk):
    response = client.get(f"/registry/imports/{staged.pk}/errors.xlsx")
    assert response.status_code == 200 and "kobo-errors.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows_sheet, summary = workbook.worksheets
    header = [cell.value for cell in rows_sheet[1]]
    assert header[0] == "Row" and header[-2:] == ["Outcome", "Problems"]
    assert header[1:4] == ["_uuid", "group_hh/household_id", "group_hh/member/relationship"]  # the file's order
    by_row = {row[0].value: row for row in rows_sheet.iter_rows(min_row=2)}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7]
    sex = by_row[5][header.index("group_hh/member/sex")]
    assert sex.value == "X" and "is not a sex" in sex.comment.text and sex.fill.fgColor.rgb.endswith("FFC7CE")
    assert by_row[2][header.index("group_hh/member/sex")].comment is None
    assert "consent" in by_row[6][header.index("group_hh/member/consent")].comment.text
    assert by_row[7][header.index("group_hh/member/family_name")].value.startswith("'=")  # neutralised
    assert "is not a sex" in by_row[5][-1].value
    summary_text = " ".join(str(cell.value) for row in summary.iter_rows() for cell in row if cell.value)
    assert "kobo.csv" in summary_text and "(not imported)" in summary_text
    assert AuditEvent.objects.filter(
        action="registration_import.error_report", object_id=str(staged.pk), actor_id=clerk.pk
    ).exists()


def test_approving_twice_is_refused(client, staged):
    assert client.post(f"/registry/imports/{staged.pk}/approve/").status_code == 302  # queued, not yet run
    staged.refresh_from_db()
    assert staged.state == ImportState.COMMITTING
    response = client.post(f"/registry/imports/{staged.pk}/approve/", follow=True)
    assert "already being added to the registry" in response.content.decode()
    assert Job.objects.filter(kind="registry.import_commit").count() == 1
    assert client.post(f"/registry/imports/{staged.pk}/reject/", {"reason": "late"}).status_code == 302
    staged.refresh_from_db()
    assert staged.state == ImportState.COMMITTING  # too late to reject


def test_a_commit_is_queued_as_the_approver(client, staged, clerk):
    client.post(f"/registry/imports/{staged.pk}/approve/")
    job = Job.objects.get(kind="registry.import_commit")
    assert job.params == {"import_id": str(staged.pk), "approved_by": str(clerk.pk)}
    event = AuditEvent.objects.get(action="registration_import.approval", object_id=str(staged.pk))
    assert event.actor_id == clerk.pk


def test_reject_needs_a_reason_and_shows_it(client, staged):
    page = client.post(f"/registry/imports/{staged.pk}/reject/", {"reason": ""}).content.decode()
    assert "This field is required" in page
    response = client.post(f"/registry/imports/{staged.pk}/reject/", {"reason": "wrong district"}, follow=True)
    assert "wrong district" in response.content.decode()
    staged.refresh_from_db()
    assert staged.state == ImportState.REJECTED


def test_rows_by_outcome_and_reading_them_is_audited(client, staged, clerk):
    new = client.get(f"/registry/imports/{staged.pk}/?outcome=new").content.decode()
    assert "Amina" in new and "Omar" not in new
    invalid = client.get(f"/registry/imports/{staged.pk}/?outcome=invalid").content.decode()
    assert "Omar" in invalid and "Amina" not in invalid
    assert AuditEvent.objects.filter(action="registry.registrationimport.read", actor_id=clerk.pk).count() == 2


def test_progress_panel_asks_for_the_whole_page_when_done(client, clerk, operation):
    content = (HEADER + "\n".join(GOOD)).encode()
    queued = start_registration_import(acting_user=clerk, operation=operation, filename="a.csv", content=content)
    sign_in(client, clerk)
    page = client.get(f"/registry/imports/{queued.pk}/").content.decode()
    assert "Reading and checking every row" in page and "hx-trigger" in page  # the job has not run
    Job.objects.filter(pk=queued.job_id).update(state="succeeded")
    panel = client.get(f"/registry/imports/{queued.pk}/?panel=1", HTTP_HX_REQUEST="true")
    assert panel["HX-Refresh"] == "true"


def test_rows_are_masked_for_a_registrar_without_need_to_know(client, staged):
    """As on the person page and in the API: an administrator took unmasked phones away from clerks."""
    page = client.get(f"/registry/imports/{staged.pk}/?outcome=new").content.decode()
    assert "0770 123 4567" in page
    RoleGrant.objects.filter(role__code="registration_clerk", permission="person.view_sensitive").delete()
    page = client.get(f"/registry/imports/{staged.pk}/?outcome=new").content.decode()
    assert "0770 123 4567" not in page and "•••••••••••67" in page
