"""Shared pieces of the routers: the service context, the client address, staff sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.errors import ServiceError, Unauthorized
from caucuskit.services.snapshot import PublicFeed

basic = HTTPBasic(auto_error=False)


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def feed_of(request: Request) -> PublicFeed:
    feed: PublicFeed = request.app.state.public
    return feed


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Staff:
    def __init__(self, username: str, role: str) -> None:
        self.username, self.role = username, role


def staff(
    request: Request, creds: Annotated[HTTPBasicCredentials | None, Depends(basic)]
) -> Staff:
    """HTTP Basic sign-in of an operator, desk or admin account (refusals are audited)."""
    ctx = ctx_of(request)
    try:
        if creds is None:
            raise Unauthorized("HTTP Basic credentials required", "authorization")
        user, role = credentials.authenticate_account(ctx, creds.username, creds.password)
    except ServiceError as exc:
        ctx.audit_refusal(exc, actor=(creds.username if creds else "anonymous")[:100],
                          role="staff", action="staff.signin", client=client_of(request))
        raise
    return Staff(user, role)


def role_check(request: Request, who: Staff, allowed: tuple[str, ...], action: str) -> None:
    try:
        credentials.require_role(who.role, allowed)
    except ServiceError as exc:
        ctx_of(request).audit_refusal(exc, actor=who.username, role=who.role, action=action,
                                      client=client_of(request))
        raise
