"""Settings of the results service, from arguments or ``CAUCUS_*`` environment variables.

Every setting is documented in docs/settings.md (tests/test_docs.py keeps the two in step).
Values are checked by pydantic-settings when the service starts: a value that is not a whole
number, or a negative one, stops it with a message naming the variable
(``CAUCUS_PUBLIC_MAX_AGE: must be a whole number, got 'five'``), never with a traceback.

To add a setting: a line ``name: int = default`` with a ``#:`` comment (bounds, when it has
any besides "not negative", in ``Annotated[int, Field(...)]``), and a row in docs/settings.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from caucuskit.core.errors import CaucusError, Problem
from caucuskit.formats.inputs import problems_from

ENV_PREFIX = "CAUCUS_"


class SettingsError(CaucusError, ValueError):
    """A setting has a value the service cannot run with; names every such variable."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class Settings(BaseSettings):
    """Everything the service needs to run (docs/settings.md)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid"
    )

    #: SQLAlchemy URL or SQLite path (``--db`` / ``CAUCUS_DATABASE_URL``).
    database_url: Annotated[str, Field(min_length=1)] = "caucus.sqlite"
    #: Largest request body in bytes; larger bodies get 413.
    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 64 * 1024
    #: ``Cache-Control: max-age`` of public answers, seconds.
    public_max_age: Annotated[int, Field(le=86_400)] = 5
    #: Public reads per second one worker answers while chairs are reporting; reads beyond it
    #: wait their turn, past half a second 503 (ADR 0014); 0: no limit.
    public_reads_while_reporting: Annotated[int, Field(le=1_000_000)] = 2500
    #: Seconds a public HTML page, once rendered, may still be shown while newer results are
    #: published (the JSON never waits); 0: render every new version (web/pages/page_cache.py).
    page_render_interval: Annotated[float, Field(ge=0, le=60)] = 1.0
    #: Length of the counting window, seconds.
    throttle_window: Annotated[int, Field(ge=1)] = 900
    #: Longest block, seconds.
    block_cap: Annotated[int, Field(ge=1)] = 3600
    #: argon2 time cost and memory (KiB) for codes and passwords.
    argon2_time_cost: Annotated[int, Field(ge=1, le=100)] = 2
    argon2_memory_kib: Annotated[int, Field(ge=8, le=4 * 1024 * 1024)] = 19456

    @field_validator("*", mode="after")
    @classmethod
    def _not_negative(cls, value: Any) -> Any:
        """No setting is a negative number (a count, a size or a number of seconds)."""
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise ValueError(f"must not be negative, got {value}")
        return value

    # ---- hardening (issue 10, docs/security.md): throttling, sessions, proxies ------------
    #: Wrong codes one address (IPv6: one /64) may try, all precincts together, per budget
    #: window; with 1,000 addresses this bounds the chance of guessing any code (security.md).
    address_code_budget: Annotated[int, Field(ge=1)] = 200
    #: Wrong precinct codes one staff account (hotline operator) may enter per budget window.
    account_code_budget: Annotated[int, Field(ge=1)] = 200
    #: Length of the budget window, seconds (12 hours: one caucus night).
    budget_window: Annotated[int, Field(ge=60)] = 43200
    #: Wrong codes for one precinct from one address or account before it must wait.
    pair_free_failures: int = 5
    #: First wait after those, seconds (doubles with each further wrong code, up to block_cap).
    pair_block_base: Annotated[int, Field(ge=1)] = 30
    #: Wrong passwords for one staff account from one address before it must wait.
    login_free_failures: int = 5
    #: Wrong passwords for one account (all addresses) per budget window; past it only
    #: addresses with no wrong password for that account are still heard.
    login_account_budget: Annotated[int, Field(ge=1)] = 50
    #: argon2 checks running at once in one worker (more wait in a queue, bounding memory).
    argon2_concurrency: Annotated[int, Field(ge=1, le=64)] = 2
    #: Longest wait in that queue, seconds, before the answer is 503 with Retry-After.
    argon2_queue_timeout: Annotated[int, Field(ge=1, le=300)] = 10
    #: Lifetime of a chair's sign-in token, seconds (then the chair signs in again).
    session_ttl: Annotated[int, Field(ge=60, le=7 * 86_400)] = 6 * 3600
    #: Key that signs chair tokens; empty: a random one kept in the database (all workers).
    session_secret: str = ""
    #: Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or networks,
    #: uvicorn's ProxyHeadersMiddleware); empty: none, the peer address is the client.
    trusted_proxies: str = ""
    #: Retry-After (seconds) of the 503 answered while the database is unreachable.
    db_retry_after: Annotated[int, Field(ge=1, le=3600)] = 5

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then ``CAUCUS_<FIELD>`` variables, then ``overrides`` (not None).

        Raises :class:`SettingsError` naming each bad variable (or argument).
        """
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**given)
        except pydantic.ValidationError as exc:
            problems = problems_from(exc)
            named = [
                Problem(p.field if p.field in given else ENV_PREFIX + p.field.upper(), p.message)
                for p in problems
            ]
            raise SettingsError(named) from None
