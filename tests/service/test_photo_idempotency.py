"""Idempotent worksheet-photo uploads on SQLite and PostgreSQL (docs/api-requests.md item 5).

Rule: rules.md §9 — the signed worksheet is the paper record behind a report: keep it once. The
chair's outbox resends a photo with the same Idempotency-Key until it is acknowledged.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from caucuskit.db.migrate import downgrade, upgrade
from caucuskit.db.models import AuditEntry, Photo
from service.images import picture
from service.service_support import ADAIR_ID, Service

JPEG = picture("JPEG", 10)
OTHER_JPEG = picture("JPEG", 200)


def post(svc: Service, path: str, body: Any, **kw: Any) -> Any:
    return svc.client.post(f"/api/v1{path}", json=body, **kw)


def photo_body(svc: Service, data: bytes = JPEG) -> dict[str, str]:
    return {
        "code": svc.codes[ADAIR_ID],
        "content_type": "image/jpeg",
        "data": base64.b64encode(data).decode(),
    }


def stored(svc: Service) -> list[tuple[int, int, str]]:
    with svc.ctx.db.read() as s:
        rows = s.execute(select(Photo.id, Photo.version_id, Photo.sha256).order_by(Photo.id)).all()
        return [(r[0], r[1], r[2]) for r in rows]


def a_version(svc: Service) -> int:
    r = post(svc, "/chair/reports", svc.report())
    assert r.status_code == 201, r.text
    return int(r.json()["version_id"])


def test_same_key_same_photo_answers_the_first_photo(service: Service) -> None:
    v = a_version(service)
    key = {"Idempotency-Key": "photo-7f3a"}
    first = post(service, f"/chair/reports/{v}/photo", photo_body(service), headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = post(service, f"/chair/reports/{v}/photo", photo_body(service), headers=key)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["bytes"] == len(JPEG)
    assert len(stored(service)) == 1
    # the desk sees one photo on the version
    hist = service.client.get(
        f"/api/v1/desk/precincts/{ADAIR_ID}", auth=service.auth("desk1")
    ).json()
    assert [p["photo_id"] for p in hist["versions"][0]["photos"]] == [first.json()["photo_id"]]
    with service.ctx.db.read() as s:
        outcomes = s.scalars(
            select(AuditEntry.outcome)
            .where(AuditEntry.action == "photo.add")
            .order_by(AuditEntry.id)
        ).all()
    assert outcomes == ["ok", "replayed"]


def test_same_key_with_another_photo_is_a_409_on_idempotency_key(service: Service) -> None:
    v = a_version(service)
    key = {"Idempotency-Key": "photo-1"}
    assert (
        post(service, f"/chair/reports/{v}/photo", photo_body(service), headers=key).status_code
        == 201
    )
    r = post(service, f"/chair/reports/{v}/photo", photo_body(service, OTHER_JPEG), headers=key)
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "conflict"
    assert r.json()["problems"][0]["field"] == "idempotency_key"
    png = {
        "code": service.codes[ADAIR_ID],
        "content_type": "image/webp",
        "data": base64.b64encode(picture("WEBP")).decode(),
    }
    assert post(service, f"/chair/reports/{v}/photo", png, headers=key).status_code == 409
    assert len(stored(service)) == 1
    # a refused resend is logged and stores nothing
    with service.ctx.db.read() as s:
        refused = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "photo.add", AuditEntry.outcome == "refused")
        )
    assert refused == 2


def test_the_same_picture_is_never_stored_twice_for_a_version(service: Service) -> None:
    v = a_version(service)
    first = post(service, f"/chair/reports/{v}/photo", photo_body(service))
    assert first.status_code == 201
    # resent without a key, or with a fresh key: the stored photo is the answer
    for headers in ({}, {"Idempotency-Key": "fresh-key"}):
        again = post(service, f"/chair/reports/{v}/photo", photo_body(service), headers=headers)
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["photo_id"] == first.json()["photo_id"]
    # a different picture is a new photo
    other = post(service, f"/chair/reports/{v}/photo", photo_body(service, OTHER_JPEG))
    assert other.status_code == 201 and other.json()["photo_id"] != first.json()["photo_id"]
    assert len(stored(service)) == 2


def test_the_same_picture_on_another_version_is_stored_there(service: Service) -> None:
    v1 = a_version(service)
    alt = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 11}
    r = post(service, "/chair/reports", service.report(first=alt, final=alt, tosses=[]))
    v2 = r.json()["version_id"]
    assert r.json()["status"] == "conflict"
    a = post(service, f"/chair/reports/{v1}/photo", photo_body(service))
    b = post(service, f"/chair/reports/{v2}/photo", photo_body(service))
    assert (a.status_code, b.status_code) == (201, 201)
    assert [row[1] for row in stored(service)] == [v1, v2]


def photo_row(
    version: int, precinct: int, data: bytes, at: datetime, client: str, digest: str = ""
) -> Photo:
    """A JPEG photo row written straight to the database (past the service's checks); its
    SHA-256 is ``digest`` when given, else that of ``data``."""
    return Photo(
        version_id=version,
        precinct_id=precinct,
        content_type="image/jpeg",
        size=len(data),
        sha256=digest or hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_at=at,
        client=client,
    )


def test_the_database_refuses_a_second_copy(service: Service) -> None:
    v = a_version(service)
    pid = post(service, f"/chair/reports/{v}/photo", photo_body(service)).json()["photo_id"]
    with service.ctx.db.read() as s:
        p = s.get(Photo, pid)
        assert p is not None
        pk, digest = p.precinct_id, p.sha256
    with pytest.raises(IntegrityError):
        with service.ctx.db.write() as s:
            s.add(photo_row(v, pk, JPEG, datetime(2020, 2, 3, 21), "test", digest))


def test_migration_keeps_duplicates_stored_before_it(service: Service) -> None:
    """A database that already holds duplicate photos (insert-only: they stay) still upgrades;
    from then on an upload of that picture answers the first stored copy, and the database
    refuses any new pair of copies."""
    v = a_version(service)
    engine = service.ctx.db.engine
    service.ctx.db.dispose()
    downgrade(engine, "0002")
    digest = hashlib.sha256(JPEG).hexdigest()
    with service.ctx.db.write() as s:
        pk = s.execute(
            text("SELECT precinct_id FROM report_versions WHERE id = :v"), {"v": v}
        ).scalar_one()
        for _ in range(2):
            s.execute(
                text(
                    "INSERT INTO photos (version_id, precinct_id, content_type, size, sha256, "
                    "data, uploaded_at, client) "
                    "VALUES (:v, :p, 'image/jpeg', :n, :h, :d, :t, 'old')"
                ),
                {
                    "v": v,
                    "p": pk,
                    "n": len(JPEG),
                    "h": digest,
                    "d": JPEG,
                    "t": datetime(2020, 2, 3, 21),
                },
            )
    service.ctx.db.dispose()
    upgrade(engine)
    legacy = stored(service)
    assert len(legacy) == 2
    r = post(service, f"/chair/reports/{v}/photo", photo_body(service))
    assert r.status_code == 200 and r.json()["photo_id"] == legacy[0][0]
    assert len(stored(service)) == 2
    with service.ctx.db.write() as s:
        s.add(photo_row(v, pk, OTHER_JPEG, datetime(2020, 2, 3, 22), "new"))
    with pytest.raises(IntegrityError):
        with service.ctx.db.write() as s:
            s.add(photo_row(v, pk, OTHER_JPEG, datetime(2020, 2, 3, 22), "new"))
