"""The web layer: the JSON API (``web.api``) and, when present, the HTML pages (``web.pages``).

Goes through :mod:`caucuskit.services` only (design.md, layering).
"""
