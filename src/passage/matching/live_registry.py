"""The live check over the registry: in each process, one LiveIndex per operation, read from the registry
(registry_records) on first use and kept current two ways:

- before each answer, the people created or changed since the last look (`updated_at` at or after a high-water
  mark, less a margin for clocks and transactions that committed late) are read again: merged ones leave the
  index, the others are added or replaced. Several web processes each keep their own index and all stay right
  with no messaging between them; the query is an index range scan and usually returns nothing.
- right after a registration or a correction commits, the registry's `people_changed` signal adds those people
  in this process at once (the next look finds them already applied).

Answers are scored with the operation's latest finished run's model (MatchRun.model), else the starting values,
from the operation's review threshold up; they are filtered afterwards to the people the asking user may see
(Person.objects.visible_to), so a hidden person never shows, not even as a count.

A registry larger than BUILD_WHILE_WAITING people is read in a background thread on first use; until it is
ready the answer says so (the exact phone and document check of the wizard still runs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
import uuid
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from passage.core.models import Operation, User
from passage.matching.live import Candidate, LiveIndex
from passage.matching.model import Model
from passage.matching.models import MatchRun, MatchSettings, RunState
from passage.matching.registry_records import (
    NAME_COLUMNS,
    people_frame,
    person_record,
    registry_frame,
)
from passage.registry.live_checks import LikelyDuplicates, LikelyPerson
from passage.registry.models import AdminArea, Person, PersonStatus
from passage.registry.registration import CheckedPerson

log = logging.getLogger(__name__)

BUILD_WHILE_WAITING = 20_000  # people: up to this many, the first question waits for the index to be read
LATE = dt.timedelta(seconds=120)  # changes stamped this long before the mark are read again (clocks, long commits)
MODEL_CHECK_SECONDS = 30.0  # how often to look for a newer run's model
SCORED = 50  # candidates scored before the visibility filter keeps those the user may see
SHOWN_NAMES = [f"{name}{script}" for name in NAME_COLUMNS for script in ("", "_latin")]  # what display_name reads

FIELD_LABELS = {
    "given_name": gettext_lazy("given name"),
    "father_name": gettext_lazy("father's name"),
    "grandfather_name": gettext_lazy("grandfather's name"),
    "family_name": gettext_lazy("family name"),
    "name_words": gettext_lazy("name words"),
    "date_of_birth": gettext_lazy("date of birth"),
    "sex": gettext_lazy("sex"),
    "phone": gettext_lazy("phone"),
    "document_number": gettext_lazy("identity document"),
    "area": gettext_lazy("area"),
}


@dataclasses.dataclass
class _Operation:
    """One operation's index in this process, and how far it has caught up."""

    index: LiveIndex | None = None
    building: bool = False
    failed: str = ""
    mark: dt.datetime | None = None  # the latest change applied (updated_at)
    applied: dict[str, dt.datetime] = dataclasses.field(default_factory=dict)  # id -> updated_at, near the mark
    run_id: uuid.UUID | None = None
    model_checked: float = 0.0
    bands: tuple[float, float] = (0.0, 0.0)  # probable and review thresholds, read again with the model
    areas: dict[Any, tuple[str, str]] = dataclasses.field(default_factory=dict)  # area -> P-codes, likewise
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


_operations: dict[Any, _Operation] = {}
_operations_lock = threading.Lock()


def _state(operation_id: Any) -> _Operation:
    with _operations_lock:
        return _operations.setdefault(operation_id, _Operation())


def held_index(operation_id: Any) -> LiveIndex | None:
    """The index this process holds for the operation, as it is (no catching up); None when none is held."""
    with _operations_lock:
        state = _operations.get(operation_id)
    return state.index if state is not None else None


def forget(operation_id: Any) -> None:
    """Drop an operation's index from this process (it is read again on the next question)."""
    with _operations_lock:
        _operations.pop(operation_id, None)


@dataclasses.dataclass(frozen=True)
class LiveAnswer:
    ready: bool
    candidates: list[tuple[Person, Candidate]]


