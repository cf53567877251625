"""``shouwang duty plan|export|hours``: a summary and the roster stored, the reasons in both
languages and exit code 2 when none can be made, the workbooks written and audited, refusals."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from conftest import World
from shouwang.core.models import AuditLog
from shouwang.roster.models import Roster
from shouwang.roster.services import publish_roster, set_staffing_level, sign_in, sign_out
from shouwang.roster.tests.test_product_world import MONDAY, NOW, SHANGHAI, Duty, make_duty


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("duty", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


PLAN = (
    "plan",
    "--subdistrict",
    "xichangan",
    "--from",
    "2020-03-02",
    "--days",
    "3",
    "--time-limit",
    "5",
    "--no-progress",
)


def test_plan_stores_a_roster_and_prints_a_summary(duty: Duty) -> None:
    out = run(*PLAN)
    roster = Roster.objects.get()
    assert "status=optimal" in out and "gap=0.00%" in out
    assert (
        f"roster={roster.pk} subdistrict=xichangan start=2020-03-02 end=2020-03-04 shifts=18 empty_places=0"
        in out
    )
    assert "created=yes" in out and "changed=" not in out
    assert AuditLog.objects.get(action="roster.solve").actor == duty.admin
    assert "created=no changed=0" in run(*PLAN)  # the same Roster again: nothing moved
    run(*PLAN, "--afresh")
    roster.refresh_from_db()
    assert roster.keep_current is False and roster.changed is not None


def test_plan_with_soft_coverage_lists_the_empty_slots_in_both_languages(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    out = run(*PLAN, "--soft-coverage")
    assert "empty_places=6" in out
    assert (
        "在这些规则下，没有能把所有岗位排满的方案" in out
        and "No roster under these rules staffs every slot" in out
    )
    assert "东斜街北口" in out


def test_plan_that_cannot_be_made_exits_2_with_the_reasons(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("duty", *PLAN, stdout=out, stderr=io.StringIO())
    assert err.value.returncode == 2
    assert "未能排班（infeasible）" in str(err.value) and "No roster was made (infeasible)" in str(err.value)
    text = out.getvalue()
    assert "- 东斜街北口 3月2日 06:00–10:00 需要 5 人，但只有 4 人能上岗。" in text
    assert "  东斜街北口 needs 5 people 06:00–10:00 on 2 March but only 4 are available." in text
    assert Roster.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ("plan", "--subdistrict", "nowhere", "--from", "2020-03-02", "--days", "3"),
            "没有编号为“nowhere”的街道",
        ),
        (("plan", "--from", "2020-3-2x", "--days", "3"), "is not a date"),
        (("plan", "--from", "2020-03-02", "--days", "99", "--no-progress"), "A roster covers 1 to 62 days"),
        (
            ("plan", "--from", "2020-03-02", "--days", "3", "--user", "worker"),
            "Your role does not allow this",
        ),
        (("export", "--roster", "42", "--out", "x.xlsx"), "There is no roster 42"),
        (("hours", "--from", "2020-03-05", "--to", "2020-03-02"), "is before the start date"),
    ],
)
def test_refusals_are_one_line_in_both_languages(duty: Duty, args: tuple[str, ...], words: str) -> None:
    with pytest.raises(CommandError) as err:
        run(*args)
    assert words in str(err.value)
    assert " / " in str(err.value)


def test_export_writes_the_grid_and_audits_it(duty: Duty, tmp_path: Path) -> None:
    run(*PLAN)
    roster = Roster.objects.get()
    target = tmp_path / "roster.xlsx"
    out = run("export", "--roster", str(roster.pk), "--out", str(target))
    assert f"roster={roster.pk} user=admin" in out and target.exists()
    book = load_workbook(target)
    assert book["排班 roster"]["A4"].value == "2020-03-02"
    assert AuditLog.objects.get(action="roster.export").detail["via"] == "cli:roster.xlsx"
    with pytest.raises(CommandError, match=r"不是 \.xlsx 文件名"):
        run("export", "--roster", str(roster.pk), "--out", str(tmp_path / "roster.csv"))


def test_hours_prints_per_person_and_team_and_writes_a_workbook(duty: Duty, tmp_path: Path) -> None:
    run(*PLAN)
    roster = Roster.objects.get()
    publish_roster(roster, actor=duty.admin)
    shift = roster.shifts.select_related("staff").get(
        checkpoint__code="dongxie-n", date=MONDAY, template__code="06-10"
    )
    with time_machine.travel(dt.datetime(2020, 3, 2, 6, 0, tzinfo=SHANGHAI), tick=False):
        sign_in(shift.staff, checkpoint=duty.world.gate_b)
    with time_machine.travel(dt.datetime(2020, 3, 2, 10, 30, tzinfo=SHANGHAI), tick=False):
        sign_out(shift.staff)
    target = tmp_path / "hours.xlsx"
    with time_machine.travel(dt.datetime(2020, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False):
        out = run("hours", "--from", "2020-03-02", "--to", "2020-03-02", "--out", str(target))
    line = next(line for line in out.splitlines() if f" {shift.staff.user.username} " in line)
    assert "   4.50    4.00" in line
    assert "== 第二临时党支部: people=4 attended_h=4.50 rostered_h=8.00 late=0 absent=1 open=0" in out
    assert "== 合计 total: people=9" in out
    assert load_workbook(target).sheetnames[0] == "工时 hours"
    assert AuditLog.objects.get(action="duty_hours.export").detail["via"] == "cli:hours.xlsx"


def test_plan_draws_a_progress_bar_on_stderr(duty: Duty, capsys: Any) -> None:
    err = io.StringIO()
    call_command("duty", *PLAN[:-1], stdout=io.StringIO(), stderr=err)
    captured = capsys.readouterr()
    assert "roster" in captured.err or "roster" in err.getvalue()
