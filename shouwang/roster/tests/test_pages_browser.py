"""The roster pages in headless Chromium on a 360×740 phone (and a desktop, and on paper): solving
from the page (infeasible explained, then soft coverage with its empty places in red), the grid
on a phone, a desktop and in print, a lock kept by a re-solve, signing in and out of duty on the
gate page, "my shifts" with its calendar feed, and a swap asked and approved. Each saves
screenshots to ``test-artifacts/screenshots/roster-*.png``.

The live server runs on the real clock: rosters start today or tomorrow in Beijing. Solves are
small (the duty world of ``test_product_world``) with a few seconds' limit.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar

from conftest import SCREENSHOTS, World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.quarantine.tests.test_pages_browser import no_horizontal_scroll, small_targets, wide
from shouwang.roster.models import Attendance, Roster, Shift, SwapRequest
from shouwang.roster.services import publish_roster, set_staffing_level, sign_in, sign_out, solve_roster
from shouwang.roster.tests.test_product_world import FAST, SHANGHAI, Duty, make_duty


def today(world: World) -> dt.date:
    day: dt.date = world.community_a.local_date(timezone.now())
    return day


@pytest.fixture
def duty(world: World) -> Duty:
    return make_duty(world)


def solved(
    duty: Duty, *, start: dt.date, days: int, soft: bool = False, since_midnight: bool = False
) -> Roster:
    """A roster solved through the service; ``since_midnight``: as if solved at 00:00 today, so
    today's shifts are all staffed (the page then has a shift running now)."""
    now = dt.datetime.combine(start, dt.time(0), tzinfo=SHANGHAI) if since_midnight else None
    outcome = solve_roster(
        duty.world.subdistrict,
        start=start,
        days=days,
        actor=duty.admin,
        time_limit_s=FAST,
        soft_coverage=soft,
        now=now,
    )
    assert outcome.roster is not None
    return outcome.roster


@pytest.fixture
def desktop(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server.url
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def other_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A second phone, for the coordinator."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    yield context.new_page()
    context.close()


# ---- solving from the page -----------------------------------------------------------------------------


def test_an_infeasible_solve_is_explained_then_soft_coverage_shows_the_gaps(duty: Duty, page: Any) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    start = today(duty.world) + dt.timedelta(days=1)
    log_in(page, "admin")
    page.click("#home-rosters")
    page.wait_for_selector("#solve")
    assert page.input_value("#id_start") == start.isoformat()
    page.fill("#id_days", "3")
    page.fill("#id_time_limit_s", "5")
    assert small_targets(page) == [] and no_horizontal_scroll(page), wide(page)
    page.click("#solve-submit")
    page.wait_for_selector("#solve-outcome")
    words = page.inner_text("#solve-outcome")
    assert "未能排班（无解），未作任何改动" in words
    assert f"东斜街北口 {start.month}月{start.day}日 06:00–10:00 需要 5 人，但只有 4 人能上岗。" in words
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "roster-solve-infeasible")
    assert not Roster.objects.exists()
    page.check("#id_soft_coverage")
    page.click("#solve-submit")
    page.wait_for_selector("#roster-status")
    assert "个岗位空缺（红色）" in page.inner_text(".msgs")
    assert f"东斜街北口 {start.month}月{start.day}日" in page.inner_text("#empty-places")
    assert "5 个岗位空 1 个" in page.inner_text("#empty-places")
    cell = f"#c-dongxie-n-{start.isoformat()}-06-10"
    assert "short" in (page.get_attribute(cell, "class") or "")
    assert "1 人空缺" in page.inner_text(cell)
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "roster-solve-soft-coverage")
    assert Roster.objects.get().soft_coverage
    page.click(".q-nav a[href='/roster/']")
    page.wait_for_selector("#rosters")
    assert "6" in page.inner_text("#rosters td.short-text")
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "roster-list")


# ---- the grid on a phone, a desktop and paper ---------------------------------------------------------------


