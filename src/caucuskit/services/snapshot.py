"""The public snapshot: immutable sets of pre-serialised, pre-compressed documents with ETags,
kept current by one builder per process that applies each accepted report's delta.

Rule: rules.md §7-§9 (what the public documents show: :mod:`caucuskit.services.public_docs`).
Design: docs/adr/0007-incremental-public-snapshot.md. The builder reads the results version
(``results_state``, bumped in every transaction that changes results) and the decisions made
after the version it has, applies them to its :class:`~caucuskit.services.tally.Tally` (stored
derived values, no re-tabulation), re-renders only the documents the change touched, and swaps
in a new :class:`DocumentSet`. Readers take the newest set by one attribute read: no lock, no
query. Every worker builds byte-identical documents for a version (``generated_at`` is the
time of the results version, not of the build), so they agree on ETags.

Two modes: *background* (``caucus serve``: a daemon thread polls the results version every
:data:`POLL_SECONDS`; readers never wait) and *synchronous* (library use, the CLI, in-process
tests: a read checks the version and catches up first, so a read follows every write).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from caucuskit.core.bounds import call_race
from caucuskit.core.satellite import satellite_delegates
from caucuskit.db.models import ResultsState
from caucuskit.services.call import NightTracker, UnitOutcome, race_panel
from caucuskit.services.context import Context, iso
from caucuskit.services.errors import NotFound
from caucuskit.services.public_docs import (
    Renderer,
    election_document,
    sde_delta,
)
from caucuskit.services.public_encoded import Encoded, encode, etag_of
from caucuskit.services.public_types import Meta
from caucuskit.services.tally import Delta, Tally, load_changes

__all__ = [
    "Built",
    "DocumentSet",
    "Encoded",
    "build_documents",
    "encode",
    "etag_of",
    "results_version",
    "sde_delta",
]

log = logging.getLogger(__name__)

#: How often a background builder looks at the results version (seconds).
POLL_SECONDS = 0.05
#: Shortest time between two background builds (seconds): under a steady flow of reports one
#: build covers all that arrived meanwhile, which bounds the builder's share of the CPU.
MIN_BUILD_SECONDS = 0.2
#: Longest a background builder lets the race panel lag while reports keep coming (seconds).
RACE_SECONDS = 2.0


@dataclass(frozen=True)
class DocumentSet:
    """Every public document of one results version; never changed once published."""

    version: int
    updated_at: datetime | None
    etag: str
    entries: Mapping[str, Encoded]
    #: the paths whose bytes differ from the previous set (all of them in a first set)
    changed: frozenset[str] = field(default_factory=frozenset)

    @property
    def documents(self) -> dict[str, Any]:
        """path -> parsed document (a copy of the mapping; the documents are shared)."""
        return {k: e.doc for k, e in self.entries.items()}

    def get(self, path: str) -> Encoded:
        hit = self.entries.get(path)
        if hit is None:
            if path.startswith("precincts/"):
                raise NotFound(f"unknown precinct id {path.split('/', 1)[1]!r}", "precinct_id")
            raise NotFound(f"no public document {path!r}", "path")
        return hit


#: The older name of a built set (``Built.documents`` is path -> document).
Built = DocumentSet


def results_version(session: Session) -> tuple[int, datetime | None]:
    state = session.get(ResultsState, 1)
    return (0, None) if state is None else (state.version, state.updated_at)


class Builder:
    """Applies deltas to a tally and renders the documents they touch (one per process).

    The race panel of ``state.json`` (rules.md §7-§8 bounds) is the costliest part of a build;
    :meth:`apply` can leave it for :meth:`refresh_race`, so that in background mode a report
    is published first and the panel follows (``race_version`` of ``state.json`` says which
    results version the panel describes; it equals the document's ``version`` once caught up).
    """

    def __init__(self, ctx: Context, *, race: bool = True) -> None:
        self.ctx = ctx
        self.race = race
        self.lock = threading.Lock()
        self.tally: Tally | None = None
        self.tracker: NightTracker | None = None
        self.published: DocumentSet | None = None
        self.cache: dict[tuple[str, object], Any] = {}
        #: path -> "path=etag;" of the published set, and the paths in order (set ETag)
        self.chunks: dict[str, str] = {}
        self.order: list[str] = []
        self.race_doc: dict[str, object] | None = None
        self.race_version = -1
        self.race_at = 0.0

    @property
    def race_stale(self) -> bool:
        return self.race and self.tally is not None and self.race_version != self.tally.version

    def apply(self, delta: Delta, *, with_race: bool = True) -> DocumentSet:
        """Apply ``delta`` and publish the resulting set (caller holds :attr:`lock`)."""
        ctx = self.ctx
        first = self.tally is None
        if self.tally is None:
            self.tally = Tally(ctx)
            self.tracker = NightTracker(ctx.election)
        tally = self.tally
        old = self.published
        if (
            old is not None
            and not delta.changes
            and delta.version == old.version
            and delta.certified == tally.certified
        ):
            return self._race_now() if with_race and self.race_stale else old
        tosses_at, changes_at = tally.tosses_at, tally.changes_at
        precincts, counties = tally.apply(delta)
        self._track(delta)
        render = Renderer(tally, self.cache)
        render.forget(counties)
        entries: dict[str, Encoded] = {} if old is None else dict(old.entries)
        changed: set[str] = set()
        if first:
            _put(entries, changed, "election", election_document(ctx))
            precincts = {p.pk for p in ctx.precincts}
            counties = {c.name for c in ctx.election.counties}
        precincts |= self._satellite_sites(counties)
        for pk in sorted(precincts):
            p = ctx.by_pk[pk]
            _put(entries, changed, f"precincts/{p.id}", render.precinct(p))
        for name in sorted(counties):
            doc = render.county(name)
            _put(entries, changed, f"counties/{doc['id']}", doc)
        # the toss list and the change log are rewritten only when they change
        if first or tally.tosses_at != tosses_at:
            _put(entries, changed, "coin-tosses", render.coin_tosses(_meta(tally.tosses_at)))
        if first or tally.changes_at != changes_at:
            _put(entries, changed, "changes", render.changes(_meta(tally.changes_at)))
        if with_race:
            self._compute_race()
        return self._publish(render, entries, changed)

    def _satellite_sites(self, counties: set[str]) -> set[int]:
        """The reported sites of the satellite pools among ``counties``: a pool is re-divided
        when one of its sites reports (rules.md §7.3), so each site's document changes."""
        tally = self.tally
        assert tally is not None
        out: set[int] = set()
        for name in counties:
            if self.ctx.election.county_by_name[name].satellite:
                out |= {p.pk for p in tally.refs_by_county.get(name, []) if p.pk in tally.current}
        return out

    def _publish(
        self, render: Renderer, entries: dict[str, Encoded], changed: set[str]
    ) -> DocumentSet:
        tally = render.tally
        race = self.race_doc if self.race else None
        for path, agg in render.aggregates(race, self.race_version).items():
            _put(entries, changed, path, agg)
        # the set's ETag: a hash of every "path=etag;" in path order, the pieces of the paths
        # that did not change kept from the previous build
        chunks = self.chunks
        for path in changed if len(chunks) + 1 >= len(entries) else entries:
            if path != "version":
                chunks[path] = f"{path}={entries[path].etag};"
        if len(self.order) != len(chunks):
            self.order = sorted(chunks)
        listing = "".join([chunks[p] for p in self.order])
        tag = '"' + hashlib.sha256(listing.encode()).hexdigest()[:32] + '"'
        _put(entries, changed, "version", {"version": tally.version, "etag": tag, **render.meta()})
        built = DocumentSet(tally.version, tally.updated_at, tag, entries, frozenset(changed))
        self.published = built
        return built

    def _track(self, delta: Delta) -> None:
        """Feed the delta's accepted reports to the race tracker (cheap: one add each)."""
        if not self.race or self.tracker is None:
            return
        election = self.ctx.election
        for ch in delta.changes:
            if ch.status != "accepted":
                continue
            ref = self.ctx.by_pk[ch.precinct_pk]
            p = election.precinct_by_key[(ref.county, ref.name)]
            v = ch.version
            d = satellite_delegates(v.attendees) if p.satellite else (p.delegates or 0)
            value = election.precinct_sde_value(p) or Fraction(0)
            self.tracker.add(UnitOutcome(p.key, d, dict(v.delegates), None, v.attendees, value))

    def _compute_race(self) -> None:
        if not self.race or self.tracker is None or self.tally is None:
            return
        race = self.tracker.race()
        panel = race_panel(call_race(race, search=True), race, self.ctx.election.sde_places_total)
        self.race_doc = panel
        self.race_version = self.tally.version
        self.race_at = time.monotonic()

    def _race_now(self) -> DocumentSet:
        assert self.tally is not None and self.published is not None
        self._compute_race()
        render = Renderer(self.tally, self.cache)
        return self._publish(render, dict(self.published.entries), set())

    def refresh_race(self) -> DocumentSet | None:
        """Bring the race panel up to the published version (background mode). The search runs
        outside :attr:`lock` on the tracker's copy of the race input, so that reports keep being
        published while it runs (issue 11: a report never waits for the race search)."""
        with self.lock:
            if not self.race_stale or self.tracker is None or self.tally is None:
                return None
            race, version = self.tracker.race(), self.tally.version
        panel = race_panel(call_race(race, search=True), race, self.ctx.election.sde_places_total)
        with self.lock:
            if version <= self.race_version or self.published is None or self.tally is None:
                return None
            self.race_doc, self.race_version, self.race_at = panel, version, time.monotonic()
            return self._publish(
                Renderer(self.tally, self.cache), dict(self.published.entries), set()
            )

    def catch_up(self, version: int | None = None, *, with_race: bool = True) -> DocumentSet:
        """Bring the published set up to the database (or at least to ``version``)."""
        with self.lock:
            pub = self.published
            if (
                pub is not None
                and version is not None
                and pub.version >= version
                and not (with_race and self.race_stale)
            ):
                return pub
            after = 0 if self.tally is None else self.tally.version
            with self.ctx.db.read() as s:
                delta = load_changes(s, after)
            return self.apply(delta, with_race=with_race)


def _meta(at: tuple[int, datetime | None]) -> Meta:
    return {"version": at[0], "last_update": iso(at[1]), "generated_at": iso(at[1])}


def _put(entries: dict[str, Encoded], changed: set[str], path: str, doc: Mapping[str, Any]) -> None:
    enc = Encoded.of(doc)
    prev = entries.get(path)
    if prev is None or prev.etag != enc.etag:
        entries[path] = enc
        changed.add(path)


def build_documents(ctx: Context, session: Session, as_of: datetime | None = None) -> DocumentSet:
    """Every public document of the results at ``as_of`` (default: now), built from scratch
    (the desk's diff between two moments). The race panel is left out of a past moment."""
    builder = Builder(ctx, race=as_of is None)
    with builder.lock:
        return builder.apply(load_changes(session, 0, as_of))
