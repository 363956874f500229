"""The drill's HTTP client: every endpoint, credential and retry rule it uses, in one module.

Rule: rules.md §9 (a report is acknowledged only once it is stored; a client that timed out sends
the same request again with the same ``Idempotency-Key`` and gets the same receipt). The paths
and bodies are those of docs/api.md; when the API changes (session tokens after sign-in, JSON
503s), this is the one file to adapt.

Each actor has its own loopback source address (``127.10.x.y`` for chairs' phones,
``127.20.0.x`` for the hotline and the desk, ``127.30.0.x`` for readers, ``127.66.0.x`` for the
flood), so a throttle keyed by address treats them as the different clients they would be.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1"
PATHS = {
    "health": "/healthz",
    "signin": f"{API}/chair/signin",
    "chair": f"{API}/chair/reports",
    "operator": f"{API}/operator/reports",
    "overview": f"{API}/desk/overview",
    "desk_precincts": f"{API}/desk/precincts",
    "conflicts": f"{API}/desk/conflicts",
    "recanvass": f"{API}/desk/recanvass",
    "public": f"{API}/public",
}
#: Statuses after which the same request is sent again (same key): the server may not have
#: answered, may be restarting, or asked us to wait.
RETRY_STATUSES = frozenset({0, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange: ``status`` 0 when no answer came (time-out, refused connection)."""

    status: int
    body: Any
    headers: dict[str, str]
    started: float
    elapsed: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field(self) -> str:
        """The field an error answer names (docs/api.md "Errors"), or its ``error`` kind."""
        if isinstance(self.body, dict):
            probs = self.body.get("problems") or []
            if probs and isinstance(probs[0], dict):
                return str(probs[0].get("field", ""))
            return str(self.body.get("error", ""))
        return self.error or ""

    def retry_after(self) -> float:
        try:
            return float(self.headers.get("retry-after", "0"))
        except ValueError:
            return 0.0


