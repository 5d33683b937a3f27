"""A caseworker's case in a real browser (Debian's chromium via Playwright) against a real `passage run`: a
person registered, a case opened from their page, a private note, a document, the priority, a step with its
reason that ends the case, and reopening it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sign_in(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()


def test_a_caseworker_takes_a_case_from_opening_to_closure(server: dict[str, str], page: Page, tmp_path: Path) -> None:
    sign_in(page, server, "caseworker")
    page.goto(server["base"] + "/registry/register/")
    page.locator("[name='members-0-given_name_latin']").fill("Layla")
    page.locator("[name='members-0-family_name_latin']").fill("Rashid")
    page.locator("#id_members-0-consent_granted_0").check()
    page.locator("[name='members-0-consent_method']").select_option("verbal")
    page.get_by_role("button", name="Register the household").click()
    page.get_by_test_id("members").get_by_role("link").first.click()

    # From the person's page: the cases panel, and opening a protection case.
    panel = page.get_by_test_id("subject-cases")
    expect(panel).to_contain_text("No case about them that you may see.")
    panel.get_by_test_id("open-case").click()
    page.get_by_label("Programme").select_option(label="Protection and direct assistance to vulnerable migrants")
    page.get_by_label("Office").select_option(label="Baghdad")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("status").first).to_contain_text("is open")
    reference = page.get_by_test_id("case-reference").inner_text()
    assert reference.startswith("PDA-")
    expect(page.get_by_test_id("state")).to_have_text("Screening")
    expect(page.get_by_test_id("step-complete_screening")).to_contain_text("no document of the kind Signed consent")

    # A private note, a document, the priority.
    page.get_by_role("textbox", name="Note", exact=True).fill("She asked us not to call her brother.")
    page.get_by_label("Private: only me and the people named on the case read it").check()
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_test_id("note").first).to_contain_text("not to call her brother")
    page.get_by_text("Add a document").click()
    page.get_by_label("Kind").select_option(label="Signed consent")
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("File").set_input_files(str(scan))
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_test_id("documents")).to_contain_text("consent.pdf")
    expect(page.get_by_test_id("step-complete_screening")).not_to_contain_text("no document of the kind")
    page.get_by_role("combobox", name="Priority").select_option(label="High")
    page.get_by_role("button", name="Change the priority").click()
    expect(page.get_by_text("High", exact=True).first).to_be_visible()

    # A step with its reason ends the case; reopening takes it back to where it was.
    page.get_by_test_id("step-withdraw").get_by_role("link").click()
    page.get_by_label("Reason").fill("She moved to Erbil and asked to stop.")
    page.get_by_test_id("take-step").click()
    expect(page.get_by_test_id("closed")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("She moved to Erbil and asked to stop.")
    page.get_by_role("link", name="Reopen").click()
    page.get_by_label("Reason").fill("She came back to Baghdad.")
    page.get_by_role("button", name="Reopen the case").click()
    expect(page.get_by_test_id("state")).to_have_text("Screening")

    # The caseload finds it by number.
    page.locator("nav.navbar a[href='/cases/']").click()
    page.get_by_label("Case number, name or registration number").fill(reference)
    expect(page.get_by_test_id("cases")).to_contain_text(reference)
