"""The proof finds what it must find: a total that differs by one vote's worth, a receipt stored
twice or not at all, a version nobody was given a receipt for, an item left open
(rules.md §7, §8.2, §9). The service's answers are built here by hand so that each lie is exact.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from caucuskit.drill.client import Answer
from caucuskit.drill.ledger import Ledger
from caucuskit.drill.plan import Options, Plan, make_plan
from caucuskit.drill.proof import ServerView, check_records, check_tabulation, offline
from caucuskit.drill.reports import counts
from caucuskit.services.results_files import load_results
from caucuskit.services.tabulate import Tabulation


@pytest.fixture(scope="module")
def plan(data_dir: Path) -> Plan:
    lr = load_results(
        "iowa-2020", data_dir / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"
    )
    return make_plan(lr.election, lr.reports, Options(seed=11, limit=40))


def _ack(ledger: Ledger, plan: Plan) -> None:
    vid = 0
    for u in plan.units:
        if u.good is None:
            continue
        vid += 1
        body = {
            "receipt": f"R-{vid:06d}",
            "version_id": vid,
            "status": "accepted",
            "precinct": {"id": f"p{u.index}"},
        }
        ledger.acknowledge(
            u.key, u.good, "chair", Answer(201, body, {}, 0.0, 0.01), f"key-{u.index}"
        )


def _doc(rows: dict[str, Fraction], tab: Tabulation | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "candidates": [
            {
                "name": c,
                "sde": str(v),
                "first": tab.first_vote.get(c, 0) if tab else 0,
                "final": tab.final_vote.get(c, 0) if tab else 0,
            }
            for c, v in rows.items()
        ]
    }
    return doc


def _view(plan: Plan, ledger: Ledger, tab: Tabulation) -> ServerView:
    state = _doc(dict(tab.statewide), tab)
    units = tab.national.units
    state["national"] = {
        "at_large": dict(units["at-large"].delegates),
        "pleo": dict(units["PLEO"].delegates),
        "total": dict(tab.national.total),
    }
    state["precincts"] = {"reporting": len(ledger.expected)}
    districts = {
        str(d): {**_doc(dict(v)), "national": {"district": dict(units[f"CD{d}"].delegates)}}
        for d, v in tab.districts.items()
    }
    counties = {c: _doc(dict(v)) for c, v in tab.counties.items()}
    histories: dict[tuple[str, str], dict[str, Any]] = {}
    for ack in ledger.acks.values():
        raw = counts(ack.body)
        report = {
            "attendees": raw["attendees"],
            "first": raw["first"],
            "final": raw["final"],
            "tosses": [{"winner": w, "witnesses": []} for w in raw["tosses"]],
        }
        v = {
            "receipt": ack.receipt,
            "version_id": ack.version_id,
            "status": "accepted",
            "decisions": [{"status": "accepted"}],
            "report": report,
        }
        histories[ack.key] = {"current": v, "versions": [v]}
    for u in plan.units:
        histories.setdefault(u.key, {"current": None, "versions": []})
    return ServerView(state, districts, counties, histories, [])


@pytest.fixture
def setup(plan: Plan, tmp_path: Path) -> tuple[Ledger, Tabulation, ServerView]:
    ledger = Ledger()
    _ack(ledger, plan)
    tab, path = offline(plan.election, ledger, tmp_path)
    assert path.exists()
    return ledger, tab, _view(plan, ledger, tab)


def test_an_honest_service_passes(plan: Plan, setup: tuple[Ledger, Tabulation, ServerView]) -> None:
    ledger, tab, view = setup
    check = check_tabulation(plan.election, view, tab, ledger)
    assert check.ok, check.problems
    assert all(c.ok for c in check_records(plan, view, ledger))


def test_a_total_off_by_the_smallest_amount_fails(
    plan: Plan, setup: tuple[Ledger, Tabulation, ServerView]
) -> None:
    ledger, tab, view = setup
    bad = copy.deepcopy(view)
    row = bad.state["candidates"][0]
    row["sde"] = str(Fraction(row["sde"]) + Fraction(1, 10**9))
    check = check_tabulation(plan.election, bad, tab, ledger)
    assert not check.ok and "statewide SDE" in check.problems[0]
    bad = copy.deepcopy(view)
    d = next(iter(bad.districts.values()))
    d["national"]["district"] = {"Nobody": 1}
    assert not check_tabulation(plan.election, bad, tab, ledger).ok


def test_lost_doubled_or_unacknowledged_versions_fail(
    plan: Plan, setup: tuple[Ledger, Tabulation, ServerView]
) -> None:
    ledger, _, view = setup
    key = next(k for k, h in view.histories.items() if h["versions"])
    lost = copy.deepcopy(view)
    lost.histories[key] = {"current": None, "versions": []}
    names = {c.name: c for c in check_records(plan, lost, ledger)}
    assert not names["receipts exactly once"].ok and not names["current results"].ok
    twice = copy.deepcopy(view)
    twice.histories[key]["versions"].append(copy.deepcopy(twice.histories[key]["versions"][0]))
    assert not {c.name: c for c in check_records(plan, twice, ledger)}["receipts exactly once"].ok
    orphan = copy.deepcopy(view)
    extra = {
        **orphan.histories[key]["versions"][0],
        "receipt": "R-ORPHAN",
        "version_id": 999,
        "status": "awaiting-second-entry",
    }
    orphan.histories[key]["versions"].append(extra)
    names = {c.name: c for c in check_records(plan, orphan, ledger)}
    assert not names["receipts exactly once"].ok
    assert not names["nothing half-written"].ok  # left open, too
    changed = copy.deepcopy(view)
    changed.histories[key]["versions"][0]["report"]["attendees"] += 1
    assert not {c.name: c for c in check_records(plan, changed, ledger)}["receipts exactly once"].ok


def test_a_replay_with_another_receipt_is_caught(plan: Plan) -> None:
    ledger = Ledger()
    u = next(u for u in plan.units if u.good is not None)
    for n in (1, 2):
        ledger.acknowledge(
            u.key,
            u.good or {},
            "chair",
            Answer(
                200,
                {
                    "receipt": f"R-{n}",
                    "version_id": n,
                    "status": "accepted",
                    "precinct": {"id": "x"},
                },
                {},
                0.0,
                0.0,
            ),
            "same-key",
        )
    assert ledger.replay_mismatches == ["same-key: R-1 then R-2"]
