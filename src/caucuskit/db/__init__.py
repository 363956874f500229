"""Storage: SQLAlchemy 2 models, the engine/session factory and the Alembic migrations.

Imports only value types from :mod:`caucuskit.core` (design.md, layering).
"""
