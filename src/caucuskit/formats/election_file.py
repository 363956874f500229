"""Election definition files (JSON): read, check, write.

An election definition is input data (rules.md §2: the apportionment is given, not computed). It
names the candidates, the counties with their congressional district and state delegates S_c
(§7.1), the satellite pools (§7.3), every reporting unit with its county delegates D, the national
delegate counts (§8.1) and the display precision (§7.2). The format is described key by key in
docs/election-format.md.

``load_election("iowa-2020")`` reads the definition shipped inside the package
(``caucuskit/data/elections/iowa-2020.json``); any other argument is a file path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from caucuskit.core.election import Candidate, County, Election, NationalDelegates, Precinct
from caucuskit.core.errors import CaucusError, DefinitionError
from caucuskit.core.rules import RULESETS
from caucuskit.formats.exact import fraction_to_text, parse_fraction

__all__ = [
    "FORMAT",
    "dumps_election",
    "election_from_dict",
    "election_to_dict",
    "fraction_to_text",
    "list_elections",
    "load_election",
    "parse_fraction",
    "write_election",
]

#: The value of the ``format`` key this module reads and writes.
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


# --------------------------------------------------------------------------- reading


def _shipped_folder() -> Traversable:
    """caucuskit/data/elections inside the installed package."""
    return resources.files("caucuskit").joinpath("data", "elections")


def list_elections() -> list[str]:
    """Ids of the election definitions shipped with caucuskit (``iowa-2016``, ``iowa-2020``)."""
    folder = _shipped_folder()
    return sorted(
        entry.name[: -len(".json")]
        for entry in (folder.iterdir() if folder.is_dir() else ())
        if entry.name.endswith(".json")
    )


def _read_text(name_or_path: str | Path) -> tuple[str, str]:
    """The definition's text and a label for messages."""
    if isinstance(name_or_path, str) and name_or_path in list_elections():
        entry = _shipped_folder().joinpath(f"{name_or_path}.json")
        return entry.read_text(encoding="utf-8"), f"{name_or_path} (shipped)"
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(list_elections())
        raise CaucusError(
            f"election {str(name_or_path)!r}: no such file and not a shipped election ({known})"
        )
    return path.read_text(encoding="utf-8"), str(path)


