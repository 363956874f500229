"""Photos of signed worksheets attached to report versions (insert-only).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("version_id", _id, sa.ForeignKey("report_versions.id"), nullable=False),
        sa.Column("precinct_id", _id, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("content_type", sa.String(50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
    )
    op.create_index("ix_photos_version_id", "photos", ["version_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER photos_append_only BEFORE UPDATE OR DELETE ON photos "
            "FOR EACH ROW EXECUTE FUNCTION caucus_append_only()"
        )
    elif dialect == "sqlite":
        for name in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER photos_no_{name.lower()} BEFORE {name} ON photos "
                "BEGIN SELECT RAISE(ABORT, 'table photos is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table("photos")
