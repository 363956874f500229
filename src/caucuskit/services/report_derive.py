"""What the server derives from a precinct report: the core's result, delegates and SDEs.

Rule: rules.md §9 — the raw inputs are the truth and delegates and SDEs are *derived* from them
(the 2020 errors were typed-in delegate/SDE numbers that did not follow from the counts); §5
(the precinct math, :func:`caucuskit.core.compute_precinct`), §6 (a delegate's SDE value).

Inputs: the service :class:`Context`, a :class:`PrecinctRef`, a :class:`ReportInput`.
Outputs: :class:`Derived` (or :class:`Invalid` naming the field), and ``PRECINCT_INFO``
(docs/api.md). Nothing here touches the database; :mod:`caucuskit.services.submit` stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PrecinctInput, PrecinctResult
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.rounding import decimal_str
from caucuskit.core.satellite import satellite_delegates
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.errors import Invalid
from caucuskit.services.report_input import ReportInput


@dataclass(frozen=True)
class Derived:
    """What the server derives from a report."""

    result: PrecinctResult
    delegates: dict[str, int]
    sde: dict[str, str] = field(default_factory=dict)
    sde_display: dict[str, str] = field(default_factory=dict)
    #: Nevada: the worksheet with early votes and card draws; None for the plain one.
    worksheet: dict[str, Any] | None = None
    #: Nevada: the winners each recorded card draw gives, in order.
    draw_winners: tuple[tuple[str, ...], ...] = ()
    #: Nevada: early ballots were loaded for the precinct (the chair must confirm them).
    early: dict[str, object] | None = None


def _check_names(known: frozenset[str], report: ReportInput) -> None:
    """:class:`Invalid` naming every group or toss winner that is not a candidate."""
    problems: list[Problem] = []
    for where, counts in (("first", report.first), ("final", report.final)):
        for name in counts:
            if name not in known:
                problems.append(Problem(f"{where}.{name}", "not a candidate of this election"))
    for i, t in enumerate(report.tosses):
        if not t.cards and t.winner not in known:
            problems.append(Problem(f"tosses.{i}.winner", f"{t.winner!r} is not a candidate"))
    if problems:
        raise Invalid(problems)


def derive(ctx: Context, precinct: PrecinctRef, report: ReportInput) -> Derived:
    """Run the core on ``report``; :class:`Invalid` naming the field when it breaks the rules."""
    election = ctx.election
    known = election.candidate_names
    _check_names(known, report)
    d = precinct.delegates
    ref = election.precinct_by_key.get((precinct.county, precinct.name))
    if ref is not None and ref.at_large and d is None:
        raise Invalid(
            "this at-large site's delegates (D) have not been set by the party", "delegates"
        )
    if precinct.satellite or d is None:
        d = satellite_delegates(report.attendees)
    if election.rules.early_voting or any(t.cards for t in report.tosses):
        from caucuskit.services.nevada_reports import derive_nevada

        result, worksheet, winners, early = derive_nevada(ctx, precinct, report, d)
        return _finish(
            ctx,
            precinct,
            d,
            Derived(result, {}, worksheet=worksheet, draw_winners=winners, early=early),
        )
    data = PrecinctInput(
        delegates=d,
        attendees=report.attendees,
        first=dict(report.first),
        final=dict(report.final),
        toss_winners=tuple(t.winner for t in report.tosses),
    )
    try:
        result = compute_precinct(election.rules, data, known)
    except ValidationError as exc:
        raise Invalid(list(exc.problems)) from exc
    return _finish(ctx, precinct, d, Derived(result, {}))


def _finish(ctx: Context, precinct: PrecinctRef, d: int, derived: Derived) -> Derived:
    """Delegates and SDEs (CCDs in a CCD election) of a computed report."""
    election = ctx.election
    result = derived.result
    delegates = {g: n for g, n in result.delegates.items() if n}
    sde: dict[str, str] = {}
    display: dict[str, str] = {}
    if not precinct.satellite:
        ref = election.precinct_by_key[(precinct.county, precinct.name)]
        value = election.precinct_sde_value(ref)
        if value is not None and d:
            places = election.sde_places_precinct
            for g, n in sorted(delegates.items()):
                x = value * n / d
                sde[g] = str(x)
                display[g] = decimal_str(x, places)
    return Derived(
        result, delegates, sde, display, derived.worksheet, derived.draw_winners, derived.early
    )


def require_complete(derived: Derived) -> None:
    """A stored report must be decided: a pending tie needs its toss, a realignment its counts."""
    r = derived.result
    if r.pending_tie is not None:
        t = r.pending_tie
        raise Invalid(
            f"a {t.method} between {', '.join(t.groups)} decides {t.delegates} delegate(s) "
            f"({t.reason}); record {t.winners_needed} winner(s) in order",
            "tosses",
        )
    if r.undecided or r.must_realign:
        msg = "; ".join(r.notes) or "the caucus must realign before it can report"
        raise Invalid(msg, "final")


def precinct_info(ctx: Context, p: PrecinctRef) -> dict[str, Any]:
    """``PRECINCT_INFO`` of docs/api.md."""
    election = ctx.election
    value: Fraction | None = None
    if not p.satellite:
        value = election.precinct_sde_value(election.precinct_by_key[(p.county, p.name)])
    return {
        "id": p.id,
        "county": p.county,
        "county_id": p.county_id,
        "name": p.name,
        "delegates": p.delegates,
        "satellite": p.satellite,
        "sde_value": None if value is None else str(value),
        "sde_value_display": None
        if value is None
        else decimal_str(value, election.sde_places_precinct),
        "candidates": [c.name for c in election.candidates],
        "rules": election.rules.describe(),
        **_nevada_info(ctx, p),
    }


def _nevada_info(ctx: Context, p: PrecinctRef) -> dict[str, Any]:
    """Nevada: the headline unit and the early ballots the chair confirms (empty for Iowa)."""
    election = ctx.election
    if election.unit == "sde" and not election.rules.early_voting:
        return {}
    from caucuskit.services.early_ballots import early_summary

    return {
        "unit": {"short": election.unit_short, "long": election.unit_long},
        "early": early_summary(ctx, p) if election.rules.early_voting else None,
    }
