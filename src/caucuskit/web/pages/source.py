"""Where the pages read their data: the public documents of the results service.

The public pages are rendered from exactly the documents the public API serves (docs/api.md,
"Public"), so a page and the JSON feed can never disagree. The documents are fetched in-process:
from ``app.state.public.document(path)`` (no network, no database access from the pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from caucuskit.services.errors import NotFound


class _Feed(Protocol):
    """What the pages need of the service's public feed (``app.state.public``)."""

    def document(self, path: str) -> tuple[dict[str, Any], str]: ...


@dataclass(frozen=True)
class Document:
    """One public document and its ETag (``None`` when the path is unknown)."""

    path: str
    status: int
    data: dict[str, Any] | None
    etag: str | None

    @property
    def found(self) -> bool:
        return self.status == 200 and self.data is not None


class PublicSource:
    """Reads public documents for one request (``state`` is the request's lifespan state)."""

    def __init__(self, app: FastAPI, state: Mapping[str, Any] | None = None) -> None:
        self.app = app
        self.state = dict(state or {})
        self._cache: dict[str, Document] = {}

    async def get(self, path: str) -> Document:
        """The document at ``path`` ("state", "counties/adair", "precincts/adair--1nw-adair")."""
        if path not in self._cache:
            self._cache[path] = await self._fetch(path)
        return self._cache[path]

    async def _fetch(self, path: str) -> Document:
        service: _Feed = self.app.state.public
        try:
            data, etag = await run_in_threadpool(service.document, path)
        except NotFound:
            return Document(path, 404, None, None)
        return Document(path, 200, dict(data), str(etag))
