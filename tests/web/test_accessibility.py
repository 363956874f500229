"""Accessibility: text contrast of the style sheet, labels, landmarks, headings, live regions,
and the keyboard order of the chair worksheet (docs/pages.md, "Accessibility")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from caucuskit.web.pages.contrast import MIN_TEXT_CONTRAST, contrast, ink_on
from caucuskit.web.pages.countymap import PALETTE

from .support import DESKTOP, PHONE, LiveServer

CSS = Path(__file__).resolve().parents[2] / "src" / "caucuskit" / "web" / "static" / "caucus.css"

#: Every (text, background) pair the style sheet paints, by CSS variable or literal colour.
TEXT_PAIRS = [
    ("--ink", "--bg"), ("--muted", "--bg"), ("--muted", "--panel"), ("--ink", "--panel"),
    ("--accent", "--bg"), ("--accent", "--panel"), ("--accent-ink", "--accent"),
    ("--ink", "--ok-bg"), ("--ok", "--ok-bg"), ("--ok", "--bg"), ("--muted", "--ok-bg"),
    ("--ink", "--warn-bg"), ("--muted", "--warn-bg"), ("--ink", "--bad-bg"),
    ("--bad", "--bad-bg"), ("--bad", "--bg"), ("--bad", "--panel"), ("--accent-ink", "--bad"),
    ("#ffffff", "#12263f"), ("#12263f", "#ffffff"), ("--ink", "#eef4fb"),
    ("--muted", "#eef4fb"), ("--accent", "#ffffff"),
]


def css_vars() -> dict[str, str]:
    root = re.search(r":root\s*{([^}]*)}", CSS.read_text(encoding="utf-8"))
    assert root, "caucus.css has no :root block"
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})", root.group(1)))


def test_every_text_colour_of_the_style_sheet_has_contrast_of_at_least_4_5() -> None:
    v = css_vars()
    low = []
    for fg, bg in TEXT_PAIRS:
        ratio = contrast(v.get(fg, fg), v.get(bg, bg))
        if ratio < MIN_TEXT_CONTRAST:
            low.append(f"{fg} on {bg}: {ratio:.2f}")
    assert not low, low


def test_swatch_labels_read_on_every_candidate_colour() -> None:
    for colour in PALETTE:
        assert contrast(ink_on(colour), colour) >= MIN_TEXT_CONTRAST, colour
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)


AUDIT = """() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && visible(el))
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
    .map(el => el.id || el.outerHTML.slice(0, 80));
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(visible)
    .map(h => Number(h.tagName[1]));
  const jumps = levels.filter((n, i) => i > 0 && n > levels[i - 1] + 1);
  const buttons = [...document.querySelectorAll('button, a[href]')].filter(visible)
    .filter(b => !(b.innerText || b.getAttribute('aria-label') || b.querySelector('title')
                   || '').trim()).map(b => b.outerHTML.slice(0, 80));
  return {unlabelled, levels, jumps, buttons,
          h1: document.querySelectorAll('h1').length,
          main: document.querySelectorAll('main').length,
          banner: document.querySelectorAll('header.site').length,
          navs: [...document.querySelectorAll('nav')].map(n => n.getAttribute('aria-label')),
          live: document.querySelectorAll('[aria-live], [role=status], [role=alert]').length};
}"""


def audit(page: Any, where: str) -> None:
    a = page.evaluate(AUDIT)
    assert not a["unlabelled"], f"{where}: inputs without a label: {a['unlabelled']}"
    assert not a["buttons"], f"{where}: buttons or links without text: {a['buttons']}"
    assert a["h1"] == 1 and a["main"] == 1 and a["banner"] == 1, (where, a)
    assert all(a["navs"]), f"{where}: a nav without aria-label"
    assert a["levels"][0] == 1 and not a["jumps"], f"{where}: heading levels {a['levels']}"
    if where != "/":  # the home page only links; every other page changes in place
        assert a["live"] >= 1, f"{where}: no live region for status changes"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_labels_landmarks_headings_and_live_regions(
    browser: Any, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    page = browser.new_page(viewport=viewport)
    for path in ("/", "/results", "/results/county/adair",
                 "/results/precinct/adair--4se-orient", "/results/coin-tosses",
                 "/results/changes", "/chair", "/hotline", "/desk"):
        page.goto(live_server.url + path)
        audit(page, path)
    page.close()
    for path, user, ready in (("/hotline", "operator1", "#console"), ("/desk", "desk1", "#desk")):
        page = browser.new_page(viewport=viewport)  # staff sign-in is kept per tab
        page.goto(live_server.url + path)
        page.fill("#staff-user", user)
        page.fill("#staff-pass", live_server.accounts[user])
        page.click("#staff-signin button[type=submit]")
        page.wait_for_selector(f"{ready}:not([hidden])")
        if path == "/desk":
            page.wait_for_selector("#readiness tbody tr")
        audit(page, f"{path} (signed in)")
        page.close()


def _tab_stops(page: Any, count: int) -> list[str]:
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.id || e.getAttribute('data-go') || e.textContent.trim(); })()"))
    return stops


@pytest.mark.browser
def test_the_chair_worksheet_works_from_the_keyboard_in_a_sensible_order(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/chair")
    # Sign in with the keyboard only: skip link first, then the site navigation, then the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    # (the precinct list is disabled, so skipped, until a county is chosen)
    assert _tab_stops(page, 3) == ["county", "code", "Sign in"]
    page.focus("#county")
    page.select_option("#county", "adair")
    page.wait_for_selector("#precinct option[value='adair--4se-orient']", state="attached")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "precinct"
    page.select_option("#precinct", "adair--4se-orient")
    page.keyboard.press("Tab")
    page.keyboard.type(live_server.codes["adair--4se-orient"])
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("#chair-app:not([hidden])")

    # Step 1: the step's heading has focus; then N, then "next".
    assert page.evaluate("document.activeElement.textContent") == "1. Head count"
    assert _tab_stops(page, 2) == ["attendees", "first"]
    page.focus("#attendees")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # Step 2: the heading, then each group's count in the worksheet's order, then back / next.
    assert page.evaluate("document.activeElement.textContent") == "2. First alignment"
    groups = page.evaluate(
        "[...document.querySelectorAll('#first-table input')].map(i => i.id)")
    assert _tab_stops(page, len(groups) + 2) == [*groups, "headcount", "final"]
    context.close()
