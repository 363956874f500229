"""``--site-delegates``: the D of at-large sites that no data set gives (Nevada 2020).

Rule: rules.md §2 (apportionment is input data): Nevada's casino sites had D set from expected
turnout, so ``init``, ``tabulate``, ``audit`` and ``call`` take it as SITE=D, one per site
(applied by :func:`caucuskit.services.nevada.apply_site_delegates`).
"""

from __future__ import annotations

from typing import Annotated

import typer

SiteDelegatesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--site-delegates",
        help="D of an at-large site whose D is not in the data (Nevada "
        "2020 casino sites), as SITE=D, e.g. 'Harrahs=34'; repeat for each site.",
    ),
]
