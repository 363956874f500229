"""The public documents (docs/api.md "Public"), rendered from the running :class:`Tally`.

Rule: rules.md §7 (SDEs, or Nevada's CCDs; display places per ruleset), §8 (national delegate
projection from the scope's SDEs/CCDs), §9 (publish raw alignments, SDEs, every game of chance
and every correction). Status words are the NIST SP 1500-100 ResultsStatus vocabulary.

Inputs: a :class:`~caucuskit.services.tally.Tally`. Outputs: plain JSON-ready dicts typed by
the ``TypedDict`` classes of :mod:`caucuskit.services.public_types` (pinned by
tests/service/test_public_snapshot.py), their value keys named for the election's headline
unit (:mod:`caucuskit.services.public_units`). A county, precinct, coin-toss or change-log
document carries the results version and time of its own last change; the state, district and
version documents carry those of the whole set. Scope sums live in
:mod:`caucuskit.services.public_sums`, ``election.json`` in
:mod:`caucuskit.services.public_election`, the toss and change lists in
:mod:`caucuskit.services.public_lists`.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any, TypeVar, cast

from caucuskit.core.rounding import decimal_str
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.ids import slug
from caucuskit.services.public_election import election_document
from caucuskit.services.public_lists import change_list, toss_list
from caucuskit.services.public_precinct import precinct_document
from caucuskit.services.public_sums import Sums, sde_delta, status_word, sums, top_groups
from caucuskit.services.public_types import (
    CandidateRow,
    Child,
    Meta,
    PrecinctCount,
    PrecinctDocument,
    ScopeDocument,
    SdeSummary,
)
from caucuskit.services.public_units import unit_descriptor, unit_keys, unit_words
from caucuskit.services.tabulate import national_delegates
from caucuskit.services.tally import ZERO, Tally

__all__ = [
    "STATE_NAME",
    "Renderer",
    "Sums",
    "election_document",
    "sde_delta",
    "status_word",
    "sums",
    "top_groups",
]

T = TypeVar("T")

STATE_NAME = {"iowa": "Iowa", "nevada": "Nevada"}


class Renderer:
    """Renders each public document of one tally (see the module docstring)."""

    def __init__(self, tally: Tally, cache: dict[tuple[str, object], Any] | None = None) -> None:
        self.tally = tally
        self.ctx: Context = tally.ctx
        self.election = tally.election
        self.names = [c.name for c in self.election.candidates]
        self.unit = unit_descriptor(self.election)
        #: sums and child summaries of counties and districts, kept between builds by the
        #: builder, which drops the entries of every county a delta touches (:meth:`forget`)
        self.cache: dict[tuple[str, object], Any] = {} if cache is None else cache

    def forget(self, counties: Iterable[str]) -> None:
        """Drop what the cache holds about ``counties`` (and their districts)."""
        for name in counties:
            district = self.election.county_by_name[name].district
            for key in (
                ("sums", name),
                ("child", name),
                ("dsums", district),
                ("dchild", district),
                ("dsums", ("basis", district)),
            ):
                self.cache.pop(key, None)

    def _county_sums(self, name: str) -> Sums:
        key = ("sums", name)
        if key not in self.cache:
            self.cache[key] = sums([self.tally.counties[name]])
        got: Sums = self.cache[key]
        return got

    def _district_sums(self, d: int) -> Sums:
        key = ("dsums", d)
        if key not in self.cache:
            self.cache[key] = sums(
                self.tally.counties[c.name] for c in self.election.counties if c.district == d
            )
        got: Sums = self.cache[key]
        return got

    def _cached_child(
        self, key: tuple[str, object], kind: str, cid: str, name: str, s: Sums
    ) -> Child:
        if key not in self.cache:
            self.cache[key] = self._child(kind, cid, name, s)
        got: Child = self.cache[key]
        return got

    # ------------------------------------------------------------------------ helpers
    def meta(self) -> Meta:
        t = self.tally
        at = iso(t.updated_at)
        return {"version": t.version, "last_update": at, "generated_at": at}

    def _scope(
        self, s: Sums
    ) -> tuple[str, PrecinctCount, SdeSummary, list[CandidateRow], str | None]:
        places = self.election.sde_places_total
        total_sde = sum(s.sde.values(), ZERO)
        rows: list[CandidateRow] = []
        for c in self.names:
            x = s.sde.get(c, ZERO)
            share = ZERO if not total_sde else 100 * x / total_sde
            rows.append(
                {
                    "name": c,
                    "first": s.first.get(c, 0),
                    "final": s.final.get(c, 0),
                    "sde": str(x),
                    "sde_display": decimal_str(x, places),
                    "sde_percent_display": decimal_str(share, 2),
                    "delegates": s.delegates.get(c, 0),
                }
            )
        rows.sort(key=lambda r: (-s.sde.get(r["name"], ZERO), -r["final"], r["name"]))
        pct = Fraction(100 * s.reporting, s.total) if s.total else ZERO
        count: PrecinctCount = {
            "total": s.total,
            "reporting": s.reporting,
            "percent_display": decimal_str(pct, 1),
        }
        summary: SdeSummary = {
            "total": str(total_sde),
            "total_display": decimal_str(total_sde, places),
            "outstanding": str(s.outstanding),
            "outstanding_display": decimal_str(s.outstanding, places),
        }
        leader = rows[0]["name"] if rows and total_sde else None
        return status_word(s, self.tally.certified), count, summary, rows, leader

    def _child(self, kind: str, cid: str, name: str, s: Sums) -> Child:
        status, count, _, rows, leader = self._scope(s)
        return {
            "id": cid,
            "name": name,
            "kind": kind,
            "status": status,
            "reporting": count["reporting"],
            "total": count["total"],
            "leader": leader,
            "sde_display": {
                r["name"]: r["sde_display"] for r in rows if s.sde.get(r["name"], ZERO)
            },
        }

    def _document(
        self,
        scope: str,
        cid: str,
        name: str,
        district: int | None,
        meta: Meta,
        s: Sums,
        children: list[Child],
    ) -> ScopeDocument:
        status, count, summary, rows, _ = self._scope(s)
        return {
            "scope": scope,
            "id": cid,
            "name": name,
            "district": district,
            "version": meta["version"],
            "last_update": meta["last_update"],
            "generated_at": meta["generated_at"],
            "status": status,
            "precincts": count,
            "sde": summary,
            "candidates": rows,
            "children": children,
            "unit": self.unit,
        }

    # ------------------------------------------------------------------------ documents
    def county(self, name: str) -> ScopeDocument:
        t = self.tally
        c = self.election.county_by_name[name]
        totals = t.counties[name]
        pplaces = self.election.sde_places_precinct
        kids: list[Child] = []
        for p in t.refs_by_county.get(name, []):
            v = t.current.get(p.pk)
            sde = totals.precinct_sde.get(p.pk, {})
            top = top_groups(v.delegates if v is not None else {})
            kids.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "kind": "precinct",
                    "status": "unofficial-complete" if v is not None else "not-reported",
                    "reporting": 1 if v is not None else 0,
                    "total": 1,
                    # a tie for the most delegates has no leader: "tied" names the groups
                    "leader": top[0] if len(top) == 1 else None,
                    "tied": top if len(top) > 1 else [],
                    "sde_display": {}
                    if v is None
                    else {g: decimal_str(x, pplaces) for g, x in sorted(sde.items()) if x},
                }
            )
        version, at = t.county_changed_at.get(name, (0, None))
        meta: Meta = {"version": version, "last_update": iso(at), "generated_at": iso(at)}
        doc = self._document("county", slug(name), name, c.district, meta, sums([totals]), kids)
        doc["satellite"] = c.satellite
        return self._out(doc)

    def _national(self) -> dict[str, dict[str, int]]:
        e = self.election
        t = self.tally

        def basis(district: int | None) -> dict[str, Fraction]:
            key = ("dsums", ("basis", district))
            if key not in self.cache:
                out: dict[str, Fraction] = {}
                for c in e.counties:
                    if c.district == district:
                        for k, x in t.counties[c.name].national_basis.items():
                            out[k] = out.get(k, ZERO) + x
                self.cache[key] = out
            got: dict[str, Fraction] = self.cache[key]
            return got

        districts = {d: basis(d) for d in e.national.district}
        statewide: dict[str, Fraction] = dict(basis(None))
        for part in districts.values():
            for k, x in part.items():
                statewide[k] = statewide.get(k, ZERO) + x
        nat = national_delegates(e, statewide, districts)
        self.pending_lot = {
            n: u.pending_lot.to_dict() for n, u in nat.units.items() if u.pending_lot is not None
        }
        return {n: {c: k for c, k in u.delegates.items() if k} for n, u in nat.units.items()}

    def aggregates(
        self, race: dict[str, object] | None, race_version: int = -1
    ) -> dict[str, ScopeDocument]:
        """``state`` and every ``districts/{n}`` (they carry the whole set's version)."""
        e = self.election
        meta = self.meta()
        units = self._national()
        docs: dict[str, ScopeDocument] = {}
        state_children: list[Child] = []
        for d in sorted(e.national.district):
            members = [c for c in e.counties if c.district == d]
            s = self._district_sums(d)
            alloc = units[f"CD{d}"]
            doc = self._document(
                "district",
                str(d),
                f"CD{d}",
                d,
                meta,
                s,
                [
                    self._cached_child(
                        ("child", c.name), "county", slug(c.name), c.name, self._county_sums(c.name)
                    )
                    for c in members
                ],
            )
            for r in doc["candidates"]:
                r["national"] = alloc.get(r["name"], 0)
            doc["national"] = {"district": alloc, "total": dict(alloc)}
            docs[f"districts/{d}"] = doc
            state_children.append(
                self._cached_child(("dchild", d), "district", str(d), f"CD{d}", s)
            )
        total: dict[str, int] = {}
        for alloc in units.values():
            for c, k in alloc.items():
                total[c] = total.get(c, 0) + k
        statewide = [c for c in e.counties if c.district is None]
        s = sums(
            [
                *(self._district_sums(d) for d in sorted(e.national.district)),
                *(self._county_sums(c.name) for c in statewide),
            ]
        )
        doc = self._document(
            "state",
            "state",
            STATE_NAME.get(e.id.split("-")[0], e.title),
            None,
            meta,
            s,
            state_children
            + [
                self._cached_child(
                    ("child", c.name), "county", slug(c.name), c.name, self._county_sums(c.name)
                )
                for c in statewide
            ],
        )
        for r in doc["candidates"]:
            r["national"] = total.get(r["name"], 0)
        doc["national"] = {
            "district": {
                c: sum(units[f"CD{d}"].get(c, 0) for d in e.national.district) for c in total
            },
            "at_large": units["at-large"],
            "pleo": units["PLEO"],
            "total": total,
            "pending_lot": self.pending_lot,
        }
        if race is not None:  # its own keys, named for the unit by word (public_units)
            doc["race"] = {**unit_words(race, e.unit), "unit": self.unit}
            doc["race_version"] = race_version
        docs["state"] = doc
        return {path: self._out(d) for path, d in docs.items()}

    def precinct(self, p: PrecinctRef) -> PrecinctDocument:
        """``precincts/{id}``: the current result with its worksheet, tosses and history."""
        doc = precinct_document(self.tally, p, self.names)
        doc["unit"] = self.unit
        return self._out(doc)

    def coin_tosses(self, meta: Meta | None = None) -> dict[str, Any]:
        """``coin-tosses``: every game of chance in a current result (rules.md §5.4, §9)."""
        return toss_list(self.tally, meta or self.meta())

    def changes(self, meta: Meta | None = None) -> dict[str, Any]:
        """``changes``: every replaced accepted result, with its change in SDEs/CCDs (§9)."""
        doc = change_list(self.tally, meta or self.meta())
        return self._out({**doc, "unit": self.unit})

    def _out(self, doc: T) -> T:
        """``doc`` with its value keys named for the election's unit (public_units)."""
        return cast(T, unit_keys(doc, self.election.unit))
