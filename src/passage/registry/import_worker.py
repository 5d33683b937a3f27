"""What a worker process of a big import runs: checking chunks of households, away from the database.

Kept free of Django imports at module level: a fresh worker process unpickles these functions before Django
is set up, and `start` sets it up.
"""

from __future__ import annotations

from typing import Any


def start() -> None:
    import django

    django.setup()


def check_chunk(households: list[Any], region: str) -> list[Any]:
    from passage.registry.import_engine import check_chunk as check

    return check(households, region)
