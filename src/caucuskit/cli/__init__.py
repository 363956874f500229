"""The ``caucus`` command line (Typer + Rich)."""
