"""Issue 10 and issue 12: the pages work under the Content-Security-Policy the service sends
(no inline script, no eval): each page is loaded in Debian's chromium with the policy
enforced and no violation may be reported. /docs and /redoc render from the package's own assets."""

from __future__ import annotations

from typing import Any

from .support import DESKTOP, LiveServer

PAGES = (
    "/",
    "/results",
    "/results/county/adair",
    "/results/precinct/adair--1nw-adair",
    "/results/coin-tosses",
    "/chair",
    "/hotline",
    "/desk",
    "/results/precinct/nope",
)
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_pages_run_under_the_csp(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(WATCH)
    problems: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for path in PAGES:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        problems.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))
    assert problems == []
    # ReDoc's "powered by" logo from its CDN is blocked, and that is the point: nothing else
    # is fetched from outside.
    for path, selector in (("/docs", ".swagger-ui .info"), ("/redoc", "h1")):
        page.goto(live_server.url + path)
        page.wait_for_selector(selector, timeout=20_000)
        assert "caucuskit results service" in page.inner_text(selector)
    context.close()
