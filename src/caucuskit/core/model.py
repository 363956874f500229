"""Value types of one precinct caucus: the raw inputs and the derived, self-explaining result.

Counts are ``int``; everything derived is ``Fraction``. Results carry their own worksheet log.
Rule: rules.md §5.7 step 6 (a log of every decision).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from caucuskit.core.rounding import decimal_str

TieAction = Literal["gain", "lose"]


@dataclass(frozen=True)
class PrecinctInput:
    """What the precinct chair records: the raw truth of a caucus.

    ``first`` may be missing (2016 published no raw counts); ``toss_winners`` lists, in the order
    the ties arose, the groups that won each coin toss or card draw (a winner gains the
    delegate, or keeps it).
    """

    delegates: int
    attendees: int
    final: Mapping[str, int]
    first: Mapping[str, int] | None = None
    toss_winners: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One line of the worksheet: what was done, to which group, and why."""

    action: str
    text: str
    group: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"action": self.action, "group": self.group, "text": self.text}


@dataclass(frozen=True)
class PendingTie:
    """A tie that a game of chance must still decide (rules.md §5.4)."""

    groups: tuple[str, ...]
    delegates: int
    action: TieAction
    method: str
    reason: str

    @property
    def winners_needed(self) -> int:
        """How many toss winners decide it: gainers for a gain, keepers for a loss."""
        if self.action == "gain":
            return self.delegates
        return len(self.groups) - self.delegates

    def to_dict(self) -> dict[str, object]:
        return {
            "groups": list(self.groups),
            "delegates": self.delegates,
            "action": self.action,
            "method": self.method,
            "winners_needed": self.winners_needed,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class TieRecord:
    """A tie that was decided by a recorded game of chance."""

    groups: tuple[str, ...]
    delegates: int
    action: TieAction
    method: str
    winners: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "groups": list(self.groups),
            "delegates": self.delegates,
            "action": self.action,
            "method": self.method,
            "winners": list(self.winners),
        }


@dataclass(frozen=True)
class GroupLine:
    """One preference group's row on the worksheet."""

    name: str
    first: int | None
    final: int
    viable_first: bool | None
    viable: bool
    raw: Fraction | None
    rounded: int | None
    delegates: int

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.name,
            "first": self.first,
            "final": self.final,
            "viable_first": self.viable_first,
            "viable": self.viable,
            "raw": None if self.raw is None else str(self.raw),
            "raw_decimal": None if self.raw is None else decimal_str(self.raw, 4),
            "rounded": self.rounded,
            "delegates": self.delegates,
        }


@dataclass(frozen=True)
class PrecinctResult:
    """Everything derived for one precinct, with the steps that led there."""

    ruleset: str
    delegates_to_elect: int
    attendees: int
    threshold: int | None
    viable_first: tuple[str, ...] | None
    viable: tuple[str, ...]
    lines: tuple[GroupLine, ...]
    delegates: Mapping[str, int]
    pending_tie: PendingTie | None
    ties: tuple[TieRecord, ...] = ()
    log: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    must_realign: tuple[str, ...] = ()
    undecided: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def awarded(self) -> int:
        """Delegates awarded so far (may exceed D under Nevada's Principle 2)."""
        return sum(self.delegates.values())

    @property
    def complete(self) -> bool:
        """True when no game of chance, revote or realignment is still needed."""
        return self.pending_tie is None and not self.undecided and not self.must_realign

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by the CLI, the API and the audit."""
        return {
            "ruleset": self.ruleset,
            "delegates_to_elect": self.delegates_to_elect,
            "attendees": self.attendees,
            "threshold": self.threshold,
            "viable_first": None if self.viable_first is None else list(self.viable_first),
            "viable": list(self.viable),
            "delegates": dict(self.delegates),
            "awarded": self.awarded,
            "pending_tie": None if self.pending_tie is None else self.pending_tie.to_dict(),
            "ties": [t.to_dict() for t in self.ties],
            "must_realign": list(self.must_realign),
            "undecided": self.undecided,
            "complete": self.complete,
            "groups": [line.to_dict() for line in self.lines],
            "notes": list(self.notes),
            "log": [s.to_dict() for s in self.log],
        }
