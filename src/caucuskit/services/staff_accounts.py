"""Staff accounts (operators, the desk, admins) and their logins.

Rule: rules.md §9 (2020: the hotline was swamped; every phoned-in report is entered by a named
operator and checked by a second one, every desk decision is signed).

Inputs: user names, roles and passwords (argon2 hashes only are stored). Outputs: the accounts
issued, the (user, role) of a login, or 401/403/429/503. Wrong passwords are counted (per
account and address, per account) before the hash is checked (services/throttle.py; the
arithmetic is in docs/security.md §2); the hash is checked in the argon2 threads of
:func:`caucuskit.services.credentials.checked`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from caucuskit.db.models import Account
from caucuskit.services import credentials, throttle
from caucuskit.services.context import Context, iso
from caucuskit.services.errors import Conflict, Forbidden, Invalid, Unauthorized, Unavailable


@dataclass(frozen=True)
class IssuedAccount:
    username: str
    role: str
    password: str


def create_account(
    ctx: Context, username: str, role: str, password: str | None = None, *, actor: str = "admin"
) -> IssuedAccount:
    """Create a staff account; an existing username is refused (409)."""
    if role not in credentials.ROLES:
        raise Invalid(f"must be one of {', '.join(credentials.ROLES)}", "role")
    if not username or len(username) > 100 or ":" in username:
        raise Invalid("1..100 characters, no ':'", "username")
    secret = password or credentials.generate_password()
    digest = credentials.hasher(ctx).hash(secret)
    with ctx.db.write() as s:
        if s.scalar(select(Account).where(Account.username == username)) is not None:
            raise Conflict(f"account {username!r} exists", "username")
        s.add(Account(username=username, role=role, password_hash=digest, created_at=ctx.clock()))
        ctx.audit(
            s,
            actor=actor,
            role="admin",
            action="account.create",
            outcome="ok",
            client="cli",
            detail={"username": username, "role": role},
        )
    return IssuedAccount(username, role, secret)


def default_accounts(ctx: Context) -> list[IssuedAccount]:
    """operator1, operator2, desk1, admin — those that do not exist yet."""
    with ctx.db.read() as s:
        existing = set(s.scalars(select(Account.username)).all())
    out = []
    for name, role in (
        ("operator1", "operator"),
        ("operator2", "operator"),
        ("desk1", "desk"),
        ("admin", "admin"),
    ):
        if name not in existing:
            out.append(create_account(ctx, name, role))
    return out


def list_accounts(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.read() as s:
        rows = s.scalars(select(Account).order_by(Account.username)).all()
        return [
            {"username": a.username, "role": a.role, "created_at": iso(a.created_at)} for a in rows
        ]


# ---------------------------------------------------------------------------- staff sign-in
#: Successful logins remembered for a minute, keyed by an HMAC (random per process) of the
#: database, user name and password: never the password itself.
_CACHE_KEY = secrets.token_bytes(32)
_CACHE_SECONDS = 60
_account_cache: dict[bytes, tuple[str, str, float]] = {}


def _cache_key(ctx: Context, username: str, password: str) -> bytes:
    msg = "\x00".join((ctx.db.url, username, password)).encode("utf-8", "surrogatepass")
    return hmac.new(_CACHE_KEY, msg, hashlib.sha256).digest()


def login_limits(ctx: Context, username: str, client: str) -> list[throttle.Limit]:
    """Per account and address a few free tries; per account a budget that only shuts out
    addresses that have themselves failed (so nobody else can lock a user out)."""
    st = ctx.settings
    user = username[:100]
    pair = f"login:{user}@{throttle.client_key(client)}"
    return [
        throttle.Backoff(
            pair,
            st.login_free_failures,
            st.pair_block_base,
            st.block_cap,
            st.throttle_window,
            "wrong passwords",
        ),
        throttle.Budget(
            f"login:{user}",
            st.login_account_budget,
            st.budget_window,
            "wrong passwords for this account",
            only_after=pair,
        ),
    ]


_inflight: dict[bytes, threading.Event] = {}
_inflight_lock = threading.Lock()


def authenticate_account(
    ctx: Context, username: str, password: str, client: str = "unknown"
) -> tuple[str, str]:
    """Check a staff login; returns (username, role) or raises 401/429.

    Wrong passwords are counted (per account and address, per account) before the hash is
    checked; an unknown name is checked against a dummy hash (same answer, same time). One
    login sent several times at once is checked once per worker, the others wait for it (each
    counted as a guess until checked, a user's own right logins blocked the account, 429);
    after a failed check each waiter makes its own, counted as usual (docs/security.md §2)."""
    if (
        "\x00" in username
        or "\x00" in password
        or not username
        or len(username) > 100
        or len(password) > 1024
    ):
        raise Unauthorized("wrong user name or password", "authorization")
    key = _cache_key(ctx, username, password)
    deadline = time.monotonic() + ctx.settings.argon2_queue_timeout
    while True:
        if (hit := _account_cache.get(key)) is not None and hit[2] > time.monotonic():
            return hit[0], hit[1]
        with _inflight_lock:
            running = _inflight.get(key)
            if running is None:
                mine = _inflight[key] = threading.Event()
                break
        if not running.wait(max(0.0, deadline - time.monotonic())):
            raise Unavailable(
                "the server is busy checking passwords; try again shortly",
                ctx.settings.argon2_queue_timeout,
                "authorization",
            )
    try:
        return _check_account(ctx, key, username, password, client)
    finally:
        _inflight.pop(key, None)  # atomic; the lock guards the check-and-set above
        mine.set()


def _check_account(
    ctx: Context, key: bytes, username: str, password: str, client: str
) -> tuple[str, str]:
    limits = login_limits(ctx, username, client)
    throttle.reserve(ctx, limits)
    with ctx.db.read() as s:
        acc = s.scalar(select(Account).where(Account.username == username))
        digest, role = (acc.password_hash, acc.role) if acc is not None else (None, None)
    ok = credentials.checked(ctx, digest, password)  # a dummy hash when the user is unknown
    if not ok or role is None:
        raise Unauthorized("wrong user name or password", "authorization")
    throttle.refund(ctx, limits, clear=[limits[0].key])
    if len(_account_cache) > 10_000:
        _account_cache.clear()
    _account_cache[key] = (username, role, time.monotonic() + _CACHE_SECONDS)
    return username, role


def forget_logins() -> None:
    """Drop remembered logins (tests; after a password change)."""
    _account_cache.clear()


def require_role(role: str, allowed: tuple[str, ...]) -> None:
    if role not in allowed:
        raise Forbidden(f"role {role!r} may not do this (needs {' or '.join(allowed)})", "role")
