"""The real 2020 night: bounds from the 5 Feb and 97% snapshots contain the final data.

Rule: rules.md §7, §8, §9. The completion is the partial snapshot's reports plus, for every
unit it lacks, that unit's report in the 100% file (joined by county and precinct); reports
that were corrected between snapshots keep their partial version (the bounds are about the
outstanding units, not about corrections).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.core.bounds import call_race
from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import read_idp_results
from caucuskit.services.call import (
    call_reports,
    decided_at,
    replay_snapshots,
    replay_stream,
    tracker_from_tabulation,
)
from caucuskit.services.projection import project
from caucuskit.services.tabulate import tabulate
from conftest import RESULTS_0205, RESULTS_97, RESULTS_100, need


@pytest.fixture(scope="module")
def election() -> Election:
    return load_election("iowa-2020")


@pytest.fixture(scope="module")
def snapshots(election: Election) -> dict[str, list[PrecinctReport]]:
    need(RESULTS_100.exists(), f"missing {RESULTS_100}")
    return {
        name: read_idp_results(path, election).reports
        for name, path in (("0205", RESULTS_0205), ("97", RESULTS_97), ("100", RESULTS_100))
    }


@pytest.mark.parametrize("name", ["0205", "97"])
def test_final_data_lies_within_the_bounds(
    election: Election, snapshots: dict[str, list[PrecinctReport]], name: str
) -> None:
    partial = snapshots[name]
    have = {r.key for r in partial}
    rest = [r for r in snapshots["100"] if r.key not in have]
    assert rest, "the partial snapshot should miss some units"
    # Declared maximum turnout: the largest site turnout of the final file, per site.
    max_turnout = {r.key: r.effective_attendees for r in rest}
    tab = tabulate(election, partial)
    call = call_race(tracker_from_tabulation(tab, satellite_max_turnout=max_turnout).race())
    final = tabulate(election, partial + rest)
    for r in call.sde:
        got = final.statewide.get(r.candidate, Fraction(0))
        assert r.low <= got <= r.high, (r.candidate, r.low, got, r.high)
    for p in call.lead.pairs:
        diff = final.statewide.get(p.trailer, Fraction(0)) - final.statewide.get(p.leader, 0)
        assert diff <= p.best
    for u in call.national.units:
        fin = final.national.units[u.unit]
        if u.status == "decided":
            assert dict(fin.delegates) == u.current
        for c, (lo, hi, _, _) in u.ranges.items():
            assert lo <= fin.delegates.get(c, 0) <= hi, (u.unit, c)


def test_97_percent_snapshot_call(
    election: Election, snapshots: dict[str, list[PrecinctReport]]
) -> None:
    rep = call_reports(election, snapshots["97"])
    call = rep.call
    assert call.lead.leader == "Buttigieg" and not call.lead.decided
    sanders = next(p for p in call.lead.pairs if p.trailer == "Sanders")
    assert sanders.can_overtake
    warren = next(p for p in call.lead.pairs if p.trailer == "Warren")
    assert not warren.can_tie  # 3rd place could no longer catch the leader
    units = {u.unit: u for u in call.national.units}
    assert units["CD2"].status == "decided"
    for u in units.values():
        assert u.status in {"decided", "open"}
        if u.status == "open":
            assert u.witness is not None and u.witness_split != u.current
    doc: dict[str, Any] = rep.to_dict()
    assert doc["coin_tosses"]["sde_leader"]["Sanders"]["tosses"] >= 1


def test_replay_over_the_three_snapshots(
    election: Election, snapshots: dict[str, list[PrecinctReport]]
) -> None:
    steps = replay_snapshots(
        election,
        [
            ("5 Feb 8pm", snapshots["0205"]),
            ("6 Feb 97%", snapshots["97"]),
            ("8 Feb 100%", snapshots["100"]),
        ],
    )
    assert [s.reported for s in steps] == sorted(s.reported for s in steps)
    when = decided_at(steps)
    assert when["CD2"] == "6 Feb 97%"
    assert when["CD1"] == "8 Feb 100%"
    # With every report in, Buttigieg's recomputed lead over Sanders (1.5036 SDE) exceeds what
    # the coin tosses still pending could move (Sanders' best case: 0.0225 SDE short), so the
    # lead is decided at 100%. (Before the iowa-2020 name <-> short-code correction, the margin
    # was 0.7623 and the lead stayed open.)
    assert when["SDE lead"] == "8 Feb 100%"


def test_stream_of_reports_in_random_order(
    election: Election, snapshots: dict[str, list[PrecinctReport]]
) -> None:
    steps = replay_stream(election, snapshots["97"], seed=7, every=400)
    assert steps[0].lead == "open"
    assert steps[-1].reported == len(snapshots["97"])


def test_projection_is_seeded_and_sane(
    election: Election, snapshots: dict[str, list[PrecinctReport]]
) -> None:
    tab = tabulate(election, snapshots["97"])
    a: dict[str, Any] = project(tab, simulations=2000, seed=3).to_dict()
    b = project(tab, simulations=2000, seed=3).to_dict()
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    assert abs(sum(a["lead"].values()) - 1) < 1e-9
    assert set(a["lead"]) <= {"Buttigieg", "Sanders"}


def test_cli_call_json(snapshots: dict[str, list[PrecinctReport]]) -> None:
    import json

    result = CliRunner().invoke(
        build(), ["call", "--election", "iowa-2020", "--results", str(RESULTS_97), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["lead"]["leader"] == "Buttigieg"
    assert {u["unit"] for u in doc["national"]["units"]} == {
        "CD1",
        "CD2",
        "CD3",
        "CD4",
        "at-large",
        "PLEO",
    }


def test_cli_call_text_and_errors(snapshots: dict[str, list[PrecinctReport]]) -> None:
    import json

    runner = CliRunner()
    ok = runner.invoke(build(), ["call", "-e", "iowa-2020", "-r", str(RESULTS_100)])
    assert ok.exit_code == 0, ok.output
    assert "SDE lead" in ok.output
    # issue 12: plain words, and one "still to be decided" figure (no per-pair totals)
    part = runner.invoke(build(), ["call", "-e", "iowa-2020", "-r", str(RESULTS_0205)])
    text = " ".join(part.output.split())
    assert "{" not in text and "(sup)" not in text and "SDE still open" not in text
    import re

    figures = set(re.findall(r"([0-9.]+) SDE still to be decided", text))
    assert len(figures) == 1, figures
    bad = runner.invoke(build(), ["call", "-e", "iowa-2020", "-r", "/nonexistent.csv", "--json"])
    assert bad.exit_code != 0
    assert json.loads(bad.output) == {"error": "/nonexistent.csv: no such file"}
