"""``shouwang report daily``: each format written where asked, and refusals in one line of
Chinese and English for a bad date, an unknown community, an unwritable path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from conftest import World
from shouwang.core.models import AuditLog
from shouwang.reports.selectors import ReportTarget
from shouwang.reports.services import submit_report
from shouwang.reports.tests.helpers import DAY, local, screen

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_each_format_is_written(world: World, tmp_path: Path) -> None:
    screen(world, world.gate_a, local(9))
    with time_machine.travel(local(19), tick=False):
        submit_report(
            ReportTarget(world.subdistrict, world.community_a), DAY, actor=world.worker, notes="=1+1"
        )
    with time_machine.travel(local(22), tick=False):
        out = run(
            "daily",
            "--date",
            "2020-03-01",
            "--community",
            "tps",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path / "r.xlsx"),
        )
        assert "submitted report" in out
        sheet = load_workbook(tmp_path / "r.xlsx")["日报 report"]
        cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert "'=1+1" in cells
        run(
            "daily",
            "--date",
            "2020-03-01",
            "--community",
            "太仆寺街社区",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "r.csv"),
        )
        assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        out = run("daily", "--date", "2020-03-01", "--format", "PDF", "--out", str(tmp_path / "all.pdf"))
        assert "NOT SUBMITTED" in out and (tmp_path / "all.pdf").read_bytes().startswith(b"%PDF")
    exports = AuditLog.objects.filter(action="report.export").order_by("pk")
    assert [(a.actor, a.detail["format"]) for a in exports] == [
        (world.admin, "xlsx"),
        (world.admin, "csv"),
        (world.admin, "pdf"),
    ]
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--date", "2020-02-30"], "不是有效日期", "is not a date"),
        (
            ["--date", "2020-03-01", "--community", "nowhere"],
            "没有名为或编号为“nowhere”的社区",
            "no community",
        ),
        (["--date", "2020-03-01", "--format", "docx"], "导出格式“docx”无效", "not one of: xlsx, pdf, csv"),
        (["--date", "2020-03-01", "--out", "/nonexistent-dir/r.xlsx"], "目录不存在", "no such directory"),
        (["--date", "2020-03-01", "--out", "/"], "这是一个目录", "it is a directory"),
        (["--date", "2020-03-01", "--user", "ghost"], "没有用户名为“ghost”的用户", "There is no user named"),
        (
            ["--date", "2020-03-01", "--community", "xdb", "--user", "worker"],
            "您无权在“西单北社区”操作",
            "not assigned",
        ),
    ],
)
def test_refusals_are_bilingual(world: World, tmp_path: Path, args: list[str], zh: str, en: str) -> None:
    base = {"--format": "xlsx", "--out": str(tmp_path / "r.xlsx")}
    given = dict(zip(args[::2], args[1::2], strict=True))
    full = [*args] + [item for key, value in base.items() if key not in given for item in (key, value)]
    with pytest.raises(CommandError) as refused:
        run("daily", *full)
    message = str(refused.value)
    assert zh in message and en in message and " / " in message
    assert not (tmp_path / "r.xlsx").exists()


def test_all_is_the_roll_up_and_a_wrong_extension_is_refused(world: World, tmp_path: Path) -> None:
    """Found by a breaker: --community all was unknown, and --format xlsx wrote an .xlsx named .csv."""
    with time_machine.travel(local(22), tick=False):
        out = run(
            "daily",
            "--date",
            "2020-03-01",
            "--community",
            "all",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "a.csv"),
        )
        assert "all 2020-03-01" in out
        with pytest.raises(CommandError) as err:
            run("daily", "--date", "2020-03-01", "--format", "xlsx", "--out", str(tmp_path / "r.csv"))
    assert "扩展名" in str(err.value) and "does not end in .xlsx" in str(err.value)
    assert not (tmp_path / "r.csv").exists()
