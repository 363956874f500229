"""The results service web application: ``create_app(settings) -> FastAPI``.

JSON API under ``/api/v1`` (docs/api.md), OpenAPI at ``/openapi.json``, Swagger UI at ``/docs``
and ReDoc at ``/redoc`` (their assets served from the ``fastapi-offline`` package: they work on
a desk network without internet); the HTML pages are added by :mod:`caucuskit.web.pages` when
that package is present. Every answer carries security headers; every error is JSON with a
reason (4xx for the client's fault, 503 + Retry-After while the database is away), answered by
:mod:`caucuskit.web.errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy import exc as sa_exc
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from caucuskit.services.context import Context
from caucuskit.services.public_feed import PublicFeed
from caucuskit.services.settings import Settings
from caucuskit.web.api import desk, public, reporting
from caucuskit.web.api.models import COMMON_ERRORS
from caucuskit.web.errors import ErrorAnswers
from caucuskit.web.middleware import RequestLimits, SecurityHeaders
from caucuskit.web.pages import include_pages
from caucuskit.web.pages.page_cache import PageCache
from caucuskit.web.read_pacing import ReadPacer


def health_endpoint(ctx: Context, settings: Settings) -> Callable[[], Any]:
    """``GET /healthz``: whether the database answers, and the public snapshot's version."""

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

    return healthz


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
    app.state.read_pacer = ReadPacer(settings.public_reads_while_reporting)
    app.state.page_cache = PageCache(settings.page_render_interval)
    app.add_middleware(
        public.PublicFastPath,
        feed=app.state.public,
        max_age=settings.public_max_age,
        pacer=app.state.read_pacer,
    )

    answers = ErrorAnswers(ctx, settings)
    app.add_middleware(
        RequestLimits,
        limit=settings.max_body_bytes,
        on_refuse=answers.refuse_early,
        photo_limit=3 * 1024 * 1024,
    )
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies.strip():
        # Outermost: the client address is fixed before anything counts or audits it.
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[h.strip() for h in settings.trusted_proxies.split(",") if h.strip()],
        )

    answers.install(app)
    app.add_api_route(
        "/healthz",
        health_endpoint(ctx, settings),
        methods=["GET"],
        tags=["health"],
        responses={503: {"description": "Database unreachable (Retry-After)"}},
    )
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
