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
for a CCD election. The worksheet (the core's own record) is left as it is.

The race panel (``state.json``'s ``race``) and the JSON of ``caucus tabulate|audit|call`` have
their own key vocabularies (``open_sde_display``, ``pending_sde``, ``published_sde``, ...).
They follow the same rule by word: :func:`unit_words` renames every key that has ``sde`` as one
of its underscore-separated words (``open_sde_display`` -> ``open_ccd_display``, ``sde`` ->
``ccd``) and says the unit's abbreviation in their sentences ("SDE" -> "CCD"); an Iowa
document is returned unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from caucuskit.core.election import UNIT_LABELS, Election

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


def unit_words(doc: Any, code: str, source: str = "sde", *, text: bool = True) -> Any:
    """``doc`` with every key that has ``source`` as an underscore-separated word named for
    ``code`` instead (``pending_sde`` -> ``pending_ccd``), and, with ``text``, the unit's
    abbreviation in string values too ("8 SDE wait" -> "8 CCD wait"); a new object (``doc``
    is not changed), or ``doc`` itself when the codes are equal. For the race panel and the
    CLI's JSON (rules.md §7, §8.1; docs/adr/0011)."""
    if code == source:
        return doc
    word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(source)}(?![A-Za-z0-9])")
    short = re.compile(rf"\b{re.escape(UNIT_LABELS[source][0])}(?=s?\b)")
    to_short = UNIT_LABELS[code][0]

    def key(k: str) -> str:
        return word.sub(code, k)

    def say(t: str) -> str:
        return short.sub(to_short, t)

    return _words(doc, key, say if text else None)


def _words(value: Any, key: Callable[[str], str], say: Callable[[str], str] | None) -> Any:
    if isinstance(value, dict):
        return {
            (key(k) if isinstance(k, str) else k): _words(v, key, say) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_words(v, key, say) for v in value]
    if isinstance(value, str) and say is not None:
        return say(value)
    return value
