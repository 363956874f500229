"""Storage: migrations up and down on both databases; the pragmas that make SQLite durable."""

from __future__ import annotations

from sqlalchemy import inspect

from caucuskit.db.engine import Database
from caucuskit.db.migrate import downgrade, upgrade
from caucuskit.db.models import APPEND_ONLY_TABLES, Base


def test_migrations_up_down_up(db_url: str) -> None:
    db = Database(db_url)
    upgrade(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert set(APPEND_ONLY_TABLES) <= tables
    downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(db.engine)
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    db.dispose()


def test_sqlite_is_wal_and_synchronous_full(tmp_path: object) -> None:
    db = Database(f"{tmp_path}/p.sqlite")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()
