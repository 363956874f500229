"""ASGI middleware of the service: request limits (body size, NUL characters) and security
headers on every answer (issue 10; docs/security.md).

Rule: rules.md §9 (the night must hold: a bad request gets a clear 4xx, never a 500).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caucuskit.services.errors import Invalid, ServiceError, TooLarge

#: Called with (error, client address, method, path) for each refusal, to audit it.
OnRefuse = Callable[[ServiceError, str, str, str], None]

#: The policy of the pages and the API: only our own scripts, no framing, no plugins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: /docs and /redoc (Swagger UI and ReDoc, served from the package) start with inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), microphone=(), payment=()"),
)


class SecurityHeaders:
    """Add the security headers to every HTTP answer (a route may set its own stricter CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (DOCS_CSP if scope.get("path", "") in DOCS_PATHS else CSP).encode()

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                for name, value in (*SECURITY_HEADERS, (b"content-security-policy", csp)):
                    if name not in present:
                        headers.append((name, value))
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, send_with_headers)


class RequestLimits:
    """Read the whole body first (at most ``limit`` bytes, ``photo_limit`` on photo uploads)
    and refuse what no endpoint should see: 413 above the limit, whether announced by
    Content-Length or streamed in chunks; 422 for a NUL character in the path or query (a
    value no field can hold, like the NUL refused in a body field)."""

    def __init__(self, app: ASGIApp, limit: int, on_refuse: OnRefuse, photo_limit: int = 0) -> None:
        self.app, self.limit, self.on_refuse = app, limit, on_refuse
        self.photo_limit = max(limit, photo_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if "\x00" in path or b"%00" in scope.get("query_string", b"").lower():
            field = "path" if "\x00" in path else "query"
            await self._refuse(
                scope, send, Invalid("must not contain the NUL character (%00)", field), 422
            )
            return
        limit = self.photo_limit if path.endswith("/photo") else self.limit
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(
                scope, send, TooLarge(f"request body above {limit} bytes", "body"), 413
            )
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            msg = await receive()
            if msg["type"] != "http.request":  # the client went away
                return
            body = msg.get("body", b"")
            seen += len(body)
            if seen > limit:
                await self._refuse(
                    scope, send, TooLarge(f"request body above {limit} bytes", "body"), 413
                )
                return
            chunks.append(body)
            if not msg.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, err: ServiceError, status: int) -> None:
        client = scope.get("client") or ("unknown", 0)
        try:
            self.on_refuse(
                err,
                str(client[0]),
                scope.get("method", ""),
                scope.get("path", "").replace("\x00", "\\0"),
            )
        except Exception:  # the database may be away; the answer still goes out
            pass
        response = JSONResponse(err.to_dict(), status_code=status)
        await response(scope, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
