"""Submitting a precinct report: validate with the core, derive, store an immutable version.

Rule: rules.md §9 — keep the raw inputs and *derive* delegates and SDEs (the 2020 errors were
entered delegate/SDE numbers that did not follow from the counts); never overwrite a result: a
different report for a precinct that already has one is a conflict for the desk; hotline and
paper entries need a matching second entry by another operator.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PrecinctInput, PrecinctResult
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.rounding import decimal_str
from caucuskit.core.satellite import satellite_delegates
from caucuskit.db.models import Decision, PrecinctRow, ReportVersion, ResultsState
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.credentials import ALPHABET
from caucuskit.services.errors import Conflict, Invalid
from caucuskit.services.report_input import ReportInput, Toss

CHANNELS = ("chair", "hotline", "paper", "import", "recanvass", "recount")
OPEN = ("conflict", "awaiting-second-entry", "entry-mismatch")

__all__ = ["CHANNELS", "OPEN", "Derived", "ReportInput", "Toss", "derive", "submit_report"]


@dataclass(frozen=True)
class Derived:
    """What the server derives from a report."""

    result: PrecinctResult
    delegates: dict[str, int]
    sde: dict[str, str] = field(default_factory=dict)
    sde_display: dict[str, str] = field(default_factory=dict)
    #: Nevada: the worksheet with early votes and card draws; None for the plain one.
    worksheet: dict[str, Any] | None = None
    #: Nevada: the winners each recorded card draw gives, in order.
    draw_winners: tuple[tuple[str, ...], ...] = ()
    #: Nevada: early ballots were loaded for the precinct (the chair must confirm them).
    early: dict[str, object] | None = None


def derive(ctx: Context, precinct: PrecinctRef, report: ReportInput) -> Derived:
    """Run the core on ``report``; :class:`Invalid` naming the field when it breaks the rules."""
    election = ctx.election
    problems: list[Problem] = []
    known = election.candidate_names
    for where, counts in (("first", report.first), ("final", report.final)):
        for name in counts:
            if name not in known:
                problems.append(Problem(f"{where}.{name}", "not a candidate of this election"))
    for i, t in enumerate(report.tosses):
        if not t.cards and t.winner not in known:
            problems.append(Problem(f"tosses.{i}.winner", f"{t.winner!r} is not a candidate"))
    if problems:
        raise Invalid(problems)
    d = precinct.delegates
    ref = election.precinct_by_key.get((precinct.county, precinct.name))
    if ref is not None and ref.at_large and d is None:
        raise Invalid(
            "this at-large site's delegates (D) have not been set by the party", "delegates"
        )
    if precinct.satellite or d is None:
        d = satellite_delegates(report.attendees)
    if election.rules.early_voting or any(t.cards for t in report.tosses):
        from caucuskit.services.nevada_reports import derive_nevada

        result, worksheet, winners, early = derive_nevada(ctx, precinct, report, d)
        return _finish(
            ctx,
            precinct,
            d,
            Derived(result, {}, worksheet=worksheet, draw_winners=winners, early=early),
        )
    data = PrecinctInput(
        delegates=d,
        attendees=report.attendees,
        first=dict(report.first),
        final=dict(report.final),
        toss_winners=tuple(t.winner for t in report.tosses),
    )
    try:
        result = compute_precinct(election.rules, data, known)
    except ValidationError as exc:
        raise Invalid(list(exc.problems)) from exc
    return _finish(ctx, precinct, d, Derived(result, {}))


def _finish(ctx: Context, precinct: PrecinctRef, d: int, derived: Derived) -> Derived:
    """Delegates and SDEs (CCDs in a CCD election) of a computed report."""
    election = ctx.election
    result = derived.result
    delegates = {g: n for g, n in result.delegates.items() if n}
    sde: dict[str, str] = {}
    display: dict[str, str] = {}
    if not precinct.satellite:
        ref = election.precinct_by_key[(precinct.county, precinct.name)]
        value = election.precinct_sde_value(ref)
        if value is not None and d:
            places = election.sde_places_precinct
            for g, n in sorted(delegates.items()):
                x = value * n / d
                sde[g] = str(x)
                display[g] = decimal_str(x, places)
    return Derived(
        result, delegates, sde, display, derived.worksheet, derived.draw_winners, derived.early
    )


def require_complete(derived: Derived) -> None:
    """A stored report must be decided: a pending tie needs its toss, a realignment its counts."""
    r = derived.result
    if r.pending_tie is not None:
        t = r.pending_tie
        raise Invalid(
            f"a {t.method} between {', '.join(t.groups)} decides {t.delegates} delegate(s) "
            f"({t.reason}); record {t.winners_needed} winner(s) in order",
            "tosses",
        )
    if r.undecided or r.must_realign:
        msg = "; ".join(r.notes) or "the caucus must realign before it can report"
        raise Invalid(msg, "final")


# ---------------------------------------------------------------------------- storage
def current_version(session: Session, precinct_pk: int) -> ReportVersion | None:
    """The latest accepted version of a precinct (its current result)."""
    vid = session.scalar(
        select(Decision.version_id)
        .where(Decision.precinct_id == precinct_pk, Decision.status == "accepted")
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return None if vid is None else session.get(ReportVersion, vid)


def version_status(session: Session, version_id: int) -> str:
    status = session.scalar(
        select(Decision.status)
        .where(Decision.version_id == version_id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return status or "unknown"


def lock_precinct(ctx: Context, session: Session, precinct_pk: int) -> None:
    """Serialize writers of one precinct (SQLite: BEGIN IMMEDIATE already did)."""
    if ctx.db.is_postgres:
        session.execute(
            select(PrecinctRow.id).where(PrecinctRow.id == precinct_pk).with_for_update()
        )


def bump_results(ctx: Context, session: Session) -> int:
    """Increase the results version (serializes acceptances on PostgreSQL too)."""
    state = session.get(ResultsState, 1, with_for_update=True)
    assert state is not None
    state.version += 1
    state.updated_at = ctx.clock()
    return state.version


def _receipt() -> str:
    return "R-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def request_hash(precinct: PrecinctRef, report: ReportInput, channel: str, reason: str) -> str:
    body = {"precinct": precinct.id, "channel": channel, "reason": reason, **report.raw()}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def field_diff(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field differences between two raw reports (``final.Warren``: 9 vs 8)."""
    out: list[dict[str, Any]] = []
    if a["attendees"] != b["attendees"]:
        out.append(
            {"field": "attendees", "first_entry": a["attendees"], "second_entry": b["attendees"]}
        )
    for part in ("first", "final"):
        names = sorted(set(a[part]) | set(b[part]))
        for n in names:
            x, y = a[part].get(n, 0), b[part].get(n, 0)
            if x != y:
                out.append({"field": f"{part}.{n}", "first_entry": x, "second_entry": y})
    wa = [t.get("winner") or t.get("cards") for t in a["tosses"]]
    wb = [t.get("winner") or t.get("cards") for t in b["tosses"]]
    if wa != wb:
        out.append({"field": "tosses", "first_entry": wa, "second_entry": wb})
    return out


