"""Benchmark: caucus night on loopback — chairs submitting while ETag readers poll, then the
public state at rest from the application and from nginx serving the published files.

Run (bounded: a few minutes at most):
    .venv/bin/python benchmarks/bench_night.py [--precincts 600] [--workers 2]
        [--chairs 8] [--readers 16] [--seconds 15] [--db postgresql+psycopg://...]

What it does, all on 127.0.0.1:
1. A fresh results database (SQLite file, or the empty PostgreSQL database given) with iowa-2020
   and access codes for ``--precincts`` precincts that have a valid 8 Feb 2020 report.
2. ``caucus serve --workers N`` as a subprocess.
3. *Without readers*: a third of the reports, sent by ``--chairs`` client threads.
4. *The night*: the rest of the reports by the same chairs while ``--readers`` connections poll
   ``/api/v1/public/state`` with the ETag they last got (200 when it changed, else 304).
   Every 5th accepted report is followed by a probe polling that precinct's public document
   until it shows the report: acknowledgement -> visible.
5. *At rest*: the same ``state.json`` read (plain GET, identity encoding) from the application
   and from nginx over the folder ``caucus publish`` wrote (docs/deploy.md).

Readers use ``wrk`` (Debian package) with a small Lua script when it is installed, else Python
client threads (much slower: then the figure is the client's limit, and the output says so).
Chairs always use Python: a keep-alive ``http.client`` connection each (``--client httpx``:
httpx, as in sessions 2-3, several times the client's CPU, which on two cores is taken from the
server being measured). Each chair signs in once with its access code and sends its reports
with the sign-in token (``--codes``: the code with every report instead). argon2 is set to time
cost 1 / 1 MiB memory so that the sign-ins do not dominate the set-up.
Prints one line per figure; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from bench_support import CLI, free_port, valid_bodies

from caucuskit.formats.election_file import load_election
from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database

STATE = "/api/v1/public/state"
FAST_ARGON2 = {"CAUCUS_ARGON2_TIME_COST": "1", "CAUCUS_ARGON2_MEMORY_KIB": "1024"}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk")

LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) c200 = 0; c304 = 0; cother = 0; etag = nil end
function request()
  if etag then return wrk.format("GET", nil, {["If-None-Match"] = etag}) end
  return wrk.format("GET")
end
function response(status, headers, body)
  if status == 200 then
    c200 = c200 + 1
    etag = headers["etag"] or headers["ETag"]
  elseif status == 304 then c304 = c304 + 1 else cother = cother + 1 end
end
function done(summary, latency, requests)
  local a, b, o = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("c200"); b = b + t:get("c304"); o = o + t:get("cother")
  end
  io.write(string.format("STATUS %d %d %d\n", a, b, o))
  io.write(string.format("P50US %d\nP99US %d\n", latency:percentile(50),
                         latency:percentile(99)))
end
"""

NGINX_CONF = """
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 1024; multi_accept on; }}
http {{
  include /etc/nginx/mime.types;
  # Debian's /etc/nginx/nginx.conf has sendfile and tcp_nopush on; the site (docs/deploy.md)
  # adds keepalive_requests and no access log for the public documents.
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 100000;
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location /api/v1/public/ {{
      root {root};
      rewrite ^/api/v1/public/(.+)$ /$1.json break;
      gzip_static on;
      add_header Cache-Control "public, max-age=5" always;
      add_header Vary "Accept-Encoding" always;
    }}
  }}
}}
"""


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of process group
    ``pgid`` (Linux /proc): the server's own cost, whatever else the machine is doing."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / tick


