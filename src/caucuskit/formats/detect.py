"""One entry point for every results file: recognise the layout from the content, then read it.

:func:`read_results` looks at what the file holds, not at its name:

* JSON (first non-blank character ``{``): ``{"format": "caucuskit-reports/1", ...}`` is the
  canonical raw-report form; ``{"precincts": [{"results_align1": ...}, ...]}`` is the NYT feed;
* CSV: a header starting ``county,precinct,attendees,toss_winners,source_line`` is the canonical
  raw-report form; ``county,precinct,total_attendance,candidate,reported_del_given,...`` is
  the Nevada 2020 long format (:mod:`caucuskit.formats.nv2020`);
  header rows that name the measures (First Expression, Final Expression, SDE)
  and the candidates, then a ``County,Precinct`` row, are an IDP results table (either layout).

Anything else raises :class:`ResultsFormatError` naming the file and what was looked for.

Rule: rules.md §6 (published results), §9 (raw counts are the truth).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from caucuskit.core.election import Election
from caucuskit.core.errors import CaucusError
from caucuskit.formats import canonical
from caucuskit.formats.idp2020 import (
    MEASURES,
    IdpImport,
    ImportLayout,
    read_idp_results,
    unescape,
)
from caucuskit.formats.nv2020 import looks_like_nv_long, read_nv_results
from caucuskit.formats.nyt2020 import MEASURES as NYT_MEASURES
from caucuskit.formats.nyt2020 import exact_number, read_nyt_results

#: What :func:`read_results` recognises, for error messages and ``--help`` texts.
LOOKED_FOR = (
    "an IDP results table (CSV: header rows naming First Expression / Final Expression / SDE "
    "and the candidates, then a County,Precinct row), "
    'an NYT precinct feed (JSON: {"precincts": [{"precinct", "locality_name", '
    '"results_align1", ...}]}), '
    "the Nevada 2020 long format (CSV: county,precinct,total_attendance,candidate,"
    "reported_del_given,...), "
    "or canonical raw reports (CSV whose header starts "
    f"{','.join(canonical.BASE_COLUMNS)}, or JSON with "
    f'"format": "{canonical.FORMAT}")'
)
#: Header rows an IDP table may have before its ``County,Precinct`` row.
_IDP_HEAD_ROWS = 5


class ResultsFormatError(CaucusError, ValueError):
    """The file is not in any results layout caucuskit reads."""


def _unknown(path: Path, saw: str) -> ResultsFormatError:
    return ResultsFormatError(
        f"{path}: not a results file caucuskit reads ({saw}); looked for {LOOKED_FOR}"
    )


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise ResultsFormatError(f"{path} is a folder; give the results file inside it")
    if not path.is_file():
        raise ResultsFormatError(f"{path}: no such file")
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise _unknown(path, "it holds binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _unknown(path, f"it is not UTF-8 text (byte {exc.start})") from None


def _json_layout(path: Path, text: str) -> ImportLayout:
    try:
        data: Any = json.loads(text, parse_float=exact_number)
    except json.JSONDecodeError as exc:
        raise _unknown(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if isinstance(data, Mapping):
        if data.get("format") == canonical.FORMAT:
            return "canonical-json"
        entries = data.get("precincts")
        if isinstance(entries, list) and any(
            isinstance(e, Mapping) and any(m in e for m in NYT_MEASURES) for e in entries[:50]
        ):
            return "nyt-feed"
        keys = ", ".join(repr(k) for k in list(data)[:8])
        raise _unknown(path, f"a JSON object with keys {keys}")
    raise _unknown(path, f"a JSON {type(data).__name__}")


def _csv_layout(path: Path, text: str) -> ImportLayout:
    rows = list(csv.reader(io.StringIO("\n".join(text.splitlines()[: _IDP_HEAD_ROWS + 1]))))
    if not rows:
        raise _unknown(path, "it is empty")
    first = [cell.strip().lower() for cell in rows[0]]
    if tuple(first[: len(canonical.BASE_COLUMNS)]) == canonical.BASE_COLUMNS:
        return "canonical-csv"
    if looks_like_nv_long(rows[0]):
        return "nv-long"
    for n, row in enumerate(rows[:_IDP_HEAD_ROWS]):
        cells = [unescape(c).lower() for c in row]
        if cells[:2] == ["county", "precinct"]:
            labels = [{unescape(c).lower() for c in head[2:] if c.strip()} for head in rows[:n]]
            if labels and labels[0] and labels[0] <= set(MEASURES):
                return "by-measure"
            if len(labels) > 1 and labels[1] and labels[1] <= set(MEASURES):
                return "by-candidate"
            break
    start = ",".join(rows[0][:4])
    raise _unknown(path, f"its first line starts {start[:80]!r}")


def detect_layout(path: str | Path) -> ImportLayout:
    """The layout of a results file, recognised from its content.

    Raises :class:`ResultsFormatError` when it is none that caucuskit reads.
    """
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise _unknown(path, "it is empty")
    if text.lstrip()[:1] in ("{", "["):
        return _json_layout(path, text)
    return _csv_layout(path, text)


def read_results(path: str | Path, election: Election) -> IdpImport:
    """Read any results file caucuskit knows and join it to ``election``.

    Returns an :class:`~caucuskit.formats.idp2020.IdpImport` whose ``layout`` says what the file
    was (``by-measure``, ``by-candidate``, ``nyt-feed``, ``canonical-csv``, ``canonical-json``).
    Canonical reports are returned as written (they already use the election's names; the
    tabulation lists any that name no unit). Errors inside a recognised file come from its
    reader (:class:`~caucuskit.formats.idp2020.IdpFormatError`,
    :class:`~caucuskit.core.errors.ValidationError`); an unrecognised file raises
    :class:`ResultsFormatError`.
    """
    path = Path(path)
    layout = detect_layout(path)
    if layout == "nyt-feed":
        return read_nyt_results(path, election)
    if layout == "nv-long":
        return read_nv_results(path, election)
    if layout in ("canonical-csv", "canonical-json"):
        form: canonical.Form = "csv" if layout == "canonical-csv" else "json"
        reports = canonical.read_reports(path, form=form)
        return IdpImport(path, layout, reports, [], {})
    return read_idp_results(path, election)
