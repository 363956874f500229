"""Settings of the results service, from arguments or ``CAUCUS_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to run (documented in docs/api.md and the ADR)."""

    #: SQLAlchemy URL or SQLite path (``--db`` / ``CAUCUS_DATABASE_URL``).
    database_url: str = "caucus.sqlite"
    #: Largest request body in bytes; larger bodies get 413.
    max_body_bytes: int = 64 * 1024
    #: ``Cache-Control: max-age`` of public answers, seconds.
    public_max_age: int = 5
    #: Wrong codes a client may try per window before it is blocked.
    client_free_failures: int = 5
    #: Wrong codes for one precinct (from anyone) before it goes into slow mode.
    precinct_free_failures: int = 10
    #: Length of the counting window, seconds.
    throttle_window: int = 900
    #: First block of a client, seconds (doubles with each further failure, capped).
    client_block_base: int = 30
    #: First slow-mode period of a precinct, seconds (doubles, capped).
    precinct_block_base: int = 10
    #: Longest block, seconds.
    block_cap: int = 3600
    #: argon2 time cost and memory (KiB) for codes and passwords.
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    #: Snapshots kept in the database (older ones are pruned).
    snapshots_kept: int = 3

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then ``CAUCUS_<FIELD>`` variables, then ``overrides`` (not None)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = "CAUCUS_DATABASE_URL" if f.name == "database_url" else f"CAUCUS_{f.name.upper()}"
            raw = os.environ.get(env)
            if raw not in (None, ""):
                values[f.name] = raw if f.type in ("str", str) else int(str(raw))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