def live_index(operation: Operation, *, wait: bool | None = None) -> LiveIndex | None:
    """The operation's index, caught up with the registry; None while a large registry is still being read.
    `wait` forces reading now (True) or in the background (False) whatever the registry's size."""
    state = _state(operation.pk)
    if state.building:
        return None
    with state.lock:
        if state.building:
            return None
        if state.index is None:
            if wait is None:  # counted no further than the limit
                people = Person.objects.filter(operation=operation)[: BUILD_WHILE_WAITING + 1]
                wait = people.count() <= BUILD_WHILE_WAITING
            if not wait:
                state.building = True
                threading.Thread(target=_build_in_background, args=(operation, state), daemon=True).start()
                return None
            _install(operation, state, *_read(operation, state))
        else:
            _catch_up(operation, state)
        _refresh_model(operation, state)
        return state.index


def _read(operation: Operation, state: _Operation) -> tuple[LiveIndex, dt.datetime]:
    """The operation's registry as an index (people merged left out), and when the reading started."""
    started, clock = timezone.now(), time.monotonic()
    frame = registry_frame(operation)
    read = time.monotonic()
    index = LiveIndex(frame.drop("source_import"), model=_model(operation, state))
    log.info(
        "Live duplicate index of operation %s: %s people read in %.1f s, indexed in %.1f s",
        operation.pk,
        frame.height,
        read - clock,
        time.monotonic() - read,
    )
    return index, started


def _install(operation: Operation, state: _Operation, index: LiveIndex, started: dt.datetime) -> None:
    state.index, state.mark, state.applied = index, started - LATE, {}
    state.model_checked, state.failed = time.monotonic(), ""
    _catch_up(operation, state)  # what changed while the registry was being read


def _build_in_background(operation: Operation, state: _Operation) -> None:
    """Read a large registry without holding the operation's lock: questions meanwhile answer "not ready"."""
    try:
        index, started = _read(operation, state)
        with state.lock:
            _install(operation, state, index, started)
    except Exception as exc:  # the check answers "not ready" and the log says why; a later question retries
        log.exception("The live duplicate index of operation %s could not be built", operation.pk)
        state.failed = str(exc)
    finally:
        state.building = False
        connection.close()


def _model(operation: Operation, state: _Operation) -> Model:
    """The latest finished run's model, else the starting values."""
    latest = (
        MatchRun.objects.filter(operation=operation, state=RunState.DONE, model__isnull=False)
        .order_by("-finished_at", "-created_at")
        .values_list("pk", "model")
        .first()
    )
    state.run_id = latest[0] if latest else None
    return Model.from_dict(latest[1] if latest else None)


def bands(operation: Operation) -> tuple[float, float]:
    """The operation's probable and review thresholds (MatchSettings), as last read with the model."""
    state = _state(operation.pk)
    if state.bands == (0.0, 0.0):
        config = MatchSettings.of(operation)
        state.bands = (config.probable_threshold, config.review_threshold)
    return state.bands


def record_of(operation: Operation, member: CheckedPerson, area: AdminArea | None) -> dict[str, str]:
    """The person being registered as the index reads people (registry_records.person_record), with the P-codes
    of areas this process looked up lately."""
    return person_record(member, area, _state(operation.pk).areas)


