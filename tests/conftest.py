"""Fixtures for the browser tests: a real `passage run` (gunicorn and the Huey worker) on its own SQLite file,
one per test module, and Debian's chromium through Playwright, one per test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright


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
