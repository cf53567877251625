"""``shouwang quarantine remind|release-due|export``: reminders per worker through the log and a
webhook, release at local midnight after confirmation, the health-station workbook, and
refusals in both languages."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import threading
import zoneinfo
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import World, make_staff, start_quarantine
from shouwang.core.choices import Role
from shouwang.core.models import AuditLog
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.quarantine.models import QuarantinePlan
from shouwang.quarantine.reminders import due_by_worker

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra: dict[str, Any] = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("quarantine", *args, stdout=out, **extra)
    return out.getvalue()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


# ---- release-due --------------------------------------------------------------------------


@pytest.fixture
def ending_13_march(world: World) -> QuarantinePlan:
    """The leap-day returnee: last day in quarantine 13 March 2020, free from the 14th."""
    with time_machine.travel(at(dt.date(2020, 3, 1), 9), tick=False):
        plan: QuarantinePlan = start_quarantine(world, world.resident, dt.date(2020, 3, 13))
    return plan


def test_release_due_just_before_and_just_after_local_midnight(world: World, ending_13_march: Any) -> None:
    # 23:59 on the 13th in Beijing (15:59 UTC): still the last day.
    with time_machine.travel(at(dt.date(2020, 3, 13), 23, 59), tick=False):
        out = run("release-due", "--yes")
    assert "released=0" in out
    assert "没有到期待解除的居家隔离" in out and "No plans are due" in out
    # 00:01 on the 14th in Beijing is still the 13th in UTC: the local date decides.
    with time_machine.travel(dt.datetime(2020, 3, 13, 16, 1, tzinfo=dt.UTC), tick=False):
        out = run("release-due", "--yes", "--user", "admin")
    assert f"#{ending_13_march.pk} 张*" in out
    assert "last_day=2020-03-13 free_from=2020-03-14" in out
    assert out.strip().endswith("released=1")
    plan = QuarantinePlan.objects.get(pk=ending_13_march.pk)
    assert (plan.status, plan.ended_on) == ("released", dt.date(2020, 3, 14))
    log = AuditLog.objects.get(action="quarantine.release_due")
    assert log.actor_id == world.admin.pk


@pytest.mark.parametrize(("answer", "released"), [("n\n", 0), ("\n", 0), ("", 0), ("y\n", 1), ("是\n", 1)])
def test_release_due_asks_first(world: World, ending_13_march: Any, answer: str, released: int) -> None:
    with time_machine.travel(at(dt.date(2020, 3, 14), 8), tick=False):
        out = run("release-due", stdin=answer)
    assert "解除这 1 人的居家隔离？ Release 1 plans? [y/N]" in out
    assert out.strip().endswith(f"released={released}")
    status = QuarantinePlan.objects.get(pk=ending_13_march.pk).status
    assert status == ("released" if released else "active")
    if not released:
        assert "Cancelled; nothing released." in out


def test_release_due_for_one_community(world: World, ending_13_march: Any) -> None:
    with time_machine.travel(at(dt.date(2020, 3, 14), 8), tick=False):
        assert run("release-due", "--yes", "--community", "xdb").strip().endswith("released=0")
        assert run("release-due", "--yes", "--community", "太仆寺街社区").strip().endswith("released=1")


# ---- remind -------------------------------------------------------------------------------

REMIND_AT = at(dt.date(2020, 3, 1), 13)  # morning follow-ups overdue since 12:00, afternoon from 14:00


@pytest.fixture
def due(world: World) -> dict[str, Any]:
    """Three plans in force on 1 March: 张三's assigned to ``worker``, 李四's unassigned (so for
    both workers of 太仆寺街), 王五's in 西单北, which has no community worker at all."""
    with time_machine.travel(REMIND_AT, tick=False):
        worker2 = make_staff("worker2", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_a])
        mine = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
        li_si, _ = upsert_resident(
            world.community_a,
            ResidentIn(
                name="李四", id_number="110102198502020010", phone="13800138000", address="太仆寺街 12 号"
            ),
            actor=world.admin,
        )
        loose = start_quarantine(world, li_si, dt.date(2020, 3, 10))
        QuarantinePlan.objects.filter(pk=loose.pk).update(worker=None)
        wang_wu, _ = upsert_resident(
            world.community_b,
            ResidentIn(name="王五", id_number="110102199202020013", address="东斜街 9 号"),
            actor=world.admin,
        )
        far = start_quarantine(world, wang_wu, dt.date(2020, 3, 6))
    return {"worker2": worker2, "mine": mine, "loose": loose, "far": far}


