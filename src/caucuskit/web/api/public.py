"""Public read endpoints: served from the snapshot with ETag / If-None-Match and a short
Cache-Control (docs/api.md "Public")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from caucuskit.web.api.deps import feed_of

router = APIRouter(prefix="/api/v1/public", tags=["public"])

Id = Annotated[str, Path(min_length=1, max_length=300)]


def serve(request: Request, path: str) -> Response:
    """The document at ``path`` (or 304 when the client has it)."""
    _, body, tag = feed_of(request).encoded(path)
    max_age = request.app.state.ctx.settings.public_max_age
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
    match = request.headers.get("if-none-match", "")
    if tag in [t.strip() for t in match.split(",")] or match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


@router.get("/election")
def election(request: Request) -> Response:
    return serve(request, "election")


@router.get("/state")
def state(request: Request) -> Response:
    return serve(request, "state")


@router.get("/districts/{district}")
def district(request: Request, district: Id) -> Response:
    return serve(request, f"districts/{district}")


@router.get("/counties/{county_id}")
def county(request: Request, county_id: Id) -> Response:
    return serve(request, f"counties/{county_id}")


@router.get("/precincts/{precinct_id}")
def precinct(request: Request, precinct_id: Id) -> Response:
    return serve(request, f"precincts/{precinct_id}")


@router.get("/coin-tosses")
def coin_tosses(request: Request) -> Response:
    return serve(request, "coin-tosses")


@router.get("/changes")
def changes(request: Request) -> Response:
    return serve(request, "changes")


@router.get("/version")
def version(request: Request) -> Response:
    return serve(request, "version")
