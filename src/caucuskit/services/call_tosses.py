"""Coin-toss sensitivity: which games of chance could change the SDE leader or the national
split (rules.md §5.4, §8.2).

Inputs: a tabulation (its recorded and pending tosses, every alternative outcome).
Outputs: :func:`toss_options` (each alternative and its SDE effect), :func:`sensitivity`
(the fewest tosses that let each challenger tie or pass the leader, exactly; every single
outcome that changes the national split) and its JSON form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.election import Election
from caucuskit.core.national import allocate_unit
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str
from caucuskit.services.call_tracker import _label
from caucuskit.services.tabulate import Tabulation, recount

ZERO = Fraction(0)


def _dec(x: Fraction, places: int = 3) -> str:
    return decimal_str(x, places) if x >= 0 else "-" + decimal_str(-x, places)


@dataclass(frozen=True)
class TossOption:
    """One way a recorded or pending game of chance could have gone, and what it moves."""

    unit: str
    scope: int | None
    status: str  # "recorded" (toss known) | "pending" (not yet decided)
    won: Mapping[str, int]
    delta: Mapping[str, Fraction]  # SDE change against the counted result


def toss_options(tab: Tabulation) -> list[TossOption]:
    """Every alternative outcome of every game of chance in the tabulation."""
    out: list[TossOption] = []
    rules = tab.election.rules
    known = tab.election.candidate_names
    for u in tab.units:
        rc = u.recount
        if rc is None or not u.delegates:
            continue
        recorded = bool(rc.result is not None and rc.result.ties) or rc.toss_source is not None
        if not recorded and rc.pending is None:
            continue
        outcomes = rc.outcomes
        if not outcomes:
            bare = PrecinctReport(
                u.report.county,
                u.report.precinct,
                u.report.attendees,
                u.report.first,
                u.report.final,
            )
            outcomes = recount(rules, u.delegates, bare, known).outcomes
        ratio = u.value / u.delegates
        scope = u.county.district
        for o in outcomes:
            if dict(o) == dict(rc.won) and rc.pending is None:
                continue
            names = set(o) | set(rc.won)
            delta = {c: ratio * (o.get(c, 0) - rc.won.get(c, 0)) for c in names}
            delta = {c: v for c, v in delta.items() if v}
            out.append(
                TossOption(
                    _label(u.precinct.key),
                    scope,
                    "pending" if rc.pending is not None else "recorded",
                    dict(o),
                    delta,
                )
            )
    return out


@dataclass
class Sensitivity:
    leader: str | None
    #: challenger -> (tosses needed to tie or overtake, options used, margin), smallest first
    sde: dict[str, tuple[int, list[TossOption], Fraction]] = field(default_factory=dict)
    #: single toss outcomes that change the national split: (option, new total)
    national_single: list[tuple[TossOption, dict[str, int]]] = field(default_factory=list)
    options: int = 0
    units: int = 0


def sensitivity(tab: Tabulation) -> Sensitivity:
    """Which tosses, or smallest set of tosses, would change the SDE leader or the national
    split. SDE: for each challenger the smallest set is found exactly (one option per unit,
    largest effect first: with positive effects the greedy prefix is the minimum count).
    National: every single alternative outcome is tried."""
    opts = toss_options(tab)
    ranked_now = sorted(tab.statewide.items(), key=lambda kv: (-kv[1], kv[0]))
    leader = ranked_now[0][0] if ranked_now else None
    res = Sensitivity(leader, options=len(opts), units=len({o.unit for o in opts}))
    if leader is None:
        return res
    for challenger, votes in ranked_now[1:6]:
        margin = tab.statewide[leader] - votes
        found = _fewest_tosses(opts, leader, challenger, margin)
        if found is not None:
            res.sde[challenger] = (len(found), found, margin)
    res.national_single = _national_single(tab, opts)
    return res


def _fewest_tosses(
    opts: list[TossOption], leader: str, challenger: str, margin: Fraction
) -> list[TossOption] | None:
    """The fewest outcomes (one per unit) that let ``challenger`` tie or pass ``leader``,
    or None when all of them together do not."""
    best: dict[str, tuple[Fraction, TossOption]] = {}
    for o in opts:
        effect = o.delta.get(challenger, ZERO) - o.delta.get(leader, ZERO)
        if effect > 0 and (o.unit not in best or effect > best[o.unit][0]):
            best[o.unit] = (effect, o)
    chosen: list[TossOption] = []
    acc = ZERO
    for effect, o in sorted(best.values(), key=lambda t: -t[0]):
        if acc >= margin:
            break
        chosen.append(o)
        acc += effect
    return chosen if acc >= margin else None


def _national_single(
    tab: Tabulation, opts: list[TossOption]
) -> list[tuple[TossOption, dict[str, int]]]:
    """Every single alternative outcome that changes the national total (rules.md §8.2)."""
    out: list[tuple[TossOption, dict[str, int]]] = []
    base_total = {c: k for c, k in tab.national.total.items() if k}
    for o in opts:
        state = dict(tab.statewide)
        dist = {d: dict(v) for d, v in tab.districts.items()}
        for c, v in o.delta.items():
            state[c] = state.get(c, ZERO) + v
            if o.scope is not None:
                dist.setdefault(o.scope, {})[c] = dist.get(o.scope, {}).get(c, ZERO) + v
        total: dict[str, int] = {}
        for name, seats, unit_votes in _units(tab.election, state, dist):
            for c, k in allocate_unit(unit_votes, seats, unit=name).delegates.items():
                total[c] = total.get(c, 0) + k
        total = {c: k for c, k in total.items() if k}
        if total != base_total:
            out.append((o, total))
    return out


def _units(
    election: Election, state: Mapping[str, Fraction], dist: Mapping[int, Mapping[str, Fraction]]
) -> list[tuple[str, int, Mapping[str, Fraction]]]:
    out: list[tuple[str, int, Mapping[str, Fraction]]] = [
        (f"CD{d}", s, {c: v for c, v in dist.get(d, {}).items() if v > 0})
        for d, s in sorted(election.national.district.items())
    ]
    clean = {c: v for c, v in state.items() if v > 0}
    out.append(("at-large", election.national.at_large, clean))
    out.append(("PLEO", election.national.pleo, clean))
    return out


def sensitivity_to_dict(s: Sensitivity, places: int = 3) -> dict[str, object]:
    return {
        "leader": s.leader,
        "tie_units": s.units,
        "alternative_outcomes": s.options,
        "sde_leader": {
            c: {
                "tosses": n,
                "margin": _dec(m, 4),
                "units": [
                    {
                        "unit": o.unit,
                        "status": o.status,
                        "delta": {k: _dec(v, 4) for k, v in o.delta.items()},
                    }
                    for o in opts
                ],
            }
            for c, (n, opts, m) in s.sde.items()
        },
        "national_single": [
            {"unit": o.unit, "status": o.status, "won": dict(o.won), "total": t}
            for o, t in s.national_single
        ],
    }
