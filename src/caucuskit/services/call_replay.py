"""Replaying a night: the call after each snapshot, or report by report (rules.md §9).

Inputs: an election and its snapshots (time order) or its reports (streamed in a seeded
random order).
Outputs: :class:`ReplayStep` per change of status, and :func:`decided_at`: for each race the
first step from which it stayed decided.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from caucuskit.core.bounds import RaceCall, call_race
from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.services.call_report import call_reports
from caucuskit.services.call_tracker import MaxTurnout, NightTracker, UnitOutcome, _label
from caucuskit.services.tabulate import tabulate


@dataclass
class ReplayStep:
    label: str
    reported: int
    lead: str
    leader: str | None
    national: str
    units: dict[str, str]


def _statuses(call: RaceCall) -> tuple[str, str, dict[str, str]]:
    return (
        "decided" if call.lead.decided else "open",
        call.national.total_status,
        {u.unit: u.status for u in call.national.units},
    )


def replay_snapshots(
    election: Election,
    snapshots: Sequence[tuple[str, Sequence[PrecinctReport]]],
    *,
    satellite_max_turnout: MaxTurnout = None,
) -> list[ReplayStep]:
    """Call the race after each snapshot, in the order given (time order)."""
    steps = []
    for label, reports in snapshots:
        rep = call_reports(
            election, reports, satellite_max_turnout=satellite_max_turnout, with_sensitivity=False
        )
        lead, nat, units = _statuses(rep.call)
        steps.append(
            ReplayStep(label, len(rep.tabulation.units), lead, rep.call.lead.leader, nat, units)
        )
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
            steps.append(
                ReplayStep(
                    f"report {i}: {_label(u.precinct.key)}",
                    i,
                    st[0],
                    call.lead.leader,
                    st[1],
                    st[2],
                )
            )
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
            status = (
                s.lead
                if race == "SDE lead"
                else (s.national if race == "national total" else s.units.get(race, "open"))
            )
            if status == "decided":
                first = first or s.label
            else:
                first = None
        out[race] = first
    return out
