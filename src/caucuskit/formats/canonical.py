"""The canonical raw-report format: precinct reports as CSV or JSON, exactly round-tripped.

Raw counts are the truth (rules.md §9): a report carries the attendees, the first and final
alignment head counts, the toss winners, and optionally what a party published (SDEs, exact).
Delegates and SDEs are never stored here; they are derived. The format is documented in
docs/results-format.md.

* CSV: one row per reporting unit; columns ``county, precinct, attendees, toss_winners,
  source_line``, then ``first:<candidate>``, ``final:<candidate>``, ``published_sde:<candidate>``
  and ``extra:<key>``. A blank cell means "absent" (a zero is written ``0``).
* JSON: ``{"format": "caucuskit-reports/1", "reports": [ {...}, ... ]}``.

:func:`read_reports` and :func:`write_reports` pick the form from the file suffix.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.election_file import fraction_to_text, parse_fraction

FORMAT = "caucuskit-reports/1"
BASE_COLUMNS = ("county", "precinct", "attendees", "toss_winners", "source_line")
PREFIXES = ("first", "final", "published_sde", "extra")
#: Separator of the names in the ``toss_winners`` cell (in the order the tosses were won).
TOSS_SEPARATOR = ";"

Form = Literal["csv", "json"]


def _form(path: Path, form: Form | None) -> Form:
    if form is not None:
        return form
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        return "csv"
    raise ValidationError.single("path", f"{path}: use a .csv or .json suffix, or pass form=")


# --------------------------------------------------------------------------- writing


def _ordered(reports: Sequence[PrecinctReport], attr: str) -> list[str]:
    names: dict[str, None] = {}
    for r in reports:
        mapping = getattr(r, attr) or {}
        for name in mapping:
            names.setdefault(name, None)
    return list(names)


def reports_to_csv(reports: Iterable[PrecinctReport]) -> str:
    """The CSV text of ``reports`` (columns in first-appearance order of the names)."""
    items = list(reports)
    columns = list(BASE_COLUMNS)
    for prefix, attr in zip(PREFIXES, ("first", "final", "published_sde", "extra"), strict=True):
        columns += [f"{prefix}:{name}" for name in _ordered(items, attr)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in items:
        row: dict[str, str] = {
            "county": r.county,
            "precinct": r.precinct,
            "attendees": "" if r.attendees is None else str(r.attendees),
            "toss_winners": TOSS_SEPARATOR.join(r.toss_winners),
            "source_line": "" if r.source_line is None else str(r.source_line),
        }
        for name, count in r.first.items():
            row[f"first:{name}"] = str(count)
        for name, count in r.final.items():
            row[f"final:{name}"] = str(count)
        for name, value in (r.published_sde or {}).items():
            row[f"published_sde:{name}"] = fraction_to_text(value)
        for key, text in r.extra.items():
            row[f"extra:{key}"] = text
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def report_to_dict(r: PrecinctReport) -> dict[str, Any]:
    """One report as JSON-ready data (exact SDEs as text)."""
    return {
        "county": r.county,
        "precinct": r.precinct,
        "attendees": r.attendees,
        "first": dict(r.first),
        "final": dict(r.final),
        "toss_winners": list(r.toss_winners),
        "published_sde": None
        if r.published_sde is None
        else {k: fraction_to_text(v) for k, v in r.published_sde.items()},
        "source_line": r.source_line,
        "extra": dict(r.extra),
    }


def reports_to_json(reports: Iterable[PrecinctReport]) -> str:
    """The JSON text of ``reports``."""
    data = {"format": FORMAT, "reports": [report_to_dict(r) for r in reports]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_reports(
    path: str | Path, reports: Iterable[PrecinctReport], form: Form | None = None
) -> None:
    """Write ``reports`` to ``path`` as CSV or JSON (by suffix unless ``form`` is given)."""
    path = Path(path)
    text = reports_to_csv(reports) if _form(path, form) == "csv" else reports_to_json(reports)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- reading


def _count(text: str, where: str, problems: list[Problem]) -> int | None:
    text = text.strip()
    if not text.isdigit():
        problems.append(Problem(where, f"expected a whole number >= 0, got {text!r}"))
        return None
    return int(text)


def _check_duplicates(
    reports: list[PrecinctReport], lines: list[str], problems: list[Problem]
) -> None:
    seen: dict[tuple[str, str], str] = {}
    for r, where in zip(reports, lines, strict=True):
        if r.key in seen:
            problems.append(Problem(where, f"{r.county}/{r.precinct} repeats {seen[r.key]}"))
        else:
            seen[r.key] = where


def reports_from_csv(text: str, label: str = "<csv>") -> list[PrecinctReport]:
    """Parse canonical CSV; raises :class:`ValidationError` naming every bad line and column."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    problems: list[Problem] = []
    if header is None or tuple(header[: len(BASE_COLUMNS)]) != BASE_COLUMNS:
        raise ValidationError.single(
            f"{label} line 1", f"the header must start with {', '.join(BASE_COLUMNS)}"
        )
    columns: list[tuple[int, str, str]] = []
    for i, column in enumerate(header[len(BASE_COLUMNS) :], start=len(BASE_COLUMNS)):
        prefix, sep, name = column.partition(":")
        if not sep or prefix not in PREFIXES or not name:
            problems.append(
                Problem(f"{label} line 1, column {i + 1}", f"unknown column {column!r}")
            )
        elif column in header[:i]:
            problems.append(Problem(f"{label} line 1, column {i + 1}", f"repeats {column!r}"))
        else:
            columns.append((i, prefix, name))
    reports: list[PrecinctReport] = []
    lines: list[str] = []
    for row in reader:
        line = reader.line_num
        where = f"{label} line {line}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(where, f"{len(row)} cells, the header has {len(header)}"))
            continue
        county, precinct = row[0].strip(), row[1].strip()
        if not county or not precinct:
            problems.append(Problem(where, "county and precinct must not be blank"))
        attendees = None if not row[2].strip() else _count(row[2], f"{where}, attendees", problems)
        tosses = tuple(n.strip() for n in row[3].split(TOSS_SEPARATOR) if n.strip())
        source = None if not row[4].strip() else _count(row[4], f"{where}, source_line", problems)
        parts: dict[str, dict[str, Any]] = {p: {} for p in PREFIXES}
        for i, prefix, name in columns:
            cell = row[i]
            if cell == "":
                continue
            field = f"{where}, {prefix}:{name}"
            if prefix in ("first", "final"):
                value: Any = _count(cell, field, problems)
            elif prefix == "published_sde":
                errors: list[str] = []
                value = parse_fraction(cell, field, errors)
                problems.extend(Problem(field, e.split(": ", 1)[-1]) for e in errors)
            else:
                value = cell
            if value is not None:
                parts[prefix][name] = value
        has_sde = any(row[i] != "" for i, p, _ in columns if p == "published_sde")
        reports.append(
            PrecinctReport(
                county=county,
                precinct=precinct,
                attendees=attendees,
                first=parts["first"],
                final=parts["final"],
                toss_winners=tosses,
                published_sde=parts["published_sde"] if has_sde else None,
                source_line=source,
                extra=parts["extra"],
            )
        )
        lines.append(where)
    _check_duplicates(reports, lines, problems)
    if problems:
        raise ValidationError(problems)
    return reports


