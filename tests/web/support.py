"""Helpers shared by the browser tests (constants, the server handle, screenshots)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
#: Precincts whose chairs get codes in the test server (real Adair County precincts, 2020).
PRECINCTS = ("adair--1nw-adair", "adair--2ne-stuart", "adair--3sw-fontanelle", "adair--4se-orient")


@dataclass(frozen=True)
class LiveServer:
    url: str
    codes: dict[str, str]
    accounts: dict[str, str]


def screenshot(page: object, name: str) -> None:
    """Save a full-page screenshot into artifacts/screenshots/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
