#!/usr/bin/env python3
"""Derive the shipped election definitions from the public data in ../shared/data.

Writes src/caucuskit/data/elections/iowa-2020.json, iowa-2016.json and nevada-2020.json. The
output is deterministic: running the script again over the same data gives the same bytes (a
test checks this against the shipped files).

    python scripts/derive_elections.py [--data ../shared/data] [--out DIR]
        [--pools observed|nominal]

Sources (see the README of each data folder):

* iowa-2020: the IDP precinct apportionment as matched by iowa-tools
  (apportionment/ipd-precinct-delegates-mapped.csv: D and the unrounded precinct SDE, from which
  S_c is recovered exactly, rules.md §7.1), the county -> congressional district map
  (geography/iowa_counties_cd.txt), and the 8 Feb 100 % results file for the 87 satellite site
  names and the published satellite pools (rules.md §7.3).
  The iowa-tools name <-> short-code match is then checked against the NYT precinct feed
  (nyt/IowaDemPrecinctsSFTP-latest.json, keyed by short code) and corrected where the feed
  and the published SDEs agree: see :func:`repair_pairs` and docs/election-format.md.
* iowa-2016: the precinct delegate counts of Bernie-2016/CaucusCentralAPI (apportionment/IA.csv)
  and the same district map. County state delegates S_c for 2016 are not in any data set, so they
  are left unknown (null).
* nevada-2020: the NV Dems precinct apportionment (apportionment/nevada_delegate_apportionment.csv:
  county, precinct, congressional district, D) and the county list with FIPS codes
  (apportionment/nevada_fips_codes.csv). The headline unit is the county convention delegate
  (CCD): a delegate is worth one CCD. Clark and Lyon span two or three districts, so they are
  split into parts ("Clark CD1", ...) that name their whole county; the seven at-large casino
  sites of 2020 are Clark units with D as an input (no data set gives it) in a part with no
  district ("Clark at-large"), which counts statewide only. See docs/nevada.md.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from caucuskit.core.election import Candidate, County, Election, NationalDelegates, Precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str, round_half_up, scaled
from caucuskit.core.rules import get_ruleset
from caucuskit.formats.election_file import dumps_election, election_from_dict, election_to_dict
from caucuskit.formats.idp2020 import read_idp_results, read_idp_table, unescape
from caucuskit.formats.idp2020_table import IdpTable
from caucuskit.formats.nyt2020 import read_nyt_results

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()
DEFAULT_OUT = REPO / "src" / "caucuskit" / "data" / "elections"

#: rules.md §8.1
NATIONAL_2020 = NationalDelegates(district={1: 7, 2: 7, 3: 8, 4: 5}, at_large=9, pleo=5)
NATIONAL_2016 = NationalDelegates(district={1: 8, 2: 8, 3: 7, 4: 6}, at_large=9, pleo=6)
CANDIDATES_2016 = ("Clinton", "Sanders", "O'Malley", "Uncommitted")
SATELLITE_DISTRICTS = {
    "CD1 Satellite": 1,
    "CD2 Satellite": 2,
    "CD3 Satellite": 3,
    "CD4 Satellite": 4,
    "Out of State Satellite": None,
}
RESULTS_100 = Path("iowa-2020/results/idp-2020-02-08-100pct_full.csv")
NYT_FEED = Path("iowa-2020/nyt/IowaDemPrecinctsSFTP-latest.json")
#: Published precinct SDEs have 4 decimals, so a row's sum is within this of D x S_c / C_c.
SDE_NEAR = Fraction(1, 1000)


class DeriveError(Exception):
    """The data does not look the way the data README says."""


def read_districts(path: Path) -> dict[str, int]:
    """COUNTY -> DISTRICT from the tab-separated geography file (satellite rows included)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {row["COUNTY"].strip(): int(row["DISTRICT"]) for row in rows}


