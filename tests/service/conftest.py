"""Fixtures of the results-service tests: every API test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from service.service_support import Service, db_url, service

__all__ = ["Service", "db_url", "service"]
