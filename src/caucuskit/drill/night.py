"""The run: readiness, then the night (chairs, hotline double entry, desk, flood, malformed
requests, faults, public readers), then the recanvass after the night.

Rule: rules.md §9 (what 2020 got wrong, each played here: chairs not signed in, the hotline
flood, reports refused and corrected, double entry by phone, a recanvass). Every loop is bounded
in count and in time; every request goes to 127.0.0.1 through :class:`.client.Api`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from caucuskit.drill.client import Answer, Api, Credentials, Staff, chair_address, persist
from caucuskit.drill.desk import desk_rounds, recanvass, settle
from caucuskit.drill.ledger import Ledger
from caucuskit.drill.metrics import Metrics
from caucuskit.drill.plan import Plan, Unit, real_delay
from caucuskit.drill.readiness import readiness
from caucuskit.drill.reports import Body
from caucuskit.drill.servers import OwnedServer, PgCluster
from caucuskit.drill.trouble import faults, flood, malformed_requests

OPERATORS = ("127.20.0.1", "127.20.0.2")
Progress = Callable[[dict[str, Any]], None]


@dataclass
class Target:
    url: str
    creds: Credentials
    server: OwnedServer | None = None
    pg: PgCluster | None = None
    fault_down: float = 1.0


class Night:
    def __init__(
        self, plan: Plan, target: Target, metrics: Metrics, progress: Progress | None = None
    ) -> None:
        self.plan, self.target, self.m = plan, target, metrics
        self.opt = plan.options
        self.api = Api(target.url, metrics.observe)
        self.ledger = Ledger()
        self.progress = progress
        self.night0 = 0.0
        self.done_units = 0
        self.signed_in = 0
        self.pending: dict[int, tuple[str, float]] = {}  # version id -> (precinct id, sent)
        self.watch_deadline = float("inf")
        self.own_failures: dict[str, int] = {}  # address -> own wrong codes not yet righted
        self.later: list[tuple[str, Unit, Body, str | None, Staff | None]] = []
        self.sem = asyncio.Semaphore(256)

    # ----------------------------------------------------------------- helpers
    def code(self, u: Unit) -> str:
        return self.target.creds.codes.get(u.key, "")

    def deadline(self) -> float:
        """When a request being repeated is given up (``Options.persist_seconds`` from now)."""
        return time.monotonic() + self.opt.persist_seconds

    def rng(self, u: Unit, salt: int) -> random.Random:
        return random.Random(self.opt.seed * 1_000_003 + u.index * 31 + salt)

    async def until(self, offset: float) -> None:
        wait = self.night0 + offset - self.m.now()
        if wait > 0:
            await asyncio.sleep(wait)

    async def sim_sleep(self, sim_seconds: float) -> None:
        await asyncio.sleep(real_delay(self.opt, sim_seconds))

    def retried(self, a: Answer, addr: str = "") -> None:
        """Before each repeat: count it; a 429 to a real actor is a lockout unless that
        address has a wrong code of its own not yet followed by a right one."""
        self.m.retries += 1
        if a.status == 429:
            msg = a.body.get("message", "") if isinstance(a.body, dict) else ""
            if self.own_failures.get(addr, 0):
                self.m.outcomes["429 after the actor's own wrong code"] += 1
                return
            self.m.real_actor_throttled += 1
            self.m.notes.append(f"429 to a real actor ({addr}) at {self.m.now():.1f} s: {msg}")

    def _answered(self, addr: str, a: Answer) -> None:
        if a.ok:
            self.own_failures.pop(addr, None)
        elif a.status == 401:
            self.own_failures[addr] = self.own_failures.get(addr, 0) + 1

    async def once(self, addr: str, send: Callable[[], Awaitable[Answer]]) -> Answer:
        """A request meant to be refused, repeated only while no answer comes (a person whose
        phone shows an error tries again); it stores nothing, so no key is needed."""
        a = await persist(send, deadline=self.deadline(), on_retry=partial(self.retried, addr=addr))
        self._answered(addr, a)
        return a

    async def send(
        self,
        what: str,
        u: Unit,
        body: Body,
        idem: str | None,
        who: Staff | None = None,
        first_timeout: float | None = None,
        final: bool = False,
    ) -> Answer:
        """Send a report until it gets a real answer, always with the same key; record it.
        One that never got an answer is sent again after the night (:meth:`reconcile`), as a
        phone does once it has a signal again."""
        addr = (
            chair_address(u.index)
            if who is None
            else OPERATORS[self.target.creds.operators.index(who)]
        )
        payload = {**body, "code": self.code(u)}
        tries = 0

        async def once() -> Answer:
            nonlocal tries
            tries += 1
            t = first_timeout if tries == 1 else None
            if who is None:
                return await self.api.chair_report(addr, payload, idem, timeout=t)
            return await self.api.operator_report(addr, who, payload, idem)

        async with self.sem:
            a = await persist(
                once, deadline=self.deadline(), on_retry=partial(self.retried, addr=addr)
            )
        self._answered(addr, a)
        channel = "chair" if who is None else "hotline"
        ack = self.ledger.acknowledge(u.key, body, channel, a, idem)
        if ack is not None:
            self.m.outcomes[f"{channel} {ack.status}"] += 1
            if ack.status == "accepted":
                self.accepted(ack.precinct_id, ack.version_id, a)
        elif a.status in (0, 429) or a.status >= 500:
            if final:
                self.ledger.unanswered.append(f"{what} {u.county}/{u.precinct}: {a.status}")
            else:
                self.m.outcomes["no answer during the night: sent again after it"] += 1
                self.later.append((what, u, body, idem, who))
        return a

    async def reconcile(self) -> None:
        """Send again, with the same keys, every report that got no answer during the night
        (in order within a precinct; a few precincts at a time)."""
        by_unit: dict[int, list[tuple[str, Unit, Body, str | None, Staff | None]]] = {}
        for item in self.later:
            by_unit.setdefault(item[1].index, []).append(item)
        self.later = []
        gate = asyncio.Semaphore(8)

        async def one(items: list[tuple[str, Unit, Body, str | None, Staff | None]]) -> None:
            async with gate:
                for what, u, body, idem, who in items:
                    await self.send(what, u, body, idem, who, final=True)

        await asyncio.gather(*[one(v) for _, v in sorted(by_unit.items())])

    def accepted(self, precinct_id: str, version_id: int, a: Answer) -> None:
        self.m.accepted_at.append(a.started + a.elapsed - self.m.t0)
        self.pending[version_id] = (precinct_id, a.started)

    async def watch(self, stop: asyncio.Event) -> None:
        """Report-to-visible: one watcher polls the public ``version`` document (with its
        ETag); when it changes, the documents of the precincts still waiting are read, and a
        report is visible once its version is in its precinct's public history."""
        etag: str | None = None
        addr = "127.30.9.1"
        gate = asyncio.Semaphore(8)

        async def look(vid: int, pid: str, sent: float) -> None:
            async with gate:
                a = await self.api.public(addr, f"precincts/{pid}", kind="probe")
            if (
                a.status == 200
                and isinstance(a.body, dict)
                and any(h.get("version_id") == vid for h in a.body.get("history", []))
            ):
                self.pending.pop(vid, None)
                self.m.visible.append(
                    (a.started - self.m.t0, (a.started + a.elapsed - sent) * 1000)
                )

        for _ in range(1_000_000):
            if stop.is_set() and not self.pending:
                return
            a = await self.api.public(addr, "version", etag, kind="probe")
            if a.status == 200:
                etag = a.headers.get("etag")
                await asyncio.gather(*[look(v, p, t) for v, (p, t) in sorted(self.pending.items())])
            await asyncio.sleep(0.05 if a.status else 0.3)
            if stop.is_set() and time.monotonic() > self.watch_deadline:
                self.m.invisible += len(self.pending)
                return

    def refused(self, what: str, u: Unit, a: Answer, expected: bool) -> None:
        tag = f"{what} {a.status} {a.field()}"
        if expected and 400 <= a.status < 500:
            self.m.refused[tag] += 1
        else:
            self.ledger.unexpected.append(f"{u.county}/{u.precinct}: {tag}")

    # ----------------------------------------------------------------- the stories
    async def chair(self, u: Unit) -> None:
        addr = chair_address(u.index)
        tag = f"s{self.opt.seed}-u{u.index}"
        if "mistype" in u.defects:
            code = self.code(u)
            wrong = code[:-1] + ("A" if code[-1:] != "A" else "B")
            self.own_failures[addr] = self.own_failures.get(addr, 0) + 1
            a = await self.once(
                addr, partial(self.api.chair_report, addr, {**u.body, "code": wrong}, None)
            )
            self.refused("mistyped code", u, a, a.status == 401)
        body = u.body
        if u.refused:
            a = await self.send("file report", u, body, f"{tag}-file")
            self.refused("file defect", u, a, a.status == 422)
            if u.fixed is None:
                return
            await self.sim_sleep(180)
            body = u.fixed
        elif "forget-toss" in u.defects:
            bare = {k: v for k, v in body.items() if k != "tosses"}
            a = await self.send("toss missing", u, bare, f"{tag}-notoss")
            self.refused("toss missing", u, a, a.status == 422 and a.field() == "tosses")
            await self.sim_sleep(60)
        self.ledger.intended[u.key] = body
        timeout = 0.002 if "timeout" in u.defects else None
        await self.send("report", u, body, f"{tag}-report", first_timeout=timeout)
        if "duplicate" in u.defects:
            await self.sim_sleep(120)
            await self.send("duplicate", u, body, f"{tag}-again")
        if u.second_thoughts is not None:
            await self.sim_sleep(1200)
            self.ledger.intended[u.key] = u.second_thoughts
            await self.send("correction", u, u.second_thoughts, f"{tag}-second-thoughts")
        await self.api.drop(addr)

    async def hotline(self, u: Unit) -> None:
        op1, op2 = self.target.creds.operators
        tag = f"s{self.opt.seed}-u{u.index}"
        rng = self.rng(u, 1)
        await self.sim_sleep(rng.uniform(30, 300))  # getting through to the hotline
        if "mistype" in u.defects:
            self.own_failures[OPERATORS[0]] = self.own_failures.get(OPERATORS[0], 0) + 1
            a = await self.once(
                OPERATORS[0],
                partial(
                    self.api.operator_report,
                    OPERATORS[0],
                    op1,
                    {**u.body, "code": "WRONG-CODE1"},
                    None,
                ),
            )
            self.refused("mistyped code", u, a, a.status == 401)
        body = u.body
        if u.refused:
            a = await self.send("file report", u, body, f"{tag}-op-file", who=op1)
            self.refused("file defect", u, a, a.status == 422)
            if u.fixed is None:
                return
            body = u.fixed
        elif "forget-toss" in u.defects:
            bare = {k: v for k, v in body.items() if k != "tosses"}
            a = await self.send("toss missing", u, bare, f"{tag}-op-notoss", who=op1)
            self.refused("toss missing", u, a, a.status == 422 and a.field() == "tosses")
        self.ledger.intended[u.key] = body
        timeout = 0.002 if "timeout" in u.defects else None
        await self.send("first entry", u, body, f"{tag}-op1", who=op1, first_timeout=timeout)
        await self.sim_sleep(rng.uniform(120, 480))
        await self.send("second entry", u, u.typo or body, f"{tag}-op2", who=op2)

    async def story(self, u: Unit) -> None:
        try:
            await (self.chair(u) if u.channel == "chair" else self.hotline(u))
        finally:
            self.done_units += 1

    # ----------------------------------------------------------------- the whole run
    async def _tick(self, stop: asyncio.Event) -> None:
        while not stop.is_set() and self.progress is not None:
            self.progress(
                {
                    "signed_in": self.signed_in,
                    "done": self.done_units,
                    "units": len(self.plan.units),
                    "accepted": len(self.m.accepted_at),
                    "retries": self.m.retries,
                    "errors_5xx": len(self.m.server_errors),
                    "flood": sum(self.m.flood.values()),
                    "faults": len(self.m.faults),
                }
            )
            try:
                await asyncio.wait_for(stop.wait(), timeout=0.25)
            except TimeoutError:
                pass

    async def run(self) -> Ledger:
        stop_tick = asyncio.Event()
        ticker = asyncio.create_task(self._tick(stop_tick))
        try:
            self.night0 = self.m.now()
            await readiness(self)
            self.night0 = self.m.now()
            self.m.notes.append(f"night starts at {self.night0:.1f} s")
            stop_desk, stop_watch = asyncio.Event(), asyncio.Event()
            watcher = asyncio.create_task(self.watch(stop_watch))
            side = [
                asyncio.create_task(c)
                for c in (
                    desk_rounds(self, stop_desk),
                    flood(self),
                    malformed_requests(self),
                    faults(self),
                )
            ]
            stories = []
            for u in sorted(self.plan.units, key=lambda u: (u.at, u.index)):
                await self.until(u.at)
                stories.append(asyncio.create_task(self.story(u)))
            await asyncio.wait_for(
                asyncio.gather(*stories, *side[1:]),
                timeout=self.opt.persist_seconds * 4 + self.plan.night_seconds,
            )
            self.m.notes.append(f"last arrival answered at {self.m.now():.1f} s")
            stop_desk.set()
            await side[0]
            await self.reconcile()
            for _ in range(20):
                if not await settle(self):
                    break
            self.m.notes.append(f"night over, desk settled at {self.m.now():.1f} s")
            await recanvass(self)
            for _ in range(20):
                if not await settle(self):
                    break
            self.m.notes.append(f"recanvass done at {self.m.now():.1f} s")
            self.watch_deadline = time.monotonic() + 60
            stop_watch.set()
            await watcher
            self.m.notes.append(f"probes done at {self.m.now():.1f} s")
            self.m.night_end = self.m.now()
        finally:
            stop_tick.set()
            await ticker
            await self.api.close()
        return self.ledger
