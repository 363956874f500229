"""A precinct report as entered: the raw counts and games of chance, never delegates.

Rule: rules.md §9 (keep the raw inputs; delegates and SDEs are derived), §5.4 (games of chance:
the winner of a coin toss, or the cards of a Nevada card draw), §4 NV (the early-ballot count
and checksum the chair confirms). :mod:`caucuskit.services.submit` derives and stores them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Toss:
    """A recorded game of chance: the winner of a coin toss, or the cards of a card draw
    (``cards``: group -> card text; the winners are then derived, ``winner`` is empty)."""

    winner: str
    witnesses: tuple[str, ...] = ()
    cards: tuple[tuple[str, str], ...] = ()

    def raw(self) -> dict[str, Any]:
        if self.cards:
            return {"cards": dict(self.cards), "witnesses": list(self.witnesses)}
        return {"winner": self.winner, "witnesses": list(self.witnesses)}

    @property
    def outcome(self) -> object:
        """What makes two reports' games of chance the same: the winner, or the cards."""
        return dict(self.cards) if self.cards else self.winner


@dataclass(frozen=True)
class ReportInput:
    """Raw inputs of one report as entered (never delegates)."""

    attendees: int
    first: dict[str, int]
    final: dict[str, int]
    tosses: tuple[Toss, ...] = ()
    #: Nevada: the early-ballot count and checksum the chair confirmed (rules.md §4 NV).
    early_confirmed: tuple[int, str] | None = None

    def raw(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attendees": self.attendees,
            "first": dict(sorted(self.first.items())),
            "final": dict(sorted(self.final.items())),
            "tosses": [t.raw() for t in self.tosses],
        }
        if self.early_confirmed is not None:
            out["early_confirmed"] = {
                "count": self.early_confirmed[0],
                "checksum": self.early_confirmed[1],
            }
        return out

    def content_hash(self) -> str:
        """Equality of two reports: the counts (zeros dropped) and the toss winners."""
        body = {
            "attendees": self.attendees,
            "first": {k: v for k, v in sorted(self.first.items()) if v},
            "final": {k: v for k, v in sorted(self.final.items()) if v},
            "winners": [t.outcome for t in self.tosses],
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
