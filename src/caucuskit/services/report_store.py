"""Reading and writing report versions and their decisions inside one write transaction.

Rule: rules.md §9 — every report is an immutable version; what happens to it (accepted,
conflict, awaiting a second entry, superseded...) is a :class:`Decision` row, never an update
of the version. The results version (:class:`ResultsState`) goes up with every acceptance, so
readers and the public snapshot know the results changed.

Inputs: an open SQLAlchemy session (from ``ctx.db.write()``), precinct keys, raw reports.
Outputs: rows added to the session; nothing is committed here.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from caucuskit.db.models import Decision, PrecinctRow, ReportVersion, ResultsState
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.credentials import ALPHABET
from caucuskit.services.report_input import ReportInput

DECISION_INSERT = insert(Decision.__table__)  # type: ignore[arg-type]
VERSION_INSERT = insert(ReportVersion.__table__)  # type: ignore[arg-type]


def current_version(session: Session, precinct_pk: int) -> ReportVersion | None:
    """The latest accepted version of a precinct (its current result)."""
    vid = session.scalar(
        select(Decision.version_id)
        .where(Decision.precinct_id == precinct_pk, Decision.status == "accepted")
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return None if vid is None else session.get(ReportVersion, vid)


@dataclass(frozen=True, slots=True)
class Head:
    """The id and content hash of a precinct's current result: all a new report is compared
    with (one query, without loading the stored worksheet and answer)."""

    id: int
    content_hash: str


#: A precinct's current result: the version of its latest "accepted" decision.
HEAD = (
    select(ReportVersion.id, ReportVersion.content_hash)
    .join(Decision, Decision.version_id == ReportVersion.id)
    .where(Decision.precinct_id == bindparam("pk"), Decision.status == "accepted")
    .order_by(Decision.id.desc())
    .limit(1)
)


def current_head(session: Session, precinct_pk: int) -> Head | None:
    """:func:`current_version`'s id and content hash, in one round trip (a statement built
    once, run on the session's connection: it runs on every report)."""
    row = session.connection().execute(HEAD, {"pk": precinct_pk}).first()
    return None if row is None else Head(row[0], row[1])


def version_status(session: Session, version_id: int) -> str:
    status = session.scalar(
        select(Decision.status)
        .where(Decision.version_id == version_id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return status or "unknown"


LOCK_PRECINCT = select(PrecinctRow.id).where(PrecinctRow.id == bindparam("pk")).with_for_update()
BUMP = (
    update(ResultsState.__table__)  # type: ignore[arg-type]
    .where(ResultsState.__table__.c.id == 1)
    .values(version=ResultsState.__table__.c.version + 1, updated_at=bindparam("now"))
    .returning(ResultsState.__table__.c.version)
)


def lock_precinct(ctx: Context, session: Session, precinct_pk: int) -> None:
    """Serialize writers of one precinct (SQLite: BEGIN IMMEDIATE already did)."""
    if ctx.db.is_postgres:
        session.connection().execute(LOCK_PRECINCT, {"pk": precinct_pk})


def bump_results(ctx: Context, session: Session) -> int:
    """Increase the results version and return it, in one statement (the UPDATE locks the row:
    acceptances are serialized on PostgreSQL too)."""
    version = session.connection().execute(BUMP, {"now": ctx.clock()}).scalar_one()
    return int(version)


def receipt() -> str:
    """A fresh receipt number for the chair (``R-`` and 8 characters of the code alphabet)."""
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


def open_first_entry(s: Session, precinct_pk: int) -> ReportVersion | None:
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


@dataclass(frozen=True, slots=True)
class Prior:
    """A version already stored under an idempotency key: what a replay needs."""

    id: int
    request_hash: str
    answer: dict[str, Any]


PRIOR = select(ReportVersion.id, ReportVersion.request_hash, ReportVersion.answer).where(
    ReportVersion.actor == bindparam("actor"),
    ReportVersion.idempotency_key == bindparam("key"),
)


def prior_by_key(s: Session, actor: str, idempotency_key: str) -> Prior | None:
    """The version ``actor`` already stored under ``idempotency_key``, if any."""
    row = s.connection().execute(PRIOR, {"actor": actor, "key": idempotency_key}).first()
    return None if row is None else Prior(row[0], row[1], row[2])


def add_decisions(
    s: Session,
    decisions: list[tuple[str, int, str]],
    *,
    precinct_pk: int,
    actor: str,
    at: datetime,
    results_version: int,
) -> None:
    """One :class:`Decision` row per ``(status, version id, reason)`` (one Core ``INSERT``)."""
    if not decisions:
        return
    rows = [
        {
            "version_id": vid,
            "precinct_id": precinct_pk,
            "status": status,
            "actor": actor,
            "reason": why,
            "at": at,
            "results_version": results_version,
        }
        for status, vid, why in decisions
    ]
    s.connection().execute(DECISION_INSERT, rows)


def insert_version(s: Session, values: dict[str, Any]) -> int:
    """Write one :class:`ReportVersion` row now (Core ``INSERT``, no unit of work); its id."""
    key = s.connection().execute(VERSION_INSERT, values).inserted_primary_key
    assert key is not None
    return int(key[0])
