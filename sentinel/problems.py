"""Content problems: collected, never raised one at a time.

Every stage adds to one `Problems` list so that a comms officer sees every mistake of a run
together, each as `file:line:col: message`, and the build writes nothing when there is any.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Where:
    """A place in a source file: path relative to the project root, 1-based line and column."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Problem:
    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, where: Where, message: str) -> None:
        self.items.append(Problem(where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))


class ContentError(Exception):
    """Raised once, at the end of validation, carrying every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self):  # crosses process boundaries (parallel site builds) intact
        return (ContentError, (self.problems,))


class UsageError(Exception):
    """A mistake on the command line rather than in the content (exit status 2)."""


def did_you_mean(value, choices, known: str = "") -> str:
    """The end of a message about a misspelt name: " (did you mean 'x'?)" when one of `choices`
    is close to `value`, otherwise "; " + `known` (what the right names are), or nothing."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; {known}" if known else ""
