"""The results service web application: ``create_app(settings) -> FastAPI``.

JSON API under ``/api/v1`` (docs/api.md), OpenAPI at ``/openapi.json``, Swagger UI at ``/docs``
and ReDoc at ``/redoc`` (their assets served from the ``fastapi-offline`` package: they work on
a desk network without internet); the HTML pages are added by :mod:`caucuskit.web.pages` when
that package is present. Every answer carries security headers; every error is JSON with a
reason (4xx for the client's fault, 503 + Retry-After while the database is away).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from caucuskit.core.errors import Problem
from caucuskit.formats.inputs import describe, field_name
from caucuskit.services.context import Context
from caucuskit.services.errors import (
    BadRequest,
    Invalid,
    ServiceError,
    Throttled,
    Unavailable,
)
from caucuskit.services.settings import Settings
from caucuskit.services.snapshot import PublicFeed
from caucuskit.web.api import desk, public, reporting
from caucuskit.web.api.models import COMMON_ERRORS
from caucuskit.web.middleware import RequestLimits, SecurityHeaders
from caucuskit.web.pages import include_pages

log = logging.getLogger("caucuskit.web")
#: Errors that mean "the database cannot be reached now" (answered 503, never 500).
DB_AWAY = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)


def _field(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        where, parts = parts[0], parts[1:]
        if where == "header" and parts:
            return str(parts[0]).lower().replace("-", "_")
    return field_name(parts) or "body"


def _clean(text: str) -> str:
    return text.replace("\x00", "\\0")


def _error(
    code: str, field: str, message: str, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {
            "error": code,
            "message": f"{field}: {message}",
            "problems": [{"field": field, "message": message}],
        },
        status_code=status,
        headers=headers,
    )


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> FastAPI:
    """Build the application for ``settings`` (defaults and ``CAUCUS_*`` variables)."""
    settings = settings or Settings.from_env()
    ctx = ctx or Context(settings)
    app = FastAPIOffline(
        title="caucuskit results service",
        version="1",
        description="Precinct reports in, exact results out. Contract: docs/api.md.",
        static_url="/docs-assets",
        responses=COMMON_ERRORS,
    )
    app.state.ctx = ctx
    app.state.public = PublicFeed(ctx)
    # public reads straight from the published document set (web/api/public.py)
    app.add_middleware(
        public.PublicFastPath, feed=app.state.public, max_age=settings.public_max_age
    )

    def audit(
        err: ServiceError, request: Request | None = None, client: str = "unknown", path: str = ""
    ) -> None:
        """The audit line of a refusal nobody audited yet (best effort: never masks it)."""
        if getattr(err, "audited", False):
            return
        if request is not None:
            client = request.client.host if request.client else "unknown"
            path = request.url.path
        try:
            ctx.audit_refusal(
                err,
                actor="anonymous",
                role="public",
                action="request",
                client=_clean(client)[:100],
                detail={"path": _clean(path)[:300]},
            )
        except Exception:  # the database may be away: the refusal is still answered
            log.warning("refusal not audited (database unavailable?)", exc_info=True)
        err.audited = True  # type: ignore[attr-defined]

    def refuse_early(err: ServiceError, client: str, method: str, path: str) -> None:
        audit(err, client=client, path=path)

    app.add_middleware(
        RequestLimits,
        limit=settings.max_body_bytes,
        on_refuse=refuse_early,
        photo_limit=3 * 1024 * 1024,
    )
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies.strip():
        # Outermost: the client address is fixed before anything counts or audits it.
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[h.strip() for h in settings.trusted_proxies.split(",") if h.strip()],
        )

    def must_audit(request: Request, err: ServiceError) -> bool:
        return request.method not in ("GET", "HEAD") or err.status in (401, 403, 429)

    def away(exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        err = Unavailable(
            "the database cannot be reached; try again shortly", settings.db_retry_after
        )
        return JSONResponse(
            err.to_dict(), status_code=503, headers={"Retry-After": str(err.retry_after)}
        )

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error("internal", "server", "unexpected error (logged)", 500)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = {}
        if isinstance(exc, Throttled | Unavailable):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status == 401 and any(p.field == "authorization" for p in exc.problems):
            # chairs use sign-in tokens: a Basic challenge would make a phone browser pop up
            # a password dialog over the chair's page
            scheme = "Bearer" if request.url.path.startswith("/api/v1/chair/") else "Basic"
            headers["WWW-Authenticate"] = f'{scheme} realm="caucuskit"'
        if must_audit(request, exc):
            audit(exc, request)
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        status, code = 422, "validation"
        for e in exc.errors():
            field = _clean(_field(tuple(e.get("loc", ()))))
            kind = e.get("type", "")
            if kind == "json_invalid" or (
                field == "body" and kind in ("model_attributes_type", "dict_type", "missing")
            ):
                status, code, field = 400, "bad-request", "body"
            problems.append({"field": field, "message": _clean(describe(e))})
        body = {
            "error": code,
            "problems": problems,
            "message": "; ".join(f"{p['field']}: {p['message']}" for p in problems),
        }
        if request.method not in ("GET", "HEAD"):
            err = (BadRequest if status == 400 else Invalid)(
                [Problem(p["field"][:200], p["message"][:300]) for p in problems[:20]]
            )
            audit(err, request)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            400: "bad-request",
            404: "not-found",
            405: "method-not-allowed",
            413: "too-large",
        }.get(exc.status_code, "error")
        field = "path" if exc.status_code in (404, 405) else "body"
        message = _clean(str(exc.detail))
        if request.method not in ("GET", "HEAD") and 400 <= exc.status_code < 500:
            err = ServiceError(message, field)
            err.status, err.code = exc.status_code, code
            audit(err, request)
        headers = dict(getattr(exc, "headers", None) or {})
        return _error(code, field, message, exc.status_code, headers)

    @app.exception_handler(sa_exc.DBAPIError)
    async def database_error(request: Request, exc: sa_exc.DBAPIError) -> JSONResponse:
        if isinstance(exc, DB_AWAY) or exc.connection_invalidated:
            return away(exc)
        if isinstance(exc, sa_exc.DataError):  # a value the database cannot hold
            err = BadRequest("a value in this request cannot be stored", "body")
            audit(err, request)
            return JSONResponse(err.to_dict(), status_code=400)
        return await internal(request, exc)

    @app.exception_handler(sa_exc.TimeoutError)
    async def pool_timeout(request: Request, exc: sa_exc.TimeoutError) -> JSONResponse:
        return away(exc)

    @app.get(
        "/healthz",
        tags=["health"],
        responses={503: {"description": "Database unreachable (Retry-After)"}},
    )
    def healthz() -> Any:
        from caucuskit.services.snapshot import results_version

        try:
            with ctx.db.read() as s:
                version, _ = results_version(s)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError):
            return JSONResponse(
                {
                    "ok": False,
                    "database": ctx.db.dialect,
                    "error": "unavailable",
                    "message": "database: unreachable",
                    "problems": [{"field": "database", "message": "unreachable"}],
                },
                status_code=503,
                headers={"Retry-After": str(settings.db_retry_after)},
            )
        return {"ok": True, "database": ctx.db.dialect, "snapshot_version": version}

    app.add_exception_handler(Exception, internal)
    app.include_router(reporting.router)
    app.include_router(desk.router)
    app.include_router(public.router)
    include_pages(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (each worker builds its own app from ``CAUCUS_*``);
    its public snapshot is kept current by a background builder (readers never wait)."""
    app = create_app(Settings.from_env())
    app.state.public.start()
    return app
