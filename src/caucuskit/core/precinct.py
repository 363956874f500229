"""One precinct caucus from raw inputs to delegates; the chair's worksheet on demand.

Rule: rules.md §3 (threshold), §4 (alignments), §5.6 (one delegate), §5.7 (allocation).

Inputs: a :class:`RuleSet`, a :class:`PrecinctInput` (D, N, alignments, recorded toss winners).
Outputs: a :class:`PrecinctResult`. Deciding is done in integers and writes no worksheet;
``result.log`` and ``result.lines`` replay the same decisions with the typed steps of
:mod:`caucuskit.core.steps` the first time they are read (:func:`worksheet_steps`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from caucuskit.core.allocation import allocate
from caucuskit.core.checks import validate_input
from caucuskit.core.model import PendingTie, PrecinctInput, PrecinctResult
from caucuskit.core.quickcheck import plainly_valid
from caucuskit.core.rounding import units_str
from caucuskit.core.rules import OneDelegateRule, RuleSet, TieMethod
from caucuskit.core.steps import (
    Award,
    Note,
    NoteWhy,
    OneDelegate,
    StaysViable,
    Threshold,
    Tie,
    Toss,
    Viable,
    WorksheetStep,
)
from caucuskit.core.ties import TossBook
from caucuskit.core.viability import viable_groups
from caucuskit.core.wording import note_text, tie_reason

Log = list[WorksheetStep] | None
#: The game of chance by name (an Enum's ``.value`` costs more than the rest of a small precinct).
_METHOD: dict[TieMethod, str] = {m: m.value for m in TieMethod}
#: Shared, read-only "nothing here" for results without rounded shares or extras.
_NONE: Mapping[str, int] = MappingProxyType({})


def compute_precinct(
    rules: RuleSet,
    data: PrecinctInput,
    known_groups: frozenset[str] | None = None,
    *,
    worksheet: bool = False,
) -> PrecinctResult:
    """Validate ``data`` and derive the viability threshold, viable groups and delegates.

    The worksheet (``result.log``) is built when first read; ``worksheet=True`` builds it while
    deciding, for a caller that will read it anyway. Raises
    :class:`~caucuskit.core.errors.ValidationError` naming every bad field.
    """
    if not plainly_valid(rules, data, known_groups):
        validate_input(rules, data, known_groups)  # names every problem, or finds none
    if not worksheet:
        return decide(rules, data)
    log: list[WorksheetStep] = []
    result = decide(rules, data, log)
    result._log = tuple(log)
    return result


def worksheet_steps(rules: RuleSet, data: PrecinctInput) -> tuple[WorksheetStep, ...]:
    """Every decision for (already validated) ``data`` as typed steps (rules.md §5.7 step 6)."""
    log: list[WorksheetStep] = []
    decide(rules, data, log)
    return tuple(log)


def decide(rules: RuleSet, data: PrecinctInput, log: Log = None) -> PrecinctResult:
    """The computation of :func:`compute_precinct` on validated inputs, steps into ``log``."""
    tosses = TossBook(data.toss_winners, _METHOD[rules.tie_method])
    if data.delegates == 0:
        result = _no_delegates(rules, data, log)
    elif data.delegates == 1:
        result = _one_delegate(rules, data, tosses, log)
    else:
        result = _many_delegates(rules, data, tosses, log)
    tosses.check_all_used()
    return result


def _note(why: NoteWhy, notes: list[str], log: Log, count: int | None = None) -> None:
    notes.append(note_text(why, (), count))
    if log is not None:
        log.append(Note(why, (), count))


def _no_delegates(rules: RuleSet, data: PrecinctInput, log: Log) -> PrecinctResult:
    notes: list[str] = []
    _note("no-delegates", notes, log)
    return PrecinctResult(
        rules.name, 0, data.attendees, None, None, (), {}, None, (), tuple(notes), (), False,
        _NONE, _NONE, data, rules,
    )  # fmt: skip


def _one_delegate(
    rules: RuleSet, data: PrecinctInput, tosses: TossBook, log: Log
) -> PrecinctResult:
    """Rule: rules.md §5.6 (and §11 Q2 for the strict-majority option)."""
    notes: list[str] = []
    final = {g: n for g, n in data.final.items() if n > 0}
    pending: PendingTie | None = None
    winner: str | None = None
    undecided = False
    leaders: tuple[str, ...] = ()
    rule = rules.one_delegate
    if not final:
        undecided = True
    else:
        top = max(final.values())
        leaders = tuple(sorted(g for g, n in final.items() if n == top))
        cast = sum(final.values())
        if log is not None:
            _log_one_delegate_rule(rule, tosses, cast, data.attendees, log)
        if rule is not OneDelegateRule.LARGEST_GROUP:
            # Majority of the votes cast (2016) or of the attendees (option Q2).
            base = cast if rule is OneDelegateRule.MAJORITY_VOTE else data.attendees
            if 2 * top > base:
                winner = leaders[0]
            else:
                undecided = True
        elif len(leaders) == 1:
            winner = leaders[0]
        else:
            winner, pending = _largest_tie(leaders, top, tosses, log)
    delegates = {winner: 1} if winner is not None else {}
    if winner is not None and log is not None:
        log.append(Award(winner, 1, single=True, members=final[winner]))
    if undecided:
        _one_delegate_undecided(rule, final, notes, log)
    return PrecinctResult(
        rules.name, 1, data.attendees, None, None, leaders, delegates, pending,
        tuple(tosses.records), tuple(notes), (), undecided, _NONE, _NONE, data, rules,
    )  # fmt: skip


def _log_one_delegate_rule(
    rule: OneDelegateRule, tosses: TossBook, cast: int, attendees: int, log: list[WorksheetStep]
) -> None:
    """The worksheet line saying which §5.6 rule decides the single delegate."""
    counts = {"cast": cast} if rule is OneDelegateRule.MAJORITY_VOTE else {}
    if rule is OneDelegateRule.STRICT_MAJORITY:
        counts = {"attendees": attendees}
    log.append(OneDelegate(rule.value, tosses.method, **counts))


def _largest_tie(
    leaders: tuple[str, ...], top: int, tosses: TossBook, log: Log
) -> tuple[str | None, PendingTie | None]:
    """§5.6 with the largest-group rule: a tie for the most members goes to a game of chance;
    the winner, or the pending tie when no outcome is recorded yet."""
    reason = tie_reason("largest", len(leaders), str(top), 1)
    outcome = tosses.decide(leaders, 1, "gain", reason)
    if isinstance(outcome, PendingTie):
        if log is not None:
            log.append(Tie(leaders, 1, "gain", "largest", str(top), tosses.method))
        return None, outcome
    winner = outcome[0]
    if log is not None:
        index = len(tosses.records) - 1
        log.append(Toss(winner, index, True, "gain", "largest", 1, tosses.method))
    return winner, None


def _one_delegate_undecided(
    rule: OneDelegateRule, final: Mapping[str, int], notes: list[str], log: Log
) -> None:
    """The note when nobody wins the single delegate (no members, or no majority)."""
    why: NoteWhy = "nobody"
    if final:
        why = "no-majority" if rule is OneDelegateRule.MAJORITY_VOTE else "no-strict-majority"
    _note(why, notes, log, sum(final.values()) if why == "no-majority" else None)


def _many_delegates(
    rules: RuleSet, data: PrecinctInput, tosses: TossBook, log: Log
) -> PrecinctResult:
    """Rule: rules.md §3 (threshold), §4 (viability in each alignment), §5.7 (allocation)."""
    d, n = data.delegates, data.attendees
    fraction = rules.threshold_fraction(d)
    assert fraction is not None
    p, q = fraction.numerator, fraction.denominator
    threshold = -(-p * n // q)
    if log is not None:
        exact = units_str((2 * p * n * 10**4 + q) // (2 * q), 4)
        log.append(Threshold(str(fraction), n, exact, threshold))
    viable_first: tuple[str, ...] | None = None
    if data.first is not None:
        viable_first = viable_groups(data.first, threshold)
        if log is not None:
            log.append(Viable("first", viable_first))
    viable = viable_groups(data.final, threshold)
    if rules.first_viability_sticks and viable_first:
        kept = [g for g in viable_first if g not in viable and data.final.get(g, 0) > 0]
        if log is not None:
            log.extend(StaysViable(g) for g in kept)
        viable = tuple(sorted(set(viable) | set(kept)))
    if log is not None:
        log.append(Viable("final", viable))
    if not viable:
        notes: list[str] = []
        _note("none-viable", notes, log)
        return PrecinctResult(
            rules.name, d, n, threshold, viable_first, (), {}, None, (), tuple(notes), (), True,
            _NONE, _NONE, data, rules,
        )  # fmt: skip
    final = data.final
    alloc = allocate(rules, d, n, {g: final[g] for g in viable}, tosses, log)
    won = alloc.delegates
    delegates = {g: won[g] for g in viable if won[g] > 0}
    if alloc.pending is None and log is not None:
        log.extend(Award(g, k) for g, k in delegates.items())
    return PrecinctResult(
        rules.name, d, n, threshold, viable_first, viable, delegates, alloc.pending,
        tuple(tosses.records), tuple(alloc.notes), tuple(alloc.must_realign), False,
        alloc.rounded, _NONE, data, rules,
    )  # fmt: skip
