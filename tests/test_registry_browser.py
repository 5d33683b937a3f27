"""The registration wizard in a real browser (Debian's chromium via Playwright) against a real `passage run`."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_clerk_registers_a_household_of_two(server: dict[str, str], page: Page) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    page.locator("nav a[href='/registry/register/']").click()  # the menu entry
    expect(page.get_by_role("heading", name="Register a household")).to_be_visible()

    # The first member is the head; a name as written in Arabic and in Latin letters, and a decision on consent.
    page.locator("[name='members-0-given_name']").fill("نور")
    page.locator("[name='members-0-given_name_latin']").fill("Noor")
    page.locator("[name='members-0-family_name_latin']").fill("Hassan")
    page.locator("[name='members-0-sex']").select_option("female")
    page.locator("[name='members-0-birth_date_precision']").select_option("year")
    page.locator("[name='members-0-birth_date']").fill("1988")
    page.locator("[name='members-0-phone']").fill("0770 555 1234")
    page.locator("#id_members-0-consent_granted_0").check()
    page.locator("[name='members-0-consent_method']").select_option("verbal")

    # Where the household lives: found by typing part of a name, chosen with the keyboard; the P-code is sent.
    place = page.get_by_test_id("place-search")
    place.fill("mosu")
    expect(page.get_by_role("option", name="Mosul › Ninewa")).to_be_visible()
    place.press("ArrowDown")
    place.press("Enter")
    expect(page.locator("input[name='admin_area']")).to_have_value("IQD083")
    expect(page.locator("[data-place-chosen]")).to_contain_text("Mosul › Ninewa")
    expect(page.get_by_role("listbox", name="Areas and sites")).to_be_hidden()

    # A nationality, found by its name among the codes, under "More about this person".
    head = page.locator(".member[data-member='0']")
    head.get_by_text("More about this person").click()
    finder = head.get_by_placeholder("Find a country")
    finder.fill("Iraq")
    finder.press("Enter")
    expect(page.locator("[name='members-0-nationalities']")).to_have_value("IQ")
    expect(head.locator("[data-codes-names]").first).to_contain_text("Iraq")

    # A typo in the phone is named beside the field while typing, and goes away when corrected.
    page.locator("[name='members-0-phone']").fill("12")
    page.locator("[name='members-0-phone']").blur()
    expect(page.locator("#err-members-0-phone")).not_to_be_empty()
    page.locator("[name='members-0-phone']").fill("0770 555 1234")
    page.locator("[name='members-0-phone']").blur()
    expect(page.locator("#err-members-0-phone")).to_be_empty()

    page.get_by_role("button", name="Add a member").click()
    expect(page.locator("[name='members-1-relationship']")).to_be_focused()
    page.locator("[name='members-1-relationship']").select_option("son")
    page.locator("[name='members-1-given_name_latin']").fill("Yusuf")
    page.locator("[name='members-1-birth_date_precision']").select_option("age")
    expect(page.locator("[name='members-1-birth_date']")).to_be_hidden()
    page.locator("[name='members-1-age_years']").fill("6")
    page.locator("#id_members-1-consent_granted_0").check()
    page.locator("[name='members-1-consent_method']").select_option("proxy")
    page.locator("[name='members-1-proxy_name']").fill("Noor, mother")

    # A third member added by mistake is removed before registering; the others keep their numbers.
    page.get_by_role("button", name="Add a member").click()
    expect(page.locator("[name='members-2-relationship']")).to_be_focused()
    page.locator("[name='members-2-given_name_latin']").fill("Mistake")
    page.locator(".member[data-member='2']").get_by_test_id("remove-member").click()
    expect(page.locator("#members-2-legend")).to_have_text("Removed: will not be registered")
    expect(page.locator("[name='members-2-given_name_latin']")).to_be_hidden()
    expect(page.locator("#members-1-legend")).to_have_text("Member 2")

    page.get_by_role("button", name="Register the household").click()
    expect(page.get_by_test_id("household-reference")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("registered with 2 members")
    members = page.get_by_test_id("members")
    expect(members).to_contain_text("Noor Hassan")
    expect(members).to_contain_text("Yusuf")
    expect(members).to_contain_text("1988")
    expect(members).not_to_contain_text("Mistake")
    expect(page.get_by_text("Mosul (IQD083)")).to_be_visible()
