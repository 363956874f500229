"""Layout detection (read_results) and the IDP reader's tolerance of re-published files.

Every tolerance test rewrites the real 8 Feb (100 %) file in a temporary folder the way a later
re-publication might (BOM, CRLF, reordered or fewer columns, ``7.0``, spaces, ...) and checks
that the same reports come out.

Rule: rules.md §6 (published results), §7.2 (SDEs exact), §9 (raw counts are the truth).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from caucuskit.core.election import Election
from caucuskit.formats.canonical import write_reports
from caucuskit.formats.detect import ResultsFormatError, detect_layout, read_results
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import IdpFormatError, IdpImport, match_candidate
from conftest import IOWA_2020, RESULTS_0205, RESULTS_100, need

FEED = IOWA_2020 / "nyt" / "IowaDemPrecinctsSFTP-latest.json"
Rows = list[list[str]]


@pytest.fixture(scope="module")
def iowa() -> Election:
    return load_election("iowa-2020")


@pytest.fixture(scope="module")
def rows() -> Rows:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    return list(csv.reader(io.StringIO(RESULTS_100.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def original(iowa: Election) -> IdpImport:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    return read_results(RESULTS_100, iowa)


def _write(path: Path, rows: Rows, *, newline: str = "\n", bom: bool = False) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    path.write_bytes((("\ufeff" if bom else "") + out.getvalue()).encode("utf-8"))
    return path


Content = dict[tuple[str, str], tuple[dict[str, int], dict[str, int], dict[str, Fraction]]]


def _content(imp: IdpImport) -> Content:
    return {r.key: (dict(r.first), dict(r.final), dict(r.published_sde or {})) for r in imp.reports}


def _map_numbers(rows: Rows, change: Callable[[str], str]) -> Rows:
    return [row if n < 3 else row[:2] + [change(c) for c in row[2:]] for n, row in enumerate(rows)]


# --------------------------------------------------------------------------- detection


def test_real_files_are_recognised(iowa: Election, original: IdpImport) -> None:
    assert (original.layout, len(original.reports), original.unjoined) == ("by-measure", 1765, [])
    need(RESULTS_0205.is_file() and FEED.is_file(), "missing 5 Feb file or NYT feed")
    early = read_results(RESULTS_0205, iowa)
    assert (early.layout, len(early.reports)) == ("by-candidate", 1520)
    feed = read_results(FEED, iowa)
    assert (feed.layout, len(feed.reports)) == ("nyt-feed", 1765)
    assert detect_layout(FEED) == "nyt-feed"
    assert (detect_layout(RESULTS_100), detect_layout(RESULTS_0205)) == (
        "by-measure",
        "by-candidate",
    )


def test_canonical_files_are_recognised(
    iowa: Election, original: IdpImport, tmp_path: Path
) -> None:
    for form in ("csv", "json"):
        path = tmp_path / f"reports.{form}"
        write_reports(path, original.reports)
        imp = read_results(path, iowa)
        assert imp.layout == f"canonical-{form}"
        assert imp.reports == original.reports and imp.unjoined == []


def test_content_not_suffix_decides(iowa: Election, original: IdpImport, tmp_path: Path) -> None:
    need(FEED.is_file(), f"missing {FEED}")
    idp_as_json = tmp_path / "results.json"
    idp_as_json.write_bytes(RESULTS_100.read_bytes())
    assert _content(read_results(idp_as_json, iowa)) == _content(original)
    feed_as_csv = tmp_path / "feed.csv"
    feed_as_csv.write_bytes(FEED.read_bytes())
    assert read_results(feed_as_csv, iowa).layout == "nyt-feed"
    canonical_as_txt = tmp_path / "reports.txt"
    write_reports(canonical_as_txt, original.reports[:3], form="json")
    assert read_results(canonical_as_txt, iowa).layout == "canonical-json"


@pytest.mark.parametrize(
    ("content", "saw"),
    [
        (b"", "it is empty"),
        (b"County,Precinct Short Name,Delegates\nAdair,01NW,4\n", "its first line starts"),
        (b'{"meta": {}, "rows": []}', "a JSON object with keys 'meta', 'rows'"),
        (b"[1, 2]", "a JSON list"),
        (b"{oops", "invalid JSON at line 1"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "it holds binary data"),
        (b"caf\xe9,1\n", "it is not UTF-8 text"),
    ],
)
def test_unrecognised_files_get_one_clear_error(
    iowa: Election, tmp_path: Path, content: bytes, saw: str
) -> None:
    path = tmp_path / "mystery.csv"
    path.write_bytes(content)
    with pytest.raises(ResultsFormatError) as err:
        read_results(path, iowa)
    message = str(err.value)
    assert message.startswith(f"{path}: not a results file caucuskit reads ({saw}")
    for looked_for in ("IDP results table", "NYT precinct feed", "canonical raw reports"):
        assert looked_for in message


def test_missing_file(iowa: Election, tmp_path: Path) -> None:
    with pytest.raises(ResultsFormatError, match=r"nothing\.csv: no such file"):
        read_results(tmp_path / "nothing.csv", iowa)


# --------------------------------------------------------------------------- IDP tolerance


def test_bom_and_crlf(iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", rows, newline="\r\n", bom=True)
    imp = read_results(path, iowa)
    assert _content(imp) == _content(original)
    assert imp.unjoined == [] and len(imp.county_totals) == 104


def test_trailing_empty_columns(
    iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path
) -> None:
    path = _write(tmp_path / "r.csv", [[*row, "", ""] for row in rows])
    imp = read_results(path, iowa)
    assert _content(imp) == _content(original) and imp.unjoined == []


def test_numbers_as_floats_and_with_spaces(
    iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path
) -> None:
    def change(cell: str) -> str:
        return f" {cell}.0 " if "." not in cell else f"  {cell} "

    path = _write(tmp_path / "r.csv", _map_numbers(rows, change))
    imp = read_results(path, iowa)
    assert _content(imp) == _content(original) and imp.unjoined == []


def test_candidate_columns_in_another_order(
    iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path
) -> None:
    order = [0, 1] + [
        c for block in range(3) for c in reversed(range(2 + 14 * block, 16 + 14 * block))
    ]
    path = _write(tmp_path / "r.csv", [[row[c] for c in order] for row in rows])
    assert rows[1][order[2]] == "Uncommitted"
    imp = read_results(path, iowa)
    assert _content(imp) == _content(original)


def test_fewer_candidates(iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path) -> None:
    dropped = {"Bloomberg", "Gabbard"}
    keep = [c for c in range(len(rows[1])) if rows[1][c] not in dropped]
    path = _write(tmp_path / "r.csv", [[row[c] for c in keep] for row in rows])
    imp = read_results(path, iowa)
    expected = {
        key: tuple({k: v for k, v in part.items() if k not in dropped} for part in parts)
        for key, parts in _content(original).items()
    }
    assert _content(imp) == expected
    assert all(len(r.first) == 12 for r in imp.reports)


def test_unknown_candidate_column_is_named(iowa: Election, rows: Rows, tmp_path: Path) -> None:
    extra = [["First Expression", "Final Expression", "SDE"], ["Castro"] * 3]
    grown = [
        row + (extra[n] if n < 2 else ["" if n == 2 else "0"] * 3) for n, row in enumerate(rows)
    ]
    path = _write(tmp_path / "r.csv", grown)
    with pytest.raises(IdpFormatError) as err:
        read_results(path, iowa)
    message = str(err.value)
    assert "candidates not in election 'iowa-2020': Castro (columns 45, 46, 47)" in message
    assert "the election's candidates are Bennet, Biden" in message


def test_more_known_candidates_are_read(iowa: Election, rows: Rows, tmp_path: Path) -> None:
    """A superset of the first file's candidates (all in the election) is read whole."""
    keep = [c for c in range(len(rows[1])) if rows[1][c] != "Other"]
    smaller = _write(tmp_path / "small.csv", [[row[c] for c in keep] for row in rows])
    assert all("Other" not in r.first for r in read_results(smaller, iowa).reports)
    full = read_results(_write(tmp_path / "full.csv", rows), iowa)
    assert all("Other" in r.first for r in full.reports)