def _refresh_model(operation: Operation, state: _Operation) -> None:
    """Every MODEL_CHECK_SECONDS: a newer run's model, and the operation's bands as they are now."""
    if state.index is None or time.monotonic() - state.model_checked < MODEL_CHECK_SECONDS:
        return
    state.model_checked = time.monotonic()
    config = MatchSettings.of(operation)
    state.bands = (config.probable_threshold, config.review_threshold)
    state.areas = {}
    latest = (
        MatchRun.objects.filter(operation=operation, state=RunState.DONE, model__isnull=False)
        .order_by("-finished_at", "-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != state.run_id:
        state.index.model = _model(operation, state)


def _catch_up(operation: Operation, state: _Operation) -> None:
    """Apply the people changed since the mark (less LATE) that this process has not applied yet."""
    assert state.index is not None and state.mark is not None  # noqa: S101  (called once built)
    changed = Person.objects.filter(operation=operation, updated_at__gte=state.mark - LATE).values_list(
        "pk", "updated_at", "status"
    )
    fresh = [(str(pk), at, status) for pk, at, status in changed if state.applied.get(str(pk)) != at]
    if fresh:
        _apply(operation, state, fresh)


def _apply(operation: Operation, state: _Operation, fresh: list[tuple[str, dt.datetime, str]]) -> None:
    assert state.index is not None and state.mark is not None  # noqa: S101
    merged = [pk for pk, _at, status in fresh if status == PersonStatus.MERGED]
    others = [pk for pk, _at, status in fresh if status != PersonStatus.MERGED]
    state.index.remove(merged)
    if others:
        state.index.add(people_frame(operation, others).drop("source_import"))
    state.applied.update((pk, at) for pk, at, _status in fresh)
    state.mark = max(state.mark, *(at for _pk, at, _status in fresh))
    horizon = state.mark - 2 * LATE
    if len(state.applied) > 1000:
        state.applied = {pk: at for pk, at in state.applied.items() if at >= horizon}


def apply_changed(sender: Any, operation_id: Any, person_ids: list[Any], **kwargs: Any) -> None:
    """The registry's signal, after a registration or a correction commits: apply those people now, in this
    process, if it holds the operation's index (others catch up on their next question)."""
    with _operations_lock:
        state = _operations.get(operation_id)
    if state is None or state.index is None:
        return
    with state.lock:
        if state.index is None or state.mark is None:
            return
        rows = Person.objects.filter(pk__in=person_ids).values_list("pk", "operation_id", "updated_at", "status")
        fresh = [
            (str(pk), at, status)
            for pk, operation, at, status in rows
            if operation == operation_id and state.applied.get(str(pk)) != at
        ]
        if fresh:
            _apply(Operation.objects.get(pk=operation_id), state, fresh)


def candidates_for(
    user: User, operation: Operation, record: dict[str, str], *, limit: int = 5, exclude: tuple[str, ...] = ()
) -> LiveAnswer:
    """The people `record` may be, most likely first, among those `user` may see: scored from the operation's
    review threshold up, then filtered (a hidden person is never counted, named or scored)."""
    index = live_index(operation)
    if index is None:
        return LiveAnswer(ready=False, candidates=[])
    found = index.candidates(record, limit=SCORED, minimum=bands(operation)[1], exclude=exclude)
    if not found:
        return LiveAnswer(ready=True, candidates=[])
    # By id only: with the operation in the query, SQLite without statistics reads the operation's every person.
    visible = (
        Person.objects.visible_to(user)
        .filter(pk__in=[c.record_id for c in found])
        .exclude(status=PersonStatus.MERGED)
        .only("pk", "operation_id", "office_id", "reference", "status", *SHOWN_NAMES)
        .order_by()
        .in_bulk()
    )
    shown = [
        (visible[key], c)
        for c in found
        if (key := uuid.UUID(c.record_id)) in visible and visible[key].operation_id == operation.pk
    ]
    return LiveAnswer(ready=True, candidates=shown[:limit])


def likely_duplicates(
    user: User, operation: Operation, member: CheckedPerson, admin_area: AdminArea | None
) -> LikelyDuplicates:
    """The registration wizard's question (installed into passage.registry.live_checks by this app's ready())."""
    answer = candidates_for(user, operation, record_of(operation, member, admin_area))
    return LikelyDuplicates(
        ready=answer.ready,
        people=[
            LikelyPerson(
                person=person,
                probability=candidate.probability,
                agreed=[str(FIELD_LABELS[f]) for f, _level, w in _by_weight(candidate) if w > 0],
                differed=[str(FIELD_LABELS[f]) for f, _level, w in _by_weight(candidate) if w < 0],
            )
            for person, candidate in answer.candidates
        ],
    )


def _by_weight(candidate: Candidate) -> list[tuple[str, str, float]]:
    return sorted(candidate.explanation, key=lambda item: -abs(item[2]))
