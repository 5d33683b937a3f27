"""The review of possible duplicates in a real browser (Debian's chromium via Playwright) against a real
`passage run` with its worker, over a demo registry of a few hundred people (`passage demo --people 300`, which
also leaves a finished search for duplicates).

A data officer opens the queue, opens the most probable pair, picks a value, merges, sees the merged record
point at the one kept, and undoes the merge; then starts a new search and watches it finish; the comparison
reads right to left in Arabic. The screenshots of docs/user-guide/matching.md are written on the way to
docs/user-guide/img/matching-*.png."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "user-guide" / "img"


@pytest.fixture(scope="module")
def registry(server: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": server["data_dir"],
        "PASSAGE_TESTING": "false",
        "PASSAGE_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
    }
    env.pop("DATABASE_URL", None)
    built = subprocess.run(
        [sys.executable, "-m", "passage.cli", "demo", "--people", "300", "--seed", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "pairs of possible duplicates" in built.stdout, built.stdout
    IMAGES.mkdir(parents=True, exist_ok=True)
    return server


def sign_in(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(username))).to_be_visible()


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    page.screenshot(path=str(IMAGES / f"matching-{name}.png"), full_page=full_page)


def test_a_reviewer_compares_a_pair_merges_and_undoes(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "dataofficer")
    page.locator("nav a[href='/duplicates/']").click()
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    expect(page.get_by_test_id("runs").get_by_test_id("run-state").first).to_have_text("Done")
    pairs = page.get_by_test_id("pairs").locator("tbody tr")
    expect(pairs.first).to_be_visible()
    waiting = int(page.locator("[data-count='open']").inner_text())
    assert waiting >= 3
    shot(page, "queue")

    # The most probable pair, side by side: agreeing fields green, differing red, a weight bar per field.
    pairs.first.get_by_test_id("compare").click()
    expect(page.get_by_role("heading", name="Compare two records")).to_be_visible()
    table = page.get_by_test_id("comparison")
    expect(table.locator("tr[data-tone='agree']").first).to_be_visible()
    expect(table.locator(".mweight").first).to_be_visible()
    first = table.locator("thead a").nth(0).inner_text()
    second = table.locator("thead a").nth(1).inner_text()
    shot(page, "compare", full_page=True)

    # Pick a value: a name the records write differently, taken from the record not chosen yet.
    candidates = table.locator("input[type=radio][name^='choice-']:not(:checked)")
    names = [c for c in candidates.all() if "name" in (c.get_attribute("name") or "")] or candidates.all()
    other = next(c for c in names if c.locator("xpath=following-sibling::label").inner_text().strip() != "—")
    picked = other.locator("xpath=following-sibling::label").inner_text().strip()
    field = other.get_attribute("name") or ""
    other.check()
    page.get_by_label("Note").fill("Same person: same father's name and date of birth")
    page.get_by_role("button", name="Same person: merge").click()

    # The merge: who was kept, what it took; the merged record points at the one kept.
    expect(page.get_by_role("status").first).to_contain_text("Merged into")
    if "name" in field:
        expect(page.get_by_test_id("changed")).to_contain_text(picked)
    survivor = page.get_by_test_id("survivor").inner_text()
    assert any(word in survivor for word in (first + " " + second).split())
    merge_url = page.url
    shot(page, "merge")
    page.get_by_test_id("merged").first.click()
    expect(page.get_by_test_id("merged-into")).to_contain_text("This record was merged into")
    page.get_by_test_id("merged-into-link").click()
    expect(page.get_by_test_id("person-name")).to_be_visible()
    page.goto(server["base"] + "/duplicates/")  # the pair is decided; pairs with the merged record leave too
    assert int(page.locator("[data-count='open']").inner_text()) < waiting

    # Undo: the records are apart again, the merged one active, the pair back in the queue.
    page.goto(merge_url)
    page.get_by_label("Why is this merge undone?").fill("Checked with the field office: two people")
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("undone")).to_contain_text("Undone by Karwan Aziz")
    page.get_by_test_id("merged").first.click()
    expect(page.get_by_test_id("merged-into")).to_have_count(0)
    expect(page.get_by_test_id("person-actions")).to_have_count(0)  # a data officer does not correct records
    page.goto(server["base"] + "/duplicates/")
    expect(page.locator("[data-count='open']")).to_have_text(str(waiting))


def test_a_reviewer_escalates_and_starts_a_new_search(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "dataofficer")
    page.goto(server["base"] + "/duplicates/")
    page.get_by_test_id("pairs").locator("tbody tr").first.get_by_test_id("compare").click()
    # Keyboard: U moves to "Unsure: escalate"; without a note the escalation is refused, with one it is kept.
    page.locator("body").press("u")
    expect(page.get_by_role("button", name="Unsure: escalate")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("refused")).to_contain_text("Say why you are unsure")
    page.get_by_label("Note").fill("Two dates of birth a year apart: ask the Mosul office")
    page.get_by_role("button", name="Unsure: escalate").click()
    expect(page.get_by_role("status").first).to_contain_text("Escalated")
    page.goto(server["base"] + "/duplicates/?view=unsure")
    expect(page.get_by_test_id("pairs")).to_contain_text("ask the Mosul office")

    # A new search: the worker reads the registry; the panel follows its progress until it is done.
    page.goto(server["base"] + "/duplicates/")
    page.get_by_test_id("find-duplicates").click()
    expect(page.get_by_role("status").first).to_contain_text("looking for duplicates")
    expect(page.get_by_test_id("runs").get_by_test_id("run-state").first).to_have_text("Done", timeout=90_000)


def test_the_comparison_reads_right_to_left_in_arabic(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "dataofficer")
    page.goto(server["base"] + "/duplicates/")
    href = page.get_by_test_id("pairs").locator("tbody tr").first.get_by_test_id("compare").get_attribute("href")
    page.goto(server["base"] + (href or "/duplicates/"))
    page.select_option("#language-switcher", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("comparison")).to_be_visible()
    shot(page, "compare-ar")
    page.select_option("#language-switcher", "en")  # the choice is saved with the account
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
