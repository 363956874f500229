"""One public document ready to serve: its JSON bytes, its ETag, and (made when first asked
for) the same bytes gzipped.

Rule: none of rules.md (transport only); the bytes are those docs/api.md "Public" describes.
Design: docs/adr/0007-incremental-public-snapshot.md (amended: gzip made lazily).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["Encoded", "encode", "etag_of"]


def encode(doc: Any) -> bytes:
    """The canonical JSON bytes of a public document (sorted keys, no spaces, UTF-8)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class Encoded:
    """One public document: the parsed form, its JSON bytes, the same gzipped, its ETag.

    The gzip bytes are made the first time someone asks for them (a reader accepting gzip,
    ``publish``), not when the document is built: most documents of a build are replaced by the
    next one before anyone reads them compressed, and compressing them all was a large share
    of each build (issue 11). Two threads asking at once both compress the same bytes; either
    result is kept. Never changed otherwise.
    """

    __slots__ = ("_gzipped", "body", "doc", "etag")

    def __init__(
        self, doc: Mapping[str, Any], body: bytes, gzipped: bytes | None, etag: str
    ) -> None:
        self.doc = doc
        self.body = body
        self._gzipped = gzipped
        self.etag = etag

    @property
    def gzipped(self) -> bytes:
        got = self._gzipped
        if got is None:
            got = self._gzipped = gzip.compress(self.body, 6, mtime=0)
        return got

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Encoded):
            return NotImplemented
        return (self.body, self.etag) == (other.body, other.etag)

    def __hash__(self) -> int:
        return hash(self.etag)

    def __repr__(self) -> str:
        return f"Encoded(etag={self.etag}, {len(self.body)} bytes)"

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Encoded:
        body = encode(doc)
        return cls(doc, body, None, etag_of(body))
