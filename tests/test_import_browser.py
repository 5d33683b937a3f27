"""A registration import in a real browser (Debian's chromium via Playwright) against a real `passage run`
with its Huey worker: the clerk uploads a Kobo export with errors, reads them, downloads them, tries a wrong
column mapping, uploads the fixed file, approves, finds the new people; the same file again adds nobody.

Screenshots for the user guide are written to docs/user-guide/img/registry-import-*.png on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "user-guide" / "img"
HEADER = (
    "_uuid,group_hh/household_id,group_hh/member/relationship,group_hh/member/given_name,"
    "group_hh/member/family_name,group_hh/member/sex,group_hh/member/dob,group_hh/member/phone,"
    "group_hh/member/consent,_submission_time"
)
SOUND = [
    "imp-1,KB1,head,Rasha,Qadirzade,F,1984-05-02,0770 400 9101,yes,2024-03-01",
    "imp-2,KB1,daughter,Lina,Qadirzade,F,2012,,yes,2024-03-01",
    "imp-3,KB2,head,سامي,البرزنجي,ذكر,00/00/1970,0770 400 9102,نعم,2024-03-02",
]
WRONG = [
    "imp-4,KB3,head,Dilan,Azizkhani,Q,31/02/1990,12,yes,2024-03-03",  # row 5: sex, date and phone
    "imp-5,KB3,son,Aram,Azizkhani,M,2015,,no,2024-03-03",  # row 6: consent refused
]
FIXED = [
    "imp-4,KB3,head,Dilan,Azizkhani,F,28/02/1990,0770 400 9103,yes,2024-03-03",
    "imp-5,KB3,son,Aram,Azizkhani,M,2015,,yes,2024-03-03",
]


def _csv(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _upload(page: Page, base: str, path: Path) -> None:
    page.goto(base + "/registry/imports/new/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    # The progress panel polls the job; when it is done the page loads again, with the rows.
    expect(page.get_by_test_id("import-state")).to_have_text(
        re.compile("Checked, waiting for approval|Could not be read"), timeout=60_000
    )


def test_clerk_imports_a_kobo_export_with_errors_fixes_it_and_approves(
    server: dict[str, str],
    page: Page,
    tmp_path: Path,
) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    base = server["base"]
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("clerk")  # a registration clerk: holds person.register
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()

    page.locator("nav a[href='/registry/imports/']").click()  # the menu entry
    expect(page.get_by_role("heading", name="Registration imports")).to_be_visible()
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_role("link", name="Import a file").first.click()
    expect(page.get_by_role("heading", name="Import a file of people and households")).to_be_visible()
    page.screenshot(path=str(IMAGES / "registry-import-upload.png"))

    # A file with errors: the rows with errors are shown first, each problem beside its cell.
    _upload(page, base, _csv(tmp_path, "kobo-march.csv", SOUND + WRONG))
    expect(page.get_by_test_id("tab-invalid")).to_contain_text("2")
    expect(page.get_by_test_id("tab-new")).to_contain_text("3")
    rows = page.get_by_test_id("rows")
    expect(rows.locator("tr[data-row='5'] td[data-problem]").first).to_be_visible()
    expect(rows.locator("tr[data-row='5']")).to_contain_text("is not a sex Passage knows")
    expect(rows.locator("tr[data-row='6']")).to_contain_text("consent")
    page.screenshot(path=str(IMAGES / "registry-import-errors.png"))

    # The errors as a workbook: row numbers as in the file, a comment on every bad cell.
    with page.expect_download() as download:
        page.get_by_test_id("download-errors").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "kobo-march-errors.xlsx"
    sheet = load_workbook(saved).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    by_row = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert sorted(by_row) == [2, 3, 4, 5, 6]
    assert "is not a sex" in by_row[5][header.index("group_hh/member/sex")].comment.text

    # A wrong correction of the mapping is refused, naming the columns.
    page.get_by_test_id("mapping-summary").click()  # folded away until wanted
    page.locator("select[data-column='group_hh/member/family_name']").select_option("given_name")
    page.get_by_test_id("remap").click()
    expect(page.get_by_test_id("mapping-error")).to_contain_text("both go to")
    page.get_by_test_id("mapping").scroll_into_view_if_needed()
    page.get_by_test_id("mapping").screenshot(path=str(IMAGES / "registry-import-mapping.png"))

    # The fixed file: the rows that were wrong are now sound; approve after a confirmation.
    _upload(page, base, _csv(tmp_path, "kobo-march-fixed.csv", SOUND + FIXED))
    expect(page.get_by_test_id("tab-invalid")).to_contain_text("0")
    expect(page.get_by_test_id("tab-new")).to_contain_text("5")
    page.get_by_role("button", name="Approve…").click()
    page.get_by_test_id("confirm-approve").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("5 new people", timeout=60_000)

    page.goto(base + "/registry/people/?q=Azizkhani")
    expect(page.get_by_test_id("people")).to_contain_text("Dilan")
    expect(page.get_by_test_id("people")).to_contain_text("Aram")
    page.goto(base + "/registry/people/?q=Qadirzade")
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(2)

    # The same file again: every row is already registered, and there is nothing to approve.
    _upload(page, base, _csv(tmp_path, "kobo-march-fixed.csv", SOUND + FIXED))
    expect(page.get_by_test_id("tab-unchanged")).to_contain_text("5")
    expect(page.get_by_test_id("tab-new")).to_contain_text("0")
    expect(page.get_by_test_id("nothing-to-add")).to_contain_text("already registered")
    expect(page.get_by_role("button", name="Approve…")).to_have_count(0)
    page.goto(base + "/registry/people/?q=Qadirzade")
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(2)

    # The list tells the three imports apart; in Arabic it reads right to left.
    page.goto(base + "/registry/imports/")
    expect(page.get_by_test_id("imports").locator("tbody tr")).to_have_count(3)
    page.select_option("#language-switcher", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("imports").locator("tbody tr")).to_have_count(3)
    page.get_by_test_id("imports").locator("tbody tr a").first.click()
    expect(page.get_by_test_id("rows")).to_be_visible()