def test_candidate_names_written_differently(
    iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path
) -> None:
    renamed = {"Biden": "Joe Biden", "Sanders": "SANDERS", "Uncommitted": "uncommitted"}
    header = [renamed.get(c, c) for c in rows[1]]
    path = _write(tmp_path / "r.csv", [rows[0], header, *rows[2:]])
    imp = read_results(path, iowa)
    assert _content(imp) == _content(original)
    names = ["Biden", "Sanders", "Other"]
    assert match_candidate("Bernie Sanders", names) == "Sanders"
    assert match_candidate("Tom Steyer", names) is None


def test_merged_header_cells(
    iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path
) -> None:
    """A spreadsheet export that writes each measure once over its 14 columns."""
    first_row = [cell if n < 2 or (n - 2) % 14 == 0 else "" for n, cell in enumerate(rows[0])]
    path = _write(tmp_path / "r.csv", [first_row, *rows[1:]])
    assert _content(read_results(path, iowa)) == _content(original)


def test_total_rows_in_any_case(iowa: Election, rows: Rows, tmp_path: Path) -> None:
    changed = [[row[0], "TOTAL", *row[2:]] if row[1] == "Total" else row for row in rows]
    imp = read_results(_write(tmp_path / "r.csv", changed), iowa)
    assert len(imp.county_totals) == 104 and len(imp.reports) == 1765
    assert imp.county_totals["Adair"]["Klobuchar"] == Fraction("0.8629")


def test_short_codes_and_case_in_names(
    iowa: Election, rows: Rows, original: IdpImport, tmp_path: Path
) -> None:
    changed = []
    for row in rows:
        if row[:2] == ["Adair", "1NW ADAIR"]:
            row = ["Adair", "01NW", *row[2:]]
        elif row[:2] == ["Adair", "2NE STUART"]:
            row = ["ADAIR", "2ne  stuart", *row[2:]]
        changed.append(row)
    imp = read_results(_write(tmp_path / "r.csv", changed), iowa)
    assert _content(imp) == _content(original) and imp.unjoined == []
    assert imp.notes == [
        "line 4: Adair / 01NW joined by short code to Adair / 1NW ADAIR",
        "line 7: ADAIR / 2ne stuart joined by name to Adair / 2NE STUART",
    ]


def test_two_columns_for_one_candidate(iowa: Election, rows: Rows, tmp_path: Path) -> None:
    header = ["Joe Biden" if c == "Bennet" else c for c in rows[1]]
    path = _write(tmp_path / "r.csv", [rows[0], header, *rows[2:]])
    with pytest.raises(IdpFormatError, match="columns 'Joe Biden', 'Biden' name the same"):
        read_results(path, iowa)


def test_the_tabulation_reads_through_detection(iowa: Election) -> None:
    from caucuskit.services.results_files import load_results

    need(FEED.is_file(), f"missing {FEED}")
    loaded = load_results(iowa, FEED)
    assert (loaded.layout, len(loaded.reports), loaded.unjoined) == ("nyt-feed", 1765, [])
