"""The drill readers' lean HTTP client against a loopback server that answers in each way a
results server or a proxy in front of it may: a sized body, a chunked one, gzip, 304, a closed
connection, garbage."""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from caucuskit.drill.lean_http import LeanClient, LeanHTTPError


def _serve(answers: dict[bytes, bytes], seen: list[bytes]) -> Callable[..., Awaitable[None]]:
    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await r.readuntil(b"\r\n\r\n")
                seen.append(head)
                path = head.split(b" ", 2)[1]
                w.write(answers[path])
                await w.drain()
                if b"Connection: close" in answers[path]:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        w.close()

    return handle


def _in_thread(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """asyncio.run in a thread of its own: a browser test (sync Playwright) may have left an
    event loop running in the main thread."""
    errors: list[BaseException] = []

    def go() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    t = threading.Thread(target=go)
    t.start()
    t.join(30)
    if errors:
        raise errors[0]


def _run(answers: dict[bytes, bytes], body: Callable[[str], Awaitable[None]]) -> list[bytes]:
    seen: list[bytes] = []

    async def main() -> None:
        server = await asyncio.start_server(_serve(answers, seen), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            await body(f"http://127.0.0.1:{port}")

    _in_thread(main)
    return seen


def test_sized_chunked_gzip_304_and_close_on_one_client() -> None:
    doc = b'{"precincts": {"reporting": 3}}'
    answers = {
        b"/sized": b'HTTP/1.1 200 OK\r\nETag: "a1"\r\nContent-Length: 5\r\n\r\nhello',
        b"/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n",
        b"/gz": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
        % (len(gzip.compress(doc)), gzip.compress(doc)),
        b"/same": b'HTTP/1.1 304 Not Modified\r\nETag: "a1"\r\n\r\n',
        b"/bye": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",
    }
    got: dict[str, object] = {}

    async def body(base: str) -> None:
        c = LeanClient(base, "127.0.0.1", None)
        a = await c.get("/sized")
        got["sized"] = (a.status, a.etag, a.body())
        b = await c.get("/same", a.etag)
        got["same"] = (b.status, b.etag, b.body())
        got["chunked"] = (await c.get("/chunked")).body()
        got["gz"] = (await c.get("/gz")).body()
        got["bye"] = (await c.get("/bye")).body()
        got["after"] = (await c.get("/sized")).status  # a new connection after the close
        await c.close()

    seen = _run(answers, body)
    assert got == {
        "sized": (200, '"a1"', b"hello"),
        "same": (304, '"a1"', b""),
        "chunked": b"abcde",
        "gz": doc,
        "bye": b"to the end",
        "after": 200,
    }
    assert b'If-None-Match: "a1"' in seen[1] and b"If-None-Match" not in seen[0]
    assert all(b"Accept-Encoding: gzip" in h for h in seen)


@pytest.mark.parametrize(
    "answer",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\nshort",
    ],
)
def test_a_broken_answer_is_an_error_and_the_next_call_reconnects(answer: bytes) -> None:
    answers = {b"/bad": answer, b"/ok": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}
    got: list[object] = []

    async def body(base: str) -> None:
        c = LeanClient(base, None, None)
        with pytest.raises(LeanHTTPError):
            await c.get("/bad", timeout=2)
        got.append((await c.get("/ok")).body())
        await c.close()

    _run(answers, body)
    assert got == [b"ok"]


def test_no_server_is_an_error_not_a_hang() -> None:
    async def main() -> None:
        c = LeanClient("http://127.0.0.1:9", None, None)
        with pytest.raises(LeanHTTPError):
            await c.get("/", timeout=2)

    _in_thread(main)
