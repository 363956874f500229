"""The night, decided in advance from the results file and the seed (the drill is replayable).

Rule: rules.md §9 (2020: few chairs signed in beforehand, most results came by phone late in the
evening, a swamped hotline, defective reports, a recanvass). Every random choice here comes from
one ``random.Random(seed)`` over units sorted by name, so one seed gives one night: the same
arrival order, channels, defects, typos, flood targets and fault moments.

Times: ``arrival`` is in simulated seconds after the caucuses close; ``at`` is the real offset in
seconds from the start of the night, ``arrival / speed`` with idle stretches longer than
``max_gap`` real seconds cut down to ``max_gap`` (the quiet hours before the next morning's late
reports pass quickly; the order never changes).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.drill.reports import Body, body_of, problems, repair, settle_tosses, variant

HOUR = 3600.0


@dataclass(frozen=True)
class Options:
    """What the night looks like (rates are shares of the units replayed)."""

    seed: int = 2020
    speed: float = 60.0
    limit: int | None = None
    hotline_share: float = 0.30
    signin_share: float = 0.92
    duplicate_rate: float = 0.04
    timeout_rate: float = 0.05
    mistype_rate: float = 0.03
    forget_toss_rate: float = 0.25
    mismatch_rate: float = 0.15
    second_thoughts_rate: float = 0.01
    malformed: int | None = None
    recanvass: int | None = None
    flood: int | None = None
    flood_addresses: int = 3
    max_gap: float = 2.0
    readiness_seconds: float | None = None
    kills: int = 0
    pg_restarts: int = 0
    #: Longest a client keeps repeating one request (same key) before giving up, seconds.
    persist_seconds: float = 300.0


@dataclass
class Unit:
    """One reporting unit's night."""

    index: int
    county: str
    precinct: str
    channel: str  # "chair" or "hotline"
    body: Body  # the file's report as first sent (tosses settled when it is valid)
    refused: list[str]  # why the service must refuse the file's report (empty: it is fine)
    fixed: Body | None  # the correction sent after a refusal (None: nothing can be reported)
    arrival: float
    at: float = 0.0
    signin_at: float | None = None
    defects: frozenset[str] = frozenset()
    typo: Body | None = None  # the second operator's differing entry
    second_thoughts: Body | None = None  # a later, different report: a conflict for the desk
    recanvass: Body | None = None  # the desk's correction after the night

    @property
    def key(self) -> tuple[str, str]:
        return (self.county, self.precinct)

    @property
    def good(self) -> Body | None:
        """The report the chair stands by during the night."""
        return self.fixed if self.refused else self.body


@dataclass
class Plan:
    election: Election
    options: Options
    units: list[Unit]
    readiness_seconds: float
    malformed: list[tuple[int, str]]  # (unit index, kind)
    flood: int
    flood_targets: list[int]
    kills_at: list[float] = field(default_factory=list)
    pg_restarts_at: list[float] = field(default_factory=list)

    @property
    def night_seconds(self) -> float:
        return max((u.at for u in self.units), default=0.0)


MALFORMED = (
    "string-count",
    "boolean-count",
    "negative",
    "unknown-candidate",
    "missing-final",
    "not-json",
    "delegates-given",
    "too-large",
)


def _arrival(rng: random.Random) -> float:
    """Most reports within the first hour, a long tail, a few the next morning."""
    x = rng.random()
    if x < 0.80:
        return min(120.0 + rng.gammavariate(2.0, 600.0), HOUR)
    if x < 0.97:
        return min(HOUR + rng.expovariate(1 / HOUR), 6 * HOUR)
    return 12 * HOUR + rng.uniform(0.0, 2 * HOUR)


def real_delay(options: Options, sim_seconds: float) -> float:
    """Real seconds for a simulated wait inside one unit's story (capped like idle gaps)."""
    return min(sim_seconds / options.speed, options.max_gap)


def _pick(rng: random.Random, pool: Sequence[int], share: float) -> set[int]:
    k = min(len(pool), round(share * len(pool)))
    return set(rng.sample(list(pool), k)) if k else set()


def _units(
    election: Election, rows: Sequence[PrecinctReport], options: Options, rng: random.Random
) -> list[Unit]:
    """One unit per report: its body (tosses settled when the record lacks them), what the
    service will refuse and the chair's repair, the channel and the arrival."""
    units: list[Unit] = []
    for i, r in enumerate(rows):
        body = body_of(r)
        refused = problems(election, body)
        if refused and refused[0].startswith("tosses:"):
            body = settle_tosses(election, body, rng)
            refused = problems(election, body)
        fixed = repair(election, body, rng) if refused else None
        channel = "hotline" if rng.random() < options.hotline_share else "chair"
        units.append(Unit(i, r.county, r.precinct, channel, body, refused, fixed, _arrival(rng)))
    return units


