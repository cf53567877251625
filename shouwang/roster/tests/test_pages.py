"""The roster pages through Django's test client: who may open what (by role and sub-district),
what each page shows, the coordinator's edits and swap decisions, bad input shown with nothing
stored, the public .ics feed, the print stylesheet, and the gate page's duty strip.

Fixed time: Sunday 1 March 2020, 09:00 in Beijing; the rosters start on Monday 2 March (the duty
world of ``test_product_world``: gate A needs one person on each 4-hour shift, gate B on 06–10
and 10–14, gate A2 is closed).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from icalendar import Calendar
from openpyxl import load_workbook

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.core.models import AuditLog, Staff
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.roster.links import calendar_token
from shouwang.roster.models import Attendance, Roster, Shift, SwapRequest
from shouwang.roster.services import (
    publish_roster,
    request_swap,
    set_staffing_level,
    sign_in,
    sign_out,
    solve_roster,
)
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, SHANGHAI, Duty, make_duty


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def duty(world: World) -> Duty:
    return make_duty(world)


@pytest.fixture
def draft(duty: Duty) -> Roster:
    """Three days from Monday, solved (a draft)."""
    outcome = solve_roster(duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=FAST)
    assert outcome.roster is not None
    return outcome.roster


@pytest.fixture
def roster(draft: Roster, duty: Duty) -> Roster:
    """The same roster, published."""
    return publish_roster(draft, actor=duty.admin)


def client_for(user: Any, lang: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def english(user: Any) -> Client:
    client = client_for(user, "en")
    client.cookies["django_language"] = "en"
    return client


def text(response: Any) -> str:
    """The page without its tags, spaces collapsed: what a reader sees."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def monday(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2020, 3, 2, hour, minute, tzinfo=SHANGHAI)


def on(roster: Roster, gate: str, date: dt.date, code: str) -> Shift:
    return roster.shifts.select_related("staff__user", "checkpoint").get(
        checkpoint__code=gate, date=date, template__code=code
    )


def solve_data(**overrides: Any) -> dict[str, Any]:
    data = {"start": "2020-03-02", "days": "3", "time_limit_s": str(FAST)}
    data.update(overrides)
    return data


