"""Issue 12 in the browser, at phone (390 px) and desktop (1366 px) width: people who went home,
plain-word refusals with "why?", a returning chair; multi-winner ties at the hotline; the desk's
titles, overtaken first entries and the correction preview; the public page against
AP/NYT/Clarity (shares, folded zero rows, Tied, sortable counties, map numbers, downloads, share
card, district page, print and dark mode). Screenshots go to artifacts/screenshots/.

Rule: rules.md §4 (people who leave stay in N), §5.4 (ties), §9 (say plainly what is known).
"""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

import pytest

from .support import DESKTOP, PHONE, LiveServer, chair_sign_in, element_shot, screenshot

pytestmark = pytest.mark.browser

WIDTHS = [(PHONE, "phone"), (DESKTOP, "desktop")]
ZONE = "America/Chicago"  # Iowa: times must say CST


def api(
    server: LiveServer,
    path: str,
    body: dict[str, Any],
    user: str | None = None,
    idempotency_key: str | None = None,
) -> Any:
    headers = {"Content-Type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    if user:
        token = base64.b64encode(f"{user}:{server.accounts[user]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    req = urllib.request.Request(
        server.url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(req, timeout=20) as res:
        return json.loads(res.read())


def new_page(browser: Any, viewport: dict[str, int], scheme: str = "light") -> Any:
    # wait_for_function evaluates strings, which the CSP forbids; test_csp.py checks the CSP
    context = browser.new_context(
        viewport=viewport, timezone_id=ZONE, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def fill(page: Any, which: str, counts: dict[str, int], prefix: str = "") -> None:
    for group, n in counts.items():
        page.fill(f"{prefix}input[data-which='{which}'][data-group='{group}']", str(n))


# Adams 1 and Adams 3 (D = 8), N = 40, T = 6: two of Biden's ten go home.
LEFT_FIRST = {"Biden": 10, "Sanders": 20, "Yang": 4, "Warren": 6}
LEFT_FINAL = {"Biden": 8, "Sanders": 24, "Yang": 0, "Warren": 6}


@pytest.mark.parametrize(
    "viewport,width,precinct",
    [(PHONE, "phone", "adams--adams-1"), (DESKTOP, "desktop", "adams--adams-3")],
)
def test_chair_confirms_people_who_went_home_and_sees_what_was_sent_on_return(
    browser: Any, live_server: LiveServer, viewport: dict[str, int], width: str, precinct: str
) -> None:
    page = new_page(browser, viewport)
    chair_sign_in(page, live_server, "adams", precinct)
    page.fill("#attendees", "40")
    page.click("section[data-step=headcount] button[data-go=first]")
    fill(page, "first", LEFT_FIRST)
    page.click("section[data-step=first] button[data-go=final]")
    # A move first: 2 of Biden's join Warren (nobody left): refused in plain words, with "why?".
    fill(page, "final", dict(LEFT_FINAL, Sanders=26, Warren=6))
    fill(page, "final", {"Biden": 8, "Sanders": 24, "Warren": 8})
    problems = page.inner_text("#final-problems")
    assert "Biden's group was viable, so its members cannot join another group" in problems
    assert "rules.md" not in problems.split("why?")[0] and "(final.Biden)" not in problems
    page.click("#final-problems details.why summary")
    assert "rules.md §4" in page.inner_text("#final-problems details.why")
    screenshot(page, f"chair-move-refused-{width}")
    # Then what happened: they went home. Accepted, with a confirmation.
    fill(page, "final", LEFT_FINAL)
    page.wait_for_selector("#left-confirm:not([hidden])")
    assert "2 Biden supporters left?" in page.inner_text("#left-confirm")
    assert page.inner_text("#final-problems").strip() == ""
    screenshot(page, f"chair-people-left-{width}")
    page.focus("#to-review")
    page.keyboard.press("Enter")
    assert page.is_disabled("#send")
    assert "confirm in step 3 that 2 Biden supporters went home" in page.inner_text("#review")
    page.click("section[data-step=review] button[data-go=final]")
    page.check("#left-ok")
    page.focus("#to-review")
    page.keyboard.press("Enter")
    assert page.is_enabled("#send")
    assert "2 Biden supporters went home before the final count (confirmed)" in (
        page.inner_text("#review")
    )
    page.click("#send")
    page.wait_for_selector("#receipt")
    receipt = page.inner_text("#receipt")
    assert receipt.startswith("R-")
    # The chair comes back later: the numbers sent, the receipt and the status.
    page.reload()
    page.wait_for_selector("#outbox .sent-numbers")
    page.locator("#outbox p", has_text="Status now").wait_for()
    box = page.inner_text("#outbox")
    assert receipt in box and "You sent: 40 present" in box
    assert "final alignment Biden 8, Sanders 24, Warren 6" in box
    assert "Status now: reported" in box
    screenshot(page, f"chair-returning-{width}")
    assert not page.errors, page.errors
    page.context.close()


def operator_entry(
    page: Any,
    server: LiveServer,
    user: str,
    county: str,
    precinct: str,
    attendees: int,
    counts: dict[str, int],
    winners: list[str],
    shot: str | None = None,
) -> str:
    page.goto(server.url + "/hotline")
    page.fill("#staff-user", user)
    page.fill("#staff-pass", server.accounts[user])
    page.click("#staff-signin button[type=submit]")
    page.wait_for_selector("#console:not([hidden])")
    page.select_option("#h-county", county)
    page.wait_for_selector(f"#h-precinct option[value='{precinct}']", state="attached")
    page.select_option("#h-precinct", precinct)
    page.fill("#h-code", server.codes[precinct])
    page.click("#open-entry")
    page.wait_for_selector("#entry-form:not([hidden])")
    page.fill("#h-attendees", str(attendees))
    fill(page, "first", counts, "#h-table ")
    fill(page, "final", counts, "#h-table ")
    page.wait_for_selector("#h-tie-record")
    need = page.inner_text("#h-tie-needed")
    assert "(choose 2)" in need, need
    for w in winners:
        page.check(f"#h-ties input[name='h-tie-won'][value='{w}']")
    page.fill("#h-tie-w", "A. Smith, B. Jones")
    if shot:
        page.locator("#h-ties").scroll_into_view_if_needed()
        screenshot(page, shot + "-chooser")
    page.click("#h-tie-record")
    assert page.locator("#h-tie-list li").count() == 2
    assert page.inner_text("#h-tie-needed").strip() == ""  # no tie left
    read = page.inner_text("#readback")
    assert "Winner 1 of the games of chance: " + winners[0] in read
    page.check("#h-confirmed")
    if shot:
        screenshot(page, shot + "-recorded")
    page.click("#h-send")
    page.wait_for_selector("#h-answer .msg")
    return str(page.inner_text("#h-answer"))


@pytest.mark.parametrize(
    "viewport,width,precinct,attendees,counts",
    [
        # Adams 5 (D = 5): three groups of 10 each round to 2; one must give a delegate back: a
        # three-way tie in which 2 winners keep theirs.
        (PHONE, "phone", "adams--adams-5", 30, {"Biden": 10, "Sanders": 10, "Warren": 10}),
        # Adams 2 (D = 7): five groups of 5 each round to 1; two more to give: 2 winners of 5.
        (
            DESKTOP,
            "desktop",
            "adams--adams-2",
            25,
            {"Biden": 5, "Buttigieg": 5, "Klobuchar": 5, "Sanders": 5, "Warren": 5},
        ),
    ],
)
def test_hotline_double_entry_of_a_tie_with_two_winners(
    browser: Any,
    live_server: LiveServer,
    viewport: dict[str, int],
    width: str,
    precinct: str,
    attendees: int,
    counts: dict[str, int],
) -> None:
    winners = ["Sanders", "Warren"]
    first = new_page(browser, viewport)
    answer = operator_entry(
        first,
        live_server,
        "operator1",
        "adams",
        precinct,
        attendees,
        counts,
        winners,
        shot=f"hotline-two-winner-tie-{width}",
    )
    assert "First entry recorded" in answer, answer
    screenshot(first, f"hotline-two-winner-tie-{width}")
    second = new_page(browser, viewport)
    answer = operator_entry(
        second, live_server, "operator2", "adams", precinct, attendees, counts, winners
    )
    assert "Second entry matches the first: the result is accepted" in answer, answer
    doc = json.loads(
        urllib.request.urlopen(
            f"{live_server.url}/api/v1/public/precincts/{precinct}", timeout=10
        ).read()
    )
    won = {c["name"]: c["delegates"] for c in doc["candidates"]}
    assert won["Sanders"] == won["Warren"] == max(won.values())
    assert not first.errors and not second.errors
    first.context.close()
    second.context.close()


@pytest.mark.parametrize("viewport,width", WIDTHS)
def test_desk_titles_overtaken_entry_and_correction_with_its_effect(
    browser: Any, live_server: LiveServer, viewport: dict[str, int], width: str
) -> None:
    precinct = "audubon--precinct-1" if width == "phone" else "audubon--precinct-2"
    name = "Precinct 1" if width == "phone" else "Precinct 2"
    counts = {"Biden": 20, "Buttigieg": 30, "Sanders": 25, "Warren": 25}  # D = 15, N = 100
    typo = dict(counts, Biden=21, Buttigieg=29)
    api(
        live_server,
        "/api/v1/operator/reports",
        {
            "precinct_id": precinct,
            "code": live_server.codes[precinct],
            "channel": "hotline",
            "attendees": 100,
            "first": typo,
            "final": typo,
        },
        user="operator1",
    )
    chair = api(
        live_server,
        "/api/v1/chair/reports",
        {
            "precinct_id": precinct,
            "code": live_server.codes[precinct],
            "attendees": 100,
            "first": counts,
            "final": counts,
        },
    )
    assert chair["status"] == "accepted"
    page = new_page(browser, viewport)
    page.goto(live_server.url + "/desk")
    page.fill("#staff-user", "desk1")
    page.fill("#staff-pass", live_server.accounts["desk1"])
    page.click("#staff-signin button[type=submit]")
    card = page.locator(f"#conflicts article[data-conflict='{precinct}']")
    card.wait_for()
    text = card.inner_text()
    assert f"Audubon County: {name}" in text and precinct not in text
    assert "A result was accepted while this operator's first entry waited" in text
    assert "CST" in text  # local time with its zone
    assert "Biden, final alignment" in text
    screenshot(page, f"desk-overtaken-entry-{width}")
    element_shot(
        page, f"#conflicts article[data-conflict='{precinct}']", f"desk-overtaken-card-{width}"
    )
    # The correction form, pre-filled from the current result; the effect before saving.
    page.click(f"#conflicts a[data-precinct='{precinct}']")
    page.click(f"button[data-correct='{precinct}']")
    page.locator("#x-current", has_text="Pre-filled with the current result").wait_for()
    assert page.input_value("#x-attendees") == "100"
    assert page.input_value("#x-table input[data-which='final'][data-group='Buttigieg']") == "30"
    fill(page, "final", {"Buttigieg": 34, "Sanders": 21}, "#x-table ")
    fill(page, "first", {"Buttigieg": 34, "Sanders": 21}, "#x-table ")
    page.fill("#x-reason", "recanvass: four Sanders cards were Buttigieg's")
    assert page.is_hidden("#x-save")
    page.click("#x-preview")
    page.wait_for_selector("#x-effect-panel")
    effect = page.inner_text("#x-effect-panel")
    assert "Precinct delegates" in effect and "Precinct SDEs" in effect
    assert "National delegates" in effect and "Statewide SDE change" in effect
    assert "Buttigieg 5" in effect and "Sanders 3" in effect  # after the correction
    screenshot(page, f"desk-correction-effect-{width}")
    element_shot(page, "#fix-form", f"desk-correction-form-{width}")
    page.click("#x-save")
    page.wait_for_selector("#x-msg .msg.ok")
    assert "Saved: receipt R-" in page.inner_text("#x-msg")
    state = json.loads(
        urllib.request.urlopen(f"{live_server.url}/api/v1/public/state", timeout=10).read()
    )
    assert state["status"] == "unofficial-partial"  # one recanvass is not "Corrected"
    # A recount that ends in a four-way tie for one delegate to give back: 3 winners keep
    # theirs; the correction form asks for them like the hotline does.
    page.select_option("#x-channel", "recount")
    equal = {"Biden": 25, "Buttigieg": 25, "Sanders": 25, "Warren": 25}
    fill(page, "first", equal, "#x-table ")
    fill(page, "final", equal, "#x-table ")
    page.wait_for_selector("#x-tie-record")
    assert "(choose 3)" in page.inner_text("#x-tie-needed")
    for w in ("Biden", "Sanders", "Warren"):
        page.check(f"#x-ties input[name='x-tie-won'][value='{w}']")
    page.fill("#x-tie-w", "county chair, two observers")
    page.click("#x-tie-record")
    assert page.locator("#x-tie-list li").count() == 3
    page.fill("#x-reason", "recount: the cards were recounted")
    page.click("#x-preview")
    page.wait_for_selector("#x-effect-panel")
    assert "Buttigieg 3" in page.inner_text("#x-effect-panel")
    element_shot(page, "#fix-form", f"desk-recount-three-winners-{width}")
    page.click("#x-save")
    page.locator("#x-msg .msg.ok", has_text="Saved").wait_for()
    assert not page.errors, page.errors
    page.context.close()


@pytest.mark.parametrize("viewport,width", WIDTHS)
def test_public_results_page_for_readers(
    browser: Any, live_server: LiveServer, viewport: dict[str, int], width: str
) -> None:
    # a precinct whose county delegates tie at the top (Adams 4, D = 7: 2 groups of 7, N = 14);
    # sent for each width with one idempotency key, so that either width can run alone
    # (the second send is a replay, not a correction)
    api(
        live_server,
        "/api/v1/chair/reports",
        {
            "precinct_id": "adams--adams-4",
            "code": live_server.codes["adams--adams-4"],
            "attendees": 14,
            "first": {"Biden": 7, "Klobuchar": 7},
            "final": {"Biden": 7, "Klobuchar": 7},
            "tosses": [{"winner": "Klobuchar", "witnesses": ["A"]}],
        },
        idempotency_key="readers-adams-4-tie",
    )
    page = new_page(browser, viewport)
    page.goto(live_server.url + "/results")
    summary = page.inner_text(".summary")
    assert "CST" in summary and "Last updated" in summary
    assert "Corrected" not in summary
    assert page.locator("details.zero-votes").count() == 1
    first_row = page.inner_text(".cand-table tbody tr")
    assert "%" in first_row.split("\t", 4)[-1]  # shares next to head counts
    hint = page.locator(".scroll-hint").first
    if width == "phone":
        assert hint.is_visible()  # the statewide table scrolls, and says so
    else:
        assert not hint.is_visible()
    assert page.locator("#national-not-yet").count() == 1  # no projection as a number yet
    outstanding = page.inner_text("#sde-outstanding")
    assert f"{outstanding} (at most) SDEs" in page.inner_text("#race") or (
        outstanding in page.inner_text("#race")
    )
    adams = page.locator("svg.county-map path[data-county='Adams'] title").text_content() or ""
    assert "SDEs" in adams and "of 5 precincts reporting" in adams
    page.click("#county-table thead th:nth-child(3) button")
    assert page.get_attribute("#county-table thead th:nth-child(3)", "aria-sort") == "descending"
    assert page.locator("meta[property='og:image']").count() == 1
    csv_link = page.get_attribute("a[download]", "href")
    body = urllib.request.urlopen(live_server.url + csv_link, timeout=10).read().decode()
    assert body.startswith("scope,name,candidate,sde")
    screenshot(page, f"results-state-{width}")
    for part in ("#live > .summary", ".cand-table", "#race", ".two-col", "#counties"):
        element_shot(page, part, f"results-state-part-{part.split()[-1].strip('#.')}-{width}")
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").is_visible()
    screenshot(page, f"results-state-print-{width}")
    page.emulate_media(media="screen")
    page.goto(live_server.url + "/results/county/adams")
    assert "Tied" in page.inner_text("#precinct-table")
    screenshot(page, f"results-county-tied-{width}")
    page.goto(live_server.url + "/results/district/3")
    assert page.locator("h1").inner_text().startswith("Congressional district 3")
    assert page.locator("#district-county-table tbody tr").count() > 10
    screenshot(page, f"results-district-{width}")
    assert not page.errors, page.errors
    page.context.close()
    dark = new_page(browser, viewport, "dark")
    dark.goto(live_server.url + "/results")
    bg = dark.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg != "rgb(255, 255, 255)"
    screenshot(dark, f"results-state-dark-{width}")
    for part in (".cand-table", "#race", "#counties"):
        element_shot(dark, part, f"results-state-dark-part-{part.strip('#.')}-{width}")
    dark.context.close()
