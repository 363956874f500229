"""A lean HTTP/1.1 GET client for the drill's public readers: one keep-alive connection,
requests written as bytes, answers parsed only as far as the readers need (status, ETag, body).

Why not httpx here: on a 2-core machine the load generator's CPU is taken from the server it
measures. httpx spent about 0.8 ms of CPU per read, so 16 readers in one process could not ask
for more than ~1,100 reads/s whatever the server could give (issue 11: the night's target is
2,000). This client costs a tenth of that. It speaks only what a results server answers to a
GET: ``Content-Length`` or ``chunked`` bodies, ``Connection: close``, TLS when the URL is https.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Largest response head (status line and headers) a reader accepts.
MAX_HEAD = 64 * 1024


class LeanHTTPError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected (status 0)."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    etag: str | None
    raw: bytes
    gzipped: bool = False

    def body(self) -> bytes:
        """The body as sent before compression (inflated here only when a reader reads it)."""
        return gzip.decompress(self.raw) if self.gzipped else self.raw


class LeanClient:
    """GET requests on one kept-alive connection to ``base`` from ``local_address``."""

    def __init__(self, base: str, local_address: str | None, tls: ssl.SSLContext | None) -> None:
        parts = urlsplit(base)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.local = local_address
        self.tls = tls if self.https else None
        self.head = (
            f"Host: {parts.netloc}\r\nUser-Agent: caucus-drill-reader\r\n"
            "Accept-Encoding: gzip\r\n"  # as a browser asks; bodies are inflated on demand
        ).encode()
        self._r: asyncio.StreamReader | None = None
        self._w: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._r is None or self._w is None:
            self._r, self._w = await asyncio.open_connection(
                self.host,
                self.port,
                ssl=self.tls,
                server_hostname=self.host if self.tls else None,
                local_addr=(self.local, 0) if self.local else None,
            )
        return self._r, self._w

    async def close(self) -> None:
        w, self._r, self._w = self._w, None, None
        if w is not None:
            w.close()
            try:
                await w.wait_closed()
            except (OSError, ssl.SSLError):
                pass

    async def get(self, path: str, etag: str | None = None, timeout: float = 10.0) -> Reply:
        """One GET (``If-None-Match`` when ``etag``); raises :class:`LeanHTTPError` and drops
        the connection on any failure, so the next call starts a fresh one."""
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(path, etag)
        except (OSError, EOFError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
            await self.close()
            raise LeanHTTPError(type(exc).__name__) from exc
        except asyncio.LimitOverrunError as exc:
            await self.close()
            raise LeanHTTPError("response head too large") from exc

    async def _exchange(self, path: str, etag: str | None) -> Reply:
        r, w = await self._connect()
        inm = f"If-None-Match: {etag}\r\n".encode() if etag else b""
        w.write(b"GET %s HTTP/1.1\r\n%s%s\r\n" % ((self.prefix + path).encode(), self.head, inm))
        h = _Head.parse(await r.readuntil(b"\r\n\r\n"))
        close = h.close
        if h.status in (204, 304) or 100 <= h.status < 200:
            body = b""
        elif h.chunked:
            body = await _chunks(r)
        elif h.length is not None:
            body = await r.readexactly(h.length)
        else:  # the body runs to the end of the connection
            body, close = await r.read(), True
        if close:
            await self.close()
        return Reply(h.status, h.etag, body, h.gzipped)


@dataclass(slots=True)
class _Head:
    status: int
    length: int | None = None
    chunked: bool = False
    close: bool = False
    etag: str | None = None
    gzipped: bool = False

    @classmethod
    def parse(cls, raw: bytes) -> _Head:
        """The status line and the headers a reader needs; ValueError if not HTTP/1.x."""
        if len(raw) > MAX_HEAD or not raw.startswith(b"HTTP/1."):
            raise ValueError("not an HTTP/1.x answer")
        h = cls(int(raw[9:12]))
        for line in raw.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            key = name.strip().lower()
            if key == b"content-length":
                h.length = int(value)
            elif key == b"etag":
                h.etag = value.strip().decode("latin-1")
            elif key == b"transfer-encoding":
                h.chunked = b"chunked" in value.lower()
            elif key == b"content-encoding":
                h.gzipped = b"gzip" in value.lower()
            elif key == b"connection":
                h.close = b"close" in value.lower()
        return h


async def _chunks(r: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await r.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await r.readuntil(b"\r\n")) != b"\r\n":  # trailers, if any
                pass
            return b"".join(parts)
        parts.append(await r.readexactly(size))
        await r.readexactly(2)