# ---- who may open what ---------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(duty: Duty, roster: Roster) -> None:
    client = Client()
    for url in ("/roster/", f"/roster/{roster.pk}/", "/roster/mine/", "/roster/swaps/", "/roster/hours/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_gate_staff_cannot_open_the_coordinator_pages_or_export(duty: Duty, roster: Roster) -> None:
    client = client_for(duty.world.gate_user)
    for url in (
        "/roster/",
        f"/roster/{roster.pk}/",
        f"/roster/{roster.pk}/roster.xlsx",
        "/roster/swaps/",
        "/roster/hours/",
        "/roster/hours.xlsx",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/roster/", solve_data()).status_code == 403
    assert client.post(f"/roster/{roster.pk}/", {"action": "publish"}).status_code == 403
    health = client_for(duty.world.health)
    assert health.get("/roster/").status_code == 403
    assert not AuditLog.objects.filter(action__in=["roster.export", "duty_hours.export"]).exists()


def test_another_subdistricts_roster_is_a_404_like_a_missing_one(duty: Duty, roster: Roster) -> None:
    other = Subdistrict.objects.create(code="xichang", name="西长安街以外街道")
    Community.objects.create(subdistrict=other, code="far", name="远方社区")
    stranger = make_staff("other-admin", Role.SUBDISTRICT_ADMIN, other, [])
    client = client_for(stranger)
    missing = client.get("/roster/999999/")
    theirs = client.get(f"/roster/{roster.pk}/")
    assert missing.status_code == theirs.status_code == 404
    assert client.get(f"/roster/{roster.pk}/roster.xlsx").status_code == 404
    assert client.post(f"/roster/{roster.pk}/", {"action": "publish"}).status_code == 404
    assert str(roster.pk) not in client.get("/roster/").content.decode().split("roster-")[-1][:10]


def test_community_workers_read_published_grids_of_their_gates_only(duty: Duty, draft: Roster) -> None:
    client = client_for(duty.world.worker)
    assert client.get(f"/roster/{draft.pk}/").status_code == 404  # a draft is the coordinator's
    listing = client.get("/roster/")
    assert listing.status_code == 200 and "solve-submit" not in listing.content.decode()
    publish_roster(draft, actor=duty.admin)
    page = client.get(f"/roster/{draft.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "力学胡同东口" in body and "东斜街北口" not in body  # community B's gate is not theirs
    assert 'name="action"' not in body and "?edit=1" not in body
    assert client.post(f"/roster/{draft.pk}/", {"action": "publish"}).status_code == 403
    xlsx = client.get(f"/roster/{draft.pk}/roster.xlsx")
    assert xlsx.status_code == 200
    assert AuditLog.objects.get(action="roster.export").detail["via"] == "page"


# ---- 1. the coordinator's rosters ------------------------------------------------------------------


def test_solving_from_the_page_makes_a_draft_and_shows_its_grid(duty: Duty) -> None:
    client = client_for(duty.admin)
    page = client.get("/roster/")
    assert page.status_code == 200 and "no-rosters" in page.content.decode()
    assert 'value="2020-03-02"' in page.content.decode()  # tomorrow by default
    response = client.post("/roster/", solve_data())
    roster = Roster.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/roster/{roster.pk}/"
    grid = client.get(response["Location"])
    words = text(grid)
    assert "2020-03-02 至 2020-03-04 的排班已完成：最优" in words and "草稿" in words
    assert roster.shifts.count() == 18
    listing = text(client.get("/roster/"))
    assert "2020-03-02 – 2020-03-04" in listing and "最优" in listing and "3 天" in listing


def test_an_infeasible_solve_explains_why_and_stores_nothing(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    response = client_for(duty.admin).post("/roster/", solve_data())
    assert response.status_code == 200
    words = text(response)
    assert "未能排班（无解），未作任何改动" in words
    assert "东斜街北口 3月2日 06:00–10:00 需要 5 人，但只有 4 人能上岗。" in words
    assert Roster.objects.count() == 0 and Shift.objects.count() == 0
    english_words = text(english(duty.admin).post("/roster/", solve_data()))
    assert "东斜街北口 needs 5 people 06:00–10:00 on 2 March but only 4 are available." in english_words


def test_soft_coverage_makes_the_roster_and_lists_the_empty_places(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    client = client_for(duty.admin)
    response = client.post("/roster/", solve_data(soft_coverage="on"), follow=True)
    words = text(response)
    assert "6 个岗位空缺（红色）" in words
    assert "在这些规则下，没有能把所有岗位排满的方案。" in words  # the solver's headline
    # 4 people stand gate B from 06:00 (5 needed) and nobody is left for 10:00 (1 needed).
    assert "东斜街北口 3月2日 周一 06:00–10:00：5 个岗位空 1 个" in words
    assert "东斜街北口 3月2日 周一 10:00–14:00：1 个岗位空 1 个" in words
    body = response.content.decode()
    cell = re.search(r'<td id="c-dongxie-n-2020-03-02-06-10" class="([^"]+)"', body)
    assert cell is not None and "short" in cell.group(1)
    assert "1 人空缺" in text_of(body, "c-dongxie-n-2020-03-02-06-10")


def text_of(body: str, element_id: str) -> str:
    """The words of one table cell of ``body``."""
    found = re.search(rf'<td id="{element_id}"[^>]*>(.*?)</td>', body, flags=re.S)
    assert found is not None, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"days": "0"}, "排班天数须在 1 到 62 天之间。"),
        ({"start": "2020-02-20"}, "排班期最后一天（2020-02-22）已经过去"),
        ({"time_limit_s": "600"}, "计算时限须大于 0 秒且不超过 60 秒。"),
        ({"start": "not-a-date"}, "输入一个有效的日期"),
        ({"days": ""}, "这个字段是必填项"),
    ],
)
def test_bad_input_shows_the_error_and_saves_nothing(duty: Duty, changes: dict[str, str], words: str) -> None:
    response = client_for(duty.admin).post("/roster/", solve_data(**changes))
    assert response.status_code == 200
    assert words in text(response)
    assert Roster.objects.count() == 0


def test_an_overlapping_horizon_is_refused_in_words(duty: Duty, draft: Roster) -> None:
    response = client_for(duty.admin).post("/roster/", solve_data(start="2020-03-03"))
    assert "与已有排班表（2020-03-02 至 2020-03-04）重叠" in text(response)
    assert Roster.objects.count() == 1


# ---- 2. the grid ---------------------------------------------------------------------------------


def test_the_grid_shows_gates_days_shifts_people_and_prints_landscape(duty: Duty, draft: Roster) -> None:
    response = client_for(duty.admin).get(f"/roster/{draft.pk}/")
    body = response.content.decode()
    words = text(response)
    for gate in ("力学胡同东口", "小酱坊胡同西口", "东斜街北口"):
        assert gate in words
    assert "3月2日 周一" in words and "3月4日 周三" in words
    assert words.count("06–10") >= 3 and "18–22" in words
    shift = on(draft, "lixue-e", MONDAY, "06-10")
    assert shift.staff.display_name in text_of(body, "c-lixue-e-2020-03-02-06-10")
    assert 'class="cell day-start closed"' in body  # gate A2 is closed
    assert "第一临时党支部" in words and "第二临时党支部" in words  # the team legend
    # The print stylesheet: landscape A4, a week a page, no navigation or edit buttons.
    assert "roster/roster.css" in body
    path = finders.find("roster/roster.css")
    assert path is not None
    css = Path(str(path)).read_text()
    printing = css[css.index("@media print") :]
    assert "size:A4 landscape" in printing and "break-before:page" in printing
    assert ".top, .q-nav, .msgs, .no-print, .tools, .acts, a.add" in printing


def test_lock_then_resolve_keeps_the_locked_person(duty: Duty, draft: Roster) -> None:
    client = client_for(duty.admin)
    shift = on(draft, "dongxie-n", MONDAY, "06-10")
    page = client.get(f"/roster/{draft.pk}/?edit=1").content.decode()
    assert f'name="shift" value="{shift.pk}"' in page
    response = client.post(f"/roster/{draft.pk}/", {"action": "lock", "shift": shift.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/roster/{draft.pk}/?edit=1#c-dongxie-n-2020-03-02-06-10"
    assert Shift.objects.get(pk=shift.pk).locked
    others = set(draft.shifts.filter(locked=False).values_list("pk", flat=True))
    resolved = client.post(
        f"/roster/{draft.pk}/",
        {"action": "resolve", "time_limit_s": str(FAST), "keep_current": "on"},
        follow=True,
    )
    assert "的排班已完成" in text(resolved)
    kept = Shift.objects.get(pk=shift.pk)
    assert kept.staff_id == shift.staff_id and kept.locked
    # The lock asked for no move: the rest of the roster stays, row for row.
    assert "与原排班相比改动了 0 个班次" in text(resolved)
    assert Shift.objects.filter(pk__in=others).count() == len(others)
    cell = text_of(resolved.content.decode(), "c-dongxie-n-2020-03-02-06-10")
    assert shift.staff.display_name in cell and "已锁" in cell
    client.post(f"/roster/{draft.pk}/", {"action": "unlock", "shift": shift.pk})
    assert not Shift.objects.get(pk=shift.pk).locked


def test_remove_and_assign_by_hand(duty: Duty, draft: Roster) -> None:
    client = client_for(duty.admin)
    shift = on(draft, "lixue-e", dt.date(2020, 3, 3), "14-18")
    person = shift.staff
    response = client.post(f"/roster/{draft.pk}/", {"action": "remove", "shift": shift.pk}, follow=True)
    assert f"{person.display_name} 已从该班次移除" in text(response)
    assert not Shift.objects.filter(pk=shift.pk).exists()
    assert "1 个岗位空 1 个" in text(response)
    # b1 serves community B only: refused in words, nothing stored.
    b1 = duty.staff("b1")
    cell = {"checkpoint": "lixue-e", "date": "2020-03-03", "shift": "14-18"}
    refused = client.post(f"/roster/{draft.pk}/", {"action": "assign", "staff": b1.pk, **cell})
    assert refused.status_code == 200
    assert "b1 不在“力学胡同东口”所属社区值守，不能安排到该卡口。" in text(refused)
    assert not Shift.objects.filter(staff=b1, date=dt.date(2020, 3, 3), template__code="14-18").exists()
    # The person removed goes back by hand: the Shift is locked.
    done = client.post(f"/roster/{draft.pk}/", {"action": "assign", "staff": person.pk, **cell})
    assert done.status_code == 302 and done["Location"].endswith("#c-lixue-e-2020-03-03-14-18")
    again = Shift.objects.get(staff=person, date=dt.date(2020, 3, 3), template__code="14-18")
    assert again.locked and again.source == "hand"
    # A cell link prefills the form.
    prefilled = client.get(f"/roster/{draft.pk}/?edit=1&checkpoint=dongxie-n&date=2020-03-04&shift=10-14")
    body = prefilled.content.decode()
    assert '<option value="dongxie-n" selected>' in body and '<option value="2020-03-04" selected>' in body
    assert '<details class="change card" id="assign" open>' in body


def test_a_started_shift_cannot_be_removed(duty: Duty, draft: Roster) -> None:
    shift = on(draft, "lixue-e", MONDAY, "06-10")
    with time_machine.travel(monday(7), tick=False):
        response = client_for(duty.admin).post(
            f"/roster/{draft.pk}/", {"action": "remove", "shift": shift.pk}, follow=True
        )
    assert "该班次（2020-03-02 06:00–10:00）已经开始，不能再更改。" in text(response)
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_publish_and_download(duty: Duty, draft: Roster) -> None:
    client = client_for(duty.admin)
    response = client.post(f"/roster/{draft.pk}/", {"action": "publish"}, follow=True)
    assert "已发布" in text(response)
    draft.refresh_from_db()
    assert draft.status == "published"
    xlsx = client.get(f"/roster/{draft.pk}/roster.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert "力学胡同东口" in str([c.value for row in sheet.iter_rows() for c in row])
    assert AuditLog.objects.get(action="roster.export").detail["via"] == "page"


# ---- 3. my shifts and the calendar feed ---------------------------------------------------------------


def test_my_shifts_lists_published_shifts_with_the_calendar_link(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "lixue-e", MONDAY, "06-10")
    client = client_for(shift.staff.user)
    response = client.get("/roster/mine/")
    words = text(response)
    assert "3月2日 周一 06:00–10:00" in words and "力学胡同东口 · 太仆寺街社区" in words
    token = calendar_token(shift.staff)
    assert f"webcal://testserver/roster/calendar/{token}.ics" in response.content.decode()
    assert f"http://testserver/roster/calendar/{token}.ics?download=1" in response.content.decode()


def test_the_calendar_feed_is_public_by_token_and_parses(duty: Duty, roster: Roster) -> None:
    staff = on(roster, "lixue-e", MONDAY, "06-10").staff
    response = Client().get(f"/roster/calendar/{calendar_token(staff)}.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    mine = Shift.objects.filter(staff=staff, roster=roster)
    assert len(events) == mine.count() > 0
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart") == monday(6) and str(first["summary"]) == "值守 力学胡同东口"
    download = Client().get(f"/roster/calendar/{calendar_token(staff)}.ics?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert Client().get("/roster/calendar/not-a-token.ics").status_code == 404
    assert Client().get(f"/roster/calendar/{calendar_token(staff)}x.ics").status_code == 404


def test_a_swap_asked_from_my_shifts_and_withdrawn(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "lixue-e", MONDAY, "10-14")
    client = client_for(shift.staff.user)
    colleague = next(
        s
        for s in duty.a_staff
        if s.pk != shift.staff_id
        and not Shift.objects.filter(staff=s, date=MONDAY).exists()
        and not Shift.objects.filter(staff=s, date=MONDAY - dt.timedelta(days=1)).exists()
    )
    page = client.get("/roster/mine/").content.decode()
    assert f'<option value="{colleague.pk}">' in page
    assert f'<option value="{duty.staff("b1").pk}">' not in page  # not of this gate's community
    prefix = f"s{shift.pk}"
    bad = client.post(
        "/roster/mine/",
        {"action": "swap", "shift": shift.pk, f"{prefix}-to_staff": duty.staff("b1").pk},
    )
    assert bad.status_code == 200 and "选择一个有效的选项" in text(bad)
    assert not SwapRequest.objects.exists()
    asked = client.post(
        "/roster/mine/",
        {"action": "swap", "shift": shift.pk, f"{prefix}-to_staff": colleague.pk, f"{prefix}-reason": "体检"},
        follow=True,
    )
    swap = SwapRequest.objects.get()
    assert (swap.kind, swap.to_staff_id, swap.reason, swap.status) == (
        "offer",
        colleague.pk,
        "体检",
        "pending",
    )
    assert "换班申请已提交" in text(asked) and f"pending-{shift.pk}" in asked.content.decode()
    client.post("/roster/mine/", {"action": "cancel", "swap": swap.pk})
    swap.refresh_from_db()
    assert swap.status == "cancelled"


# ---- 4. the coordinator's swaps --------------------------------------------------------------------


def test_the_coordinator_approves_a_swap_and_the_shift_moves(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "dongxie-n", dt.date(2020, 3, 4), "10-14")
    free = next(
        s
        for s in duty.b_staff
        if s.pk != shift.staff_id and not Shift.objects.filter(staff=s, date=shift.date).exists()
    )
    swap = request_swap(shift, actor=shift.staff.user, to_staff=free, reason="家中有事")
    client = client_for(duty.admin)
    page = text(client.get("/roster/swaps/"))
    assert "东斜街北口" in page and f"{shift.staff.display_name} → {free.display_name}" in page
    response = client.post(
        "/roster/swaps/", {"swap": swap.pk, "action": "approve", f"w{swap.pk}-note": "同意"}, follow=True
    )
    assert "已批准换班" in text(response)
    moved = Shift.objects.get(pk=shift.pk)
    assert moved.staff_id == free.pk and moved.locked and moved.source == "swap"


def test_an_approval_refused_in_words_leaves_the_swap_pending(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "dongxie-n", dt.date(2020, 3, 4), "06-10")
    busy = on(roster, "dongxie-n", dt.date(2020, 3, 4), "10-14").staff  # already on duty that day
    swap = request_swap(shift, actor=shift.staff.user)  # to anyone: the coordinator picks
    client = client_for(duty.admin)
    response = client.post(
        "/roster/swaps/", {"swap": swap.pk, "action": "approve", f"w{swap.pk}-to_staff": busy.pk}
    )
    assert response.status_code == 200
    words = text(response)
    assert f"{busy.display_name} 在“东斜街北口”有班次（2020-03-04 10:00–14:00），两班间隔只有 0 小时" in words
    swap.refresh_from_db()
    assert swap.status == "pending" and Shift.objects.get(pk=shift.pk).staff_id == shift.staff_id
    rejected = client.post("/roster/swaps/", {"swap": swap.pk, "action": "reject"}, follow=True)
    assert "已驳回" in text(rejected)
    swap.refresh_from_db()
    assert swap.status == "rejected"


# ---- 5. duty hours -------------------------------------------------------------------------------------


def test_duty_hours_from_sign_ins_beside_the_roster(duty: Duty, roster: Roster) -> None:
    early = on(roster, "lixue-e", MONDAY, "06-10")
    late = on(roster, "lixue-e", MONDAY, "10-14")
    with time_machine.travel(monday(5, 55), tick=False):
        sign_in(early.staff, checkpoint=duty.world.gate_a)
    with time_machine.travel(monday(10, 0), tick=False):
        sign_out(early.staff)
    with time_machine.travel(monday(10, 25), tick=False):
        sign_in(late.staff, checkpoint=duty.world.gate_a)
    with time_machine.travel(monday(15, 0), tick=False):
        response = client_for(duty.admin).get("/roster/hours/?from=2020-03-02&to=2020-03-02")
        xlsx = client_for(duty.admin).get("/roster/hours.xlsx?from=2020-03-02&to=2020-03-02")
    body = response.content.decode()
    words = text(response)
    assert "2020-03-02 – 2020-03-02" in words
    row = re.search(rf'<tr id="person-{early.staff.user.username}">(.*?)</tr>', body, flags=re.S)
    assert row is not None and ">4.1<" in row.group(1)
    late_row = re.search(rf'<tr id="person-{late.staff.user.username}">(.*?)</tr>', body, flags=re.S)
    assert late_row is not None
    assert "03-02 10:00–14:00 +25 分钟" in late_row.group(1)
    assert "力学胡同东口 自 03-02 10:25" in " ".join(re.sub(r"<[^>]+>", " ", late_row.group(1)).split())
    absent = on(roster, "dongxie-n", MONDAY, "06-10")
    absent_row = re.search(rf'<tr id="person-{absent.staff.user.username}">(.*?)</tr>', body, flags=re.S)
    assert absent_row is not None and "03-02 06:00–10:00 东斜街北口" in absent_row.group(1)
    assert xlsx.status_code == 200
    assert AuditLog.objects.get(action="duty_hours.export").detail["start"] == "2020-03-02"


def test_a_bad_range_says_why(duty: Duty) -> None:
    client = client_for(duty.admin)
    response = client.get("/roster/hours/?from=2020-03-05&to=2020-03-01")
    assert "结束日期 2020-03-01 早于开始日期 2020-03-05。" in text(response)
    assert client.get("/roster/hours.xlsx?from=2020-03-05&to=2020-03-01").status_code == 302
    assert not AuditLog.objects.filter(action="duty_hours.export").exists()
    assert client.get("/roster/hours/?from=yesterday").status_code == 200


# ---- the gate page's duty strip, and the links ----------------------------------------------------------


def test_the_gate_page_shows_duty_and_the_current_shift(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "lixue-e", MONDAY, "06-10")
    client = client_for(shift.staff.user)
    off = text(client.get("/gate/lixue-e/"))
    assert "未上岗" in off and "下一班：3月2日 周一 06:00–10:00 在 力学胡同东口" in off
    with time_machine.travel(monday(6, 5), tick=False):
        sign_in(shift.staff, checkpoint=duty.world.gate_a)
        here = text(client.get("/gate/lixue-e/"))
        assert "值守中 · 06:05 起" in here and "本班：06:00–10:00 在 力学胡同东口" in here
        elsewhere = text(client.get("/gate/xiaojiangfang-w/"))
        assert "正在 力学胡同东口 值守 · 06:05 起" in elsewhere
    assert "duty-in" not in client_for(duty.world.worker).get("/gate/lixue-e/").content.decode()


def test_signing_in_and_out_through_the_api_the_gate_page_uses(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "lixue-e", MONDAY, "06-10")
    client = client_for(shift.staff.user)
    with time_machine.travel(monday(5, 58), tick=False):
        signed = client.post(
            "/api/v1/attendance/sign-in", {"checkpoint": "lixue-e"}, content_type="application/json"
        )
    assert signed.status_code == 201 and signed.json()["signed_in_at"].startswith("2020-03-02T05:58:00+08:00")
    with time_machine.travel(monday(6, 0), tick=False):
        refused = client.post(
            "/api/v1/attendance/sign-in",
            {"checkpoint": "xiaojiangfang-w"},
            content_type="application/json",
        )
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("您自 2020-03-02 05:58 起在“力学胡同东口”签到值守")
    with time_machine.travel(monday(10, 1), tick=False):
        out = client.post("/api/v1/attendance/sign-out", {}, content_type="application/json")
    assert out.status_code == 200 and out.json()["hours"] == pytest.approx(4.05)
    assert Attendance.objects.get().shift_id == shift.pk


def test_home_links_by_role(duty: Duty) -> None:
    admin = client_for(duty.admin).get("/").content.decode()
    assert all(
        f'id="{i}"' in admin for i in ("home-rosters", "home-swaps", "home-duty-hours", "home-my-shifts")
    )
    worker = client_for(duty.world.worker).get("/").content.decode()
    assert 'id="home-rosters"' in worker and 'id="home-swaps"' not in worker
    assert 'id="home-rosters"' not in client_for(duty.world.health).get("/").content.decode()


def test_a_gate_staff_member_without_rosters_sees_an_empty_my_shifts(duty: Duty) -> None:
    response = client_for(duty.world.gate_user).get("/roster/mine/")
    assert response.status_code == 200 and 'id="no-shifts"' in response.content.decode()
    assert Staff.objects.filter(user=duty.world.gate_user).exists()
    assert Checkpoint.objects.filter(code="lixue-e").exists()


def test_the_pages_in_english(duty: Duty, roster: Roster) -> None:
    client = english(duty.admin)
    grid = text(client.get(f"/roster/{roster.pk}/"))
    assert "Mon 2 Mar" in grid and "Re-solve around the locks" in grid and "published" in grid
    assert "Put a person in a cell" in grid and "team lead" in grid
    listing = text(client.get("/roster/"))
    assert "Solve a new roster" in listing and "3 days" in listing and "optimal" in listing
    assert "Duty hours" in text(client.get("/roster/hours/"))
    shift = on(roster, "lixue-e", MONDAY, "06-10")
    mine = text(english(shift.staff.user).get("/roster/mine/"))
    assert "Mon 2 Mar 06:00–10:00" in mine and "Subscribe" in mine and "Ask for a swap" in mine
    gate = text(english(shift.staff.user).get("/gate/lixue-e/"))
    assert "Not on duty" in gate and "Next shift: Mon 2 Mar 06:00–10:00 at 力学胡同东口" in gate


def test_the_grid_page_costs_the_same_queries_for_a_longer_roster(
    duty: Duty, django_assert_max_num_queries: Any
) -> None:
    short = solve_roster(duty.world.subdistrict, start=MONDAY, days=2, actor=duty.admin, time_limit_s=FAST)
    long = solve_roster(
        duty.world.subdistrict, start=dt.date(2020, 3, 9), days=9, actor=duty.admin, time_limit_s=FAST
    )
    assert short.roster is not None and long.roster is not None
    client = client_for(duty.admin)
    for roster in (short.roster, long.roster):
        with django_assert_max_num_queries(12):
            assert client.get(f"/roster/{roster.pk}/?edit=1").status_code == 200