def raw_of(v: ReportVersion) -> dict[str, Any]:
    return {
        "attendees": v.attendees,
        "first": dict(v.first),
        "final": dict(v.final),
        "tosses": list(v.tosses),
    }


MESSAGES = {
    "accepted": "Accepted: this is now the precinct's result.",
    "duplicate": "Same as the precinct's current result: nothing changes.",
    "conflict": "The precinct already has a different result: held for the results desk.",
    "awaiting-second-entry": "Stored: it counts once another operator enters the same report.",
    "entry-mismatch": "Differs from the first entry: held for the results desk.",
}


@dataclass(frozen=True)
class Submission:
    answer: dict[str, Any]
    created: bool


def submit_report(ctx: Context, **kwargs: Any) -> Submission:
    """Store one report (see :func:`_submit`); a lost race on a unique key is retried once, so
    the second request sees the first one's version (idempotency) instead of an error."""
    try:
        return _submit(ctx, **kwargs)
    except IntegrityError:
        return _submit(ctx, **kwargs)


def _submit(
    ctx: Context,
    *,
    precinct: PrecinctRef,
    report: ReportInput,
    actor: str,
    role: str,
    channel: str,
    client: str,
    idempotency_key: str | None = None,
    reason: str = "",
) -> Submission:
    """Store one report as a new immutable version and decide its status (see module doc)."""
    if channel not in CHANNELS:
        raise Invalid(f"must be one of {', '.join(CHANNELS)}", "channel")
    derived = derive(ctx, precinct, report)
    require_complete(derived)
    if derived.early is not None and report.early_confirmed is None:
        raise Invalid(
            f"confirm the {derived.early['count']} early ballot(s) loaded for this "
            f"precinct (checksum {derived.early['checksum']})",
            "early_confirmed",
        )
    req_hash = request_hash(precinct, report, channel, reason)
    content = report.content_hash()
    raw = report.raw()
    draws = iter(derived.draw_winners)
    for t in raw["tosses"]:
        if "cards" in t:
            t["winners"] = list(next(draws, ()))
    with ctx.db.write() as s:
        lock_precinct(ctx, s, precinct.pk)
        if idempotency_key:
            prior = s.scalar(
                select(ReportVersion).where(
                    ReportVersion.actor == actor, ReportVersion.idempotency_key == idempotency_key
                )
            )
            if prior is not None:
                if prior.request_hash != req_hash:
                    raise Conflict(
                        "this Idempotency-Key was used for a different report", "idempotency_key"
                    )
                return Submission({**prior.answer, "version_id": prior.id}, False)
        now = ctx.clock()
        current = current_version(s, precinct.pk)
        decisions: list[tuple[str, int | None, str]] = []  # (status, version or None=new, reason)
        diff: list[dict[str, Any]] | None = None
        pair_of: int | None = None
        if channel in ("recanvass", "recount"):
            status = "accepted"
            if current is not None:
                decisions.append(("superseded", current.id, f"{channel}: {reason}"))
        elif role == "operator":
            first = _open_first_entry(s, precinct.pk)
            if first is None:
                status = "awaiting-second-entry"
            else:
                if first.actor == actor:
                    raise Conflict("the second entry must be made by another operator", "operator")
                pair_of = first.id
                if first.content_hash == content:
                    status = _status_against(current, content)
                    decisions.append(("confirmed", first.id, f"second entry by {actor}"))
                else:
                    status = "entry-mismatch"
                    diff = field_diff(raw_of(first), raw)
                    decisions.append(("entry-mismatch", first.id, f"second entry by {actor}"))
        else:
            status = _status_against(current, content)
        results_version = bump_results(ctx, s) if status == "accepted" else 0
        answer: dict[str, Any] = {
            "receipt": _receipt(),
            "status": status,
            "precinct": precinct_info(ctx, precinct),
            "channel": channel,
            "entered_at": iso(now),
            "worksheet": derived.worksheet or derived.result.to_dict(),
            "sde": derived.sde,
            "sde_display": derived.sde_display,
            "delegates": derived.delegates,
            "message": MESSAGES[status],
        }
        if diff is not None:
            answer["diff"] = diff
        version = ReportVersion(
            receipt=answer["receipt"],
            precinct_id=precinct.pk,
            channel=channel,
            actor=actor,
            role=role,
            client=client[:100],
            entered_at=now,
            idempotency_key=idempotency_key,
            request_hash=req_hash,
            content_hash=content,
            attendees=report.attendees,
            first=raw["first"],
            final=raw["final"],
            tosses=raw["tosses"],
            worksheet=answer["worksheet"],
            delegates=derived.delegates,
            sde=derived.sde,
            reason=reason,
            pair_of=pair_of,
            answer=answer,
        )
        s.add(version)
        s.flush()
        for st, vid, why in decisions:
            s.add(
                Decision(
                    version_id=vid,
                    precinct_id=precinct.pk,
                    status=st,
                    actor=actor,
                    reason=why,
                    at=now,
                    results_version=results_version,
                )
            )
        s.add(
            Decision(
                version_id=version.id,
                precinct_id=precinct.pk,
                status=status,
                actor=actor,
                reason=reason,
                at=now,
                results_version=results_version,
            )
        )
        ctx.audit(
            s,
            actor=actor,
            role=role,
            action=f"report.{channel}",
            outcome=status,
            client=client,
            precinct=precinct.pk,
            detail={"version_id": version.id, "receipt": answer["receipt"]},
        )
    return Submission({**answer, "version_id": version.id}, True)


