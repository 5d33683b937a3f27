"""The API's OpenAPI document is committed: a change to it shows up in review as a diff.

After an intended change, regenerate it with
    PASSAGE_UPDATE_SNAPSHOT=1 .venv/bin/pytest src/passage/api/tests/test_openapi.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from passage.api.root import api

SNAPSHOT = Path(__file__).resolve().parents[1] / "openapi.json"


def current_document() -> str:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_document_matches_snapshot() -> None:
    document = current_document()
    if os.environ.get("PASSAGE_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(document, encoding="utf-8")  # then compared below like any other run
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if document != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(True),
                document.splitlines(True),
                "openapi.json (committed)",
                "openapi.json (code)",
                n=2,
            )
        )
        pytest.fail(
            "The API changed. If that was intended, run PASSAGE_UPDATE_SNAPSHOT=1 .venv/bin/pytest "
            f"src/passage/api/tests/test_openapi.py and commit src/passage/api/openapi.json.\n{diff[:6000]}"
        )


def test_every_operation_needs_a_token() -> None:
    schema = json.loads(current_document())
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("security") == [{"ApiTokenAuth": []}], f"{method.upper()} {path}"
