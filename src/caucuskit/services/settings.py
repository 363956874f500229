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

    # ---- hardening (issue 10, docs/security.md): throttling, sessions, proxies ------------
    #: Wrong codes one address (IPv6: one /64) may try, all precincts together, per budget
    #: window; with 1,000 addresses this bounds the chance of guessing any code (security.md).
    address_code_budget: int = 200
    #: Wrong precinct codes one staff account (hotline operator) may enter per budget window.
    account_code_budget: int = 200
    #: Length of the budget window, seconds (12 hours: one caucus night).
    budget_window: int = 43200
    #: Wrong codes for one precinct from one address or account before it must wait.
    pair_free_failures: int = 5
    #: First wait after those, seconds (doubles with each further wrong code, up to block_cap).
    pair_block_base: int = 30
    #: Wrong passwords for one staff account from one address before it must wait.
    login_free_failures: int = 5
    #: Wrong passwords for one account (all addresses) per budget window; past it only
    #: addresses with no wrong password for that account are still heard.
    login_account_budget: int = 50
    #: argon2 checks running at once in one worker (more wait in a queue, bounding memory).
    argon2_concurrency: int = 2
    #: Longest wait in that queue, seconds, before the answer is 503 with Retry-After.
    argon2_queue_timeout: int = 10
    #: Lifetime of a chair's sign-in token, seconds (then the chair signs in again).
    session_ttl: int = 6 * 3600
    #: Key that signs chair tokens; empty: a random one kept in the database (all workers).
    session_secret: str = ""
    #: Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or networks,
    #: uvicorn's ProxyHeadersMiddleware); empty: none, the peer address is the client.
    trusted_proxies: str = ""
    #: Retry-After (seconds) of the 503 answered while the database is unreachable.
    db_retry_after: int = 5

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
