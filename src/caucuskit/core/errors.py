"""Error types of the pure core.

Every problem names the input field it is about and says what is wrong, so that a CLI, an API
answer and a hotline operator can all show the same message.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the field (``final.Warren``, ``attendees``) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class CaucusError(Exception):
    """Base class of every error caucuskit raises on purpose."""


class ValidationError(CaucusError, ValueError):
    """Raised when inputs break the rules; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        """Build the error for one problem."""
        return cls([Problem(field, message)])

    def as_dicts(self) -> list[dict[str, str]]:
        """The problems as JSON-ready objects."""
        return [{"field": p.field, "message": p.message} for p in self.problems]


class DefinitionError(CaucusError, ValueError):
    """Raised when an election definition is inconsistent; lists every inconsistency."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))
