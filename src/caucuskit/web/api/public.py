"""Public read endpoints: the newest published document set, with conditional GET.

docs/api.md "Public". Every answer (200, 304 and HEAD) carries ``ETag``, ``Cache-Control`` and
``Vary: Accept-Encoding``; ``If-None-Match`` is compared weakly (RFC 9110 §13.1.2: ``W/"x"``
matches ``"x"``) against each tag of its list, and ``*`` matches any document. Clients that
accept gzip get the pre-compressed bytes.

:class:`PublicFastPath` answers these paths before the framework's routing (no validation, no
dependency injection, no lock, no query: one dictionary look-up in the published set); the
FastAPI routes below answer the same way and document the API in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from caucuskit.services.public_feed import PublicFeed
from caucuskit.services.snapshot import Encoded
from caucuskit.web.api.deps import feed_of
from caucuskit.web.read_pacing import ReadPacer

PREFIX = "/api/v1/public"
router = APIRouter(prefix=PREFIX, tags=["public"])

Id = Annotated[str, Path(min_length=1, max_length=300)]


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: header`` matches ``etag`` (weak comparison, lists, ``*``)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    mine = _opaque(etag)
    return any(_opaque(t) == mine for t in header.split(","))


def accepts_gzip(header: str | None) -> bool:
    """``Accept-Encoding`` names gzip without refusing it (``gzip;q=0``)."""
    for part in (header or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def answer(
    e: Encoded, *, max_age: int, method: str, inm: str | None, ae: str | None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body for one public document (shared by both paths)."""
    headers = [
        (b"etag", e.etag.encode()),
        (b"cache-control", f"public, max-age={max_age}".encode()),
        (b"vary", b"Accept-Encoding"),
    ]
    if if_none_match(inm, e.etag):
        return 304, headers, b""
    body = e.body
    if accepts_gzip(ae):
        body = e.gzipped
        headers.append((b"content-encoding", b"gzip"))
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return 200, headers, b"" if method == "HEAD" else body


def serve(request: Request, path: str) -> Response:
    """The document at ``path`` (or 304 when the client has it)."""
    e = feed_of(request).entry(path)
    status, headers, body = answer(
        e,
        max_age=request.app.state.ctx.settings.public_max_age,
        method=request.method,
        inm=request.headers.get("if-none-match"),
        ae=request.headers.get("accept-encoding"),
    )
    response = Response(content=body, status_code=status)
    response.raw_headers = headers
    return response


#: The answer to a public read refused while the worker is busy with reports (ADR 0014).
BUSY = (
    b'{"error":"unavailable","message":"busy with precinct reports; try again in a second",'
    b'"problems":[{"field":"server","message":"busy with precinct reports"}]}'
)
BUSY_HEADERS = [
    (b"retry-after", b"1"),
    (b"cache-control", b"no-store"),
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BUSY)).encode()),
]
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class PublicFastPath:
    """ASGI middleware: ``GET``/``HEAD /api/v1/public/<path>`` straight from the published set.

    A path that is not a published document, or any error, falls through to the application
    (which answers 404 with the usual error body). While chairs are reporting, the reads wait
    their turn at ``pacer`` (:mod:`caucuskit.web.read_pacing`); every other request passes
    through it, and a write among them tells the pacer that reports are arriving."""

    def __init__(
        self, app: ASGIApp, feed: PublicFeed, max_age: int, pacer: ReadPacer | None = None
    ) -> None:
        self.app, self.feed, self.max_age = app, feed, max_age
        self.pacer = pacer or ReadPacer(0)
        self.prefix = PREFIX + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in READ_METHODS:
            self.pacer.note_write()
        if (
            scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(self.prefix)
            or scope.get("query_string")
        ):
            await self.app(scope, receive, send)
            return
        pub = self.feed.published if self.feed.background else None
        e = None if pub is None else pub.entries.get(scope["path"][len(self.prefix) :])
        if e is None:
            await self.app(scope, receive, send)
            return
        if self.pacer.enabled:
            self.pacer.note_version(pub.version)  # type: ignore[union-attr]
            if not await self.pacer.turn():
                await send({"type": "http.response.start", "status": 503, "headers": BUSY_HEADERS})
                await send({"type": "http.response.body", "body": BUSY})
                return
        inm = ae = None
        for k, v in scope["headers"]:
            if k == b"if-none-match":
                inm = v.decode("latin-1")
            elif k == b"accept-encoding":
                ae = v.decode("latin-1")
        status, headers, body = answer(
            e, max_age=self.max_age, method=scope["method"], inm=inm, ae=ae
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _route(path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """GET (documented in OpenAPI) and HEAD (same answer without the body) on ``path``."""

    def both(fn: Callable[..., Response]) -> Callable[..., Response]:
        router.api_route(path, methods=["HEAD"], include_in_schema=False)(fn)
        out: Callable[..., Response] = router.api_route(path, methods=["GET"])(fn)
        return out

    return both


@_route("/election")
def election(request: Request) -> Response:
    return serve(request, "election")


@_route("/state")
def state(request: Request) -> Response:
    return serve(request, "state")


@_route("/districts/{district}")
def district(request: Request, district: Id) -> Response:
    return serve(request, f"districts/{district}")


@_route("/counties/{county_id}")
def county(request: Request, county_id: Id) -> Response:
    return serve(request, f"counties/{county_id}")


@_route("/precincts/{precinct_id}")
def precinct(request: Request, precinct_id: Id) -> Response:
    return serve(request, f"precincts/{precinct_id}")


@_route("/coin-tosses")
def coin_tosses(request: Request) -> Response:
    return serve(request, "coin-tosses")


@_route("/changes")
def changes(request: Request) -> Response:
    return serve(request, "changes")


@_route("/version")
def version(request: Request) -> Response:
    return serve(request, "version")
