"""Colour contrast (WCAG 2.x): text must reach 4.5:1 against its background.

Used to pick black or white text on a candidate's colour swatch, and by the tests that check
every text colour of the style sheet (tests/web/test_accessibility.py).
"""

from __future__ import annotations

#: WCAG 2.x minimum contrast for normal-size text (success criterion 1.4.3, level AA).
MIN_TEXT_CONTRAST = 4.5


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of ``#rgb`` or ``#rrggbb``."""
    h = colour.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    if len(h) != 6:
        raise ValueError(f"not a hex colour: {colour!r}")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1..21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return (
        "#000000"
        if contrast("#000000", background) >= contrast("#ffffff", background)
        else "#ffffff"
    )
