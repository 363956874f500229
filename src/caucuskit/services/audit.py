"""Audit of published results: recompute every unit from its raw counts, compare with the SDEs
the party published, and name what explains each difference.

Rule: rules.md §6 (the method: published SDE -> delegates = SDE / (value / D), recompute with
N = first-alignment total), §4, §5.6, §7.3. The classes of a finding, and how one unit is
judged, are :mod:`caucuskit.services.audit_finding`.

Inputs: an election and its reports (or a tabulation). Outputs: an :class:`AuditReport` (one
finding per unit, the class counts, the total difference; as JSON or CSV).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str
from caucuskit.services.audit_finding import CLASSES, Finding, finding, fmt_delegates
from caucuskit.services.tabulate import Progress, Tabulation, tabulate


@dataclass
class AuditReport:
    """Findings for every unit, with the class counts."""

    election: str
    findings: list[Finding]
    total_difference: dict[str, Fraction] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(f.finding for f in self.findings)
        return {c: counts[c] for c in CLASSES if counts[c]}

    @property
    def ordinary(self) -> dict[str, int]:
        """The §6 yardstick: ordinary precincts and how many match (exactly or up to a toss)."""
        ordinary = [f for f in self.findings if f.ordinary]
        exact = sum(1 for f in ordinary if f.finding == "match")
        toss = sum(1 for f in ordinary if f.finding == "match-up-to-toss")
        return {
            "total": len(ordinary),
            "match": exact,
            "match_up_to_toss": toss,
            "matched": exact + toss,
        }

    def difference_by_finding(self) -> dict[str, dict[str, Fraction]]:
        """Recomputed minus published SDEs summed per finding: where the total gap comes from."""
        out: dict[str, dict[str, Fraction]] = {}
        for f in self.findings:
            for c, v in f.difference.items():
                bucket = out.setdefault(f.finding, {})
                bucket[c] = bucket.get(c, Fraction(0)) + v
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "election": self.election,
            "summary": self.summary,
            "ordinary": self.ordinary,
            "class_counts": dict(Counter(c for f in self.findings for c in f.classes)),
            "total_difference": {c: decimal_str(v, 4) for c, v in self.total_difference.items()},
            "difference_by_finding": {
                k: {c: decimal_str(v, 4) for c, v in d.items() if v}
                for k, d in self.difference_by_finding().items()
            },
            "precincts": [f.to_dict() for f in self.findings],
        }

    def to_csv(self) -> str:
        """One row per unit: the finding, every class, the numbers that show it."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(
            [
                "county",
                "precinct",
                "finding",
                "classes",
                "delegates",
                "attendees",
                "threshold",
                "value",
                "published_delegates",
                "published_total",
                "recomputed_delegates",
                "difference",
                "explanation",
            ]
        )
        for f in self.findings:
            w.writerow(
                [
                    f.county,
                    f.precinct,
                    f.finding,
                    ";".join(f.classes),
                    f.delegates,
                    f.attendees,
                    "" if f.threshold is None else f.threshold,
                    decimal_str(f.value, 4),
                    fmt_delegates(f.published_delegates),
                    sum(f.published_delegates.values()),
                    fmt_delegates(f.recomputed_delegates),
                    " ".join(f"{c}={decimal_str(v, 4)}" for c, v in f.difference.items()),
                    f.explanation,
                ]
            )
        return buf.getvalue()


def _vector(r: PrecinctReport) -> tuple[object, ...]:
    names = sorted(set(r.first) | set(r.final) | set(r.published_sde or {}))
    return tuple(
        (c, r.first.get(c, 0), r.final.get(c, 0), (r.published_sde or {}).get(c, 0))
        for c in names
        if r.first.get(c, 0) or r.final.get(c, 0) or (r.published_sde or {}).get(c, 0)
    )


def audit(
    election: Election,
    reports: Sequence[PrecinctReport],
    *,
    progress: Progress | None = None,
    tabulation: Tabulation | None = None,
) -> AuditReport:
    """Audit ``reports`` (with their ``published_sde``) against the raw counts (rules.md §6).

    ``tabulation``: a recomputed, turnout-reading tabulation of the same reports to reuse.
    """
    tab = tabulation
    if tab is None or tab.mode != "recomputed" or tab.satellites != "turnout":
        tab = tabulate(election, reports, satellites="turnout", progress=progress)
    groups: dict[tuple[str, tuple[object, ...]], list[str]] = {}
    vectors = []
    for u in tab.units:
        vec = _vector(u.report)
        vectors.append(vec)
        if vec:
            groups.setdefault((u.precinct.county, vec), []).append(u.precinct.name)
    findings = []
    for u, vec in zip(tab.units, vectors, strict=True):
        same = groups.get((u.precinct.county, vec), []) if vec else []
        others = [name for name in same if name != u.precinct.name]
        findings.append(finding(election, u, ", ".join(others) or None))
    report = AuditReport(election.id, findings)
    total: dict[str, Fraction] = {}
    for f in findings:
        for c, v in f.difference.items():
            total[c] = total.get(c, Fraction(0)) + v
    report.total_difference = {c: v for c, v in sorted(total.items()) if v}
    return report
