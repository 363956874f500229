"""Checking an election definition: from parsed JSON to an :class:`Election`, every problem named.

Rule: rules.md §2 (the apportionment is given), §7.1 (S_c per county), §7.2 (display precision),
§7.3 (satellite pools), §8.1 (national delegates). The file format is docs/election-format.md.

Inputs: the parsed JSON of a definition (``caucuskit-election/1``). Outputs: an
:class:`~caucuskit.core.election.Election`, or a :class:`DefinitionError` listing every problem
found, shape and consistency alike, in one pass (names, not indexes, once an entry has a name).
The shapes are the pydantic models of :mod:`caucuskit.formats.inputs`, with the same words as
every other input of caucuskit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar, get_args

import pydantic
from pydantic import BaseModel

from caucuskit.core.election import (
    UNIT_LABELS,
    Candidate,
    County,
    Election,
    NationalDelegates,
    Precinct,
)
from caucuskit.core.errors import DefinitionError
from caucuskit.core.rules import RULESETS, RuleSet
from caucuskit.formats.inputs import (
    CandidateEntry,
    CountyEntry,
    DefinitionFile,
    DisplayEntry,
    NationalEntry,
    PrecinctEntry,
    problems_from,
)

#: The value of the ``format`` key of a definition.
FORMAT = "caucuskit-election/1"

M = TypeVar("M", bound=BaseModel)


def _salvage(model: type[M], raw: dict[str, Any], locs: list[tuple[int | str, ...]]) -> M | None:
    """The entry without its bad parts, so that one bad value does not also raise follow-on
    problems (a county with a bad district is still a county): a bad item of a mapping is
    left out, a bad optional key takes its default, a bad required one None or 0."""
    fixed = copy.deepcopy(raw)
    for loc in locs:
        if not loc:
            return None
        holder: Any = fixed
        for part in loc[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if len(loc) > 1 and isinstance(holder, dict):
            holder.pop(loc[-1], None)
            continue
        name = str(loc[0])
        field = model.model_fields.get(name)
        if field is None or not field.is_required():
            fixed.pop(name, None)
        else:
            fixed[name] = None if type(None) in get_args(field.annotation) else 0
    try:
        return model.model_validate(fixed)
    except pydantic.ValidationError:
        return None


def _shape(model: type[M], obj: object, where: str, problems: list[str]) -> M | None:
    """``obj`` read as ``model`` (formats/inputs.py); its problems named, what is good kept."""
    try:
        return model.model_validate(obj)
    except pydantic.ValidationError as exc:
        for p in problems_from(exc, model=model):
            field = ".".join(x for x in (where, p.field if p.field != "input" else "") if x)
            problems.append(f"{field or 'definition'}: {p.message}")
        if not isinstance(obj, dict):
            return None
        return _salvage(model, obj, [tuple(e["loc"]) for e in exc.errors()])


def _list(top: Mapping[str, Any], key: str) -> list[Any]:
    value = top.get(key)
    return value if isinstance(value, list) else []


def _named(raw: object, *keys: str) -> str | None:
    """``county/name`` of an entry whose naming keys are good texts (for messages), or None."""
    if not isinstance(raw, dict):
        return None
    parts = [raw.get(k) for k in keys]
    if all(isinstance(x, str) and x.strip() and x == x.strip() for x in parts):
        return "/".join(str(x) for x in parts)
    return None


def _entries(
    top: Mapping[str, Any],
    key: str,
    model: type[M],
    naming: tuple[str, ...],
    problems: list[str],
) -> list[M]:
    """The entries of the list ``key``, each read on its own and named by name once it has one
    (``counties.Polk.district``), by position before (``counties[3].name``)."""
    out: list[M] = []
    for i, raw in enumerate(_list(top, key)):
        name = _named(raw, *naming)
        entry_problems: list[str] = []
        entry = _shape(model, raw, f"{key}[{i}]", entry_problems)
        for text in entry_problems:
            field = text.split(":", 1)[0].removeprefix(f"{key}[{i}]").lstrip(".")
            if name is not None and field not in naming:
                text = f"{key}.{name}" + text.removeprefix(f"{key}[{i}]")
            problems.append(text)
        if entry is not None:
            out.append(entry)
    if key in top and isinstance(top[key], list) and not out and key != "precincts":
        problems.append(f"{key}: the list is empty")
    return out


def _display(top: Mapping[str, Any], rules: RuleSet | None, problems: list[str]) -> tuple[int, int]:
    """The SDE display places (§7.2): the file's, else the ruleset's, else 4 and 3."""
    places_precinct = rules.sde_places_precinct if rules else 4
    places_total = rules.sde_places_total if rules else 3
    display = (
        _shape(DisplayEntry, top["display"], "display", problems)
        if top.get("display") is not None
        else None
    )
    if display is not None:
        if display.sde_places_precinct is not None:
            places_precinct = display.sde_places_precinct
        if display.sde_places_total is not None:
            places_total = display.sde_places_total
    return places_precinct, places_total


def _national(top: Mapping[str, Any], problems: list[str]) -> NationalDelegates:
    """National delegates per district, at large and PLEO (§8.1)."""
    if not isinstance(top.get("national"), dict):
        return NationalDelegates(district={}, at_large=0, pleo=0)
    nat = _shape(NationalEntry, top["national"], "national", problems)
    if nat is None:
        return NationalDelegates(district={}, at_large=0, pleo=0)
    districts: dict[int, int] = {}
    for key, count in nat.district.items():
        if key.isdigit():
            districts[int(key)] = count
        else:
            problems.append(f"national.district: district {key!r} is not a number")
    return NationalDelegates(district=districts, at_large=nat.at_large, pleo=nat.pleo)


def _unit(top: Mapping[str, Any]) -> str:
    """What D elects: SDEs (Iowa, the default) or county convention delegates (Nevada); a bad
    value is named by the envelope's shape (:class:`DefinitionFile`)."""
    unit = top.get("unit", "sde")
    return unit if isinstance(unit, str) and unit in UNIT_LABELS else "sde"


