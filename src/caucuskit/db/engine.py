"""Engine and session factory: SQLite (WAL, durable commits) by default, PostgreSQL by URL.

SQLite: ``journal_mode=WAL``, ``synchronous=FULL`` (a commit is on disk before we answer),
``foreign_keys=ON``, a busy timeout so that several workers wait for each other, and
``BEGIN IMMEDIATE`` for write transactions so that two writers never interleave.
PostgreSQL (psycopg 3): writers lock the rows they change (``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE = "caucus.sqlite"
ENV_URL = "CAUCUS_DATABASE_URL"
_WRITE = "caucus_write"


def normalize_url(url: str | None) -> str:
    """Turn ``--db`` / ``CAUCUS_DATABASE_URL`` / a file path into a SQLAlchemy URL."""
    url = url or os.environ.get(ENV_URL) or DEFAULT_SQLITE
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def is_sqlite(url: str) -> bool:
    return normalize_url(url).startswith("sqlite")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` with the pragmas and transaction behaviour above."""
    full = normalize_url(url)
    if full.startswith("sqlite"):
        engine = create_engine(full, connect_args={"timeout": 60}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get(_WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(full, **kwargs)


class Database:
    """An engine plus two session factories: reads, and serialized writes."""

    def __init__(self, url: str | None = None, **kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **kwargs)
        self.dialect = self.engine.dialect.name
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (its transaction is ended when the session closes; loaded
        objects stay readable afterwards)."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed (durably) on success, rolled back on error."""
        with self._write() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
