"""The day's figures, from records written through each app's services: screenings by decision
and hour, fevers and referrals, visits and deliveries, returnees and follow-ups, incidents, who is
on duty and the hours stood against the roster. Local dates are Beijing dates even when the
server's clock zone is UTC; queries do not grow with the data.

The day is Monday 2 March 2020 (the roster world of the roster tests: a published roster from
that day, 力学胡同东口 staffed round the clock, 东斜街北口 06–14).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, NotFound
from shouwang.dashboard.figures import DayFigures, Scope, day_figures, scope_for
from shouwang.dashboard.tests.conftest import DAY, Operation, local, screen
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening


def test_the_sub_district_figures_of_the_day(operation: Operation) -> None:
    w = operation.world
    figures = day_figures(scope_for(w.admin), DAY, now=operation.now)
    d = figures.as_dict()
    assert d["day"] == "2020-03-02" and d["as_of"] == "2020-03-02T07:00:00+00:00"
    assert d["scope"] == {
        "subdistrict": "xichangan",
        "subdistrict_name": "西长安街街道",
        "community": None,
        "community_name": None,
        "checkpoint": None,
        "checkpoint_name": None,
    }
    # The 00:30 screening is Monday's; the Sunday 23:50 one is not. Visits screen separately.
    assert d["screenings"] == {"admit": 3, "retest": 1, "refer": 1, "deny": 0, "register": 3}
    assert d["screenings_total"] == 8
    assert d["fevers"] == 2 and d["referrals"] == 1
    assert (d["visits"], d["visits_admitted"], d["deliveries"]) == (2, 1, 3)
    assert d["returnees_new"] == 1 and d["in_quarantine"] == 2
    # Two plans × two slots due by 15:00; one done today; the new plan's morning is overdue.
    assert (d["follow_ups_due"], d["follow_ups_done"], d["follow_ups_overdue"]) == (4, 1, 1)
    assert d["incidents_new"] == 2 and d["incidents_open"] == 2
    assert d["duty_hours"] == round(4 + 10 / 60 + 4, 1) == 8.2
    # Published roster: 力学胡同东口 4 × 4 h, 东斜街北口 2 × 4 h.
    assert d["rostered_hours"] == 24.0
    on_duty = d["on_duty_now"]
    assert [(p["checkpoint"], p["since"]) for p in on_duty] == [("lixue-e", "2020-03-02T02:00:00+00:00")]
    assert on_duty[0]["name"]

    gates = {g["checkpoint"]: g for g in d["gates"]}
    assert list(gates) == ["lixue-e", "xiaojiangfang-w", "dongxie-n"]
    lixue = gates["lixue-e"]
    assert lixue["name"] == "力学胡同东口" and lixue["community"] == "tps" and lixue["total"] == 6
    assert lixue["hourly"][0] == 1 and lixue["hourly"][8] == 2 and lixue["hourly"][9] == 3
    assert len(lixue["hourly"]) == 24 and sum(lixue["hourly"]) == 6
    assert gates["dongxie-n"]["hourly"][7] == 2 and gates["dongxie-n"]["hourly"][23] == 0
    assert gates["xiaojiangfang-w"]["total"] == 0 and gates["xiaojiangfang-w"]["hourly"] == [0] * 24

    rows = {c["community"]: c for c in d["communities"]}
    assert list(rows) == ["tps", "xdb"]
    tps, xdb = rows["tps"], rows["xdb"]
    assert tps["name"] == "太仆寺街社区" and tps["screenings_total"] == 6 and xdb["screenings_total"] == 2
    assert tps["screenings"]["refer"] == 1 and tps["referrals"] == 1 and tps["fevers"] == 2
    assert (tps["visits"], tps["deliveries"], xdb["visits"], xdb["deliveries"]) == (2, 1, 0, 2)
    assert (tps["in_quarantine"], tps["follow_ups_due"], tps["follow_ups_done"]) == (2, 4, 1)
    assert (tps["incidents_open"], xdb["incidents_open"]) == (1, 1)
    assert (tps["duty_hours"], xdb["duty_hours"]) == (4.2, 4.0)
    for key in (
        "screenings",
        "fevers",
        "referrals",
        "visits",
        "deliveries",
        "in_quarantine",
        "incidents_open",
    ):
        if key == "screenings":
            continue
        assert d[key] == sum(c[key] for c in d["communities"])


def test_a_past_day_has_no_one_on_duty_and_counts_incidents_open_at_its_end(operation: Operation) -> None:
    w = operation.world
    sunday = DAY - dt.timedelta(days=1)
    d = day_figures(scope_for(w.admin), sunday, now=operation.now).as_dict()
    assert d["on_duty_now"] == []
    assert d["screenings_total"] == 1 and d["screenings"]["register"] == 1
    assert d["gates"][2]["hourly"][23] == 1
    assert d["incidents_new"] == 1 and d["incidents_open"] == 1
    # The old plan (arrived 20 Feb) was in force on Sunday; its afternoon follow-up was done.
    assert d["in_quarantine"] == 1 and d["follow_ups_done"] == 1 and d["follow_ups_due"] == 2
    assert d["follow_ups_overdue"] == 1
    assert d["duty_hours"] == 0.0 and d["rostered_hours"] == 0.0


def test_a_screening_at_00_30_local_counts_that_day_when_the_server_runs_in_utc(
    operation: Operation, settings: Any
) -> None:
    settings.TIME_ZONE = "UTC"
    w = operation.world
    d = day_figures(scope_for(w.admin, community="tps"), DAY, now=operation.now).as_dict()
    assert d["gates"][0]["hourly"][0] == 1 and d["screenings_total"] == 6
    assert d["returnees_new"] == 1  # arrived 00:20 local = 16:20 UTC on Sunday
    # "Today" is Beijing's Monday at 23:30 UTC on Sunday… and Tuesday's at 16:30 UTC on Monday.
    late_sunday_utc = dt.datetime(2020, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert day_figures(scope_for(w.admin), DAY, now=late_sunday_utc).is_today
    assert not day_figures(
        scope_for(w.admin), DAY, now=dt.datetime(2020, 3, 2, 16, 30, tzinfo=dt.UTC)
    ).is_today


def test_a_community_and_a_checkpoint_scope(operation: Operation) -> None:
    w = operation.world
    tps = day_figures(scope_for(w.worker), DAY, now=operation.now).as_dict()
    assert tps["scope"]["community"] == "tps" and tps["scope"]["community_name"] == "太仆寺街社区"
    assert [c["community"] for c in tps["communities"]] == ["tps"]
    assert [g["checkpoint"] for g in tps["gates"]] == ["lixue-e", "xiaojiangfang-w"]
    assert tps["screenings_total"] == 6 and tps["deliveries"] == 1 and tps["incidents_open"] == 1

    gate = day_figures(scope_for(w.admin, checkpoint="dongxie-n"), DAY, now=operation.now).as_dict()
    assert gate["scope"]["checkpoint"] == "dongxie-n" and gate["scope"]["community"] == "xdb"
    assert [g["checkpoint"] for g in gate["gates"]] == ["dongxie-n"]
    assert gate["screenings_total"] == 2 and gate["deliveries"] == 2 and gate["rostered_hours"] == 8.0
    assert gate["duty_hours"] == 4.0 and gate["on_duty_now"] == []

    other_gate = day_figures(scope_for(w.worker, checkpoint="xiaojiangfang-w"), DAY, now=operation.now)
    assert other_gate.screenings_total == 0 and other_gate.as_dict()["deliveries"] == 0


def test_scope_follows_roles_and_communities(world: World) -> None:
    assert scope_for(world.admin) == Scope(world.subdistrict, None)
    assert scope_for(world.admin, community="xdb").community == world.community_b
    assert scope_for(world.admin, community="西单北社区").community == world.community_b
    assert scope_for(world.worker).community == world.community_a
    assert scope_for(world.health).community == world.community_a
    with pytest.raises(Forbidden) as denied:
        scope_for(world.worker, community="xdb")
    assert denied.value.code == "not_your_community" and "西单北社区" in denied.value.message("zh-hans")
    with pytest.raises(Forbidden):
        scope_for(world.worker, checkpoint="dongxie-n")
    with pytest.raises(Forbidden) as gate_staff:
        scope_for(world.gate_user)
    assert gate_staff.value.code == "role_forbidden"
    with pytest.raises(NotFound) as unknown:
        scope_for(world.admin, community="nowhere")
    assert unknown.value.code == "community_unknown" and "nowhere" in unknown.value.message("en")
    with pytest.raises(NotFound) as no_gate:
        scope_for(world.admin, checkpoint="no-such-gate")
    assert no_gate.value.code == "checkpoint_unknown"
    with pytest.raises(NotFound):
        scope_for(world.admin, community="tps", checkpoint="dongxie-n")
    lonely = make_staff("lonely", Role.COMMUNITY_WORKER, world.subdistrict, [])
    with pytest.raises(NotFound) as none:
        scope_for(lonely)
    assert none.value.code == "dashboard_no_community"
    inspector = make_staff("inspector", Role.INSPECTOR, world.subdistrict, [world.community_a])
    assert scope_for(inspector).community == world.community_a
    with pytest.raises(Forbidden):
        scope_for(inspector, community="xdb")
    leader = make_staff("leader", Role.INSPECTOR, world.subdistrict, [world.community_a, world.community_b])
    assert scope_for(leader) == Scope(world.subdistrict, None)
    both = make_staff(
        "both", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_b, world.community_a]
    )
    assert scope_for(both).community == world.community_a  # the first by code, never the total


def test_every_decision_is_present_on_an_empty_day(world: World) -> None:
    d = day_figures(scope_for(world.admin), dt.date(2020, 1, 5)).as_dict()
    assert d["screenings"] == {"admit": 0, "retest": 0, "refer": 0, "deny": 0, "register": 0}
    assert d["duty_hours"] == 0.0 and d["gates"][0]["hourly"] == [0] * 24
    assert d["communities"][1] == {
        "community": "xdb",
        "name": "西单北社区",
        "screenings_total": 0,
        "screenings": {"admit": 0, "retest": 0, "refer": 0, "deny": 0, "register": 0},
        "fevers": 0,
        "referrals": 0,
        "visits": 0,
        "visits_admitted": 0,
        "deliveries": 0,
        "returnees_new": 0,
        "in_quarantine": 0,
        "follow_ups_due": 0,
        "follow_ups_done": 0,
        "follow_ups_overdue": 0,
        "incidents_new": 0,
        "incidents_open": 0,
        "duty_hours": 0.0,
        "rostered_hours": 0.0,
    }


QUERIES = 13


def test_a_fixed_number_of_queries_whatever_the_communities_gates_and_records(
    operation: Operation, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    w = operation.world
    scope = scope_for(w.admin)
    with django_assert_num_queries(QUERIES):
        small: DayFigures = day_figures(scope, DAY, now=operation.now)
    assert small.screenings_total == 8
    # Three more communities, each with three gates, and more screenings at every gate.
    for n in range(3):
        c = Community.objects.create(subdistrict=w.subdistrict, code=f"extra{n}", name=f"演示社区{n}")
        for g in range(3):
            Checkpoint.objects.create(
                community=c, code=f"extra{n}-{g}", name=f"演示卡口{n}-{g}", invented=True
            )
    for minute in range(10):
        screen(w, w.gate_a2, local(11, minute), id_number="110102199003070034")
    with django_assert_max_num_queries(QUERIES):
        big = day_figures(scope, DAY, now=operation.now)
    assert big.screenings_total == 18 and len(big.gates) == 3 + 9 and len(big.communities) == 5
    # A past day (no "on duty now") costs one query fewer.
    with django_assert_num_queries(QUERIES - 1):
        day_figures(scope, DAY - dt.timedelta(days=1), now=operation.now)


def test_the_fever_threshold_is_the_sub_districts_policy(operation: Operation) -> None:
    w = operation.world
    w.subdistrict.policy = {"fever_c": "37.85"}
    w.subdistrict.save()
    scope = scope_for(w.admin)
    scope = Scope(w.subdistrict, None)
    assert day_figures(scope, DAY, now=operation.now).total("fevers") == 1


def test_the_figures_of_a_client_uuid_repeat_are_not_counted_twice(operation: Operation) -> None:
    w = operation.world
    client = uuid.uuid4()
    for _ in range(2):
        with time_machine.travel(local(14, 0), tick=False):
            record_screening(
                Identifier(pass_number=w.pass_.number),
                checkpoint=w.gate_a,
                direction="out",
                temperature=None,
                mask=True,
                actor=w.gate_user,
                client_id=client,
            )
    d = day_figures(scope_for(w.admin), DAY, now=operation.now).as_dict()
    assert d["screenings_total"] == 9 and d["gates"][0]["hourly"][14] == 1
