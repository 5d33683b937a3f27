"""Case exports and counts in a real browser (Debian's chromium via Playwright) against a real `passage run`: a
caseworker opens a case, exports their caseload to a password-protected workbook written by the worker and opens it
with the password; an M&E officer reads case counts as a chart and a table, by programme and by state."""

from __future__ import annotations

import io

import msoffcrypto
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def sign_in(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/", timeout=120_000)  # a first request to a cold server on a busy machine
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()


def open_a_case(page: Page, server: dict[str, str], name: str) -> str:
    """Register a person and open a protection case for them; the case number."""
    page.goto(server["base"] + "/registry/register/")
    page.locator("[name='members-0-given_name_latin']").fill(name)
    page.locator("#id_members-0-consent_granted_0").check()
    page.locator("[name='members-0-consent_method']").select_option("verbal")
    page.get_by_role("button", name="Register the household").click()
    page.get_by_test_id("members").get_by_role("link").first.click()
    page.get_by_test_id("subject-cases").get_by_test_id("open-case").click()
    page.get_by_label("Programme").select_option(label="Protection and direct assistance to vulnerable migrants")
    page.get_by_label("Office").select_option(label="Baghdad")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("status").first).to_contain_text("is open")
    return page.get_by_test_id("case-reference").inner_text()


def test_a_caseworker_exports_a_caseload_and_an_me_officer_counts_cases(server: dict[str, str], page: Page) -> None:
    sign_in(page, server, "caseworker")
    reference = open_a_case(page, server, "Rasha")
    page.goto(server["base"] + "/cases/?tab=mine&status=all")
    page.get_by_test_id("export-link").click()
    expect(page.get_by_role("heading", name="Export cases")).to_be_visible()
    expect(page.get_by_test_id("filters")).to_contain_text("My cases")
    matching = page.get_by_test_id("matching").inner_text()
    page.get_by_label("Excel (XLSX)").check()
    page.get_by_label("Password to open the file").fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    page.get_by_test_id("export").click()

    # The job page follows the worker, and offers the file when it is written.
    expect(page.get_by_text("Succeeded")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the result").click()
    encrypted = download.value.path().read_bytes()
    office_file = msoffcrypto.OfficeFile(io.BytesIO(encrypted))
    office_file.load_key(password=PASSWORD, verify_password=True)
    opened = io.BytesIO()
    office_file.decrypt(opened)
    rows = list(load_workbook(opened).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Case number", "Programme", "About")
    assert reference in [row[0] for row in rows[1:]]
    assert f"{len(rows) - 1} case" in matching  # every case the page counted

    # The M&E officer counts cases (never seeing one): the dashboard's tile, the counts as a chart and a table.
    page.context.clear_cookies()
    sign_in(page, server, "meofficer")
    expect(page.locator("[data-stat='open-cases']")).not_to_be_empty()  # the dashboard's tile
    page.locator("nav a[href='/cases/counts/']").click()
    expect(page.get_by_role("heading", name="Case counts")).to_be_visible()
    expect(page.locator("#case-counts-canvas svg")).to_be_visible()  # drawn by ECharts, served by Passage
    table = page.get_by_test_id("case-counts")
    expect(table.locator("thead")).to_contain_text("Programme")
    page.get_by_label("Count by").select_option("state")
    page.get_by_role("button", name="Show").click()
    expect(table.locator("thead")).to_contain_text("State")
    expect(page.get_by_test_id("total-open")).not_to_be_empty()
