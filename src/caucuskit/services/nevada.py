"""Nevada-specific steps around the shared tabulation: at-large site delegates as inputs, and
totals per whole county (district parts merged).

Rule: rules.md §2 (apportionment is input data: the at-large sites' D was set from expected
turnout and is in no data set), §8.1 (NV national delegates on CCDs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from caucuskit.core.election import Election, with_unit_delegates
from caucuskit.core.errors import DefinitionError, ValidationError
from caucuskit.core.report import PrecinctReport


def parse_site_delegates(election: Election, specs: Iterable[str]) -> dict[tuple[str, str], int]:
    """Read ``SITE=D`` texts (``Harrahs=34``; ``"Clark at-large/Harrahs=34"`` also works) into
    unit keys; raise :class:`ValidationError` naming ``--site-delegates`` otherwise."""
    sites = {p.name.lower(): p for p in election.precincts if p.at_large}
    out: dict[tuple[str, str], int] = {}
    for spec in specs:
        name, sep, value = spec.rpartition("=")
        name = name.strip().split("/")[-1].strip()
        site = sites.get(name.lower())
        if not sep or site is None:
            known = ", ".join(p.name for p in sites.values()) or "none"
            raise ValidationError.single(
                "--site-delegates",
                f"{spec!r}: expected SITE=D with SITE an at-large site of {election.id} ({known})",
            )
        if not value.strip().isdigit():
            raise ValidationError.single("--site-delegates", f"{spec!r}: D must be a whole number")
        out[site.key] = int(value)
    return out


def apply_site_delegates(election: Election, specs: Sequence[str]) -> Election:
    """``election`` with the at-large sites' D given by ``specs`` (see above)."""
    if not specs:
        return election
    try:
        return with_unit_delegates(election, parse_site_delegates(election, specs))
    except DefinitionError as exc:
        raise ValidationError.single("--site-delegates", "; ".join(exc.problems)) from None


def site_delegates_from_results(
    election: Election, reports: Iterable[PrecinctReport]
) -> dict[tuple[str, str], int]:
    """D of at-large sites whose D the election leaves open but the results file gives (the NV
    long format's ``precinct_delegates`` column, kept in ``report.extra``)."""
    out: dict[tuple[str, str], int] = {}
    for r in reports:
        p = election.precinct_by_key.get(r.key)
        given = r.extra.get("precinct_delegates", "")
        if p is not None and p.at_large and p.delegates is None and given.isdigit():
            out[p.key] = int(given)
    return out


def with_site_delegates(
    election: Election, reports: Sequence[PrecinctReport], specs: Sequence[str]
) -> Election:
    """``election`` with at-large D from the results file where it gives them, then from
    ``specs`` (``SITE=D``, which win)."""
    found = site_delegates_from_results(election, reports)
    if found:
        election = with_unit_delegates(election, found)
    return apply_site_delegates(election, specs)


def missing_site_delegates(election: Election, reports: Iterable[PrecinctReport]) -> list[str]:
    """Notes for reported at-large sites whose D is still unknown (not recomputed)."""
    out = []
    for r in reports:
        p = election.precinct_by_key.get(r.key)
        if p is not None and p.at_large and p.delegates is None:
            out.append(
                f"{p.county}/{p.name}: an at-large site whose D (set from expected turnout)"
                f" is not in the data; give it with --site-delegates '{p.name}=D' to "
                "recompute its delegates"
            )
    return out


def whole_county_totals(
    election: Election, counties: Mapping[str, Mapping[str, Fraction]]
) -> dict[str, dict[str, Fraction]]:
    """Per-county totals with district parts merged into their whole county (in the order of
    :attr:`Election.whole_counties`; counties with nothing reported are left out)."""
    out: dict[str, dict[str, Fraction]] = {}
    for name in election.whole_counties:
        out[name] = {}
    for name, part in counties.items():
        whole = election.county_by_name[name].whole
        into = out.setdefault(whole, {})
        for c, v in part.items():
            into[c] = into.get(c, Fraction(0)) + v
    return {k: v for k, v in out.items() if v}
