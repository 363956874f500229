"""Accessibility: axe-core (WCAG 2.1 A/AA, best practices) on every page at both widths, in
light and dark mode; candidate swatch contrast; the keyboard order of the chair worksheet
(docs/pages.md, "Accessibility")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caucuskit.web.pages.contrast import MIN_TEXT_CONTRAST, contrast, ink_on
from caucuskit.web.pages.countymap import PALETTE

from .support import DESKTOP, PHONE, LiveServer

CSS = Path(__file__).resolve().parents[2] / "src" / "caucuskit" / "web" / "static" / "caucus.css"


def test_swatch_labels_read_on_every_candidate_colour() -> None:
    for colour in PALETTE:
        assert contrast(ink_on(colour), colour) >= MIN_TEXT_CONTRAST, colour
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)


def _axe_source() -> str:
    """axe-core's axe.min.js, as shipped by the axe-playwright-python package (test extra)."""
    from importlib import resources

    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


#: WCAG 2.0/2.1 A and AA rules, plus axe's best practices (landmarks, one h1, heading order).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe(page: Any, where: str) -> None:
    """Run axe-core in the page; fail listing every violation (rule, impact, nodes)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in result["violations"]
    ]
    assert not found, f"{where}: axe-core found\n" + "\n".join(found)


PUBLIC = (
    "/",
    "/results",
    "/results/county/adair",
    "/results/district/3",
    "/results/precinct/adair--4se-orient",
    "/results/coin-tosses",
    "/results/changes",
    "/chair",
    "/hotline",
    "/desk",
)
DARK = ("/results", "/results/precinct/adair--4se-orient", "/chair")


@pytest.mark.browser
@pytest.mark.parametrize(
    "viewport,scheme",
    [(PHONE, "light"), (DESKTOP, "light"), (PHONE, "dark")],
    ids=["phone", "desktop", "phone-dark"],
)
def test_axe_core_finds_no_violation_on_any_page(
    browser: Any, live_server: LiveServer, viewport: dict[str, int], scheme: str
) -> None:
    """axe-core (WCAG 2.1 A/AA and best practices) on every page, signed in too, at phone and
    desktop widths, in light and dark mode."""
    # axe-core goes in as an inline script: the CSP itself is checked by test_csp.py
    context = browser.new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    # dark mode changes colours only: its contrast is checked on the pages with the most colours
    for path in PUBLIC if scheme == "light" else DARK:
        page.goto(live_server.url + path)
        axe(page, f"{path} ({scheme})")
    staff = (("/hotline", "operator1", "#console"), ("/desk", "desk1", "#desk"))
    for path, user, ready in staff if scheme == "light" else staff[1:]:
        page = context.new_page()  # staff sign-in is kept per tab
        page.goto(live_server.url + path)
        page.fill("#staff-user", user)
        page.fill("#staff-pass", live_server.accounts[user])
        page.click("#staff-signin button[type=submit]")
        page.wait_for_selector(f"{ready}:not([hidden])")
        if path == "/desk":
            page.wait_for_selector("#readiness tbody tr")
        axe(page, f"{path} signed in ({scheme})")
        page.close()
    context.close()


def _tab_stops(page: Any, count: int) -> list[str]:
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.id || e.getAttribute('data-go') || e.textContent.trim(); })()"
            )
        )
    return stops


@pytest.mark.browser
def test_the_chair_worksheet_works_from_the_keyboard_in_a_sensible_order(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe-core is inline
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
    groups = page.evaluate("[...document.querySelectorAll('#first-table input')].map(i => i.id)")
    assert _tab_stops(page, len(groups) + 2) == [*groups, "headcount", "final"]
    context.close()
