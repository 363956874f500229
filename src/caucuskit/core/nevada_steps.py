"""Nevada's worksheet lines as typed records: the early ranked ballots and the card draws.

Like :mod:`caucuskit.core.steps`, each record holds the numbers of one decision and its words
are rendered in :mod:`caucuskit.core.wording`; nothing parses them back. They are produced by
:func:`caucuskit.core.early.tally_early` and :func:`caucuskit.core.nevada.compute_nevada` and come
before (early ballots) and after (card draws) the precinct's own worksheet steps.

Rule: rules.md §4 NV (early ballots counted at the home precinct), §3.2 (N), §5.4 (card
draws), §11 Q9 (early ballot options).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from caucuskit.core.steps import GroupStep, TieAction, WorksheetStep


@dataclass(frozen=True, slots=True)
class EarlyCount(WorksheetStep):
    """§3.2, §4 NV: the early ballots, how many are valid, and N with them."""

    kind: ClassVar[str] = "early-count"
    action: ClassVar[str] = "early"
    ballots: int
    valid: int
    void: int
    attendees: int
    n: int


@dataclass(frozen=True, slots=True)
class EarlyVoid(WorksheetStep):
    """§11 Q9: ``count`` early ballots void for one ``reason``."""

    kind: ClassVar[str] = "early-void"
    action: ClassVar[str] = "early-void"
    count: int
    reason: str


@dataclass(frozen=True, slots=True)
class EarlyFirst(GroupStep):
    """§4 NV: ``count`` early first choices join the group's first alignment."""

    kind: ClassVar[str] = "early-first"
    action: ClassVar[str] = "early-first"
    count: int


@dataclass(frozen=True, slots=True)
class EarlyTargets(WorksheetStep):
    """§4 NV, §11 Q9: where early ballots of non-viable first choices may go.

    ``after`` is ``"realignment"`` (the default), ``"first"`` (option early_realign=after-first)
    or ``"none"`` (D <= 1: no viability, every ballot stays with its first choice, §5.6).
    """

    kind: ClassVar[str] = "early-targets"
    action: ClassVar[str] = "early"
    after: Literal["realignment", "first", "none"]
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EarlyLost(GroupStep):
    """§4 NV: a non-viable group's ``count`` early ballots move on to lower choices."""

    kind: ClassVar[str] = "early-lost"
    action: ClassVar[str] = "early-lost"
    count: int


@dataclass(frozen=True, slots=True)
class EarlyGained(GroupStep):
    """§4 NV: ``count`` early ballots reach the group from higher, non-viable choices."""

    kind: ClassVar[str] = "early-gained"
    action: ClassVar[str] = "early-gained"
    count: int


@dataclass(frozen=True, slots=True)
class EarlyExhausted(WorksheetStep):
    """§4 NV: ``count`` early ballots rank no viable group; they stay in N."""

    kind: ClassVar[str] = "early-exhausted"
    action: ClassVar[str] = "early-exhausted"
    count: int


@dataclass(frozen=True, slots=True)
class CardDrawn(WorksheetStep):
    """§5.4: a card draw between ``groups``: each ``cards`` entry is "group card" from the
    highest card down; the ``winners`` gain or keep a delegate (``change``)."""

    kind: ClassVar[str] = "draw"
    action: ClassVar[str] = "draw"
    groups: tuple[str, ...]
    cards: tuple[str, ...]
    winners: tuple[str, ...]
    change: TieAction
    witnesses: tuple[str, ...] = ()
