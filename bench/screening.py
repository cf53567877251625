"""Screenings per second: in-process through the service, and over HTTP (granian, 2 workers)
beside a bare JSON endpoint of the same server, on SQLite and on PostgreSQL.

    .venv/bin/python bench/screening.py [--db sqlite,postgresql] [--seconds 15] [--residents 3000]

Load comes from ``wrk`` (Debian package), which costs little CPU beside the 2-core server.
Each request screens a different demo pass with a spread ``occurred_at``, so no request is a
duplicate. Prints one line per database; the last line is
``screening_http_rps=N bare_http_rps=N p99_ms=N db=…``.
Target (issue 2): ≥ 1,200 screenings/s over HTTP with p99 ≤ 50 ms on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = "postgres://postgres@127.0.0.1:5432/shouwang_bench"

WRK_SCRIPT = r"""
local numbers = {}
local i = 0
local errors = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do table.insert(numbers, line) end
  -- Threads start a million requests apart: other passes, and 10,000 s apart in time.
  i = (tid or 0) * 1000000
  errors = 0
end
function request()
  i = i + 1
  local n = numbers[(i % #numbers) + 1]
  local t = BASE + i * 0.01
  local when = os.date("!%Y-%m-%dT%H:%M:%S", math.floor(t)) .. string.format(".%03dZ", math.floor((t % 1) * 1000))
  local body = '{"checkpoint":"' .. GATE .. '","direction":"in","pass_number":"' .. n ..
    '","temperature":"366","mask":true,"occurred_at":"' .. when .. '"}'
  return wrk.format("POST", "/api/v1/screenings", {["Content-Type"]="application/json",
    ["Authorization"]="Bearer " .. TOKEN}, body)
end
function response(status, headers, body)
  if status ~= 201 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + (t:get("errors") or 0) end
  io.write(string.format("NON201=%d\n", e))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "shouwang"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout


def prepare(db: str, data_dir: Path, residents: int) -> dict[str, str]:
    env = {
        **os.environ,
        "SHOUWANG_DATA_DIR": str(data_dir),
        "SHOUWANG_DEBUG": "0",
        "SHOUWANG_LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    if db == "postgresql":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS shouwang_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE shouwang_bench")
        env["DATABASE_URL"] = PG_URL
    manage(env, "demo", "--load-only", "--residents", str(residents), "--data-dir", str(data_dir))
    return env


def in_process(env: dict[str, str], count: int) -> float:
    code = f"""
import datetime as dt, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from shouwang.passes.models import Pass
from shouwang.places.selectors import get_checkpoint
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening
user = get_user_model().objects.get(username="gate")
gate = get_checkpoint("dongxie-n", user=user)
numbers = list(Pass.objects.filter(community=gate.community, revoked_at__isnull=True).values_list("number", flat=True))
base = timezone.now() - dt.timedelta(days=2)
start = time.perf_counter()
for i in range({count}):
    record_screening(Identifier(pass_number=numbers[i % len(numbers)]), checkpoint=gate, direction="in",
                     temperature="366", mask=True, actor=user, occurred_at=base + dt.timedelta(seconds=i * 0.05))
print({count} / (time.perf_counter() - start))
"""
    env = {**env, "DJANGO_SETTINGS_MODULE": "shouwang.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def wait_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run_wrk(url: str, seconds: int, script: Path | None, args: list[str]) -> dict[str, float]:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd += [url]
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    non = re.search(r"NON201=(\d+)", out)
    return {"rps": rps, "p99_ms": p99_ms, "non201": float(non.group(1)) if non else 0.0}


# Threads per worker. SQLite has one writer at a time, so a second thread only waits (and fights
# for the GIL); PostgreSQL commits wait on the WAL flush, which a few threads overlap.
THREADS = {"sqlite": 1, "postgresql": 4}


def over_http(
    env: dict[str, str], data_dir: Path, seconds: int, threads: int
) -> tuple[dict[str, float], dict[str, float], int]:
    token = manage(env, "token", "create", "gate").strip()
    numbers = data_dir / "numbers.txt"
    code = (
        "import django; django.setup()\n"
        "from shouwang.passes.models import Pass\n"
        "print('\\n'.join(Pass.objects.filter(community__code='xdb', revoked_at__isnull=True)"
        ".values_list('number', flat=True)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "shouwang.settings"},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    numbers.write_text(out.strip() + "\n", encoding="utf-8")
    base = time.time() - 86400
    script = data_dir / "screen.lua"
    script.write_text(f'TOKEN="{token}"\nGATE="dongxie-n"\nBASE={base}\n' + WRK_SCRIPT, encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--blocking-threads",
            str(threads),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-ws",
            "--log-level",
            "error",
            "shouwang.wsgi:application",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "shouwang.settings"},
        cwd=ROOT,
    )
    try:
        wait_up(port)
        run_wrk(f"http://127.0.0.1:{port}/healthz", 2, None, [])  # warm up both workers
        bare = run_wrk(f"http://127.0.0.1:{port}/healthz", seconds, None, [])
        screening = run_wrk(f"http://127.0.0.1:{port}/", seconds, script, [str(numbers), "0"])
    finally:
        server.terminate()
        server.wait(timeout=10)
    return screening, bare, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--in-process", type=int, default=2000, help="screenings for the in-process run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    lines = []
    for db in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix=f"shouwang-bench-{db}-") as tmp:
            data_dir = Path(tmp)
            env = prepare(db, data_dir, args.residents)
            service_rps = in_process(env, args.in_process)
            screening, bare, _ = over_http(env, data_dir, args.seconds, THREADS[db])
            detail = {
                "db": db,
                "in_process_screenings_per_s": round(service_rps),
                "http": screening,
                "bare": bare,
            }
            print(json.dumps(detail), flush=True)
            lines.append(
                f"screening_http_rps={screening['rps']:.0f} bare_http_rps={bare['rps']:.0f} "
                f"p99_ms={screening['p99_ms']:.1f} db={db}"
            )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
