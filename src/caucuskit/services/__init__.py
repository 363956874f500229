"""Use cases: tabulate, audit, import, publish; the layer between cli/web and formats/db/core."""
