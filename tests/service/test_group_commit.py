"""Group commit on SQLite (issue 11: 100 chair reports/s): concurrent units of work share one
durable commit, each in its own savepoint, and each caller gets its own outcome.

Real threads on a real SQLite file; the audit table stands in for any append-only rows.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caucuskit.db.engine import Database
from caucuskit.db.migrate import upgrade
from caucuskit.db.models import AuditEntry
from caucuskit.services.context import utcnow


def _entry(actor: str) -> AuditEntry:
    return AuditEntry(
        at=utcnow(), actor=actor, role="chair", action="t", outcome="ok", client="c", detail={}
    )


def test_concurrent_units_share_commits_and_fail_alone(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "g.sqlite"))
    upgrade(db.engine)
    assert db.batcher is not None
    results: dict[int, object] = {}
    start = threading.Barrier(24)

    def unit(i: int) -> None:
        def fn(s: Session) -> int:
            s.add(_entry(f"a{i}"))
            s.flush()
            if i % 5 == 0:
                raise ValueError(f"unit {i} refuses")
            # every unit sees the rows of the units before it in the same transaction
            return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)

        start.wait()
        try:
            results[i] = db.run_write(fn)
        except ValueError as exc:
            results[i] = exc

    threads = [threading.Thread(target=unit, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failed = {i for i, r in results.items() if isinstance(r, ValueError)}
    assert failed == {i for i in range(24) if i % 5 == 0}
    with db.read() as s:
        stored = set(s.scalars(select(AuditEntry.actor)))
    assert stored == {f"a{i}" for i in range(24) if i not in failed}  # refused ones rolled back
    assert sorted(r for r in results.values() if isinstance(r, int)) == list(range(1, 20))
    assert db.batcher.units == 24 and db.batcher.batches < 24  # some shared a commit
    db.dispose()


def test_a_unit_that_breaks_a_constraint_is_rolled_back_alone(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "f.sqlite"))
    upgrade(db.engine)

    def bad(s: Session) -> None:
        s.add(AuditEntry(at=utcnow(), actor="x"))  # NOT NULL columns missing: flush fails

    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError
        db.run_write(bad)
    assert db.run_write(lambda s: s.add(_entry("ok"))) is None
    with db.read() as s:
        assert list(s.scalars(select(AuditEntry.actor))) == ["ok"]
    db.dispose()
