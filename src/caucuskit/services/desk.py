"""The results desk: what is reported, missing, in conflict, awaiting a second entry or flagged;
accept or reject held versions; the audit log. What a change does to the results (a diff
between two moments, the preview of a correction) is :mod:`caucuskit.services.change_effect`.

Rule: rules.md §9 (2020: a recanvass of 81 precincts changed 29, a recount of 23 changed 19; every
correction must be traceable), §8 (the national-delegate effect of a change).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from caucuskit.core.checks import departures
from caucuskit.core.election import is_counted_unit
from caucuskit.core.model import PrecinctInput
from caucuskit.core.satellite import satellite_delegates
from caucuskit.db.models import AuditEntry, Decision, ReportVersion
from caucuskit.services import credentials
from caucuskit.services.audit import audit
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.errors import Conflict, Invalid, NotFound
from caucuskit.services.history import as_report, current_versions, statuses, version_dict
from caucuskit.services.snapshot import results_version
from caucuskit.services.submit import (
    OPEN,
    bump_results,
    current_version,
    lock_precinct,
)

STATES = ("missing", "reported", "conflict", "awaiting", "flagged", "no-delegates", "all")


def counted(p: PrecinctRef) -> bool:
    """Whether a precinct is a unit of the public count (``precincts.total``/``reporting``):
    every satellite site and every precinct that elects at least one delegate. The 3 Lee County
    precincts of 2020 that elect D = 0 are not (the tabulation leaves them out, rules.md §7.1);
    this is the same test as the snapshot's, and tests/service/test_desk_counts.py keeps the
    desk overview equal to ``state.json``."""
    return is_counted_unit(p.satellite, p.delegates)


def _flags(ctx: Context, current: dict[int, ReportVersion]) -> dict[int, list[str]]:
    """Audit findings (tabulation issue) on the current results: precinct pk -> reasons."""
    if not current:
        return {}
    reports = [as_report(ctx, v) for _, v in sorted(current.items())]
    out: dict[int, list[str]] = {}
    report = audit(ctx.election, reports)
    for f in report.findings:
        reasons = list(f.problems)
        if f.duplicate_of:
            reasons.append(f"same counts as {f.duplicate_of}")
        if reasons:
            ref = ctx.by_name.get((f.county, f.precinct))
            if ref is not None:
                out[ref.pk] = reasons
    for pk, v in current.items():
        left = people_left(ctx, ctx.by_pk[pk], v)
        if left:
            out.setdefault(pk, []).append(left_words(left))
    return out


def people_left(ctx: Context, p: PrecinctRef, v: ReportVersion) -> dict[str, int]:
    """Viable groups that ended smaller because people went home (rules.md §4): accepted, and
    shown to the desk so that someone can ask the chair."""
    d = satellite_delegates(v.attendees) if p.satellite or p.delegates is None else p.delegates
    data = PrecinctInput(
        delegates=d, attendees=v.attendees, first=dict(v.first), final=dict(v.final)
    )
    try:
        return departures(ctx.election.rules, data)
    except (ValueError, ArithmeticError):  # stored versions were validated; be safe anyway
        return {}


def left_words(left: dict[str, int]) -> str:
    """'people left viable groups: 2 Biden supporters, 1 Warren supporter'."""
    return "people left viable groups: " + ", ".join(
        f"{n} {g} supporter{'s' if n != 1 else ''}" for g, n in sorted(left.items())
    )


def precinct_states(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.read() as s:
        current = current_versions(s)
        status = statuses(s)
        versions = s.execute(
            select(ReportVersion.id, ReportVersion.precinct_id, ReportVersion.content_hash)
        ).all()
    open_by: dict[int, list[int]] = {}
    for vid, pid, _ in versions:
        if status.get(vid) in OPEN:
            open_by.setdefault(pid, []).append(vid)
    overtaken = _overtaken(current, status, versions)
    flags = _flags(ctx, current)
    out = []
    for p in ctx.precincts:
        opened = open_by.get(p.pk, [])
        kinds = {status[v] for v in opened}
        if kinds & {"conflict", "entry-mismatch"} or any(v in overtaken for v in opened):
            state = "conflict"
        elif "awaiting-second-entry" in kinds:
            state = "awaiting"
        elif p.pk in current:
            state = "reported"
        elif not counted(p):
            state = "no-delegates"
        else:
            state = "missing"
        out.append(
            {
                "id": p.id,
                "county": p.county,
                "name": p.name,
                "state": state,
                "reported": p.pk in current,
                "counted": counted(p),
                "current_version": current[p.pk].id if p.pk in current else None,
                "open_versions": opened,
                "flags": flags.get(p.pk, []),
            }
        )
    return out


def _overtaken(
    current: dict[int, ReportVersion], status: dict[int, str], versions: Any
) -> set[int]:
    """Operator first entries still waiting for their second entry while a *different* result
    was accepted for the precinct after they were made (a chair's report, a recanvass): the
    desk must decide between them (rules.md §9: never overwrite silently). The content is
    same counts as the accepted result are no conflict."""
    out = set()
    for vid, pid, content in versions:
        cur = current.get(pid)
        if (
            status.get(vid) == "awaiting-second-entry"
            and cur is not None
            and cur.id > vid
            and cur.content_hash != content
        ):
            out.add(vid)
    return out


def list_precincts(
    ctx: Context, state: str = "all", county: str | None = None
) -> list[dict[str, Any]]:
    if state not in STATES:
        raise Invalid(f"must be one of {', '.join(STATES)}", "state")
    rows = precinct_states(ctx)
    if county:
        name = ctx.county_ids.get(county)
        if name is None:
            raise Invalid(f"unknown county id {county!r}", "county")
        rows = [r for r in rows if r["county"] == name]
    if state == "flagged":
        return [r for r in rows if r["flags"]]
    if state == "reported":
        return [r for r in rows if r["reported"]]
    return rows if state == "all" else [r for r in rows if r["state"] == state]


def overview(ctx: Context) -> dict[str, Any]:
    """``precincts.total``/``reported``/``missing`` count the units of the public count
    (:func:`counted`; equal to ``state.json``'s ``total``/``reporting``); precincts that elect no
    delegate are ``no_delegates``, never missing."""
    rows = precinct_states(ctx)
    units = [r for r in rows if r["counted"]]
    with ctx.db.read() as s:
        version, updated = results_version(s)
    return {
        "precincts": {
            "total": len(units),
            "reported": sum(1 for r in units if r["reported"]),
            "missing": sum(1 for r in units if r["state"] == "missing"),
            "no_delegates": len(rows) - len(units),
            "conflict": sum(1 for r in rows if r["state"] == "conflict"),
            "awaiting_second_entry": sum(1 for r in rows if r["state"] == "awaiting"),
            "flagged": sum(1 for r in rows if r["flags"]),
        },
        "readiness": credentials.readiness(ctx),
        "snapshot_version": version,
        "last_update": iso(updated),
    }


def _decisions(s: Any, vid: int) -> list[dict[str, Any]]:
    return [
        {"status": d.status, "actor": d.actor, "reason": d.reason, "at": iso(d.at)}
        for d in s.scalars(
            select(Decision).where(Decision.version_id == vid).order_by(Decision.id)
        ).all()
    ]


def precinct_history(ctx: Context, precinct_id: str) -> dict[str, Any]:
    from caucuskit.services.submit import field_diff, precinct_info, raw_of

    p = ctx.precinct_by_id(precinct_id)
    with ctx.db.read() as s:
        cur = current_version(s, p.pk)
        status = statuses(s)
        rows = s.scalars(
            select(ReportVersion)
            .where(ReportVersion.precinct_id == p.pk)
            .order_by(ReportVersion.id)
        ).all()
        versions = []
        for v in rows:
            d = version_dict(ctx, v, status.get(v.id, "unknown"), _decisions(s, v.id))
            d["diff_to_current"] = (
                None if cur is None or cur.id == v.id else field_diff(raw_of(cur), raw_of(v))
            )
            versions.append(d)
    current = next((v for v in versions if cur is not None and v["version_id"] == cur.id), None)
    return {"precinct": precinct_info(ctx, p), "current": current, "versions": versions}


def conflicts(ctx: Context) -> list[dict[str, Any]]:
    from caucuskit.services.submit import field_diff, raw_of

    with ctx.db.read() as s:
        status = statuses(s)
        ids = [vid for vid, st in status.items() if st in ("conflict", "entry-mismatch")]
        waiting = [vid for vid, st in status.items() if st == "awaiting-second-entry"]
        out = []
        for vid in sorted(ids + waiting):
            v = s.get(ReportVersion, vid)
            assert v is not None
            cur = current_version(s, v.precinct_id)
            if status[vid] == "awaiting-second-entry" and (
                cur is None or cur.id < vid or cur.content_hash == v.content_hash
            ):
                continue  # an ordinary first entry: it waits for its second entry
            d = version_dict(ctx, v, status[vid], _decisions(s, vid))
            ref = ctx.by_pk[v.precinct_id]
            d["county"], d["precinct"] = ref.county, ref.name
            d["county_id"] = ref.county_id
            d["title"] = f"{ref.county} County: {ref.name}"
            d["kind"] = (
                "entry-mismatch"
                if status[vid] == "entry-mismatch"
                else "pending-entry-overtaken"
                if status[vid] == "awaiting-second-entry"
                else "conflict"
            )
            d["diff_to_current"] = None if cur is None else field_diff(raw_of(cur), raw_of(v))
            other = s.get(ReportVersion, v.pair_of) if v.pair_of else None
            d["diff_to_first_entry"] = (
                None if other is None else field_diff(raw_of(other), raw_of(v))
            )
            out.append(d)
    return out


def decide(
    ctx: Context, version_id: int, accept: bool, reason: str, actor: str, client: str = ""
) -> dict[str, Any]:
    """Accept (it becomes the current result) or reject an open version, with a reason."""
    if not reason.strip():
        raise Invalid("a reason is required", "reason")
    with ctx.db.write() as s:
        v = s.get(ReportVersion, version_id)
        if v is None:
            raise NotFound(f"no version {version_id}", "version_id")
        lock_precinct(ctx, s, v.precinct_id)
        status = statuses(s)
        if status.get(version_id) not in OPEN:
            raise Conflict(f"version {version_id} is {status.get(version_id)}, not open", "version")
        now, precinct_pk = ctx.clock(), v.precinct_id

        def mark(vid: int, decided: str, why: str, results: int) -> Decision:
            return Decision(
                version_id=vid,
                precinct_id=precinct_pk,
                status=decided,
                actor=actor,
                reason=why,
                at=now,
                results_version=results,
            )

        if accept:
            results = bump_results(ctx, s)
            cur = current_version(s, v.precinct_id)
            if cur is not None:
                s.add(mark(cur.id, "superseded", reason, results))
            s.add(mark(v.id, "accepted", reason, results))
            # the other side of a double entry (or a pending first entry) is closed
            related = [x for x in (v.pair_of,) if x] + list(
                s.scalars(select(ReportVersion.id).where(ReportVersion.pair_of == v.id)).all()
            )
            for other in related:
                if status.get(other) in OPEN:
                    s.add(mark(other, "rejected", f"version {v.id} accepted instead", results))
        else:
            s.add(mark(v.id, "rejected", reason, 0))
        ctx.audit(
            s,
            actor=actor,
            role="desk",
            action="desk.accept" if accept else "desk.reject",
            outcome="ok",
            client=client,
            precinct=v.precinct_id,
            detail={"version_id": version_id, "reason": reason},
        )
    with ctx.db.read() as s:
        v2 = s.get(ReportVersion, version_id)
        assert v2 is not None
        return version_dict(ctx, v2, statuses(s)[version_id], _decisions(s, version_id))


def audit_log(ctx: Context, limit: int = 100, before: int | None = None) -> list[dict[str, Any]]:
    if not 1 <= limit <= 1000:
        raise Invalid("must be 1..1000", "limit")
    with ctx.db.read() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if before is not None:
            q = q.where(AuditEntry.id < before)
        rows = s.scalars(q).all()
    out = []
    for r in rows:
        ref = None if r.precinct_id is None else ctx.by_pk.get(r.precinct_id)
        out.append(
            {
                "id": r.id,
                "at": iso(r.at),
                "actor": r.actor,
                "role": r.role,
                "action": r.action,
                "outcome": r.outcome,
                "precinct_id": None if ref is None else ref.id,
                "county": None if ref is None else ref.county,
                "precinct": None if ref is None else ref.name,
                "client": r.client,
                "detail": r.detail,
            }
        )
    return out
