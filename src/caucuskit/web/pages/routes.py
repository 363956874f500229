"""Page routes: public results (live by polling with ETag), chair, hotline and desk.

Rule: rules.md §9 (what went wrong in 2020: the pages say plainly what the server has).
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from caucuskit.web.api.public import if_none_match
from caucuskit.web.pages import views
from caucuskit.web.pages.source import PublicSource

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["status_text"] = views.status_text

router = APIRouter(include_in_schema=False)

#: How often a public page asks for changes (seconds); ``?poll=N`` overrides (tests, kiosks).
DEFAULT_POLL = 15


def _source(request: Request) -> PublicSource:
    return PublicSource(request.app, request.scope.get("state"))


def _poll(request: Request) -> int:
    try:
        return max(1, min(300, int(request.query_params.get("poll", DEFAULT_POLL))))
    except ValueError:
        return DEFAULT_POLL


def _not_found(request: Request, what: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "not_found.html", {"what": what, "page": "results"}, status_code=404
    )


async def _live(
    request: Request, name: str, build: Any, *, page: str = "results"
) -> Response:
    """Render ``name`` (or only its live part with ``?part=live``), with a page ETag.

    The ETag follows the public snapshot version, so a poll costs one cheap 304 until a
    result changes.
    """
    src = _source(request)
    version = await src.get("version")
    stamp = (version.data or {}).get("etag") or version.etag or "none"
    tag = hashlib.sha256(f"{stamp}|{request.url.path}|{name}".encode()).hexdigest()[:20]
    etag = f'W/"page-{tag}"'
    part = request.query_params.get("part") == "live"
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    context = await build(src)
    if context is None:
        return _not_found(request, request.url.path)
    context.update(
        page=page,
        poll=_poll(request),
        version=version.data or {},
        live_url=f"{request.url.path}?part=live",
        etag=etag,
    )
    template = f"{name}_live.html" if part else f"{name}.html"
    return templates.TemplateResponse(request, template, context, headers=headers)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    election = await _source(request).get("election")
    return templates.TemplateResponse(
        request, "home.html", {"election": election.data or {}, "page": "home"}
    )


@router.get("/results", response_class=HTMLResponse)
async def results_state(request: Request) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, state = await asyncio.gather(src.get("election"), src.get("state"))
        if not election.found or not state.found:
            return None
        e = election.data or {}
        districts = [await src.get(f"districts/{n}") for n in e.get("districts", [])]
        dist_docs = [d.data for d in districts if d.data]
        extra = []
        for cid in views.missing_counties(e, dist_docs):
            doc = await src.get(f"counties/{cid}")
            if doc.data:
                extra.append(doc.data)
        rows = views.county_rows(e, dist_docs, extra)
        return {
            "election": e,
            "result": state.data,
            "race": views.race_view(state.data or {}),
            "districts": dist_docs,
            "counties": rows,
            "styles": views.style_table(e),
            "map": views.leader_map(
                e, rows, caption="Iowa counties by leader in state delegate equivalents"
            ),
        }

    return await _live(request, "results_state", build)


@router.get("/results/county/{county_id}", response_class=HTMLResponse)
async def results_county(request: Request, county_id: str) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, county = await asyncio.gather(
            src.get("election"), src.get(f"counties/{county_id}")
        )
        if not county.found:
            return None
        return {
            "election": election.data or {},
            "result": county.data,
            "styles": views.style_table(election.data or {}),
        }

    return await _live(request, "results_county", build)


@router.get("/results/precinct/{precinct_id}", response_class=HTMLResponse)
async def results_precinct(request: Request, precinct_id: str) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, precinct = await asyncio.gather(
            src.get("election"), src.get(f"precincts/{precinct_id}")
        )
        if not precinct.found:
            return None
        data = precinct.data or {}
        return {
            "election": election.data or {},
            "result": data,
            "lines": views.worksheet_rows(data.get("worksheet")),
            "styles": views.style_table(election.data or {}),
        }

    return await _live(request, "results_precinct", build)


@router.get("/results/coin-tosses", response_class=HTMLResponse)
async def results_tosses(request: Request) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, tosses = await asyncio.gather(src.get("election"), src.get("coin-tosses"))
        return {"election": election.data or {}, "result": tosses.data or {"tosses": []}}

    return await _live(request, "results_tosses", build)


@router.get("/results/changes", response_class=HTMLResponse)
async def results_changes(request: Request) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, changes = await asyncio.gather(src.get("election"), src.get("changes"))
        return {"election": election.data or {}, "result": changes.data or {"changes": []}}

    return await _live(request, "results_changes", build)


async def _app_page(request: Request, template: str, page: str) -> Response:
    election = await _source(request).get("election")
    e = election.data or {}
    return templates.TemplateResponse(
        request,
        template,
        {"election": e, "page": page, "rules": e.get("rules")},
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/chair", response_class=HTMLResponse)
async def chair(request: Request) -> Response:
    return await _app_page(request, "chair.html", "chair")


@router.get("/hotline", response_class=HTMLResponse)
async def hotline(request: Request) -> Response:
    return await _app_page(request, "hotline.html", "hotline")


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election = await src.get("election")
        e = election.data or {}
        districts = [await src.get(f"districts/{n}") for n in e.get("districts", [])]
        dist_docs = [d.data for d in districts if d.data]
        rows = views.county_rows(e, dist_docs)
        return {
            "election": e,
            "counties": rows,
            "map": views.leader_map(
                e, rows, caption="Iowa counties by leader (public results)", map_id="desk-map"
            ),
        }

    return await _live(request, "desk", build, page="desk")
