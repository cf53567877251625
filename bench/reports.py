"""The dashboard and the daily report over 1,000,000 screenings on PostgreSQL, and the 26-day replay.

    .venv/bin/python bench/reports.py [--screenings 1000000] [--runs 12]
                                      [--replay | --skip-replay | --replay-log FILE]

Reads are what this measures, so the million screenings are **bulk inserted** (PostgreSQL
``COPY``), not written through ``record_screening``: the demo sub-district 西长安街街道 is loaded
first (through its services, in simulated time), then ``--screenings`` rows are spread over the
30 local days 2020-02-27 … 2020-03-27 and its six gates with the shape of the replay: a morning
and an evening peak, the market gate 东斜街北口 busiest, temperatures on the way in, ~97 % admit
and a few retests, refusals, registrations and referrals. Then, as the sub-district admin:

- ``GET /dashboard/?date=2020-03-15`` and ``GET /api/v1/dashboard?date=2020-03-15`` through
  Django's test ``Client`` (the whole request: middleware, session, template or JSON);
- the daily report of the sub-district's roll-up exported as .xlsx and as PDF through
  :func:`shouwang.reports.services.export_report`, the function ``shouwang report daily`` calls.

Each is run ``--runs`` times (≥ 10) after one warm-up; the median and the 95th percentile are
printed. The replay (``shouwang simulate --scenario xichangan --from 2020-02-29 --days 26``) runs
on SQLite in a fresh data dir (``--replay``, the default) or its output is read from a file
(``--replay-log``); ``--skip-replay`` leaves it out (``replay_s=0``).

The database is ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/h_sim_bench``),
dropped and created afresh. Targets (issue 7): daily report ≤ 1 s, dashboard ≤ 200 ms. The last
line is ``daily_report_ms=N dashboard_ms=N replay_s=N`` (the slower format's and the slower
page's medians).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h_sim_bench"
DAY = dt.date(2020, 3, 15)
FIRST = dt.date(2020, 2, 27)
DAYS = 30

# Share of a day's screenings per local hour (0–23): quiet nights, the market and commuters in
# the morning, errands in the day, the evening return (the replay's shape, rounded).
HOURLY = (
    0.2, 0.1, 0.1, 0.1, 0.2, 0.8, 3.5, 9.0, 13.0, 8.0, 5.0, 4.5,
    4.5, 4.0, 4.0, 4.0, 4.5, 6.0, 8.0, 6.0, 3.5, 2.0, 0.8, 0.3,
)  # fmt: skip
GATE_SHARE = {
    "dongxie-n": 0.30,
    "xiaojiangfang-w": 0.20,
    "lixue-e": 0.14,
    "xidanbei-x": 0.14,
    "taipusi-w": 0.12,
    "xixie-s": 0.10,
}
DECISIONS = (
    ("admit", ("temperature_normal",), 0.968),
    ("retest", ("fever_first_reading",), 0.006),
    ("deny", ("no_pass",), 0.010),
    ("register", ("person_unknown",), 0.014),
    ("refer", ("fever_confirmed",), 0.002),
)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median and p95 milliseconds of ``runs`` calls after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.95), result


def setup(url: str, *, keep: bool = False) -> None:
    """A fresh PostgreSQL database at ``url`` (dropped first, unless ``keep``) and a fresh data dir."""
    sys.path.insert(0, str(ROOT))
    os.environ["SHOUWANG_DATA_DIR"] = tempfile.mkdtemp(prefix="shouwang-bench-reports-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shouwang.settings"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SHOUWANG_LOG_LEVEL", "WARNING")
    name = urlsplit(url).path.lstrip("/")
    admin_url = url[: url.rindex("/")] + "/postgres"
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (keep and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


def load_demo() -> None:
    """The demo sub-district with 'today' inside the month, so its quarantines and roster fall there."""
    import time_machine

    from shouwang.demo.scenario import load_xichangan

    tz = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime.combine(DAY, dt.time(7), tzinfo=tz), tick=False):
        load_xichangan(today=DAY)


def bulk_screenings(total: int, seed: int = 2020) -> float:
    """COPY ``total`` screening rows (see the module docstring); returns seconds taken."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from shouwang.passes.models import Pass
    from shouwang.places.models import Checkpoint
    from shouwang.screening.models import ScreeningEvent

    started = time.monotonic()
    rng = random.Random(seed)
    gates = {c.code: c for c in Checkpoint.objects.select_related("community")}
    holders: dict[int | None, list[tuple[int, int | None, str]]] = {}
    for pk, community, resident in Pass.objects.filter(revoked_at__isnull=True).values_list(
        "pk", "community_id", "resident_id"
    ):
        holders.setdefault(community, []).append((pk, resident, f"r:{resident}" if resident else f"p:{pk}"))
    staff = list(get_user_model().objects.filter(staff__role="gate_staff").values_list("pk", flat=True))
    codes = list(GATE_SHARE)
    gate_weights = [GATE_SHARE[c] for c in codes]
    hour_weights = list(HOURLY)
    decision_weights = [w for _, _, w in DECISIONS]
    tz = dt.timezone(dt.timedelta(hours=8))
    per_day = total // DAYS
    columns = [f.column for f in ScreeningEvent._meta.concrete_fields]
    table = ScreeningEvent._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as pg, pg.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for d in range(DAYS):
                day = FIRST + dt.timedelta(days=d)
                count = per_day if d < DAYS - 1 else total - written
                gate_draws = rng.choices(codes, gate_weights, k=count)
                hour_draws = rng.choices(range(24), hour_weights, k=count)
                decision_draws = rng.choices(DECISIONS, decision_weights, k=count)
                for n in range(count):
                    gate = gates[gate_draws[n]]
                    hour = hour_draws[n]
                    at = dt.datetime.combine(
                        day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz
                    )
                    pass_id, holder, key = rng.choice(holders[gate.community_id])
                    going_in = rng.random() < 0.5
                    decision, reasons, _ = decision_draws[n]
                    if not going_in:
                        decision, reasons = "admit", ("pass_valid",)
                    if decision == "retest" or decision == "refer":
                        celsius = f"{rng.uniform(37.3, 38.2):.1f}"
                    elif going_in:
                        celsius = f"{min(37.1, max(35.6, rng.gauss(36.4, 0.25))):.1f}"
                    else:
                        celsius = None
                    row = {
                        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "community_id": gate.community_id,
                        "checkpoint_id": gate.pk,
                        "staff_id": rng.choice(staff),
                        "pass_obj_id": pass_id,
                        "resident_id": holder,
                        "member_id": None,
                        "person_key": key,
                        "person_masked": "张* 110***********001X",
                        "identified_by": "qr",
                        "direction": "in" if going_in else "out",
                        "occurred_at": at,
                        "local_date": day,
                        "local_hour": hour,
                        "temperature_raw": (celsius or "").replace(".", ""),
                        "temperature_c": celsius,
                        "temperature_converted_f": False,
                        "mask": True,
                        "decision": decision,
                        "reasons": json.dumps(list(reasons)),
                        "reason_params": "{}",
                        "fingerprint": f"{rng.getrandbits(256):064x}",
                        "created_at": at,
                    }
                    copy.write_row([row[c] for c in columns])
                written += count
        # As autovacuum would have by the time anyone reads: hint bits set, statistics fresh.
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    return time.monotonic() - started


