"""Editing a workflow in a real browser (Debian's chromium via Playwright) against a real `passage run`.

The demo administrator signs in (with the demo authenticator's code), opens the protection workflow from the
cases pages, sees its diagram, edits its YAML, is shown the error by line, jumps to that line, fixes it with the
keyboard, sees the diagram of the new text, and publishes: the new version is the one in use."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NEW_STEP = """
  fast_track:
    from: screening
    to: assistance_plan
    label: Fast track to a plan
    roles: [caseworkr]
"""


def _code(server: dict[str, str], username: str) -> str:
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": server["data_dir"],
        "PASSAGE_TESTING": "false",
        "PASSAGE_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "passage.cli", "totp", username],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def sign_in_with_code(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/", timeout=120_000)  # the worker's first request loads the app
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile("/two-factor/"))
    for _attempt in range(2):  # a code read at the end of its 30 seconds may be stale when sent
        page.locator("input[name='token']").fill(_code(server, username))
        page.get_by_role("button", name="Verify").click()
        if "/two-factor/" not in page.url:
            break
    expect(page.get_by_role("button", name=re.compile(username))).to_be_visible()


def test_an_administrator_edits_a_workflow_and_publishes_it(server: dict[str, str], page: Page) -> None:
    sign_in_with_code(page, server, "admin")
    page.locator("nav a[href='/cases/']").click()
    page.get_by_role("link", name="Workflows").click()
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()
    row = page.locator("tr[data-workflow='protection_assistance']")
    expect(row.get_by_test_id("in-use")).to_have_text("v1")
    row.get_by_role("link", name="Protection and direct assistance").click()

    # The diagram, drawn in the page, and the tables beside it.
    diagram = page.get_by_test_id("diagram").locator("svg")
    expect(diagram).to_be_visible()
    expect(diagram.locator("g[data-state='screening']")).to_be_visible()
    expect(page.get_by_test_id("states")).to_contain_text("Screening")
    expect(page.get_by_test_id("transitions")).to_contain_text("Screening complete")

    page.get_by_role("link", name="Edit (a new version)").click()
    editor = page.get_by_label("YAML")
    expect(editor).to_have_value(re.compile(r"\nversion: 2\n"))

    # A step for a role that does not exist: the check names it, by line, and draws nothing.
    editor.fill(editor.input_value().rstrip("\n") + "\n" + NEW_STEP)
    page.get_by_role("button", name="Check").click()
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("unknown role 'caseworkr'")
    expect(page.get_by_test_id("check-summary")).to_contain_text("error")
    expect(page.get_by_test_id("preview")).to_have_count(0)
    wrong_line = editor.input_value().splitlines().index("    roles: [caseworkr]") + 1
    go_to = problems.locator(f"[data-goto-line='{wrong_line}']").first
    expect(go_to).to_have_text(f"Line {wrong_line}")

    # "Line n" puts the caret on the line, chosen whole: typing replaces it.
    go_to.click()
    expect(editor).to_be_focused()
    page.keyboard.type("    roles: [caseworker]")
    expect(page.locator("[data-caret]")).to_contain_text(f"Line {wrong_line}")
    page.keyboard.press("Control+Enter")  # checks again
    expect(page.get_by_test_id("check-summary")).to_have_text("No problem found.")
    expect(page.get_by_test_id("preview").locator("svg")).to_contain_text("Fast track to a plan")

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/cases/workflows/protection_assistance/v2/$"))
    expect(page.get_by_role("status").first).to_contain_text("Version 2 is published")
    expect(page.get_by_test_id("version-status")).to_contain_text("In use for new cases")
    expect(page.get_by_test_id("diagram").locator("svg")).to_contain_text("Fast track to a plan")
    expect(page.get_by_test_id("history")).to_contain_text("This operation's, from v1")