def _ruleset(top: Mapping[str, Any], problems: list[str]) -> RuleSet | None:
    name = top.get("ruleset")
    rules = RULESETS.get(name) if isinstance(name, str) else None
    if rules is None and isinstance(name, str):
        known = ", ".join(sorted(RULESETS))
        problems.append(f"ruleset: unknown ruleset {name!r}; known: {known}")
    return rules


def _text(top: Mapping[str, Any], key: str) -> str:
    value = top.get(key)
    return value if isinstance(value, str) else ""


def election_from_dict(data: object) -> Election:
    """Build an :class:`Election` from parsed JSON, naming every problem (rules.md §2, §7, §8.1).

    The envelope, each entry and then the election as a whole are checked in one pass, so the
    error lists everything that is wrong, not just the first thing.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DefinitionError([f"definition: must be an object, got {type(data).__name__}"])
    _shape(DefinitionFile, data, "", problems)
    if "format" in data and data["format"] != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, got {data['format']!r}")
    rules = _ruleset(data, problems)
    places_precinct, places_total = _display(data, rules, problems)
    candidates = _entries(data, "candidates", CandidateEntry, ("name",), problems)
    counties = _entries(data, "counties", CountyEntry, ("name",), problems)
    precincts = _entries(data, "precincts", PrecinctEntry, ("county", "name"), problems)
    election = Election(
        id=_text(data, "id"),
        title=_text(data, "title"),
        rules=rules or RULESETS["ia-2020"],  # a stand-in so the other checks still run
        candidates=tuple(Candidate(c.name, c.withdrawn) for c in candidates),
        counties=tuple(
            County(c.name, c.district, c.state_delegates, c.satellite, c.part_of) for c in counties
        ),
        precincts=tuple(
            Precinct(p.county, p.name, p.code, p.delegates, p.satellite, p.at_large)
            for p in precincts
        ),
        national=_national(data, problems),
        sde_places_precinct=places_precinct,
        sde_places_total=places_total,
        notes=tuple(n for n in _list(data, "notes") if isinstance(n, str)),
        unit=_unit(data),
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