def recover_state_delegates(values: list[tuple[int, str]], county: str) -> Fraction:
    """S_c from (D, unrounded precinct SDE text) pairs: the sum, as the simplest nearby fraction.

    Each precinct's value is D x S_c / C_c (rules.md §7.1) printed as a binary float, so the sum
    is S_c up to float noise. The result is checked against every precinct.
    """
    total_d = sum(d for d, _ in values)
    total = sum((Fraction(Decimal(text)) for _, text in values), Fraction(0))
    s_c = total.limit_denominator(1000)
    for d, text in values:
        if abs(Fraction(Decimal(text)) - d * s_c / total_d) > Fraction(1, 10**9):
            raise DeriveError(f"{county}: precinct SDE {text} is not D x {s_c} / {total_d}")
    return s_c


Vector = tuple[tuple[tuple[str, object], ...], ...]


@dataclass(frozen=True)
class Repair:
    """One long name moved to another short code of its county (and so to that code's D)."""

    county: str
    name: str
    old_code: str
    new_code: str
    old_delegates: int
    new_delegates: int

    def __str__(self) -> str:
        return (
            f"{self.county} / {self.name}: {self.old_code} (D {self.old_delegates}) -> "
            f"{self.new_code} (D {self.new_delegates})"
        )


def _vector(report: PrecinctReport) -> Vector:
    """A caucus's numbers: first and final head counts and published SDEs, per candidate."""
    return (
        tuple(sorted(report.first.items())),
        tuple(sorted(report.final.items())),
        tuple(sorted((report.published_sde or {}).items())),
    )


def _unique_vectors(pairs: Iterable[tuple[str, Vector]]) -> dict[Vector, str]:
    """vector -> label, for the vectors that occur once in ``pairs`` (duplicates say nothing)."""
    pairs = list(pairs)
    seen = Counter(v for _, v in pairs)
    return {v: label for label, v in pairs if seen[v] == 1}


def repair_pairs(election: Election, data: Path) -> tuple[list[Repair], list[str]]:
    """Where the iowa-tools match put a long name on the wrong short code, the right code.

    The IDP results table (``RESULTS_100``) names a precinct by its long name; the NYT feed
    (``NYT_FEED``), which came from the IDP's own media feed, by its short code. The same
    caucus has the same first, final and SDE numbers in both, so a row whose numbers occur
    once in its county in each file ties a long name to a short code. That tie is taken over
    the iowa-tools pairing only when all of these hold:

    * the numbers are unique within the county in both files (8 results rows duplicate
      another row of their county, README "Known defects");
    * the moves close up: the names that move take exactly the codes they give up
      (a cycle of 2 or more names in one county; D per short code never changes);
    * for every name in the cycle, the published SDE sum of its results row is D x S_c / C_c
      for the D of the *new* code (rules.md §7.1), i.e. the IDP itself computed the row with
      that code's D.

    A cycle that fails a check keeps the iowa-tools pairing and is reported in the second
    list (with the reason), so that nothing is changed on the feed's word alone.
    """
    csv_by_county, feed_by_county, sde_sum = _vectors_by_county(election, data)
    unit = election.precinct_by_key
    by_code = {(p.county, p.code): p for p in election.precincts}
    repairs: list[Repair] = []
    refused: list[str] = []
    for county in sorted(csv_by_county):
        feed_code = _unique_vectors(feed_by_county[county])
        proposed: dict[str, str] = {}  # long name -> short code whose feed entry has its row
        for vector, name in _unique_vectors(csv_by_county[county]).items():
            code = feed_code.get(vector)
            if code is not None and code != unit[(county, name)].code:
                proposed[name] = code
        value = election.sde_per_delegate(county)
        assert value is not None
        for moves, end in _cycles(election, county, proposed, by_code):
            why = _refusal(moves, end, sde_sum, value)
            if why is None:
                repairs.extend(moves)
            else:
                refused.append(f"{'; '.join(str(m) for m in moves)}: {why}")
    return repairs, refused


