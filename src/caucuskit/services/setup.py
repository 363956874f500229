"""``caucus init``: create the schema and load an election definition.

Rule: rules.md §2 (the apportionment is input data, loaded once).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from caucuskit.core.election import Election
from caucuskit.db.definition import election_to_json
from caucuskit.db.engine import Database
from caucuskit.db.migrate import upgrade
from caucuskit.db.models import ElectionRow, PrecinctRow, ResultsState
from caucuskit.services.context import Context, utcnow
from caucuskit.services.errors import Conflict
from caucuskit.services.ids import precinct_slugs


@dataclass(frozen=True)
class InitResult:
    election: str
    precincts: int
    created: bool


def migrate(db: Database) -> None:
    """Bring the schema to the latest revision (idempotent)."""
    upgrade(db.engine)


def init_database(db: Database, election: Election) -> InitResult:
    """Create the schema and load ``election`` (again with the same election: a no-op)."""
    migrate(db)
    with db.write() as s:
        existing = s.scalars(select(ElectionRow)).first()
        if existing is not None:
            if existing.id != election.id:
                raise Conflict(
                    f"this database already runs election {existing.id!r}; use another database",
                    "election",
                )
            count = s.scalar(select(func.count()).select_from(PrecinctRow)) or 0
            return InitResult(existing.id, count, False)
        s.add(
            ElectionRow(
                id=election.id,
                title=election.title,
                ruleset=election.rules.name,
                definition=election_to_json(election),
                loaded_at=utcnow(),
            )
        )
        slugs = precinct_slugs(p.key for p in election.precincts)
        s.add_all(
            PrecinctRow(
                slug=slugs[p.key],
                county=p.county,
                name=p.name,
                code=p.code,
                delegates=p.delegates,
                satellite=p.satellite,
            )
            for p in election.precincts
        )
        s.add(ResultsState(id=1, version=0, updated_at=None))
    return InitResult(election.id, len(election.precincts), True)


def certify(ctx: Context, actor: str = "admin") -> int:
    """Mark the results certified (public status ``certified``); returns the results version."""
    from caucuskit.services.submit import bump_results

    with ctx.db.write() as s:
        row = s.scalars(select(ElectionRow)).first()
        if row is None:
            raise Conflict("no election loaded", "election")
        if row.certified_at is not None:
            raise Conflict("already certified", "election")
        row.certified_at = ctx.clock()
        version = bump_results(ctx, s)
        ctx.audit(
            s,
            actor=actor,
            role="admin",
            action="election.certify",
            outcome="ok",
            client="cli",
            detail={"results_version": version},
        )
    return version
