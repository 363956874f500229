"""Precinct access codes, the argon2 checks of every secret, throttling of wrong codes, chair
sign-in (readiness). Staff accounts and their logins are :mod:`caucuskit.services.staff_accounts`.

Rule: rules.md §9 (2020: the app failed and the hotline was swamped; the party did not know how
many chairs could sign in). Codes are 10 characters from an alphabet without look-alikes
(no 0/O, 1/I/L): 31^10 ≈ 8.2e14 possibilities, stored only as argon2 hashes.

Throttling: every code or password guess is counted in the database before it is checked
(services/throttle.py; the limits and their arithmetic are in docs/security.md). Chairs are
counted per precinct and address plus a budget per address; staff per account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caucuskit.db.models import AccessCode, ChairSignin, Throttle
from caucuskit.services import throttle
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.errors import Unauthorized, Unavailable

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


def _has_code(session: Session) -> set[int]:
    return set(session.scalars(select(AccessCode.precinct_id).distinct()).all())


def issue_codes(
    ctx: Context,
    *,
    actor: str = "admin",
    only: list[str] | None = None,
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
            s.add(
                AccessCode(
                    precinct_id=p.pk,
                    code_hash=digest,
                    issued_at=now,
                    issued_by=actor,
                    reason="issue",
                )
            )
            kept_new.append(code)
        ctx.audit(
            s,
            actor=actor,
            role="admin",
            action="credentials.issue",
            outcome="ok",
            client="cli",
            detail={"issued": len(kept_new)},
        )
    return kept_new, len(wanted) - len(kept_new)


def rotate_code(ctx: Context, precinct_id: str, *, actor: str = "admin", reason: str = "") -> str:
    """A new code for one precinct (the old one stops working); logged."""
    p = ctx.precinct_by_id(precinct_id)
    code = generate_code()
    digest = hasher(ctx).hash(normalize_code(code))
    with ctx.db.write() as s:
        s.add(
            AccessCode(
                precinct_id=p.pk,
                code_hash=digest,
                issued_at=ctx.clock(),
                issued_by=actor,
                reason=reason or "rotate",
            )
        )
        ctx.audit(
            s,
            actor=actor,
            role="admin",
            action="credentials.rotate",
            outcome="ok",
            client="cli",
            precinct=p.pk,
            detail={"reason": reason},
        )
    return code


# ---------------------------------------------------------------------------- argon2 queue
_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(ctx: Context) -> ThreadPoolExecutor:
    """The few threads that run argon2 in this worker. Only these threads ever allocate its
    memory (19 MiB a check), so the process keeps at most ``argon2_concurrency`` such buffers:
    with one thread per request, each request thread's malloc arena kept its own (D4)."""
    n = max(1, ctx.settings.argon2_concurrency)
    with _pools_lock:
        pool = _pools.get(n)
        if pool is None:
            pool = _pools[n] = ThreadPoolExecutor(n, thread_name_prefix="argon2")
        return pool


def checked(ctx: Context, digest: str | None, secret: str) -> bool:
    """One argon2 check in the argon2 threads; a burst waits in their queue (503 with
    Retry-After after ``argon2_queue_timeout`` s). With no ``digest`` a dummy hash is checked,
    so an unknown name costs the same time as a known one."""
    ph = hasher(ctx)
    job = _pool(ctx).submit(_verify, ph, digest or _dummy(ctx), secret or "x")
    try:
        ok = job.result(timeout=ctx.settings.argon2_queue_timeout)
    except FutureTimeout as exc:
        job.cancel()
        raise Unavailable(
            "the server is busy checking codes; try again shortly",
            ctx.settings.argon2_queue_timeout,
            "code",
        ) from exc
    return ok and digest is not None


@lru_cache(maxsize=8)
def _dummy_for(time_cost: int, memory: int) -> str:
    return _hasher(time_cost, memory).hash(secrets.token_urlsafe(16))


def _dummy(ctx: Context) -> str:
    return _dummy_for(ctx.settings.argon2_time_cost, ctx.settings.argon2_memory_kib)


# ---------------------------------------------------------------------------- code guesses
def code_limits(
    ctx: Context, precinct_key: str, client: str, account: str | None = None
) -> list[throttle.Limit]:
    """The counters one code guess is charged to.

    A chair (no account) is counted by address: a few free tries per precinct, then a doubling
    wait; and a hard budget per address across all precincts, which bounds what any number of
    addresses can guess (docs/security.md). A hotline operator is counted by account instead,
    never by the office's shared address."""
    st = ctx.settings
    who = f"acct:{account[:100]}" if account else f"ip:{throttle.client_key(client)}"
    budget = st.account_code_budget if account else st.address_code_budget
    return [
        throttle.Backoff(
            f"code:{precinct_key}@{who}",
            st.pair_free_failures,
            st.pair_block_base,
            st.block_cap,
            st.throttle_window,
        ),
        throttle.Budget(who, budget, st.budget_window),
    ]