def _vectors_by_county(
    election: Election, data: Path
) -> tuple[
    dict[str, list[tuple[str, Vector]]],
    dict[str, list[tuple[str, Vector]]],
    dict[tuple[str, str], Fraction],
]:
    """Per county, the (long name, numbers) of the results table and the (short code, numbers)
    of the NYT feed, satellites left out; and each results row's published SDE sum."""
    csv_rows = read_idp_results(data / RESULTS_100, election).reports
    feed = read_nyt_results(data / NYT_FEED, election)
    if feed.unjoined:
        raise DeriveError(f"{NYT_FEED}: entries do not join: {feed.unjoined[0]}")
    unit = election.precinct_by_key
    csv_by_county: dict[str, list[tuple[str, Vector]]] = defaultdict(list)
    feed_by_county: dict[str, list[tuple[str, Vector]]] = defaultdict(list)
    sde_sum: dict[tuple[str, str], Fraction] = {}
    for r in csv_rows:
        if not unit[r.key].satellite:
            csv_by_county[r.county].append((r.precinct, _vector(r)))
            sde_sum[r.key] = sum((r.published_sde or {}).values(), Fraction(0))
    for r in feed.reports:
        if not unit[r.key].satellite:
            feed_by_county[r.county].append((unit[r.key].code, _vector(r)))
    return csv_by_county, feed_by_county, sde_sum


def _cycles(
    election: Election,
    county: str,
    proposed: dict[str, str],
    by_code: dict[tuple[str, str], Precinct],
) -> list[tuple[list[Repair], str | None]]:
    """The proposed moves followed from name to the name holding its new code: each chain of
    moves, and the name it ends at (its start when the moves close up)."""
    unit = election.precinct_by_key
    done: set[str] = set()
    out = []
    for start in sorted(proposed):
        if start in done:
            continue
        cycle: list[str] = []
        name = start
        while name in proposed and name not in cycle and name not in done:
            cycle.append(name)
            name = by_code[(county, proposed[name])].name
        done.update(cycle)
        moves = [
            Repair(
                county,
                n,
                unit[(county, n)].code,
                proposed[n],
                unit[(county, n)].delegates or 0,
                by_code[(county, proposed[n])].delegates or 0,
            )
            for n in cycle
        ]
        out.append((moves, None if name == start else name))
    return out


def _refusal(
    moves: list[Repair], end: str | None, sde_sum: dict[tuple[str, str], Fraction], value: Fraction
) -> str | None:
    """Why a chain of moves is not taken (None when it is): it does not close up, or a
    published SDE sum is not D x S_c / C_c for the new code's D (rules.md §7.1)."""
    if end is not None:
        return f"the moves do not close up (at {end!r})"
    misfit = [
        m for m in moves if abs(sde_sum[(m.county, m.name)] - m.new_delegates * value) >= SDE_NEAR
    ]
    if not misfit:
        return None
    m = misfit[0]
    return (
        f"the published SDE sum of {m.name!r} "
        f"({decimal_str(sde_sum[(m.county, m.name)], 4)}) is not D x S_c / C_c for "
        f"D = {m.new_delegates} ({decimal_str(m.new_delegates * value, 4)})"
    )


def apply_repairs(precincts: list[Precinct], repairs: list[Repair]) -> list[Precinct]:
    """The precincts with each repaired long name on its new short code.

    Each apportionment row (short code, D) keeps its place in the list; only the long name
    it carries changes.
    """
    name_for = {(r.county, r.new_code): r.name for r in repairs}
    return [
        replace(p, name=name_for[(p.county, p.code)]) if (p.county, p.code) in name_for else p
        for p in precincts
    ]


def _apportionment_2020(base: Path) -> tuple[dict[str, list[tuple[int, str]]], list[Precinct]]:
    """The IDP apportionment as matched by iowa-tools: per county its (D, precinct SDE) rows,
    and the precincts with their short codes and D (rules.md §2)."""
    with (base / "apportionment" / "ipd-precinct-delegates-mapped.csv").open(
        newline="", encoding="utf-8"
    ) as handle:
        rows = list(csv.DictReader(handle))
    by_county: dict[str, list[tuple[int, str]]] = defaultdict(list)
    precincts: list[Precinct] = []
    for row in rows:
        county = unescape(row["County"])
        code = unescape(row["Precinct Short Name"])
        name = unescape(row["Precinct"]) or code  # the 3 Lee rows with D = 0 have no name
        delegates = int(row["County Delegates"])
        by_county[county].append((delegates, row["Precinct SDE (IDP)"]))
        precincts.append(Precinct(county, name, code, delegates))
    return by_county, precincts


