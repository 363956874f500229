"""Alembic environment: the engine comes from :func:`caucuskit.db.migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from caucuskit.db.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    context.run_migrations()
