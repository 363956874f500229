"""The Nevada county map asset (built by scripts/build_county_map.mjs from us-atlas)."""

from __future__ import annotations

from caucuskit.formats.election_file import load_election
from caucuskit.web.pages.countymap import atlas, county_key


def test_nevada_atlas_has_the_17_counties_of_the_election() -> None:
    geo = atlas("nevada")
    assert len(geo.shapes) == 17 and all(s.fips.startswith("32") for s in geo.shapes)
    assert "build_county_map.mjs nevada" in geo.source
    e = load_election("nevada-2020")
    assert sorted(county_key(s.name) for s in geo.shapes) == sorted(
        county_key(c) for c in e.whole_counties
    )
    assert len(atlas().shapes) == 99  # Iowa stays the default