def _satellites_2020(
    table: IdpTable, pools: str, places: int
) -> tuple[list[County], list[Precinct]]:
    """The satellite pseudo-counties with their pools, and their sites as named in the 100 %
    results (rules.md §7.3): 'observed' pools are the published site SDEs summed and rounded
    to ``places``, 'nominal' ones the same rounded to whole delegates."""
    site_sde: dict[str, Fraction] = defaultdict(Fraction)
    sites: dict[str, list[str]] = defaultdict(list)
    for r in table.rows:
        if r.county in SATELLITE_DISTRICTS:
            sites[r.county].append(r.precinct)
            site_sde[r.county] += sum(r.sde.values(), Fraction(0))
    counties: list[County] = []
    precincts: list[Precinct] = []
    for name, district in SATELLITE_DISTRICTS.items():
        observed = site_sde[name]
        if pools == "observed":
            pool = Fraction(scaled(observed, places), 10**places)
        else:
            pool = Fraction(round_half_up(observed))
        counties.append(County(name, district, pool, satellite=True))
        for i, site in enumerate(sorted(sites[name]), start=1):
            precincts.append(Precinct(name, site, f"S{i:02d}", None, satellite=True))
    return counties, precincts


def derive_2020(data: Path, pools: str, log: Callable[[str], object] = print) -> Election:
    """The iowa-2020 definition (rules.md §2, §7.1, §7.3, §8.1)."""
    base = data / "iowa-2020"
    districts = read_districts(base / "geography" / "iowa_counties_cd.txt")
    by_county, precincts = _apportionment_2020(base)
    table = read_idp_table(data / RESULTS_100)
    counties: list[County] = []
    for name in sorted(by_county):
        if name not in districts:
            raise DeriveError(f"county {name!r} has no congressional district")
        counties.append(
            County(name, districts[name], recover_state_delegates(by_county[name], name))
        )
    places = get_ruleset("ia-2020").sde_places_total
    sat_counties, sat_sites = _satellites_2020(table, pools, places)
    counties += sat_counties
    precincts += sat_sites

    pool_text = ", ".join(
        f"{c.name} {decimal_str(c.state_delegates or Fraction(0), places)}"
        for c in counties
        if c.satellite
    )
    notes = (
        "Precincts and D: IDP 2020 Precinct Delegate Apportionment, as matched to the results "
        "names by iowa-tools (ref_data/ipd-precinct-delegates-mapped.csv); names HTML-unescaped.",
        "S_c: the sum of the precinct SDE values of the apportionment over the county "
        "(rules.md §7.1); 2,107 over the 99 counties.",
        "The 3 Lee County rows with D = 0 have no name in the apportionment; they are named by "
        "their short code (FM4B, HR, KE2B).",
        "Satellite sites (87): names from the IDP 8 Feb 2020 results (100 %); D from turnout "
        "(rules.md §7.3).",
        f"Satellite pools ({pools}): {pool_text}. 'observed' = the published site SDEs summed "
        "per pseudo-county and rounded to 3 decimals (reproduces the published totals); "
        "'nominal' = the same rounded to whole delegates (6, 11, 18, 4, 4: 2,150 in all).",
        "Districts: climatebrad/primary iowa_counties_cd.txt (2013-2022 lines); "
        "Out of State Satellite counts statewide only (rules.md §8.3).",
        "National delegates: rules.md §8.1 (CD1 7, CD2 7, CD3 8, CD4 5, at-large 9, PLEO 5).",
        "No candidate had withdrawn on caucus night (3 Feb 2020).",
    )

    def build(units: list[Precinct], more_notes: tuple[str, ...]) -> Election:
        election = Election(
            id="iowa-2020",
            title="Iowa Democratic caucuses, 3 February 2020",
            rules=get_ruleset("ia-2020"),
            candidates=tuple(Candidate(name) for name in table.candidates),
            counties=tuple(counties),
            precincts=tuple(units),
            national=NATIONAL_2020,
            sde_places_precinct=4,
            sde_places_total=3,
            notes=notes + more_notes,
        )
        election.check()
        return election

    repairs, refused = repair_pairs(build(precincts, ()), data)
    for line in [f"re-paired {r}" for r in repairs] + [f"kept {t}" for t in refused]:
        log(f"iowa-2020: {line}")
    election = build(
        apply_repairs(precincts, repairs),
        (
            f"Name <-> short code corrected for {len(repairs)} precincts where the NYT feed "
            "(keyed by short code) holds the results row of another name of the county and the "
            "published SDEs confirm that code's D (docs/election-format.md): "
            + "; ".join(str(r) for r in repairs)
            + ".",
            *(f"Not corrected (evidence conflicts): {text}." for text in refused),
        ),
    )
    joined = read_idp_results(data / RESULTS_100, election)
    if joined.unjoined or len(joined.reports) != 1765:
        raise DeriveError(
            f"the 100 % results do not join: {len(joined.reports)} joined, "
            + "; ".join(str(u) for u in joined.unjoined[:5])
        )
    return election


