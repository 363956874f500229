"""End to end in headless Chromium against a real server (tests/web/conftest.py).

Scenarios of issue 6: a chair signs in and reports a real 2020 precinct with its coin toss; the
public page shows the new totals without a reload; a report made offline arrives exactly once;
two operators' double entry with a mismatch reaches the desk. Every page is saved as a
screenshot at phone and desktop width (artifacts/screenshots/).
"""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

import pytest

from .support import DESKTOP, PHONE, LiveServer, chair_sign_in, jpeg_size, png, screenshot

pytestmark = pytest.mark.browser

#: Adair "1NW ADAIR", 3 Feb 2020 (IDP 100 % file): D = 8, N = 40, one coin toss.
ADAIR_1NW = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}
#: Adair "2NE STUART": D = 11, N = 43 (first-alignment total); Klobuchar and Sanders tied for
#: the delegate to remove, Sanders kept it (published SDEs 0.1569 and 0.2353).
STUART_FIRST = {"Biden": 6, "Buttigieg": 10, "Klobuchar": 9, "Sanders": 10, "Steyer": 7, "Yang": 1}
STUART_FINAL = {"Buttigieg": 15, "Klobuchar": 10, "Sanders": 10, "Steyer": 7, "Yang": 1}
#: Adair "3SW FONTANELLE": D = 9, N = 34.
FONT_FIRST = {"Biden": 9, "Klobuchar": 1, "Sanders": 4, "Steyer": 1, "Warren": 4, "Yang": 15}
FONT_FINAL = {"Biden": 9, "Sanders": 7, "Yang": 15}


