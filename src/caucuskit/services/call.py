"""The race call: exact bounds from the reports in hand, coin-toss sensitivity, and replay.

Rule: rules.md §7.1 (outstanding precincts' fixed SDE values), §7.3 (satellites), §8.2
(D-Math), §5.4 (games of chance). The exact math lives in :mod:`caucuskit.core.bounds`; this
module turns an election and its reports (through the tabulation) into its input, keeps it up
to date report by report (:class:`NightTracker`), and renders the answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.bounds import (
    Pending,
    RaceCall,
    RaceInput,
    Scenario,
    ScopeState,
    SiteReport,
    call_race,
    satellite_terms,
)
from caucuskit.core.election import Election
from caucuskit.core.model import PendingTie
from caucuskit.core.national import allocate_unit
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str
from caucuskit.services.tabulate import Tabulation, UnitResult, recount, tabulate

ZERO = Fraction(0)
MaxTurnout = int | Mapping[tuple[str, str], int] | None


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]} / {key[1]}"


@dataclass(frozen=True)
class UnitOutcome:
    """What one reported unit contributes: delegates won, a pending toss, its turnout."""

    key: tuple[str, str]
    delegates: int
    won: Mapping[str, int]
    pending: PendingTie | None
    turnout: int
    value: Fraction

    @classmethod
    def from_unit(cls, u: UnitResult) -> UnitOutcome:
        rc = u.recount
        if rc is None:  # published mode: the published split, no toss information
            won = dict(u.published_delegates or {})
            pending = None
        else:
            won, pending = dict(rc.won), rc.pending
        return cls(u.precinct.key, u.delegates, won, pending, u.report.effective_attendees,
                   u.value)


class NightTracker:
    """The state of the night, updated one accepted report at a time (cheap per report).

    ``satellite_max_turnout``: the declared maximum turnout of a satellite site that has not
    reported (one number for all, a mapping per site, or None: undeclared, so its pool is
    counted as wholly open, a conservative supremum; rules.md §7.3).
    """

    def __init__(self, election: Election, *, satellite_max_turnout: MaxTurnout = None) -> None:
        self.election = election
        self.max_turnout = satellite_max_turnout
        self.candidates = tuple(c.name for c in election.candidates)
        self.scope_of: dict[str, int | None] = {c.name: c.district for c in election.counties}
        self.scopes: list[int | None] = []
        self.scopes.extend(sorted(
            {c.district for c in election.counties if c.district is not None}))
        if any(c.district is None for c in election.counties):
            self.scopes.append(None)
        self.reported: dict[tuple[str, str], UnitOutcome] = {}
        self._current: dict[int | None, dict[str, Fraction]] = {d: {} for d in self.scopes}
        self._pending: dict[int | None, dict[tuple[str, str], Pending]] = {
            d: {} for d in self.scopes}
        self._outstanding: dict[int | None, dict[tuple[str, str], Fraction]] = {
            d: {} for d in self.scopes}
        self._ratio: dict[tuple[str, str], Fraction] = {}
        self._sites: dict[str, list[tuple[str, str]]] = {}
        #: per scope: the sum of the outstanding values (kept exactly, one step per report)
        #: and the sorted open masses (rebuilt only for a scope that changed)
        self._free: dict[int | None, Fraction] = {d: ZERO for d in self.scopes}
        self._items: dict[int | None, tuple[tuple[tuple[str, Fraction], ...], tuple[int, ...]]] = {}
        for p in election.precincts:
            scope = self.scope_of[p.county]
            if p.satellite:
                self._sites.setdefault(p.county, []).append(p.key)
                continue
            value = election.precinct_sde_value(p) or ZERO
            if p.delegates and value:
                self._outstanding[scope][p.key] = value
                self._free[scope] += value
                self._ratio[p.key] = value / p.delegates

    def add(self, outcome: UnitOutcome) -> None:
        """Record one accepted report (a later report for the same unit replaces it)."""
        key = outcome.key
        p = self.election.precinct_by_key[key]
        scope = self.scope_of[p.county]
        if key in self.reported and not p.satellite:
            self._remove(key, scope)
        self.reported[key] = outcome
        if p.satellite:
            return
        ratio = self._ratio.get(key)
        gone = self._outstanding[scope].pop(key, None)
        if gone is not None:
            self._free[scope] -= gone
            self._items.pop(scope, None)
        if ratio is None:
            return
        cur = self._current[scope]
        for c, n in outcome.won.items():
            if n:
                cur[c] = cur.get(c, ZERO) + ratio * n
        if outcome.pending is not None:
            t = outcome.pending
            self._pending[scope][key] = Pending(_label(key), t.groups, t.winners_needed, ratio)

    def _remove(self, key: tuple[str, str], scope: int | None) -> None:
        old = self.reported[key]
        ratio = self._ratio.get(key)
        if ratio is None:
            return
        cur = self._current[scope]
        for c, n in old.won.items():
            if n:
                cur[c] = cur.get(c, ZERO) - ratio * n
        self._pending[scope].pop(key, None)

    def _max_turnout(self, key: tuple[str, str]) -> int | None:
        m = self.max_turnout
        if m is None or isinstance(m, int):
            return m
        return m.get(key)

    def race(self) -> RaceInput:
        """The :class:`~caucuskit.core.bounds.RaceInput` for the reports recorded so far."""
        cur: dict[int | None, dict[str, Fraction]] = {d: dict(v) for d, v in self._current.items()}
        base: dict[int | None, dict[str, Fraction]] = {d: dict(v) for d, v in cur.items()}
        items: dict[int | None, list[tuple[str, Fraction]]] = {}
        seats: dict[int | None, list[int]] = {}
        for d, waiting_units in self._outstanding.items():
            cached = self._items.get(d)
            if cached is None:
                order = sorted(waiting_units.items())
                cached = (tuple((_label(k), v) for k, v in order),
                          tuple(self.election.precinct_by_key[k].delegates or 1
                                for k, _ in order))
                self._items[d] = cached
            items[d] = list(cached[0])
            seats[d] = list(cached[1])
        sites_open: dict[int | None, bool] = {d: False for d in self.scopes}
        free: dict[int | None, Fraction] = dict(self._free)
        pend: dict[int | None, list[Pending]] = {d: list(p.values())
                                                 for d, p in self._pending.items()}
        limit: dict[int | None, bool] = {d: False for d in self.scopes}
        for county, keys in sorted(self._sites.items()):
            c = self.election.county_by_name[county]
            scope = c.district
            sites = []
            waiting = []
            for k in keys:
                o = self.reported.get(k)
                if o is None:
                    waiting.append((_label(k), self._max_turnout(k)))
                else:
                    sites.append(SiteReport(_label(k), o.turnout, o.delegates, o.won, o.pending))
            terms = satellite_terms(c.state_delegates or ZERO, sites, waiting)
            for c_name, v in terms.current.items():
                cur[scope][c_name] = cur[scope].get(c_name, ZERO) + v
            for c_name, v in terms.baseline.items():
                base[scope][c_name] = base[scope].get(c_name, ZERO) + v
            items[scope].extend(terms.items)
            seats[scope].extend(0 for _ in terms.items)  # a site: won whole (rules.md §7.3)
            sites_open[scope] = sites_open[scope] or bool(terms.items)
            free[scope] += sum((v for _, v in terms.items), ZERO)
            pend[scope].extend(terms.pending)
            limit[scope] = limit[scope] or terms.limit
        scopes = tuple(
            ScopeState(d, {c: v for c, v in cur[d].items() if v},
                       {c: v for c, v in base[d].items() if v}, tuple(items[d]),
                       tuple(pend[d]), limit[d], free[d], tuple(seats[d]), sites_open[d])
            for d in self.scopes)
        return RaceInput(self.candidates, scopes, self.election.national)


def tracker_from_tabulation(tab: Tabulation, *, satellite_max_turnout: MaxTurnout = None
                            ) -> NightTracker:
    tracker = NightTracker(tab.election, satellite_max_turnout=satellite_max_turnout)
    for u in tab.units:
        tracker.add(UnitOutcome.from_unit(u))
    return tracker


# ---------------------------------------------------------------------------------------------
# Coin-toss sensitivity (rules.md §5.4)
# ---------------------------------------------------------------------------------------------


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
            bare = PrecinctReport(u.report.county, u.report.precinct, u.report.attendees,
                                  u.report.first, u.report.final)
            outcomes = recount(rules, u.delegates, bare, known).outcomes
        ratio = u.value / u.delegates
        scope = u.county.district
        for o in outcomes:
            if dict(o) == dict(rc.won) and rc.pending is None:
                continue
            names = set(o) | set(rc.won)
            delta = {c: ratio * (o.get(c, 0) - rc.won.get(c, 0)) for c in names}
            delta = {c: v for c, v in delta.items() if v}
            out.append(TossOption(_label(u.precinct.key), scope,
                                  "pending" if rc.pending is not None else "recorded",
                                  dict(o), delta))
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
        if acc >= margin:
            res.sde[challenger] = (len(chosen), chosen, margin)
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
            res.national_single.append((o, total))
    return res


def _units(election: Election, state: Mapping[str, Fraction],
           dist: Mapping[int, Mapping[str, Fraction]]
           ) -> list[tuple[str, int, Mapping[str, Fraction]]]:
    out: list[tuple[str, int, Mapping[str, Fraction]]] = [
        (f"CD{d}", s, {c: v for c, v in dist.get(d, {}).items() if v > 0})
        for d, s in sorted(election.national.district.items())]
    clean = {c: v for c, v in state.items() if v > 0}
    out.append(("at-large", election.national.at_large, clean))
    out.append(("PLEO", election.national.pleo, clean))
    return out


# ---------------------------------------------------------------------------------------------
# The call, as data and text
# ---------------------------------------------------------------------------------------------


def _dec(x: Fraction, places: int = 3) -> str:
    return decimal_str(x, places) if x >= 0 else "-" + decimal_str(-x, places)


def call_to_dict(call: RaceCall, race: RaceInput, places: int = 3) -> dict[str, object]:
    """JSON-ready form of a :class:`~caucuskit.core.bounds.RaceCall`."""
    nat = call.national
    units = []
    for u in nat.units:
        units.append({
            "unit": u.unit,
            "seats": u.seats,
            "current": dict(sorted(u.current.items(), key=lambda kv: -kv[1])),
            "current_lot": list(u.current_lot),
            "status": u.status,
            "exact": u.exact,
            "proof": u.proof,
            "witness": None if u.witness is None else {
                "scenario": u.witness.label,
                "split": u.witness_split,
                "lot": list(u.witness_lot),
                "units": _witness_units(u.witness, race, places),
            },
            "ranges": {c: {"proven": [r[0], r[1]], "attained": [r[2], r[3]]}
                       for c, r in u.ranges.items() if r[1] or r[3]},
        })
    return {
        "open_sde": _dec(call.open_sde, places),
        "open_sde_is_supremum": call.open_limit,
        "sde": [{"candidate": r.candidate, "current": _dec(r.current, places),
                 "low": _dec(r.low, places), "high": _dec(r.high, places),
                 "high_attained": r.high_attained, "exact": [str(r.low), str(r.high)]}
                for r in call.sde if r.high > 0],
        "lead": {
            "leader": call.lead.leader,
            "status": "decided" if call.lead.decided else "open",
            "explanation": call.lead.explain(places),
            "pairs": [{"leader": p.leader, "trailer": p.trailer, "margin": _dec(p.margin, places),
                       "swing": _dec(p.swing, places), "can_tie": p.can_tie,
                       "can_overtake": p.can_overtake} for p in call.lead.pairs
                      if p.swing > 0 or p.margin <= 0 or p.can_tie][:10],
        },
        "national": {
            "current": nat.total_current,
            "status": nat.total_status,
            "witness": None if nat.total_witness is None else {
                "scenario": nat.total_witness.label, "total": nat.total_witness_split},
            "ranges": {c: {"proven": [r[0], r[1]], "attained": [r[2], r[3]]}
                       for c, r in nat.total_ranges.items() if r[1] or r[3]},
            "units": units,
        },
    }


def _witness_units(sc: object, race: RaceInput, places: int) -> list[dict[str, object]]:
    from caucuskit.core.bounds import Scenario

    assert isinstance(sc, Scenario)
    out = []
    for part in sc.describe(race):
        units = part["units"]
        assert isinstance(units, list)
        sde = part["sde"]
        assert isinstance(sde, Fraction)
        out.append({"scope": part["scope"], "winner": part["winner"], "count": len(units),
                    "sde": _dec(sde, places), "first": units[:5]})
    return out


def sensitivity_to_dict(s: Sensitivity, places: int = 3) -> dict[str, object]:
    return {
        "leader": s.leader,
        "tie_units": s.units,
        "alternative_outcomes": s.options,
        "sde_leader": {c: {"tosses": n, "margin": _dec(m, 4),
                           "units": [{"unit": o.unit, "status": o.status,
                                      "delta": {k: _dec(v, 4) for k, v in o.delta.items()}}
                                     for o in opts]}
                       for c, (n, opts, m) in s.sde.items()},
        "national_single": [{"unit": o.unit, "status": o.status, "won": dict(o.won),
                             "total": t} for o, t in s.national_single],
    }


@dataclass
class CallReport:
    """The call for one set of reports: the tabulation, the exact call, the toss sensitivity."""

    tabulation: Tabulation
    race: RaceInput
    call: RaceCall
    sensitivity: Sensitivity | None

    def to_dict(self) -> dict[str, object]:
        tab = self.tabulation
        p = tab.places
        out: dict[str, object] = {
            "election": tab.election.id,
            "reporting": tab.reporting.to_dict(p),
            "statewide": {c: decimal_str(v, p) for c, v in
                          sorted(tab.statewide.items(), key=lambda kv: -kv[1])},
        }
        out.update(call_to_dict(self.call, self.race, p))
        if self.sensitivity is not None:
            out["coin_tosses"] = sensitivity_to_dict(self.sensitivity, p)
        return out


def call_reports(
    election: Election,
    reports: Sequence[PrecinctReport],
    *,
    satellite_max_turnout: MaxTurnout = None,
    with_sensitivity: bool = True,
    search: bool = True,
) -> CallReport:
    """Tabulate ``reports`` and call the race from them."""
    tab = tabulate(election, reports)
    tracker = tracker_from_tabulation(tab, satellite_max_turnout=satellite_max_turnout)
    race = tracker.race()
    call = call_race(race, search=search)
    sens = sensitivity(tab) if with_sensitivity else None
    return CallReport(tab, race, call, sens)


# ---------------------------------------------------------------------------------------------
# Replay (rules.md §9: the 2020 night in snapshots, or report by report)
# ---------------------------------------------------------------------------------------------


@dataclass
class ReplayStep:
    label: str
    reported: int
    lead: str
    leader: str | None
    national: str
    units: dict[str, str]


def _statuses(call: RaceCall) -> tuple[str, str, dict[str, str]]:
    return ("decided" if call.lead.decided else "open", call.national.total_status,
            {u.unit: u.status for u in call.national.units})


def replay_snapshots(
    election: Election,
    snapshots: Sequence[tuple[str, Sequence[PrecinctReport]]],
    *,
    satellite_max_turnout: MaxTurnout = None,
) -> list[ReplayStep]:
    """Call the race after each snapshot, in the order given (time order)."""
    steps = []
    for label, reports in snapshots:
        rep = call_reports(election, reports, satellite_max_turnout=satellite_max_turnout,
                           with_sensitivity=False)
        lead, nat, units = _statuses(rep.call)
        steps.append(ReplayStep(label, len(rep.tabulation.units), lead, rep.call.lead.leader,
                                nat, units))
    return steps


def replay_stream(
    election: Election,
    reports: Sequence[PrecinctReport],
    *,
    seed: int = 0,
    satellite_max_turnout: MaxTurnout = None,
    every: int = 1,
    on_step: Callable[[int, RaceCall], None] | None = None,
    search: bool = False,
) -> list[ReplayStep]:
    """Stream ``reports`` one at a time in a seeded random order; call after every ``every``
    reports and return the steps at which a race changed status (first: the start)."""
    tab = tabulate(election, reports)
    order = list(tab.units)
    random.Random(seed).shuffle(order)
    tracker = NightTracker(election, satellite_max_turnout=satellite_max_turnout)
    steps: list[ReplayStep] = []
    last: tuple[str, str, dict[str, str]] | None = None
    for i, u in enumerate(order, 1):
        tracker.add(UnitOutcome.from_unit(u))
        if i % every and i != len(order):
            continue
        call = call_race(tracker.race(), search=search)
        if on_step is not None:
            on_step(i, call)
        st = _statuses(call)
        if st != last:
            steps.append(ReplayStep(f"report {i}: {_label(u.precinct.key)}", i, st[0],
                                    call.lead.leader, st[1], st[2]))
            last = st
    return steps


def decided_at(steps: Iterable[ReplayStep]) -> dict[str, str | None]:
    """For each race, the first step from which it stayed decided (None: never)."""
    steps = list(steps)
    races = ["SDE lead", "national total"] + (sorted(steps[0].units) if steps else [])
    out: dict[str, str | None] = {}
    for race in races:
        first: str | None = None
        for s in steps:
            status = s.lead if race == "SDE lead" else (
                s.national if race == "national total" else s.units.get(race, "open"))
            if status == "decided":
                first = first or s.label
            else:
                first = None
        out[race] = first
    return out


# ---------------------------------------------------------------------------------------------
# The race-status panel of the public state document (docs/api.md, "race")
# ---------------------------------------------------------------------------------------------


def _split_text(split: Mapping[str, int]) -> str:
    parts = [f"{c} {n}" for c, n in sorted(split.items(), key=lambda kv: (-kv[1], kv[0])) if n]
    return ", ".join(parts) or "nobody"


def _scenario_doc(sc: Scenario | None, race: RaceInput, places: int,
                  split: Mapping[str, int] | None = None) -> dict[str, object] | None:
    if sc is None:
        return None
    parts = []
    for part in sc.describe(race):
        units = part["units"]
        sde = part["sde"]
        assert isinstance(units, list) and isinstance(sde, Fraction)
        parts.append({"scope": part["scope"], "winner": part["winner"], "units": len(units),
                      "sde": str(sde), "sde_display": _dec(sde, places)})
    return {"label": sc.label, "split": None if split is None else dict(split), "parts": parts}


def _seats_range(ranges: Mapping[str, tuple[int, int, int, int]]) -> dict[str, object]:
    return {c: {"least": r[0], "most": r[1], "least_reached": r[2], "most_reached": r[3]}
            for c, r in ranges.items() if r[1] or r[3]}


def _unit_sentence(name: str, status: str, current: Mapping[str, int],
                   witness: Scenario | None, split: Mapping[str, int] | None,
                   proof: Sequence[str]) -> str:
    if status == "decided":
        return f"decided: {name} stays {_split_text(current)}"
    if status == "open" and witness is not None and split is not None:
        return (f"still open: if {witness.label}, {name} becomes {_split_text(split)} "
                f"(now {_split_text(current)})")
    why = proof[0] if proof else "no proof"
    return (f"undetermined: {why}, but no completion searched changes {name} "
            f"(now {_split_text(current)})")


def race_panel(call: RaceCall, race: RaceInput, places: int = 3) -> dict[str, object]:
    """The ``race`` section of the public state document (docs/api.md): for the SDE lead,
    each national unit and the national total, the status, one plain sentence, the proof or
    the scenario; each candidate's least and most SDEs. Exact values as ``"p/q"`` strings.
    Rule: rules.md §7.1, §7.3, §8.2, §5.4."""
    lead = call.lead
    lead_scenario: Scenario | None = None
    proof: list[str] = []
    sentence = lead.explain(places)
    if lead.decided:
        proof = [sentence] if lead.leader is not None else []
    elif lead.leader is not None:
        catching = sorted((p for p in lead.pairs if p.can_tie), key=lambda p: -p.best)
        if catching:
            top = catching[0]
            t = top.trailer
            lead_scenario = Scenario(f"every outstanding unit to {t}",
                                     {s.district: ((t, len(s.items)),) for s in race.scopes}, t)
            verb = "overtake" if top.can_overtake else "tie"
            sentence = (f"still open: {t} can still {verb} {top.leader} if it out-gains "
                        f"{top.leader} by more than {_dec(top.margin, places)} of the "
                        f"{_dec(top.swing, places)} SDE still open")
            if len(catching) > 1:
                sentence += (f" ({len(catching) - 1} other candidate"
                             f"{'s' if len(catching) > 2 else ''} could too)")
    nat = call.national
    units = []
    for u in nat.units:
        units.append({
            "race": u.unit, "unit": u.unit, "seats": u.seats, "status": u.status,
            "sentence": _unit_sentence(u.unit, u.status, u.current, u.witness, u.witness_split,
                                       u.proof),
            "current": dict(sorted(u.current.items(), key=lambda kv: (-kv[1], kv[0]))),
            "current_lot": list(u.current_lot), "proof": list(u.proof),
            "scenario": _scenario_doc(u.witness, race, places, u.witness_split),
            "seats_range": _seats_range(u.ranges),
        })
    undecided = [u.unit for u in nat.units if u.status != "decided"]
    total_proof = (["every unit is decided"] if nat.total_status == "decided"
                   else [f"not decided: {', '.join(undecided)}"])
    return {
        "open_sde": str(call.open_sde), "open_sde_display": _dec(call.open_sde, places),
        "open_sde_is_supremum": call.open_limit,
        "sde": [{"name": r.candidate, "current": str(r.current),
                 "current_display": _dec(r.current, places), "least": str(r.low),
                 "least_display": _dec(r.low, places), "most": str(r.high),
                 "most_display": _dec(r.high, places), "most_attained": r.high_attained}
                for r in call.sde if r.high > 0],
        "lead": {
            "race": "SDE lead", "leader": lead.leader,
            "status": "decided" if lead.decided else "open",
            "sentence": sentence, "proof": proof,
            "scenario": _scenario_doc(lead_scenario, race, places),
            "pairs": [{"leader": p.leader, "trailer": p.trailer, "margin": str(p.margin),
                       "margin_display": _dec(p.margin, places), "swing": str(p.swing),
                       "swing_display": _dec(p.swing, places), "can_tie": p.can_tie,
                       "can_overtake": p.can_overtake}
                      for p in lead.pairs if p.swing > 0 or p.margin <= 0 or p.can_tie][:10],
        },
        "national": {
            "units": units,
            "total": {
                "race": "national total", "status": nat.total_status,
                "sentence": _unit_sentence("the national total", nat.total_status,
                                           nat.total_current, nat.total_witness,
                                           nat.total_witness_split, total_proof),
                "current": dict(sorted(nat.total_current.items(),
                                       key=lambda kv: (-kv[1], kv[0]))),
                "proof": total_proof,
                "scenario": _scenario_doc(nat.total_witness, race, places,
                                          nat.total_witness_split),
                "seats_range": _seats_range(nat.total_ranges),
            },
        },
    }


def race_from_tabulation(tab: Tabulation, *, satellite_max_turnout: MaxTurnout = None,
                         search: bool = True) -> dict[str, object]:
    """The ``race`` panel for an existing tabulation (the snapshot's own, so the panel is
    computed from exactly the reports the rest of the document shows)."""
    tracker = tracker_from_tabulation(tab, satellite_max_turnout=satellite_max_turnout)
    race = tracker.race()
    return race_panel(call_race(race, search=search), race, tab.places)


def call_database(url: str, *, satellite_max_turnout: MaxTurnout = None,
                  with_sensitivity: bool = True, search: bool = True) -> CallReport:
    """Call the race from the current accepted reports in the results service's database
    (``url``: a database URL or SQLite file; the election is the one loaded there)."""
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from caucuskit.services.context import Context, NotInitialized
    from caucuskit.services.history import current_reports
    from caucuskit.services.settings import Settings

    if "://" not in url and not Path(url).expanduser().is_file():
        raise NotInitialized(f"no results database at {url} (a SQLite file or a URL)", "db")
    ctx = Context(Settings.from_env(database_url=url))
    try:
        election = ctx.election
        reports = current_reports(ctx)
    except SQLAlchemyError as exc:
        raise NotInitialized(f"cannot read the results database {url}: {exc}", "db") from exc
    finally:
        ctx.db.dispose()
    return call_reports(election, reports, satellite_max_turnout=satellite_max_turnout,
                        with_sensitivity=with_sensitivity, search=search)
