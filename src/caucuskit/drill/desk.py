"""The results desk in the drill: decide every open item by the precinct's tally sheet, in
rounds through the night and until nothing is open; then the recanvass corrections.

Rule: rules.md §9 (2020: reports refused and corrected, double entry by phone, a recanvass;
every correction must be traceable).

Inputs: the running :class:`~caucuskit.drill.night.Night` (its API client, ledger of what each
precinct meant to report, metrics). Outputs: desk decisions and recanvass reports sent over
HTTP, each accepted version noted in the ledger for the proof.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from caucuskit.drill.client import Answer, persist
from caucuskit.drill.plan import real_delay
from caucuskit.drill.reports import same_report

if TYPE_CHECKING:
    from caucuskit.drill.night import Night

#: The desk's address (the operators' are in :mod:`caucuskit.drill.night`).
DESK = "127.20.0.10"


async def settle(night: Night) -> int:
    """Decide every open item by the precinct's tally sheet; returns how many were open."""
    who = night.target.creds.desk
    a = await persist(
        lambda: night.api.conflicts(DESK, who), deadline=night.deadline(), on_retry=night.retried
    )
    if not a.ok or not isinstance(a.body, dict):
        return 0
    items = a.body.get("conflicts", [])
    handled: set[tuple[str, str]] = set()
    judged = []
    for item in items:
        key = (item["county"], item["precinct"])
        want = night.ledger.intended.get(key)
        judged.append((want is not None and same_report(want, item["report"]), item))
    # accepting closes the other side of a double entry: accepts first, then the rest
    for ok, item in sorted(judged, key=lambda x: not x[0]):
        key = (item["county"], item["precinct"])
        want = night.ledger.intended.get(key)
        if not ok and key in handled:
            continue
        handled.add(key)
        vid = int(item["version_id"])
        reason = (
            "matches the precinct's signed worksheet"
            if ok
            else "does not match the precinct's signed worksheet"
        )
        d = await persist(
            partial(night.api.decide, DESK, who, vid, ok, reason),
            deadline=night.deadline(),
            on_retry=night.retried,
        )
        night.m.outcomes[f"desk {'accept' if ok else 'reject'} {d.status}"] += 1
        if ok and not d.ok:  # a repeat after a lost answer finds it decided already
            d = await decided(night, str(item["precinct_id"]), vid, d)
        if ok and d.ok and want is not None:
            night.ledger.expected[key] = want
            night.ledger.precinct_ids[key] = str(item["precinct_id"])
            night.accepted(str(item["precinct_id"]), vid, d)
    return len(items)


async def decided(night: Night, precinct_id: str, version_id: int, answer: Answer) -> Answer:
    """Whether ``version_id`` is the precinct's current result after all (an accept whose
    answer was lost is answered 409 when repeated): the history says."""
    h = await persist(
        partial(night.api.history, DESK, night.target.creds.desk, precinct_id),
        deadline=night.deadline(),
        on_retry=night.retried,
    )
    cur = h.body.get("current") if h.ok and isinstance(h.body, dict) else None
    if isinstance(cur, dict) and cur.get("version_id") == version_id:
        night.m.outcomes["desk accept confirmed by history"] += 1
        return Answer(200, cur, h.headers, answer.started, answer.elapsed)
    return answer


async def desk_rounds(night: Night, stop: asyncio.Event) -> None:
    interval = max(0.3, real_delay(night.opt, 300))
    for _ in range(100_000):
        if stop.is_set():
            return
        await settle(night)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass


async def recanvass(night: Night) -> None:
    """After the night: the desk enters the recanvass corrections."""
    who = night.target.creds.desk
    for u in night.plan.units:
        if u.recanvass is None or u.key not in night.ledger.expected:
            continue
        idem = f"s{night.opt.seed}-u{u.index}-recanvass"
        a = await persist(
            partial(
                night.api.recanvass,
                DESK,
                who,
                u.recanvass,
                "recanvass of the precinct's worksheet",
                idem,
            ),
            deadline=night.deadline(),
            on_retry=night.retried,
        )
        night.ledger.intended[u.key] = u.recanvass
        ack = night.ledger.acknowledge(u.key, u.recanvass, "recanvass", a, idem)
        if ack is not None:
            night.m.outcomes[f"recanvass {ack.status}"] += 1
            night.accepted(ack.precinct_id, ack.version_id, a)
        else:
            night.ledger.unexpected.append(f"recanvass {u.county}/{u.precinct}: {a.status}")
