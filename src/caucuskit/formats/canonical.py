"""The canonical raw-report format: precinct reports as CSV or JSON, exactly round-tripped.

Raw counts are the truth (rules.md §9): a report carries the attendees, the first and final
alignment head counts, the toss winners, and optionally what a party published (SDEs, exact).
Delegates and SDEs are never stored here; they are derived. The format is documented in
docs/results-format.md; both forms are checked by one model, :class:`StoredReport`.

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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.exact import fraction_to_text
from caucuskit.formats.inputs import StoredReport, read_shape

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
#
# Both forms become plain objects of the shape of :class:`~caucuskit.formats.inputs.StoredReport`
# and are checked by that one model, so a bad cell and a bad JSON value get the same message.


def _check_duplicates(
    reports: list[PrecinctReport], lines: list[str], problems: list[Problem]
) -> None:
    seen: dict[tuple[str, str], str] = {}
    for r, where in zip(reports, lines, strict=True):
        if r.key in seen:
            problems.append(Problem(where, f"{r.county}/{r.precinct} repeats {seen[r.key]}"))
        else:
            seen[r.key] = where


def _report(stored: StoredReport) -> PrecinctReport:
    return PrecinctReport(
        county=stored.county,
        precinct=stored.precinct,
        attendees=stored.attendees,
        first=dict(stored.first),
        final=dict(stored.final),
        toss_winners=tuple(stored.toss_winners),
        published_sde=None if stored.published_sde is None else dict(stored.published_sde),
        source_line=stored.source_line,
        extra=dict(stored.extra),
    )


def _read_all(
    items: Iterable[tuple[str, object]], name: Callable[[str, Problem], Problem]
) -> list[PrecinctReport]:
    """Check every ``(where, object)``; ``name`` renames a problem's field for the form."""
    problems: list[Problem] = []
    reports: list[PrecinctReport] = []
    lines: list[str] = []
    for where, obj in items:
        try:
            stored = read_shape(StoredReport, obj)
        except ValidationError as err:
            problems.extend(name(where, p) for p in err.problems)
            continue
        reports.append(_report(stored))
        lines.append(where)
    _check_duplicates(reports, lines, problems)
    if problems:
        raise ValidationError(problems)
    return reports


def _cell_number(text: str) -> object:
    """A count cell as a number when it is one; otherwise the text, for the model to refuse."""
    text = text.strip()
    digits = text[1:] if text.startswith("-") else text
    return int(text) if digits.isdigit() else text


def _csv_columns(header: list[str], label: str, problems: list[Problem]) -> list[tuple[int, str]]:
    """The prefixed columns after the base ones, as (index, column); bad ones are problems."""
    columns: list[tuple[int, str]] = []
    for i, column in enumerate(header[len(BASE_COLUMNS) :], start=len(BASE_COLUMNS)):
        prefix, sep, name = column.partition(":")
        if not sep or prefix not in PREFIXES or not name:
            problems.append(
                Problem(f"{label} line 1, column {i + 1}", f"unknown column {column!r}")
            )
        elif column in header[:i]:
            problems.append(Problem(f"{label} line 1, column {i + 1}", f"repeats {column!r}"))
        else:
            columns.append((i, column))
    return columns


def _csv_object(row: list[str], columns: list[tuple[int, str]]) -> dict[str, Any]:
    """One CSV row as an object of the StoredReport shape (a blank cell is an absent value)."""
    obj: dict[str, Any] = {"county": row[0].strip(), "precinct": row[1].strip()}
    if row[2].strip():
        obj["attendees"] = _cell_number(row[2])
    obj["toss_winners"] = [n.strip() for n in row[3].split(TOSS_SEPARATOR) if n.strip()]
    if row[4].strip():
        obj["source_line"] = _cell_number(row[4])
    for i, column in columns:
        cell = row[i]
        if cell == "":
            continue
        prefix, _, name = column.partition(":")
        value = _cell_number(cell) if prefix in ("first", "final") else cell
        obj.setdefault(prefix, {})[name] = value
    return obj


def _csv_field(where: str, problem: Problem) -> Problem:
    """``first.A`` of the model is the column ``first:A`` of the file."""
    head, dot, rest = problem.field.partition(".")
    column = f"{head}:{rest}" if dot and head in PREFIXES else problem.field
    return Problem(f"{where}, {column}", problem.message)


def reports_from_csv(text: str, label: str = "<csv>") -> list[PrecinctReport]:
    """Parse canonical CSV; raises :class:`ValidationError` naming every bad line and column."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header[: len(BASE_COLUMNS)]) != BASE_COLUMNS:
        raise ValidationError.single(
            f"{label} line 1", f"the header must start with {', '.join(BASE_COLUMNS)}"
        )
    problems: list[Problem] = []
    columns = _csv_columns(header, label, problems)
    items: list[tuple[str, object]] = []
    for row in reader:
        where = f"{label} line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(where, f"{len(row)} cells, the header has {len(header)}"))
            continue
        items.append((where, _csv_object(row, columns)))
    try:
        reports = _read_all(items, _csv_field)
    except ValidationError as err:
        raise ValidationError([*problems, *err.problems]) from None
    if problems:
        raise ValidationError(problems)
    return reports


def _json_field(where: str, problem: Problem) -> Problem:
    return Problem(f"{where}.{problem.field}", problem.message)


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
    items = [(f"{label} reports[{n}]", raw) for n, raw in enumerate(raw_reports)]
    return _read_all(items, _json_field)


def read_reports(path: str | Path, form: Form | None = None) -> list[PrecinctReport]:
    """Read canonical reports from ``path`` (CSV or JSON by suffix unless ``form`` is given)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if _form(path, form) == "csv":
        return reports_from_csv(text, str(path))
    return reports_from_json(text, str(path))
