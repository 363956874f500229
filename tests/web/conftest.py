"""Browser tests: a real results server on a free loopback port, one Chromium per session.

The server is the real app (``create_app``) under uvicorn in a thread, on a temporary SQLite
database loaded with the shipped Iowa 2020 election; access codes and staff accounts are issued
through the services, exactly as ``caucus credentials issue`` does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from process_support import served_in_thread

from .support import PRECINCTS, LiveServer


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from caucuskit.formats.election_file import load_election
    from caucuskit.services.context import Context
    from caucuskit.services.credentials import issue_codes
    from caucuskit.services.settings import Settings
    from caucuskit.services.setup import init_database
    from caucuskit.services.staff_accounts import default_accounts
    from caucuskit.web.app import create_app

    db = tmp_path_factory.mktemp("pages") / "caucus.sqlite"
    settings = Settings(database_url=str(db), argon2_time_cost=1, argon2_memory_kib=1024)
    ctx = Context(settings)
    init_database(ctx.db, load_election("iowa-2020"))
    codes, _ = issue_codes(ctx, only=list(PRECINCTS))
    accounts = default_accounts(ctx)
    with served_in_thread(create_app(settings, ctx)) as url:
        yield LiveServer(
            url=url,
            codes={c.precinct_id: c.code for c in codes},
            accounts={a.username: a.password for a in accounts},
        )
