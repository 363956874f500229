"""The public page's view functions (no browser): shares, honest status words, the national
projection only once settled, one outstanding figure, county numbers, map tooltips, CSV.

Rule: rules.md §7, §8.2, §9.
"""

from __future__ import annotations

import csv
import io

from caucuskit.web.pages import publicview as pv


def test_shares_are_rounded_half_up_to_one_decimal() -> None:
    assert pv.pct_text(1, 3) == "33.3%" and pv.pct_text(2, 3) == "66.7%"
    assert pv.pct_text(1, 8) == "12.5%" and pv.pct_text(1, 16) == "6.3%"  # 6.25 -> 6.3
    assert pv.pct_text(0, 0) == "–" and pv.pct_text(5, 5) == "100.0%"


def test_status_words_never_say_corrected_while_precincts_are_missing() -> None:
    assert pv.status_words("correction", 3, 1765) == "Unofficial, partial"
    assert pv.status_words("recount", 1765, 1765).endswith("includes recounts")
    assert pv.status_words("correction", 1765, 1765).endswith("includes corrections")
    assert pv.status_words(None) == "No results yet"


def test_zero_vote_candidates_are_listed_apart_with_shares_for_the_rest() -> None:
    doc = {
        "precincts": {"reporting": 2},
        "candidates": [
            {"name": "A", "first": 30, "final": 40, "delegates": 3, "sde_display": "1.000"},
            {"name": "B", "first": 10, "final": 0, "delegates": 0, "sde_display": "0.000"},
            {"name": "C", "first": 0, "final": 0, "delegates": 0, "sde_display": "0.000"},
        ],
    }
    view = pv.candidate_view(doc)
    assert [r["name"] for r in view["rows"]] == ["A", "B"]
    assert [r["name"] for r in view["zero"]] == ["C"]
    assert view["rows"][0]["first_pct"] == "75.0%" and view["rows"][0]["final_pct"] == "100.0%"


def test_national_numbers_only_once_settled_and_one_outstanding_figure() -> None:
    race = {
        "open_sde_display": "2148.027",
        "open_sde_is_supremum": True,
        "national": {
            "total": {"status": "open"},
            "units": [
                {"unit": "CD1", "seats": 7, "status": "decided", "current": {"A": 4, "B": 3}},
                {"unit": "CD2", "seats": 7, "status": "open", "current": {"A": 7}},
            ],
        },
    }
    doc = {
        "precincts": {"reporting": 3, "total": 1765},
        "race": race,
        "sde": {"outstanding_display": "2104.882"},
        "national": {"total": {"A": 11}},
    }
    nat = pv.national_view(doc)
    assert not nat["settled"] and nat["open_units"] == ["CD2"]
    assert nat["units"] == [{"unit": "CD1", "seats": 7, "split": "A 4, B 3"}]
    assert pv.outstanding(doc, race) == {"display": "2148.027", "at_most": True}
    done = dict(doc, precincts={"reporting": 1765, "total": 1765})
    assert pv.national_view(done)["settled"]


def test_county_numbers_tooltips_and_csv() -> None:
    row = {
        "id": "polk",
        "name": "Polk",
        "reporting": 170,
        "total": 177,
        "leader": "A",
        "tied": [],
        "sde_display": {"A": "40.000", "B": "30.000", "C": "30.000"},
    }
    result = {
        "name": "Iowa",
        "precincts": {"reporting": 170, "total": 177},
        "candidates": [
            {"name": "A", "sde_display": "40.000"},
            {"name": "B", "sde_display": "30.000"},
            {"name": "C"},
            {"name": "D"},
        ],
    }
    cols = pv.county_columns(result, [row])
    assert cols == ["A", "B", "C"]  # D has no SDE anywhere
    (table,) = pv.county_table([row], cols)
    assert table["margin"] == 10.0 and [c["display"] for c in table["cells"]] == [
        "40.000",
        "30.000",
        "30.000",
    ]
    title = pv.map_title(row)
    assert title.startswith("Polk County: leader A; SDEs A 40.000, B 30.000, C 30.000")
    assert title.endswith("170 of 177 precincts reporting")
    assert pv.margin_strength(row) == 1
    lines = list(csv.reader(io.StringIO(pv.results_csv(result, [row]))))
    assert lines[0][:3] == ["scope", "name", "candidate"]
    assert ["county", "Polk", "A", "40.000"] == lines[-3][:4]
