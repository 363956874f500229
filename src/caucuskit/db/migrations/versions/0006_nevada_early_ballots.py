"""Nevada early ranked ballots per precinct, as loaded by the party (insert-only).

Card draws need no table: they are stored with the report version's games of chance
(``report_versions.tosses``: the cards and witnesses of each draw).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "early_ballot_sets",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("precinct_id", _id, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("ballots", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(20), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_early_ballot_sets_precinct_id", "early_ballot_sets", ["precinct_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER early_ballot_sets_append_only BEFORE UPDATE OR DELETE ON "
            "early_ballot_sets FOR EACH ROW EXECUTE FUNCTION caucus_append_only()"
        )
    elif dialect == "sqlite":
        for name in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER early_ballot_sets_no_{name.lower()} BEFORE {name} ON "
                "early_ballot_sets BEGIN SELECT RAISE(ABORT, 'table early_ballot_sets "
                "is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table("early_ballot_sets")