@dataclass(frozen=True)
class Staff:
    username: str
    password: str

    def auth(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


@dataclass
class Credentials:
    """Access codes by (county, precinct) and the staff accounts the drill acts as."""

    codes: dict[tuple[str, str], str]
    operators: tuple[Staff, Staff]
    desk: Staff


_TLS: list[ssl.SSLContext] = []


def tls() -> ssl.SSLContext:
    """One TLS context for every client: building one per client costs ~80 ms of CPU, which
    would make the drill's own clock the bottleneck (the drill speaks plain HTTP on loopback,
    the context is only there because httpx wants one)."""
    if not _TLS:
        _TLS.append(ssl.create_default_context())
    return _TLS[0]


def chair_address(index: int) -> str:
    """A distinct loopback address for the phone of the ``index``-th chair."""
    return f"127.10.{index // 250}.{index % 250 + 1}"


Observer = Callable[[str, Answer], None]


@dataclass
class Api:
    """Asynchronous access to one results service at ``base_url``.

    ``observe(kind, answer)`` sees every exchange (the metrics). Clients are kept per source
    address; :meth:`close` closes them all.
    """

    base_url: str
    observe: Observer
    timeout: float = 10.0
    _clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def client(self, address: str) -> httpx.AsyncClient:
        c = self._clients.get(address)
        if c is None:
            transport = httpx.AsyncHTTPTransport(local_address=address, retries=0, verify=tls())
            c = httpx.AsyncClient(
                base_url=self.base_url,
                transport=transport,
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
            )
            self._clients[address] = c
        return c

    async def drop(self, address: str) -> None:
        """Close one address's client (a chair's phone is done for now)."""
        c = self._clients.pop(address, None)
        if c is not None:
            await c.aclose()

    async def close(self) -> None:
        for c in list(self._clients.values()):
            await c.aclose()
        self._clients.clear()

    async def request(
        self,
        kind: str,
        address: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Answer:
        """One exchange; never raises for transport problems (status 0 instead)."""
        started = time.monotonic()
        try:
            r = await self.client(address).request(
                method,
                path,
                json=json,
                content=content,
                headers=headers,
                timeout=self.timeout if timeout is None else timeout,
            )
        except httpx.HTTPError as exc:
            a = Answer(0, None, {}, started, time.monotonic() - started, type(exc).__name__)
        else:
            body: Any = None
            if r.content and r.headers.get("content-type", "").startswith("application/json"):
                try:
                    body = r.json()
                except ValueError:
                    body = None
            a = Answer(
                r.status_code,
                body,
                {k.lower(): v for k, v in r.headers.items()},
                started,
                time.monotonic() - started,
            )
        self.observe(kind, a)
        return a

    # ------------------------------------------------------------------ the endpoints
    async def health(self, address: str = "127.20.0.9", timeout: float = 2.0) -> Answer:
        return await self.request("health", address, "GET", PATHS["health"], timeout=timeout)

    async def signin(self, address: str, county: str, precinct: str, code: str) -> Answer:
        return await self.request(
            "signin",
            address,
            "POST",
            PATHS["signin"],
            json={"county": county, "precinct": precinct, "code": code},
        )

    async def chair_report(
        self, address: str, body: dict[str, Any], key: str | None, timeout: float | None = None
    ) -> Answer:
        return await self.request(
            "chair", address, "POST", PATHS["chair"], json=body, headers=_key(key), timeout=timeout
        )

    async def operator_report(
        self, address: str, who: Staff, body: dict[str, Any], key: str | None
    ) -> Answer:
        return await self.request(
            "operator",
            address,
            "POST",
            PATHS["operator"],
            json={**body, "channel": "hotline"},
            headers={**who.auth(), **_key(key)},
        )

    async def raw_post(
        self,
        kind: str,
        address: str,
        path_name: str,
        content: bytes,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """A body sent as bytes (malformed JSON, code-less flood attempts)."""
        return await self.request(
            kind,
            address,
            "POST",
            PATHS[path_name],
            content=content,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    async def overview(self, address: str, who: Staff) -> Answer:
        return await self.request("desk", address, "GET", PATHS["overview"], headers=who.auth())

    async def desk_precincts(self, address: str, who: Staff) -> Answer:
        return await self.request(
            "desk", address, "GET", PATHS["desk_precincts"] + "?state=all", headers=who.auth()
        )

    async def history(self, address: str, who: Staff, precinct_id: str) -> Answer:
        return await self.request(
            "desk", address, "GET", f"{PATHS['desk_precincts']}/{precinct_id}", headers=who.auth()
        )

    async def conflicts(self, address: str, who: Staff) -> Answer:
        return await self.request("desk", address, "GET", PATHS["conflicts"], headers=who.auth())

    async def decide(
        self, address: str, who: Staff, version_id: int, accept: bool, reason: str
    ) -> Answer:
        verb = "accept" if accept else "reject"
        return await self.request(
            "desk",
            address,
            "POST",
            f"{API}/desk/versions/{version_id}/{verb}",
            json={"reason": reason},
            headers=who.auth(),
        )

    async def recanvass(
        self, address: str, who: Staff, body: dict[str, Any], reason: str, key: str
    ) -> Answer:
        return await self.request(
            "desk",
            address,
            "POST",
            PATHS["recanvass"],
            json={**body, "channel": "recanvass", "reason": reason},
            headers={**who.auth(), **_key(key)},
        )

    async def public(
        self, address: str, doc: str, etag: str | None = None, kind: str = "public"
    ) -> Answer:
        headers = {"If-None-Match": etag} if etag else None
        return await self.request(kind, address, "GET", f"{PATHS['public']}/{doc}", headers=headers)

    async def page(self, address: str, path: str) -> Answer:
        return await self.request("public", address, "GET", path)


def _key(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key} if key else {}


async def persist(
    send: Callable[[], Awaitable[Answer]],
    *,
    deadline: float,
    attempts: int = 60,
    on_retry: Callable[[Answer], None] | None = None,
) -> Answer:
    """Send until an answer that is not worth repeating (see :data:`RETRY_STATUSES`), at most
    ``attempts`` times and not after ``deadline`` (``time.monotonic()``). The caller's ``send``
    reuses the same Idempotency-Key each time, so a repeat is never a second report."""
    delay = 0.1
    answer: Answer = await send()
    for _ in range(attempts - 1):
        if answer.status not in RETRY_STATUSES or time.monotonic() >= deadline:
            break
        if on_retry is not None:
            on_retry(answer)
        wait = answer.retry_after() if answer.status == 429 else delay
        wait = min(max(wait, 0.05), 5.0, max(deadline - time.monotonic(), 0.0))
        await asyncio.sleep(wait)
        delay = min(delay * 2, 2.0)
        answer = await send()
    return answer
