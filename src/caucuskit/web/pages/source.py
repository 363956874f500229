"""Where the pages read their data: the public documents of the results service.

The public pages are rendered from exactly the documents the public API serves (docs/api.md,
"Public"), so a page and the JSON feed can never disagree. The documents are fetched in-process:
from ``app.state.public.document(path)`` (no network, no database access from the pages).

A Nevada document names its values for county convention delegates (``ccd_display``,
:mod:`caucuskit.services.public_units`); the page code reads one vocabulary, so such a
document is read with the value keys under their SDE names (the race panel's too, whose
sentences keep saying CCD). What a page *shows* comes from the
election's unit (``CCD``, "county convention delegates"), never from a key name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from caucuskit.services.errors import NotFound
from caucuskit.services.public_units import unit_keys, unit_words


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
        return Document(path, 200, read_as_sde(data), str(etag))


def read_as_sde(data: Mapping[str, Any]) -> dict[str, Any]:
    """A public document with its value keys under their SDE names, the pages' one vocabulary
    (a Nevada document names them for CCDs, the race panel by word; its sentences keep
    saying CCD). An Iowa document comes back as it is."""
    code = str((data.get("unit") or {}).get("code", "sde"))
    if code == "sde":
        return dict(data)
    out: dict[str, Any] = unit_keys(data, "sde", source=code)
    if isinstance(out.get("race"), Mapping):
        out["race"] = unit_words(out["race"], "sde", code, text=False)
    return out