def desk_get(server: LiveServer, path: str, *, raw: bool = False) -> Any:
    token = base64.b64encode(f"desk1:{server.accounts['desk1']}".encode()).decode()
    req = urllib.request.Request(server.url + path, headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(req, timeout=10) as res:
        body = res.read()
    return body if raw else json.loads(body)


def desk_sign_in(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/desk")
    page.fill("#staff-user", "desk1")
    page.fill("#staff-pass", server.accounts["desk1"])
    page.click("#staff-signin button[type=submit]")
    page.wait_for_selector("#desk:not([hidden])")


def fill_counts(page: Any, which: str, counts: dict[str, int]) -> None:
    for group, n in counts.items():
        page.fill(f"input[data-which='{which}'][data-group='{group}']", str(n))


def chair_worksheet(
    page: Any, attendees: int, first: dict[str, int], final: dict[str, int]
) -> None:
    page.fill("#attendees", str(attendees))
    page.click("section[data-step=headcount] button[data-go=first]")
    fill_counts(page, "first", first)
    page.click("section[data-step=first] button[data-go=final]")
    if final != first:
        for group in first:
            page.fill(f"input[data-which='final'][data-group='{group}']", str(final.get(group, 0)))


def test_chair_reports_1nw_adair_with_coin_toss_and_public_page_updates(
    browser: Any, live_server: LiveServer
) -> None:
    public = browser.new_page(viewport=DESKTOP, bypass_csp=True)
    public.goto(live_server.url + "/results?poll=1")
    public.evaluate("window.__not_reloaded = true")
    assert "0 of 1765" in public.inner_text("#live").replace("(", "").replace(")", "")
    assert "no precinct has reported" in public.inner_text("#race")

    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    chair = context.new_page()
    chair_sign_in(chair, live_server, "adair", "adair--1nw-adair")
    screenshot(chair, "chair-headcount-phone")
    chair.fill("#attendees", "40")
    assert "6" in chair.inner_text("#threshold")  # 15 % of 40 = 6 people
    chair.click("section[data-step=headcount] button[data-go=first]")
    fill_counts(chair, "first", ADAIR_1NW)
    assert "Viable (6 or more): Biden, Buttigieg, Klobuchar, Sanders, Warren" in chair.inner_text(
        "#first-status"
    )
    chair.click("section[data-step=first] button[data-go=final]")
    # Final = first (nobody realigned): the page asks for the coin toss, naming who and how many.
    tie = chair.locator("#tie")
    tie.wait_for(state="visible")
    text = tie.inner_text()
    assert "Buttigieg" in text and "Klobuchar" in text and "1 delegate to lose" in text
    screenshot(chair, "chair-coin-toss-phone")
    chair.check("#tie input[value='Klobuchar']")
    chair.fill("#witness-1", "J. Doe (Buttigieg)")
    chair.fill("#witness-2", "A. Roe (Klobuchar)")
    chair.click("#record-toss")
    delegates = chair.inner_text("#delegates")
    assert "Delegates (8 of 8)" in delegates
    chair.click("#to-review")
    screenshot(chair, "chair-review-phone")
    chair.click("#send")
    chair.wait_for_selector("#receipt")
    receipt = chair.inner_text("#receipt")
    assert receipt.startswith("R-")
    assert "Received by the server" in chair.inner_text("#outbox")
    screenshot(chair, "chair-receipt-phone")

    # The public page shows the new totals by itself (polling with ETag), no reload.
    public.wait_for_function(
        "document.querySelector('#live').innerText.includes('1 of 1765')", timeout=15000
    )
    assert public.evaluate("window.__not_reloaded") is True
    table = public.inner_text("table.results")
    assert "Klobuchar" in table and "0.157" in table
    # The race-status panel updated with the rest of the page: nothing is decided yet.
    race = public.inner_text("#race")
    assert "SDE lead: ○ Still open" in race and "can still overtake" in race
    assert "National delegates, CD3 (8 seats): ○ Still open" in race
    screenshot(public, "results-state-desktop")

    # The coin toss is on the public list, with its witnesses; the precinct shows its math.
    page = browser.new_page(viewport=PHONE, bypass_csp=True)
    page.goto(live_server.url + "/results/coin-tosses")
    tosses = page.inner_text("#live")
    assert "1NW ADAIR" in tosses and "Klobuchar" in tosses and "J. Doe (Buttigieg)" in tosses
    page.goto(live_server.url + "/results/precinct/adair--1nw-adair")
    math = page.inner_text("#live")
    assert "Klobuchar keeps 2: won the coin toss" in math
    screenshot(page, "results-precinct-phone")
    page.close()
    public.close()
    context.close()


def test_report_made_offline_arrives_exactly_once_with_its_photo(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    chair = context.new_page()
    chair_sign_in(chair, live_server, "adair", "adair--2ne-stuart")
    chair_worksheet(chair, 43, STUART_FIRST, STUART_FINAL)
    chair.locator("#tie").wait_for(state="visible")
    chair.check("#tie input[value='Sanders']")
    chair.fill("#witness-1", "B. Poe (Klobuchar)")
    chair.click("#record-toss")
    chair.wait_for_function("document.querySelector('#delegates').innerText.includes('11 of 11')")
    chair.click("#to-review")
    # A 2400 x 1800 photo of the signed worksheet: shrunk on the phone to 1600 px, JPEG.
    chair.set_input_files(
        "#photo",
        files=[{"name": "worksheet.png", "mimeType": "image/png", "buffer": png(2400, 1800)}],
    )
    chair.wait_for_function(
        "document.querySelector('#photo-msg').innerText.includes('Photo ready')"
    )
    context.set_offline(True)
    chair.click("#send")
    chair.wait_for_function(
        "document.querySelector('#outbox').innerText.includes('Not yet received')"
    )
    sent = chair.inner_text("#sent")
    assert "Not yet received by the server" in sent
    assert "Photo of the worksheet" in sent and "saved on this phone" in sent
    # More failed attempts while offline, always with the same key and body.
    chair.wait_for_function(
        "Outbox.all().some(it => it.meta.kind === 'report' && it.attempts >= 2)"
    )
    screenshot(chair, "chair-offline-phone")
    history = desk_get(live_server, "/api/v1/desk/precincts/adair--2ne-stuart")
    assert history["versions"] == []
    context.set_offline(False)
    chair.wait_for_selector("#receipt", timeout=20000)
    assert "Received by the server" in chair.inner_text("#outbox")
    chair.wait_for_function(
        "document.querySelector('#photo-state').innerText.includes('received by the server')",
        timeout=20000,
    )
    assert "Photo of the worksheet" in chair.inner_text("#outbox")
    screenshot(chair, "chair-receipt-photo-phone")
    # The answer to the report was lost (say): the phone sends it again with the same key.
    replay = chair.evaluate("""() => {
        const it = Outbox.all().find(x => x.meta.kind === 'report');
        Outbox.update(it.id, {state: 'queued'});
        return Outbox.flush().then(() => Outbox.all().find(x => x.id === it.id));
    }""")
    assert replay["state"] == "acknowledged" and replay["http_status"] == 200  # a replay
    assert not chair.evaluate("Outbox.all().find(x => x.meta.kind === 'photo').body.data")
    history = desk_get(live_server, "/api/v1/desk/precincts/adair--2ne-stuart")
    assert len(history["versions"]) == 1
    current = history["current"]
    assert current["report"]["final"] == STUART_FINAL
    assert len(current["photos"]) == 1
    photo = current["photos"][0]
    assert photo["content_type"] == "image/jpeg"
    data = desk_get(live_server, photo["url"], raw=True)
    assert len(data) == photo["bytes"] and jpeg_size(data) == (1600, 1200)
    context.close()

    # The desk sees the photo in the precinct's history.
    desk = browser.new_page(viewport=DESKTOP, bypass_csp=True)
    desk_sign_in(desk, live_server)
    desk.select_option("#f-county", "adair")
    desk.click("#precincts a[data-precinct='adair--2ne-stuart']")
    desk.click("#precinct-detail button.show-photo")
    desk.wait_for_function(
        "document.querySelector('#precinct-detail img.worksheet-photo')?.naturalWidth === 1600"
    )
    desk.close()


def _operator_entry(page: Any, server: LiveServer, user: str, final: dict[str, int]) -> str:
    page.goto(server.url + "/hotline")
    page.fill("#staff-user", user)
    page.fill("#staff-pass", server.accounts[user])
    page.click("#staff-signin button[type=submit]")
    page.wait_for_selector("#console:not([hidden])")
    page.select_option("#h-county", "adair")
    page.wait_for_selector("#h-precinct option[value='adair--3sw-fontanelle']", state="attached")
    page.select_option("#h-precinct", "adair--3sw-fontanelle")
    page.click("#open-entry")  # no code yet: the worksheet stays closed
    assert page.locator("#entry-form").is_hidden()
    page.fill("#h-code", server.codes["adair--3sw-fontanelle"])
    page.click("#open-entry")
    page.fill("#h-attendees", "34")
    for group, n in FONT_FIRST.items():
        page.fill(f"#h-table input[data-which='first'][data-group='{group}']", str(n))
    for group, n in final.items():
        page.fill(f"#h-table input[data-which='final'][data-group='{group}']", str(n))
    assert "34 attendees" in page.inner_text("#readback")
    # The live cross-check works before the precinct has reported: D is public (D = 9).
    page.wait_for_function(
        "document.querySelector('#h-math').innerText.includes('Live check (D = 9)')"
    )
    check = page.inner_text("#h-math")
    assert "viability threshold 6 people" in check
    if final == FONT_FINAL:  # the core's answer for the real worksheet
        assert "delegates: Biden 3, Sanders 2, Yang 4" in check
    page.click("#h-send")
    assert "tick the box" in page.inner_text("#h-msg")
    page.check("#h-confirmed")
    page.click("#h-send")
    page.wait_for_selector("#h-answer .receipt")
    return str(page.inner_text("#h-answer"))


def test_double_entry_mismatch_reaches_the_desk(browser: Any, live_server: LiveServer) -> None:
    first = browser.new_page(viewport=DESKTOP, bypass_csp=True)
    answer = _operator_entry(first, live_server, "operator1", FONT_FINAL)
    assert "First entry recorded" in answer
    screenshot(first, "hotline-desktop")
    second = browser.new_page(viewport=PHONE, bypass_csp=True)
    wrong = dict(FONT_FINAL, Sanders=6)
    answer = _operator_entry(second, live_server, "operator2", wrong)
    assert "differs from the first" in answer
    mismatch = second.inner_text("#mismatch")
    assert "Sanders, final alignment" in mismatch and "7" in mismatch and "6" in mismatch
    screenshot(second, "hotline-mismatch-phone")

    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        desk = browser.new_page(viewport=viewport)
        desk.goto(live_server.url + "/desk")
        desk.fill("#staff-user", "desk1")
        desk.fill("#staff-pass", live_server.accounts["desk1"])
        desk.click("#staff-signin button[type=submit]")
        desk.wait_for_selector("#conflicts article")
        text = desk.inner_text("#conflicts")
        assert "Entry mismatch" in text and "Adair County: 3SW FONTANELLE" in text
        assert "Sanders, final alignment" in text
        desk.wait_for_selector("#readiness tbody tr")
        screenshot(desk, f"desk-{name}")
        desk.close()
    first.close()
    second.close()


@pytest.mark.parametrize(
    "path,name",
    [
        ("/", "home"),
        ("/results", "results-state"),
        ("/results/county/adair", "results-county"),
        ("/results/precinct/adair--1nw-adair", "results-precinct"),
        ("/results/coin-tosses", "results-coin-tosses"),
        ("/results/changes", "results-changes"),
        ("/chair", "chair-signin"),
        ("/hotline", "hotline-signin"),
        ("/desk", "desk-signin"),
    ],
)
def test_every_page_renders_at_phone_and_desktop(
    browser: Any, live_server: LiveServer, path: str, name: str
) -> None:
    for viewport, width in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = browser.new_page(viewport=viewport)
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200
        assert page.locator("h1").count() == 1
        # readable without horizontal scrolling of the page itself (tables scroll in a box)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than the {width} screen"
        screenshot(page, f"{name}-{width}")
        assert not errors, errors
        page.close()
