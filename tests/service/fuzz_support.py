"""What the two API fuzz tests share: how many examples, signing in by path, the settings."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from service.service_support import PASSWORDS

#: Examples per operation (a few hundred requests per database in all).
EXAMPLES = 12
#: Bounded, reproducible from the explicit examples, no example database on disk.
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def auth_for(op: Any) -> dict[str, str]:
    """Desk and operator paths signed in (so the fuzz gets past auth), others anonymous."""
    user = "desk1" if "/desk/" in op.path else "operator1" if "/operator/" in op.path else None
    if user is None:
        return {}
    token = base64.b64encode(f"{user}:{PASSWORDS[user]}".encode()).decode()
    return {"Authorization": "Basic " + token}
