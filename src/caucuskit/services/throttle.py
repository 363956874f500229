"""Counting guesses: atomic, before the expensive check, in the database (so across workers).

Rule: rules.md §9 (2020: the phone line and the people who had to get through). The threat
model and the arithmetic are in docs/security.md.

A guess is *reserved* before it is checked: one write transaction locks the counters it touches
(``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), refuses with
:class:`Throttled` if any of them is closed, and otherwise counts the guess as a failure. Only
then is the code or password hashed. A guess that turns out right is *refunded* (its own
reservation only, so a valid code cannot wash away failures made with wrong ones). However many
requests arrive at once, at most ``free`` (or ``budget``) of them are ever checked.

Two kinds of counter:

* :class:`Backoff` — a few free failures, then a block that doubles with each further failure
  (per precinct and address, per staff account and address);
* :class:`Budget` — a hard number of failures per window (per address across all precincts, per
  staff account). With ``only_after`` set it refuses only callers whose own :class:`Backoff`
  counter has failures, so a real user from a clean place still gets in.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from caucuskit.db.models import Throttle
from caucuskit.services.context import Context
from caucuskit.services.errors import Throttled

KEY_MAX = 200


@dataclass(frozen=True)
class Backoff:
    """``free`` failures per ``window`` seconds, then blocked ``base * 2**k`` s (capped)."""

    key: str
    free: int
    base: int
    cap: int
    window: int
    what: str = "wrong codes"


@dataclass(frozen=True)
class Budget:
    """At most ``budget`` failures per ``window`` seconds (fixed window from the first one)."""

    key: str
    budget: int
    window: int
    what: str = "wrong codes"
    only_after: str | None = None


Limit = Backoff | Budget


def client_key(host: str) -> str:
    """The address a client is counted under: IPv4 as is, IPv6 by its /64 (one household or
    one machine usually holds a whole /64, so counting single IPv6 addresses would let anyone
    rotate through 2**64 of them)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host.replace("\x00", "")[:64] or "unknown"
    if ip.version == 6:
        mapped = ip.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _backoff(base: int, over: int, cap: int) -> int:
    return int(min(cap, base * 2 ** min(max(over, 0), 30)))


_T = cast(Table, Throttle.__table__)
_COLS = (_T.c.key, _T.c.failures, _T.c.window_start, _T.c.blocked_until)
#: The counters of one guess, locked in key order (PostgreSQL ``FOR UPDATE``; on SQLite the
#: write transaction's ``BEGIN IMMEDIATE`` already holds the whole database).
_LOCK = select(*_COLS).where(_T.c.key.in_(bindparam("keys", expanding=True)))
_LOCK = _LOCK.order_by(_T.c.key).with_for_update()
_SAVE = (
    update(_T)
    .where(_T.c.key == bindparam("k"))
    .values(failures=bindparam("f"), window_start=bindparam("w"), blocked_until=bindparam("b"))
)


@dataclass(slots=True)
class _Counter:
    """One locked counter row, changed in memory and written back at the end."""

    key: str
    failures: int
    window_start: datetime
    blocked_until: datetime | None


