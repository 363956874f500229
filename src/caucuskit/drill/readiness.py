"""Readiness: the chairs sign in during the days before, and the desk watches the count rise.

Rule: rules.md §9 (2020: only about 400 of 1,700 chairs had signed in before the night, and the
party did not know it). The days before are compressed into a few seconds, a few sign-ins at a
time; the desk's readiness view is read once a second.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from caucuskit.drill.client import chair_address, persist
from caucuskit.drill.plan import Unit

if TYPE_CHECKING:
    from caucuskit.drill.night import Night


async def readiness(night: Night) -> None:
    """Chairs sign in during the days before; the desk's readiness view must rise."""
    stop = asyncio.Event()
    poller = asyncio.create_task(_watch(night, stop))
    order = sorted(
        (u for u in night.plan.units if u.signin_at is not None),
        key=lambda u: (u.signin_at, u.index),
    )

    async def one(u: Unit) -> None:
        addr = chair_address(u.index)
        async with gate:
            a = await persist(
                lambda: night.api.signin(addr, u.county, u.precinct, night.code(u)),
                deadline=night.deadline(),
                on_retry=night.retried,
            )
        await night.api.drop(addr)
        if a.ok:
            night.signed_in += 1
            pid = a.body.get("precinct", {}).get("id") if isinstance(a.body, dict) else None
            if pid:
                night.ledger.precinct_ids[u.key] = str(pid)
        else:
            night.ledger.unexpected.append(f"sign-in {u.county}/{u.precinct}: {a.status}")

    gate = asyncio.Semaphore(8)  # a few at a time: the days before are not a rush
    tasks = []
    for u in order:
        await night.until(u.signin_at or 0.0)
        tasks.append(asyncio.create_task(one(u)))
    await asyncio.gather(*tasks)
    stop.set()
    await poller


async def _watch(night: Night, stop: asyncio.Event) -> None:
    for _ in range(10_000):
        a = await night.api.overview("127.20.0.10", night.target.creds.desk)  # the desk
        if a.ok and isinstance(a.body, dict):
            night.m.readiness.append((night.m.now(), int(a.body["readiness"]["signed_in"])))
        if stop.is_set():
            return
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass
