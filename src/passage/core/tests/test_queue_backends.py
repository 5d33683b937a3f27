"""Jobs travel through a real Huey queue: SQLite storage always, Redis when a server answers (as in CI).

The test suite runs Huey in immediate mode; here the task is really serialised into the storage,
read back by a consumer-side dequeue and executed, as the worker process does.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from huey import RedisHuey, SqliteHuey

from passage.core import actions
from passage.core.jobs import execute

REDIS_URL = os.environ.get("PASSAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


BACKENDS = ["sqlite", *(["redis"] if _redis_answers() else [])]


def _huey(kind: str, tmp_path: Any) -> Any:
    if kind == "sqlite":
        return SqliteHuey("passage-test", filename=str(tmp_path / "queue.sqlite3"))
    return RedisHuey("passage-test", url=REDIS_URL)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_goes_through_the_queue_and_the_worker(backend, caseworker, operation, tmp_path):
    huey = _huey(backend, tmp_path)
    huey.flush()
    run = huey.task(name="run_job")(execute)
    job = actions.start_job(
        acting_user=caseworker, operation=operation, kind="core.selftest", params={"pace": 0, "rounds": 1}
    )
    run(str(job.pk))  # serialised into SQLite or Redis
    assert huey.pending_count() == 1
    task = huey.dequeue()
    huey.execute(task)
    job.refresh_from_db()
    assert job.state == "succeeded" and job.percent == 100
    assert huey.pending_count() == 0
    huey.flush()


def test_settings_choose_redis_when_redis_url_is_set(monkeypatch):
    import importlib

    from passage.config import settings as passage_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    reloaded = importlib.reload(passage_settings)
    try:
        assert reloaded.HUEY["huey_class"] == "huey.RedisHuey"
        assert reloaded.HUEY["url"] == "redis://127.0.0.1:6379/3"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(passage_settings)