def load_election(name_or_path: str | Path) -> Election:
    """Load and check an election definition (a shipped id or a JSON file path).

    Raises :class:`DefinitionError` naming every inconsistency found.
    """
    text, label = _read_text(name_or_path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError([f"{label}: not valid JSON (line {exc.lineno}: {exc.msg})"]) from None
    return election_from_dict(data)


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
    ruleset_name = top.get("ruleset")
    rules = RULESETS.get(ruleset_name) if isinstance(ruleset_name, str) else None
    if rules is None and "ruleset" in top:
        known = ", ".join(sorted(RULESETS))
        problems.append(f"ruleset: unknown ruleset {ruleset_name!r}; known: {known}")

    places_precinct = rules.sde_places_precinct if rules else 4
    places_total = rules.sde_places_total if rules else 3
    if "display" in top:
        display = _check_keys(top["display"], _DISPLAY_KEYS, "display", problems)
        if display is not None:
            p = _whole(display, "sde_places_precinct", "display", problems)
            t = _whole(display, "sde_places_total", "display", problems)
            places_precinct = places_precinct if p is None else p
            places_total = places_total if t is None else t

    candidates: list[Candidate] = []
    for i, raw in enumerate(_list(top, "candidates", problems)):
        where = f"candidates[{i}]"
        obj = _check_keys(raw, _CANDIDATE_KEYS, where, problems)
        if obj is None:
            continue
        name = _text(obj, "name", where, problems)
        if name:
            candidates.append(Candidate(name, _flag(obj, "withdrawn", where, problems)))
    if "candidates" in top and not candidates:
        problems.append("candidates: the list is empty")

    national = NationalDelegates(district={}, at_large=0, pleo=0)
    nat = _check_keys(top.get("national", {}), _NATIONAL_KEYS, "national", problems)
    if nat is not None and "national" in top:
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
        national = NationalDelegates(
            district=districts,
            at_large=_whole(nat, "at_large", "national", problems) or 0,
            pleo=_whole(nat, "pleo", "national", problems) or 0,
        )

    counties: list[County] = []
    for i, raw in enumerate(_list(top, "counties", problems)):
        obj = _check_keys(raw, _COUNTY_KEYS, f"counties[{i}]", problems)
        if obj is None:
            continue
        name = _text(obj, "name", f"counties[{i}]", problems)
        where = f"counties.{name}" if name else f"counties[{i}]"
        district = obj.get("district")
        if district is not None and (isinstance(district, bool) or not isinstance(district, int)):
            problems.append(
                f"{where}.district: expected a district number or null, got {district!r}"
            )
            district = None
        raw_s = obj.get("state_delegates")
        s_c = None if raw_s is None else parse_fraction(raw_s, f"{where}.state_delegates", problems)
        satellite = _flag(obj, "satellite", where, problems)
        if name:
            counties.append(County(name, district, s_c, satellite))
    if "counties" in top and not counties:
        problems.append("counties: the list is empty")

    precincts: list[Precinct] = []
    for i, raw in enumerate(_list(top, "precincts", problems)):
        obj = _check_keys(raw, _PRECINCT_KEYS, f"precincts[{i}]", problems)
        if obj is None:
            continue
        county = _text(obj, "county", f"precincts[{i}]", problems)
        name = _text(obj, "name", f"precincts[{i}]", problems)
        where = f"precincts.{county}/{name}" if county and name else f"precincts[{i}]"
        code = obj.get("code", "")
        if not isinstance(code, str):
            problems.append(f"{where}.code: expected a text, got {code!r}")
            code = ""
        delegates = _whole(obj, "delegates", where, problems, optional=True, negative_ok=True)
        satellite = _flag(obj, "satellite", where, problems)
        if county and name:
            precincts.append(Precinct(county, name, code, delegates, satellite))

    notes = _list(top, "notes", problems)
    for i, note in enumerate(notes):
        if not isinstance(note, str):
            problems.append(f"notes[{i}]: expected a text, got {note!r}")

    election = Election(
        id=election_id,
        title=title,
        rules=rules or RULESETS["ia-2020"],  # a stand-in so the other checks still run
        candidates=tuple(candidates),
        counties=tuple(counties),
        precincts=tuple(precincts),
        national=national,
        sde_places_precinct=places_precinct,
        sde_places_total=places_total,
        notes=tuple(n for n in notes if isinstance(n, str)),
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


# --------------------------------------------------------------------------- writing


def election_to_dict(e: Election) -> dict[str, Any]:
    """The JSON-ready definition of ``e`` (the inverse of :func:`load_election`)."""

    def county(c: County) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": c.name,
            "district": c.district,
            "state_delegates": None
            if c.state_delegates is None
            else fraction_to_text(c.state_delegates),
        }
        if c.satellite:
            out["satellite"] = True
        return out

    def precinct(p: Precinct) -> dict[str, Any]:
        out: dict[str, Any] = {"county": p.county, "name": p.name, "code": p.code}
        out["delegates"] = p.delegates
        if p.satellite:
            out["satellite"] = True
        return out

    return {
        "format": FORMAT,
        "id": e.id,
        "title": e.title,
        "ruleset": e.rules.name,
        "display": {
            "sde_places_precinct": e.sde_places_precinct,
            "sde_places_total": e.sde_places_total,
        },
        "candidates": [{"name": c.name, "withdrawn": c.withdrawn} for c in e.candidates],
        "national": {
            "district": {str(k): v for k, v in sorted(e.national.district.items())},
            "at_large": e.national.at_large,
            "pleo": e.national.pleo,
        },
        "counties": [county(c) for c in e.counties],
        "precincts": [precinct(p) for p in e.precincts],
        "notes": list(e.notes),
    }


def dumps_election(e: Election | Mapping[str, Any]) -> str:
    """Deterministic JSON: one line per candidate, county and precinct; UTF-8, final newline."""
    data = election_to_dict(e) if isinstance(e, Election) else dict(e)
    lines = ["{"]
    keys = list(data)
    for n, key in enumerate(keys):
        value = data[key]
        comma = "," if n < len(keys) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {json.dumps(key)}: [")
            for i, item in enumerate(value):
                tail = "," if i < len(value) - 1 else ""
                lines.append(f"    {json.dumps(item, ensure_ascii=False)}{tail}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_election(e: Election, path: str | Path) -> None:
    """Write ``e`` as a definition file (see :func:`dumps_election`)."""
    Path(path).write_text(dumps_election(e), encoding="utf-8")
