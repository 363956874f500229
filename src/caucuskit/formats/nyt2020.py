"""Importer for the New York Times precinct feed of the 2020 Iowa caucuses (JSON).

The feed (``IowaDemPrecinctsSFTP-latest.json``, see ``../shared/data/iowa-2020/README.md``)
is ``{"meta": {...}, "precincts": [...]}``; each entry names its unit by ``locality_name``
(the county) and ``precinct``, which is the IDP **short code** for a real precinct (sometimes
written as a JSON number: ``8``) and the **site name** for a satellite (without the
``City, ST -`` prefix the IDP results use). Counts are keyed by NYT candidate ids
(``sandersb``, ``buttigiegp``, ``other``, ``uncommitted``):

* ``results_align1`` -> first alignment head counts,
* ``results_alignfinal`` -> final alignment head counts,
* ``results`` -> the published SDEs.

The JSON numbers are read from their decimal text straight into :class:`~fractions.Fraction`
(``json.loads(..., parse_float=...)``): no binary float is ever involved.

Joining, in order: a real precinct by (county, short code), then by name; a satellite by its
full name, then by its site name (the text after ``" - "`` in the election's name), then by the
most similar site name among the county's still-unjoined satellites (shared words, unique best
both ways), then - when one entry and one unit are left in a satellite county - by elimination.
Every join that is not exact is listed in ``notes``; an entry that joins nothing is listed in
``unjoined`` with its 1-based entry number.

Rule: rules.md §6 (published results as the empirical check), §7.2 (SDEs exact),
§7.3 (satellite caucuses), §9 (raw counts are the truth; published SDEs for the audit only).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from caucuskit.core.election import Election, Precinct
from caucuskit.core.errors import CaucusError, Problem, ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.exact import fraction_to_text
from caucuskit.formats.idp2020 import IdpImport, IdpRow, UnitIndex, UnjoinedRow, unescape
from caucuskit.formats.site_names import join_by_similarity, site_part

#: The feed's count objects and the report field each fills.
MEASURES: dict[str, str] = {
    "results_align1": "first",
    "results_alignfinal": "final",
    "results": "sde",
}
REQUIRED_KEYS = ("locality_name", "precinct", *MEASURES)
#: Words too common in site names to say two names are the same place.


class NytFormatError(CaucusError, ValueError):
    """The file is not an NYT precinct feed (not JSON, or no ``precincts`` list)."""


def exact_number(text: str) -> Fraction:
    """A JSON number's decimal text as an exact fraction (``parse_float`` of ``json.loads``)."""
    try:
        return Fraction(Decimal(text))
    except InvalidOperation:  # pragma: no cover - json only passes valid number texts
        raise ValueError(f"{text!r} is not a decimal number") from None


