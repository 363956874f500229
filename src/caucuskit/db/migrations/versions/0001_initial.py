"""Initial schema: election, precincts, credentials, versions, decisions, audit log, snapshots.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("report_versions", "decisions", "audit_log", "access_codes", "chair_signins")

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _pk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", _id, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("ruleset", sa.String(50), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("certified_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "precincts",
        _pk(),
        sa.Column("slug", sa.String(300), nullable=False, unique=True),
        sa.Column("county", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("delegates", sa.Integer(), nullable=True),
        sa.Column("satellite", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("county", "name", name="uq_precinct_name"),
    )
    op.create_table(
        "results_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "access_codes",
        _pk(),
        sa.Column("precinct_id", _id, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )
    op.create_index("ix_access_codes_precinct_id", "access_codes", ["precinct_id"])
    op.create_table(
        "accounts",
        _pk(),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "chair_signins",
        _pk(),
        sa.Column("precinct_id", _id, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
    )
    op.create_index("ix_chair_signins_precinct_id", "chair_signins", ["precinct_id"])
    op.create_table(
        "throttles",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "report_versions",
        _pk(),
        sa.Column("receipt", sa.String(40), nullable=False, unique=True),
        sa.Column("precinct_id", _id, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("first", sa.JSON(), nullable=False),
        sa.Column("final", sa.JSON(), nullable=False),
        sa.Column("tosses", sa.JSON(), nullable=False),
        sa.Column("worksheet", sa.JSON(), nullable=False),
        sa.Column("delegates", sa.JSON(), nullable=False),
        sa.Column("sde", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("pair_of", _id, sa.ForeignKey("report_versions.id"), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.UniqueConstraint("actor", "idempotency_key", name="uq_version_idempotency"),
    )
    op.create_index("ix_version_precinct", "report_versions", ["precinct_id", "id"])
    op.create_table(
        "decisions",
        _pk(),
        sa.Column("version_id", _id, sa.ForeignKey("report_versions.id"), nullable=False),
        sa.Column("precinct_id", _id, sa.ForeignKey("precincts.id"), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("results_version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_decisions_version_id", "decisions", ["version_id"])
    op.create_index("ix_decision_precinct", "decisions", ["precinct_id", "id"])
    op.create_table(
        "audit_log",
        _pk(),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("precinct_id", sa.Integer(), nullable=True),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("generated_at", sa.DateTime(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    """UPDATE and DELETE on the history tables raise, in the database itself."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION caucus_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'table % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION caucus_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION caucus_append_only()"
            )
    elif dialect == "sqlite":
        for table in APPEND_ONLY:
            for op_name in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in (
        "snapshots",
        "audit_log",
        "decisions",
        "report_versions",
        "throttles",
        "chair_signins",
        "accounts",
        "access_codes",
        "results_state",
        "precincts",
        "elections",
    ):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS caucus_append_only()")
