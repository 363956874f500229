"""Submitting a precinct report: validate with the core, derive, store an immutable version.

Rule: rules.md §9 — keep the raw inputs and *derive* delegates and SDEs (the 2020 errors were
entered delegate/SDE numbers that did not follow from the counts); never overwrite a result: a
different report for a precinct that already has one is a conflict for the desk; hotline and
paper entries need a matching second entry by another operator.

The work is split so that the database's writer lock is held only for what needs it (issue 11:
100 chair reports/s): everything derived from the report itself (the core's result, the
worksheet, the answer's precinct block, hashes, the receipt) is computed before the write
transaction opens; inside it are the idempotency check, the comparison with the current result
(one query), the results version (one UPDATE ... RETURNING) and the inserts, committed once.
Deriving lives in :mod:`caucuskit.services.report_derive`, the rows in
:mod:`caucuskit.services.report_store`; this module re-exports what other modules import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.errors import Conflict, Invalid
from caucuskit.services.report_derive import Derived, derive, precinct_info, require_complete
from caucuskit.services.report_input import ReportInput, Toss
from caucuskit.services.report_store import (
    Head,
    add_decisions,
    bump_results,
    current_head,
    current_version,
    field_diff,
    insert_version,
    lock_precinct,
    open_first_entry,
    prior_by_key,
    raw_of,
    receipt,
    request_hash,
    version_status,
)

CHANNELS = ("chair", "hotline", "paper", "import", "recanvass", "recount")
OPEN = ("conflict", "awaiting-second-entry", "entry-mismatch")

__all__ = [
    "CHANNELS",
    "MESSAGES",
    "OPEN",
    "Derived",
    "ReportInput",
    "Submission",
    "Toss",
    "bump_results",
    "current_version",
    "derive",
    "field_diff",
    "lock_precinct",
    "precinct_info",
    "raw_of",
    "request_hash",
    "require_complete",
    "submit_report",
    "version_status",
]

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


@dataclass(frozen=True)
class _Request:
    """One report with everything computed before the write transaction opens."""

    ctx: Context
    precinct: PrecinctRef
    report: ReportInput
    actor: str
    role: str
    channel: str
    client: str
    idempotency_key: str | None
    reason: str
    derived: Derived
    request_hash: str
    content: str
    raw: dict[str, Any]
    #: The answer without its receipt, status, time and message (filled in when stored).
    answer: dict[str, Any]


@dataclass
class _Outcome:
    """What storing decides: the new version's status and the decisions about older ones."""

    status: str
    decisions: list[tuple[str, int, str]]  # (status, version id, reason)
    diff: list[dict[str, Any]] | None = None
    pair_of: int | None = None


def submit_report(ctx: Context, **kwargs: Any) -> Submission:
    """Store one report (see :func:`_submit`); a lost race on a unique key is retried once, so
    the second request sees the first one's version (idempotency) instead of an error."""
    request = _prepare(ctx, **kwargs)
    try:
        return _store(request)
    except IntegrityError:
        return _store(request)


def _prepare(
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
) -> _Request:
    """Check and derive ``report`` (no database): :class:`Invalid` when it cannot be stored."""
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
    raw = report.raw()
    draws = iter(derived.draw_winners)
    for t in raw["tosses"]:
        if "cards" in t:
            t["winners"] = list(next(draws, ()))
    answer: dict[str, Any] = {
        "precinct": precinct_info(ctx, precinct),
        "channel": channel,
        "worksheet": derived.worksheet or derived.result.to_dict(),
        "sde": derived.sde,
        "sde_display": derived.sde_display,
        "delegates": derived.delegates,
    }
    return _Request(
        ctx, precinct, report, actor, role, channel, client, idempotency_key, reason, derived,
        request_hash(precinct, report, channel, reason), report.content_hash(), raw, answer,
    )  # fmt: skip


def _store(r: _Request) -> Submission:
    """Store one prepared report; returns once it is committed (on SQLite the reports waiting
    for the writer share that commit: ``Database.run_write``)."""
    return r.ctx.db.run_write(lambda s: _store_in(s, r))


