"""Real 2020 reports of the four-county service election, stored through the service.

Rule: rules.md §9 (the service stores raw inputs; the race call reads its current reports).
"""

from __future__ import annotations

from itertools import permutations

from caucuskit.core.report import PrecinctReport
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import read_idp_results
from caucuskit.services.context import Context
from caucuskit.services.errors import ServiceError
from caucuskit.services.submit import ReportInput, Toss, derive, submit_report
from caucuskit.services.tabulate import tabulate
from conftest import RESULTS_100, need


def real_reports(counties: tuple[str, ...]) -> list[PrecinctReport]:
    """The 8 Feb 2020 (100%) rows of ``counties``, in file order."""
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    reports = read_idp_results(RESULTS_100, load_election("iowa-2020")).reports
    return [r for r in reports if r.county in counties]


def store(
    ctx: Context, reports: list[PrecinctReport], limit: int | None = None
) -> list[PrecinctReport]:
    """Submit ``reports`` as an admin import, at most ``limit``. A report whose game of chance
    the file does not record gets the toss winners that reproduce its published delegates
    (rules.md §5.4; the tabulation settles them from the published SDEs); reports the core
    refuses are left out. Returns the stored reports (with their toss winners)."""
    settled = {
        u.precinct.key: dict(u.recount.won)
        for u in tabulate(load_election("iowa-2020"), reports).units
        if u.recount is not None
    }
    stored: list[PrecinctReport] = []
    for r in reports:
        if limit is not None and len(stored) >= limit:
            break
        ref = ctx.by_name[(r.county, r.precinct)]
        first = {k: v for k, v in r.first.items() if v}
        final = {k: v for k, v in r.final.items() if v}
        target = {k: v for k, v in settled.get(r.key, {}).items() if v}
        try:
            winners = _winners(ctx, ref, r.effective_attendees, first, final, target, ())
        except ServiceError:
            continue
        if winners is None:
            continue
        body = ReportInput(r.effective_attendees, first, final, tuple(Toss(w) for w in winners))
        submit_report(
            ctx,
            precinct=ref,
            report=body,
            actor="admin",
            role="admin",
            channel="import",
            client="test",
        )
        stored.append(
            PrecinctReport(r.county, r.precinct, r.effective_attendees, first, final, winners)
        )
    return stored


def _winners(
    ctx: Context,
    ref: object,
    attendees: int,
    first: dict[str, int],
    final: dict[str, int],
    target: dict[str, int],
    tosses: tuple[str, ...],
) -> tuple[str, ...] | None:
    from caucuskit.services.context import PrecinctRef

    assert isinstance(ref, PrecinctRef)
    d = derive(ctx, ref, ReportInput(attendees, first, final, tuple(Toss(w) for w in tosses)))
    tie = d.result.pending_tie
    if tie is None:
        return tosses if not tosses or d.delegates == target else None
    if len(tosses) >= 6:
        return None
    for pick in permutations(tie.groups, tie.winners_needed):
        found = _winners(ctx, ref, attendees, first, final, target, tosses + pick)
        if found is not None:
            return found
    return None