def measure(runs: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from shouwang.places.models import Subdistrict
    from shouwang.reports.selectors import ReportTarget
    from shouwang.reports.services import export_report

    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    figures: dict[str, Any] = {}

    def page() -> Any:
        response = client.get(f"/dashboard/?date={DAY.isoformat()}")
        assert response.status_code == 200, response.status_code
        return response

    def api() -> Any:
        response = client.get(f"/api/v1/dashboard?date={DAY.isoformat()}")
        assert response.status_code == 200, response.content[:300]
        return response.json()

    figures["dashboard_page"] = timed(page, runs)[:2]
    median, p95, body = timed(api, runs)
    figures["dashboard_api"] = (median, p95)
    figures["day_screenings"] = body.get("screenings_total")
    sub = Subdistrict.objects.get(code="xichangan")
    target = ReportTarget(sub, None)
    for fmt in ("xlsx", "pdf"):

        def export(fmt: str = fmt) -> Any:
            return export_report(target, DAY, fmt=fmt, actor=admin)

        median, p95, exported = timed(export, runs)
        figures[f"report_{fmt}"] = (median, p95)
        figures[f"report_{fmt}_kb"] = len(exported.content) / 1024
    return figures


def explain() -> list[str]:
    """EXPLAIN ANALYZE of the day's screening aggregate the dashboard and the report both run."""
    from django.db import connection

    from shouwang.screening.models import ScreeningEvent

    table = ScreeningEvent._meta.db_table
    sql = (
        f"EXPLAIN (ANALYZE, BUFFERS) SELECT checkpoint_id, decision, COUNT(*), "  # noqa: S608 - table name only
        f"COUNT(*) FILTER (WHERE temperature_c >= 37.3) FROM {table} "
        f"WHERE local_date = %s GROUP BY checkpoint_id, decision"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [DAY])
        return [row[0] for row in cursor.fetchall()]


_WRITES = re.compile(r"in ([\d.]+) s \((\d+) screenings/s\)")


def replay(log: str | None) -> tuple[float, int, str]:
    """Replay seconds and screenings/s: from ``log`` (the command's output) or a fresh run on
    SQLite (demo loaded first, not timed)."""
    if log is None:
        data_dir = tempfile.mkdtemp(prefix="shouwang-bench-replay-")
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SHOUWANG_DATA_DIR")}
        env["SHOUWANG_LOG_LEVEL"] = "WARNING"
        run = [str(BIN / "shouwang")]
        subprocess.run(
            [*run, "demo", "--load-only", "--data-dir", data_dir],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            [*run, "simulate", "--data-dir", data_dir, "--no-progress"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    else:
        out = Path(log).read_text(encoding="utf-8")
    found = _WRITES.search(out)
    last = out.strip().splitlines()[-1] if out.strip() else ""
    if found is None:
        raise SystemExit(f"no replay timing in the output: {last!r}")
    return float(found.group(1)), int(found.group(2)), last


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--screenings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="reuse the database of an earlier run when it holds the demo and enough screenings",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--replay", action="store_true", help="run the 26-day replay (default)")
    group.add_argument("--skip-replay", action="store_true")
    group.add_argument("--replay-log", metavar="FILE", help="read the replay's timing from its output")
    args = parser.parse_args()
    if args.runs < 10:
        parser.error("--runs must be at least 10")
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        parser.error("DATABASE_URL must be a PostgreSQL URL")
    setup(url, keep=args.keep_db)
    from shouwang.screening.models import ScreeningEvent

    held = ScreeningEvent.objects.count() if args.keep_db else 0
    if held >= args.screenings:
        print(f"reusing the database: {held:,} screenings")
    else:
        if held:
            raise SystemExit("--keep-db: the database holds too few screenings; run without it")
        started = time.monotonic()
        load_demo()
        print(f"demo loaded in {time.monotonic() - started:.0f} s", flush=True)
        seconds = bulk_screenings(args.screenings)
        print(f"{args.screenings:,} screenings bulk-inserted (COPY) in {seconds:.0f} s", flush=True)
    figures = measure(args.runs)
    print(f"on {DAY} ({figures['day_screenings']:,} screenings that day), {args.runs} runs each, ms:")
    for key in ("dashboard_page", "dashboard_api", "report_xlsx", "report_pdf"):
        median, p95 = figures[key]
        print(f"  {key:16} median {median:8.1f}   p95 {p95:8.1f}")
    print(f"  report sizes: xlsx {figures['report_xlsx_kb']:.0f} KB, pdf {figures['report_pdf_kb']:.0f} KB")
    dashboard_ms = max(figures["dashboard_page"][0], figures["dashboard_api"][0])
    report_ms = max(figures["report_xlsx"][0], figures["report_pdf"][0])
    if dashboard_ms > 200 or report_ms > 1000:
        print("target missed; the day's screening aggregate:")
        for line in explain():
            print(f"  {line}")
    replay_s = 0.0
    if args.skip_replay:
        print("replay: skipped (--skip-replay)")
    else:
        replay_s, rate, last = replay(args.replay_log)
        print(f"replay (SQLite, 26 days through the services): {replay_s:.0f} s, {rate} screenings/s; {last}")
    print(f"daily_report_ms={report_ms:.0f} dashboard_ms={dashboard_ms:.0f} replay_s={replay_s:.0f}")


if __name__ == "__main__":
    main()
