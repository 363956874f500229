"""Real 2020 reports made submittable, for the public-snapshot tests (rules.md §5, §7.3)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from caucuskit.core.errors import ValidationError
from caucuskit.core.model import PrecinctInput
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.satellite import satellite_delegates
from caucuskit.formats.idp2020 import read_idp_results
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.submit import ReportInput, Toss, submit_report

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
RESULTS_100 = DATA / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"


def complete(
    ctx: Context, p: PrecinctRef, rep: ReportInput, rng: random.Random
) -> ReportInput | None:
    """``rep`` with toss winners drawn by ``rng`` for every tie it needs; None if invalid."""
    d = satellite_delegates(rep.attendees) if p.satellite or p.delegates is None else p.delegates
    winners: tuple[str, ...] = ()
    for _ in range(8):
        try:
            r = compute_precinct(
                ctx.election.rules,
                PrecinctInput(d, rep.attendees, dict(rep.final), dict(rep.first), winners),
                ctx.election.candidate_names,
            )
        except ValidationError:
            return None
        if r.undecided or r.must_realign:
            return None
        t = r.pending_tie
        if t is None:
            return replace(rep, tosses=tuple(Toss(w, ("captain",)) for w in winners))
        winners += tuple(rng.sample(sorted(t.groups), t.winners_needed))
    return None


def real_reports(ctx: Context, rng: random.Random) -> dict[int, ReportInput]:
    """precinct pk -> a valid report built from its 8 Feb 2020 counts."""
    imported = read_idp_results(RESULTS_100, ctx.election)
    out: dict[int, ReportInput] = {}
    for r in imported.reports:
        p = ctx.by_name.get(r.key)
        if p is None:
            continue
        first = {k: v for k, v in r.first.items() if v}
        final = {k: v for k, v in r.final.items() if v}
        if not final or r.effective_attendees <= 0:
            continue
        rep = complete(ctx, p, ReportInput(r.effective_attendees, first, final), rng)
        if rep is not None:
            out[p.pk] = rep
    return out


def swapped(rep: ReportInput, rng: random.Random) -> ReportInput:
    """The same room with two groups' counts exchanged (a recanvass that changes the result)."""
    names = sorted(rep.final)
    if len(names) < 2:
        return rep
    a, b = rng.sample(names, 2)

    def swap(counts: dict[str, int]) -> dict[str, int]:
        out = dict(counts)
        out[a], out[b] = counts.get(b, 0), counts.get(a, 0)
        return {k: v for k, v in out.items() if v}

    return ReportInput(rep.attendees, swap(dict(rep.first)), swap(dict(rep.final)))


def submit(ctx: Context, p: PrecinctRef, rep: ReportInput, channel: str = "chair") -> str:
    role, actor = (
        ("desk", "desk1") if channel in ("recanvass", "recount") else ("chair", f"chair:{p.id}")
    )
    sub = submit_report(
        ctx,
        precinct=p,
        report=rep,
        actor=actor,
        role=role,
        channel=channel,
        client="test",
        reason="recanvass" if role == "desk" else "",
    )
    status: str = sub.answer["status"]
    return status
