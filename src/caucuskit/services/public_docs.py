"""The public documents (docs/api.md "Public"), rendered from the running :class:`Tally`.

Rule: rules.md §7 (SDEs; display places per ruleset), §8 (national delegate projection from
the scope's SDEs), §9 (publish raw alignments, SDEs, every game of chance and every
correction). Status words are the NIST SP 1500-100 ResultsStatus vocabulary.

Inputs: a :class:`~caucuskit.services.tally.Tally`. Outputs: plain JSON-ready dicts typed by
the ``TypedDict`` classes of :mod:`caucuskit.services.public_types` (pinned by
tests/service/test_public_snapshot.py). A county,
precinct, coin-toss or change-log document carries the results version and time of its own last
change; the state, district and version documents carry those of the whole set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from caucuskit.core.rounding import decimal_str
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.ids import slug
from caucuskit.services.public_types import (
    CandidateRow,
    Child,
    Meta,
    PrecinctCandidate,
    PrecinctCount,
    PrecinctDocument,
    PrecinctToss,
    ScopeDocument,
    SdeSummary,
)
from caucuskit.services.tabulate import national_delegates
from caucuskit.services.tally import ZERO, CountyTotals, Tally

STATE_NAME = {"iowa": "Iowa", "nevada": "Nevada"}


@dataclass(slots=True)
class Sums:
    """A scope's totals: the sum of its counties' :class:`CountyTotals`."""

    first: dict[str, int]
    final: dict[str, int]
    delegates: dict[str, int]
    sde: dict[str, Fraction]
    total: int
    reporting: int
    outstanding: Fraction
    has_recount: bool
    corrected: bool


def sums(parts: Iterable[CountyTotals | Sums]) -> Sums:
    out = Sums({}, {}, {}, {}, 0, 0, ZERO, False, False)
    for t in parts:
        for into, part in (
            (out.first, t.first),
            (out.final, t.final),
            (out.delegates, t.delegates),
        ):
            for c, n in part.items():
                into[c] = into.get(c, 0) + n
        for c, x in t.sde.items():
            if x:
                out.sde[c] = out.sde.get(c, ZERO) + x
        out.total += t.total
        out.reporting += t.reporting
        out.outstanding += t.outstanding
        out.has_recount = out.has_recount or t.has_recount
        out.corrected = out.corrected or t.corrected
    return out


def status_word(s: Sums, certified: bool) -> str:
    """NIST ResultsStatus of a scope. A recount or correction of some precincts does not make a
    scope that is still missing precincts "corrected": it stays ``unofficial-partial`` (the
    change log lists the corrections)."""
    if certified:
        return "certified"
    if not (s.total > 0 and s.reporting == s.total):
        return "unofficial-partial"
    if s.has_recount:
        return "recount"
    if s.corrected:
        return "correction"
    return "unofficial-complete" if s.total > 0 and s.reporting == s.total else "unofficial-partial"


class Renderer:
    """Renders each public document of one tally (see the module docstring)."""

    def __init__(self, tally: Tally, cache: dict[tuple[str, object], Any] | None = None) -> None:
        self.tally = tally
        self.ctx: Context = tally.ctx
        self.election = tally.election
        self.names = [c.name for c in self.election.candidates]
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
        return doc

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
        if race is not None:
            doc["race"] = race
            doc["race_version"] = race_version
        docs["state"] = doc
        return docs

    def precinct(self, p: PrecinctRef) -> PrecinctDocument:
        """``precincts/{id}``: the current result with its worksheet, tosses and history."""
        from caucuskit.services.submit import precinct_info

        t = self.tally
        e = self.election
        v = t.current.get(p.pk)
        hist = t.history.get(p.pk, [])
        info = precinct_info(self.ctx, p)
        pplaces = e.sde_places_precinct
        sde = t.counties[p.county].precinct_sde.get(p.pk, {})
        cands: list[PrecinctCandidate] = []
        tosses: list[PrecinctToss] = []
        if v is not None:
            for c in self.names:
                cands.append(
                    {
                        "name": c,
                        "first": v.first.get(c, 0),
                        "final": v.final.get(c, 0),
                        "delegates": v.delegates.get(c, 0),
                        "sde": v.sde_text.get(c, "0"),
                        "sde_display": decimal_str(sde.get(c, ZERO), pplaces),
                    }
                )
            cands.sort(key=lambda r: (-r["delegates"], -r["final"], r["name"]))
            for i, tie in enumerate(v.ties):
                toss = v.tosses[i] if i < len(v.tosses) else {}
                tosses.append(
                    {
                        "groups": tie["groups"],
                        "winners": tie["winners"],
                        "method": tie["method"],
                        "witnesses": toss.get("witnesses", []),
                        "cards": toss.get("cards"),
                    }
                )  # Nevada card draws (§5.4)
        version, at = t.changed_at.get(p.pk, (0, None))
        accepted = t.accepted.get(p.pk, 0)
        return {
            "scope": "precinct",
            "id": p.id,
            "county": p.county,
            "county_id": p.county_id,
            "name": p.name,
            "satellite": p.satellite,
            "delegates": p.delegates,
            "delegates_to_elect": None if v is None else v.worksheet.get("delegates_to_elect"),
            "status": "not-reported"
            if v is None
            else (
                "recount"
                if v.channel == "recount"
                else "correction"
                if accepted > 1
                else "unofficial-complete"
            ),
            "reported": v is not None,
            "version": version,
            "last_update": iso(at),
            "sde_value": info["sde_value"],
            "sde_value_display": info["sde_value_display"],
            "candidates": cands,
            "worksheet": None if v is None else dict(v.worksheet),
            "tosses": tosses,
            "history": [
                {"version_id": h[0], "status": h[1], "at": iso(h[2]), "channel": h[3]} for h in hist
            ],
        }

    def coin_tosses(self, meta: Meta | None = None) -> dict[str, Any]:
        t = self.tally
        out = []
        for pk, v in sorted(t.current.items()):
            p = self.ctx.by_pk[pk]
            for i, tie in enumerate(v.ties):
                toss = v.tosses[i] if i < len(v.tosses) else {}
                out.append(
                    {
                        "precinct_id": p.id,
                        "county": p.county,
                        "precinct": p.name,
                        "method": tie["method"],
                        "groups": tie["groups"],
                        "delegates": tie["delegates"],
                        "action": tie["action"],
                        "winners": tie["winners"],
                        "witnesses": toss.get("witnesses", []),
                        "cards": toss.get("cards"),
                    }
                )  # Nevada card draws (§5.4)
        return {**(meta or self.meta()), "tosses": out}

    def changes(self, meta: Meta | None = None) -> dict[str, Any]:
        places = self.election.sde_places_precinct
        out = []
        for at, pk, kind, reason, old, new in self.tally.corrections:
            p = self.ctx.by_pk[pk]
            out.append(
                {
                    "at": iso(at),
                    "precinct_id": p.id,
                    "county": p.county,
                    "precinct": p.name,
                    "kind": kind,
                    "reason": reason,
                    "sde_delta_display": {
                        c: decimal_str(x, places) for c, x in sde_delta(old, new).items()
                    },
                }
            )
        return {**(meta or self.meta()), "changes": out}


def sde_delta(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, Fraction]:
    """New minus old exact SDEs per candidate (``p/q`` text in, non-zero differences out)."""
    out = {}
    for c in sorted(set(old) | set(new)):
        d = Fraction(new.get(c, "0")) - Fraction(old.get(c, "0"))
        if d:
            out[c] = d
    return out


def election_document(ctx: Context) -> dict[str, Any]:
    """``election.json``: the definition the public pages need (rules.md §7, §8)."""
    e = ctx.election
    counts: dict[str, int] = {}
    for p in ctx.precincts:
        counts[p.county] = counts.get(p.county, 0) + 1
    return {
        "id": e.id,
        "title": e.title,
        "ruleset": e.rules.name,
        "rules": e.rules.describe(),
        "candidates": [c.name for c in e.candidates],
        "districts": sorted(e.national.district),
        "counties": [
            {
                "id": slug(c.name),
                "name": c.name,
                "district": c.district,
                "satellite": c.satellite,
                "precincts": counts.get(c.name, 0),
                **({"part_of": c.part_of} if c.part_of else {}),
            }
            for c in e.counties
        ],
        "national": {
            "district": {str(k): v for k, v in sorted(e.national.district.items())},
            "at_large": e.national.at_large,
            "pleo": e.national.pleo,
            "total": e.national.total,
        },
        "sde_places_precinct": e.sde_places_precinct,
        "sde_places_total": e.sde_places_total,
        "unit": {"short": e.unit_short, "long": e.unit_long},  # SDE, or CCD for Nevada
    }


def top_groups(delegates: Mapping[str, int]) -> list[str]:
    """The groups with the most county delegates (sorted; empty when nobody has one)."""
    most = max((n for n in delegates.values() if n), default=0)
    return sorted(g for g, n in delegates.items() if n == most) if most else []
