"""The seam through which a higher app checks a staged import before anyone may approve it, and hears when an
import has been committed. The registry imports no app above it (DESIGN.md): matching installs its duplicate
finder here from its AppConfig.ready(), and listens to `import_committed`.

See docs/decisions/0018-import-duplicate-hold.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.dispatch import Signal

from passage.registry.models import RegistrationImport

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class RowResemblance:
    """A staged row that looks like someone: a registered person, or another row of the same file."""

    row_id: int  # StagedRow.pk
    probability: float
    person_id: uuid.UUID | None = None
    row_number: int | None = None


@dataclass(frozen=True)
class DuplicateCheck:
    """What the finder found among an import's new people: the share of them in probable pairs, the ceiling
    above which the operation holds an import for review, and the rows concerned."""

    rows_checked: int
    share: float
    ceiling: float
    rows: list[RowResemblance] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.share > self.ceiling


DuplicateFinder = Callable[[RegistrationImport, Progress | None], DuplicateCheck | None]
_finder: list[DuplicateFinder] = []

# Sent after an import's rows are in the registry (on commit): registration_import, acting_user.
import_committed = Signal()


def install_duplicate_finder(finder: DuplicateFinder) -> None:
    """Called once by the app that finds duplicates (a second call replaces the first)."""
    _finder[:] = [finder]


def find_duplicates(registration_import: RegistrationImport, progress: Progress | None = None) -> DuplicateCheck | None:
    """The installed finder's answer for a staged import; None when no finder is installed (then nothing is held)."""
    return _finder[0](registration_import, progress) if _finder else None
