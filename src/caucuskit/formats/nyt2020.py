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
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from caucuskit.core.election import Election, Precinct
from caucuskit.core.errors import CaucusError, Problem, ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.election_file import fraction_to_text
from caucuskit.formats.idp2020 import IdpImport, IdpRow, UnitIndex, UnjoinedRow, unescape

#: The feed's count objects and the report field each fills.
MEASURES: dict[str, str] = {
    "results_align1": "first",
    "results_alignfinal": "final",
    "results": "sde",
}
REQUIRED_KEYS = ("locality_name", "precinct", *MEASURES)
#: Words too common in site names to say two names are the same place.
_COMMON_WORDS = frozenset({"the", "of", "and", "at", "a", "in", "for", "on", "ia", "room", "rm"})
_WORD = re.compile(r"[a-z0-9]+")


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
    first_seen: dict[str, str] = {}
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            continue
        for measure in MEASURES:
            counts = entry.get(measure)
            if isinstance(counts, Mapping):
                for cid in counts:
                    first_seen.setdefault(str(cid), f"{label} entry {n}, {measure}.{cid}")
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


def _site(name: str) -> str:
    """The site part of a satellite name (``Cedar Rapids, IA - RWDSU Local 110`` -> the rest)."""
    return name.split(" - ", 1)[1] if " - " in name else name


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold())) - _COMMON_WORDS


def _similarity(a: str, b: str) -> Fraction:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return Fraction(0)
    return Fraction(len(wa & wb), len(wa | wb))


def _best(score: dict[Any, Fraction]) -> Any | None:
    """The key with the highest positive score, if no other key ties it."""
    ranked = sorted(score.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] == 0:
        return None
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


# --------------------------------------------------------------------------- reading


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
    index = UnitIndex(election)
    unjoined: list[UnjoinedRow] = []
    notes: list[str] = []
    joined: dict[int, tuple[_Entry, Precinct]] = {}
    claimed: dict[tuple[str, str], int] = {}
    pending: list[tuple[_Entry, str]] = []  # satellites left for the similarity passes

    def claim(entry: _Entry, unit: Precinct, how: str | None) -> None:
        claimed[unit.key] = entry.line
        joined[entry.line] = (entry, unit)
        if how is not None:
            notes.append(
                f"entry {entry.line}: {entry.county} / {entry.precinct} joined by {how} "
                f"to {unit.county} / {unit.name}"
            )

    sites: dict[tuple[str, str], list[Precinct]] = {}
    for p in election.precincts:
        if p.satellite:
            sites.setdefault((p.county, " ".join(_site(p.name).casefold().split())), []).append(p)

    for n, raw in enumerate(raw_entries, start=1):
        entry, bad = _read_entry(n, raw, ids)
        if entry is None:
            assert bad is not None
            unjoined.append(bad)
            continue
        county = index.county(entry.county)
        if county is None:
            unjoined.append(
                UnjoinedRow(
                    n,
                    entry.county,
                    entry.precinct,
                    f"unknown county {entry.county!r}",
                    unit="entry",
                )
            )
            continue
        if not entry.precinct:
            unjoined.append(
                UnjoinedRow(n, entry.county, entry.precinct, "blank precinct", unit="entry")
            )
            continue
        satellite = election.county_by_name[county].satellite
        how: str | None = None
        if satellite:
            unit = index.by_name(county, entry.precinct)
            if unit is not None and unit.name != entry.precinct:
                how = "name ignoring case and spaces"
            if unit is None:
                found = sites.get((county, " ".join(entry.precinct.casefold().split())), [])
                unit = found[0] if len(found) == 1 else None
            if unit is None:
                unit, how = index.by_code(county, entry.precinct), "short code"
        else:
            unit = index.by_code(county, entry.precinct)
            if unit is None:
                unit, how = index.by_name(county, entry.precinct), "name"
        if unit is None:
            if satellite:
                pending.append((entry, county))
                continue
            unjoined.append(
                UnjoinedRow(
                    n,
                    entry.county,
                    entry.precinct,
                    f"no reporting unit with short code or name {entry.precinct!r} in {county} "
                    f"in {election.id}",
                    unit="entry",
                )
            )
            continue
        if unit.key in claimed:
            unjoined.append(
                UnjoinedRow(
                    n,
                    entry.county,
                    entry.precinct,
                    f"duplicate of entry {claimed[unit.key]}",
                    unit="entry",
                )
            )
            continue
        if how is None and county != entry.county:
            how = "county name"
        claim(entry, unit, how)

    _join_by_similarity(election, pending, claimed, claim)
    for entry, county in pending:
        if entry.line not in joined:
            unjoined.append(
                UnjoinedRow(
                    entry.line,
                    entry.county,
                    entry.precinct,
                    f"no satellite site named {entry.precinct!r} in {county} in {election.id}",
                    unit="entry",
                )
            )
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
        for entry, unit in (joined[k] for k in sorted(joined))
    ]
    unjoined.sort(key=lambda u: u.line)
    return IdpImport(
        path=path,
        layout="nyt-feed",
        reports=reports,
        unjoined=unjoined,
        county_totals={},
        notes=notes,
    )


def _join_by_similarity(
    election: Election,
    pending: list[tuple[_Entry, str]],
    claimed: dict[tuple[str, str], int],
    claim: Callable[[_Entry, Precinct, str | None], None],
) -> None:
    """Join the satellites no name matched: most similar site name, then elimination.

    A pair is joined by similarity only when each is the other's unique best (shared words
    over all words, common words ignored). Then, in a county with exactly one entry and one
    unit left, the two are joined by elimination. Both kinds are noted by ``claim``.
    """
    counties = dict.fromkeys(county for _, county in pending)
    for county in counties:
        entries = [e for e, c in pending if c == county]
        progress = True
        while progress:
            progress = False
            free = [p for p in election.precincts if p.county == county and p.key not in claimed]
            left = [e for e in entries if e.line not in claimed.values()]
            for entry in left:
                best = _best({p: _similarity(entry.precinct, _site(p.name)) for p in free})
                if best is None:
                    continue
                back = _best({e.line: _similarity(e.precinct, _site(best.name)) for e in left})
                if back == entry.line:
                    claim(entry, best, "similar site name")
                    progress = True
                    break
        free = [p for p in election.precincts if p.county == county and p.key not in claimed]
        left = [e for e in entries if e.line not in claimed.values()]
        if len(free) == 1 and len(left) == 1:
            claim(left[0], free[0], "elimination (the only entry and unit left in the county)")
