"""What goes wrong on a real night, apart from the chairs' own slips: malformed requests, the
hotline flood from a few addresses, and the faults (kill -9 of the server, PostgreSQL stopped).

Rule: rules.md §9 (2020: the hotline number leaked and callers swamped it while chairs waited;
a bad input must be refused with a reason naming the field, never counted silently).
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import TYPE_CHECKING, Any

from caucuskit.drill.client import chair_address
from caucuskit.drill.reports import Body

if TYPE_CHECKING:
    from caucuskit.drill.night import Night

#: What each malformed request is expected to be refused with (status, field prefix).
EXPECTED: dict[str, tuple[int, str]] = {
    "string-count": (422, "attendees"),
    "boolean-count": (422, "final"),
    "negative": (422, "first"),
    "unknown-candidate": (422, "final"),
    "missing-final": (422, "final"),
    "not-json": (400, "body"),
    "delegates-given": (422, "delegates"),
    "too-large": (413, "body"),
}


def malformed(kind: str, body: Body, code: str) -> tuple[dict[str, Any] | None, bytes | None]:
    """A request body of the given ``kind`` built from a real report: (json, or raw bytes)."""
    good: dict[str, Any] = {k: v for k, v in body.items() if k != "tosses"}
    good["code"] = code
    some = next(iter(sorted(good["final"])), "Biden")
    if kind == "string-count":
        return {**good, "attendees": str(good["attendees"])}, None
    if kind == "boolean-count":
        return {**good, "final": {**good["final"], some: True}}, None
    if kind == "negative":
        return {**good, "first": {**good["first"], some: -3}}, None
    if kind == "unknown-candidate":
        return {**good, "final": {**good["final"], "Nobody McNoone": 4}}, None
    if kind == "missing-final":
        return {k: v for k, v in good.items() if k != "final"}, None
    if kind == "not-json":
        return None, b'{"county": "' + good["county"].encode() + b'", attendees: 12'
    if kind == "delegates-given":
        return {**good, "delegates": {some: 3}}, None
    if kind == "too-large":
        return None, json.dumps({**good, "note": "x" * 70_000}).encode()
    raise ValueError(f"unknown malformed kind {kind!r}")


def refused_as_expected(kind: str, status: int, field: str) -> bool:
    """Whether a malformed request got the refusal it should (the field is named)."""
    want_status, want_field = EXPECTED[kind]
    return status == want_status and (field.startswith(want_field) or field == "validation")


#: The four kinds of flood attempt, in turn: no code, a wrong code to submit, a wrong code to
#: sign in, an operator entry without credentials.
FLOOD_KINDS = ("no-code", "wrong-code", "wrong-signin", "no-credentials")


def flood_body(kind: str, county: str, precinct: str, attempt: int) -> tuple[str, bytes]:
    """(endpoint name, body) of one flood attempt against a real precinct."""
    wrong = f"ZZZZ{attempt % 1000000:06d}"
    base = {
        "county": county,
        "precinct": precinct,
        "attendees": 10,
        "final": {"Biden": 10},
        "first": {"Biden": 10},
    }
    if kind == "no-code":
        return "chair", json.dumps(base).encode()
    if kind == "wrong-code":
        return "chair", json.dumps({**base, "code": wrong}).encode()
    if kind == "wrong-signin":
        return "signin", json.dumps(
            {"county": county, "precinct": precinct, "code": wrong}
        ).encode()
    return "operator", json.dumps({**base, "code": wrong, "channel": "hotline"}).encode()


async def malformed_requests(night: Night) -> None:
    """Requests no client should send, each of which must be refused with its field."""
    for n, (i, kind) in enumerate(night.plan.malformed):
        u = night.plan.units[i]
        await night.until(u.at)
        js, raw = malformed(kind, u.body, night.code(u))
        addr = chair_address(u.index)
        if raw is not None:
            a = await night.once(addr, partial(night.api.raw_post, "malformed", addr, "chair", raw))
        else:
            a = await night.once(
                addr,
                partial(
                    night.api.request, "malformed", addr, "POST", "/api/v1/chair/reports", json=js
                ),
            )
        ok = refused_as_expected(kind, a.status, a.field())
        night.m.malformed[f"{kind}: {a.status} {a.field()}"] += 1
        if not ok:
            night.ledger.unexpected.append(f"malformed {kind} #{n}: {a.status} {a.field()}")


async def flood(night: Night) -> None:
    """Thousands of code-less or wrong-code attempts from a few addresses, paced over the
    busiest stretch of the night while the real chairs and operators keep working."""
    p = night.plan
    if not p.flood or not p.units:
        return
    targets = p.flood_targets or [0]
    span = max(p.units[0].at, sorted(u.at for u in p.units)[int(0.8 * (len(p.units) - 1))])
    gate = asyncio.Semaphore(16)

    async def one(k: int) -> None:
        u = p.units[targets[k % len(targets)]]
        kind = FLOOD_KINDS[k % len(FLOOD_KINDS)]
        endpoint, raw = flood_body(kind, u.county, u.precinct, k)
        addr = f"127.66.0.{k % night.opt.flood_addresses + 1}"
        async with gate:
            a = await night.api.raw_post("flood", addr, endpoint, raw)
        night.m.flood[a.status] += 1

    tasks = []
    for k in range(p.flood):
        await night.until(span * k / p.flood)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)


async def faults(night: Night) -> None:
    """kill -9 of the owned server and PostgreSQL stop/start, at the planned moments."""
    moments = sorted(
        [(t, "kill -9 server") for t in night.plan.kills_at]
        + [(t, "PostgreSQL stop/start") for t in night.plan.pg_restarts_at]
    )
    for at, what in moments:
        await night.until(at)
        start = night.m.now()
        if what.startswith("kill") and night.target.server is not None:
            await asyncio.to_thread(night.target.server.kill9)
            await asyncio.sleep(night.target.fault_down)
            await asyncio.to_thread(night.target.server.start)
        elif night.target.pg is not None:
            await asyncio.to_thread(night.target.pg.stop, "fast")
            await asyncio.sleep(night.target.fault_down)
            await asyncio.to_thread(night.target.pg.start)
        else:
            continue
        night.m.faults.append((start, what, night.m.now() - start))
