"""Early ranked ballots in the results service: loaded by the party per precinct before caucus
day, confirmed by the chair (count and checksum), applied when the chair's report is derived.

File format for loading (CSV, UTF-8, header required): ``county,precinct,choice1,...,choice5``
(or ``precinct_id`` instead of county and precinct), one ballot per row, choices from first
down; blank trailing choices are left out. A ballot with too few or too many choices is loaded
as written: the core counts it as void (rules.md §11 Q9), it is not refused here.

Rule: rules.md §4 NV (early ballots counted at the voter's home precinct), §11 Q9.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from caucuskit.core.early import EarlyBallot, early_checksum
from caucuskit.db.models import EarlyBallotSet
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.errors import Invalid

MAX_CHOICES = 12


@dataclass(frozen=True)
class LoadedEarly:
    """What was loaded for one precinct."""

    precinct_id: str
    count: int
    checksum: str


def early_for(ctx: Context, precinct: PrecinctRef) -> tuple[EarlyBallot, ...] | None:
    """The precinct's early ballots in force (the latest load), or None when none were loaded."""
    with ctx.db.read() as s:
        row = s.scalars(
            select(EarlyBallotSet)
            .where(EarlyBallotSet.precinct_id == precinct.pk)
            .order_by(EarlyBallotSet.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return tuple(EarlyBallot(tuple(str(c) for c in b)) for b in row.ballots)


def early_summary(ctx: Context, precinct: PrecinctRef) -> dict[str, object] | None:
    """``{"count", "checksum", "ballots"}`` for the chair to confirm, or None. The ballots
    themselves let the chair's phone count them offline (web/static/caucus-math.js)."""
    ballots = early_for(ctx, precinct)
    if ballots is None:
        return None
    return {
        "count": len(ballots),
        "checksum": early_checksum(ballots),
        "ballots": [list(b.choices) for b in ballots],
    }


def store_early(
    ctx: Context, precinct: PrecinctRef, ballots: list[list[str]], actor: str
) -> LoadedEarly:
    """Store ``ballots`` as the precinct's early ballots (a new row; the latest counts)."""
    if not ctx.election.rules.early_voting:
        raise Invalid(f"the {ctx.election.rules.name} rules have no early voting", "early")
    known = ctx.election.candidate_names
    for i, b in enumerate(ballots):
        for j, name in enumerate(b):
            if name not in known:
                raise Invalid(
                    f"{name!r} is not a candidate of this election", f"early[{i}].choices[{j}]"
                )
    parsed = tuple(EarlyBallot(tuple(b)) for b in ballots)
    checksum = early_checksum(parsed)
    with ctx.db.write() as s:
        s.add(
            EarlyBallotSet(
                precinct_id=precinct.pk,
                ballots=[list(b) for b in ballots],
                count=len(ballots),
                checksum=checksum,
                loaded_at=ctx.clock(),
                loaded_by=actor,
            )
        )
        ctx.audit(
            s,
            actor=actor,
            role="admin",
            action="early.load",
            outcome="ok",
            client="cli",
            precinct=precinct.pk,
            detail={"count": len(ballots), "checksum": checksum},
        )
    return LoadedEarly(precinct.id, len(ballots), checksum)


def read_early_file(ctx: Context, text: str) -> dict[str, list[list[str]]]:
    """Parse the CSV described in the module doc into ballots per precinct id; refuses a row
    naming no precinct with its line number."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    by_id = "precinct_id" in header
    if not by_id and header[:2] != ["county", "precinct"]:
        raise Invalid(
            "the header must start county,precinct (or contain precinct_id), then choice1..choice5",
            "file",
        )
    first_choice = 1 if by_id and header[0] == "precinct_id" else 2
    out: dict[str, list[list[str]]] = {}
    for line, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if by_id:
            ref = ctx.by_id.get(row[header.index("precinct_id")].strip())
        else:
            ref = ctx.by_name.get((row[0].strip(), row[1].strip()))
        if ref is None:
            raise Invalid(
                f"line {line}: {', '.join(row[:first_choice])!r} is not a precinct "
                "of this election",
                "file",
            )
        choices = [c.strip() for c in row[first_choice:] if c.strip()]
        if len(choices) > MAX_CHOICES:
            raise Invalid(f"line {line}: more than {MAX_CHOICES} choices", "file")
        out.setdefault(ref.id, []).append(choices)
    return out


def load_early_file(ctx: Context, path: str | Path, actor: str = "admin") -> list[LoadedEarly]:
    """Load an early-ballot CSV (see the module doc); one stored set per precinct."""
    text = Path(path).read_text(encoding="utf-8-sig")
    per = read_early_file(ctx, text)
    return [store_early(ctx, ctx.by_id[pid], ballots, actor) for pid, ballots in per.items()]


def demo_ballots(candidates: list[str], precinct_index: int, count: int = 7) -> list[list[str]]:
    """Deterministic demo ballots (for ``caucus demo``): rotations of the first five
    candidates, the last one void (two choices) so the worksheet shows a void ballot."""
    names = candidates[:5]
    out = []
    for i in range(count - 1):
        k = (i * 2 + precinct_index) % len(names)
        out.append(names[k:] + names[:k])
    out[-1] = out[-1][:3]
    out.append(names[:2])
    return out


def load_demo_early(ctx: Context, precinct_ids: list[str]) -> list[LoadedEarly]:
    """Load :func:`demo_ballots` for each of ``precinct_ids`` (the demo's precincts)."""
    names = [c.name for c in ctx.election.candidates if not c.withdrawn]
    order: tuple[str, ...] = ("Sanders", "Biden", "Buttigieg", "Warren", "Klobuchar")
    preferred: list[str] = [n for n in order if n in names]
    pool = preferred if len(preferred) == 5 else names
    return [
        store_early(ctx, ctx.by_id[pid], demo_ballots(pool, i), "demo")
        for i, pid in enumerate(precinct_ids)
    ]
