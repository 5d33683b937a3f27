"""Secrets for a local install: read from the environment, or kept in the data folder on first use.

A field laptop started with `make run` has nobody to set SECRET_KEY by hand, so a development
install generates its secrets once and keeps them in DATA_DIR/secrets.json (mode 0600). Production
mode never does this: `passage check` reports a missing secret instead.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def local_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    else:
        stored = {}
    changed = False
    if "secret_key" not in stored:
        stored["secret_key"] = secrets.token_urlsafe(50)
        changed = True
    if "blind_index_key" not in stored:
        stored["blind_index_key"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        changed = True
    if "encryption_key" not in stored:
        stored["encryption_key"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        changed = True
    if changed:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stored, handle)
        tmp.replace(path)
    return stored
