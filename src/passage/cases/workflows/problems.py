"""A problem found in a workflow file: where (line and path) and what, as an error or a warning."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"  # the workflow cannot be used
    WARNING = "warning"  # it can, but probably not as meant


@dataclass(frozen=True)
class Problem:
    severity: Severity
    path: str  # e.g. transitions.approve.roles
    message: str
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"line {self.line}" if self.line else "", self.path) if part)
        return f"{where}: {self.message}" if where else self.message


class WorkflowInvalid(ValueError):
    """A workflow file with errors; `problems` lists all of them (errors and warnings)."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        errors = [problem for problem in self.problems if problem.is_error]
        super().__init__(f"{source}: " + "; ".join(str(problem) for problem in errors))


def suggestion(word: str, choices: Iterable[str]) -> str | None:
    """The closest of `choices` to a mistyped `word`, if one is close enough to be what was meant."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    started = [choice for choice in choices if len(word) >= 3 and choice.startswith(word)]
    if len(started) == 1:
        return started[0]  # admin -> administrator
    within = [choice for choice in choices if len(choice) >= 3 and word.startswith(choice)]
    return max(within, key=len) if within else None  # rss_survey -> rss


def sort_key(problem: Problem) -> tuple[int, int, str]:
    return (problem.line or 0, 0 if problem.is_error else 1, problem.path)
