"""JSON API routers: chair, operator, desk, public (contract: docs/api.md)."""
