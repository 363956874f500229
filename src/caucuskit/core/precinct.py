"""One precinct caucus from raw inputs to delegates, with the chair's worksheet.

Rule: rules.md §3 (threshold), §4 (alignments), §5.6 (one delegate), §5.7 (allocation).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from caucuskit.core.allocation import allocate
from caucuskit.core.checks import validate_input
from caucuskit.core.model import GroupLine, PendingTie, PrecinctInput, PrecinctResult, Step
from caucuskit.core.rounding import decimal_str
from caucuskit.core.rules import OneDelegateRule, RuleSet
from caucuskit.core.ties import TossBook
from caucuskit.core.viability import viability_threshold, viable_groups


def compute_precinct(
    rules: RuleSet, data: PrecinctInput, known_groups: frozenset[str] | None = None
) -> PrecinctResult:
    """Validate ``data`` and derive the viability threshold, viable groups and delegates.

    Raises :class:`~caucuskit.core.errors.ValidationError` naming every bad field.
    """
    validate_input(rules, data, known_groups)
    tosses = TossBook(data.toss_winners, rules.tie_method.value)
    if data.delegates == 0:
        result = _no_delegates(rules, data)
    elif data.delegates == 1:
        result = _one_delegate(rules, data, tosses)
    else:
        result = _many_delegates(rules, data, tosses)
    tosses.check_all_used()
    return result


def _lines(
    data: PrecinctInput,
    viable_first: tuple[str, ...] | None,
    viable: tuple[str, ...],
    raw: Mapping[str, Fraction],
    rounded: Mapping[str, int],
    delegates: Mapping[str, int],
) -> tuple[GroupLine, ...]:
    names = set(data.final) | set(data.first or {})
    out = []
    for g in sorted(names):
        value = raw.get(g)
        out.append(
            GroupLine(
                name=g,
                first=None if data.first is None else data.first.get(g, 0),
                final=data.final.get(g, 0),
                viable_first=None if viable_first is None else g in viable_first,
                viable=g in viable,
                raw=value,
                rounded=rounded.get(g),
                delegates=delegates.get(g, 0),
            )
        )
    return tuple(out)


def _no_delegates(rules: RuleSet, data: PrecinctInput) -> PrecinctResult:
    note = "This precinct elects no delegates (D = 0): nothing to allocate."
    return PrecinctResult(
        ruleset=rules.name,
        delegates_to_elect=0,
        attendees=data.attendees,
        threshold=None,
        viable_first=None,
        viable=(),
        lines=_lines(data, None, (), {}, {}, {}),
        delegates={},
        pending_tie=None,
        log=(Step("note", note),),
        notes=(note,),
    )


def _one_delegate(rules: RuleSet, data: PrecinctInput, tosses: TossBook) -> PrecinctResult:
    """Rule: rules.md §5.6 (and §11 Q2 for the strict-majority option)."""
    log: list[Step] = []
    notes: list[str] = []
    final = {g: n for g, n in data.final.items() if n > 0}
    pending: PendingTie | None = None
    winner: str | None = None
    undecided = False
    candidates: tuple[str, ...] = ()
    rule = rules.one_delegate
    if not final:
        undecided = True
        notes.append("Nobody is in any group: the single delegate cannot be elected yet.")
    elif rule is OneDelegateRule.MAJORITY_VOTE:
        cast = sum(final.values())
        log.append(
            Step("rule", f"One delegate: no preference groups; a simple majority of the {cast} "
                 "votes cast elects it (rules.md §5.6, 2016).")
        )
        top = max(final.values())
        leaders = tuple(sorted(g for g, n in final.items() if n == top))
        candidates = leaders
        if 2 * top > cast:
            winner = leaders[0]
        else:
            undecided = True
            notes.append(f"No one has a majority of the {cast} votes cast: the caucus votes again.")
    else:
        top = max(final.values())
        leaders = tuple(sorted(g for g, n in final.items() if n == top))
        candidates = leaders
        if rule is OneDelegateRule.STRICT_MAJORITY:
            log.append(Step("rule", "One delegate: a group needs more than half of the "
                            f"{data.attendees} attendees (strict majority option, "
                            "rules.md §11 Q2)."))
            if 2 * top > data.attendees:
                winner = leaders[0]
            else:
                undecided = True
                notes.append("No group has more than half of the attendees: no delegate yet "
                             "(rules.md §11 Q2 leaves what happens next open).")
        else:
            log.append(Step("rule", "One delegate: the largest final group wins it; a tie goes "
                            f"to a {tosses.method} (rules.md §5.6)."))
            if len(leaders) == 1:
                winner = leaders[0]
            else:
                reason = f"{len(leaders)} groups tie as the largest with {top} each"
                outcome = tosses.decide(leaders, 1, "gain", reason)
                if isinstance(outcome, PendingTie):
                    pending = outcome
                    log.append(Step("tie", f"Tie: {reason}; a {tosses.method} decides."))
                else:
                    winner = outcome[0]
                    log.append(Step("toss", f"{winner} won the {tosses.method}", winner))
    delegates = {winner: 1} if winner is not None else {}
    if winner is not None:
        log.append(Step("award", f"{winner} elects the precinct's delegate ({final[winner]}).",
                        winner))
    for note in notes:
        log.append(Step("note", note))
    return PrecinctResult(
        ruleset=rules.name,
        delegates_to_elect=1,
        attendees=data.attendees,
        threshold=None,
        viable_first=None,
        viable=candidates,
        lines=_lines(data, None, candidates, {}, {}, delegates),
        delegates=delegates,
        pending_tie=pending,
        ties=tuple(tosses.records),
        log=tuple(log),
        notes=tuple(notes),
        undecided=undecided,
    )


def _many_delegates(rules: RuleSet, data: PrecinctInput, tosses: TossBook) -> PrecinctResult:
    fraction = rules.threshold_fraction(data.delegates)
    threshold = viability_threshold(rules, data.delegates, data.attendees)
    assert fraction is not None and threshold is not None
    log = [
        Step(
            "threshold",
            f"Viability threshold: {fraction} x {data.attendees} attendees = "
            f"{decimal_str(fraction * data.attendees, 4)}, rounded up to {threshold} "
            "(rules.md §3).",
        )
    ]
    viable_first: tuple[str, ...] | None = None
    if data.first is not None:
        viable_first = viable_groups(data.first, threshold)
        log.append(Step("viable-first", "Viable after the first alignment: "
                        + (", ".join(viable_first) or "none")))
    viable = viable_groups(data.final, threshold)
    if rules.first_viability_sticks and viable_first:
        kept = [g for g in viable_first if g not in viable and data.final.get(g, 0) > 0]
        for g in kept:
            log.append(Step("viable", f"{g} stays viable: it was viable in the first alignment "
                            "(option first_viability_sticks, rules.md §11 Q3)", g))
        viable = tuple(sorted(set(viable) | set(kept)))
    log.append(Step("viable", "Viable in the final alignment: " + (", ".join(viable) or "none")))
    notes: list[str] = []
    if not viable:
        notes.append("No group is viable: no delegate can be allocated; the caucus must realign.")
        log.append(Step("note", notes[-1]))
        return PrecinctResult(
            ruleset=rules.name,
            delegates_to_elect=data.delegates,
            attendees=data.attendees,
            threshold=threshold,
            viable_first=viable_first,
            viable=(),
            lines=_lines(data, viable_first, (), {}, {}, {}),
            delegates={},
            pending_tie=None,
            log=tuple(log),
            notes=tuple(notes),
            undecided=True,
        )
    members = {g: data.final[g] for g in viable}
    alloc = allocate(rules, data.delegates, data.attendees, members, tosses)
    log.extend(alloc.log)
    notes.extend(alloc.notes)
    delegates = {g: n for g, n in sorted(alloc.delegates.items()) if n > 0}
    if alloc.pending is None:
        for g, n in delegates.items():
            log.append(Step("award", f"{g}: {n} delegate(s)", g))
    return PrecinctResult(
        ruleset=rules.name,
        delegates_to_elect=data.delegates,
        attendees=data.attendees,
        threshold=threshold,
        viable_first=viable_first,
        viable=viable,
        lines=_lines(data, viable_first, viable, alloc.raw, alloc.rounded, delegates),
        delegates=delegates,
        pending_tie=alloc.pending,
        ties=tuple(tosses.records),
        log=tuple(log),
        notes=tuple(notes),
        must_realign=tuple(alloc.must_realign),
    )