def test_the_grid_on_a_phone_a_desktop_and_in_print(duty: Duty, page: Any, desktop: Any) -> None:
    start = today(duty.world) + dt.timedelta(days=1)
    roster = solved(duty, start=start, days=7)
    shift = roster.shifts.select_related("staff").filter(checkpoint__code="lixue-e").order_by("starts_at")[0]
    cell = f"#c-lixue-e-{shift.date.isoformat()}-{shift.template.code}"

    log_in(page, "admin")
    page.goto(f"/roster/{roster.pk}/")
    page.wait_for_selector("table.grid")
    assert shift.staff.display_name in page.inner_text(cell)
    # The page stays put; the grid scrolls sideways inside its frame, gate names stay in view.
    assert no_horizontal_scroll(page), wide(page)
    assert page.evaluate("document.querySelector('.grid-wrap').scrollWidth > 360")
    page.evaluate("document.querySelector('.grid-wrap').scrollLeft = 400")
    gate_box = page.locator("th.gate").first.bounding_box()
    assert gate_box is not None and gate_box["x"] < 40  # sticky
    page.evaluate("document.querySelector('.grid-wrap').scrollLeft = 0")
    screenshot(page, "roster-grid-phone")

    log_in(desktop, "admin")
    desktop.goto(f"/roster/{roster.pk}/")
    desktop.wait_for_selector("table.grid")
    assert no_horizontal_scroll(desktop), wide(desktop)
    screenshot(desktop, "roster-grid-desktop")
    desktop.goto(f"/roster/{roster.pk}/?edit=1")
    desktop.wait_for_selector("button.act")
    screenshot(desktop, "roster-grid-desktop-edit")

    # On paper: landscape A4 (1123 × 794 CSS px), no header, menus or forms, every day on the page.
    desktop.goto(f"/roster/{roster.pk}/")
    desktop.set_viewport_size({"width": 1123, "height": 794})
    desktop.emulate_media(media="print")
    assert desktop.is_hidden("header.top") and desktop.is_hidden(".q-nav") and desktop.is_hidden(".tools")
    assert desktop.is_hidden("#print") and desktop.is_visible(".print-only")
    width = desktop.evaluate("document.querySelector('table.grid').getBoundingClientRect().right")
    assert width <= 1123, width
    size = desktop.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('td.cell li.p .name')).fontSize)"
    )
    assert size >= 10, size  # 8.5 pt: readable on paper
    screenshot(desktop, "roster-grid-print")
    pdf = desktop.pdf(prefer_css_page_size=True, print_background=True)
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None  # A4 landscape is 842 × 595 pt
    assert abs(float(box.group(1)) - 842) < 2 and abs(float(box.group(2)) - 595) < 2, box.group(0)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # a week fits one sheet
    with open(os.path.join(SCREENSHOTS, "roster-grid-print.pdf"), "wb") as out:
        out.write(pdf)


# ---- a lock kept by a re-solve ----------------------------------------------------------------------------


def test_a_locked_person_stays_when_the_roster_is_re_solved(duty: Duty, desktop: Any) -> None:
    start = today(duty.world) + dt.timedelta(days=1)
    roster = solved(duty, start=start, days=3)
    shift = roster.shifts.select_related("staff").get(
        checkpoint__code="dongxie-n", date=start + dt.timedelta(days=1), template__code="06-10"
    )
    cell = f"#c-dongxie-n-{shift.date.isoformat()}-06-10"
    others = set(roster.shifts.exclude(pk=shift.pk).values_list("pk", flat=True))
    log_in(desktop, "admin")
    desktop.goto(f"/roster/{roster.pk}/")
    desktop.click("#edit")
    desktop.click(f"{cell} button.lock-btn")
    desktop.wait_for_selector(f"{cell} li.locked")
    assert "已锁定" in desktop.inner_text(".msgs")
    desktop.click("#resolve summary")
    desktop.fill("#id_time_limit_s", "5")
    assert desktop.is_checked("#id_keep_current")  # keep the present roster: the default
    screenshot(desktop, "roster-lock-before-resolve")
    desktop.click("#resolve-submit")
    desktop.wait_for_selector(".msgs li.success:has-text('排班已完成')")
    assert shift.staff.display_name in desktop.inner_text(cell)
    assert "已锁" in desktop.inner_text(cell)
    # Nothing else asked for a change: the whole roster stays, row for row, and the page says so.
    assert "与原排班相比改动了 0 个班次" in desktop.inner_text(".msgs")
    assert "上次重排改动 0 个班次" in desktop.inner_text("#changed")
    screenshot(desktop, "roster-lock-after-resolve")
    kept = Shift.objects.get(pk=shift.pk)
    assert kept.staff_id == shift.staff_id and kept.locked
    assert Shift.objects.filter(pk__in=others).count() == len(others)

    # Afresh: the box unticked, every unlocked cell is solved again.
    desktop.click("#resolve summary")
    desktop.uncheck("#id_keep_current")
    desktop.fill("#id_time_limit_s", "5")
    desktop.click("#resolve-submit")
    desktop.wait_for_selector(".msgs li.success:has-text('排班已完成')")
    roster.refresh_from_db()
    assert roster.keep_current is False and roster.changed is not None
    assert f"与原排班相比改动了 {roster.changed} 个班次" in desktop.inner_text(".msgs")
    assert Shift.objects.get(pk=shift.pk).locked


