"""In a real browser (Debian's chromium via Playwright) against a real `passage run`: gunicorn and the Huey worker."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("passage-data")
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": str(data_dir),
        "PASSAGE_TESTING": "false",
        "PASSAGE_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
    }
    env.pop("DATABASE_URL", None)  # the browser test uses its own SQLite file, like `make run`
    env.pop("PASSAGE_JOBS_IMMEDIATE", None)
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "passage.cli", "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text()) from None
            time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError("passage run did not start within 90 s:\n" + (data_dir / "server.log").read_text())
    password = (Path(data_dir) / "demo-credentials.txt").read_text().split(":", 1)[1].strip()
    yield {"base": base, "password": password, "data_dir": str(data_dir)}
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        yield context.new_page()
        browser.close()


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
