"""What the drill was told by the service: every receipt acknowledged, and what each precinct's
current result must therefore be.

Rule: rules.md §9 (an acknowledged report is stored exactly once and never overwritten; the
desk decides between differing reports; a recanvass supersedes). The proof (:mod:`.proof`)
checks the service against this record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caucuskit.drill.client import Answer
from caucuskit.drill.reports import Body

Key = tuple[str, str]


@dataclass(frozen=True)
class Ack:
    """One stored version, as acknowledged: its receipt, id, precinct, status and body."""

    receipt: str
    version_id: int
    precinct_id: str
    key: Key
    status: str
    channel: str
    body: Body
    idempotency_key: str | None


@dataclass
class Ledger:
    acks: dict[str, Ack] = field(default_factory=dict)
    by_idempotency: dict[str, str] = field(default_factory=dict)
    replay_mismatches: list[str] = field(default_factory=list)
    expected: dict[Key, Body] = field(default_factory=dict)
    intended: dict[Key, Body] = field(default_factory=dict)
    precinct_ids: dict[Key, str] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def acknowledge(
        self, key: Key, body: Body, channel: str, a: Answer, idem: str | None
    ) -> Ack | None:
        """Record a 2xx answer that carries a receipt; returns the ack (None otherwise)."""
        b: Any = a.body
        if not a.ok or not isinstance(b, dict) or "receipt" not in b:
            return None
        pid = str(b.get("precinct", {}).get("id", ""))
        if pid:
            self.precinct_ids[key] = pid
        ack = Ack(
            str(b["receipt"]), int(b["version_id"]), pid, key, str(b["status"]), channel, body, idem
        )
        if idem is not None:
            first = self.by_idempotency.setdefault(f"{channel}:{idem}", ack.receipt)
            if first != ack.receipt:
                self.replay_mismatches.append(f"{idem}: {first} then {ack.receipt}")
        self.acks.setdefault(ack.receipt, ack)
        if ack.status == "accepted":
            self.expected[key] = body
        return ack
