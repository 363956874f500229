"""The proof after the night: what the public sees equals what the precincts reported.

Rule: rules.md §7 (SDEs by precinct, district and state), §8.2 (national delegates per district,
at-large and PLEO), §9 (nothing lost, nothing counted twice, nothing half-written).

Checks, each with its evidence:

* **tabulation** — the accepted reports the drill holds receipts for are written as a canonical
  results file, read back and tabulated offline (what ``caucus tabulate`` does); the statewide,
  district and county SDEs (exact), alignment totals, units reporting and the national delegates
  (per district, at-large, PLEO, total) equal the service's public documents;
* **current results** — each precinct's current result on the service is the report the drill
  expects (its accepted report, the desk's decision, or the recanvass);
* **receipts exactly once** — every acknowledged receipt is stored once, under its version id,
  with the counts that were sent; every stored version is one the drill holds a receipt for;
* **nothing half-written** — every version has a status and a decision, and no item is left open.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from caucuskit.core.election import Election, is_counted_unit
from caucuskit.core.report import PrecinctReport
from caucuskit.drill.client import Answer, Api, Credentials, persist
from caucuskit.drill.ledger import Ledger
from caucuskit.drill.plan import Plan
from caucuskit.drill.reports import Body, same_report
from caucuskit.formats.canonical import write_reports
from caucuskit.services.results_files import load_results
from caucuskit.services.tabulate import Tabulation, tabulate

DESK = "127.20.0.11"
KNOWN = {
    "accepted",
    "duplicate",
    "conflict",
    "awaiting-second-entry",
    "entry-mismatch",
    "rejected",
    "superseded",
    "confirmed",
}
OPEN = {"conflict", "awaiting-second-entry", "entry-mismatch"}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "problems": self.problems[:50],
        }


@dataclass
class ServerView:
    state: dict[str, Any]
    districts: dict[str, dict[str, Any]]
    counties: dict[str, dict[str, Any]]
    histories: dict[tuple[str, str], dict[str, Any]]
    missing: list[str]
    desk: dict[str, Any] = field(default_factory=dict)


async def fetch(
    api: Api, creds: Credentials, plan: Plan, ledger: Ledger, seconds: float = 300.0
) -> ServerView:
    """The service's public documents and the desk history of every precinct of the drill
    (each read repeated while the service does not answer, for at most ``seconds``)."""
    deadline = time.monotonic() + seconds

    async def body(send: Callable[[], Awaitable[Answer]]) -> Any:
        a = await persist(send, deadline=deadline)
        return a.body if a.ok else None

    def public(doc: str) -> Callable[[], Awaitable[Answer]]:
        return partial(api.public, DESK, doc, None, "proof")

    state = await body(public("state")) or {}
    election = await body(public("election")) or {}
    districts = {
        str(d): await body(public(f"districts/{d}")) or {} for d in election.get("districts", [])
    }
    counties: dict[str, dict[str, Any]] = {}
    for c in election.get("counties", []):
        counties[c["name"]] = await body(public(f"counties/{c['id']}")) or {}
    listing = await body(partial(api.desk_precincts, DESK, creds.desk)) or {}
    ids = {(p["county"], p["name"]): p["id"] for p in listing.get("precincts", [])}
    histories: dict[tuple[str, str], dict[str, Any]] = {}
    missing: list[str] = []
    gate = asyncio.Semaphore(8)

    async def one(key: tuple[str, str]) -> None:
        pid = ledger.precinct_ids.get(key) or ids.get(key)
        if pid is None:
            missing.append(f"{key[0]}/{key[1]}: no precinct id")
            return
        async with gate:
            h = await body(partial(api.history, DESK, creds.desk, pid))
        if isinstance(h, dict):
            histories[key] = h
        else:
            missing.append(f"{key[0]}/{key[1]}: no history")

    await asyncio.gather(*[one(u.key) for u in plan.units])
    overview = await body(partial(api.overview, DESK, creds.desk)) or {}
    desk = overview.get("precincts", {}) if isinstance(overview, dict) else {}
    return ServerView(state, districts, counties, histories, missing, desk)


def as_report(key: tuple[str, str], body: Body) -> PrecinctReport:
    return PrecinctReport(
        county=key[0],
        precinct=key[1],
        attendees=body["attendees"],
        first=dict(body["first"]),
        final=dict(body["final"]),
        toss_winners=tuple(t["winner"] for t in body.get("tosses", [])),
    )


def offline(election: Election, ledger: Ledger, out: Path | None) -> tuple[Tabulation, Path]:
    """Write the accepted reports as a canonical CSV, read it back, tabulate it."""
    reports = [as_report(k, b) for k, b in sorted(ledger.expected.items())]
    folder = out or Path(tempfile.mkdtemp(prefix="caucus-drill-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "accepted-reports.csv"
    write_reports(path, reports)
    loaded = load_results(election, path)
    return tabulate(election, loaded.reports), path


def _sde_rows(doc: dict[str, Any]) -> dict[str, Fraction]:
    key = str((doc.get("unit") or {}).get("code", "sde"))  # "ccd" for Nevada (docs/adr/0011)
    return {r["name"]: Fraction(r[key]) for r in doc.get("candidates", [])}


def _compare(
    label: str, server: dict[str, Fraction], ours: dict[str, Fraction], problems: list[str]
) -> None:
    for c in sorted(set(server) | set(ours)):
        a, b = server.get(c, Fraction(0)), ours.get(c, Fraction(0))
        if a != b:
            problems.append(f"{label} {c}: service {a} ≠ offline {b}")


def _nz(d: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in d.items() if v}


def _district_problems(d: str, doc: dict[str, Any], tab: Tabulation) -> list[str]:
    """A district's national delegates: the service's against the offline ones (§8.2)."""
    got = _nz(doc.get("national", {}).get("district", {}))
    want = _nz(dict(tab.national.units[f"CD{d}"].delegates))
    return [] if got == want else [f"CD{d} national delegates: service {got} ≠ offline {want}"]


def _national_problems(view: ServerView, tab: Tabulation) -> list[str]:
    """The service's national delegates at large, PLEO and in total against the offline
    tabulation (rules.md §8.2)."""
    problems: list[str] = []
    nat = view.state.get("national", {})
    for part, unit in (("at_large", "at-large"), ("pleo", "PLEO")):
        want = _nz(dict(tab.national.units[unit].delegates))
        if _nz(nat.get(part, {})) != want:
            problems.append(f"{unit}: service {nat.get(part)} ≠ offline {want}")
    if _nz(nat.get("total", {})) != _nz(dict(tab.national.total)):
        problems.append(
            f"national total: service {nat.get('total')} ≠ offline {dict(tab.national.total)}"
        )
    return problems


def _vote_problems(view: ServerView, tab: Tabulation) -> list[str]:
    problems = []
    for row in view.state.get("candidates", []):
        for part, ours in (("first", tab.first_vote), ("final", tab.final_vote)):
            if int(row.get(part, 0)) != ours.get(row["name"], 0):
                problems.append(
                    f"{part} alignment {row['name']}: service {row.get(part)} ≠ "
                    f"offline {ours.get(row['name'], 0)}"
                )
    return problems


def check_tabulation(
    election: Election, view: ServerView, tab: Tabulation, ledger: Ledger
) -> Check:
    problems: list[str] = []
    _compare("statewide SDE", _sde_rows(view.state), dict(tab.statewide), problems)
    for d, doc in sorted(view.districts.items()):
        _compare(f"CD{d} SDE", _sde_rows(doc), dict(tab.districts.get(int(d), {})), problems)
        problems += _district_problems(d, doc, tab)
    for name, doc in sorted(view.counties.items()):
        _compare(f"{name} SDE", _sde_rows(doc), dict(tab.counties.get(name, {})), problems)
    problems += _national_problems(view, tab)
    problems += _vote_problems(view, tab)
    counted = sum(
        1
        for k in ledger.expected
        if is_counted_unit(
            election.precinct_by_key[k].satellite, election.precinct_by_key[k].delegates
        )
    )
    reporting = int(view.state.get("precincts", {}).get("reporting", -1))
    if reporting != counted:
        problems.append(f"units reporting: service {reporting} ≠ accepted {counted}")
    total = sum(tab.statewide.values(), Fraction(0))
    return Check(
        "tabulation",
        not problems,
        f"{counted} units, {len(view.districts)} districts, {len(view.counties)} "
        f"counties, {float(total):.3f} SDE, national {dict(tab.national.total)}",
        problems,
    )


def check_records(plan: Plan, view: ServerView, ledger: Ledger) -> list[Check]:
    cur_problems: list[str] = []
    rec_problems: list[str] = list(ledger.replay_mismatches)
    half: list[str] = list(view.missing)
    stored: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}
    seen: dict[str, int] = {}
    for key, h in view.histories.items():
        current = h.get("current")
        want = ledger.expected.get(key)
        if (current is None) != (want is None) or (
            want is not None and current is not None and not same_report(want, current["report"])
        ):
            cur_problems.append(
                f"{key[0]}/{key[1]}: service "
                f"{None if current is None else current['report']} ≠ "
                f"expected {want}"
            )
        for v in h.get("versions", []):
            seen[v["receipt"]] = seen.get(v["receipt"], 0) + 1
            stored[v["receipt"]] = (key, v)
            if v["status"] not in KNOWN or not v.get("decisions"):
                half.append(
                    f"{key[0]}/{key[1]} version {v['version_id']}: status "
                    f"{v['status']!r}, {len(v.get('decisions', []))} decisions"
                )
            if v["status"] in OPEN:
                half.append(f"{key[0]}/{key[1]} version {v['version_id']} still {v['status']}")
    for receipt, ack in ledger.acks.items():
        if seen.get(receipt, 0) != 1:
            rec_problems.append(f"receipt {receipt} ({ack.key[1]}) stored {seen.get(receipt, 0)}×")
            continue
        key, v = stored[receipt]
        if (
            v["version_id"] != ack.version_id
            or key != ack.key
            or not same_report(ack.body, v["report"])
        ):
            rec_problems.append(f"receipt {receipt}: stored version differs from the answer")
    orphans = [r for r in stored if r not in ledger.acks]
    rec_problems += [f"version with receipt {r} stored but never acknowledged" for r in orphans]
    n_versions = sum(seen.values())
    return [
        Check(
            "current results",
            not cur_problems,
            f"{len(view.histories)} precincts, {len(ledger.expected)} with a result",
            cur_problems,
        ),
        Check(
            "receipts exactly once",
            not rec_problems,
            f"{len(ledger.acks)} receipts acknowledged, {n_versions} versions stored",
            rec_problems,
        ),
        Check(
            "nothing half-written",
            not half,
            f"{n_versions} versions, each with a status and a decision; none left open",
            half,
        ),
    ]


def prove(
    plan: Plan, view: ServerView, ledger: Ledger, out: Path | None = None
) -> tuple[list[Check], Path]:
    tab, path = offline(plan.election, ledger, out)
    checks = [
        check_tabulation(plan.election, view, tab, ledger),
        *check_records(plan, view, ledger),
    ]
    unexpected = ledger.unexpected + [f"gave up: {x}" for x in ledger.unanswered]
    checks.append(
        Check(
            "every refusal expected",
            not unexpected,
            "each 4xx answered a request the drill meant to be refused",
            unexpected,
        )
    )
    return checks, path