def _ensure_rows(conn: Connection, keys: Sequence[str], now: datetime) -> None:
    """Create missing counters without racing another worker (INSERT ... ON CONFLICT)."""
    rows = [{"key": k, "failures": 0, "window_start": now, "blocked_until": None} for k in keys]
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(pg_insert(_T).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        conn.execute(sqlite_insert(_T).on_conflict_do_nothing(), rows)
    else:  # pragma: no cover - only the two databases above are supported
        have = set(conn.scalars(select(_T.c.key).where(_T.c.key.in_(keys))))
        missing = [r for r in rows if r["key"] not in have]
        if missing:
            conn.execute(insert(_T), missing)


def _lock(conn: Connection, keys: Sequence[str], now: datetime) -> dict[str, _Counter]:
    """Lock the counters in key order (no deadlock between two reservations): one
    ``INSERT ... ON CONFLICT DO NOTHING`` and one ``SELECT ... FOR UPDATE`` for all of them."""
    wanted = sorted(set(keys))
    _ensure_rows(conn, wanted, now)
    out = {r.key: _Counter(*r) for r in conn.execute(_LOCK, {"keys": wanted})}
    assert len(out) == len(wanted)
    return out


def _save(conn: Connection, rows: dict[str, _Counter]) -> None:
    conn.execute(
        _SAVE,
        [
            {"k": r.key, "f": r.failures, "w": r.window_start, "b": r.blocked_until}
            for r in rows.values()
        ],
    )


def _wait(until: datetime, now: datetime) -> int:
    return int((until - now).total_seconds()) + 1


def _refresh(row: _Counter, limit: Limit, now: datetime) -> None:
    """Start a new window when the old one is over and no block is running."""
    blocked = row.blocked_until is not None and row.blocked_until > now
    if (now - row.window_start).total_seconds() > limit.window and not blocked:
        row.failures, row.window_start, row.blocked_until = 0, now, None


def _refusal(rows: dict[str, _Counter], limit: Limit, now: datetime) -> Throttled | None:
    row = rows[limit.key]
    if isinstance(limit, Backoff):
        if row.blocked_until is not None and row.blocked_until > now:
            wait = _wait(row.blocked_until, now)
            return Throttled(f"too many {limit.what}; try again in {wait} s", wait)
        return None
    if row.failures < limit.budget:
        return None
    if limit.only_after is not None and rows[limit.only_after].failures == 0:
        return None
    wait = _wait(row.window_start + timedelta(seconds=limit.window), now)
    return Throttled(f"too many {limit.what} from here; try again in {wait} s", wait)


def reserve(ctx: Context, limits: Sequence[Limit]) -> None:
    """Count one guess against every limit, or refuse (429) if any is closed; atomic."""
    now = ctx.clock()
    for limit in limits:
        if len(limit.key) > KEY_MAX or "\x00" in limit.key:
            raise ValueError(f"bad throttle key {limit.key!r}")

    def count(s: Session) -> None:
        conn = s.connection()
        rows = _lock(conn, [lim.key for lim in limits], now)
        for limit in limits:
            _refresh(rows[limit.key], limit, now)
        refusals = [r for lim in limits if (r := _refusal(rows, lim, now)) is not None]
        if refusals:  # nothing is written: this unit of work is rolled back
            raise max(refusals, key=lambda r: r.retry_after)
        for limit in limits:
            row = rows[limit.key]
            row.failures += 1
            if isinstance(limit, Backoff) and row.failures >= limit.free:
                seconds = _backoff(limit.base, row.failures - limit.free, limit.cap)
                row.blocked_until = now + timedelta(seconds=seconds)
        _save(conn, rows)

    ctx.db.run_write(count)  # group commit (db/batch.py): its own savepoint, one commit
    if random.random() < 0.002:  # housekeeping, not security
        prune(ctx, max(lim.window for lim in limits))


def refund(ctx: Context, limits: Sequence[Limit], clear: Sequence[str] = ()) -> None:
    """Give back one reserved guess that turned out right; reset the counters in ``clear``."""
    now = ctx.clock()

    def give_back(s: Session) -> None:
        conn = s.connection()
        rows = _lock(conn, [lim.key for lim in limits], now)
        for limit in limits:
            row = rows[limit.key]
            if limit.key in clear:
                row.failures, row.window_start, row.blocked_until = 0, now, None
                continue
            row.failures = max(0, row.failures - 1)
            if isinstance(limit, Backoff) and row.failures < limit.free:
                row.blocked_until = None
        _save(conn, rows)

    ctx.db.run_write(give_back)


def prune(ctx: Context, older_than: int) -> int:
    """Delete counters whose window ended long ago and that block nothing."""
    now = ctx.clock()
    cutoff = now - timedelta(seconds=2 * older_than)
    with ctx.db.write() as s:
        result = s.execute(
            delete(Throttle).where(
                Throttle.window_start < cutoff,
                (Throttle.blocked_until.is_(None)) | (Throttle.blocked_until < now),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
