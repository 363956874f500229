"""The Iowa county map, coloured on the server: no map library in the browser.

The county shapes are package data (``web/static/iowa-counties.json``) built once from the
us-atlas TopoJSON by ``scripts/build_county_map.mjs`` (ISC licence, see NOTICE). Each county is a
link to its results page with a ``<title>`` for screen readers; a leader is shown by a colour
*and* a pattern *and* a short label, so the map reads without colour.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), then extras.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C6D31",
    "#7A5195",
    "#3F7F3F",
    "#B8860B",
    "#5F6B7A",
    "#A0522D",
    "#2F4F8F",
    "#8B3A62",
)
#: One pattern per palette slot: what remains when colour is not seen.
PATTERNS: tuple[str, ...] = (
    "diag",
    "dots",
    "horiz",
    "cross",
    "vert",
    "antidiag",
    "grid",
    "rings",
    "diag",
    "dots",
    "horiz",
    "cross",
    "vert",
    "antidiag",
)


def slug(name: str) -> str:
    """The county id of docs/api.md: lower case, runs of other characters become ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def county_key(name: str) -> str:
    """A spelling-tolerant key to match atlas county names to election county names."""
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("saint", "st"))


@dataclass(frozen=True)
class Shape:
    fips: str
    name: str
    d: str
    x: float
    y: float


@dataclass(frozen=True)
class Atlas:
    view_box: str
    source: str
    shapes: tuple[Shape, ...]
    outline: str


@lru_cache(maxsize=4)
def atlas(state: str = "iowa") -> Atlas:
    """A state's county shapes (loaded once): "iowa" (99) or "nevada" (17), both
    built by scripts/build_county_map.mjs."""
    path = f"static/{state}-counties.json"
    text = resources.files("caucuskit.web").joinpath(path).read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    shapes = tuple(
        Shape(c["fips"], c["name"], c["d"], float(c["x"]), float(c["y"])) for c in raw["counties"]
    )
    return Atlas(raw["viewBox"], raw["source"], shapes, raw["outline"])


#: The county maps shipped (web/static/<state>-counties.json).
STATES: tuple[str, ...] = ("iowa", "nevada")


def atlas_for(county_names: Sequence[str]) -> str:
    """The shipped map whose county names match most of ``county_names`` (Iowa by default)."""
    keys = {county_key(n) for n in county_names}
    best = max(STATES, key=lambda s: sum(county_key(x.name) in keys for x in atlas(s).shapes))
    return best if any(county_key(x.name) in keys for x in atlas(best).shapes) else "iowa"


@dataclass(frozen=True)
class Style:
    """How one candidate is drawn: colour, pattern and a short label."""

    name: str
    colour: str
    pattern: str
    label: str


def styles(candidates: Sequence[str]) -> dict[str, Style]:
    """A stable style per candidate (by the election's candidate order) and unique labels."""
    out: dict[str, Style] = {}
    used: set[str] = set()
    for i, name in enumerate(candidates):
        letters = re.sub(r"[^A-Za-z]", "", name) or f"C{i}"
        label = letters[:3]
        n = 4
        while label.lower() in used and n <= len(letters):
            label = letters[:n]
            n += 1
        used.add(label.lower())
        out[name] = Style(name, PALETTE[i % len(PALETTE)], PATTERNS[i % len(PATTERNS)], label)
    return out


@dataclass(frozen=True)
class CountyFill:
    """What one county shows: its leader (or None), a text for screen readers and a link."""

    leader: str | None
    title: str
    href: str | None
    label: str | None = None
    #: How clear the lead is: 0 (under 10 points), 1 (10 to 30), 2 (over 30); None: unshaded.
    strength: int | None = None


def _pattern_defs(style: Style, pid: str) -> str:
    c = style.colour
    shapes = {
        "diag": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#fff" stroke-width="1.6"/>',
        "antidiag": '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="#fff" stroke-width="1.6"/>',
        "horiz": '<path d="M0,2 h8 M0,6 h8" stroke="#fff" stroke-width="1.4"/>',
        "vert": '<path d="M2,0 v8 M6,0 v8" stroke="#fff" stroke-width="1.4"/>',
        "cross": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#fff" stroke-width="1.2"/>',
        "grid": '<path d="M0,4 h8 M4,0 v8" stroke="#fff" stroke-width="1.2"/>',
        "dots": '<circle cx="2" cy="2" r="1.3" fill="#fff"/>'
        '<circle cx="6" cy="6" r="1.3" fill="#fff"/>',
        "rings": '<circle cx="4" cy="4" r="2.2" fill="none" stroke="#fff" stroke-width="1"/>',
    }
    return (
        f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{c}"/>{shapes[style.pattern]}</pattern>'
    )


