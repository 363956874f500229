"""Shared pieces of the routers: the service context, the client address, staff sign-in,
chair authentication (sign-in token or access code), and auditing of refusals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)

from caucuskit.services import credentials, sessions, staff_accounts
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.errors import ServiceError, Unauthorized
from caucuskit.services.public_feed import PublicFeed

basic = HTTPBasic(auto_error=False)
bearer = HTTPBearer(auto_error=False, description="Chair sign-in token from /chair/signin")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def feed_of(request: Request) -> PublicFeed:
    feed: PublicFeed = request.app.state.public
    return feed


def clean(text: str, limit: int = 100) -> str:
    """A header-derived value made safe to store (no NUL, bounded length)."""
    return text.replace("\x00", "\\0")[:limit]


def client_of(request: Request) -> str:
    """The client's address: the peer, or the X-Forwarded-For address when the peer is one of
    the ``trusted_proxies`` (uvicorn's ProxyHeadersMiddleware has already applied it)."""
    return clean(request.client.host) if request.client else "unknown"


def audit_refusal(request: Request, exc: ServiceError, **fields: Any) -> None:
    """Write the refusal's audit line once (the app's error handler skips audited errors)."""
    if getattr(exc, "audited", False):
        return
    fields.setdefault("client", client_of(request))
    if "actor" in fields:
        fields["actor"] = clean(fields["actor"], 200)
    ctx_of(request).audit_refusal(exc, **fields)
    exc.audited = True  # type: ignore[attr-defined]


class Staff:
    def __init__(self, username: str, role: str) -> None:
        self.username, self.role = username, role


def staff(request: Request, creds: Annotated[HTTPBasicCredentials | None, Depends(basic)]) -> Staff:
    """HTTP Basic sign-in of an operator, desk or admin account (throttled per account and
    address; refusals are audited)."""
    ctx = ctx_of(request)
    try:
        if creds is None:
            raise Unauthorized("HTTP Basic credentials required", "authorization")
        user, role = staff_accounts.authenticate_account(
            ctx, creds.username, creds.password, client_of(request)
        )
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor=(creds.username if creds else "anonymous"),
            role="staff",
            action="staff.signin",
        )
        raise
    return Staff(user, role)


def role_check(request: Request, who: Staff, allowed: tuple[str, ...], action: str) -> None:
    try:
        staff_accounts.require_role(who.role, allowed)
    except ServiceError as exc:
        audit_refusal(request, exc, actor=who.username, role=who.role, action=action)
        raise


def chair_auth(
    ctx: Context,
    precinct: PrecinctRef,
    code: str | None,
    token: HTTPAuthorizationCredentials | None,
    client: str,
    account: str | None = None,
) -> str:
    """Let a chair in by sign-in token (cheap: a signature and one lookup) or, failing that,
    by access code (argon2, throttled). Returns ``"token"`` or ``"code"``."""
    if token is not None and account is None:
        try:
            sessions.check(ctx, token.credentials, precinct)
            return "token"
        except Unauthorized:
            if not code:
                raise
    if not code:
        raise Unauthorized("the precinct's access code (or a sign-in token) is required", "code")
    credentials.verify_precinct_code(ctx, precinct, code, client, account)
    return "code"
