"""The public snapshot: every public document, built from the stored reports, with ETags.

Rule: rules.md §7 (SDEs; 3 decimals for totals, 4 per precinct in 2020), §8 (national delegate
projection), §9 (publish raw alignments, SDEs and every correction). Status words are the
NIST SP 1500-100 ResultsStatus vocabulary.

The aggregate documents of one results version are built once (per process, and stored in the
``snapshots`` table for the other workers) and served from memory; precinct documents are built
on demand. ``generated_at`` is the time of the results version, not of the build, so every
worker produces byte-identical documents and the same ETags.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caucuskit.core.election import is_counted_unit
from caucuskit.core.rounding import decimal_str
from caucuskit.db.models import Decision, ElectionRow, ReportVersion, ResultsState, Snapshot
from caucuskit.services.call import race_from_tabulation
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.errors import NotFound
from caucuskit.services.history import as_report, current_versions
from caucuskit.services.ids import slug
from caucuskit.services.tabulate import tabulate

STATE_NAME = {"iowa": "Iowa", "nevada": "Nevada"}


def encode(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass
class Built:
    version: int
    etag: str
    generated_at: datetime | None
    documents: dict[str, Any]


def results_version(session: Session) -> tuple[int, datetime | None]:
    state = session.get(ResultsState, 1)
    return (0, None) if state is None else (state.version, state.updated_at)


def _status(has_recount: bool, corrected: bool, certified: bool, complete: bool) -> str:
    """NIST ResultsStatus of a scope. A recount or correction of some precincts does not make a
    scope that is still missing precincts "corrected": it stays ``unofficial-partial`` (the
    change log lists the corrections)."""
    if certified:
        return "certified"
    if not complete:
        return "unofficial-partial"
    if has_recount:
        return "recount"
    if corrected:
        return "correction"
    return "unofficial-complete" if complete else "unofficial-partial"


def _fr(x: Fraction) -> str:
    return str(x)


def build_documents(ctx: Context, session: Session, as_of: datetime | None = None) -> Built:
    """Build every aggregate document from the current versions (at ``as_of``)."""
    election = ctx.election
    version, updated = results_version(session)
    if as_of is not None:
        version, updated = -1, as_of
    current = current_versions(session, as_of)
    certified = session.scalar(select(ElectionRow.certified_at)) is not None and as_of is None
    accepted_counts: dict[int, int] = {}
    q = select(Decision.precinct_id).where(Decision.status == "accepted")
    if as_of is not None:
        q = q.where(Decision.at <= as_of)
    for (pid,) in session.execute(q).all():
        accepted_counts[pid] = accepted_counts.get(pid, 0) + 1
    reports = [as_report(ctx, v) for _, v in sorted(current.items())]
    tab = tabulate(election, reports)
    places = election.sde_places_total
    pplaces = election.sde_places_precinct
    unit_by_key = {u.precinct.key: u for u in tab.units}
    names = [c.name for c in election.candidates]
    refs_by_county: dict[str, list[PrecinctRef]] = {}
    for p in ctx.precincts:
        refs_by_county.setdefault(p.county, []).append(p)

    def counted(p: PrecinctRef) -> bool:
        return is_counted_unit(p.satellite, p.delegates)

    def scope(refs: list[PrecinctRef]) -> dict[str, Any]:
        first: dict[str, int] = dict.fromkeys(names, 0)
        final: dict[str, int] = dict.fromkeys(names, 0)
        dels: dict[str, int] = dict.fromkeys(names, 0)
        sde: dict[str, Fraction] = dict.fromkeys(names, Fraction(0))
        total = reporting = 0
        outstanding = Fraction(0)
        value_total = Fraction(0)
        has_recount = corrected = False
        for p in refs:
            v = current.get(p.pk)
            u = unit_by_key.get((p.county, p.name))
            if counted(p):
                total += 1
            if v is None:
                if not p.satellite:
                    pv = election.precinct_sde_value(election.precinct_by_key[(p.county, p.name)])
                    outstanding += pv or 0
                continue
            if counted(p):
                reporting += 1
            has_recount = has_recount or v.channel == "recount"
            corrected = corrected or accepted_counts.get(p.pk, 0) > 1
            for c, n in v.first.items():
                first[c] = first.get(c, 0) + n
            for c, n in v.final.items():
                final[c] = final.get(c, 0) + n
            for c, n in v.delegates.items():
                dels[c] = dels.get(c, 0) + n
            if u is not None:
                value_total += u.value
                for c, x in u.sde.items():
                    sde[c] = sde.get(c, Fraction(0)) + x
        total_sde = sum(sde.values(), Fraction(0))
        rows = []
        for c in names:
            share = Fraction(0) if not total_sde else 100 * sde[c] / total_sde
            rows.append({"name": c, "first": first[c], "final": final[c], "sde": _fr(sde[c]),
                         "sde_display": decimal_str(sde[c], places),
                         "sde_percent_display": decimal_str(share, 2), "delegates": dels[c]})
        rows.sort(key=lambda r: (-Fraction(str(r["sde"])), -int(str(r["final"])),
                                 str(r["name"])))
        pct = Fraction(100 * reporting, total) if total else Fraction(0)
        return {
            "precincts": {"total": total, "reporting": reporting,
                          "percent_display": decimal_str(pct, 1)},
            "sde": {"total": _fr(total_sde), "total_display": decimal_str(total_sde, places),
                    "outstanding": _fr(outstanding),
                    "outstanding_display": decimal_str(outstanding, places)},
            "candidates": rows,
            "status": _status(has_recount, corrected, certified,
                              total > 0 and reporting == total),
            "_leader": rows[0]["name"] if rows and total_sde else None,
        }

    meta = {"version": version, "last_update": iso(updated), "generated_at": iso(updated)}
    national_units = tab.national.units

    def national_for(unit_names: Iterable[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        total: dict[str, int] = {}
        for n in unit_names:
            alloc = national_units[n]
            d = {c: k for c, k in alloc.delegates.items() if k}
            out[n] = d
            for c, k in d.items():
                total[c] = total.get(c, 0) + k
        out["total"] = total
        return out

    def child(kind: str, cid: str, name: str, sc: dict[str, Any]) -> dict[str, Any]:
        return {"id": cid, "name": name, "kind": kind, "status": sc["status"],
                "reporting": sc["precincts"]["reporting"], "total": sc["precincts"]["total"],
                "leader": sc["_leader"],
                "sde_display": {r["name"]: r["sde_display"] for r in sc["candidates"]
                                if Fraction(r["sde"])}}

    docs: dict[str, Any] = {}
    county_scopes: dict[str, dict[str, Any]] = {}
    for c in election.counties:
        refs = refs_by_county.get(c.name, [])
        sc = scope(refs)
        county_scopes[c.name] = sc
        kids = []
        for p in refs:
            v = current.get(p.pk)
            u = unit_by_key.get((p.county, p.name))
            top = _top_groups(v.delegates if v is not None else {})
            kids.append({
                "id": p.id, "name": p.name, "kind": "precinct",
                "status": "unofficial-complete" if v is not None else "not-reported",
                "reporting": 1 if v is not None else 0, "total": 1,
                # a tie for the most delegates has no leader: "tied" names the groups
                "leader": top[0] if len(top) == 1 else None,
                "tied": top if len(top) > 1 else [],
                "sde_display": {} if u is None
                else {g: decimal_str(x, pplaces) for g, x in sorted(u.sde.items()) if x},
            })
        cid = slug(c.name)
        docs[f"counties/{cid}"] = {
            "scope": "county", "id": cid, "name": c.name, "district": c.district,
            "satellite": c.satellite, **meta, **_public(sc), "children": kids,
        }
    state_children = []
    for d in sorted(election.national.district):
        members = [c for c in election.counties if c.district == d]
        refs = [p for c in members for p in refs_by_county.get(c.name, [])]
        sc = scope(refs)
        nat = national_for([f"CD{d}"])
        for r in sc["candidates"]:
            r["national"] = nat["total"].get(r["name"], 0)
        docs[f"districts/{d}"] = {
            "scope": "district", "id": str(d), "name": f"CD{d}", "district": d, **meta,
            **_public(sc), "national": {"district": nat[f"CD{d}"], "total": nat["total"]},
            "children": [child("county", slug(c.name), c.name, county_scopes[c.name])
                         for c in members],
        }
        state_children.append(child("district", str(d), f"CD{d}", sc))
    sc = scope(ctx.precincts)
    all_units = [f"CD{d}" for d in sorted(election.national.district)] + ["at-large", "PLEO"]
    nat = national_for(all_units)
    for r in sc["candidates"]:
        r["national"] = nat["total"].get(r["name"], 0)
    statewide_counties = [c for c in election.counties if c.district is None]
    docs["state"] = {
        "scope": "state", "id": "state",
        "name": STATE_NAME.get(election.id.split("-")[0], election.title), "district": None,
        **meta, **_public(sc),
        "national": {
            "district": {c: sum(nat[f"CD{d}"].get(c, 0) for d in election.national.district)
                         for c in nat["total"]},
            "at_large": nat["at-large"], "pleo": nat["PLEO"], "total": nat["total"],
            "pending_lot": {n: u.pending_lot.to_dict() for n, u in national_units.items()
                            if u.pending_lot is not None},
        },
        "children": state_children
        + [child("county", slug(c.name), c.name, county_scopes[c.name])
           for c in statewide_counties],
        "race": race_from_tabulation(tab),
    }
    docs["election"] = election_document(ctx)
    docs["coin-tosses"] = {**meta, "tosses": _tosses(ctx, current)}
    docs["changes"] = {**meta, "changes": _changes(ctx, session, as_of)}
    body = encode(docs)
    tag = etag_of(body)
    docs["version"] = {"version": version, "etag": tag, **meta}
    return Built(version, tag, updated, docs)


def _top_groups(delegates: dict[str, int]) -> list[str]:
    """The groups with the most county delegates (sorted; empty when nobody has one)."""
    most = max((n for n in delegates.values() if n), default=0)
    return sorted(g for g, n in delegates.items() if n == most) if most else []


def _public(sc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sc.items() if not k.startswith("_")}


def election_document(ctx: Context) -> dict[str, Any]:
    e = ctx.election
    counts: dict[str, int] = {}
    for p in ctx.precincts:
        counts[p.county] = counts.get(p.county, 0) + 1
    return {
        "id": e.id, "title": e.title, "ruleset": e.rules.name, "rules": e.rules.describe(),
        "candidates": [c.name for c in e.candidates],
        "districts": sorted(e.national.district),
        "counties": [{"id": slug(c.name), "name": c.name, "district": c.district,
                      "satellite": c.satellite, "precincts": counts.get(c.name, 0)}
                     for c in e.counties],
        "national": {"district": {str(k): v for k, v in sorted(e.national.district.items())},
                     "at_large": e.national.at_large, "pleo": e.national.pleo,
                     "total": e.national.total},
        "sde_places_precinct": e.sde_places_precinct, "sde_places_total": e.sde_places_total,
    }


def _tosses(ctx: Context, current: dict[int, ReportVersion]) -> list[dict[str, Any]]:
    out = []
    for pid, v in sorted(current.items()):
        p = ctx.by_pk[pid]
        witnesses = [t.get("witnesses", []) for t in v.tosses]
        for i, tie in enumerate(v.worksheet.get("ties", [])):
            out.append({"precinct_id": p.id, "county": p.county, "precinct": p.name,
                        "method": tie["method"], "groups": tie["groups"],
                        "delegates": tie["delegates"], "action": tie["action"],
                        "winners": tie["winners"],
                        "witnesses": witnesses[i] if i < len(witnesses) else []})
    return out


def _changes(ctx: Context, session: Session, as_of: datetime | None) -> list[dict[str, Any]]:
    q = select(Decision).where(Decision.status == "accepted")
    if as_of is not None:
        q = q.where(Decision.at <= as_of)
    last: dict[int, int] = {}
    changes = []
    places = ctx.election.sde_places_precinct
    for dec in session.scalars(q.order_by(Decision.id)).all():
        prev = last.get(dec.precinct_id)
        last[dec.precinct_id] = dec.version_id
        if prev is None:
            continue
        old, new = session.get(ReportVersion, prev), session.get(ReportVersion, dec.version_id)
        assert old is not None and new is not None
        p = ctx.by_pk[dec.precinct_id]
        delta = sde_delta(old.sde, new.sde)
        kind = new.channel if new.channel in ("recanvass", "recount") else (
            "desk-accept" if dec.actor != new.actor else "correction")
        changes.append({"at": iso(dec.at), "precinct_id": p.id, "county": p.county,
                        "precinct": p.name, "kind": kind, "reason": dec.reason or new.reason,
                        "sde_delta_display": {c: decimal_str(x, places)
                                              for c, x in delta.items()}})
    return changes


def sde_delta(old: dict[str, str], new: dict[str, str]) -> dict[str, Fraction]:
    out = {}
    for c in sorted(set(old) | set(new)):
        d = Fraction(new.get(c, "0")) - Fraction(old.get(c, "0"))
        if d:
            out[c] = d
    return out


# ---------------------------------------------------------------------------- serving
class PublicFeed:
    """What the public API and the pages read: ``document(path) -> (doc, etag)``."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._built: Built | None = None
        self._encoded: dict[str, tuple[bytes, str]] = {}
        self._precinct_cache: dict[tuple[int, str], tuple[dict[str, Any], bytes, str]] = {}

    def current(self) -> Built:
        """The snapshot of the current results version (built or loaded when it changed)."""
        ctx = self.ctx
        with ctx.db.read() as s:
            version, _ = results_version(s)
        built = self._built
        if built is not None and built.version == version:
            return built
        with ctx.lock:
            built = self._built
            if built is not None and built.version == version:
                return built
            with ctx.db.read() as s:
                row = s.get(Snapshot, version)
                if row is not None:
                    built = Built(row.version, row.etag, row.generated_at, dict(row.documents))
                else:
                    built = build_documents(ctx, s)
            if row is None and built.version == version:
                self._store(built)
            self._built = built
            self._encoded = {}
            self._precinct_cache = {}
            return built

    def _store(self, built: Built) -> None:
        ctx = self.ctx
        try:
            with ctx.db.write() as s:
                if s.get(Snapshot, built.version) is None:
                    s.add(Snapshot(version=built.version, etag=built.etag,
                                   generated_at=built.generated_at or ctx.clock(),
                                   documents=built.documents))
                s.flush()
                keep = ctx.settings.snapshots_kept
                s.execute(delete(Snapshot).where(Snapshot.version <= built.version - keep))
        except IntegrityError:
            pass  # another worker stored it first

    def document(self, path: str) -> tuple[dict[str, Any], str]:
        doc, _, tag = self.encoded(path)
        return doc, tag

    def encoded(self, path: str) -> tuple[dict[str, Any], bytes, str]:
        """(document, JSON bytes, ETag) of a public path like ``counties/adair``."""
        built = self.current()
        if path.startswith("precincts/"):
            return self._precinct(built, path.split("/", 1)[1])
        doc = built.documents.get(path)
        if doc is None:
            raise NotFound(f"no public document {path!r}", "path")
        hit = self._encoded.get(path)
        if hit is None:
            body = encode(doc)
            hit = (body, etag_of(body))
            self._encoded[path] = hit
        return doc, hit[0], hit[1]

    def _precinct(self, built: Built, pid: str) -> tuple[dict[str, Any], bytes, str]:
        key = (built.version, pid)
        hit = self._precinct_cache.get(key)
        if hit is not None:
            return hit
        ref = self.ctx.precinct_by_id(pid)
        doc = precinct_document(self.ctx, ref, built)
        body = encode(doc)
        out = (doc, body, etag_of(body))
        if len(self._precinct_cache) > 5000:
            self._precinct_cache.clear()
        self._precinct_cache[key] = out
        return out


