"""What every export shares (core.exporting): formulas written as text, sheets past Excel's row limit, passwords
sealed for one job and gone once it is written, small counts suppressed, and export jobs seen by their asker only.
The registry's and the cases' export tests prove the rest through their own exports."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from passage.core import exporting
from passage.core.jobs import KINDS, JobContext, job_kind, open_result
from passage.core.models import Job

PASSWORD = "correct horse battery"


@pytest.fixture
def export_kind():
    """A private export kind writing three rows, one of them a formula."""

    @job_kind("test.export", title="Test export", user_startable=False, private=True)
    def run(ctx: JobContext) -> None:
        password = exporting.unseal_password(ctx)
        rows = ([exporting.neutralise(value)] for value in ("Amal", "=1+1", "Noor"))
        filename, written = exporting.write_export(
            ctx,
            header=["Name"],
            rows=rows,
            total=3,
            file_format="xlsx",
            password=password,
            base="test",
            title="Test",
        )
        exporting.forget_password(ctx)
        ctx.finish(rows=written, filename=filename)

    yield "test.export"
    del KINDS["test.export"]


def test_formulas_become_text():
    assert exporting.neutralise("=1+1") == "'=1+1" and exporting.neutralise("-2") == "'-2"
    assert exporting.neutralise("@SUM(A1)") == "'@SUM(A1)" and exporting.neutralise("Amal") == "Amal"
    assert exporting.neutralise("\tx") == "'\tx" and exporting.neutralise(None) == ""


def test_xlsx_starts_a_new_sheet_past_the_row_limit(monkeypatch):
    monkeypatch.setattr(exporting, "XLSX_ROWS_PER_SHEET", 2)
    out = io.BytesIO()
    written = exporting.write_xlsx(["Number"], ([str(n)] for n in range(5)), out, title="People")
    workbook = load_workbook(out)
    assert written == 5 and workbook.sheetnames == ["People", "People 2", "People 3"]
    assert [c.value for c in workbook["People 3"]["A"]] == ["Number", "4"]


def test_a_password_is_checked_for_length_and_asked_for_where_required():
    assert "at least 12 characters" in exporting.password_problem("short")
    assert exporting.password_problem("", required="Names need a password.") == "Names need a password."
    assert exporting.password_problem(PASSWORD, required="Names need a password.") == ""
    assert exporting.password_problem("") == ""


def test_small_counts_are_suppressed_and_thresholds_only_raised(operation, settings):
    assert exporting.suppress(4, 5) == (None, "<5") and exporting.suppress(0, 5) == (None, "<5")
    assert exporting.suppress(5, 5) == (5, "5")
    assert exporting.threshold_problem(operation, None) == "" and exporting.threshold_problem(operation, 9) == ""
    assert "always suppressed" in exporting.threshold_problem(operation, 4)
    settings.SMALL_CELL_THRESHOLDS = {operation.code: 10}
    assert exporting.small_cell_threshold(operation) == 10


def test_a_protected_export_opens_with_its_password_which_is_then_forgotten(
    export_kind, persona, operation, django_capture_on_commit_callbacks
):
    import msoffcrypto

    caseworker = persona("caseworker")
    with django_capture_on_commit_callbacks(execute=True):
        job = exporting.queue_export(
            acting_user=caseworker, operation=operation, kind=export_kind, params={}, title="T", password=PASSWORD
        )
    job.refresh_from_db()
    assert job.state == "succeeded", job.errors
    assert job.checkpoint == {} and job.created_by == caseworker and job.result["rows"] == 3
    office_file = msoffcrypto.OfficeFile(io.BytesIO(open_result(job).read()))
    office_file.load_key(password=PASSWORD, verify_password=True)
    opened = io.BytesIO()
    office_file.decrypt(opened)
    assert [c.value for c in load_workbook(opened).active["A"]] == ["Name", "Amal", "'=1+1", "Noor"]


def test_an_export_job_is_seen_by_its_asker_only(export_kind, persona, operation):
    caseworker = persona("caseworker")
    job = exporting.queue_export(
        acting_user=caseworker, operation=operation, kind=export_kind, params={}, title="T", password=""
    )
    root = get_user_model().objects.create_superuser("root", "root@example.org", "a long password 123")
    assert job in Job.objects.visible_to(caseworker)
    for other in (persona("me_officer"), persona("administrator"), root):  # job.view_all, and a superuser
        assert job not in Job.objects.visible_to(other)
    selftest = Job.objects.create(operation=operation, kind="core.selftest", title="x", created_by=caseworker)
    assert selftest in Job.objects.visible_to(persona("me_officer"))  # other kinds: overseers still see them
