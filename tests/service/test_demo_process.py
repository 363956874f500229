"""``caucus demo`` as a real process: it starts the service on a temporary SQLite file with
Iowa 2020 loaded, prints working chair codes, answers on loopback and stops cleanly on SIGTERM
(the process scripts/test measures with coverage's subprocess support)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import httpx
import pytest

from process_support import CLI, free_port

pytestmark = pytest.mark.slow


def _answers(url: str, proc: subprocess.Popen[str], seconds: float) -> bool:
    """Whether ``url`` answers 200 before ``proc`` ends or the time is up."""
    end = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < end:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def test_demo_serves_iowa_2020_and_prints_chair_codes() -> None:
    port = free_port()
    env = dict(
        os.environ, CAUCUS_ARGON2_TIME_COST="1", CAUCUS_ARGON2_MEMORY_KIB="1024", COLUMNS="200"
    )
    cmd = [
        *CLI,
        "demo",
        "--port",
        str(port),
        "--codes",
        "2",
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        start_new_session=True,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _answers(f"{base}/healthz", proc, seconds=90), "demo did not start"
        state = httpx.get(f"{base}/api/v1/public/state", timeout=10).json()
        assert state["precincts"]["reporting"] == 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    codes = re.findall(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b", out)
    assert "Demo chair codes" in out and len(codes) >= 2, out
