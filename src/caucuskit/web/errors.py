"""How the service answers a refusal or a failure: JSON with a reason, audited when it matters.

Rule: rules.md §9 (2020: refused reports must say why, and every refusal be traceable): a 4xx
names the field at fault, a refused write or sign-in is in the audit log, a database that is
away is 503 with Retry-After (never 500), anything unexpected is 500 and logged.

Inputs: the service context and settings; the errors FastAPI and the services raise. Outputs:
the JSON answers (``{"error", "message", "problems": [{"field", "message"}]}``, docs/api.md)
and the audit lines of refusals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

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


class ErrorAnswers:
    """The exception handlers of one application (:meth:`install`), and the audit of the
    refusals the middleware makes before a route runs (:meth:`refuse_early`)."""

    def __init__(self, ctx: Context, settings: Settings) -> None:
        self.ctx, self.settings = ctx, settings

    def install(self, app: FastAPI) -> None:
        app.add_exception_handler(ServiceError, self.service_error)  # type: ignore[arg-type]
        app.add_exception_handler(RequestValidationError, self.validation_error)  # type: ignore[arg-type]
        app.add_exception_handler(StarletteHTTPException, self.http_error)  # type: ignore[arg-type]
        app.add_exception_handler(sa_exc.DBAPIError, self.database_error)  # type: ignore[arg-type]
        app.add_exception_handler(sa_exc.TimeoutError, self.pool_timeout)  # type: ignore[arg-type]
        app.add_exception_handler(Exception, self.internal)

    def audit(
        self,
        err: ServiceError,
        request: Request | None = None,
        client: str = "unknown",
        path: str = "",
    ) -> None:
        """The audit line of a refusal nobody audited yet (best effort: never masks it)."""
        if getattr(err, "audited", False):
            return
        if request is not None:
            client = request.client.host if request.client else "unknown"
            path = request.url.path
        try:
            self.ctx.audit_refusal(
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

    def refuse_early(self, err: ServiceError, client: str, method: str, path: str) -> None:
        self.audit(err, client=client, path=path)

    def must_audit(self, request: Request, err: ServiceError) -> bool:
        return request.method not in ("GET", "HEAD") or err.status in (401, 403, 429)

    def away(self, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        err = Unavailable(
            "the database cannot be reached; try again shortly", self.settings.db_retry_after
        )
        return JSONResponse(
            err.to_dict(), status_code=503, headers={"Retry-After": str(err.retry_after)}
        )

    async def internal(self, request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error("internal", "server", "unexpected error (logged)", 500)

    async def service_error(self, request: Request, exc: ServiceError) -> JSONResponse:
        headers = {}
        if isinstance(exc, Throttled | Unavailable):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status == 401 and any(p.field == "authorization" for p in exc.problems):
            # chairs use sign-in tokens: a Basic challenge would make a phone browser pop up
            # a password dialog over the chair's page
            scheme = "Bearer" if request.url.path.startswith("/api/v1/chair/") else "Basic"
            headers["WWW-Authenticate"] = f'{scheme} realm="caucuskit"'
        if self.must_audit(request, exc):
            self.audit(exc, request)
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    async def validation_error(self, request: Request, exc: RequestValidationError) -> JSONResponse:
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
            self.audit(err, request)
        return JSONResponse(body, status_code=status)

    async def http_error(self, request: Request, exc: StarletteHTTPException) -> JSONResponse:
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
            self.audit(err, request)
        headers = dict(getattr(exc, "headers", None) or {})
        return _error(code, field, message, exc.status_code, headers)

    async def database_error(self, request: Request, exc: sa_exc.DBAPIError) -> JSONResponse:
        if isinstance(exc, DB_AWAY) or exc.connection_invalidated:
            return self.away(exc)
        if isinstance(exc, sa_exc.DataError):  # a value the database cannot hold
            err = BadRequest("a value in this request cannot be stored", "body")
            self.audit(err, request)
            return JSONResponse(err.to_dict(), status_code=400)
        return await self.internal(request, exc)

    async def pool_timeout(self, request: Request, exc: sa_exc.TimeoutError) -> JSONResponse:
        return self.away(exc)
