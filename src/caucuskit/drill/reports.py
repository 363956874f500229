"""Report bodies for the drill that the service must accept, judged with the same core.

Rule: rules.md §3.2 (N), §4 (realignment checks of 2020), §5.4 (games of chance: the chair
records the winners, in order), §7.3 (a satellite site's D from its turnout), §9 (a refused
report is corrected and sent again; recanvass corrections after the night).

A body is the API's report body (docs/api.md): ``county``, ``precinct``, ``attendees``,
``first``, ``final`` and, when the caucus needed them, ``tosses``. :func:`problems` answers what
the server would: nothing when it would store the report, else the reasons.
"""

from __future__ import annotations

import random
from typing import Any

from caucuskit.core.election import Election
from caucuskit.core.errors import ValidationError
from caucuskit.core.model import PrecinctInput, PrecinctResult
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.core.satellite import satellite_delegates

Body = dict[str, Any]
#: Most games of chance one caucus can need before the drill gives up on it.
MAX_TOSSES = 12


def body_of(report: PrecinctReport) -> Body:
    """The chair's report of a file row: N (the first-alignment total when the file has none,
    rules.md §6), the head counts without zeros, no tosses yet."""
    return {
        "county": report.county,
        "precinct": report.precinct,
        "attendees": report.effective_attendees,
        "first": {k: v for k, v in sorted(report.first.items()) if v},
        "final": {k: v for k, v in sorted(report.final.items()) if v},
    }


def counts(body: Body) -> Body:
    """The part of a body the service stores as the report (no names, no code)."""
    return {
        "attendees": body["attendees"],
        "first": dict(body["first"]),
        "final": dict(body["final"]),
        "tosses": [t["winner"] for t in body.get("tosses", [])],
    }


def same_report(body: Body, stored: dict[str, Any]) -> bool:
    """Whether a stored ``report`` (desk history) is ``body``: counts without zeros, winners."""

    def nz(d: dict[str, int]) -> dict[str, int]:
        return {k: v for k, v in d.items() if v}

    winners = [t["winner"] if isinstance(t, dict) else t for t in stored.get("tosses", [])]
    c = counts(body)
    return (
        stored.get("attendees") == c["attendees"]
        and nz(stored.get("first", {})) == nz(c["first"])
        and nz(stored.get("final", {})) == nz(c["final"])
        and winners == c["tosses"]
    )


def _run(election: Election, body: Body) -> PrecinctResult:
    p = election.precinct_by_key[(body["county"], body["precinct"])]
    n = body["attendees"]
    d = satellite_delegates(n) if p.satellite or p.delegates is None else p.delegates
    winners = tuple(t["winner"] for t in body.get("tosses", []))
    data = PrecinctInput(
        delegates=d,
        attendees=n,
        final=dict(body["final"]),
        first=dict(body["first"]),
        toss_winners=winners,
    )
    return compute_precinct(election.rules, data, election.candidate_names)


def problems(election: Election, body: Body) -> list[str]:
    """Why the service would refuse ``body`` (empty: it would store it)."""
    try:
        r = _run(election, body)
    except ValidationError as exc:
        return [f"{p.field}: {p.message}" for p in exc.problems]
    if r.pending_tie is not None:
        return [f"tosses: {', '.join(r.pending_tie.groups)} tie"]
    if r.undecided or r.must_realign:
        return ["final: " + ("; ".join(r.notes) or "must realign")]
    return []


def settle_tosses(election: Election, body: Body, rng: random.Random) -> Body:
    """``body`` with the games of chance it needs, won by groups drawn from ``rng`` (the chair
    records who won; the core never draws, design.md)."""
    out = {**body, "tosses": []}
    for _ in range(MAX_TOSSES):
        try:
            r = _run(election, out)
        except ValidationError:
            return body
        tie = r.pending_tie
        if tie is None:
            break
        winners = rng.sample(sorted(tie.groups), tie.winners_needed)
        out["tosses"] = out["tosses"] + [
            {"winner": w, "witnesses": [f"witness {i + 1}" for i in range(2)]} for w in winners
        ]
    if not out["tosses"]:
        out.pop("tosses")
    return out


def repair(election: Election, body: Body, rng: random.Random) -> Body | None:
    """The chair's corrected report after a refusal, or None when the row holds no caucus.

    The 2020 file's rule-breaking rows (final above first, viable groups losing members, groups
    below the threshold gaining) are corrected the simplest way the rules allow: the first
    alignment is taken to be the final one (nobody moved), N at least the largest total. A row
    with no final alignment takes its first alignment as the final one.
    """
    final = dict(body["final"]) or dict(body["first"])
    n = max(body["attendees"], sum(final.values()))
    if n <= 0 or not final:
        return None
    fixed = {
        "county": body["county"],
        "precinct": body["precinct"],
        "attendees": n,
        "first": dict(final),
        "final": dict(final),
    }
    fixed = settle_tosses(election, fixed, rng)
    return fixed if not problems(election, fixed) else None


def variant(election: Election, body: Body, rng: random.Random) -> Body | None:
    """A different report the rules still accept: one head count misheard (a hotline typo) or
    changed (a recanvass). None when no small change is valid."""
    groups = sorted(set(body["final"]) | set(body["first"]))
    rng.shuffle(groups)
    for g in groups:
        tries: list[Body] = []
        for delta in (1, -1):
            final = {**body["final"], g: body["final"].get(g, 0) + delta}
            if final[g] >= 0:
                tries.append({**body, "final": {k: v for k, v in final.items() if v}})
        first = {**body["first"], g: body["first"].get(g, 0) + 1}
        final = {**body["final"], g: body["final"].get(g, 0) + 1}
        tries.append({**body, "attendees": body["attendees"] + 1, "first": first, "final": final})
        for t in tries:
            t = settle_tosses(election, {k: v for k, v in t.items() if k != "tosses"}, rng)
            if not problems(election, t) and counts(t) != counts(body):
                return t
    return None
