"""A Nevada night in the browser, part two (issue 13): the chair's phone works out early votes
and a card draw with no signal; a hotline double entry of a precinct with early ballots and a
card draw (the cards typed as rank and suit, with witnesses) whose outcome the server derives
from the cards and lists with them on the public ties page; and no Nevada page says "Iowa" or
"SDE". Real server on the shipped nevada-2020 election, Debian's Chromium.

Screenshots of the chair worksheet (390 and 1280 px wide) and of the results page go to
``$CAUCUS_SHOTS`` (default /tmp/caucus-shots-nevada).

Rule: rules.md §4 NV (early ballots), §5.4 (card draws), §7 (CCDs), §11 Q9; docs/adr/0011.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("CAUCUS_SHOTS", "/tmp/caucus-shots-nevada"))
EARLY = (
    "county,precinct,choice1,choice2,choice3,choice4,choice5\n"
    # 105 (D = 6): one for Buttigieg, one for Warren, one void (two choices)
    "Carson City,105,Buttigieg,Sanders,Warren,,\n"
    "Carson City,105,Warren,Sanders,Buttigieg,,\n"
    "Carson City,105,Sanders,Sanders,,,\n"
    # 107 (D = 7): Biden and Sanders one each; Steyer's and Klobuchar's first choices are not
    # viable, so those two move on: one to Sanders, one to Biden
    "Carson City,107,Biden,Sanders,Warren,,\n"
    "Carson City,107,Sanders,Biden,Warren,,\n"
    "Carson City,107,Steyer,Steyer,Sanders,Biden,\n"
    "Carson City,107,Klobuchar,Biden,Warren,,\n"
    # 109 (D = 10): the same cards as 105, for the desktop worksheet
    "Carson City,109,Buttigieg,Sanders,Warren,,\n"
    "Carson City,109,Warren,Sanders,Buttigieg,,\n"
    "Carson City,109,Sanders,Sanders,,,\n"
)
PRECINCTS = ("carson-city--105", "carson-city--107", "carson-city--109")


@dataclass(frozen=True)
class Night:
    url: str
    codes: dict[str, str]
    accounts: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Night]:
    import uvicorn

    from caucuskit.formats.election_file import load_election
    from caucuskit.services.context import Context
    from caucuskit.services.credentials import issue_codes
    from caucuskit.services.early_ballots import load_early_file
    from caucuskit.services.settings import Settings
    from caucuskit.services.setup import init_database
    from caucuskit.services.staff_accounts import default_accounts
    from caucuskit.web.app import create_app

    folder = tmp_path_factory.mktemp("nevada-night")
    settings = Settings(
        database_url=str(folder / "nv.sqlite"), argon2_time_cost=1, argon2_memory_kib=1024
    )
    ctx = Context(settings)
    init_database(ctx.db, load_election("nevada-2020"))
    codes, _ = issue_codes(ctx, only=list(PRECINCTS))
    accounts = default_accounts(ctx)
    (folder / "early.csv").write_text(EARLY, encoding="utf-8")
    load_early_file(ctx, folder / "early.csv")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, ctx), host="127.0.0.1", port=port, log_level="warning",
            lifespan="off",
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Night(
            f"http://127.0.0.1:{port}",
            {c.precinct_id: c.code for c in codes},
            {a.username: a.password for a in accounts},
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def new_page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_text(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
        arg=[selector, text],
        timeout=15000,
    )


def public(night: Night, path: str) -> Any:
    with urllib.request.urlopen(f"{night.url}{path}", timeout=10) as r:
        return json.loads(r.read())


def page_text(night: Night, path: str) -> str:
    with urllib.request.urlopen(f"{night.url}{path}", timeout=10) as r:
        return str(r.read().decode())


def chair_sign_in(page: Any, night: Night, pid: str) -> None:
    page.goto(night.url + "/chair")
    page.select_option("#county", "carson-city")
    page.wait_for_selector(f"#precinct option[value='{pid}']", state="attached")
    page.select_option("#precinct", pid)
    page.fill("#code", night.codes[pid])
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#chair-app:not([hidden])")


def delegates_table(page: Any) -> dict[str, str]:
    rows = [line.split("\t") for line in page.inner_text("#delegates").splitlines()]
    return {r[0].strip(): r[-1].strip() for r in rows if len(r) == 4 and r[-1].strip().isdigit()}


@pytest.mark.parametrize(
    ("viewport", "width", "pid", "delegates", "expected"),
    [
        (PHONE, "phone", "carson-city--105", 6, {"Warren": "3", "Buttigieg": "2", "Sanders": "1"}),
        # D = 10 on N = 200: Warren 100 -> 5; Buttigieg and Sanders 50 -> 2.5 each -> 3 + 3 = 11
        (DESKTOP, "desktop", "carson-city--109", 10,
         {"Warren": "5", "Buttigieg": "3", "Sanders": "2"}),
    ],
)  # fmt: skip
def test_chair_works_out_early_votes_and_a_card_draw_with_no_signal(
    browser: Any,
    night: Night,
    viewport: dict[str, int],
    width: str,
    pid: str,
    delegates: int,
    expected: dict[str, str],
) -> None:
    """Signed in ahead (the sign-in hands the phone the precinct's early ballots), the chair
    loses the signal: the threshold with the early ballots, the early votes each group got and
    lost, the tie, the card draw and the delegates all come from the phone's own math."""
    page = new_page(browser, viewport)
    chair_sign_in(page, night, pid)
    page.check("#early-ok")
    page.context.set_offline(True)
    counts = {"Warren": 99, "Sanders": 50, "Buttigieg": 49}
    page.fill("#attendees", "198")
    page.click("section[data-step=headcount] button[data-go=first]")
    for g, v in counts.items():
        page.fill(f"input[data-which='first'][data-group='{g}']", str(v))
    page.click("section[data-step=first] button[data-go=final]")
    for g, v in counts.items():
        page.fill(f"input[data-which='final'][data-group='{g}']", str(v))
    page.locator("#tie").wait_for(state="visible")
    tie = page.inner_text("#tie")
    assert "Card draw needed" in tie and "Buttigieg" in tie and "Sanders" in tie, tie
    assert "N = 200" in page.inner_text("#threshold")  # 198 present + 2 valid early ballots
    early = page.inner_text("#early-table")
    assert re.search(r"Buttigieg\s+1\s+0\s+0\s+1", early) and re.search(r"Warren\s+1", early)
    # Buttigieg draws the queen of spades, Sanders the queen of hearts: spades beat hearts
    page.select_option("#card-0-rank", "Q")
    page.select_option("#card-0-suit", "S")
    page.select_option("#card-1-rank", "Q")
    page.select_option("#card-1-suit", "H")
    page.fill("#witness-1", "Pat Doe (Sanders)")
    page.click("#record-toss")
    wait_text(page, "#delegates", f"Delegates ({delegates} of {delegates})")
    assert delegates_table(page) == expected
    page.click("#math summary")  # the math step by step, as the phone worked it out
    steps = page.inner_text("#math-steps")
    assert "3 early ballot(s): 2 valid, 1 void; N = 198 in person + 2 early = 200" in steps
    assert "Card draw between Buttigieg, Sanders: Buttigieg Q♠, Sanders Q♥; Buttigieg" in steps
    shot(page, f"nevada-chair-worksheet-{width}")
    page.context.set_offline(False)
    page.click("#to-review")
    page.click("#send")
    page.wait_for_selector("#receipt")
    doc = public(night, f"/api/v1/public/precincts/{pid}")
    assert {c["name"]: str(c["delegates"]) for c in doc["candidates"] if c["delegates"]} == expected
    assert doc["unit"]["code"] == "ccd" and "ccd_display" in doc["candidates"][0]
    assert not page.errors, page.errors
    page.context.close()


def hotline_entry(page: Any, night: Night, user: str, pid: str, checksum: str) -> str:
    page.goto(night.url + "/hotline")
    page.fill("#staff-user", user)
    page.fill("#staff-pass", night.accounts[user])
    page.click("#staff-signin button[type=submit]")
    page.wait_for_selector("#console:not([hidden])")
    page.select_option("#h-county", "carson-city")
    page.wait_for_selector(f"#h-precinct option[value='{pid}']", state="attached")
    page.select_option("#h-precinct", pid)
    page.fill("#h-code", night.codes[pid])
    page.click("#open-entry")
    page.wait_for_selector("#entry-form:not([hidden])")
    page.fill("#h-attendees", "20")
    for which in ("first", "final"):
        for g, n in {"Biden": 10, "Sanders": 10}.items():
            page.fill(f"#h-table input[data-which='{which}'][data-group='{g}']", str(n))
    # the console holds the precinct's early ballots and works the precinct out locally, as
    # the chair's phone does: it asks for the count and checksum and checks them
    wait_text(page, "#h-math", "ask the caller for their number and checksum")
    page.fill("#h-early-count", "4")
    page.fill("#h-early-checksum", "0000-0000-0000")
    wait_text(page, "#h-math", "does not match the loaded ballots' checksum")
    page.fill("#h-early-checksum", checksum)
    wait_text(page, "#h-nevada-check", "N = 20 present + 4 valid early ballots = 24")
    wait_text(page, "#h-nevada-check", "A card draw is needed between Biden, Sanders")
    page.fill("#h-cards", "Biden=2C, Sanders=AS")
    page.fill("#h-cards-witnesses", "Lee Roe (Biden), Sam Poe (Sanders)")
    wait_text(page, "#h-nevada-check", "Sanders 4")
    check = page.inner_text("#h-nevada-check")
    assert "Biden 3" in check and "card draw is needed" not in check, check
    read = page.inner_text("#readback")
    assert "Cards drawn: Biden 2C, Sanders AS" in read and f"checksum {checksum}" in read, read
    page.check("#h-confirmed")
    page.click("#h-send")
    page.wait_for_function(
        "() => document.querySelector('#h-answer .msg') || document.querySelector('#h-msg .msg')"
    )
    assert not page.inner_text("#h-msg").strip(), page.inner_text("#h-msg")
    return str(page.inner_text("#h-answer"))


def test_hotline_double_entry_with_cards_and_early_ballots(browser: Any, night: Night) -> None:
    """Carson City 107 (D = 7): in person Biden 10, Sanders 10; four early ballots, one for
    each, and a Steyer and a Klobuchar card that move on to Sanders and Biden. N = 24, both
    groups 12: 3.5 delegates each round to 4 + 4 = 8, one too many, a tie to lose one. Sanders
    draws the ace of spades, Biden the two of clubs: Sanders keeps 4, Biden 3; the operators
    typed the cards, never the winner."""
    from caucuskit.core.early import EarlyBallot, early_checksum

    ballots = [
        line.split(",")[2:] for line in EARLY.splitlines()[1:] if line.split(",")[1] == "107"
    ]
    checksum = early_checksum(tuple(EarlyBallot(tuple(c for c in b if c)) for b in ballots))
    first = new_page(browser, DESKTOP)
    answer = hotline_entry(first, night, "operator1", "carson-city--107", checksum)
    assert "First entry recorded" in answer, answer
    second = new_page(browser, PHONE)
    answer = hotline_entry(second, night, "operator2", "carson-city--107", checksum)
    assert "Second entry matches the first: the result is accepted" in answer, answer
    shot(second, "nevada-hotline-phone")
    doc = public(night, "/api/v1/public/precincts/carson-city--107")
    ws = doc["worksheet"]
    assert ws["early"]["valid"] == 4 and ws["early"]["gained"] == {"Biden": 1, "Sanders": 1}
    assert ws["early"]["lost"] == {"Klobuchar": 1, "Steyer": 1}
    (draw,) = ws["card_draws"]
    assert draw["cards"] == {"Biden": "2C", "Sanders": "AS"} and draw["action"] == "lose"
    assert draw["winners"] == ["Sanders"]
    assert {c["name"]: c["delegates"] for c in doc["candidates"] if c["delegates"]} == {
        "Sanders": 4,
        "Biden": 3,
    }
    ties = public(night, "/api/v1/public/coin-tosses")["tosses"]
    mine = [t for t in ties if t["precinct_id"] == "carson-city--107"]
    assert mine and mine[0]["cards"] == {"Biden": "2C", "Sanders": "AS"}
    assert mine[0]["witnesses"] == ["Lee Roe (Biden)", "Sam Poe (Sanders)"]
    listing = new_page(browser, DESKTOP)
    listing.goto(night.url + "/results/coin-tosses")
    text = listing.inner_text("main")
    assert "2♣" in text and "A♠" in text and "Lee Roe (Biden)" in text and "Sanders" in text
    assert "Card draws" in text and "Coin toss" not in text
    for p in (first, second, listing):
        assert not p.errors, p.errors
        p.context.close()


PAGES = (
    "/",
    "/results",
    "/results/district/2",
    "/results/county/carson-city",
    "/results/precinct/carson-city--105",
    "/results/precinct/carson-city--107",
    "/results/coin-tosses",
    "/results/changes",
    "/chair",
    "/hotline",
    "/desk",
)


@pytest.mark.parametrize("path", PAGES)
def test_no_nevada_page_says_iowa_or_sde(night: Night, path: str) -> None:
    """The words follow the election: the crumbs name Nevada, the unit is the CCD."""
    html = page_text(night, path)
    for live in ("", "?part=live") if path.startswith("/results") else ("",):
        html += page_text(night, path + live)
    assert "Iowa" not in html
    assert "SDE" not in html and "state delegate" not in html.lower()
    if path.startswith("/results/"):
        assert '<a href="/results">Nevada</a>' in html, html[:2000]


@pytest.mark.parametrize(
    ("county_id", "title"),
    [("clark-cd1", "Clark County (CD1)"), ("clark-at-large", "Clark County (at-large)"),
     ("carson-city", "Carson City"), ("washoe", "Washoe County")],
)  # fmt: skip
def test_nevada_county_pages_name_the_county_and_its_part(
    night: Night, county_id: str, title: str
) -> None:
    html = page_text(night, f"/results/county/{county_id}")
    assert f"<h1>{title}</h1>" in html and f"<title>{title} · Nevada" in html


def test_nevada_results_csv_names_its_columns_for_ccds(night: Night) -> None:
    header = page_text(night, "/results/download/results.csv").splitlines()[0]
    assert header.startswith("scope,name,candidate,ccd,ccd_percent,"), header


def test_nevada_results_page_screenshots(browser: Any, night: Night) -> None:
    for viewport, width in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(browser, viewport)
        page.goto(night.url + "/results")
        text = page.inner_text("main")
        assert "county convention delegates" in text and "SDE" not in text
        shot(page, f"nevada-results-{width}")
        page.screenshot(path=str(SHOTS / f"nevada-results-{width}-top.png"))  # first screen
        page.goto(night.url + "/results/county/carson-city")
        shot(page, f"nevada-county-{width}")
        assert not page.errors, page.errors
        page.context.close()


def test_chair_api_answers_in_ccds(night: Night) -> None:
    """The chair's preview (and sign-in, and report answers) name the values for CCDs."""
    body = {
        "precinct_id": "carson-city--109",
        "attendees": 60,
        "first": {"Biden": 30, "Sanders": 30},
        "final": {"Biden": 30, "Sanders": 30},
    }
    req = urllib.request.Request(
        night.url + "/api/v1/chair/preview",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        got = json.loads(r.read())
    assert not [k for k in got if k.startswith("sde")], sorted(got)
    assert not [k for k in got["precinct"] if k.startswith("sde")], sorted(got["precinct"])
    # D = 10 on N = 60 + 2 valid early ballots (Buttigieg's and Warren's are not viable here
    # and rank Sanders next): Biden 30, Sanders 32
    assert got["ccd"] == {"Biden": "5", "Sanders": "5"}, got["ccd"]
    assert got["precinct"]["ccd_value_display"] == "10.0000"
