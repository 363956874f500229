"""An index on ``decisions.results_version``: the public snapshot builder reads the decisions made
after the results version it has (docs/adr/0007-incremental-public-snapshot.md), which without
it is a scan of the whole table on every build.

Revision ID: 0005
Revises: 0003 (the lead relinks the chain when other revisions land first)
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_decision_results_version", "decisions", ["results_version"])


def downgrade() -> None:
    op.drop_index("ix_decision_results_version", table_name="decisions")