def load_feed(path: str | Path) -> dict[str, Any]:
    """The feed's JSON with every non-integer number as an exact :class:`Fraction`."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text, parse_float=exact_number)
    except json.JSONDecodeError as exc:
        raise NytFormatError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("precincts"), list):
        raise NytFormatError(f'{path}: expected {{"meta": ..., "precincts": [...]}}')
    return data


# --------------------------------------------------------------------------- candidates


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def match_candidate_id(candidate_id: str, names: list[str]) -> str | None:
    """The election's candidate an NYT id names: ``other`` -> Other, ``sandersb`` -> Sanders.

    An id is the surname followed by at most two initials. When several names fit, the longest
    wins only if it is the only one of its length; otherwise None.
    """
    key = _letters(candidate_id)
    exact = [n for n in names if _letters(n) == key]
    if len(exact) == 1:
        return exact[0]
    fits = [n for n in names if _letters(n) and key.startswith(_letters(n))]
    fits = [n for n in fits if len(key) - len(_letters(n)) <= 2]
    if not fits:
        return None
    longest = max(len(_letters(n)) for n in fits)
    best = [n for n in fits if len(_letters(n)) == longest]
    return best[0] if len(best) == 1 else None


def _ids_in_feed(entries: list[Any], label: str) -> dict[str, str]:
    """Every candidate id the feed uses -> where it first appears."""
    first_seen: dict[str, str] = {}
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            continue
        for measure in MEASURES:
            counts = entry.get(measure)
            if isinstance(counts, Mapping):
                for cid in counts:
                    first_seen.setdefault(str(cid), f"{label} entry {n}, {measure}.{cid}")
    return first_seen


def candidate_map(
    entries: list[Any],
    election: Election,
    label: str,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """NYT candidate id -> election candidate name, built from the ids the feed uses.

    ``overrides`` (id -> name) wins over the automatic match. Raises :class:`ValidationError`
    with one problem per id that names no candidate (or whose override is not a candidate),
    naming the first entry where it appears.
    """
    names = [c.name for c in election.candidates]
    first_seen = _ids_in_feed(entries, label)
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for cid, where in first_seen.items():
        name = (overrides or {}).get(cid) or match_candidate_id(cid, names)
        if name is None or name not in election.candidate_names:
            problems.append(
                Problem(
                    where,
                    f"candidate id {cid!r} names no candidate of {election.id} "
                    f"({', '.join(names)}); pass it in candidate_ids",
                )
            )
        else:
            mapping[cid] = name
    taken: dict[str, str] = {}
    for cid, name in mapping.items():
        if name in taken:
            problems.append(
                Problem(first_seen[cid], f"ids {taken[name]!r} and {cid!r} both map to {name}")
            )
        taken[name] = cid
    if problems:
        raise ValidationError(problems)
    return mapping


# --------------------------------------------------------------------------- entries


#: A feed entry has the same parts as a row of the IDP table; ``line`` is the entry's number.
_Entry = IdpRow


def _read_entry(
    n: int, raw: object, ids: Mapping[str, str]
) -> tuple[_Entry | None, UnjoinedRow | None]:
    if not isinstance(raw, Mapping):
        return None, UnjoinedRow(n, "", "", "entry is not an object", unit="entry")
    county = unescape(str(raw.get("locality_name") or ""))
    precinct = unescape(str(raw.get("precinct") if raw.get("precinct") is not None else ""))
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        return None, UnjoinedRow(
            n, county, precinct, f"missing key {', '.join(missing)}", unit="entry"
        )
    parts: dict[str, dict[str, Any]] = {"first": {}, "final": {}, "sde": {}}
    errors: list[str] = []
    for measure, target in MEASURES.items():
        counts = raw[measure]
        if not isinstance(counts, Mapping):
            errors.append(f"{measure}: expected an object {{candidate id: number}}")
            continue
        for cid, value in counts.items():
            where = f"{measure}.{cid}"
            if isinstance(value, bool) or not isinstance(value, int | Fraction) or value < 0:
                shown = fraction_to_text(value) if isinstance(value, Fraction) else repr(value)
                errors.append(f"{where}: expected a number >= 0, got {shown}")
            elif target != "sde" and Fraction(value).denominator != 1:
                errors.append(
                    f"{where}: head count {fraction_to_text(Fraction(value))} is not whole"
                )
            elif target == "sde":
                parts[target][ids[str(cid)]] = Fraction(value)
            else:
                parts[target][ids[str(cid)]] = int(value)
    if errors:
        return None, UnjoinedRow(n, county, precinct, "; ".join(errors), unit="entry")
    return _Entry(n, county, precinct, parts["first"], parts["final"], parts["sde"]), None


# --------------------------------------------------------------------------- reading


class _Join:
    """The state of joining feed entries to an election's units, one entry at a time."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.index = UnitIndex(election)
        self.unjoined: list[UnjoinedRow] = []
        self.notes: list[str] = []
        self.joined: dict[int, tuple[_Entry, Precinct]] = {}
        self.claimed: dict[tuple[str, str], int] = {}
        self.pending: list[tuple[_Entry, str]] = []  # satellites left for the similarity passes
        self.sites: dict[tuple[str, str], list[Precinct]] = {}
        for p in election.precincts:
            if p.satellite:
                key = (p.county, " ".join(site_part(p.name).casefold().split()))
                self.sites.setdefault(key, []).append(p)

    def claim(self, entry: _Entry, unit: Precinct, how: str | None) -> None:
        self.claimed[unit.key] = entry.line
        self.joined[entry.line] = (entry, unit)
        if how is not None:
            self.notes.append(
                f"entry {entry.line}: {entry.county} / {entry.precinct} joined by {how} "
                f"to {unit.county} / {unit.name}"
            )

    def refuse(self, entry: _Entry, reason: str) -> None:
        self.unjoined.append(
            UnjoinedRow(entry.line, entry.county, entry.precinct, reason, unit="entry")
        )

    def _satellite_site(self, county: str, entry: _Entry) -> tuple[Precinct | None, str | None]:
        """A satellite site: by name (ignoring case and spaces), site name, then short code."""
        unit = self.index.by_name(county, entry.precinct)
        if unit is not None:
            return unit, None if unit.name == entry.precinct else "name ignoring case and spaces"
        found = self.sites.get((county, " ".join(entry.precinct.casefold().split())), [])
        if len(found) == 1:
            return found[0], None
        return self.index.by_code(county, entry.precinct), "short code"

    def _precinct(self, county: str, entry: _Entry) -> tuple[Precinct | None, str | None]:
        """A precinct: by the feed's short code, then by name."""
        unit = self.index.by_code(county, entry.precinct)
        if unit is not None:
            return unit, None
        return self.index.by_name(county, entry.precinct), "name"

    def add(self, entry: _Entry) -> None:
        """Join one entry, or say why not (a satellite no name finds waits for similarity)."""
        county = self.index.county(entry.county)
        if county is None:
            self.refuse(entry, f"unknown county {entry.county!r}")
            return
        if not entry.precinct:
            self.refuse(entry, "blank precinct")
            return
        satellite = self.election.county_by_name[county].satellite
        find = self._satellite_site if satellite else self._precinct
        unit, how = find(county, entry)
        if unit is None and satellite:
            self.pending.append((entry, county))
        elif unit is None:
            self.refuse(
                entry,
                f"no reporting unit with short code or name {entry.precinct!r} in {county} "
                f"in {self.election.id}",
            )
        elif unit.key in self.claimed:
            self.refuse(entry, f"duplicate of entry {self.claimed[unit.key]}")
        else:
            if how is None and county != entry.county:
                how = "county name"
            self.claim(entry, unit, how)

    def finish(self) -> None:
        """The similarity passes for the satellites left; what is still left is unjoined."""
        join_by_similarity(self.election, self.pending, self.claimed, self.claim)
        for entry, county in self.pending:
            if entry.line not in self.joined:
                self.refuse(
                    entry,
                    f"no satellite site named {entry.precinct!r} in {county} in {self.election.id}",
                )


