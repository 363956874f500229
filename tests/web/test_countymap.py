"""The shipped county map: 99 Iowa counties that match the election's county names."""

from __future__ import annotations

from caucuskit.formats.election_file import load_election
from caucuskit.web.pages.countymap import CountyFill, atlas, county_key, render_map


def test_the_atlas_has_iowas_99_counties_and_they_match_the_2020_definition() -> None:
    shapes = atlas().shapes
    assert len(shapes) == 99
    assert all(s.fips.startswith("19") for s in shapes)
    election = load_election("iowa-2020")
    real = {county_key(c.name) for c in election.counties if not c.satellite}
    assert {county_key(s.name) for s in shapes} == real


def test_a_leader_is_shown_by_colour_pattern_label_and_title() -> None:
    fill = CountyFill("Klobuchar", "Adair County: leader Klobuchar", "/results/county/adair")
    svg = str(render_map({"Adair": fill}, ["Buttigieg", "Klobuchar"], caption="test"))
    assert svg.count("data-county=") == 99 and 'class="state-outline"' in svg
    assert 'fill="url(#iowa-map-p1)"' in svg and '<pattern id="iowa-map-p1"' in svg
    assert ">Klo</text>" in svg and "<title>Adair County: leader Klobuchar</title>" in svg
    assert 'href="/results/county/adair"' in svg
    assert svg.count("no data") == 98