def _status_against(current: ReportVersion | None, content: str) -> str:
    if current is None:
        return "accepted"
    return "duplicate" if current.content_hash == content else "conflict"


def _open_first_entry(s: Session, precinct_pk: int) -> ReportVersion | None:
    """The latest operator entry still waiting for its second entry."""
    rows = s.scalars(
        select(ReportVersion)
        .where(ReportVersion.precinct_id == precinct_pk, ReportVersion.role == "operator")
        .order_by(ReportVersion.id.desc())
    ).all()
    for v in rows:
        if version_status(s, v.id) == "awaiting-second-entry":
            return v
    return None


def precinct_info(ctx: Context, p: PrecinctRef) -> dict[str, Any]:
    """``PRECINCT_INFO`` of docs/api.md."""
    election = ctx.election
    value: Fraction | None = None
    if not p.satellite:
        value = election.precinct_sde_value(election.precinct_by_key[(p.county, p.name)])
    return {
        "id": p.id,
        "county": p.county,
        "county_id": p.county_id,
        "name": p.name,
        "delegates": p.delegates,
        "satellite": p.satellite,
        "sde_value": None if value is None else str(value),
        "sde_value_display": None
        if value is None
        else decimal_str(value, election.sde_places_precinct),
        "candidates": [c.name for c in election.candidates],
        "rules": election.rules.describe(),
        **_nevada_info(ctx, p),
    }


def _nevada_info(ctx: Context, p: PrecinctRef) -> dict[str, Any]:
    """Nevada: the headline unit and the early ballots the chair confirms (empty for Iowa)."""
    election = ctx.election
    if election.unit == "sde" and not election.rules.early_voting:
        return {}
    from caucuskit.services.early_ballots import early_summary

    return {
        "unit": {"short": election.unit_short, "long": election.unit_long},
        "early": early_summary(ctx, p) if election.rules.early_voting else None,
    }
