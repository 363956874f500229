"""The headline unit in the public documents: SDE keys for Iowa, CCD keys for Nevada.

The documents were first written for Iowa, whose headline unit is the state delegate
equivalent, so their value keys are named for it (``sde``, ``sde_display``, ...). A Nevada
document counts county convention delegates instead (rules.md §7, docs/adr/0011), and a key
named ``sde`` there would mislabel every number. The design (recorded in the ADR):

* every scope, precinct and change-log document, and ``election.json``, carries ``unit``:
  ``{"code": "sde" | "ccd", "short": "SDE" | "CCD", "long": "..."}``;
* the value keys are named for the unit: ``{code}``, ``{code}_display``,
  ``{code}_percent_display``, ``{code}_value``, ``{code}_value_display``,
  ``{code}_delta_display``. An Iowa document is therefore unchanged apart from ``unit``
  (existing consumers keep working), and a Nevada document has ``ccd`` keys and no ``sde``;
* a generic consumer reads ``doc[doc["unit"]["code"] + "_display"]``.

The renderer builds every document with the SDE names and :func:`unit_keys` renames them once
for a CCD election. The worksheet (the core's own record) and the race panel (its own keys,
docs/api.md) are left as they are.
"""

from __future__ import annotations

from typing import Any

from caucuskit.core.election import Election

#: The value keys named for the unit, by their suffix after the unit code.
SUFFIXES = ("", "_display", "_percent_display", "_value", "_value_display", "_delta_display")
#: Subtrees whose keys are not the documents' own (left unrenamed).
KEEP = frozenset({"worksheet", "race"})


def unit_descriptor(election: Election) -> dict[str, str]:
    """``{"code", "short", "long"}`` of the election's headline unit."""
    return {"code": election.unit, "short": election.unit_short, "long": election.unit_long}


def unit_keys(doc: Any, code: str, source: str = "sde") -> Any:
    """``doc`` with the value keys named for ``source`` renamed for ``code`` (a new object;
    ``doc`` itself is not changed). Same object back when the codes are equal."""
    if code == source:
        return doc
    names = {source + s: code + s for s in SUFFIXES}
    return _rename(doc, names)


def _rename(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): (v if k in KEEP else _rename(v, names)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    return value