def precinct_document(ctx: Context, p: PrecinctRef, built: Built) -> dict[str, Any]:
    """``precincts/{id}``: the current result with its worksheet, tosses and history."""
    from caucuskit.services.submit import precinct_info

    election = ctx.election
    county_doc = built.documents.get(f"counties/{p.county_id}", {})
    kid = next((k for k in county_doc.get("children", []) if k["id"] == p.id), None)
    with ctx.db.read() as s:
        v = current_versions_for(s, p.pk)
        hist = s.execute(
            select(Decision.version_id, Decision.status, Decision.at, ReportVersion.channel)
            .join(ReportVersion, ReportVersion.id == Decision.version_id)
            .where(Decision.precinct_id == p.pk, Decision.status.in_(("accepted", "superseded")))
            .order_by(Decision.id)).all()
    info = precinct_info(ctx, p)
    names = [c.name for c in election.candidates]
    cands = []
    if v is not None:
        for c in names:
            x = (kid or {}).get("sde_display", {}).get(c)
            cands.append({"name": c, "first": v.first.get(c, 0), "final": v.final.get(c, 0),
                          "delegates": v.delegates.get(c, 0), "sde": v.sde.get(c, "0"),
                          "sde_display": x or decimal_str(Fraction(0),
                                                          election.sde_places_precinct)})
        cands.sort(key=lambda r: (-r["delegates"], -r["final"], r["name"]))
    tosses = []
    if v is not None:
        for i, tie in enumerate(v.worksheet.get("ties", [])):
            w = v.tosses[i].get("witnesses", []) if i < len(v.tosses) else []
            tosses.append({"groups": tie["groups"], "winners": tie["winners"],
                           "method": tie["method"], "witnesses": w})
    return {
        "scope": "precinct", "id": p.id, "county": p.county, "county_id": p.county_id,
        "name": p.name, "satellite": p.satellite, "delegates": p.delegates,
        "delegates_to_elect": None if v is None else v.worksheet.get("delegates_to_elect"),
        "status": "not-reported" if v is None else (
            "recount" if v.channel == "recount" else
            "correction" if len([h for h in hist if h[1] == "accepted"]) > 1
            else "unofficial-complete"),
        "reported": v is not None, "version": built.version,
        "last_update": built.documents["version"]["last_update"],
        "sde_value": info["sde_value"], "sde_value_display": info["sde_value_display"],
        "candidates": cands, "worksheet": None if v is None else v.worksheet,
        "tosses": tosses,
        "history": [{"version_id": h[0], "status": h[1], "at": iso(h[2]), "channel": h[3]}
                    for h in hist],
    }


def current_versions_for(session: Session, precinct_pk: int) -> ReportVersion | None:
    from caucuskit.services.submit import current_version

    return current_version(session, precinct_pk)


def publish(ctx: Context, out: Path) -> list[Path]:
    """Write every public document as ``out/<path>.json`` (what a CDN serves)."""
    feed = PublicFeed(ctx)
    built = feed.current()
    written = []
    paths = list(built.documents) + [f"precincts/{p.id}" for p in ctx.precincts]
    for path in paths:
        _, body, _ = feed.encoded(path)
        target = out / f"{path}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        written.append(target)
    return written