def render_map(
    fills: Mapping[str, CountyFill],
    candidates: Sequence[str],
    *,
    caption: str,
    map_id: str = "iowa-map",
    state: str = "iowa",
    unit: str = "SDE",
) -> Markup:
    """The SVG of a state's counties (``state``: "iowa" or "nevada"); ``fills`` is keyed by
    election county name.

    Counties without data are drawn plain (light grey, no pattern) and say so in their title.
    """
    geo = atlas(state)
    by_key = {county_key(name): fill for name, fill in fills.items()}
    style_of = styles(candidates)
    leaders = sorted(
        {f.leader for f in fills.values() if f.leader in style_of},
        key=lambda n: list(candidates).index(n),
    )
    order = list(candidates)
    defs = "".join(_pattern_defs(style_of[n], f"{map_id}-p{order.index(n)}") for n in leaders)
    parts = [
        f'<svg class="county-map" viewBox="{geo.view_box}" role="group" '
        f'aria-labelledby="{map_id}-cap" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{map_id}-cap">{escape(caption)}</title>',
        f'<defs>{defs}<pattern id="{map_id}-tie" width="6" height="6" '
        'patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#bdbdbd"/>'
        '<path d="M0,3 h6" stroke="#555" stroke-width="1.5"/></pattern></defs>',
    ]
    labels: list[str] = []
    for shape in geo.shapes:
        fill = by_key.get(county_key(shape.name))
        style = style_of.get(fill.leader) if fill and fill.leader else None
        if style:
            paint = f"url(#{map_id}-p{list(candidates).index(style.name)})"
        elif fill and fill.label:
            paint = f"url(#{map_id}-tie)"
        else:
            paint = "#e8e8e8"
        title = fill.title if fill else f"{shape.name}: no data"
        shade = f" m{fill.strength}" if style and fill and fill.strength is not None else ""
        path = (
            f'<path d="{shape.d}" fill="{paint}" class="county{" led" if style else ""}{shade}" '
            f'data-county="{escape(shape.name)}"><title>{escape(title)}</title></path>'
        )
        if fill and fill.href:
            parts.append(f'<a href="{escape(fill.href)}" aria-label="{escape(title)}">{path}</a>')
        else:
            parts.append(path)
        text = style.label if style else (fill.label if fill and fill.label else None)
        if text:
            labels.append(
                f'<text x="{shape.x}" y="{shape.y + 3}" class="map-label" aria-hidden="true">'
                f"{escape(text)}</text>"
            )
    parts.append(f'<path d="{geo.outline}" class="state-outline"/>')
    parts.extend(labels)
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="22" height="16" aria-hidden="true"><rect width="22" height="16" '
        f'fill="url(#{map_id}-p{list(candidates).index(n)})" stroke="#333"/></svg> '
        f"<b>{escape(style_of[n].label)}</b> {escape(n)}</li>"
        for n in leaders
    )
    if any(f.label and not f.leader for f in fills.values()):
        legend += (
            '<li><svg width="22" height="16" aria-hidden="true"><rect width="22" height="16" '
            f'fill="url(#{map_id}-tie)" stroke="#333"/></svg> <b>tie</b> tied for the lead</li>'
        )
    legend += (
        '<li><svg width="22" height="16" aria-hidden="true"><rect width="22" height="16" '
        'fill="#e8e8e8" stroke="#333"/></svg> no results yet</li>'
    )
    if any(f.strength is not None for f in fills.values()):
        legend += (
            '<li class="legend-margin">Paler: a lead under 10 points; strongest: a lead '
            f"over 30 points (share of the county's {escape(unit)}s)</li>"
        )
    return Markup(
        '<figure class="map">'
        + "".join(parts)
        + f'<figcaption><ul class="legend" aria-label="Map legend">{legend}</ul>'
        + "</figcaption></figure>"
    )
