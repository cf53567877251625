"""Soak: screenings at a steady rate over HTTP on PostgreSQL for minutes, with faults on demand.

    .venv/bin/python bench/soak.py [--seconds 600] [--rate 200] [--residents 3000]
                                   [--kill-server-at S] [--restart-postgres-at S] [--batch N]

A granian server (2 workers) on a fresh PostgreSQL database with the demo loaded; client threads
send ``POST /api/v1/screenings`` on a fixed schedule (``--rate`` per second), each with its own
client UUID (``id``), a demo pass and a distinct ``occurred_at``. Latency is measured from the
moment a request was *due*, so a stall shows in p99 instead of silently lowering the rate.

A request that fails (connection refused or reset, 5xx) is sent again with the SAME ``id`` until
it is answered (up to 2 minutes): that is what a gate device does. ``--batch N`` sends queues of
N screenings to ``POST /api/v1/screenings/batch`` instead, as an offline gate syncs; a queue is
resent whole until no item is left with a 5xx. ``--kill-server-at S`` kills
the server with SIGKILL S seconds in and starts a new one; ``--restart-postgres-at S`` restarts
the PostgreSQL cluster S seconds in. At the end the database must hold exactly one screening per
``id`` sent: nothing lost, nothing doubled (printed as ``lost`` and ``doubled``).

Memory: the resident set of the server's worker processes, sampled every 5 s; growth is the last
sample minus the first one after a 30 s warm-up. Prints progress every 30 s, then one line:
``soak_rps=N p99_ms=N errors=N rss_growth_mb=N`` (errors: requests that never got a 2xx, plus
answers other than 200/201).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screening import BIN, ROOT, free_port, manage, wait_up

DB_NAME = "shouwang_soak"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
RETRY_FOR_S = 120.0


def prepare(data_dir: Path, residents: int) -> dict[str, str]:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    env = {
        **os.environ,
        "SHOUWANG_DATA_DIR": str(data_dir),
        "SHOUWANG_DEBUG": "0",
        "SHOUWANG_LOG_LEVEL": "ERROR",
        "DATABASE_URL": PG_URL,
        "DJANGO_SETTINGS_MODULE": "shouwang.settings",
    }
    manage(env, "demo", "--load-only", "--residents", str(residents), "--data-dir", str(data_dir))
    return env


def pass_numbers(env: dict[str, str]) -> list[tuple[str, str]]:
    """(gate code, pass number) pairs: every live pass of each community with one of its gates."""
    code = (
        "import django, json; django.setup()\n"
        "from shouwang.passes.models import Pass\n"
        "from shouwang.places.models import Checkpoint\n"
        "gates = {}\n"
        "for g in Checkpoint.objects.filter(active=True).order_by('code'):\n"
        "    gates.setdefault(g.community_id, g.code)\n"
        "rows = Pass.objects.filter(revoked_at__isnull=True).values_list('community_id', 'number')\n"
        "print(json.dumps([[gates[c], n] for c, n in rows if c in gates]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return [(g, n) for g, n in json.loads(out.strip().splitlines()[-1])]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--blocking-threads",
            "4",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-ws",
            "--log-level",
            "error",
            "shouwang.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    wait_up(port)
    return server


def rss_mb(server: subprocess.Popen[bytes]) -> float:
    """Resident memory of the server and its worker processes, in MB (from /proc)."""
    total = 0
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


class Load:
    """The schedule, the answers and the faults of one soak run."""

    def __init__(
        self, port: int, token: str, people: list[tuple[str, str]], rate: float, seconds: int, batch: int = 0
    ) -> None:
        self.batch = batch
        self.port = port
        self.token = token
        self.people = people
        self.rate = rate
        self.total = int(rate * seconds) // (batch or 1)
        self.start = time.monotonic()
        self.step = max(0.01, 60.0 / len(people))
        self.base = dt.datetime.now(dt.UTC) - dt.timedelta(days=6)
        self.next = 0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.sent_ids: list[str] = []
        self.errors = 0
        self.retries = 0
        self.unexpected: dict[int, int] = {}

    def take(self) -> int | None:
        with self.lock:
            if self.next >= self.total:
                return None
            self.next += 1
            return self.next - 1

    def item(self, i: int, client_id: str) -> dict[str, Any]:
        gate, number = self.people[i % len(self.people)]
        # One person comes round again every len(people) requests: spread their instants so that
        # this is over a minute later, or the gate would rightly take it for a double scan (10 s).
        when = self.base + dt.timedelta(seconds=i * self.step)
        return {
            "id": client_id,
            "checkpoint": gate,
            "direction": "in" if i % 2 else "out",
            "pass_number": number,
            "temperature": "366",
            "mask": True,
            "occurred_at": when.isoformat(),
        }

    def send(self, conn: http.client.HTTPConnection, i: int, ids: list[str]) -> int:
        """One request: a screening, or with ``batch`` a queue of them as a device syncs it.
        Returns the status to judge it by: a batch is retried whole while any item got a 5xx
        (items already written come back 200, so a resend doubles nothing)."""
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        if not self.batch:
            conn.request("POST", "/api/v1/screenings", body=json.dumps(self.item(i, ids[0])), headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        items = [self.item(i * self.batch + k, client_id) for k, client_id in enumerate(ids)]
        conn.request("POST", "/api/v1/screenings/batch", body=json.dumps({"items": items}), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        if response.status != 200:
            return response.status
        statuses = [int(answer["status"]) for answer in json.loads(raw)["results"]]
        return max(statuses) if any(st >= 500 for st in statuses) else max(statuses, default=200)

    def worker(self) -> None:
        conn: http.client.HTTPConnection | None = None
        per_request = self.batch or 1
        while (i := self.take()) is not None:
            due = self.start + i * per_request / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ids = [str(uuid.uuid4()) for _ in range(per_request)]
            give_up = time.monotonic() + RETRY_FOR_S
            status = 0
            while True:
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    status = self.send(conn, i, ids)
                    if status < 500:
                        break
                except (OSError, http.client.HTTPException):
                    if conn is not None:
                        conn.close()
                    conn = None
                if time.monotonic() > give_up:
                    break
                with self.lock:
                    self.retries += 1
                time.sleep(0.2)  # the device's back-off before sending the same id again
            latency = (time.monotonic() - due) * 1000
            with self.lock:
                self.sent_ids.extend(ids)
                self.latencies.append(latency)
                if status not in (200, 201):
                    self.errors += per_request
                    self.unexpected[status] = self.unexpected.get(status, 0) + 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def restart_postgres() -> None:
    clusters = sorted(os.listdir("/etc/postgresql"))
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "restart"],
        check=True,
        capture_output=True,
    )


def count_in_db(env: dict[str, str], ids: list[str]) -> tuple[int, int]:
    """(ids found once, rows beyond one per id) for the ids sent."""
    import psycopg

    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://")) as conn:
        conn.execute("CREATE TEMP TABLE sent (id uuid PRIMARY KEY)")
        with conn.cursor().copy("COPY sent (id) FROM STDIN") as copy:
            for client_id in ids:
                copy.write_row((client_id,))
        row = conn.execute(
            "SELECT count(DISTINCT s.id), count(e.id) FROM sent s "
            "JOIN screening_screeningevent e ON e.id = s.id"
        ).fetchone()
    assert row is not None
    found, rows = int(row[0]), int(row[1])
    return found, rows - found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--kill-server-at", type=float, default=None, metavar="S")
    parser.add_argument("--restart-postgres-at", type=float, default=None, metavar="S")
    parser.add_argument(
        "--batch", type=int, default=0, metavar="N", help="send queues of N screenings to /screenings/batch"
    )
    args = parser.parse_args()
    if args.restart_postgres_at is not None and shutil.which("pg_ctlcluster") is None:
        sys.exit("--restart-postgres-at needs pg_ctlcluster (Debian's postgresql-common)")
    with tempfile.TemporaryDirectory(prefix="shouwang-soak-") as tmp:
        env = prepare(Path(tmp), args.residents)
        token = manage(env, "token", "create", "admin").strip()
        people = pass_numbers(env)
        port = free_port()
        server = start_server(env, port)
        load = Load(port, token, people, args.rate, args.seconds, args.batch)
        threads = [threading.Thread(target=load.worker, daemon=True) for _ in range(args.threads)]
        samples: list[tuple[float, float]] = []
        faults: list[str] = []
        try:
            for t in threads:
                t.start()
            last_report = 0.0
            while any(t.is_alive() for t in threads):
                time.sleep(1)
                elapsed = time.monotonic() - load.start
                if int(elapsed) % 5 == 0:
                    samples.append((elapsed, rss_mb(server)))
                if args.kill_server_at is not None and elapsed >= args.kill_server_at and not faults:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()
                    faults.append(f"server killed at {elapsed:.0f} s")
                    server = start_server(env, port)
                if (
                    args.restart_postgres_at is not None
                    and elapsed >= args.restart_postgres_at
                    and not any("postgres" in f for f in faults)
                ):
                    restart_postgres()
                    faults.append(f"postgres restarted at {elapsed:.0f} s")
                if elapsed - last_report >= 30:
                    last_report = elapsed
                    with load.lock:
                        done = len(load.sent_ids)
                        recent = load.latencies[-max(1, int(args.rate * 30 / (args.batch or 1))) :]
                    print(
                        f"{elapsed:5.0f} s  sent {done:7d}  p99 last 30 s {percentile(recent, 0.99):7.1f} ms"
                        f"  errors {load.errors}  retries {load.retries}  rss {samples[-1][1] if samples else 0:.0f} MB",
                        flush=True,
                    )
            wall = time.monotonic() - load.start
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        found, doubled = count_in_db(env, load.sent_ids)
        warm = [mb for t, mb in samples if t >= 30] or [mb for _t, mb in samples]
        growth = warm[-1] - warm[0] if warm else float("nan")
        detail: dict[str, Any] = {
            "sent": len(load.sent_ids),
            "wall_s": round(wall, 1),
            "p50_ms": round(percentile(load.latencies, 0.50), 1),
            "p99_ms": round(percentile(load.latencies, 0.99), 1),
            "max_ms": round(max(load.latencies), 1) if load.latencies else None,
            "retries": load.retries,
            "unexpected_status": load.unexpected,
            "in_db": found,
            "lost": len(load.sent_ids) - found,
            "doubled": doubled,
            "rss_first_mb": round(warm[0], 1) if warm else None,
            "rss_last_mb": round(warm[-1], 1) if warm else None,
            "faults": faults,
        }
        print(json.dumps(detail))
        print(
            f"soak_rps={len(load.sent_ids) / wall:.0f} p99_ms={detail['p99_ms']} "
            f"errors={load.errors + detail['lost'] + doubled} rss_growth_mb={growth:.1f}"
        )


if __name__ == "__main__":
    main()
