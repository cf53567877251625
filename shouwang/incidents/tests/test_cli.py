"""``shouwang incidents list`` and ``shouwang services list``."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import World
from shouwang.incidents.services import (
    attach_photo,
    close_incident,
    escalate_incident,
    log_service,
    raise_incident,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def a_day(world: World) -> None:
    from shouwang.incidents.tests.test_photos import encoded

    with time_machine.travel(dt.datetime(2020, 3, 1, 9, 40, tzinfo=SHANGHAI), tick=False) as clock:
        forced = raise_incident(
            world.gate_a,
            kind="forced_entry",
            severity="high",
            actor=world.gate_user,
            people="男，约 40 岁",
            description="强行闯卡",
        ).incident
        clock.shift(dt.timedelta(minutes=5))
        escalate_incident(forced, to="police_station", actor=world.gate_user)
        attach_photo(forced, data=encoded("JPEG"), actor=world.gate_user)
        raise_incident(
            world.gate_a2, kind="no_mask", severity="low", actor=world.gate_user, resident=world.resident.pk
        )
        close_incident(forced, outcome="派出所带离", actor=world.worker)
        log_service(
            world.gate_a2,
            kind="errand",
            actor=world.gate_user,
            person="老人，非本社区",
            note="看理发店开门没有",
        )
    with time_machine.travel(dt.datetime(2020, 2, 27, 20, 0, tzinfo=SHANGHAI), tick=False):
        raise_incident(world.gate_a, kind="abuse", actor=world.gate_user, people="女，约 30 岁")


def test_incidents_list(world: World, a_day: None) -> None:
    out = run("incidents", "list", "--date", "2020-03-01", "--community", "tps")
    assert (
        "2020-03-01 09:40 lixue-e forced_entry high closed 男，约 40 岁 「强行闯卡」 police_station@09:45 [photo] → 派出所带离"
        in out
    )
    assert "2020-03-01 09:45 xiaojiangfang-w no_mask low open 张* 「」 -" in out
    assert out.strip().endswith("incidents=2 open=1")
    still_open = run("incidents", "list", "--status", "open", "--community", "tps")
    assert "abuse" in still_open and "no_mask" in still_open and "forced_entry" not in still_open
    with pytest.raises(CommandError) as bad:
        run("incidents", "list", "--status", "solved")
    assert "状态“solved”无效" in str(bad.value) and "is not one of" in str(bad.value)


def test_services_list(world: World, a_day: None) -> None:
    out = run("services", "list", "--date", "2020-03-01", "--checkpoint", "xiaojiangfang-w")
    assert "2020-03-01 09:45 xiaojiangfang-w errand 老人，非本社区 「看理发店开门没有」 by gate" in out
    assert out.strip().endswith("services=1")
