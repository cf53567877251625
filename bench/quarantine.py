"""Returnees at the scale of a busy sub-district, in-process through the services.

    .venv/bin/python bench/quarantine.py [--db sqlite|postgresql] [--plans 1000]

Loads the demo, registers ``--plans`` returnees (registering new residents as it goes), records
follow-ups for each (both slots of one day, the morning of the next), then times what a worker and the health station
open every day: the worklist, the daily figures, the .xlsx export, and a gate screening of a
person in quarantine (the plan is read in the pass query). Prints each figure; the last line is
``register_ms=N follow_up_ms=N worklist_ms=N worklist_queries=N figures_ms=N export_ms=N gate_ms=N``
(medians, milliseconds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/shouwang_bench_quarantine"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median milliseconds of ``repeat`` calls, and the last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def setup(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["SHOUWANG_DATA_DIR"] = tempfile.mkdtemp(prefix="shouwang-bench-q-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shouwang.settings"
    if db == "postgresql":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS shouwang_bench_quarantine")
            conn.execute("CREATE DATABASE shouwang_bench_quarantine")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run(plans: int) -> dict[str, float]:
    import zoneinfo

    import time_machine
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from stdnum.cn import ric

    from shouwang.demo.scenario import load_xichangan
    from shouwang.people.services import ResidentIn
    from shouwang.places.models import Checkpoint, Community
    from shouwang.quarantine.choices import Source
    from shouwang.quarantine.selectors import daily_figures, health_station_xlsx, worklist
    from shouwang.quarantine.services import PersonIn, TripIn, record_follow_up, register_returnee
    from shouwang.screening.identify import Identifier
    from shouwang.screening.services import record_screening

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    today = dt.date(2020, 3, 10)
    with time_machine.travel(dt.datetime(2020, 3, 10, 7, 0, tzinfo=tz), tick=False):
        load_xichangan(today=today)
    users = get_user_model().objects
    worker, admin, gate_user = (
        users.get(username="worker"),
        users.get(username="admin"),
        users.get(username="gate"),
    )
    tps = Community.objects.get(code="tps")
    gate = Checkpoint.objects.filter(community=tps).first()
    assert gate is not None
    arrival = dt.datetime(2020, 3, 8, 20, 0, tzinfo=tz)
    register_times: list[float] = []
    made = []
    with time_machine.travel(dt.datetime(2020, 3, 8, 21, 0, tzinfo=tz), tick=True):
        for n in range(plans):
            base = f"1101021970{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
            id_number = base + ric.calc_check_digit(base + "0")
            person = ResidentIn(name=f"返京{n:04d}", id_number=id_number, address=f"力学胡同 {n % 90 + 1} 号")
            start = time.perf_counter()
            plan = register_returnee(
                tps,
                person=PersonIn(new=person),
                trip=TripIn(origin="420102", arrived_at=arrival, transport="train", transport_number="G508"),
                source=Source.WORKER,
                actor=worker,
            )
            register_times.append((time.perf_counter() - start) * 1000)
            made.append(plan)
    follow_times: list[float] = []
    for day, slot, hour in ((9, "am", 9), (9, "pm", 16), (10, "am", 9)):
        with time_machine.travel(dt.datetime(2020, 3, day, hour, tzinfo=tz), tick=True):
            for plan in made:
                start = time.perf_counter()
                record_follow_up(plan, temperature="36.6", method="phone", actor=worker, slot=slot)
                follow_times.append((time.perf_counter() - start) * 1000)
    figures: dict[str, float] = {
        "register_ms": statistics.median(register_times),
        "follow_up_ms": statistics.median(follow_times),
    }
    with time_machine.travel(dt.datetime(2020, 3, 10, 15, 0, tzinfo=tz), tick=True):
        fresh = get_user_model().objects.get(pk=worker.pk)  # no cached communities
        reset_queries()  # DEBUG's query log is a full 9,000-entry ring by now: counts would read 0
        with CaptureQueriesContext(connection) as queries:
            worklist(fresh, mine=False)
        figures["worklist_queries"] = len(queries.captured_queries)
        figures["worklist_ms"], items = timed(lambda: worklist(worker, mine=False), 5)
        figures["worklist_rows"] = len(items)
        figures["figures_ms"], _ = timed(lambda: daily_figures(admin, today), 5)
        figures["export_ms"], data = timed(lambda: health_station_xlsx(admin, today), 3)
        figures["export_kb"] = len(data) / 1024
        quarantined = made[0].resident
        outs = iter(range(1000))

        def screen() -> Any:
            return record_screening(
                Identifier(resident=quarantined.pk),
                checkpoint=gate,
                direction="out",
                temperature=None,
                mask=True,
                actor=gate_user,
                occurred_at=dt.datetime(2020, 3, 10, 14, 0, tzinfo=tz) + dt.timedelta(minutes=next(outs)),
            )

        figures["gate_ms"], result = timed(screen, 20)
        assert "quarantine_active" in result.event.reasons, result.event.reasons
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--plans", type=int, default=1000)
    args = parser.parse_args()
    setup(args.db)
    figures = run(args.plans)
    print(f"db={args.db} plans={args.plans}")
    for key, value in figures.items():
        print(f"  {key:18} {value:10.1f}")
    keys = (
        "register_ms",
        "follow_up_ms",
        "worklist_ms",
        "worklist_queries",
        "figures_ms",
        "export_ms",
        "gate_ms",
    )
    print(
        " ".join(
            f"{k}={figures[k]:.0f}" if k == "worklist_queries" else f"{k}={figures[k]:.1f}" for k in keys
        )
    )


if __name__ == "__main__":
    main()
