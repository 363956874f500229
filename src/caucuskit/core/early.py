"""Early ranked ballots (Nevada 2020): who they count for in the first and final alignment.

Early voters ranked candidates on a card; the ballots are counted at the voter's home precinct
as if the voter were present (rules.md §4, NV column). The reading implemented here, and the
alternatives kept as ruleset options, are recorded in docs/adr/0011-nevada-early-ballots-and-ccds.md
(§11 Q9 leaves them open):

* A ballot is valid when it ranks at least ``early_min_choices`` (3) and at most
  ``early_max_choices`` (5) choices. Writing the same candidate twice is allowed and the repeat
  counts as a choice (option ``early_duplicates``: ``distinct`` needs that many different
  candidates, ``void`` voids such a ballot). A void ballot counts nowhere, not even in N.
* First alignment: a valid ballot counts for its first choice, in that group's size and in N
  (the opening head count that fixes the threshold, §3.2).
* Realignment: a ballot whose first choice ends non-viable moves to its highest-ranked choice
  that is viable after the in-person realignment (option ``early_realign``: ``after-first``
  uses the groups viable after the first alignment instead). With no viable choice left it
  counts for no group, and stays in N.

"Viable after the in-person realignment" treats early voters like present voters who have not
moved yet: group g is viable when its in-person final count plus the early ballots ranking g
first reach the threshold. A group viable that way keeps all of them, so the groups viable in
the combined final alignment are exactly those, and no ballot moves to a group that ends
non-viable.

In a precinct electing one delegate (or none) there is no viability (§5.6): ballots stay with
their first choice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.nevada_steps import (
    EarlyCount,
    EarlyExhausted,
    EarlyFirst,
    EarlyGained,
    EarlyLost,
    EarlyTargets,
    EarlyVoid,
)
from caucuskit.core.rules import EarlyDuplicates, EarlyRealign, RuleSet
from caucuskit.core.steps import WorksheetStep
from caucuskit.core.viability import viability_threshold

#: Caps on a precinct's early ballots (a precinct is a room, not a country).
MAX_EARLY_BALLOTS = 1_000_000


@dataclass(frozen=True)
class EarlyBallot:
    """One early voter's card: candidates from first choice down (``ref``: the party's id)."""

    choices: tuple[str, ...]
    ref: str | None = None


@dataclass(frozen=True)
class BallotFate:
    """Where one ballot counted: ``first`` and ``final`` group, or why it was void."""

    index: int
    first: str | None
    final: str | None
    void: str | None = None

    @property
    def moved(self) -> bool:
        return self.first is not None and self.final != self.first

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "first": self.first,
            "final": self.final,
            "void": self.void,
            "moved": self.moved,
        }


@dataclass(frozen=True)
class EarlyTally:
    """What a precinct's early ballots add to its first and final alignment."""

    ballots: int
    valid: int
    first: Mapping[str, int]
    final: Mapping[str, int]
    exhausted: int
    fates: tuple[BallotFate, ...]
    checksum: str
    log: tuple[WorksheetStep, ...]

    @property
    def void(self) -> int:
        return self.ballots - self.valid

    @property
    def gained(self) -> dict[str, int]:
        """Early ballots each group got in the realignment (from other first choices)."""
        out: dict[str, int] = {}
        for f in self.fates:
            if f.moved and f.final is not None:
                out[f.final] = out.get(f.final, 0) + 1
        return dict(sorted(out.items()))

    @property
    def lost(self) -> dict[str, int]:
        """Early ballots each group's first choices lost in the realignment."""
        out: dict[str, int] = {}
        for f in self.fates:
            if f.moved and f.first is not None:
                out[f.first] = out.get(f.first, 0) + 1
        return dict(sorted(out.items()))

    @property
    def void_reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.fates:
            if f.void is not None:
                out[f.void] = out.get(f.void, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, object]:
        return {
            "ballots": self.ballots,
            "valid": self.valid,
            "void": self.void,
            "void_reasons": self.void_reasons,
            "first": dict(sorted(self.first.items())),
            "final": dict(sorted(self.final.items())),
            "gained": self.gained,
            "lost": self.lost,
            "exhausted": self.exhausted,
            "checksum": self.checksum,
            "log": [s.to_dict() for s in self.log],
        }


def ballot_line(ballot: EarlyBallot) -> str:
    """The canonical text of a ballot for the checksum: choices joined by ``>``."""
    return ">".join(ballot.choices)


def early_checksum(ballots: Sequence[EarlyBallot]) -> str:
    """A short fingerprint of a precinct's early ballots, independent of their order.

    SHA-256 over the sorted canonical lines; the first 12 hex digits in groups of four
    (``3f2a-9c1b-07de``), short enough for a chair to read back against the party's list.
    """
    text = "\n".join(sorted(ballot_line(b) for b in ballots)) + "\n"
    digest = hashlib.sha256(f"{len(ballots)}\n{text}".encode()).hexdigest()[:12]
    return "-".join(digest[i : i + 4] for i in range(0, 12, 4))


def void_reason(rules: RuleSet, ballot: EarlyBallot) -> str | None:
    """Why ``ballot`` is void under ``rules`` (rules.md §11 Q9), or None when it is valid."""
    n = len(ballot.choices)
    low, high = rules.early_min_choices, rules.early_max_choices
    distinct = len(set(ballot.choices))
    if n > high:
        return f"more than {high} choices"
    if rules.early_duplicates is EarlyDuplicates.VOID and distinct < n:
        return "a candidate ranked more than once"
    counted = distinct if rules.early_duplicates is EarlyDuplicates.DISTINCT else n
    if counted < low:
        kind = (
            "different candidates"
            if rules.early_duplicates is EarlyDuplicates.DISTINCT
            else "choices"
        )
        return f"fewer than {low} {kind}"
    return None


