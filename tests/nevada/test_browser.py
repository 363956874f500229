"""A Nevada night in the browser (issue 13): the chair worksheet with the memo's examples
B, J, K (rules.md §5.8), early ballots confirmed and a card draw; the public pages in CCDs with
the Nevada county map and the cards on the list of ties. Real server, Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from process_support import served_in_thread
from web.support import chair_sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class LiveServer:
    url: str
    codes: dict[str, str]


EARLY = (
    "county,precinct,choice1,choice2,choice3,choice4,choice5\n"
    "Carson City,105,Buttigieg,Sanders,Warren,,\n"
    "Carson City,105,Warren,Sanders,Buttigieg,,\n"
    "Carson City,105,Sanders,Sanders,,,\n"
)  # the last one is void (two choices)
PRECINCTS = ("carson-city--105", "carson-city--107", "carson-city--109", "carson-city--411")


@pytest.fixture(scope="module")
def nv_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from caucuskit.formats.election_file import load_election
    from caucuskit.services.context import Context
    from caucuskit.services.credentials import issue_codes
    from caucuskit.services.early_ballots import load_early_file
    from caucuskit.services.settings import Settings
    from caucuskit.services.setup import init_database
    from caucuskit.web.app import create_app

    folder = tmp_path_factory.mktemp("nevada")
    settings = Settings(
        database_url=str(folder / "nv.sqlite"), argon2_time_cost=1, argon2_memory_kib=1024
    )
    ctx = Context(settings)
    init_database(ctx.db, load_election("nevada-2020"))
    codes, _ = issue_codes(ctx, only=list(PRECINCTS))
    (folder / "early.csv").write_text(EARLY, encoding="utf-8")
    load_early_file(ctx, folder / "early.csv")
    with served_in_thread(create_app(settings, ctx)) as url:
        yield LiveServer(url, {c.precinct_id: c.code for c in codes})


@pytest.fixture(scope="module")
def nv_browser(browser: Any) -> Any:
    """The session's one Chromium (tests/conftest.py)."""
    return browser


def sign_in(page: Any, server: LiveServer, pid: str) -> None:
    chair_sign_in(page, server, "carson-city", pid)


def worksheet(page: Any, n: int, first: dict[str, int], final: dict[str, int]) -> None:
    page.fill("#attendees", str(n))
    page.click("section[data-step=headcount] button[data-go=first]")
    for g, v in first.items():
        page.fill(f"input[data-which='first'][data-group='{g}']", str(v))
    page.click("section[data-step=first] button[data-go=final]")
    for g in first:
        page.fill(f"input[data-which='final'][data-group='{g}']", str(final.get(g, 0)))


def wait_text(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
        arg=[selector, text],
        timeout=15000,
    )


def send(page: Any) -> None:
    page.click("#to-review")
    page.click("#send")
    page.wait_for_selector("#receipt")
    assert page.inner_text("#receipt").startswith("R-")


# §5.8 B (D=7), J (D=10, people left), K (D=4, Principle 2: five delegates)
CASES = [
    ("carson-city--107", 79, {"Biden": 14, "Sanders": 19, "Warren": 18, "Steyer": 12,
                              "Klobuchar": 16}, None, "Delegates (7 of 7)",
     {"Biden": 1, "Sanders": 2, "Warren": 2, "Steyer": 1, "Klobuchar": 1}),
    ("carson-city--109", 75, {"Biden": 23, "Sanders": 27, "Klobuchar": 11, "Steyer": 11,
                              "Yang": 3}, {"Biden": 23, "Sanders": 27}, "Delegates (10 of 10)",
     {"Biden": 5, "Sanders": 5}),
    ("carson-city--411", 76, {"Biden": 13, "Warren": 13, "Steyer": 13, "Klobuchar": 13,
                              "Sanders": 24}, None, "Delegates (5 of 4)",
     {"Biden": 1, "Warren": 1, "Steyer": 1, "Klobuchar": 1, "Sanders": 1}),
]  # fmt: skip


def test_memo_examples_and_a_card_draw_with_early_ballots(
    nv_browser: Any, nv_server: LiveServer
) -> None:
    for pid, n, first, final, heading, expected in CASES:
        ctx = nv_browser.new_context(viewport=PHONE)  # a phone per chair (sign-in is kept)
        page = ctx.new_page()
        sign_in(page, nv_server, pid)
        assert "CCDs" in page.inner_text("#who-detail")
        worksheet(page, n, first, final or first)
        wait_text(page, "#delegates", heading)
        rows = [line.split("\t") for line in page.inner_text("#delegates").splitlines()]
        got = {r[0].strip(): r[-1].strip() for r in rows if len(r) == 4 and r[-1].strip().isdigit()}
        assert got == {g: str(k) for g, k in expected.items()}, got
        send(page)
        ctx.close()

    page = nv_browser.new_context(viewport=PHONE).new_page()
    sign_in(page, nv_server, "carson-city--105")
    confirm = page.inner_text("#early-confirm")
    assert "3 early ballots" in confirm and "Checksum" in confirm
    page.check("#early-ok")
    counts = {"Warren": 99, "Sanders": 50, "Buttigieg": 49}
    worksheet(page, 198, counts, counts)
    page.locator("#tie").wait_for(state="visible")
    tie = page.inner_text("#tie")
    assert "Card draw needed" in tie and "Buttigieg" in tie and "Sanders" in tie
    page.select_option("#card-0-rank", "Q")
    page.select_option("#card-0-suit", "S")  # Buttigieg: queen of spades
    page.select_option("#card-1-rank", "Q")
    page.select_option("#card-1-suit", "H")  # Sanders: queen of hearts
    page.fill("#witness-1", "Pat Doe (Sanders)")
    page.click("#record-toss")
    wait_text(page, "#delegates", "Delegates (6 of 6)")
    early = page.inner_text("#early-table")
    assert "Buttigieg" in early and "Warren" in early
    assert "N = 200" in page.inner_text("#threshold")
    send(page)

    public = nv_browser.new_page()
    public.goto(nv_server.url + "/results/coin-tosses")
    ties = public.inner_text("#live")
    assert "Q♠" in ties and "Q♥" in ties and "Pat Doe (Sanders)" in ties
    public.goto(nv_server.url + "/results")
    text = public.inner_text("main")
    assert "county convention delegates" in text and "CCDs" in text
    assert "SDE" not in text
    assert public.locator("svg.county-map path[data-county='Clark']").count() == 1
    assert public.locator("svg.county-map path[data-county='Carson City'].led").count() == 1
