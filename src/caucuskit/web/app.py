"""The results service web application: ``create_app(settings) -> FastAPI``.

JSON API under ``/api/v1`` (docs/api.md), OpenAPI at ``/openapi.json`` and ``/docs``; the HTML
pages are added by :mod:`caucuskit.web.pages` when that package is present.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caucuskit.core.errors import Problem
from caucuskit.formats.inputs import describe, field_name
from caucuskit.services.context import Context
from caucuskit.services.errors import BadRequest, Invalid, ServiceError, Throttled, TooLarge
from caucuskit.services.settings import Settings
from caucuskit.services.snapshot import PublicFeed
from caucuskit.web.api import desk, public, reporting
from caucuskit.web.pages import include_pages


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes with 413 (Content-Length or streamed)."""

    def __init__(self, app: ASGIApp, limit: int, on_refuse: Any, photo_limit: int = 0) -> None:
        self.app, self.limit, self.on_refuse = app, limit, on_refuse
        self.photo_limit = max(limit, photo_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.photo_limit if scope.get("path", "").endswith("/photo") else self.limit
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, send, limit)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooBig
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooBig:
            if not started:
                await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        err = TooLarge(f"request body above {limit} bytes", "body")
        client = scope.get("client") or ("unknown", 0)
        try:
            self.on_refuse(err, client[0], scope.get("path", ""))
        except Exception:
            pass
        response = JSONResponse(err.to_dict(), status_code=413)
        await response({"type": "http"}, _empty_receive, send)


class _TooBig(Exception):
    pass


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _field(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        where, parts = parts[0], parts[1:]
        if where == "header" and parts:
            return str(parts[0]).lower().replace("-", "_")
    return field_name(parts) or "body"


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> FastAPI:
    """Build the application for ``settings`` (defaults and ``CAUCUS_*`` variables)."""
    settings = settings or Settings.from_env()
    ctx = ctx or Context(settings)
    app = FastAPI(
        title="caucuskit results service",
        version="1",
        description="Precinct reports in, exact results out. Contract: docs/api.md.",
    )
    app.state.ctx = ctx
    app.state.public = PublicFeed(ctx)

    def refuse_large(err: ServiceError, client: str, path: str) -> None:
        ctx.audit_refusal(err, actor="anonymous", role="public", action="request",
                          client=client, detail={"path": path})

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, on_refuse=refuse_large,
                       photo_limit=3 * 1024 * 1024)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = {}
        if isinstance(exc, Throttled):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status == 401 and any(p.field == "authorization" for p in exc.problems):
            headers["WWW-Authenticate"] = 'Basic realm="caucuskit"'
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        status, code = 422, "validation"
        for e in exc.errors():
            field = _field(tuple(e.get("loc", ())))
            kind = e.get("type", "")
            if kind == "json_invalid" or (field == "body" and kind in (
                    "model_attributes_type", "dict_type", "missing")):
                status, code, field = 400, "bad-request", "body"
            problems.append({"field": field, "message": describe(e)})
        body = {"error": code, "problems": problems,
                "message": "; ".join(f"{p['field']}: {p['message']}" for p in problems)}
        if request.method != "GET":
            err = (BadRequest if status == 400 else Invalid)(
                [Problem(p["field"], p["message"][:300]) for p in problems[:20]])
            ctx.audit_refusal(err, actor="anonymous", role="public", action="request",
                              client=request.client.host if request.client else "unknown",
                              detail={"path": request.url.path})
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "error")
        field = "path" if exc.status_code in (404, 405) else "body"
        return JSONResponse(
            {"error": code, "message": str(exc.detail),
             "problems": [{"field": field, "message": str(exc.detail)}]},
            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        from caucuskit.services.snapshot import results_version

        with ctx.db.read() as s:
            version, _ = results_version(s)
        return {"ok": True, "database": ctx.db.dialect, "snapshot_version": version}

    app.include_router(reporting.router)
    app.include_router(desk.router)
    app.include_router(public.router)
    include_pages(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (each worker builds its own app from ``CAUCUS_*``)."""
    return create_app(Settings.from_env())
