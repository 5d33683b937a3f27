"""Figures other apps add to the dashboard. Core imports no app of ours, so apps register here instead.

An app calls `register_tiles(provider)` in its AppConfig.ready(); a provider returns the tiles a user may
see for an operation (each count through visible_to, so a tile never shows what its reader may not see).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from passage.core.models import Operation


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: int | str  # a count, or a suppressed one ("<5") for those who may count but not see
    icon: str
    sub: int | str | None = None
    sublabel: str = ""


TileProvider = Callable[[Any, Operation], list[Tile]]
_PROVIDERS: list[TileProvider] = []


def register_tiles(provider: TileProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def tiles_for(user: Any, operation: Operation) -> list[Tile]:
    return [tile for provider in _PROVIDERS for tile in provider(user, operation)]
