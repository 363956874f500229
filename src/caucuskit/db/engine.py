"""Engine and session factory: SQLite (WAL, durable commits) by default, PostgreSQL by URL.

SQLite: ``journal_mode=WAL``, ``synchronous=FULL`` (a commit is on disk before we answer),
``foreign_keys=ON``, a busy timeout so that several workers wait for each other, and
``BEGIN IMMEDIATE`` for write transactions so that two writers never interleave.
PostgreSQL (psycopg 3): writers lock the rows they change (``SELECT ... FOR UPDATE``).

SQLite has one writer at a time, and a writer that finds the database locked polls, sleeping up
to 100 ms between tries: under many concurrent reports most of a report's time went to those
sleeps (issue 11: chair submissions p99 of seconds). So :meth:`Database.write` first queues
for the writer's turn where waiting costs nothing: a thread lock within the process, then an
``flock`` on ``<database>.write-lock`` across the workers (the kernel wakes the next writer the
moment the lock is released). SQLite's own lock stays the real guard; the queue only orders
the writers that go through :meth:`Database.write`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from caucuskit.db.batch import Batcher

T = TypeVar("T")

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


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite:///"):
        return None
    name = url[len("sqlite:///") :].split("?", 1)[0]
    return None if name in ("", ":memory:") else Path(name)


class WriterQueue:
    """The turn of one SQLite writer at a time: a thread lock, then ``flock`` on a lock file
    (the outermost :meth:`Database.write` of a thread takes it; nested ones do not)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.local()
        self.thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # one descriptor per process
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def turn(self) -> Iterator[None]:
        depth = getattr(self.local, "depth", 0)
        if depth:
            self.local.depth = depth + 1
            try:
                yield
            finally:
                self.local.depth = depth
            return
        import fcntl

        with self.thread_lock:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            self.local.depth = 1
            try:
                yield
            finally:
                self.local.depth = 0
                fcntl.flock(fd, fcntl.LOCK_UN)


class Database:
    """An engine plus two session factories: reads, and serialized writes."""

    def __init__(self, url: str | None = None, **kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **kwargs)
        path = sqlite_file(self.url)
        self.queue = (
            None
            if path is None or os.name != "posix"
            else WriterQueue(path.with_name(path.name + ".write-lock"))
        )
        self.batcher = None if self.queue is None else Batcher(self)
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
        if self.queue is None:
            with self._write() as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
            return
        with self.queue.turn(), self._write() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def run_write(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` in a write transaction, committed durably before this returns.

        On a SQLite file the units of concurrent callers share one commit, each in its own
        savepoint (group commit, :mod:`caucuskit.db.batch`); elsewhere it is :meth:`write`.
        """
        if self.batcher is None:
            with self.write() as session:
                return fn(session)
        return self.batcher.run(fn)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.queue is not None and self.queue._fd is not None:
            os.close(self.queue._fd)
            self.queue._fd = None