# ---- signing in and out on the gate page ---------------------------------------------------------------------


def test_sign_in_and_out_of_duty_on_the_gate_page(duty: Duty, page: Any) -> None:
    roster = publish_roster(
        solved(duty, start=today(duty.world), days=2, since_midnight=True), actor=duty.admin
    )
    now = timezone.now()
    shift = (
        roster.shifts.select_related("staff__user")
        .filter(checkpoint__code="lixue-e", ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    assert shift is not None
    log_in(page, shift.staff.user.username)
    page.wait_for_url("**/gate/**")
    page.goto("/gate/lixue-e/")
    page.wait_for_selector("#duty")
    assert page.inner_text("#duty-status") == "未上岗"
    assert page.inner_text("#duty-shift").startswith(("本班：", "下一班："))
    assert "力学胡同东口" in page.inner_text("#duty-shift")
    assert page.is_hidden("#duty-out")
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "roster-gate-off-duty")
    page.click("#duty-in")
    page.wait_for_selector("#duty.here")
    assert page.inner_text("#duty-status").startswith("值守中 · ")
    assert page.is_hidden("#duty-in") and page.is_visible("#duty-out")
    screenshot(page, "roster-gate-on-duty")
    open_ = Attendance.objects.get(signed_out_at__isnull=True)
    assert open_.checkpoint.code == "lixue-e" and open_.staff_id == shift.staff_id

    # At the other gate of the community: on duty elsewhere, and signing in here is refused.
    page.goto("/gate/xiaojiangfang-w/")
    page.wait_for_selector("#duty.elsewhere")
    assert "正在 力学胡同东口 值守" in page.inner_text("#duty-status")
    page.click("#duty-in")
    page.wait_for_selector("#duty-error:not([hidden])")
    assert "在“力学胡同东口”签到值守，尚未签退。请先在那里签退，再在此签到。" in page.inner_text(
        "#duty-error"
    )
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "roster-gate-refused")
    page.click("#duty-out")
    page.wait_for_selector("#duty.off")
    assert page.inner_text("#duty-status").startswith("已于 ")
    assert "签退，本次值守" in page.inner_text("#duty-status")
    assert page.is_hidden("#duty-error") and page.is_visible("#duty-in")
    screenshot(page, "roster-gate-signed-out")
    closed = Attendance.objects.get()
    assert closed.signed_out_at is not None and closed.pk == open_.pk
    # The gate's own work goes on below the strip.
    assert page.is_visible("#ident") and page.is_visible("#open-visitor")


# ---- my shifts, the calendar, a swap asked and approved ---------------------------------------------------------