def _defects(
    election: Election, units: list[Unit], options: Options, rng: random.Random
) -> list[int]:
    """Give each unit its slips (duplicates, timeouts, typos, forgotten tosses, hotline
    mismatches, second thoughts); returns the flood's target units."""
    idx = list(range(len(units)))
    chairs = [u.index for u in units if u.channel == "chair"]
    hotline = [u.index for u in units if u.channel == "hotline"]
    with_toss = [u.index for u in units if not u.refused and u.body.get("tosses")]
    fine = [u.index for u in units if not u.refused]
    flood_targets = sorted(_pick(rng, idx, 0.10))
    mistype_pool = [i for i in idx if i not in set(flood_targets)]
    defects: dict[int, set[str]] = {i: set() for i in idx}
    for name, pool, share in (
        ("duplicate", chairs, options.duplicate_rate),
        ("timeout", idx, options.timeout_rate),
        ("mistype", mistype_pool, options.mistype_rate),
        ("forget-toss", with_toss, options.forget_toss_rate),
        ("mismatch", hotline, options.mismatch_rate),
        ("second-thoughts", [i for i in chairs if i in set(fine)], options.second_thoughts_rate),
    ):
        for i in _pick(rng, pool, share):
            defects[i].add(name)
    for u in units:
        u.defects = frozenset(defects[u.index])
        good = u.good
        if good is not None and "mismatch" in u.defects:
            u.typo = variant(election, good, rng)
        if good is not None and "second-thoughts" in u.defects:
            u.second_thoughts = variant(election, good, rng)
    return flood_targets


def _recanvass(election: Election, units: list[Unit], options: Options, rng: random.Random) -> None:
    """The recanvass corrections the desk enters after the night (rules.md §9)."""
    n = len(units)
    n_recanvass = options.recanvass if options.recanvass is not None else max(2, n // 40)
    for i in sorted(rng.sample(list(range(n)), min(n_recanvass, n))):
        u = units[i]
        base = u.second_thoughts or u.good
        if base is not None:
            u.recanvass = variant(election, base, rng)


def _schedule(units: list[Unit], options: Options) -> None:
    """Real offsets of the arrivals: simulated gaps divided by the speed, each capped."""
    clock, last = 0.0, 0.0
    for u in sorted(units, key=lambda u: (u.arrival, u.index)):
        clock += min((u.arrival - last) / options.speed, options.max_gap)
        last = u.arrival
        u.at = clock


def _moments(
    by_time: Sequence[float], rng: random.Random, count: int, lo: float, hi: float
) -> list[float]:
    """``count`` arrival times spread over the quantiles ``lo``..``hi`` of the night."""
    if not by_time or count <= 0:
        return []
    out = []
    for k in range(count):
        q = lo + (hi - lo) * (k + rng.random()) / count
        out.append(by_time[min(len(by_time) - 1, int(q * len(by_time)))])
    return sorted(out)


def make_plan(election: Election, reports: Sequence[PrecinctReport], options: Options) -> Plan:
    """The deterministic night for ``reports`` (see the module docstring)."""
    rng = random.Random(options.seed)
    rows = sorted(reports, key=lambda r: r.key)
    rows = [r for r in rows if r.key in election.precinct_by_key]
    if options.limit is not None and options.limit < len(rows):
        rows = sorted(rng.sample(rows, options.limit), key=lambda r: r.key)
    units = _units(election, rows, options, rng)
    n = len(units)
    idx = list(range(n))
    flood_targets = _defects(election, units, options, rng)
    _recanvass(election, units, options, rng)
    # readiness: most chairs sign in during the days before, in a random order
    ready = options.readiness_seconds
    ready = ready if ready is not None else min(15.0, 2.0 + n / 200)
    for i in _pick(rng, idx, options.signin_share):
        units[i].signin_at = rng.uniform(0.0, ready)
    _schedule(units, options)
    n_bad = options.malformed if options.malformed is not None else max(len(MALFORMED), n // 50)
    malformed = (
        [(rng.choice(idx), MALFORMED[k % len(MALFORMED)]) for k in range(n_bad)] if n else []
    )
    flood = options.flood if options.flood is not None else min(5000, 3 * n)
    by_time = sorted(u.at for u in units)
    kills = _moments(by_time, rng, options.kills, 0.25, 0.45)
    return Plan(
        election,
        options,
        units,
        ready,
        malformed,
        flood,
        flood_targets,
        kills,
        _moments(by_time, rng, options.pg_restarts, 0.55, 0.75),
    )