class CpuMeter:
    """Requests (or reports) per CPU second of one process group, over a ``with`` block."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self.used = 0.0

    def __enter__(self) -> CpuMeter:
        self.start = group_cpu(self.pgid)
        return self

    def __exit__(self, *_: object) -> None:
        self.used = group_cpu(self.pgid) - self.start

    def per_cpu_second(self, count: float) -> float:
        return count / self.used if self.used > 0 else float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))]


class Plain:
    """A keep-alive HTTP/1.1 client on the standard library's ``http.client``: the same
    requests as httpx at a fraction of its CPU (on two cores the load generator's own CPU is
    taken from the server it measures). ``.post``/``.get`` return (status, parsed JSON)."""

    def __init__(self, base: str, timeout: float) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        hdrs = dict(headers or {})
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        for attempt in (1, 2):  # a keep-alive connection the server closed: once more
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Chairs:
    """``n`` threads posting reports; latency per request; probes of ack -> visible."""

    def __init__(
        self,
        base: str,
        codes: dict[str, str],
        n: int,
        probe_interval: float = 0.02,
        client: str = "stdlib",
    ) -> None:
        self.base, self.codes, self.n = base, codes, n
        self.probe_interval, self.client = probe_interval, client
        self.latency: list[float] = []
        self.visible: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()
        self.probes: list[threading.Thread] = []
        self.tokens: dict[str, str] = {}

    def sign_in(self, ids: list[str]) -> float:
        """Every chair signs in once with the access code (argon2) and keeps the token for
        the reports (issue 11 item 3); returns sign-ins per second."""
        t0 = time.perf_counter()
        with httpx.Client(base_url=self.base, timeout=60) as c:
            for pid in ids:
                r = c.post(
                    "/api/v1/chair/signin", json={"precinct_id": pid, "code": self.codes[pid]}
                )
                r.raise_for_status()
                self.tokens[pid] = r.json()["token"]
        return len(ids) / (time.perf_counter() - t0)

    def _connect(self, timeout: float) -> Any:
        if self.client == "stdlib":
            return contextlib.closing(Plain(self.base, timeout))
        return httpx.Client(base_url=self.base, timeout=timeout)

    def _send(self, c: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        if isinstance(c, Plain):
            return c.request(method, path, kw.get("json"), kw.get("headers"))
        r = c.request(method, path, **kw)
        return r.status_code, r.json() if r.content else None

    def _probe(self, pid: str, acked: float) -> None:
        with self._connect(30) as c:
            while time.perf_counter() - acked < 30:
                status, doc = self._send(c, "GET", f"/api/v1/public/precincts/{pid}")
                if status == 200 and doc.get("reported"):
                    with self.lock:
                        self.visible.append(time.perf_counter() - acked)
                    return
                time.sleep(self.probe_interval)

    def run(self, bodies: list[dict[str, Any]], probe_every: int = 0) -> float:
        queue = list(bodies)
        count = [0]

        def worker() -> None:
            with self._connect(60) as c:
                while True:
                    with self.lock:
                        if not queue:
                            return
                        body = queue.pop()
                        count[0] += 1
                        probe = probe_every and count[0] % probe_every == 0
                    headers = {"Idempotency-Key": "bench-" + body["precinct_id"]}
                    token = self.tokens.get(body["precinct_id"])
                    if token:  # signed in: the token, as the chair page sends it
                        headers["Authorization"] = f"Bearer {token}"
                    else:
                        body = dict(body, code=self.codes[body["precinct_id"]])
                    t0 = time.perf_counter()
                    status, _ = self._send(
                        c, "POST", "/api/v1/chair/reports", json=body, headers=headers
                    )
                    acked = time.perf_counter()
                    with self.lock:
                        self.latency.append(acked - t0)
                        self.statuses[status] = self.statuses.get(status, 0) + 1
                    if probe and status == 201:
                        t = threading.Thread(target=self._probe, args=(body["precinct_id"], acked))
                        t.start()
                        with self.lock:
                            self.probes.append(t)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(self.n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dt = time.perf_counter() - t0
        for t in self.probes:
            t.join()
        return len(bodies) / dt


def wrk(url: str, connections: int, seconds: float, etag_readers: bool) -> dict[str, float]:
    """Run wrk (2 threads) against ``url``; requests/s, p50/p99 (ms), 200/304 counts."""
    assert WRK is not None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(
            LUA if etag_readers else LUA.replace("if etag then return", "if false then return")
        )
        script = fh.name
    out = subprocess.run(
        [
            WRK,
            "-t2",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--timeout",
            "10s",
            "-s",
            script,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    s200, s304, other = (int(x) for x in re.search(r"STATUS (\d+) (\d+) (\d+)", out).group(1, 2, 3))  # type: ignore[union-attr]
    p50 = int(re.search(r"P50US (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p99 = int(re.search(r"P99US (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    total = max(1, s200 + s304 + other)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "rps200": rps * s200 / total,
        "rps304": rps * s304 / total,
        "other": other,
    }


def python_readers(url: str, n: int, seconds: float, etag_readers: bool) -> dict[str, float]:
    """The fallback reader: ``n`` Python threads (the client is the limit, not the server)."""
    lat: list[float] = []
    counts = {200: 0, 304: 0, 0: 0}
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def reader() -> None:
        tag = None
        with httpx.Client(timeout=30) as c:
            while time.perf_counter() < end:
                headers: dict[str, str] = {"If-None-Match": tag} if tag and etag_readers else {}
                t0 = time.perf_counter()
                r = c.get(url, headers=headers)
                with lock:
                    lat.append(time.perf_counter() - t0)
                    counts[r.status_code if r.status_code in (200, 304) else 0] += 1
                if r.status_code == 200:
                    tag = r.headers.get("etag")

    threads = [threading.Thread(target=reader) for _ in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    return {
        "rps": len(lat) / dt,
        "p50_ms": pct(lat, 50) * 1000,
        "p99_ms": pct(lat, 99) * 1000,
        "rps200": counts[200] / dt,
        "rps304": counts[304] / dt,
        "other": counts[0],
    }


def readers(url: str, n: int, seconds: float, etag: bool = True) -> dict[str, float]:
    return (wrk if WRK else python_readers)(url, n, seconds, etag)


def start_nginx(root: Path, tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    conf = tmp / "nginx.conf"
    user = "user root root;" if os.geteuid() == 0 else ""
    conf.write_text(NGINX_CONF.format(tmp=tmp, root=root, port=port, user=user, workers=workers))
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    wait_up(base + STATE)
    return proc, base


def wait_up(url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def line(label: str, value: str) -> None:
    print(f"{label:<58} {value}", flush=True)


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def at_rest(
    pid: int, base: str, args: argparse.Namespace, etag: bool, what: str, who: str, status: str
) -> dict[str, float]:
    """Readers of state.json with nothing else going on: reads/s, p99, reads per CPU second of
    the serving process group ``pid`` (printed; the readers' figures returned)."""
    with CpuMeter(pid) as cpu:
        got = readers(base + STATE, args.readers, args.seconds, etag=etag)
    line(f"at rest, {what}: reads/s (p99)", f"{got['rps']:8.0f}   ({got['p99_ms']:.1f} ms)")
    line(
        f"  reads per {who} CPU second ({status})",
        f"{cpu.per_cpu_second(got['rps'] * args.seconds):8.0f}",
    )
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--precincts", type=int, default=600)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chairs", type=int, default=8)
    ap.add_argument("--readers", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0, help="each at-rest read phase")
    ap.add_argument("--db", default=None)
    ap.add_argument(
        "--client",
        choices=("stdlib", "httpx"),
        default="stdlib",
        help="the chairs' HTTP client: http.client keep-alive (lean) or httpx (sessions 2-3)",
    )
    ap.add_argument(
        "--probe-every", type=int, default=5, help="probe ack -> visible after every Nth report"
    )
    ap.add_argument(
        "--probe-interval",
        type=float,
        default=0.02,
        help="seconds between a probe's polls of the precinct's public document",
    )
    ap.add_argument(
        "--codes", action="store_true", help="send the access code with every report (no sign-in)"
    )
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="caucus-night-"))
    url = args.db or str(folder / "night.sqlite")
    os.environ.update(FAST_ARGON2)
    ctx = Context(Settings.from_env(database_url=url))
    init_database(ctx.db, load_election("iowa-2020"))
    bodies = valid_bodies(ctx, args.precincts)
    issued, _ = credentials.issue_codes(ctx, only=[b["precinct_id"] for b in bodies])
    codes = {c.precinct_id: c.code for c in issued}
    ctx.db.dispose()
    line("readers", f"wrk {WRK}" if WRK else "Python threads (wrk not installed)")
    line(
        "database / workers / chairs / reader connections",
        f"{ctx.db.dialect} / {args.workers} / {args.chairs} / {args.readers}",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*CLI, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)],
        env=dict(os.environ),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    nginx = None
    try:
        wait_up(base + STATE)
        alone, night = bodies[: len(bodies) // 3], bodies[len(bodies) // 3 :]
        chairs = Chairs(base, codes, args.chairs, client=args.client)
        line("chairs' HTTP client", args.client)
        if not args.codes:
            signins = chairs.sign_in([b["precinct_id"] for b in bodies])
            line("chair sign-ins/s (code + argon2, once per chair, one client)", f"{signins:8.1f}")
        with CpuMeter(server.pid) as cpu:
            rate = chairs.run(alone)
        line(
            f"submissions/s without readers ({len(alone)} reports)",
            f"{rate:8.1f}   p99 {pct(chairs.latency, 99) * 1000:7.1f} ms  {chairs.statuses}",
        )
        line(
            "  server CPU per report (all workers, builders included)",
            f"{cpu.used / len(alone) * 1000:8.1f} ms  = "
            f"{cpu.per_cpu_second(len(alone)):.0f} reports per CPU second",
        )
        night_chairs = Chairs(base, codes, args.chairs, args.probe_interval, args.client)
        night_chairs.tokens = chairs.tokens
        result: dict[str, dict[str, float]] = {}
        # the readers run for as long as the chairs are expected to need, then a bit more
        expect = max(5.0, len(night) / max(rate, 1) * 1.5)
        reader = threading.Thread(
            target=lambda: result.setdefault("night", readers(base + STATE, args.readers, expect))
        )
        reader.start()
        time.sleep(0.5)
        night_rate = night_chairs.run(night, probe_every=args.probe_every)
        reader.join()
        r = result["night"]
        line(
            f"submissions/s with readers ({len(night)} reports)",
            f"{night_rate:8.1f}   p99 {pct(night_chairs.latency, 99) * 1000:7.1f} ms  "
            f"{night_chairs.statuses}",
        )
        line(
            "public reads/s during the night: all (200 / 304)",
            f"{r['rps']:8.0f}   ({r['rps200']:.0f} / {r['rps304']:.0f}), errors {r['other']:.0f}",
        )
        line(
            "public read latency during the night: p50 / p99",
            f"{r['p50_ms']:8.1f} / {r['p99_ms']:.1f} ms",
        )
        line(
            f"acknowledgement -> visible: p50 / p99 ({len(night_chairs.visible)} probes)",
            f"{pct(night_chairs.visible, 50) * 1000:8.1f} / "
            f"{pct(night_chairs.visible, 99) * 1000:.1f} ms",
        )
        app = at_rest(server.pid, base, args, False, "state.json from the app", "server", "200")
        at_rest(
            server.pid, base, args, True, "state.json from the app with ETag (304)", "server", "304"
        )
        site = folder / "site"
        subprocess.run(
            [*CLI, "publish", "--db", url, "--out", str(site)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if os.path.exists(NGINX):
            nginx, nbase = start_nginx(site, folder, args.workers)
            ng = at_rest(
                nginx.pid, nbase, args, False, "the same state.json from nginx", "nginx", "200"
            )
            line("app / nginx", f"{app['rps'] / ng['rps'] * 100:7.1f} %")
        else:
            line("nginx", "not installed: skipped")
        size = len(httpx.get(base + STATE, headers={"Accept-Encoding": "identity"}).content)
        line("state.json size", f"{size} bytes")
    finally:
        stop(nginx)
        stop(server)


if __name__ == "__main__":
    main()