def read_nyt_results(
    path: str | Path,
    election: Election,
    candidate_ids: Mapping[str, str] | None = None,
) -> IdpImport:
    """Read the NYT precinct feed and join each entry to a reporting unit of ``election``.

    Returns an :class:`IdpImport` with ``layout="nyt-feed"``: one :class:`PrecinctReport` per
    joined entry (attendees unknown, first/final head counts, exact ``published_sde``), named
    as in the election; entries that cannot be joined in ``unjoined`` (1-based entry numbers);
    joins that were not exact in ``notes``. ``candidate_ids`` maps NYT ids the automatic match
    does not know (id -> candidate name).
    """
    path = Path(path)
    data = load_feed(path)
    raw_entries: list[Any] = data["precincts"]
    ids = candidate_map(raw_entries, election, str(path), candidate_ids)
    join = _Join(election)
    for n, raw in enumerate(raw_entries, start=1):
        entry, bad = _read_entry(n, raw, ids)
        if entry is None:
            assert bad is not None
            join.unjoined.append(bad)
        else:
            join.add(entry)
    join.finish()
    reports = [
        PrecinctReport(
            county=unit.county,
            precinct=unit.name,
            attendees=None,
            first=entry.first,
            final=entry.final,
            published_sde=entry.sde,
            source_line=entry.line,
        )
        for entry, unit in (join.joined[k] for k in sorted(join.joined))
    ]
    join.unjoined.sort(key=lambda u: u.line)
    return IdpImport(
        path=path,
        layout="nyt-feed",
        reports=reports,
        unjoined=join.unjoined,
        county_totals={},
        notes=join.notes,
    )
