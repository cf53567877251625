"""``shouwang visits list`` and ``shouwang deliveries list``: a local day per community and gate,
masked people, visitors inside now, and refusals in both languages."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import World
from shouwang.visitors.choices import HostKind
from shouwang.visitors.services import HostIn, VisitorIn, record_visit_exit, register_delivery, register_visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def day_of_outsiders(world: World) -> None:
    """Two visitors and a rider at 力学胡同东口 on 1 March 2020; the first visitor leaves by 小酱坊胡同西口.
    The second arrives at 00:30 local on 2 March (16:30 UTC on the 1st): it belongs to the 2nd."""
    host = HostIn(HostKind.HOUSEHOLD, world.resident.household_id)
    with time_machine.travel(dt.datetime(2020, 3, 1, 9, 15, tzinfo=SHANGHAI), tick=False) as clock:
        first = register_visit(
            world.gate_a,
            visitor=VisitorIn(name="李四", phone="13800138000", id_number="110102199003070034"),
            host=host,
            reason="探亲",
            temperature="36.6",
            mask=True,
            actor=world.gate_user,
        ).visit
        register_delivery(
            world.gate_a,
            platform="sf",
            phone="13600136000",
            temperature="36.4",
            mask=True,
            actor=world.gate_user,
        )
        clock.move_to(dt.datetime(2020, 3, 1, 11, 0, tzinfo=SHANGHAI))
        record_visit_exit(first, checkpoint=world.gate_a2, actor=world.gate_user)
        clock.move_to(dt.datetime(2020, 3, 1, 16, 30, tzinfo=dt.UTC))
        register_visit(
            world.gate_a,
            visitor=VisitorIn(name="王五", phone="13900139000", id_type="passport", id_number="E12345678"),
            host=host,
            reason="送药",
            temperature="36.7",
            mask=True,
            actor=world.gate_user,
        )


def test_visits_list_of_a_local_day(world: World, day_of_outsiders: None) -> None:
    out = run("visits", "list", "--date", "2020-03-01", "--community", "tps")
    assert "== tps 太仆寺街社区 2020-03-01 ==" in out
    assert (
        "2020-03-01 09:15 lixue-e 李* 138****8000 → 力学胡同 3 号 「探亲」 36.6°C admit TPS-V200301-001 out 11:00 xiaojiangfang-w"
        in out
    )
    assert "王*" not in out  # 00:30 on the 2nd is the 2nd's
    assert out.strip().endswith("visits=1 admitted=1 on_site=0")
    second_day = run("visits", "list", "--date", "2020-03-02", "--community", "太仆寺街社区")
    assert "2020-03-02 00:30 lixue-e 王* 139****9000" in second_day and "TPS-V200302-001" in second_day
    inside = run("visits", "list", "--on-site", "--checkpoint", "lixue-e")
    assert "王*" in inside and "李*" not in inside and inside.strip().endswith("on_site=1")
    empty = run("visits", "list", "--date", "2020-03-01", "--community", "xdb")
    assert "（无记录） / (nothing)" in empty and "visits=0" in empty


def test_deliveries_list_apart(world: World, day_of_outsiders: None) -> None:
    out = run("deliveries", "list", "--date", "2020-03-01")
    assert "2020-03-01 09:15 lixue-e 顺丰 136****6000 36.4°C admit gate" in out
    assert "== xdb 西单北社区 2020-03-01 ==" in out
    assert out.strip().endswith("deliveries=1 entered=0")


def test_cli_refusals_in_both_languages(world: World) -> None:
    with pytest.raises(CommandError) as date:
        run("visits", "list", "--date", "1/3/2020")
    assert "不是有效日期" in str(date.value) and "is not a date" in str(date.value)
    with pytest.raises(CommandError) as community:
        run("deliveries", "list", "--community", "nowhere")
    assert "没有名为或编号为" in str(community.value) and "There is no community" in str(community.value)
    with pytest.raises(CommandError) as gate:
        run("visits", "list", "--checkpoint", "nowhere")
    assert "没有编号为" in str(gate.value)


def test_the_shouwang_entry_point_runs_it(world: World, day_of_outsiders: None, capsys: Any) -> None:
    from shouwang.cli import main

    main(["visits", "list", "--date", "2020-03-01", "--community", "tps"])
    assert "visits=1" in capsys.readouterr().out
