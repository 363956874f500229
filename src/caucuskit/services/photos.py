"""Photos of the signed worksheet (the paper record behind a report), attached to a version.

Rule: rules.md §9 (2020: the paper worksheets and preference cards were the record the
recanvass and recount went back to).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from sqlalchemy import select

from caucuskit.db.models import Photo, ReportVersion
from caucuskit.services import credentials
from caucuskit.services.context import Context, iso
from caucuskit.services.errors import Invalid, NotFound

MAX_PHOTO_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",),
         "image/webp": (b"RIFF",)}


def add_photo(ctx: Context, version_id: int, code: str, content_type: str, data_b64: str,
              client: str) -> dict[str, Any]:
    """Attach a photo to a version of the chair's own precinct (checked with its code)."""
    with ctx.db.read() as s:
        v = s.get(ReportVersion, version_id)
        pk = None if v is None else v.precinct_id
    if pk is None:
        raise NotFound(f"no version {version_id}", "version_id")
    precinct = ctx.by_pk[pk]
    credentials.verify_precinct_code(ctx, precinct, code, client)
    if content_type not in CONTENT_TYPES:
        raise Invalid(f"must be one of {', '.join(CONTENT_TYPES)}", "content_type")
    try:
        data = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid("not valid base64", "data") from exc
    if not data:
        raise Invalid("empty", "data")
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid(f"{len(data)} bytes, above {MAX_PHOTO_BYTES}", "data")
    if not data.startswith(MAGIC[content_type]):
        raise Invalid(f"does not look like {content_type}", "data")
    digest = hashlib.sha256(data).hexdigest()
    with ctx.db.write() as s:
        photo = Photo(version_id=version_id, precinct_id=pk, content_type=content_type,
                      size=len(data), sha256=digest, data=data, uploaded_at=ctx.clock(),
                      client=client[:100])
        s.add(photo)
        s.flush()
        ctx.audit(s, actor=f"chair:{precinct.id}", role="chair", action="photo.add",
                  outcome="ok", client=client, precinct=pk,
                  detail={"version_id": version_id, "photo_id": photo.id, "sha256": digest})
        return {"photo_id": photo.id, "bytes": len(data), "sha256": digest}


def list_photos(ctx: Context, version_id: int) -> list[dict[str, Any]]:
    with ctx.db.read() as s:
        rows = s.execute(select(Photo.id, Photo.size, Photo.sha256, Photo.content_type,
                                Photo.uploaded_at)
                         .where(Photo.version_id == version_id).order_by(Photo.id)).all()
    return [{"photo_id": r[0], "bytes": r[1], "sha256": r[2], "content_type": r[3],
             "uploaded_at": iso(r[4]), "url": f"/api/v1/desk/photos/{r[0]}"} for r in rows]


def get_photo(ctx: Context, photo_id: int) -> tuple[str, bytes]:
    with ctx.db.read() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(f"no photo {photo_id}", "photo_id")
        return p.content_type, p.data
