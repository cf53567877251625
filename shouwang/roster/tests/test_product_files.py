"""What leaves the system as files: a staff member's .ics feed (parsed back with icalendar, in
local time), its signed link, and the .xlsx workbooks (opened back with openpyxl), where user
text never runs as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.core import signing
from icalendar import Calendar
from openpyxl import load_workbook

from conftest import World
from shouwang.core.errors import Forbidden, InvalidInput
from shouwang.core.models import AuditLog, Staff
from shouwang.roster.calendar import ics_for
from shouwang.roster.export import safe_text
from shouwang.roster.links import calendar_token, staff_for_calendar_token
from shouwang.roster.models import Roster
from shouwang.roster.selectors import feed_shifts, my_shifts
from shouwang.roster.services import (
    export_duty_hours_xlsx,
    export_roster_xlsx,
    publish_roster,
    sign_in,
    sign_out,
    solve_roster,
)
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, SHANGHAI, Duty, make_duty


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


@pytest.fixture
def roster(duty: Duty) -> Roster:
    outcome = solve_roster(duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=FAST)
    assert outcome.roster is not None
    return publish_roster(outcome.roster, actor=duty.admin)


def test_the_ics_feed_parses_back_with_local_times(duty: Duty, roster: Roster) -> None:
    person = (
        roster.shifts.select_related("staff")
        .get(checkpoint__code="lixue-e", date=MONDAY, template__code="06-10")
        .staff
    )
    shifts = feed_shifts(person)
    assert shifts and shifts == my_shifts(person.user, MONDAY, MONDAY + dt.timedelta(days=2))
    cal = Calendar.from_ical(ics_for(person, shifts))
    assert str(cal["x-wr-timezone"]) == "Asia/Shanghai"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = cal.walk("VEVENT")
    assert len(events) == len(shifts)
    first = events[0]
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    assert first["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert (start.date(), start.time(), end.date(), end.time()) == (MONDAY, dt.time(6), MONDAY, dt.time(10))
    assert start.utcoffset() == end.utcoffset() == dt.timedelta(hours=8)
    assert start == shifts[0].starts_at  # the same instant: 22:00 UTC the evening before
    assert str(first["summary"]) == "值守 力学胡同东口"
    assert str(first["location"]) == "力学胡同东口（太仆寺街社区）"
    assert str(first["uid"]) == f"shift-{shifts[0].pk}@shouwang"
    # The UID is the Shift's: the same feed fetched again has the same UIDs.
    again = Calendar.from_ical(ics_for(person, feed_shifts(person)))
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(e["uid"]) for e in events]


def test_a_draft_roster_is_not_in_anyones_feed(duty: Duty, roster: Roster) -> None:
    roster.status = "draft"
    roster.save()
    person = roster.shifts.first().staff  # type: ignore[union-attr]
    assert feed_shifts(person) == []
    assert Calendar.from_ical(ics_for(person, [])).walk("VEVENT") == []


def test_the_calendar_link_is_signed_and_revoked_by_a_new_password(duty: Duty) -> None:
    staff = duty.staff("a1")
    token = calendar_token(staff)
    assert staff_for_calendar_token(token) == staff
    a2 = duty.staff("a2")
    forged = (
        signing.dumps({"s": a2.pk, "v": "0" * 8}, salt="shouwang.roster.calendar-feed"),  # a guessed version
        signing.dumps({"s": a2.pk}, salt="another-salt"),
        token[:-2] + ("xx" if not token.endswith("xx") else "yy"),
        "nonsense",
    )
    for bad in forged:
        with pytest.raises(InvalidInput) as err:
            staff_for_calendar_token(bad)
        assert err.value.code == "calendar_link_invalid"
    staff.user.set_password("a-new-password-123")
    staff.user.save()
    with pytest.raises(InvalidInput):
        staff_for_calendar_token(token)
    assert staff_for_calendar_token(calendar_token(Staff.objects.get(pk=staff.pk))) == staff


def test_the_roster_workbook_prints_the_grid_and_neutralises_formulas(duty: Duty, roster: Roster) -> None:
    evil = duty.staff("a3")
    evil.display_name = '=HYPERLINK("http://evil.example","点我")'
    evil.save()
    data = export_roster_xlsx(roster, actor=duty.admin, via="test")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["排班 roster", "人员 staff"]
    sheet = book["排班 roster"]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["日期 date", "星期 day", "班次 shift"]
    assert header[3:] == [
        "力学胡同东口\n太仆寺街社区",
        "小酱坊胡同西口\n太仆寺街社区",
        "东斜街北口\n西单北社区",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 3 * 4
    assert rows[0][:3] == ["2020-03-02", "周一 Mon", "06:00–10:00"]
    assert rows[0][4] == "—" and rows[2][5] == "—"  # gate A2 closed; gate B closed 14–18
    text = "\n".join(str(v) for row in rows for v in row if v)
    assert "=HYPERLINK" in text
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                assert cell.value.startswith("'=")
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"
    people = {row[1].value: row for row in book["人员 staff"].iter_rows(min_row=2)}
    assert str(people["a3"][0].value).startswith("'=") and people["a3"][0].data_type == "s"
    assert sum(int(str(row[4].value)) for row in people.values()) == 18
    assert AuditLog.objects.get(action="roster.export").detail["via"] == "test"


def test_the_workbook_marks_empty_places(duty: Duty, roster: Roster) -> None:
    from shouwang.roster.services import set_staffing_level

    set_staffing_level(duty.world.gate_b, template=duty.templates["14-18"], staff_needed=1, actor=duty.admin)
    book = load_workbook(io.BytesIO(export_roster_xlsx(roster, actor=duty.admin, via="test")))
    assert book.sheetnames[-1] == "空缺 empty"
    gaps = [[c.value for c in row] for row in book["空缺 empty"].iter_rows(min_row=2)]
    assert gaps == [["东斜街北口", f"2020-03-0{d}", "14:00–18:00", 1, 1, None] for d in (2, 3, 4)]
    assert book["排班 roster"].cell(row=6, column=6).value == "空缺 ×1"


def test_a_community_worker_exports_only_their_gates_and_gate_staff_not_at_all(
    duty: Duty, roster: Roster
) -> None:
    book = load_workbook(io.BytesIO(export_roster_xlsx(roster, actor=duty.world.worker, via="test")))
    assert [c.value for c in book["排班 roster"][3]][3:] == [
        "力学胡同东口\n太仆寺街社区",
        "小酱坊胡同西口\n太仆寺街社区",
    ]
    with pytest.raises(Forbidden):
        export_roster_xlsx(roster, actor=duty.world.gate_user, via="test")


def test_the_duty_hours_workbook(duty: Duty, roster: Roster) -> None:
    shift = roster.shifts.select_related("staff").get(
        checkpoint__code="lixue-e", date=MONDAY, template__code="06-10"
    )
    with time_machine.travel(dt.datetime(2020, 3, 2, 6, 20, tzinfo=SHANGHAI), tick=False):
        sign_in(shift.staff, checkpoint=duty.world.gate_a)
    with time_machine.travel(dt.datetime(2020, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        sign_out(shift.staff)
    with time_machine.travel(dt.datetime(2020, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False):
        data = export_duty_hours_xlsx(
            duty.world.subdistrict, start=MONDAY, end=MONDAY, actor=duty.admin, via="test"
        )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["工时 hours", "分组 teams", "迟到缺勤 late & absent"]
    rows = {row[2].value: [c.value for c in row] for row in book["工时 hours"].iter_rows(min_row=4)}
    assert rows[shift.staff.user.username][3:8] == [3.67, 4, -0.33, 1, 1]
    events = [[c.value for c in row] for row in book["迟到缺勤 late & absent"].iter_rows(min_row=2)]
    assert [
        shift.staff.display_name,
        "2020-03-02",
        "力学胡同东口",
        "06:00–10:00",
        "迟到 late",
        20,
        "06:20",
    ] in events
    assert sum(1 for e in events if e[4] == "缺勤 absent") == 5
    with pytest.raises(Forbidden):
        export_duty_hours_xlsx(
            duty.world.subdistrict, start=MONDAY, end=MONDAY, actor=duty.world.worker, via="x"
        )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("张三", "张三"),
        ("a\x07b", "ab"),
    ],
)
def test_safe_text(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown
