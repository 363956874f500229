"""Where the pages read their data: the public documents of the results service.

The public pages are rendered from exactly the documents the public API serves (docs/api.md,
"Public"), so a page and the JSON feed can never disagree. The documents are fetched in-process:
from ``app.state.public.document(path)`` when the service offers it, otherwise by calling the
app's own public routes through ASGI (no network, no database access from the pages).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

PUBLIC_PREFIX = "/api/v1/public/"


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
        service = getattr(self.app.state, "public", None)
        document = getattr(service, "document", None)
        if callable(document):
            try:
                data, etag = await run_in_threadpool(document, path)
            except (KeyError, LookupError):
                return Document(path, 404, None, None)
            except Exception as exc:  # the service's NotFound carries status 404
                if getattr(exc, "status", None) == 404:
                    return Document(path, 404, None, None)
                raise
            return Document(path, 200, dict(data), str(etag))
        status, headers, body = await asgi_get(self.app, PUBLIC_PREFIX + path, self.state)
        if status != 200:
            return Document(path, status, None, None)
        try:
            data = json.loads(body)
        except ValueError:
            return Document(path, 502, None, None)
        return Document(path, status, data if isinstance(data, dict) else None, headers.get("etag"))


async def asgi_get(
    app: FastAPI, path: str, state: Mapping[str, Any] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` from ``app`` in-process; returns status, headers (lower-case) and body."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"pages.internal"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 0),
        "server": ("pages.internal", 80),
        "state": dict(state or {}),
    }
    sent_request = False
    status = 500
    headers: dict[str, str] = {}
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for key, value in message.get("headers", []):
                headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)
