"""Real ``caucus`` processes for the tests: a free loopback port, the command line, and
``caucus serve`` started, awaited on ``/healthz`` and stopped (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

#: ``caucus`` run by the test interpreter (the checkout's, whatever is on PATH).
CLI = [sys.executable, "-c", "from caucuskit.cli.app import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group; SIGKILL when it is not gone after 20 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def caucus_serve(
    url: str, env: Mapping[str, str], *, workers: int = 1, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``caucus serve`` on ``url`` at a free loopback port, once ``/healthz`` answers 200:
    yields (base URL, process). Its stderr goes to ``log`` (or a pipe), quoted if it fails."""
    port = free_port()
    cmd = [*CLI, "serve", "--db", url, "--port", str(port), "--workers", str(workers)]
    if log is None:
        proc = subprocess.Popen(
            cmd,
            env=dict(env),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    else:
        with log.open("wb") as err:
            proc = subprocess.Popen(
                cmd, env=dict(env), start_new_session=True, stdout=subprocess.DEVNULL, stderr=err
            )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                said = log.read_text()[-2000:] if log is not None else repr(proc.stderr.read())  # type: ignore[union-attr]
                raise RuntimeError(f"server did not start: {said}")
            time.sleep(0.2)
        yield base, proc
    finally:
        stop(proc)


@contextmanager
def served_in_thread(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a daemon thread on a free loopback port (no lifespan):
    yields its base URL once it listens, stops it afterwards."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
