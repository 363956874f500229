"""caucuskit: exact, auditable results for party caucuses."""

__version__ = "0.1.0"
