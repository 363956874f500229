"""Reading the versioned history: the current result of every precinct at any moment (``as_of``).

The current result of a precinct is the version of its latest ``accepted`` decision; decisions
are append-only, so any past moment can be rebuilt exactly. Rule: rules.md §9.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caucuskit.core.report import PrecinctReport
from caucuskit.db.models import Decision, ReportVersion
from caucuskit.services.context import Context


def current_versions(session: Session, as_of: datetime | None = None) -> dict[int, ReportVersion]:
    """precinct pk -> its current version at ``as_of`` (default: now)."""
    q = select(Decision.precinct_id, Decision.version_id).where(Decision.status == "accepted")
    if as_of is not None:
        q = q.where(Decision.at <= as_of)
    latest: dict[int, int] = {}
    for pid, vid in session.execute(q.order_by(Decision.id)).all():
        latest[pid] = vid
    if not latest:
        return {}
    rows = session.scalars(select(ReportVersion).where(ReportVersion.id.in_(latest.values())))
    by_id = {v.id: v for v in rows}
    return {pid: by_id[vid] for pid, vid in latest.items()}


def statuses(session: Session) -> dict[int, str]:
    """version id -> its latest decision status."""
    out: dict[int, str] = {}
    for vid, st in session.execute(
        select(Decision.version_id, Decision.status).order_by(Decision.id)
    ).all():
        out[vid] = st
    return out


def as_report(ctx: Context, v: ReportVersion) -> PrecinctReport:
    p = ctx.by_pk[v.precinct_id]
    winners: list[str] = []
    for t in v.tosses:  # a coin toss names its winner; a card draw stores the derived winners
        winners.extend([t["winner"]] if "winner" in t else t.get("winners", []))
    ws = v.worksheet or {}
    if "early" in ws:  # Nevada: the allocation ran on in-person counts plus early ballots
        groups = ws.get("groups", [])
        return PrecinctReport(
            county=p.county,
            precinct=p.name,
            attendees=int(ws["attendees"]),
            first={g["group"]: int(g["first"]) for g in groups if g.get("first")},
            final={g["group"]: int(g["final"]) for g in groups if g.get("final")},
            toss_winners=tuple(winners),
        )
    return PrecinctReport(
        county=p.county,
        precinct=p.name,
        attendees=v.attendees,
        first=dict(v.first),
        final=dict(v.final),
        toss_winners=tuple(winners),
    )


def version_dict(
    ctx: Context, v: ReportVersion, status: str, decisions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``VERSION`` of docs/api.md."""
    from caucuskit.services.context import iso
    from caucuskit.services.photos import list_photos

    return {
        "version_id": v.id,
        "receipt": v.receipt,
        "status": status,
        "channel": v.channel,
        "actor": v.actor,
        "role": v.role,
        "entered_at": iso(v.entered_at),
        "precinct_id": ctx.by_pk[v.precinct_id].id,
        "report": {
            "attendees": v.attendees,
            "first": v.first,
            "final": v.final,
            "tosses": v.tosses,
        },
        "sde": v.sde,
        "sde_display": v.answer.get("sde_display", {}),
        "delegates": v.delegates,
        "reason": v.reason,
        "pair_of": v.pair_of,
        "decisions": decisions or [],
        "photos": list_photos(ctx, v.id),
    }


def current_reports(ctx: Context, as_of: datetime | None = None) -> list[PrecinctReport]:
    """The current accepted report of every precinct (at ``as_of``) as core reports, with
    their recorded toss winners, in precinct order (what the snapshot and ``caucus call``
    tabulate). Rule: rules.md §9."""
    with ctx.db.read() as s:
        return [as_report(ctx, v) for _, v in sorted(current_versions(s, as_of).items())]