def check_ballots(
    rules: RuleSet, ballots: Sequence[EarlyBallot], known_groups: frozenset[str] | None
) -> None:
    """Refuse malformed early ballots (not void ones: those are counted as void)."""
    problems: list[Problem] = []
    if not rules.early_voting and ballots:
        raise ValidationError.single("early", f"the {rules.name} rules have no early voting")
    if rules.early_min_choices > rules.early_max_choices:
        problems.append(
            Problem(
                "options.early_min_choices",
                f"{rules.early_min_choices} is above early_max_choices {rules.early_max_choices}",
            )
        )
    if len(ballots) > MAX_EARLY_BALLOTS:
        problems.append(Problem("early", f"implausibly many ballots ({len(ballots)})"))
    for i, b in enumerate(ballots):
        problems.extend(_ballot_problems(i, b, known_groups))
        if len(problems) > 50:
            break
    if problems:
        raise ValidationError(problems)


def _ballot_problems(i: int, b: EarlyBallot, known_groups: frozenset[str] | None) -> list[Problem]:
    """What is malformed in ballot ``i``: not a list, or a choice that names no candidate."""
    if not isinstance(b.choices, tuple):
        return [Problem(f"early[{i}]", "must be a list of candidate names")]
    problems: list[Problem] = []
    for j, name in enumerate(b.choices):
        where = f"early[{i}].choices[{j}]"
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            problems.append(Problem(where, f"must be a candidate name, got {name!r}"))
        elif known_groups is not None and name not in known_groups:
            problems.append(
                Problem(
                    where,
                    f"unknown candidate {name!r}; expected one of "
                    + ", ".join(sorted(known_groups)),
                )
            )
    return problems


def _viable(counts: Mapping[str, int], threshold: int | None) -> frozenset[str]:
    return frozenset(g for g, n in counts.items() if n > 0 and n >= (threshold or 0))


def _targets(
    rules: RuleSet,
    threshold: int | None,
    first: Mapping[str, int],
    final: Mapping[str, int],
    early_first: Mapping[str, int],
) -> EarlyTargets:
    """The groups early ballots of non-viable first choices may move to (§4 NV, §11 Q9)."""
    if threshold is None:
        return EarlyTargets("none")
    after_first = rules.early_realign is EarlyRealign.AFTER_FIRST
    base = first if after_first else final
    combined = {g: base.get(g, 0) + early_first.get(g, 0) for g in set(base) | set(early_first)}
    return EarlyTargets(
        "first" if after_first else "realignment", tuple(sorted(_viable(combined, threshold)))
    )


def _destination(b: EarlyBallot, targets: frozenset[str] | None) -> str | None:
    """Where a valid ballot counts: its first choice if viable (or no viability), else its
    highest-ranked viable choice, else nowhere (exhausted)."""
    if targets is None or b.choices[0] in targets:
        return b.choices[0]
    return next((c for c in b.choices if c in targets), None)


def tally_early(
    rules: RuleSet,
    delegates: int,
    attendees: int,
    first: Mapping[str, int],
    final: Mapping[str, int],
    ballots: Sequence[EarlyBallot],
    known_groups: frozenset[str] | None = None,
) -> EarlyTally:
    """Count ``ballots`` into a precinct whose in-person counts are ``attendees`` (opening head
    count), ``first`` and ``final`` (in-person alignments), electing ``delegates``.

    Rule: rules.md §4 (NV: early votes counted at the home precinct; those for non-viable
    candidates pass to the next-ranked viable choice after in-person realignment), §3.2 (N),
    §11 Q9 (the options of :class:`~caucuskit.core.rules.RuleSet`).
    """
    check_ballots(rules, ballots, known_groups)
    fates: list[tuple[int, EarlyBallot]] = []
    void: dict[int, str] = {}
    for i, b in enumerate(ballots):
        reason = void_reason(rules, b)
        if reason is None:
            fates.append((i, b))
        else:
            void[i] = reason
    valid = len(fates)
    n = attendees + valid
    early_first: dict[str, int] = {}
    for _, b in fates:
        early_first[b.choices[0]] = early_first.get(b.choices[0], 0) + 1
    log: list[WorksheetStep] = [EarlyCount(len(ballots), valid, len(void), attendees, n)]
    reasons = list(void.values())
    log += [EarlyVoid(reasons.count(r), r) for r in sorted(set(reasons))]
    log += [EarlyFirst(g, k) for g, k in sorted(early_first.items())]
    threshold = viability_threshold(rules, delegates, n) if delegates >= 2 and n > 0 else None
    step = _targets(rules, threshold, first, final, early_first)
    log.append(step)
    targets = None if step.after == "none" else frozenset(step.groups)
    out: list[BallotFate] = []
    early_final: dict[str, int] = {}
    for i, b in fates:
        where = _destination(b, targets)
        out.append(BallotFate(i, b.choices[0], where))
        if where is not None:
            early_final[where] = early_final.get(where, 0) + 1
    exhausted = sum(1 for f in out if f.final is None)
    for i, reason in void.items():
        out.append(BallotFate(i, None, None, reason))
    out.sort(key=lambda f: f.index)
    tally = EarlyTally(
        len(ballots),
        valid,
        early_first,
        early_final,
        exhausted,
        tuple(out),
        early_checksum(ballots),
        (),
    )
    log += [EarlyLost(g, k) for g, k in tally.lost.items()]
    log += [EarlyGained(g, k) for g, k in tally.gained.items()]
    log += [EarlyExhausted(exhausted)] if exhausted else []
    return EarlyTally(
        tally.ballots,
        valid,
        early_first,
        early_final,
        exhausted,
        tally.fates,
        tally.checksum,
        tuple(log),
    )
