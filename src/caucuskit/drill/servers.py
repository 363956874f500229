"""Processes the drill may own: the results service (``caucus serve``) and a throwaway
PostgreSQL cluster on its own port, so that the faults of a night can be played for real.

Rule: rules.md §9 (an acknowledged report must survive a crash of the server or the database).
The cluster is always a new one in a temporary folder, listening on 127.0.0.1 only: the drill
never stops a database it did not start. Every wait here is bounded in time.
"""

from __future__ import annotations

import csv
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from caucuskit.drill.client import Credentials, Staff

CLI = [sys.executable, "-c", "from caucuskit.cli.app import main; main()"]


class ServerError(RuntimeError):
    """A process the drill owns did not start or stop in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    """initdb/pg_ctl refuse to run as root: run them as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerError("running as root without runuser: cannot start a PostgreSQL cluster")
    return [runuser, "-u", "postgres", "--"]


def pg_bin() -> Path:
    """The newest ``/usr/lib/postgresql/*/bin`` with initdb (or initdb on PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ServerError("no PostgreSQL server binaries (initdb) found")


@dataclass
class PgCluster:
    """A PostgreSQL cluster of the drill's own, in ``folder``, on ``port`` (127.0.0.1)."""

    folder: Path
    port: int = field(default_factory=free_port)
    bin: Path = field(default_factory=pg_bin)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/caucus"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        cmd = [*_as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ServerError(f"pg_ctl {args[0]} failed: {done.stderr.strip()}")

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        cmd = [
            *_as_postgres(),
            str(self.bin / "initdb"),
            "-D",
            str(self.folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise ServerError(f"initdb failed: {done.stderr.strip()}")
        self.start()
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            conn.execute("CREATE DATABASE caucus")

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        self._ctl("-l", str(self.folder / "server.log"), "-w", "-t", "60", "-o", opts, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except (ServerError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class OwnedServer:
    """``caucus serve`` run by the drill: set up, started, killed with SIGKILL, restarted."""

    db_url: str
    workers: int = 1
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def setup(self, election: str, folder: Path) -> Credentials:
        """``caucus init`` and ``caucus credentials issue``; the codes CSV goes in ``folder``."""
        out = folder / "codes.csv"
        for args in (
            ["init", "--election", election, "--db", self.db_url],
            ["credentials", "issue", "--db", self.db_url, "--out", str(out)],
        ):
            done = subprocess.run(
                [*CLI, *args], capture_output=True, text=True, env=self._env(), timeout=900
            )
            if done.returncode != 0:
                raise ServerError(f"caucus {args[0]} failed: {done.stderr.strip()}")
        return read_codes(out)

    def start(self, timeout: float = 90) -> None:
        cmd = [
            *CLI,
            "serve",
            "--db",
            self.db_url,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        self.log = self.log or Path(
            tempfile.mkstemp(prefix="caucus-drill-server-", suffix=".log")[1]
        )
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen(
                cmd, env=self._env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=fh
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"caucus serve exited ({self.proc.returncode}); see {self.log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise ServerError(f"caucus serve did not answer within {timeout:.0f} s; see {self.log}")

    def kill9(self) -> None:
        """SIGKILL to the server's whole process group (uvicorn and its workers)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill9()


def read_codes(path: Path) -> Credentials:
    """The CSV of ``caucus credentials issue``: precinct codes and staff passwords."""
    codes: dict[tuple[str, str], str] = {}
    staff: dict[str, tuple[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "precinct":
                codes[(row["county"], row["precinct"])] = row["secret"]
            elif row["kind"] == "account":
                staff[row["username"]] = (row["role"], row["secret"])
    ops = sorted(u for u, (role, _) in staff.items() if role == "operator")
    desks = sorted(u for u, (role, _) in staff.items() if role == "desk")
    desks += sorted(u for u, (role, _) in staff.items() if role == "admin")
    if len(ops) < 2 or not desks:
        raise ServerError(
            f"{path}: needs two operator accounts and a desk account with "
            "their passwords (as written by `caucus credentials issue`)"
        )
    return Credentials(
        codes,
        (Staff(ops[0], staff[ops[0]][1]), Staff(ops[1], staff[ops[1]][1])),
        Staff(desks[0], staff[desks[0]][1]),
    )
