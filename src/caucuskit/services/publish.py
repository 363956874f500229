"""``caucus publish``: the public documents as static files, kept current with atomic renames.

Rule: rules.md §9 (publish raw alignments, SDEs and every correction). Each document is written
as ``OUT/<path>.json`` plus ``OUT/<path>.json.gz`` (for a web server's pre-compressed serving,
e.g. nginx ``gzip_static``): first to a temporary file in the same folder, then renamed over the
old one, so a web server never serves half a file. ``version.json`` is written last, so once a
reader sees a new version every document of that version is in place. docs/deploy.md shows
nginx serving the folder.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from caucuskit.services.context import Context
from caucuskit.services.public_feed import PublicFeed
from caucuskit.services.snapshot import DocumentSet


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_set(built: DocumentSet, out: Path, paths: Iterable[str] | None = None) -> list[Path]:
    """Write ``paths`` of ``built`` (default: all) under ``out``; ``version`` goes last."""
    chosen = sorted(built.entries if paths is None else paths, key=lambda p: (p == "version", p))
    written = []
    for path in chosen:
        e = built.entries[path]
        target = out / f"{path}.json"
        _write_atomic(target, e.body)
        _write_atomic(target.with_name(target.name + ".gz"), e.gzipped)
        written.append(target)
    return written


def publish(ctx: Context, out: Path) -> list[Path]:
    """Write every public document as ``out/<path>.json`` (and ``.json.gz``) once."""
    return write_set(PublicFeed(ctx).current(), out)


def watch(
    ctx: Context,
    out: Path,
    *,
    stop: threading.Event | None = None,
    on_write: Callable[[DocumentSet, int], None] | None = None,
) -> None:
    """Write everything, then only what changed, each time a new results version is built
    (until ``stop`` is set)."""
    feed = PublicFeed(ctx)
    first = True
    for built in feed.watch(stop):
        paths = None if first else built.changed
        written = write_set(built, out, paths)
        first = False
        if on_write is not None:
            on_write(built, len(written))
