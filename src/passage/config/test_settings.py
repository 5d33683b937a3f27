"""Settings for the test suite: the real settings with jobs run in-process and a throwaway data folder."""

import os
from pathlib import Path

os.environ.setdefault("PASSAGE_TESTING", "true")
os.environ.setdefault("PASSAGE_DATA_DIR", str(Path(__file__).resolve().parents[3] / "var" / "test"))
os.environ.setdefault("PASSAGE_JOBS_IMMEDIATE", "true")

from passage.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested on its own
AXES_FAILURE_LIMIT = 3

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
