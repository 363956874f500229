"""Idempotent photo uploads: who sent a photo with which Idempotency-Key, and one copy per version.

Adds ``photos.actor``, ``photos.idempotency_key`` and ``photos.request_hash`` (NULL on rows
stored before this revision), a unique index on ``(actor, idempotency_key)`` and a unique index
on ``(version_id, sha256)``: the same picture is never stored twice for one version.

``photos`` is insert-only (its triggers refuse UPDATE and DELETE), so duplicates stored before
this revision cannot be removed. On a database that already holds some, the second index only
covers rows added from now on (a partial index ``WHERE id > <largest id today>``); on every other
database it covers the whole table.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _legacy_duplicates_below() -> int | None:
    """The largest photo id if the table already holds a (version, sha256) twice, else None."""
    bind = op.get_bind()
    twice = bind.execute(
        sa.text(
            "SELECT COUNT(*) FROM (SELECT version_id, sha256 FROM photos "
            "GROUP BY version_id, sha256 HAVING COUNT(*) > 1) AS d"
        )
    ).scalar()
    if not twice:
        return None
    return int(bind.execute(sa.text("SELECT MAX(id) FROM photos")).scalar() or 0)


def upgrade() -> None:
    op.add_column("photos", sa.Column("actor", sa.String(200), nullable=True))
    op.add_column("photos", sa.Column("idempotency_key", sa.String(200), nullable=True))
    op.add_column("photos", sa.Column("request_hash", sa.String(64), nullable=True))
    op.create_index("uq_photo_idempotency", "photos", ["actor", "idempotency_key"], unique=True)
    below = _legacy_duplicates_below()
    if below is None:
        op.create_index("uq_photo_version_sha256", "photos", ["version_id", "sha256"], unique=True)
    else:
        where = sa.text(f"id > {below}")
        op.create_index(
            "uq_photo_version_sha256",
            "photos",
            ["version_id", "sha256"],
            unique=True,
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    op.drop_index("uq_photo_version_sha256", table_name="photos")
    op.drop_index("uq_photo_idempotency", table_name="photos")
    op.drop_column("photos", "request_hash")
    op.drop_column("photos", "idempotency_key")
    op.drop_column("photos", "actor")
