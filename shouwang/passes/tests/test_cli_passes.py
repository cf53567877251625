"""``shouwang passes issue|print``: bulk issue is idempotent, print writes whole files or none."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from shouwang.core.errors import ShouwangError
from shouwang.core.models import AuditLog
from shouwang.passes.fonts import cjk_font_path
from shouwang.passes.models import Pass
from shouwang.passes.tests.test_cards import add_residents


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("passes", *args, stdout=out)
    return out.getvalue().strip()


def test_issue_gives_passes_to_residents_without_one_and_is_idempotent(world: Any) -> None:
    add_residents(world, ["买买提·艾力", "李䶮", "王五"])
    assert run("issue", "--community", "tps") == "issued=3 community=tps first=TPS-000002 last=TPS-000004"
    assert run("issue", "--community", "太仆寺街社区") == "issued=0 community=tps first=- last=-"
    assert Pass.objects.filter(community=world.community_a).count() == 4


def test_issue_default_dates_run_90_local_days(world: Any) -> None:
    add_residents(world, ["王五"])
    run("issue", "--community", "tps", "--actor", "admin")
    p = Pass.objects.get(resident__name="王五")
    assert (p.valid_until - p.valid_from).days == 89
    assert p.valid_from == world.community_a.local_date(dt.datetime.now(dt.UTC))
    assert AuditLog.objects.filter(action="pass.issue", actor_id=world.admin.pk).exists()


def test_issue_explicit_dates(world: Any) -> None:
    add_residents(world, ["王五"])
    run("issue", "--community", "tps", "--from", "2020-02-29", "--until", "2020-03-13")
    p = Pass.objects.get(resident__name="王五")
    assert (p.valid_from, p.valid_until) == (dt.date(2020, 2, 29), dt.date(2020, 3, 13))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--community", "nowhere"], ["没有名为或编号为“nowhere”的社区", "There is no community"]),
        (["--community", "tps", "--type", "vip"], ["没有代码为“vip”", "known: resident"]),
        (["--community", "tps", "--from", "2020-03-01", "--until", "2020-02-01"], ["早于", "ends before"]),
        (["--community", "tps", "--from", "29/02/2020"], ["不是有效日期", "YYYY-MM-DD"]),
        (["--community", "tps", "--actor", "ghost"], ["没有用户名", "no user named 'ghost'"]),
    ],
)
def test_issue_refuses_bad_input_in_both_languages(world: Any, args: list[str], words: list[str]) -> None:
    add_residents(world, ["王五"])
    with pytest.raises(CommandError) as exc:
        run("issue", *args)
    message = str(exc.value)
    assert "\n" not in message and " / " in message
    for word in words:
        assert word in message
    assert not Pass.objects.filter(resident__name="王五").exists()


def test_print_writes_pdf_and_pngs(world: Any, tmp_path: Path) -> None:
    try:
        cjk_font_path()
    except ShouwangError as exc:
        pytest.skip(f"printing needs a CJK font: {exc.message('en')}")
    add_residents(world, ["买买提·艾力", "李䶮"])
    run("issue", "--community", "tps")
    out = tmp_path / "tps.pdf"
    assert run("print", "--community", "tps", str(out), "--png-dir", str(tmp_path / "png")) == (
        f"pages=1 cards=3 out={out}"
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [
        "TPS-000001.png",
        "TPS-000002.png",
        "TPS-000003.png",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["png", "tps.pdf"]  # no temporary leftovers
    assert AuditLog.objects.filter(action="pass.print", detail__count=3).exists()


def test_print_unknown_community_writes_nothing(world: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=r"nowhere.*/.*There is no community"):
        run("print", "--community", "nowhere", str(out))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--status", "lost"], ["状态“lost”无效", "not one of"]),
        (["--status", "revoked"], ["没有状态为 revoked", "nothing written"]),
    ],
)
def test_print_refusals_write_nothing(world: Any, tmp_path: Path, extra: list[str], words: list[str]) -> None:
    with pytest.raises(CommandError) as exc:
        run(
            "print", "--community", "tps", str(tmp_path / "x.pdf"), "--png-dir", str(tmp_path / "png"), *extra
        )
    for word in words:
        assert word in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_print_into_missing_directory_is_refused(world: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="不存在"):
        run("print", "--community", "tps", str(tmp_path / "no" / "x.pdf"))


def test_print_without_font_writes_nothing(world: Any, tmp_path: Path) -> None:
    with (
        override_settings(SHOUWANG_CJK_FONT=str(tmp_path / "missing.ttc")),
        pytest.raises(CommandError) as exc,
    ):
        run("print", "--community", "tps", str(tmp_path / "x.pdf"))
    assert "fonts-wqy-zenhei" in str(exc.value)
    assert list(tmp_path.iterdir()) == []
