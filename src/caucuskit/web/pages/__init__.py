"""The pages people use: chair worksheet, hotline console, results desk and public results.

Server-rendered Jinja2 templates over the results service's public documents (docs/api.md), with
hand-written CSS and plain JavaScript (no build step, no CDN). ``include_pages(app)`` is called by
``caucuskit.web.app.create_app``. See docs/pages.md.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from caucuskit.web.pages.routes import router

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def include_pages(app: FastAPI) -> None:
    """Mount the static files at ``/static`` and add the page routes to ``app``."""
    if not any(getattr(r, "path", None) == "/static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)


__all__ = ["include_pages"]
