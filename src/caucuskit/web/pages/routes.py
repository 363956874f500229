"""Page routes: public results (live by polling with ETag), chair, hotline and desk.

Rule: rules.md §9 (what went wrong in 2020: the pages say plainly what the server has).
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from caucuskit.web.api.public import if_none_match
from caucuskit.web.pages import publicview as pv
from caucuskit.web.pages import views
from caucuskit.web.pages.page_cache import PageCache
from caucuskit.web.pages.race_panel import race_view
from caucuskit.web.pages.source import PublicSource

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["status_text"] = views.status_text
templates.env.filters["card"] = views.card_display
templates.env.globals["pct_text"] = pv.pct_text

router = APIRouter(include_in_schema=False)

#: How often a public page asks for changes (seconds); ``?poll=N`` overrides (tests, kiosks).
DEFAULT_POLL = 15
#: Seconds a rendered page may be shown while newer results exist (CAUCUS_PAGE_RENDER_INTERVAL).
DEFAULT_RENDER_INTERVAL = 1.0


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


async def _live(request: Request, name: str, build: Any, *, page: str = "results") -> Response:
    """Render ``name`` (or only its live part with ``?part=live``), with a page ETag.

    The ETag follows the public snapshot version, so a poll costs one cheap 304 until a
    result changes; a render is kept and shared by the worker's readers (page_cache.py).
    """
    src = _source(request)
    version = await src.get("version")
    stamp = (version.data or {}).get("etag") or version.etag or "none"
    url = request.url
    key = (str(request.base_url), url.path, url.query, name)
    inm = request.headers.get("if-none-match")
    kept = _pages(request).usable(key, stamp)
    if kept is None:
        tag = hashlib.sha256(f"{stamp}|{url.path}|{url.query}|{name}".encode()).hexdigest()[:20]
        etag = f'W/"page-{tag}"'
        if if_none_match(inm, etag):
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
        context = await build(src)
        if context is None:
            return _not_found(request, url.path)
        context.update(
            page=page,
            poll=_poll(request),
            version=version.data or {},
            live_url=f"{url.path}?part=live",
            etag=etag,
        )
        part = request.query_params.get("part") == "live"
        template = f"{name}_live.html" if part else f"{name}.html"
        rendered = templates.TemplateResponse(request, template, context)
        kept = _pages(request).keep(key, stamp, etag, bytes(rendered.body))
    headers = {"ETag": kept.etag, "Cache-Control": "no-cache"}
    if if_none_match(inm, kept.etag):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(kept.body, headers=headers)


def _pages(request: Request) -> PageCache:
    cache: PageCache | None = getattr(request.app.state, "page_cache", None)
    if cache is None:  # an app put together without create_app (tests of single routes)
        cache = request.app.state.page_cache = PageCache(DEFAULT_RENDER_INTERVAL)
    return cache


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
        data = state.data or {}
        columns = pv.county_columns(data, rows)
        unit = views.unit_of(e)
        place = _place(e)
        return {
            "election": e,
            "unit": unit,
            "result": data,
            "race": race_view(data, unit["short"]),
            "cands": pv.candidate_view(data),
            "outstanding": pv.outstanding(data, data.get("race")),
            "nat": pv.national_view(data),
            "districts": dist_docs,
            "counties": rows,
            "county_columns": columns,
            "county_table": pv.county_table(rows, columns),
            "styles": views.style_table(e),
            "map": views.leader_map(
                e, rows, caption=f"{place} counties by leader in {unit['long']}"
            ),
            "share": _share(
                request, f"{data.get('name', '')} caucus results", _share_text(data, unit["short"])
            ),
            "downloads": {"csv": "/results/download/results.csv", "json": "/api/v1/public/state"},
        }

    return await _live(request, "results_state", build)


def _place(election: dict[str, Any]) -> str:
    """The state a page is about, from the election's title ("Nevada Democratic caucuses...")."""
    return str(election.get("title", "")).split(" ")[0] or "Results"


def _share(request: Request, title: str, text: str) -> dict[str, str]:
    """Links and the social preview card (Open Graph) for a public page."""
    url = str(request.url.replace(query=""))
    q = quote(url, safe="")
    return {
        "url": url,
        "title": title,
        "text": text,
        "email": f"mailto:?subject={quote(title)}&body={quote(text + ' ' + url)}",
        "x": f"https://twitter.com/intent/tweet?url={q}&text={quote(text)}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={q}",
        "image": str(request.url_for("static", path="share-card.png")),
    }


def _share_text(doc: dict[str, Any], unit: str = "SDE") -> str:
    p = doc.get("precincts") or {}
    top = [c for c in doc.get("candidates", [])[:3] if c.get("sde") not in (None, "0")]
    lead = ", ".join(f"{c['name']} {c.get('sde_percent_display')}%" for c in top)
    return (
        f"{p.get('percent_display', '0')}% of precincts reporting"
        + (f": {lead} of {unit}s" if lead else "")
        + "."
    )


@router.get("/results/download/results.csv")
async def results_csv(request: Request) -> Response:
    """The statewide and county numbers of the results page as CSV (from the public documents)."""
    src = _source(request)
    election, state = await asyncio.gather(src.get("election"), src.get("state"))
    if not state.found:
        return _not_found(request, request.url.path)
    e = election.data or {}
    districts = [await src.get(f"districts/{n}") for n in e.get("districts", [])]
    extra = []
    dist_docs = [d.data for d in districts if d.data]
    for cid in views.missing_counties(e, dist_docs):
        doc = await src.get(f"counties/{cid}")
        if doc.data:
            extra.append(doc.data)
    rows = views.county_rows(e, dist_docs, extra)
    body = pv.results_csv(state.data or {}, rows, str((e.get("unit") or {}).get("code", "sde")))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="caucus-results.csv"',
            "Cache-Control": "no-cache",
        },
    )


@router.get("/results/district/{number}", response_class=HTMLResponse)
async def results_district(request: Request, number: str) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, district = await asyncio.gather(
            src.get("election"), src.get(f"districts/{number}")
        )
        if not district.found:
            return None
        e = election.data or {}
        data = district.data or {}
        rows = views.county_rows(e, [data])
        rows = [
            r
            for r in rows
            if str(r.get("district")) == str(number)
            or r["id"] in {c["id"] for c in data.get("children", [])}
        ]
        columns = pv.county_columns(data, rows)
        return {
            "election": e,
            "result": data,
            "cands": pv.candidate_view(data),
            "county_columns": columns,
            "county_table": pv.county_table(rows, columns),
            "styles": views.style_table(e),
            "share": _share(
                request,
                f"{data.get('name', '')} caucus results",
                _share_text(data, views.unit_of(e)["short"]),
            ),
        }

    return await _live(request, "results_district", build)


@router.get("/results/county/{county_id}", response_class=HTMLResponse)
async def results_county(request: Request, county_id: str) -> Response:
    async def build(src: PublicSource) -> dict[str, Any] | None:
        election, county = await asyncio.gather(
            src.get("election"), src.get(f"counties/{county_id}")
        )
        if not county.found:
            return None
        data = county.data or {}
        return {
            "election": election.data or {},
            "result": data,
            "cands": pv.candidate_view(data),
            "styles": views.style_table(election.data or {}),
            "share": _share(
                request,
                f"{data.get('name', '')} County caucus results",
                _share_text(data, views.unit_of(election.data or {})["short"]),
            ),
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
                e,
                rows,
                caption=f"{_place(e)} counties by leader (public results)",
                map_id="desk-map",
            ),
        }

    return await _live(request, "desk", build, page="desk")