def _json_counts(value: object, where: str, problems: list[Problem]) -> dict[str, int]:
    if not isinstance(value, Mapping):
        problems.append(Problem(where, "expected an object {candidate: count}"))
        return {}
    out: dict[str, int] = {}
    for name, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.append(
                Problem(f"{where}.{name}", f"expected a whole number >= 0, got {count!r}")
            )
        else:
            out[str(name)] = count
    return out


def reports_from_json(text: str, label: str = "<json>") -> list[PrecinctReport]:
    """Parse canonical JSON; raises :class:`ValidationError` naming every bad report and field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError.single(
            label, f"not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError.single(f"{label} format", f'expected {{"format": {FORMAT!r}, ...}}')
    raw_reports = data.get("reports")
    if not isinstance(raw_reports, list):
        raise ValidationError.single(f"{label} reports", "expected a list")
    problems: list[Problem] = []
    reports: list[PrecinctReport] = []
    lines: list[str] = []
    allowed = {
        "county",
        "precinct",
        "attendees",
        "first",
        "final",
        "toss_winners",
        "published_sde",
        "source_line",
        "extra",
    }
    for n, raw in enumerate(raw_reports):
        where = f"{label} reports[{n}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "expected an object"))
            continue
        for key in raw:
            if key not in allowed:
                problems.append(Problem(f"{where}.{key}", "unknown key"))
        county, precinct = raw.get("county"), raw.get("precinct")
        if not isinstance(county, str) or not county.strip():
            problems.append(Problem(f"{where}.county", "must be a non-empty text"))
            county = ""
        if not isinstance(precinct, str) or not precinct.strip():
            problems.append(Problem(f"{where}.precinct", "must be a non-empty text"))
            precinct = ""
        attendees = raw.get("attendees")
        if attendees is not None and (
            isinstance(attendees, bool) or not isinstance(attendees, int) or attendees < 0
        ):
            problems.append(
                Problem(f"{where}.attendees", f"expected a whole number >= 0, got {attendees!r}")
            )
            attendees = None
        source = raw.get("source_line")
        if source is not None and (isinstance(source, bool) or not isinstance(source, int)):
            problems.append(
                Problem(f"{where}.source_line", f"expected a whole number, got {source!r}")
            )
            source = None
        tosses = raw.get("toss_winners", [])
        if not isinstance(tosses, list) or not all(isinstance(t, str) for t in tosses):
            problems.append(Problem(f"{where}.toss_winners", "expected a list of names"))
            tosses = []
        sde: dict[str, Fraction] | None = None
        raw_sde = raw.get("published_sde")
        if raw_sde is not None:
            if not isinstance(raw_sde, Mapping):
                problems.append(Problem(f"{where}.published_sde", "expected an object or null"))
            else:
                sde = {}
                for name, value in raw_sde.items():
                    errors: list[str] = []
                    parsed = parse_fraction(value, f"{where}.published_sde.{name}", errors)
                    problems.extend(
                        Problem(f"{where}.published_sde.{name}", e.split(": ", 1)[-1])
                        for e in errors
                    )
                    if parsed is not None:
                        sde[str(name)] = parsed
        extra = raw.get("extra", {})
        if not isinstance(extra, Mapping) or not all(isinstance(v, str) for v in extra.values()):
            problems.append(Problem(f"{where}.extra", "expected an object of texts"))
            extra = {}
        reports.append(
            PrecinctReport(
                county=county,
                precinct=precinct,
                attendees=attendees,
                first=_json_counts(raw.get("first", {}), f"{where}.first", problems),
                final=_json_counts(raw.get("final", {}), f"{where}.final", problems),
                toss_winners=tuple(tosses),
                published_sde=sde,
                source_line=source,
                extra=dict(extra),
            )
        )
        lines.append(where)
    _check_duplicates(reports, lines, problems)
    if problems:
        raise ValidationError(problems)
    return reports


def read_reports(path: str | Path, form: Form | None = None) -> list[PrecinctReport]:
    """Read canonical reports from ``path`` (CSV or JSON by suffix unless ``form`` is given)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if _form(path, form) == "csv":
        return reports_from_csv(text, str(path))
    return reports_from_json(text, str(path))