def test_due_by_worker_gives_unassigned_plans_to_every_worker(world: World, due: dict[str, Any]) -> None:
    found = due_by_worker(None, REMIND_AT)
    assert [(u.username if u else None, [i.plan.pk for i in items]) for u, items in found.items()] == [
        ("worker", [due["mine"].pk, due["loose"].pk]),
        ("worker2", [due["loose"].pk]),
        (None, [due["far"].pk]),
    ]
    only_b = due_by_worker(dt.date(2020, 3, 1), REMIND_AT, [world.community_b])
    assert list(only_b) == [None]


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.received.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A tiny local receiver: ``(url, bodies received)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_remind_sends_each_workers_list_to_a_webhook(
    world: World, due: dict[str, Any], webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    with time_machine.travel(REMIND_AT, tick=False):
        out = run("remind", "--notifier", f"webhook:{url}")
    lines = out.strip().splitlines()
    assert lines[-1] == "workers=2 items=3 sent=2"
    assert "== worker (worker)：2 项 / worker (worker): 2 ==" in out
    assert "== worker2 (worker2)：1 项 / worker2 (worker2): 1 ==" in out
    assert "社区“西单北社区”没有社区工作者，以下 1 项无人接收提醒" in out
    assert "王*，东斜街 9 号，第 9 天" in out
    by_user = {body["user"]: body for body in received}
    assert sorted(by_user) == ["worker", "worker2"]
    mine = by_user["worker"]
    assert mine["kind"] == "reminder.follow_up"
    assert mine["subject"] == (
        "今日居家隔离随访（2020-03-01）：2 项 / Today's home-quarantine follow-ups (2020-03-01): 2"
    )
    assert mine["data"] == {"day": "2020-03-01", "plans": [due["mine"].pk, due["loose"].pk], "overdue": 2}
    zh, en = mine["body"].split("\n\n")
    assert zh.splitlines()[:2] == [
        "1. 张*，力学胡同 3 号，第 10 天：上午逾期未随访、下午（14:00 起）；电话 未登记",
        "2. 李*，太仆寺街 12 号，第 5 天：上午逾期未随访、下午（14:00 起）；电话 +8613800138000",
    ]
    assert en.splitlines()[:2] == [
        "1. 张*, 力学胡同 3 号, day 10: morning overdue, afternoon (from 14:00); phone none on file",
        "2. 李*, 太仆寺街 12 号, day 5: morning overdue, afternoon (from 14:00); phone +8613800138000",
    ]
    assert "37.3 °C" in zh and "37.3 °C" in en
    assert "李四" not in json.dumps(received, ensure_ascii=False)  # names travel masked


def test_remind_skips_what_is_done_and_dry_run_sends_nothing(
    world: World, due: dict[str, Any], webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    from shouwang.quarantine.services import record_follow_up

    url, received = webhook
    with time_machine.travel(at(dt.date(2020, 3, 1), 15), tick=False):
        for slot in ("am", "pm"):
            record_follow_up(due["mine"], temperature="36.5", method="phone", actor=world.worker, slot=slot)
        out = run("remind", "--community", "tps", "--notifier", f"webhook:{url}", "--dry-run")
    assert out.strip().splitlines()[-1] == "workers=2 items=1 sent=0"
    assert "张*" not in out
    assert "上午逾期未随访、下午待随访" in out
    assert received == []


def test_remind_through_the_log(world: World, due: dict[str, Any], caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="shouwang.notify")
    with time_machine.travel(REMIND_AT, tick=False):
        out = run("remind", "--notifier", "log", "--date", "2020-03-01")
    assert out.strip().splitlines()[-1] == "workers=2 items=3 sent=2"
    notices = [r.getMessage() for r in caplog.records if r.name == "shouwang.notify"]
    assert len(notices) == 2
    assert notices[0].startswith("notice reminder.follow_up to=worker ")
    assert "张*，力学胡同 3 号" in notices[0]


def test_remind_with_nothing_due(world: World) -> None:
    with time_machine.travel(REMIND_AT, tick=False):
        assert run("remind", "--notifier", "log").strip() == "workers=0 items=0 sent=0"


# ---- export -------------------------------------------------------------------------------


def test_export_writes_the_health_station_workbook(world: World, due: dict[str, Any], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "health.xlsx"
    with time_machine.travel(REMIND_AT, tick=False):
        printed = run("export", "--date", "2020-03-01", "--out", str(out))
    assert printed.startswith("date=2020-03-01 user=admin ")
    book = load_workbook(out)
    figures = list(book["汇总 figures"].iter_rows(values_only=True))
    assert figures[-1][:2] == ("合计 total", 3)
    people = list(book["隔离人员 people"].iter_rows(values_only=True))
    assert sorted(str(row[1]) for row in people[1:]) == ["张三", "李四", "王五"]
    log = AuditLog.objects.get(action="quarantine.export")
    assert (log.actor_id, log.detail["date"]) == (world.admin.pk, "2020-03-01")
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_export_as_a_community_worker_sees_only_their_community(
    world: World, due: dict[str, Any], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "tps.xlsx"
    with time_machine.travel(REMIND_AT, tick=False):
        run("export", "--date", "2020-03-01", "--out", str(out), "--user", "worker")
    people = list(load_workbook(out)["隔离人员 people"].iter_rows(values_only=True))
    assert sorted(str(row[1]) for row in people[1:]) == ["张三", "李四"]


# ---- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["remind", "--date", "1/3/2020"], ["不是有效日期", "YYYY-MM-DD"]),
        (["remind", "--community", "nowhere"], ["没有名为或编号为“nowhere”的社区", "There is no community"]),
        (["remind", "--notifier", "pigeon"], ["通知方式“pigeon”无效", "Notifier 'pigeon' is not valid"]),
        (["remind", "--notifier", "webhook:file:///etc/passwd"], ["无效", "is not valid"]),
        (["release-due", "--yes", "--user", "ghost"], ["没有用户名", "no user named 'ghost'"]),
        (["export", "--out", "x.xlsx"], ["缺少 --date", "--date is required"]),
        (["export", "--date", "2020-03-01"], ["缺少 --out", "--out is required"]),
        (
            ["export", "--date", "2020-03-01", "--out", "report.pdf"],
            ["不是 .xlsx 文件名", "not an .xlsx file"],
        ),
        (
            ["export", "--date", "2020-03-01", "--out", "/nonexistent/dir/x.xlsx"],
            ["不存在", "does not exist"],
        ),
        (["export", "--date", "2020-03-01", "--out", "x.xlsx", "--user", "gate"], ["角色", "Your role"]),
    ],
)
def test_bad_options_are_refused_in_both_languages(world: World, args: list[str], words: list[str]) -> None:
    with pytest.raises(CommandError) as exc:
        run(*args)
    message = str(exc.value)
    assert "\n" not in message and " / " in message
    for word in words:
        assert word in message, message
    assert not AuditLog.objects.filter(action__startswith="quarantine.").exists()


def test_export_without_any_admin(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as exc:
        run("export", "--date", "2020-03-01", "--out", str(tmp_path / "x.xlsx"))
    assert "--user" in str(exc.value) and "街道管理员" in str(exc.value)


def test_a_second_run_at_the_same_time_is_refused(world: World) -> None:
    from shouwang.quarantine.management.commands.quarantine import run_lock

    with run_lock("release-due"), pytest.raises(CommandError) as exc:
        run("release-due", "--yes")
    assert "正在运行" in str(exc.value) and "is running" in str(exc.value)
    assert "released=0" in run("release-due", "--yes")
