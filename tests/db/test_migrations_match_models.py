"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL.

Alembic's ``compare_metadata`` (what ``alembic revision --autogenerate`` would write) must find
nothing after ``upgrade head``: a model changed without a migration, or a migration that drifts
from its model, fails here instead of on a production database (issue 15).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caucuskit.db.engine import Database
from caucuskit.db.migrate import upgrade
from caucuskit.db.models import Base


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "schema.sqlite")
    return str(request.getfixturevalue("pg_url"))


def test_migrations_match_the_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        upgrade(db.engine)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": False}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        db.dispose()
    assert diff == [], "migrations and models differ:\n" + "\n".join(map(repr, diff))
