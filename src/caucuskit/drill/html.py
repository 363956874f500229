"""The drill's HTML report: one self-contained page, plots drawn here as inline SVG (no script,
no CDN): results accepted over time, submission latency over time, percent reporting.

Rule: rules.md §9 (the record of the night must be readable by people, not only by programs).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from caucuskit.drill.run import DrillResult

W, H, PAD = 640, 220, 40


def _axes(title: str, xmax: float, ymax: float, ylabel: str) -> list[str]:
    out = [
        f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-label="{html.escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{html.escape(title)}</title>",
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<text x="{W // 2}" y="{H - 8}" font-size="11" text-anchor="middle">'
        f"seconds since the drill started (0 … {xmax:,.0f})</text>",
        f'<text x="4" y="20" font-size="11">{html.escape(ylabel)} (max {ymax:,.0f})</text>',
    ]
    return out


def _xy(x: float, y: float, xmax: float, ymax: float) -> tuple[float, float]:
    px = PAD + (W - PAD - 10) * (x / xmax if xmax else 0)
    py = (H - PAD) - (H - PAD - 20) * (y / ymax if ymax else 0)
    return round(px, 1), round(py, 1)


def line_plot(
    title: str,
    points: Sequence[tuple[float, float]],
    ylabel: str,
    xmax: float | None = None,
    ymax: float | None = None,
    dots: bool = False,
) -> str:
    """An SVG line (or dot) plot of ``points`` (x, y)."""
    if not points:
        return f"<p>{html.escape(title)}: no data.</p>"
    xm = xmax or max(x for x, _ in points) or 1.0
    ym = ymax or max(y for _, y in points) or 1.0
    out = _axes(title, xm, ym, ylabel)
    if dots:
        step = max(1, len(points) // 4000)
        for x, y in points[::step]:
            px, py = _xy(x, min(y, ym), xm, ym)
            out.append(f'<circle cx="{px}" cy="{py}" r="1.3" fill="#1f5fa8" opacity="0.5"/>')
    else:
        path = " ".join(f"{a},{b}" for a, b in (_xy(x, y, xm, ym) for x, y in points))
        out.append(f'<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{path}"/>')
    out.append("</svg>")
    return "\n".join(out)


def _buckets(times: Sequence[float], width: float) -> list[tuple[float, float]]:
    if not times:
        return []
    n = int(max(times) // width) + 1
    counts = [0] * n
    for t in times:
        counts[int(t // width)] += 1
    return [(i * width, c / width) for i, c in enumerate(counts)]


def page(r: DrillResult, rep: dict[str, Any]) -> str:
    m = r.metrics
    end = max(m.night_end, 1.0)
    arrivals = _buckets(m.accepted_at, 5.0)
    latency = list(zip(m.submit_t, m.submit_ms, strict=True))
    reporting = [(t, 100 * n / total) for t, n, total in sorted(m.reporting) if total]
    rows = "".join(
        f"<tr><td>{html.escape(c['name'])}</td><td>{'ok' if c['ok'] else 'FAILED'}</td>"
        f"<td>{html.escape(c['detail'])}</td></tr>"
        for c in rep["checks"]
    )
    summary = html.escape(json.dumps(rep["metrics"], indent=1))
    status = "passed" if rep["ok"] else "FAILED"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>caucuskit drill — {html.escape(rep["election"])} — {status}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;
text-align:left}}pre{{background:#f6f6f6;padding:.5rem;overflow:auto}}</style></head>
<body>
<h1>Caucus-night drill: {html.escape(rep["election"])} — proof {status}</h1>
<p>{rep["units"]["planned"]} units ({rep["units"]["chair"]} chairs,
{rep["units"]["hotline"]} hotline), {rep["units"]["reported"]} reported; seed
{rep["options"]["seed"]}, speed {rep["options"]["speed"]}; {rep["date"]}.</p>
<h2>The proof</h2>
<table><tr><th>check</th><th></th><th>evidence</th></tr>{rows}</table>
<h2>Results accepted per second</h2>
{line_plot("Results accepted per second (5 s buckets)", arrivals, "accepted/s", end)}
<h2>Submission latency</h2>
{line_plot("Submission latency (each report)", latency, "ms", end, dots=True)}
<h2>Percent reporting (public state.json)</h2>
{line_plot("Percent of units reporting, as readers saw it", reporting, "%", end, 100.0)}
<h2>All figures</h2>
<pre>{summary}</pre>
</body></html>
"""