def _latest_digest(ctx: Context, precinct: PrecinctRef) -> str | None:
    with ctx.db.read() as s:
        return s.scalar(
            select(AccessCode.code_hash)
            .where(AccessCode.precinct_id == precinct.pk)
            .order_by(AccessCode.id.desc())
            .limit(1)
        )


def verify_precinct_code(
    ctx: Context, precinct: PrecinctRef, code: str, client: str, account: str | None = None
) -> None:
    """Check ``code`` for ``precinct``; raises 401/429 (the caller audits).

    The guess is counted first (atomically) and only then hashed; a right code gives back its
    own count and clears this precinct's counter for this address (or account), nothing else.
    A code this worker found right a moment ago is let in without another argon2 check when
    its caller has no failures counted (:func:`_remembered`)."""
    digest = _latest_digest(ctx, precinct)
    normalized = normalize_code(code or "")
    limits = code_limits(ctx, str(precinct.pk), client, account)
    memo = _memo_key(ctx, precinct, digest, normalized)
    if memo is not None and _remembered(ctx, memo, limits):
        return
    throttle.reserve(ctx, limits)
    try:
        ok = bool(normalized) and checked(ctx, digest, normalized)
    except Unavailable:
        throttle.refund(ctx, limits)  # not checked: not a guess
        raise
    if not ok:
        if digest is None:
            raise Unauthorized("no access code has been issued for this precinct", "code")
        raise Unauthorized("wrong access code for this precinct", "code")
    throttle.refund(ctx, limits, clear=[limits[0].key])
    if memo is not None:
        if len(_right_codes) > 20_000:
            _right_codes.clear()
        _right_codes[memo] = time.monotonic() + RIGHT_CODE_SECONDS


#: How long a worker remembers a code it found right (seconds).
RIGHT_CODE_SECONDS = 600
_MEMO_KEY = secrets.token_bytes(32)
_right_codes: dict[bytes, float] = {}


def _memo_key(
    ctx: Context, precinct: PrecinctRef, digest: str | None, normalized: str
) -> bytes | None:
    """An HMAC (key random per process) of the database, the precinct, its current code hash
    and the code: never the code itself; a new code (a new hash) is never matched by the old."""
    if digest is None or not normalized:
        return None
    msg = "\x00".join((ctx.db.url, str(precinct.pk), digest, normalized))
    return hmac.new(_MEMO_KEY, msg.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _remembered(ctx: Context, memo: bytes, limits: list[throttle.Limit]) -> bool:
    """Whether ``memo`` is a code found right within RIGHT_CODE_SECONDS, the caller's own
    counter (precinct and address, or account) holds no failure and its budget is not spent.
    Then counting the guess and giving it back would change nothing, and the argon2 check
    would only repeat the answer already known: a phone's resend, a hotline's second entry,
    a chair without a sign-in token (issue 11: under a flood of those, the drill's server
    spent its CPU on argon2). Any other caller goes the whole way: a block stays a block."""
    until = _right_codes.get(memo)
    if until is None or until < time.monotonic():
        return False
    pair, budget = limits
    assert isinstance(budget, throttle.Budget)
    with ctx.db.read() as s:
        rows = dict(
            s.execute(
                select(Throttle.key, Throttle.failures).where(
                    Throttle.key.in_((pair.key, budget.key))
                )
            ).all()
        )
    return not rows.get(pair.key) and rows.get(budget.key, 0) < budget.budget


def forget_right_codes() -> None:
    """Drop remembered codes (tests; after codes are issued again the hashes differ anyway)."""
    _right_codes.clear()


def count_blind_guess(ctx: Context, code: str, client: str, account: str | None = None) -> None:
    """A code sent for something that does not exist (an unknown report version): counted and
    hashed like any guess, so that it answers exactly like a wrong code (no enumeration)."""
    limits = code_limits(ctx, "unknown", client, account)
    throttle.reserve(ctx, limits)
    checked(ctx, None, normalize_code(code or ""))


# ---------------------------------------------------------------------------- readiness
def record_signin(ctx: Context, precinct: PrecinctRef, client: str) -> tuple[datetime, bool]:
    """Record that the chair's code worked (readiness); returns (time, first sign-in?)."""
    now = ctx.clock()
    with ctx.db.write() as s:
        before = (
            s.scalar(
                select(func.count())
                .select_from(ChairSignin)
                .where(ChairSignin.precinct_id == precinct.pk)
            )
            or 0
        )
        s.add(ChairSignin(precinct_id=precinct.pk, at=now, client=client[:100]))
        ctx.audit(
            s,
            actor=f"chair:{precinct.id}",
            role="chair",
            action="chair.signin",
            outcome="ok",
            client=client,
            precinct=precinct.pk,
        )
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
            {
                "county": c,
                "county_id": p_id,
                "signed_in": per.get(c, [0, 0])[0],
                "total": per.get(c, [0, 0])[1],
            }
            for p_id, c in ctx.county_ids.items()
        ],
    }