def _strip_county(label: str, county: str) -> str:
    prefix = county.lower() + "-"
    return label[len(prefix) :].strip() if label.lower().startswith(prefix) else label


def derive_2016(data: Path) -> Election:
    """The iowa-2016 definition (rules.md §2, §8.1); S_c unknown."""
    base = data / "iowa-2016"
    districts = {
        name: d
        for name, d in read_districts(base / "geography" / "iowa_counties_cd.txt").items()
        if not name.endswith("Satellite")
    }
    by_upper = {name.upper(): name for name in districts}
    precincts: list[Precinct] = []
    with (base / "apportionment" / "IA.csv").open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            state, raw_county, label, delegates = (cell.strip() for cell in row)
            county = by_upper.get(raw_county.upper())
            if state != "IA" or county is None:
                raise DeriveError(f"IA.csv line {line}: unexpected state/county {row[:2]}")
            code = unescape(label)
            precincts.append(Precinct(county, _strip_county(code, county), code, int(delegates)))
    counties = tuple(County(name, districts[name], None) for name in sorted(districts))
    notes = (
        "Precincts and D: Bernie-2016/CaucusCentralAPI db/data/IA.csv (the campaign's labels; "
        "name = label without the 'County-' prefix, code = the label); D sums to 11,065.",
        "County state delegates S_c are unknown for 2016 (not in any data set found), so "
        "precinct SDEs cannot be derived; county-level SDEs are imported instead.",
        "Satellite caucuses (3 state delegates) and the tele-caucus (2) are not modelled: no "
        "results are available for them.",
        "Districts: climatebrad/primary iowa_counties_cd.txt (2013-2022 lines).",
        "National delegates: rules.md §8.1 (CD1 8, CD2 8, CD3 7, CD4 6, at-large 9, PLEO 6).",
    )
    election = Election(
        id="iowa-2016",
        title="Iowa Democratic caucuses, 1 February 2016",
        rules=get_ruleset("ia-2016"),
        candidates=tuple(Candidate(name) for name in CANDIDATES_2016),
        counties=counties,
        precincts=tuple(precincts),
        national=NATIONAL_2016,
        sde_places_precinct=2,
        sde_places_total=2,
        notes=notes,
    )
    election.check()
    return election


#: rules.md §8.1 (NV 2020: 36 pledged).
NATIONAL_NV_2020 = NationalDelegates(district={1: 5, 2: 6, 3: 6, 4: 6}, at_large=8, pleo=5)
#: The candidates of the NV results, in the results' order (data README).
CANDIDATES_NV_2020 = (
    "Bennet",
    "Biden",
    "Buttigieg",
    "Delaney",
    "Gabbard",
    "Klobuchar",
    "Patrick",
    "Sanders",
    "Steyer",
    "Warren",
    "Yang",
    "Uncommitted",
)
#: The 2020 at-large caucus sites on the Strip (issue 13; data README "Known defects").
AT_LARGE_NV_2020 = (
    "Bellagio",
    "Harrahs",
    "Mandalay Bay",
    "Paris",
    "Park MGM",
    "Rio",
    "Wynn Resorts",
)
AT_LARGE_PART = "Clark at-large"


