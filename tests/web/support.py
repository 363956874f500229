"""Helpers shared by the browser tests (constants, the server handle, screenshots)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
from conftest import CHROMIUM_ARGS  # noqa: E402,F401  (one list, kept beside the fixture)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
#: Precincts whose chairs get codes in the test server (real Adair County precincts, 2020).
PRECINCTS = (
    "adair--1nw-adair",
    "adair--2ne-stuart",
    "adair--3sw-fontanelle",
    "adair--4se-orient",
    "adams--adams-1",
    "adams--adams-2",
    "adams--adams-3",
    "adams--adams-4",
    "adams--adams-5",
    "audubon--precinct-1",
    "audubon--precinct-2",
)


@dataclass(frozen=True)
class LiveServer:
    url: str
    codes: dict[str, str]
    accounts: dict[str, str]


class ChairServer(Protocol):
    """A test server that issued chair codes (the Iowa and the Nevada one)."""

    @property
    def url(self) -> str: ...

    @property
    def codes(self) -> dict[str, str]: ...


def chair_sign_in(page: Any, server: ChairServer, county: str, precinct_id: str) -> None:
    """Sign a chair in on /chair with the precinct's code, until the worksheet shows."""
    page.goto(server.url + "/chair")
    page.select_option("#county", county)
    page.wait_for_selector(f"#precinct option[value='{precinct_id}']", state="attached")
    page.select_option("#precinct", precinct_id)
    page.fill("#code", server.codes[precinct_id])
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#chair-app:not([hidden])")


def screenshot(page: object, name: str) -> None:
    """Save a full-page screenshot into artifacts/screenshots/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def png(width: int, height: int) -> bytes:
    """A real PNG (a grey page with dark stripes, like a photographed worksheet)."""
    import struct
    import zlib

    row = bytes(40 if (x // 20) % 4 == 0 else 230 for x in range(width))
    raw = b"".join(b"\x00" + row for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            h = int.from_bytes(data[i + 5 : i + 7], "big")
            w = int.from_bytes(data[i + 7 : i + 9], "big")
            return w, h
        i += 2 + length
    raise ValueError("no start-of-frame marker")


def element_shot(page: object, selector: str, name: str) -> None:
    """Save a screenshot of one element (a form, a card) next to the full-page ones."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).first.screenshot(  # type: ignore[attr-defined]
        path=str(ARTIFACTS / f"{name}.png")
    )
