"""The seam through which a higher app tells the registration wizard who the person being registered may already
be, and hears when people are registered or changed. The registry imports no app above it (DESIGN.md): matching
installs its live finder here from its AppConfig.ready() and listens to `people_changed`.

See docs/decisions/0017-live-duplicate-check.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

from passage.registry.models import AdminArea, Person
from passage.registry.registration import CheckedPerson

if TYPE_CHECKING:
    from passage.core.models import Operation, User


@dataclass(frozen=True)
class LikelyPerson:
    """A registered person the one being registered may be, with why, in words a clerk reads."""

    person: Person
    probability: float
    agreed: list[str] = field(default_factory=list)
    differed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LikelyDuplicates:
    """The finder's answer; `ready` is False while it is still reading the registry (nothing can be said yet)."""

    ready: bool
    people: list[LikelyPerson] = field(default_factory=list)


LiveFinder = Callable[["User", "Operation", CheckedPerson, AdminArea | None], LikelyDuplicates]
_finder: list[LiveFinder] = []

# Sent once the registry's people changed (after the transaction commits): operation_id, person_ids.
people_changed = Signal()


def install_live_finder(finder: LiveFinder) -> None:
    """Called once by the app that finds duplicates (a second call replaces the first)."""
    _finder[:] = [finder]


def likely_duplicates(
    user: User, operation: Operation, member: CheckedPerson, admin_area: AdminArea | None
) -> LikelyDuplicates | None:
    """Who `member` may already be, among the people `user` may see; None when no finder is installed."""
    return _finder[0](user, operation, member, admin_area) if _finder else None


def announce_changed(operation_id: Any, person_ids: list[Any]) -> None:
    """Tell listeners, once the current transaction commits, that these people were added or changed."""
    transaction.on_commit(
        lambda: people_changed.send(sender=Person, operation_id=operation_id, person_ids=list(person_ids))
    )