def derive_nevada_2020(data: Path) -> Election:
    """The nevada-2020 definition (rules.md §2 NV apportionment, §8.1); CCDs, no SDEs."""
    base = data / "nevada-2020" / "apportionment"
    with (base / "nevada_fips_codes.csv").open(newline="", encoding="utf-8") as handle:
        fips = [row["county"].strip() for row in csv.DictReader(handle)]
    rows: list[tuple[str, str, int, int]] = []
    path = base / "nevada_delegate_apportionment.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                rows.append(
                    (
                        row["county"].strip(),
                        row["precinct"].strip(),
                        int(row["congressional_district"]),
                        int(row["delegates"]),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise DeriveError(f"{path.name} line {line}: {exc}") from None
    names = sorted({r[0] for r in rows})
    if sorted(n.upper() for n in names) != sorted(fips):
        raise DeriveError(
            f"counties differ between the apportionment and the FIPS list: {names} / {fips}"
        )
    districts: dict[str, set[int]] = defaultdict(set)
    for county, _, cd, _ in rows:
        districts[county].add(cd)
    counties: list[County] = []
    for name in names:
        cds = sorted(districts[name])
        if len(cds) == 1:
            counties.append(County(name, cds[0], None))
        else:
            counties.extend(County(f"{name} CD{cd}", cd, None, part_of=name) for cd in cds)
        if name == "Clark":
            counties.append(County(AT_LARGE_PART, None, None, part_of="Clark"))

    def unit_county(county: str, cd: int) -> str:
        return county if len(districts[county]) == 1 else f"{county} CD{cd}"

    precincts = [Precinct(unit_county(c, cd), p, p, d) for c, p, cd, d in rows]
    precincts += [
        Precinct(AT_LARGE_PART, site, site, None, at_large=True) for site in AT_LARGE_NV_2020
    ]
    total = sum(r[3] for r in rows)
    notes = (
        "Precincts, districts and D: NV Dems precinct apportionment as extracted by "
        "GOliveira10/Nevada-Caucus-Monitoring (nevada_delegate_apportionment.csv): "
        f"{len(rows):,} precincts in {len(names)} counties, D sums to {total:,}.",
        "Headline unit: county convention delegates (CCDs), the precinct delegates summed; "
        "Nevada has no state delegate equivalents.",
        "Clark (CD1, CD3, CD4) and Lyon (CD2, CD4) span districts and are split into parts; "
        "the other counties lie in one district each.",
        "At-large sites (Strip casinos): " + ", ".join(AT_LARGE_NV_2020) + ". Their D was set "
        "from expected turnout and is in no data set: it is an input (null here). They count "
        "toward Clark and statewide, not toward a district [INFERRED].",
        "National delegates: rules.md §8.1 (CD1 5, CD2 6, CD3 6, CD4 6, at-large 8, PLEO 5), "
        "by the 15 % rule on CCDs.",
    )
    election = Election(
        id="nevada-2020",
        title="Nevada Democratic caucuses, 22 February 2020",
        rules=get_ruleset("nv-2020"),
        candidates=tuple(Candidate(n) for n in CANDIDATES_NV_2020),
        counties=tuple(counties),
        precincts=tuple(precincts),
        national=NATIONAL_NV_2020,
        sde_places_precinct=0,
        sde_places_total=0,
        notes=notes,
        unit="ccd",
    )
    election.check()
    if len(rows) != 2088 or total != 14675 or len(names) != 17:
        raise DeriveError(
            f"nevada-2020: expected 2,088 precincts, D = 14,675 and 17 counties; "
            f"got {len(rows)}, {total}, {len(names)}"
        )
    return election


def write(election: Election, out: Path) -> Path:
    """Write the definition after checking it reads back to the same thing."""
    text = dumps_election(election)
    again = election_from_dict(election_to_dict(election))
    if dumps_election(again) != text:
        raise DeriveError(f"{election.id}: the definition does not read back identically")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{election.id}.json"
    target.write_text(text, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON")
    parser.add_argument(
        "--pools",
        choices=("observed", "nominal"),
        default="observed",
        help="satellite pools: the published sums (default) or whole delegates",
    )
    args = parser.parse_args(argv)
    try:
        for election in (
            derive_2020(args.data, args.pools),
            derive_2016(args.data),
            derive_nevada_2020(args.data),
        ):
            print(f"wrote {write(election, args.out)}")
    except (DeriveError, OSError) as exc:
        print(f"derive_elections: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
