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

from sqlalchemy import delete, insert
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


def _ensure_rows(session: Session, keys: Sequence[str], now: datetime) -> None:
    """Create missing counters without racing another worker (INSERT ... ON CONFLICT)."""
    rows = [{"key": k, "failures": 0, "window_start": now, "blocked_until": None} for k in keys]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(Throttle).values(rows).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(Throttle).values(rows).on_conflict_do_nothing())
    else:  # pragma: no cover - only the two databases above are supported
        for row in rows:
            if session.get(Throttle, row["key"]) is None:
                session.execute(insert(Throttle).values(row))


def _lock(session: Session, keys: Sequence[str], now: datetime) -> dict[str, Throttle]:
    """Lock the counters one by one in key order (no deadlock between two reservations)."""
    _ensure_rows(session, keys, now)
    out: dict[str, Throttle] = {}
    for key in sorted(set(keys)):
        row = session.get(Throttle, key, with_for_update=True, populate_existing=True)
        assert row is not None
        out[key] = row
    return out


def _wait(until: datetime, now: datetime) -> int:
    return int((until - now).total_seconds()) + 1


def _refresh(row: Throttle, limit: Limit, now: datetime) -> None:
    """Start a new window when the old one is over and no block is running."""
    blocked = row.blocked_until is not None and row.blocked_until > now
    if (now - row.window_start).total_seconds() > limit.window and not blocked:
        row.failures, row.window_start, row.blocked_until = 0, now, None


def _refusal(rows: dict[str, Throttle], limit: Limit, now: datetime) -> Throttled | None:
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
    with ctx.db.write() as s:
        rows = _lock(s, [lim.key for lim in limits], now)
        for limit in limits:
            _refresh(rows[limit.key], limit, now)
        refusals = [r for lim in limits if (r := _refusal(rows, lim, now)) is not None]
        if refusals:
            raise max(refusals, key=lambda r: r.retry_after)
        for limit in limits:
            row = rows[limit.key]
            row.failures += 1
            if isinstance(limit, Backoff) and row.failures >= limit.free:
                seconds = _backoff(limit.base, row.failures - limit.free, limit.cap)
                row.blocked_until = now + timedelta(seconds=seconds)
    if random.random() < 0.002:  # housekeeping, not security
        prune(ctx, max(lim.window for lim in limits))


def refund(ctx: Context, limits: Sequence[Limit], clear: Sequence[str] = ()) -> None:
    """Give back one reserved guess that turned out right; reset the counters in ``clear``."""
    now = ctx.clock()
    with ctx.db.write() as s:
        rows = _lock(s, [lim.key for lim in limits], now)
        for limit in limits:
            row = rows[limit.key]
            if limit.key in clear:
                row.failures, row.window_start, row.blocked_until = 0, now, None
                continue
            row.failures = max(0, row.failures - 1)
            if isinstance(limit, Backoff) and row.failures < limit.free:
                row.blocked_until = None


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
