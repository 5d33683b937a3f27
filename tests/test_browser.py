"""In a real browser (Debian's chromium via Playwright) against a real `passage run`: gunicorn and the Huey worker."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_caseworker_switches_to_arabic_and_watches_a_job_progress(server: dict[str, str], page: Page) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill("caseworker")
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Iraq (demo)")).to_be_visible()

    page.select_option("#language-switcher", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.locator("link[href*='bootstrap.rtl']").count() == 1

    page.goto(server["base"] + "/jobs/")
    page.locator("[data-testid='start-core.selftest']").click()
    state = page.locator("[data-testid=job-state]").first
    progress = page.locator("[data-testid=job-progress]").first
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = progress.inner_text()
        match = re.search(r"(\d+)%", text)
        if match:
            seen.add(int(match.group(1)))
        if 100 in seen:
            break
        page.wait_for_timeout(250)
    assert 100 in seen, f"the job never finished; progress seen: {sorted(seen)}"
    assert len(seen - {0, 100}) >= 1, f"no intermediate progress was shown: {sorted(seen)}"
    expect(state).to_have_text(re.compile(r"\S"))
    page.locator("tr[data-job] a").first.click()
    expect(page.locator("a[href$='/result/']")).to_be_visible()