def test_my_shifts_with_the_calendar_and_a_swap_approved(duty: Duty, page: Any, other_page: Any) -> None:
    start = today(duty.world) + dt.timedelta(days=1)
    roster = publish_roster(solved(duty, start=start, days=3), actor=duty.admin)
    shift = roster.shifts.select_related("staff__user", "checkpoint").get(
        checkpoint__code="dongxie-n", date=start + dt.timedelta(days=2), template__code="10-14"
    )
    taker = next(
        s
        for s in duty.b_staff
        if s.pk != shift.staff_id and not Shift.objects.filter(staff=s, date=shift.date).exists()
    )
    log_in(page, shift.staff.user.username)
    page.wait_for_url("**/gate/**")
    page.click("#link-my-shifts")
    page.wait_for_selector("#my-shifts")
    assert f"{shift.date.month}月{shift.date.day}日" in page.inner_text(f"#shift-{shift.pk}")
    assert "10:00–14:00" in page.inner_text(f"#shift-{shift.pk}")
    assert "东斜街北口" in page.inner_text(f"#shift-{shift.pk}")
    assert (page.get_attribute("#subscribe", "href") or "").startswith("webcal://")
    feed = page.get_attribute("#download-ics", "href") or ""
    answer = page.request.get(feed)
    assert answer.ok and answer.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(answer.body()).walk("VEVENT")
    assert len(events) == roster.shifts.filter(staff=shift.staff).count()
    assert small_targets(page) == [] and no_horizontal_scroll(page), wide(page)
    screenshot(page, "roster-my-shifts")

    page.click(f"#swap-{shift.pk} summary")
    page.select_option(f"#id_s{shift.pk}-to_staff", str(taker.pk))
    page.fill(f"#id_s{shift.pk}-reason", "家中有事")
    assert small_targets(page) == [] and no_horizontal_scroll(page), wide(page)
    screenshot(page, "roster-my-shifts-swap-form")
    page.click(f"#swap-{shift.pk} button[type=submit]")
    page.wait_for_selector(f"#pending-{shift.pk}")
    assert "换班申请已提交" in page.inner_text(".msgs")
    assert taker.display_name in page.inner_text(f"#pending-{shift.pk}")
    screenshot(page, "roster-my-shifts-swap-asked")
    swap = SwapRequest.objects.get()

    log_in(other_page, "admin")
    other_page.click("#home-swaps")
    other_page.wait_for_selector(f"#swap-{swap.pk}")
    assert "家中有事" in other_page.inner_text(f"#swap-{swap.pk}")
    assert small_targets(other_page) == [] and no_horizontal_scroll(other_page), wide(other_page)
    screenshot(other_page, "roster-swaps-pending")
    other_page.click(f"#swap-{swap.pk} button.approve")
    other_page.wait_for_selector(".msgs li.success")
    assert "已批准换班" in other_page.inner_text(".msgs")
    screenshot(other_page, "roster-swaps-approved")
    moved = Shift.objects.get(pk=shift.pk)
    assert moved.staff_id == taker.pk and moved.locked

    page.reload()
    page.wait_for_selector("#my-swaps")
    assert page.locator(f"#shift-{shift.pk}").count() == 0  # no longer theirs
    assert "已批准" in page.inner_text(f"#swap-request-{swap.pk}")
    screenshot(page, "roster-my-shifts-after-swap")


# ---- duty hours -----------------------------------------------------------------------------------------------


def test_duty_hours_on_a_phone(duty: Duty, page: Any) -> None:
    roster = publish_roster(
        solved(duty, start=today(duty.world), days=1, since_midnight=True), actor=duty.admin
    )
    now = timezone.now()
    person = roster.shifts.select_related("staff").filter(checkpoint__code="lixue-e")[0].staff
    sign_in(person, checkpoint=duty.world.gate_a, at=now - dt.timedelta(hours=3))
    sign_out(person, at=now - dt.timedelta(hours=1))
    other = roster.shifts.select_related("staff").filter(checkpoint__code="dongxie-n")[0].staff
    sign_in(other, checkpoint=duty.world.gate_b, at=now - dt.timedelta(minutes=30))
    log_in(page, "admin")
    page.click("#home-duty-hours")
    page.wait_for_selector("#people")
    assert "2.0" in page.inner_text(f"#person-{person.user.username}")
    assert "东斜街北口" in page.inner_text(f"#person-{other.user.username}")
    assert small_targets(page) == [] and no_horizontal_scroll(page), wide(page)
    screenshot(page, "roster-duty-hours")
    page.fill("#id_from", "2020-03-05")
    page.fill("#id_to", "2020-03-01")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "早于开始日期" in page.inner_text(".errorlist")
    screenshot(page, "roster-duty-hours-bad-range")
