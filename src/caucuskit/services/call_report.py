"""The race call for one set of reports, as data: tabulation, exact call, toss sensitivity.

Rule: rules.md §7.1, §7.3, §8.2, §5.4. The exact math is in :mod:`caucuskit.core.bounds`.

Inputs: an election and its reports (a results file) or the results service's database.
Outputs: :class:`CallReport` and its JSON form (:func:`call_to_dict`), what ``caucus call``
prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.bounds import RaceCall, RaceInput, Scenario, call_race
from caucuskit.core.election import Election
from caucuskit.core.national import UnitAllocation
from caucuskit.core.race_input import Scope
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str
from caucuskit.services.call_tosses import Sensitivity, sensitivity, sensitivity_to_dict
from caucuskit.services.call_tracker import MaxDelegates, MaxTurnout, tracker_from_tabulation
from caucuskit.services.tabulate import Tabulation, tabulate


def exact_unit_search(
    race: RaceInput, scopes: frozenset[Scope] | None, seats: int, now: UnitAllocation
) -> Scenario | None:
    """The mixed-integer search (:mod:`caucuskit.services.call_milp`), imported only when a
    unit needs it: SciPy takes a while to load and most calls never get that far."""
    from caucuskit.services.call_milp import milp_search

    return milp_search(race, scopes, seats, now)


def _dec(x: Fraction, places: int = 3) -> str:
    return decimal_str(x, places) if x >= 0 else "-" + decimal_str(-x, places)


def call_to_dict(call: RaceCall, race: RaceInput, places: int = 3) -> dict[str, object]:
    """JSON-ready form of a :class:`~caucuskit.core.bounds.RaceCall`."""
    nat = call.national
    units = []
    for u in nat.units:
        units.append(
            {
                "unit": u.unit,
                "seats": u.seats,
                "current": dict(sorted(u.current.items(), key=lambda kv: -kv[1])),
                "current_lot": list(u.current_lot),
                "status": u.status,
                "exact": u.exact,
                "proof": u.proof,
                "witness": None
                if u.witness is None
                else {
                    "scenario": u.witness.label,
                    "split": u.witness_split,
                    "lot": list(u.witness_lot),
                    "units": _witness_units(u.witness, race, places),
                },
                "ranges": {
                    c: {"proven": [r[0], r[1]], "attained": [r[2], r[3]]}
                    for c, r in u.ranges.items()
                    if r[1] or r[3]
                },
            }
        )
    return {
        "open_sde": _dec(call.open_sde, places),
        "open_sde_is_supremum": call.open_limit,
        "sde": [
            {
                "candidate": r.candidate,
                "current": _dec(r.current, places),
                "low": _dec(r.low, places),
                "high": _dec(r.high, places),
                "high_attained": r.high_attained,
                "high_unbounded": r.unbounded,
                "exact": [str(r.low), str(r.high)],
            }
            for r in call.sde
            if r.high > 0
        ],
        "lead": {
            "leader": call.lead.leader,
            "status": "decided" if call.lead.decided else "open",
            "explanation": call.lead.explain(places),
            "pairs": [
                {
                    "leader": p.leader,
                    "trailer": p.trailer,
                    "margin": _dec(p.margin, places),
                    "swing": _dec(p.swing, places),
                    "can_tie": p.can_tie,
                    "can_overtake": p.can_overtake,
                }
                for p in call.lead.pairs
                if p.swing > 0 or p.margin <= 0 or p.can_tie
            ][:10],
        },
        "national": {
            "current": nat.total_current,
            "status": nat.total_status,
            "witness": None
            if nat.total_witness is None
            else {"scenario": nat.total_witness.label, "total": nat.total_witness_split},
            "ranges": {
                c: {"proven": [r[0], r[1]], "attained": [r[2], r[3]]}
                for c, r in nat.total_ranges.items()
                if r[1] or r[3]
            },
            "units": units,
        },
    }


def _witness_units(sc: object, race: RaceInput, places: int) -> list[dict[str, object]]:

    assert isinstance(sc, Scenario)
    out = []
    for part in sc.describe(race):
        units = part["units"]
        assert isinstance(units, list)
        sde = part["sde"]
        assert isinstance(sde, Fraction)
        out.append(
            {
                "scope": part["scope"],
                "winner": part["winner"],
                "count": len(units),
                "sde": _dec(sde, places),
                "first": units[:5],
            }
        )
    return out


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
            "statewide": {
                c: decimal_str(v, p)
                for c, v in sorted(tab.statewide.items(), key=lambda kv: -kv[1])
            },
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
    site_max_delegates: MaxDelegates = None,
    with_sensitivity: bool = True,
    search: bool = True,
) -> CallReport:
    """Tabulate ``reports`` and call the race from them (``site_max_delegates``: the declared
    most delegates of an outstanding at-large site whose D is unknown; see NightTracker)."""
    tab = tabulate(election, reports)
    tracker = tracker_from_tabulation(
        tab, satellite_max_turnout=satellite_max_turnout, site_max_delegates=site_max_delegates
    )
    race = tracker.race()
    call = call_race(race, search=search, unit_search=exact_unit_search if search else None)
    sens = sensitivity(tab) if with_sensitivity else None
    return CallReport(tab, race, call, sens)


def call_database(
    url: str,
    *,
    satellite_max_turnout: MaxTurnout = None,
    site_max_delegates: MaxDelegates = None,
    with_sensitivity: bool = True,
    search: bool = True,
) -> CallReport:
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
    return call_reports(
        election,
        reports,
        satellite_max_turnout=satellite_max_turnout,
        site_max_delegates=site_max_delegates,
        with_sensitivity=with_sensitivity,
        search=search,
    )
