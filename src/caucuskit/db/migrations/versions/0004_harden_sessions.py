"""Chair session tokens (verify a chair once) and the secrets every worker shares.

Adds ``chair_sessions`` (one row per sign-in token: precinct, the access code it was made with,
expiry, revocation) and ``service_secrets`` (the token-signing key, made on first use so that
all workers sign and check with the same one). Throttle counters keep using ``throttles``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chair_sessions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("precinct_id", _ID, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("code_id", _ID, sa.ForeignKey("access_codes.id"), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("client", sa.String(100), nullable=False),
    )
    op.create_index("ix_chair_sessions_precinct_id", "chair_sessions", ["precinct_id"])
    op.create_table(
        "service_secrets",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_secrets")
    op.drop_index("ix_chair_sessions_precinct_id", table_name="chair_sessions")
    op.drop_table("chair_sessions")
