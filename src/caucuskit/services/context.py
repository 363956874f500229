"""The running service: database, settings, the election and its precinct index, the audit log.

Every use case (setup, credentials, submit, desk, snapshot, export) takes a :class:`Context`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from caucuskit.core.election import Election
from caucuskit.db.definition import election_from_json
from caucuskit.db.engine import Database
from caucuskit.db.models import AuditEntry, ElectionRow, PrecinctRow
from caucuskit.services.errors import Invalid, NotFound, ServiceError
from caucuskit.services.ids import slug
from caucuskit.services.settings import Settings

AUDIT_INSERT = insert(AuditEntry.__table__)  # type: ignore[arg-type]


def utcnow() -> datetime:
    """Naive UTC (the database stores naive UTC timestamps)."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(at: datetime | None) -> str | None:
    """``2020-02-03T20:31:07.123456Z`` for a naive-UTC timestamp."""
    return None if at is None else at.isoformat() + "Z"


@dataclass(frozen=True)
class PrecinctRef:
    """A precinct as the service sees it: database id, public id, names and D."""

    pk: int
    id: str
    county: str
    county_id: str
    name: str
    delegates: int | None
    satellite: bool


class NotInitialized(ServiceError):
    status, code = 503, "not-initialized"


class Context:
    """Shared state of one process (thread-safe; one per worker)."""

    def __init__(
        self,
        settings: Settings,
        db: Database | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        self.clock = clock
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ the election
    @cached_property
    def election(self) -> Election:
        with self.db.read() as s:
            row = s.scalars(select(ElectionRow)).first()
            if row is None:
                raise NotInitialized("no election loaded: run `caucus init` first", "election")
            return election_from_json(row.definition)

    @cached_property
    def precincts(self) -> list[PrecinctRef]:
        with self.db.read() as s:
            rows = s.scalars(select(PrecinctRow).order_by(PrecinctRow.id)).all()
            return [
                PrecinctRef(
                    r.id, r.slug, r.county, slug(r.county), r.name, r.delegates, r.satellite
                )
                for r in rows
            ]

    @cached_property
    def by_id(self) -> dict[str, PrecinctRef]:
        return {p.id: p for p in self.precincts}

    @cached_property
    def by_pk(self) -> dict[int, PrecinctRef]:
        return {p.pk: p for p in self.precincts}

    @cached_property
    def by_name(self) -> dict[tuple[str, str], PrecinctRef]:
        return {(p.county, p.name): p for p in self.precincts}

    @cached_property
    def county_ids(self) -> dict[str, str]:
        """county id -> county name."""
        return {slug(c.name): c.name for c in self.election.counties}

    def find_precinct(
        self, county: str | None, precinct: str | None, precinct_id: str | None = None
    ) -> PrecinctRef:
        """Resolve a precinct named in a body; :class:`Invalid` naming the field otherwise."""
        if precinct_id:
            ref = self.by_id.get(precinct_id)
            if ref is None:
                raise Invalid(f"unknown precinct id {precinct_id!r}", "precinct_id")
            return ref
        if not county:
            raise Invalid("required (or give precinct_id)", "county")
        if not precinct:
            raise Invalid("required (or give precinct_id)", "precinct")
        if county not in self.election.county_by_name:
            raise Invalid(f"unknown county {county!r}", "county")
        ref = self.by_name.get((county, precinct))
        if ref is None:
            raise Invalid(f"no precinct {precinct!r} in {county}", "precinct")
        return ref

    def precinct_by_id(self, precinct_id: str) -> PrecinctRef:
        ref = self.by_id.get(precinct_id)
        if ref is None:
            raise NotFound(f"unknown precinct id {precinct_id!r}", "precinct_id")
        return ref

    # ------------------------------------------------------------------ the audit log
    def audit(
        self,
        session: Session,
        *,
        actor: str,
        role: str,
        action: str,
        outcome: str,
        client: str,
        precinct: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Add one audit line to ``session`` (committed with it). One Core ``INSERT`` on the
        session's connection: the line is written at once, without the ORM's unit of work
        (on every report, issue 11)."""
        session.connection().execute(
            AUDIT_INSERT,
            {
                "at": self.clock(),
                "actor": actor[:200],
                "role": role[:20],
                "action": action[:50],
                "outcome": outcome[:30],
                "precinct_id": precinct,
                "client": client[:100],
                "detail": detail or {},
            },
        )

    def audit_refusal(
        self,
        error: ServiceError,
        *,
        actor: str,
        role: str,
        action: str,
        client: str,
        precinct: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Write the audit line of a refused request, committed before the refusal is
        answered (group commit with other writes arriving meanwhile, db/batch.py)."""
        info = dict(detail or {})
        info["status"] = error.status
        info["problems"] = [{"field": p.field, "message": p.message} for p in error.problems]
        self.db.run_write(
            lambda s: self.audit(
                s,
                actor=actor,
                role=role,
                action=action,
                outcome="refused",
                client=client,
                precinct=precinct,
                detail=info,
            )
        )
