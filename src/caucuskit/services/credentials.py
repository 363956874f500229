"""Precinct access codes, staff accounts, throttling of wrong codes, chair sign-in (readiness).

Rule: rules.md §9 (2020: the app failed and the hotline was swamped; the party did not know how
many chairs could sign in). Codes are 10 characters from an alphabet without look-alikes
(no 0/O, 1/I/L): 31^10 ≈ 8.2e14 possibilities, stored only as argon2 hashes.

Throttling (counters in the database, so they hold across workers):

* per client (IP): after ``client_free_failures`` wrong codes in a window the client is blocked,
  for ``client_block_base`` seconds doubling with each further failure (capped). A blocked
  client is refused before any code is checked.
* per precinct: after ``precinct_free_failures`` wrong codes for it (from anyone) the precinct
  is in *slow mode* for a doubling period. In slow mode only a client in good standing (no
  failure in its window) is heard; if its code is right it gets in — so a stranger cannot lock
  the real chair out — and if it is wrong that client is blocked at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caucuskit.db.models import AccessCode, Account, ChairSignin, Throttle
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.errors import Conflict, Forbidden, Invalid, Throttled, Unauthorized

#: No 0/O, no 1/I/L: nothing a tired chair can misread on a printed packet.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
ROLES = ("operator", "desk", "admin")


def generate_code(length: int = CODE_LENGTH) -> str:
    """A fresh random access code, printed as ``XXXXX-XXXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(text: str) -> str:
    """What the chair typed, compared case-insensitively, spaces and dashes ignored."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory, parallelism=1)


def hasher(ctx: Context) -> PasswordHasher:
    return _hasher(ctx.settings.argon2_time_cost, ctx.settings.argon2_memory_kib)


def _verify(ph: PasswordHasher, digest: str, secret: str) -> bool:
    try:
        return bool(ph.verify(digest, secret))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---------------------------------------------------------------------------- issuing
@dataclass(frozen=True)
class IssuedCode:
    precinct_id: str
    county: str
    precinct: str
    code: str


@dataclass(frozen=True)
class IssuedAccount:
    username: str
    role: str
    password: str


def _has_code(session: Session) -> set[int]:
    return set(session.scalars(select(AccessCode.precinct_id).distinct()).all())


def issue_codes(
    ctx: Context, *, actor: str = "admin", only: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[IssuedCode], int]:
    """Give every precinct without a code one (never rotates silently); returns (new, kept).

    ``progress(done, total)`` is called as the codes are hashed (the slow part: argon2)."""
    ph = hasher(ctx)
    wanted = ctx.precincts if only is None else [ctx.precinct_by_id(x) for x in only]
    with ctx.db.read() as s:
        have = _has_code(s)
    todo = [p for p in wanted if p.pk not in have]
    issued = [IssuedCode(p.id, p.county, p.name, generate_code()) for p in todo]
    rows = []
    for i, (p, c) in enumerate(zip(todo, issued, strict=True)):
        rows.append((p, ph.hash(normalize_code(c.code))))
        if progress is not None:
            progress(i + 1, len(todo))
    now = ctx.clock()
    with ctx.db.write() as s:
        again = _has_code(s)  # another process may have issued meanwhile
        kept_new = []
        for (p, digest), code in zip(rows, issued, strict=True):
            if p.pk in again:
                continue
            s.add(AccessCode(precinct_id=p.pk, code_hash=digest, issued_at=now, issued_by=actor,
                             reason="issue"))
            kept_new.append(code)
        ctx.audit(s, actor=actor, role="admin", action="credentials.issue", outcome="ok",
                  client="cli", detail={"issued": len(kept_new)})
    return kept_new, len(wanted) - len(kept_new)


def rotate_code(ctx: Context, precinct_id: str, *, actor: str = "admin", reason: str = "") -> str:
    """A new code for one precinct (the old one stops working); logged."""
    p = ctx.precinct_by_id(precinct_id)
    code = generate_code()
    digest = hasher(ctx).hash(normalize_code(code))
    with ctx.db.write() as s:
        s.add(AccessCode(precinct_id=p.pk, code_hash=digest, issued_at=ctx.clock(),
                         issued_by=actor, reason=reason or "rotate"))
        ctx.audit(s, actor=actor, role="admin", action="credentials.rotate", outcome="ok",
                  client="cli", precinct=p.pk, detail={"reason": reason})
    return code


def create_account(
    ctx: Context, username: str, role: str, password: str | None = None, *, actor: str = "admin"
) -> IssuedAccount:
    """Create a staff account; an existing username is refused (409)."""
    if role not in ROLES:
        raise Invalid(f"must be one of {', '.join(ROLES)}", "role")
    if not username or len(username) > 100 or ":" in username:
        raise Invalid("1..100 characters, no ':'", "username")
    secret = password or generate_password()
    digest = hasher(ctx).hash(secret)
    with ctx.db.write() as s:
        if s.scalar(select(Account).where(Account.username == username)) is not None:
            raise Conflict(f"account {username!r} exists", "username")
        s.add(Account(username=username, role=role, password_hash=digest,
                      created_at=ctx.clock()))
        ctx.audit(s, actor=actor, role="admin", action="account.create", outcome="ok",
                  client="cli", detail={"username": username, "role": role})
    return IssuedAccount(username, role, secret)


def default_accounts(ctx: Context) -> list[IssuedAccount]:
    """operator1, operator2, desk1, admin — those that do not exist yet."""
    with ctx.db.read() as s:
        existing = set(s.scalars(select(Account.username)).all())
    out = []
    for name, role in (("operator1", "operator"), ("operator2", "operator"), ("desk1", "desk"),
                       ("admin", "admin")):
        if name not in existing:
            out.append(create_account(ctx, name, role))
    return out


def list_accounts(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.read() as s:
        rows = s.scalars(select(Account).order_by(Account.username)).all()
        return [{"username": a.username, "role": a.role, "created_at": iso(a.created_at)}
                for a in rows]


# ---------------------------------------------------------------------------- staff sign-in
_account_cache: dict[tuple[str, str, str], tuple[str, float]] = {}


def authenticate_account(ctx: Context, username: str, password: str) -> tuple[str, str]:
    """Check a staff login; returns (username, role) or raises :class:`Unauthorized`."""
    import time

    key = (ctx.db.url, username, password)
    hit = _account_cache.get(key)
    if hit is not None and hit[1] > time.monotonic():
        return username, hit[0]
    with ctx.db.read() as s:
        acc = s.scalar(select(Account).where(Account.username == username))
        digest, role = (acc.password_hash, acc.role) if acc is not None else (None, None)
    if digest is None or role is None or not _verify(hasher(ctx), digest, password):
        raise Unauthorized("wrong user name or password", "authorization")
    _account_cache[key] = (role, time.monotonic() + 60)
    return username, role


def require_role(role: str, allowed: tuple[str, ...]) -> None:
    if role not in allowed:
        raise Forbidden(f"role {role!r} may not do this (needs {' or '.join(allowed)})", "role")


# ---------------------------------------------------------------------------- throttling
def _throttle(session: Session, key: str, now: datetime, window: int) -> Throttle:
    row = session.get(Throttle, key, with_for_update=True)
    if row is None:
        row = Throttle(key=key, failures=0, window_start=now, blocked_until=None)
        session.add(row)
        session.flush()
    elif (now - row.window_start).total_seconds() > window and (
        row.blocked_until is None or row.blocked_until <= now
    ):
        row.failures, row.window_start, row.blocked_until = 0, now, None
    return row


def _peek(session: Session, key: str) -> Throttle | None:
    return session.get(Throttle, key)


def check_throttle(ctx: Context, precinct: PrecinctRef, client: str) -> None:
    """Refuse (429) before hashing when this client is blocked, or the precinct is in slow
    mode and this client has failed recently."""
    now = ctx.clock()
    st = ctx.settings
    with ctx.db.read() as s:
        c = _peek(s, f"client:{client}")
        p = _peek(s, f"precinct:{precinct.pk}")
        if c is not None and c.blocked_until is not None and c.blocked_until > now:
            wait = (c.blocked_until - now).total_seconds()
            raise Throttled(f"too many wrong codes from this client; try again in {int(wait)+1} s",
                            int(wait) + 1)
        recent = c is not None and c.failures > 0 and (
            (now - c.window_start).total_seconds() <= st.throttle_window)
        if p is not None and p.blocked_until is not None and p.blocked_until > now and recent:
            wait = (p.blocked_until - now).total_seconds()
            raise Throttled(f"too many wrong codes for this precinct; try again in {int(wait)+1} s",
                            int(wait) + 1)


def _backoff(base: int, over: int, cap: int) -> int:
    return int(min(cap, base * 2 ** min(max(over, 0), 20)))


def record_failure(ctx: Context, precinct: PrecinctRef | None, client: str) -> None:
    """Count a wrong code against the client and the precinct (own transaction)."""
    now = ctx.clock()
    st = ctx.settings
    with ctx.db.write() as s:
        c = _throttle(s, f"client:{client}", now, st.throttle_window)
        c.failures += 1
        slow = False
        if precinct is not None:
            p = _throttle(s, f"precinct:{precinct.pk}", now, st.throttle_window)
            slow = p.blocked_until is not None and p.blocked_until > now
            p.failures += 1
            if p.failures > st.precinct_free_failures:
                over = p.failures - st.precinct_free_failures - 1
                p.blocked_until = now + timedelta(
                    seconds=_backoff(st.precinct_block_base, over, st.block_cap))
        if c.failures >= st.client_free_failures or slow:
            over = c.failures - st.client_free_failures
            c.blocked_until = now + timedelta(
                seconds=_backoff(st.client_block_base, over, st.block_cap))


def _clear(ctx: Context, precinct: PrecinctRef, client: str) -> None:
    with ctx.db.write() as s:
        for key in (f"client:{client}", f"precinct:{precinct.pk}"):
            row = s.get(Throttle, key, with_for_update=True)
            if row is not None and row.failures:
                row.failures, row.window_start, row.blocked_until = 0, ctx.clock(), None


def verify_precinct_code(ctx: Context, precinct: PrecinctRef, code: str, client: str) -> None:
    """Check ``code`` for ``precinct`` with throttling; raises 401/429 (the caller audits)."""
    check_throttle(ctx, precinct, client)
    with ctx.db.read() as s:
        digest = s.scalar(
            select(AccessCode.code_hash)
            .where(AccessCode.precinct_id == precinct.pk)
            .order_by(AccessCode.id.desc())
            .limit(1)
        )
    normalized = normalize_code(code or "")
    ok = digest is not None and bool(normalized) and _verify(hasher(ctx), digest, normalized)
    if not ok:
        record_failure(ctx, precinct, client)
        if digest is None:
            raise Unauthorized("no access code has been issued for this precinct", "code")
        raise Unauthorized("wrong access code for this precinct", "code")
    with ctx.db.read() as s:
        dirty = any(
            (row := s.get(Throttle, k)) is not None and row.failures
            for k in (f"client:{client}", f"precinct:{precinct.pk}")
        )
    if dirty:
        _clear(ctx, precinct, client)


# ---------------------------------------------------------------------------- readiness
def record_signin(ctx: Context, precinct: PrecinctRef, client: str) -> tuple[datetime, bool]:
    """Record that the chair's code worked (readiness); returns (time, first sign-in?)."""
    now = ctx.clock()
    with ctx.db.write() as s:
        before = s.scalar(select(func.count()).select_from(ChairSignin)
                          .where(ChairSignin.precinct_id == precinct.pk)) or 0
        s.add(ChairSignin(precinct_id=precinct.pk, at=now, client=client[:100]))
        ctx.audit(s, actor=f"chair:{precinct.id}", role="chair", action="chair.signin",
                  outcome="ok", client=client, precinct=precinct.pk)
    return now, before == 0


def readiness(ctx: Context) -> dict[str, Any]:
    """How many chairs have signed in, statewide and per county (the 2020 warning sign)."""
    with ctx.db.read() as s:
        signed = set(s.scalars(select(ChairSignin.precinct_id).distinct()).all())
    per: dict[str, list[int]] = {}
    for p in ctx.precincts:
        row = per.setdefault(p.county, [0, 0])
        row[1] += 1
        if p.pk in signed:
            row[0] += 1
    return {
        "signed_in": sum(v[0] for v in per.values()),
        "total": len(ctx.precincts),
        "counties": [
            {"county": c, "county_id": p_id, "signed_in": per.get(c, [0, 0])[0],
             "total": per.get(c, [0, 0])[1]}
            for p_id, c in ctx.county_ids.items()
        ],
    }