def _store_in(s: Session, r: _Request) -> Submission:
    """Store one prepared report as a new immutable version and decide its status."""
    ctx, pk = r.ctx, r.precinct.pk
    lock_precinct(ctx, s, pk)
    if r.idempotency_key:
        prior = prior_by_key(s, r.actor, r.idempotency_key)
        if prior is not None:
            if prior.request_hash != r.request_hash:
                raise Conflict(
                    "this Idempotency-Key was used for a different report", "idempotency_key"
                )
            return Submission({**prior.answer, "version_id": prior.id}, False)
    now = ctx.clock()
    outcome = _decide(s, r)
    answer = _answer(r, outcome, iso(now))
    version_id = insert_version(s, _version(r, outcome, answer, now))
    outcome.decisions.append((outcome.status, version_id, r.reason))
    ctx.audit(
        s,
        actor=r.actor,
        role=r.role,
        action=f"report.{r.channel}",
        outcome=outcome.status,
        client=r.client,
        precinct=pk,
        detail={"version_id": version_id, "receipt": answer["receipt"]},
    )
    # last: the results version's row stays locked (PostgreSQL) only for the decisions' insert
    # and the commit, not for the whole report
    results_version = bump_results(ctx, s) if outcome.status == "accepted" else 0
    add_decisions(
        s, outcome.decisions, precinct_pk=pk, actor=r.actor, at=now,
        results_version=results_version,
    )  # fmt: skip
    return Submission({**answer, "version_id": version_id}, True)


def _decide(s: Session, r: _Request) -> _Outcome:
    """The new version's status against the precinct's current result and open entries."""
    pk = r.precinct.pk
    if r.channel in ("recanvass", "recount"):
        head = current_head(s, pk)
        older = [] if head is None else [("superseded", head.id, f"{r.channel}: {r.reason}")]
        return _Outcome("accepted", older)
    if r.role != "operator":
        return _Outcome(_status_against(current_head(s, pk), r.content), [])
    first = open_first_entry(s, pk)
    if first is None:
        return _Outcome("awaiting-second-entry", [])
    if first.actor == r.actor:
        raise Conflict("the second entry must be made by another operator", "operator")
    why = f"second entry by {r.actor}"
    if first.content_hash == r.content:
        status = _status_against(current_head(s, pk), r.content)
        return _Outcome(status, [("confirmed", first.id, why)], pair_of=first.id)
    diff = field_diff(raw_of(first), r.raw)
    return _Outcome("entry-mismatch", [("entry-mismatch", first.id, why)], diff, first.id)


def _answer(r: _Request, outcome: _Outcome, entered_at: str | None) -> dict[str, Any]:
    """The answer to the client, in the order of docs/api.md."""
    a = r.answer
    answer: dict[str, Any] = {
        "receipt": receipt(),
        "status": outcome.status,
        "precinct": a["precinct"],
        "channel": a["channel"],
        "entered_at": entered_at,
        "worksheet": a["worksheet"],
        "sde": a["sde"],
        "sde_display": a["sde_display"],
        "delegates": a["delegates"],
        "message": MESSAGES[outcome.status],
    }
    if outcome.diff is not None:
        answer["diff"] = outcome.diff
    return answer


def _version(
    r: _Request, outcome: _Outcome, answer: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The columns of the new :class:`ReportVersion` row."""
    return {
        "receipt": answer["receipt"],
        "precinct_id": r.precinct.pk,
        "channel": r.channel,
        "actor": r.actor,
        "role": r.role,
        "client": r.client[:100],
        "entered_at": now,
        "idempotency_key": r.idempotency_key,
        "request_hash": r.request_hash,
        "content_hash": r.content,
        "attendees": r.report.attendees,
        "first": r.raw["first"],
        "final": r.raw["final"],
        "tosses": r.raw["tosses"],
        "worksheet": answer["worksheet"],
        "delegates": r.derived.delegates,
        "sde": r.derived.sde,
        "reason": r.reason,
        "pair_of": outcome.pair_of,
        "answer": answer,
    }


def _status_against(current: Head | None, content: str) -> str:
    if current is None:
        return "accepted"
    return "duplicate" if current.content_hash == content else "conflict"
