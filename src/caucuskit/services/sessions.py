"""Chair sign-in tokens: verify the access code once (argon2), then a signed, short-lived,
revocable token bound to the precinct (issue 11, "verify a chair once").

Rule: rules.md §9 (a chair must get through on the night). The token is an itsdangerous
``URLSafeTimedSerializer`` payload ``{"s": session id, "p": precinct pk}`` signed (HMAC-SHA256)
with a key
shared by every worker (``session_secret`` or a random key kept in ``service_secrets``). A
forged or expired token is refused without touching the database; a well-signed one costs one
indexed lookup, which also makes it revocable: revoking the session, or issuing a new code for
the precinct, ends it. Tokens are not guesses at a code, so they are not throttled.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from caucuskit.db.models import AccessCode, ChairSession, ServiceSecret
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.errors import Unauthorized

SALT = "caucuskit.chair-session.v1"
#: The session if it is live, this precinct's, and made with the precinct's latest code.
LIVE_SESSION = select(ChairSession.id).where(
    ChairSession.id == bindparam("sid"),
    ChairSession.precinct_id == bindparam("pk"),
    ChairSession.revoked_at.is_(None),
    ChairSession.expires_at > bindparam("now"),
    ChairSession.code_id
    == select(func.max(AccessCode.id))
    .where(AccessCode.precinct_id == bindparam("pk"))
    .scalar_subquery(),
)
_serializers: dict[tuple[str, str], URLSafeTimedSerializer] = {}
_lock = threading.Lock()


def _secret(ctx: Context) -> str:
    if ctx.settings.session_secret:
        return ctx.settings.session_secret
    with ctx.db.write() as s:
        row = {"name": "session-key", "value": secrets.token_urlsafe(48), "created_at": ctx.clock()}
        insert = pg_insert if ctx.db.is_postgres else sqlite_insert
        s.execute(insert(ServiceSecret).values(row).on_conflict_do_nothing())
        value = s.scalar(select(ServiceSecret.value).where(ServiceSecret.name == "session-key"))
    assert value is not None
    return value


def _serializer(ctx: Context) -> URLSafeTimedSerializer:
    with _lock:
        key = (ctx.db.url, ctx.settings.session_secret)
        ser = _serializers.get(key)
        if ser is None:
            ser = URLSafeTimedSerializer(
                _secret(ctx), salt=SALT, signer_kwargs={"digest_method": hashlib.sha256}
            )
            _serializers[key] = ser
        return ser


def _latest_code(session: Session, precinct_pk: int) -> int | None:
    return session.scalar(
        select(AccessCode.id)
        .where(AccessCode.precinct_id == precinct_pk)
        .order_by(AccessCode.id.desc())
        .limit(1)
    )


def issue(ctx: Context, precinct: PrecinctRef, client: str) -> tuple[str, datetime]:
    """A new token for a chair whose code was just checked; returns (token, expires at)."""
    now = ctx.clock()
    expires = now + timedelta(seconds=ctx.settings.session_ttl)

    def store(s: Session) -> int:
        code_id = _latest_code(s, precinct.pk)
        if code_id is None:
            raise Unauthorized("no access code has been issued for this precinct", "code")
        row = ChairSession(
            precinct_id=precinct.pk,
            code_id=code_id,
            issued_at=now,
            expires_at=expires,
            client=client[:100],
        )
        s.add(row)
        s.flush()
        return row.id

    sid = ctx.db.run_write(store)  # group commit with the reports that arrive meanwhile
    return _serializer(ctx).dumps({"s": sid, "p": precinct.pk}), expires


def check(ctx: Context, token: str, precinct: PrecinctRef) -> int:
    """The session id if ``token`` is a live token of ``precinct``; else 401."""
    ttl = ctx.settings.session_ttl
    try:
        data = _serializer(ctx).loads(token, max_age=ttl)
    except SignatureExpired as exc:
        raise Unauthorized(
            "your sign-in has expired: sign in again with the access code", "authorization"
        ) from exc
    except BadSignature as exc:
        raise Unauthorized("not a valid sign-in token", "authorization") from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise Unauthorized("not a valid sign-in token", "authorization")
    if data.get("p") != precinct.pk:
        raise Unauthorized("this sign-in is for another precinct", "authorization")
    with ctx.db.engine.connect() as conn:  # one round trip, no ORM session (every report)
        sid = conn.execute(
            LIVE_SESSION, {"sid": data["s"], "pk": precinct.pk, "now": ctx.clock()}
        ).scalar()
    if sid is None:
        raise Unauthorized(
            "your sign-in has ended: sign in again with the access code", "authorization"
        )
    return int(sid)


def precinct_of(ctx: Context, token: str) -> int | None:
    """The precinct pk a well-signed token names (not yet checked for revocation)."""
    try:
        data = _serializer(ctx).loads(token, max_age=ctx.settings.session_ttl)
    except BadSignature:
        return None
    p = data.get("p") if isinstance(data, dict) else None
    return p if isinstance(p, int) else None


def revoke(ctx: Context, precinct: PrecinctRef, *, actor: str = "admin") -> int:
    """End every session of ``precinct`` now; returns how many were live."""
    now = ctx.clock()
    with ctx.db.write() as s:
        result = s.execute(
            update(ChairSession)
            .where(
                ChairSession.precinct_id == precinct.pk,
                ChairSession.revoked_at.is_(None),
                ChairSession.expires_at > now,
            )
            .values(revoked_at=now)
        )
        ctx.audit(
            s,
            actor=actor,
            role="admin",
            action="chair.revoke",
            outcome="ok",
            client="cli",
            precinct=precinct.pk,
        )
        return int(getattr(result, "rowcount", 0) or 0)
