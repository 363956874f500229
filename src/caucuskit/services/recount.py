"""One reporting unit recomputed from its raw counts (strict, else lenient), with the outcomes
of any tie a game of chance must still settle.

Rule: rules.md §4 (realignment checks), §5.4 (games of chance), §5.7 (each precinct recomputed
from raw counts), §6 (N = first-alignment total when attendees are not published).

Inputs: a :class:`~caucuskit.core.rules.RuleSet`, the unit's D and its
:class:`~caucuskit.core.report.PrecinctReport`. Output: :class:`Recount`. The outcomes of a
pending tie are enumerated only when :attr:`Recount.outcomes` is first read (each one re-runs the
allocation), so a tabulation that never asks never pays for them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from caucuskit.core.allocation import allocate
from caucuskit.core.errors import ValidationError
from caucuskit.core.model import PendingTie, PrecinctInput, PrecinctResult
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rules import RuleSet
from caucuskit.core.ties import TossBook
from caucuskit.core.viability import viability_threshold, viable_groups

#: Most complete toss outcomes enumerated for one precinct (a chain of ties multiplies them).
MAX_OUTCOMES = 512
#: one allocation of a unit for given toss winners: (delegates won, tie still pending)
Run = Callable[[tuple[str, ...]], tuple[dict[str, int], PendingTie | None]]


@dataclass(frozen=True)
class Recount:
    """One reporting unit recomputed from its raw counts.

    ``problems`` are the validation problems of the strict inputs; when there are any the unit
    was computed ``lenient``-ly: without the realignment checks (first alignment ignored) and,
    when the final alignment outnumbers N, straight through the allocation with N kept as the
    first-alignment total (the method of rules.md §6). ``error`` is set when nothing could be
    computed at all (e.g. nobody attended).
    """

    delegates: int
    attendees: int
    won: Mapping[str, int]
    pending: PendingTie | None
    result: PrecinctResult | None = None
    problems: tuple[str, ...] = ()
    lenient: bool = False
    error: str | None = None
    #: every complete outcome of the pending tie(s); None until first asked for (see
    #: :attr:`outcomes`: enumerating re-runs the allocation once per toss combination)
    enumerated: tuple[Mapping[str, int], ...] | None = ()
    toss_source: str | None = None
    again: Run | None = field(default=None, compare=False, repr=False)
    winners: tuple[str, ...] = ()

    @property
    def outcomes(self) -> tuple[Mapping[str, int], ...]:
        """Every complete outcome of the pending tie(s), enumerated on first use only."""
        if self.enumerated is None:
            found: tuple[Mapping[str, int], ...] = ()
            if self.pending is not None and self.again is not None:
                found = tuple(_enumerate(self.again, self.winners))
            object.__setattr__(self, "enumerated", found)
            return found
        return self.enumerated

    @property
    def undecided(self) -> int:
        """Delegates a game of chance must still give out."""
        return 0 if self.pending is None else self.pending.winners_needed


def _raw_run(
    rules: RuleSet, d: int, n: int, final: Mapping[str, int], winners: tuple[str, ...]
) -> tuple[dict[str, int], PendingTie | None]:
    """The allocation without input validation (lenient path, rules.md §6 method)."""
    book = TossBook(winners, rules.tie_method.value)
    if d == 1:
        groups = {g: v for g, v in final.items() if v > 0}
        if not groups:
            return {}, None
        top = max(groups.values())
        leaders = tuple(sorted(g for g, v in groups.items() if v == top))
        if len(leaders) == 1:
            return {leaders[0]: 1}, None
        outcome = book.decide(leaders, 1, "gain", "largest groups tie")
        if isinstance(outcome, PendingTie):
            return {}, outcome
        return {outcome[0]: 1}, None
    threshold = viability_threshold(rules, d, n)
    assert threshold is not None
    viable = viable_groups(final, threshold)
    if not viable:
        return {}, None
    alloc = allocate(rules, d, n, {g: final[g] for g in viable}, book)
    return {g: v for g, v in alloc.delegates.items() if v > 0}, alloc.pending


def _strict_run(
    rules: RuleSet, data: PrecinctInput, known: frozenset[str] | None
) -> tuple[dict[str, int], PendingTie | None, PrecinctResult]:
    result = compute_precinct(rules, data, known)
    return dict(result.delegates), result.pending_tie, result


def recount(
    rules: RuleSet,
    delegates: int,
    report: PrecinctReport,
    known_groups: frozenset[str] | None = None,
    *,
    enumerate_ties: bool = True,
) -> Recount:
    """Recompute one unit electing ``delegates`` from ``report``'s raw counts (§5.7, §6)."""
    n = report.effective_attendees
    final = {g: v for g, v in report.final.items() if v}
    first = {g: v for g, v in report.first.items() if v}
    if delegates == 0:
        return Recount(0, n, {}, None)
    if n <= 0:
        return Recount(delegates, n, {}, None, error="nobody attended (N = 0): nothing to compute")
    problems: tuple[str, ...] = ()
    lenient = False
    run: Run
    result: PrecinctResult | None = None
    strict = PrecinctInput(delegates, n, final, first or None, report.toss_winners)
    try:
        won, pending, result = _strict_run(rules, strict, known_groups)

        def run(w: tuple[str, ...]) -> tuple[dict[str, int], PendingTie | None]:
            d = PrecinctInput(delegates, n, final, first or None, w)
            got, pend, _ = _strict_run(rules, d, known_groups)
            return got, pend

    except ValidationError as exc:
        problems = tuple(str(p) for p in exc.problems)
        lenient = True
        if any(p.field.startswith("toss_winners") for p in exc.problems):
            return Recount(
                delegates,
                n,
                {},
                None,
                problems=problems,
                lenient=True,
                error="recorded toss outcomes do not fit the ties",
            )

        def run(w: tuple[str, ...]) -> tuple[dict[str, int], PendingTie | None]:
            return _raw_run(rules, delegates, n, final, w)

        try:
            won, pending = run(report.toss_winners)
        except ValidationError as again:
            return Recount(
                delegates,
                n,
                {},
                None,
                problems=problems,
                lenient=True,
                error="; ".join(str(p) for p in again.problems),
            )
    lazy = pending is not None and enumerate_ties
    return Recount(
        delegates,
        n,
        won,
        pending,
        result,
        problems,
        lenient,
        None,
        None if lazy else (),
        None,
        run if lazy else None,
        report.toss_winners,
    )


def _enumerate(run: Run, start: tuple[str, ...]) -> list[dict[str, int]]:
    """Every complete outcome of the pending tie(s): each combination of toss winners."""
    done: list[dict[str, int]] = []
    stack = [start]
    while stack and len(done) < MAX_OUTCOMES:
        winners = stack.pop()
        won, pending = run(winners)
        if pending is None:
            if won not in done:
                done.append(won)
            continue
        for combo in itertools.combinations(pending.groups, pending.winners_needed):
            stack.append(winners + combo)
    return done
