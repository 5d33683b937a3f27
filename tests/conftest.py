"""Fixtures for the browser tests: a real `passage run` (gunicorn and the Huey worker) on its own SQLite file,
one per test module (each from a copy of one prepared first run), and Debian's chromium through Playwright, one
per test."""

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

STARTUP_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": str(data_dir),
        "PASSAGE_TESTING": "false",
        "PASSAGE_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
        # The operations and users only, as before the first run registered demo people: each test builds the
        # people it needs (test_cli's first-run test checks the first run's people, cases and duplicates).
        "PASSAGE_DEMO_PEOPLE": os.environ.get("PASSAGE_TEST_DEMO_PEOPLE", "0"),
    }
    env.pop("DATABASE_URL", None)  # the browser test uses its own SQLite file, like `make run`
    env.pop("PASSAGE_JOBS_IMMEDIATE", None)
    return env


@pytest.fixture(scope="session")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the first `passage run` prepares (a migrated database, the static files, the demo operation and its
    users and cases), done once per test process: each module's server starts from a copy of it, so that a module
    still has the installation to itself without paying for the preparation again."""
    data_dir = tmp_path_factory.mktemp("passage-first-run")
    env = _environment(data_dir)
    for command in (
        ["manage", "collectstatic", "--no-input", "-v", "0"],
        ["demo", "--people", env["PASSAGE_DEMO_PEOPLE"]],
    ):
        subprocess.run(
            [sys.executable, "-m", "passage.cli", *command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=STARTUP_SECONDS,
        )
    return data_dir


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, first_run: Path) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("passage-data")
    shutil.copytree(first_run, data_dir, dirs_exist_ok=True)
    env = _environment(data_dir)
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "passage.cli", "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    # A first start migrates a new database, collects the static files and loads the demo (about 40 CPU seconds):
    # on a 2-core machine shared with other test runs that passes 90 s of wall time.
    deadline = time.monotonic() + STARTUP_SECONDS
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
        raise RuntimeError(
            f"passage run did not start within {STARTUP_SECONDS} s:\n" + (data_dir / "server.log").read_text()
        )
    # The gunicorn worker loads the application on its first request: on a busy machine that alone can pass a
    # page's 30 s navigation timeout, so ask once here, as long as it takes, before any test navigates.
    import urllib.request

    with urllib.request.urlopen(f"{base}/login/", timeout=300) as first:  # noqa: S310  (our own local server)
        first.read()
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


@pytest.fixture(scope="module")
def _matrix_world_built(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The authorization matrices' world (operations, a user per role, a household, an import, a job), built once
    per module inside a transaction that is rolled back after the module's last test. Each test runs in a savepoint
    within it (pytest-django's `db`), so what a row does is undone before the next row."""
    from django.db import transaction
    from django.test import override_settings

    from tests.test_authorization_matrix import build_world

    media = tmp_path_factory.mktemp("matrix-media")  # the world's files outlive each test's own MEDIA_ROOT
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world(), media
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def matrix_world(_matrix_world_built, db, settings):  # type: ignore[no-untyped-def]
    """A copy of the module's world for one test: rows that hang things on it (a group, a case) start clean."""
    import copy

    world, media = _matrix_world_built
    settings.MEDIA_ROOT = media
    return copy.deepcopy(world)
