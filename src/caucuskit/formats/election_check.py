"""Checking an election definition: from parsed JSON to an :class:`Election`, every problem named.

Rule: rules.md §2 (the apportionment is given), §7.1 (S_c per county), §7.2 (display precision),
§7.3 (satellite pools), §8.1 (national delegates). The file format is docs/election-format.md.

Inputs: the parsed JSON of a definition (``caucuskit-election/1``). Outputs: an
:class:`~caucuskit.core.election.Election`, or a :class:`DefinitionError` listing every problem
found, shape and consistency alike, in one pass (names, not indexes, once an entry has a name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from caucuskit.core.election import Candidate, County, Election, NationalDelegates, Precinct
from caucuskit.core.errors import DefinitionError
from caucuskit.core.rules import RULESETS, RuleSet
from caucuskit.formats.exact import parse_fraction

T = TypeVar("T")

#: The value of the ``format`` key of a definition.
FORMAT = "caucuskit-election/1"

_TOP_KEYS = {
    "format": True,
    "id": True,
    "title": True,
    "ruleset": True,
    "display": False,
    "candidates": True,
    "national": True,
    "counties": True,
    "precincts": True,
    "notes": False,
}
_CANDIDATE_KEYS = {"name": True, "withdrawn": False}
_COUNTY_KEYS = {"name": True, "district": True, "state_delegates": True, "satellite": False}
_PRECINCT_KEYS = {
    "county": True,
    "name": True,
    "code": False,
    "delegates": True,
    "satellite": False,
}
_NATIONAL_KEYS = {"district": True, "at_large": True, "pleo": True}
_DISPLAY_KEYS = {"sde_places_precinct": False, "sde_places_total": False}


def _check_keys(
    obj: object, allowed: Mapping[str, bool], where: str, problems: list[str]
) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        problems.append(f"{where}: expected an object, got {type(obj).__name__}")
        return None
    for key in obj:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r}")
    for key, required in allowed.items():
        if required and key not in obj:
            problems.append(f"{where}: missing key {key!r}")
    return obj


def _text(obj: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        if key in obj:
            problems.append(f"{where}.{key}: expected a non-empty text, got {value!r}")
        return ""
    if value != value.strip():
        problems.append(f"{where}.{key}: leading or trailing spaces in {value!r}")
    return value


def _whole(
    obj: Mapping[str, Any],
    key: str,
    where: str,
    problems: list[str],
    *,
    optional: bool = False,
    negative_ok: bool = False,
) -> int | None:
    """A whole number; ``negative_ok`` leaves negatives to :meth:`Election.check`."""
    value = obj.get(key)
    if value is None and (optional or key not in obj):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}.{key}: expected a whole number, got {value!r}")
        return None
    if value < 0 and not negative_ok:
        problems.append(f"{where}.{key}: must not be negative, got {value}")
    return value


def _flag(obj: Mapping[str, Any], key: str, where: str, problems: list[str]) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        problems.append(f"{where}.{key}: expected true or false, got {value!r}")
        return False
    return value


def _list(data: Mapping[str, Any], key: str, problems: list[str]) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.append(f"{key}: expected a list, got {type(value).__name__}")
        return []
    return value


def _display(
    top: Mapping[str, Any], rules: RuleSet | None, problems: list[str]
) -> tuple[int, int]:
    """The SDE display places (§7.2): the file's, else the ruleset's, else 4 and 3."""
    places_precinct = rules.sde_places_precinct if rules else 4
    places_total = rules.sde_places_total if rules else 3
    if "display" in top:
        display = _check_keys(top["display"], _DISPLAY_KEYS, "display", problems)
        if display is not None:
            p = _whole(display, "sde_places_precinct", "display", problems)
            t = _whole(display, "sde_places_total", "display", problems)
            places_precinct = places_precinct if p is None else p
            places_total = places_total if t is None else t
    return places_precinct, places_total


def _candidate(obj: Mapping[str, Any], i: int, problems: list[str]) -> Candidate | None:
    name = _text(obj, "name", f"candidates[{i}]", problems)
    return Candidate(name, _flag(obj, "withdrawn", f"candidates[{i}]", problems)) if name else None


def _entries(
    top: Mapping[str, Any],
    key: str,
    allowed: Mapping[str, bool],
    build: Callable[[Mapping[str, Any], int, list[str]], T | None],
    problems: list[str],
) -> list[T]:
    """The entries of the list ``key``, each checked for its keys and then built."""
    out: list[T] = []
    for i, raw in enumerate(_list(top, key, problems)):
        obj = _check_keys(raw, allowed, f"{key}[{i}]", problems)
        item = None if obj is None else build(obj, i, problems)
        if item is not None:
            out.append(item)
    if key in top and not out and key != "precincts":
        problems.append(f"{key}: the list is empty")
    return out


def _national(top: Mapping[str, Any], problems: list[str]) -> NationalDelegates:
    """National delegates per district, at large and PLEO (§8.1)."""
    nat = _check_keys(top.get("national", {}), _NATIONAL_KEYS, "national", problems)
    if nat is None or "national" not in top:
        return NationalDelegates(district={}, at_large=0, pleo=0)
    districts: dict[int, int] = {}
    raw_districts = nat.get("district", {})
    if not isinstance(raw_districts, dict):
        problems.append('national.district: expected an object {"1": 7, ...}')
        raw_districts = {}
    for key in raw_districts:
        if not str(key).isdigit():
            problems.append(f"national.district: district {key!r} is not a number")
            continue
        count = _whole(raw_districts, key, "national.district", problems)
        if count is not None:
            districts[int(key)] = count
    return NationalDelegates(
        district=districts,
        at_large=_whole(nat, "at_large", "national", problems) or 0,
        pleo=_whole(nat, "pleo", "national", problems) or 0,
    )


def _county(obj: Mapping[str, Any], i: int, problems: list[str]) -> County | None:
    name = _text(obj, "name", f"counties[{i}]", problems)
    where = f"counties.{name}" if name else f"counties[{i}]"
    district = obj.get("district")
    if district is not None and (isinstance(district, bool) or not isinstance(district, int)):
        problems.append(f"{where}.district: expected a district number or null, got {district!r}")
        district = None
    raw_s = obj.get("state_delegates")
    s_c = None if raw_s is None else parse_fraction(raw_s, f"{where}.state_delegates", problems)
    satellite = _flag(obj, "satellite", where, problems)
    return County(name, district, s_c, satellite) if name else None


def _precinct(obj: Mapping[str, Any], i: int, problems: list[str]) -> Precinct | None:
    county = _text(obj, "county", f"precincts[{i}]", problems)
    name = _text(obj, "name", f"precincts[{i}]", problems)
    where = f"precincts.{county}/{name}" if county and name else f"precincts[{i}]"
    code = obj.get("code", "")
    if not isinstance(code, str):
        problems.append(f"{where}.code: expected a text, got {code!r}")
        code = ""
    delegates = _whole(obj, "delegates", where, problems, optional=True, negative_ok=True)
    satellite = _flag(obj, "satellite", where, problems)
    return Precinct(county, name, code, delegates, satellite) if county and name else None


def _notes(top: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    notes = _list(top, "notes", problems)
    for i, note in enumerate(notes):
        if not isinstance(note, str):
            problems.append(f"notes[{i}]: expected a text, got {note!r}")
    return tuple(n for n in notes if isinstance(n, str))


def _ruleset(top: Mapping[str, Any], problems: list[str]) -> RuleSet | None:
    name = top.get("ruleset")
    rules = RULESETS.get(name) if isinstance(name, str) else None
    if rules is None and "ruleset" in top:
        known = ", ".join(sorted(RULESETS))
        problems.append(f"ruleset: unknown ruleset {name!r}; known: {known}")
    return rules


def election_from_dict(data: object) -> Election:
    """Build an :class:`Election` from parsed JSON, naming every problem (rules.md §2, §7, §8.1)."""
    problems: list[str] = []
    top = _check_keys(data, _TOP_KEYS, "definition", problems)
    if top is None:
        raise DefinitionError(problems)
    if "format" in top and top["format"] != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, got {top['format']!r}")
    election_id = _text(top, "id", "definition", problems)
    title = _text(top, "title", "definition", problems)
    rules = _ruleset(top, problems)
    places_precinct, places_total = _display(top, rules, problems)
    election = Election(
        id=election_id,
        title=title,
        rules=rules or RULESETS["ia-2020"],  # a stand-in so the other checks still run
        candidates=tuple(_entries(top, "candidates", _CANDIDATE_KEYS, _candidate, problems)),
        counties=tuple(_entries(top, "counties", _COUNTY_KEYS, _county, problems)),
        precincts=tuple(_entries(top, "precincts", _PRECINCT_KEYS, _precinct, problems)),
        national=_national(top, problems),
        sde_places_precinct=places_precinct,
        sde_places_total=places_total,
        notes=_notes(top, problems),
    )
    problems.extend(_consistency(election))
    try:
        election.check()
    except DefinitionError as exc:
        problems.extend(exc.problems)
    if problems:
        raise DefinitionError(problems)
    return election


def _consistency(election: Election) -> list[str]:
    """Checks the core's :meth:`Election.check` leaves to the file format."""
    problems: list[str] = []
    if not election.national.district:
        problems.append("national.district: no district has delegates")
    used = {c.district for c in election.counties if c.district is not None}
    for district in sorted(set(election.national.district) - used):
        problems.append(f"national.district: district {district} has no county")
    with_precincts = {p.county for p in election.precincts}
    for c in election.counties:
        if c.name not in with_precincts:
            problems.append(f"counties.{c.name}: no precinct")
        if c.satellite and c.state_delegates is None:
            problems.append(f"counties.{c.name}: a satellite pseudo-county needs its pool")
    known_s = [c for c in election.counties if not c.satellite and c.state_delegates is not None]
    if known_s and len(known_s) != sum(1 for c in election.counties if not c.satellite):
        missing = [
            c.name for c in election.counties if not c.satellite and c.state_delegates is None
        ]
        problems.append(
            "counties: state_delegates given for some counties but missing for "
            + ", ".join(missing)
        )
    if election.sde_places_precinct > 12 or election.sde_places_total > 12:
        problems.append("display: more than 12 decimal places")
    return problems

