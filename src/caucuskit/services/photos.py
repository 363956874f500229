"""Photos of the signed worksheet (the paper record behind a report), attached to a version.

Rule: rules.md §9 (2020: the paper worksheets and preference cards were the record the
recanvass and recount went back to).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caucuskit.db.models import Photo, ReportVersion
from caucuskit.services import credentials, sessions
from caucuskit.services.context import Context, iso
from caucuskit.services.errors import Conflict, Invalid, NotFound, Unauthorized
from caucuskit.services.submit import lock_precinct

MAX_PHOTO_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
#: Pillow's name of each accepted format.
PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
#: Largest picture accepted, in pixels (a 2 MiB file can claim far more: a decompression bomb).
MAX_PIXELS = 40_000_000


def photo_request_hash(version_id: int, content_type: str, digest: str) -> str:
    """What makes two uploads "the same body" for ``Idempotency-Key`` (the code excluded)."""
    body = {"version_id": version_id, "content_type": content_type, "sha256": digest}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class PhotoUpload:
    """The answer ``{"photo_id", "bytes", "sha256"}`` and whether this request stored it."""

    answer: dict[str, Any]
    created: bool


def add_photo(
    ctx: Context,
    version_id: int,
    code: str | None,
    content_type: str,
    data_b64: str,
    client: str,
    idempotency_key: str | None = None,
    token: str | None = None,
) -> PhotoUpload:
    """Attach a photo to a version of the chair's own precinct (checked with its code).

    Idempotent: the same ``idempotency_key`` from the same chair with the same body answers the
    photo stored the first time (``created`` false), with another body :class:`Conflict` on
    ``idempotency_key``; a picture the version already has (same sha256) is never stored twice.
    Rule: rules.md §9 (the paper record behind a report, kept once).
    """
    pk = _authorize(ctx, version_id, code, token, client)
    data = _decode(content_type, data_b64)
    try:
        return _add_photo(ctx, version_id, pk, content_type, data, client, idempotency_key)
    except IntegrityError:  # a concurrent twin won the unique index: answer what it stored
        return _add_photo(ctx, version_id, pk, content_type, data, client, idempotency_key)


def _authorize(
    ctx: Context, version_id: int, code: str | None, token: str | None, client: str
) -> int:
    """The precinct pk of ``version_id`` once the caller is proven to be its chair.

    Checked before the version's existence is revealed: with a code, an unknown version is
    counted and answered exactly like a wrong code; with a token, a version of another
    precinct and an unknown one get the same 404."""
    with ctx.db.read() as s:
        v = s.get(ReportVersion, version_id)
        pk = None if v is None else v.precinct_id
    if token:
        own = sessions.precinct_of(ctx, token)
        if own is not None and own in ctx.by_pk:
            try:
                sessions.check(ctx, token, ctx.by_pk[own])
                if pk != own:
                    raise NotFound(f"no version {version_id} for your precinct", "version_id")
                return own
            except Unauthorized:
                if not code:
                    raise
        elif not code:
            raise Unauthorized("not a valid sign-in token", "authorization")
    if not code:
        raise Unauthorized("the precinct's access code (or a sign-in token) is required", "code")
    if pk is None:
        credentials.count_blind_guess(ctx, code, client)
        raise Unauthorized("wrong access code for this precinct", "code")
    credentials.verify_precinct_code(ctx, ctx.by_pk[pk], code, client)
    return pk


def _decode(content_type: str, data_b64: str) -> bytes:
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
    _check_image(content_type, data)
    return data


def _check_image(content_type: str, data: bytes) -> None:
    """Decode the whole picture with Pillow: the bytes must be a readable image of the format
    claimed, of sane size (so the desk is never served script dressed as a picture)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMAT[content_type]]) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise Invalid(f"{img.width}x{img.height} pixels, above {MAX_PIXELS}", "data")
                img.verify()
            with Image.open(io.BytesIO(data), formats=[PIL_FORMAT[content_type]]) as img:
                img.load()
    except Invalid:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise Invalid(f"not a readable {content_type} picture", "data") from exc


def _add_photo(
    ctx: Context,
    version_id: int,
    pk: int,
    content_type: str,
    data: bytes,
    client: str,
    idempotency_key: str | None,
) -> PhotoUpload:
    precinct = ctx.by_pk[pk]
    digest = hashlib.sha256(data).hexdigest()
    req_hash = photo_request_hash(version_id, content_type, digest)
    actor = f"chair:{precinct.id}"
    with ctx.db.write() as s:
        lock_precinct(ctx, s, pk)  # every photo of a version belongs to one precinct
        prior: Photo | None = None
        if idempotency_key:
            prior = s.scalar(
                select(Photo).where(Photo.actor == actor, Photo.idempotency_key == idempotency_key)
            )
            if prior is not None and prior.request_hash != req_hash:
                raise Conflict(
                    "this Idempotency-Key was used for a different photo", "idempotency_key"
                )
        if prior is None:
            prior = s.scalar(
                select(Photo)
                .where(Photo.version_id == version_id, Photo.sha256 == digest)
                .order_by(Photo.id)
                .limit(1)
            )
        if prior is not None:
            ctx.audit(
                s,
                actor=actor,
                role="chair",
                action="photo.add",
                outcome="replayed",
                client=client,
                precinct=pk,
                detail={
                    "version_id": version_id,
                    "photo_id": prior.id,
                    "sha256": digest,
                    "idempotency_key": idempotency_key,
                },
            )
            return PhotoUpload(
                {"photo_id": prior.id, "bytes": prior.size, "sha256": prior.sha256}, False
            )
        photo = Photo(
            version_id=version_id,
            precinct_id=pk,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            data=data,
            uploaded_at=ctx.clock(),
            client=client[:100],
            actor=actor,
            idempotency_key=idempotency_key,
            request_hash=req_hash,
        )
        s.add(photo)
        s.flush()
        ctx.audit(
            s,
            actor=actor,
            role="chair",
            action="photo.add",
            outcome="ok",
            client=client,
            precinct=pk,
            detail={
                "version_id": version_id,
                "photo_id": photo.id,
                "sha256": digest,
                "idempotency_key": idempotency_key,
            },
        )
        return PhotoUpload({"photo_id": photo.id, "bytes": len(data), "sha256": digest}, True)


def list_photos(ctx: Context, version_id: int) -> list[dict[str, Any]]:
    with ctx.db.read() as s:
        rows = s.execute(
            select(Photo.id, Photo.size, Photo.sha256, Photo.content_type, Photo.uploaded_at)
            .where(Photo.version_id == version_id)
            .order_by(Photo.id)
        ).all()
    return [
        {
            "photo_id": r[0],
            "bytes": r[1],
            "sha256": r[2],
            "content_type": r[3],
            "uploaded_at": iso(r[4]),
            "url": f"/api/v1/desk/photos/{r[0]}",
        }
        for r in rows
    ]


def get_photo(ctx: Context, photo_id: int) -> tuple[str, bytes]:
    with ctx.db.read() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(f"no photo {photo_id}", "photo_id")
        return p.content_type, p.data
