"""The quarantine pages in headless Chromium on a 360×740 phone (one on a desktop): registering
a Returnee with the origin type-ahead, a fever FollowUp from the worklist reaching the health
station, the self-report flow, extending a plan, the gate's 返京登记 link, and the figures with
their workbook. Each saves screenshots to ``test-artifacts/screenshots/quarantine-*.png``.

The live server runs on the real clock: dates are computed from today in Beijing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import World, screenshot, start_quarantine
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.passes.services import qr_payload
from shouwang.quarantine.links import follow_up_token, self_report_token
from shouwang.quarantine.models import FollowUp, QuarantinePlan, SelfReport
from shouwang.quarantine.services import record_follow_up
from shouwang.screening.models import Alert
from shouwang.screening.tests.test_gate_page_browser import (
    add_resident,
    decision,
    open_gate,
    scan,
    type_temperature,
)

# A valid resident ID (Xicheng, born 1990-03-07), not on the register.
NEW_ID = "110102199003070034"


def today(world: World) -> dt.date:
    day: dt.date = world.community_a.local_date(timezone.now())
    return day


@pytest.fixture
def other_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A second phone, for a second person (the health station, a returnee)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    yield context.new_page()
    context.close()


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def wide(page: Any) -> list[str]:
    """Elements wider than the screen (what makes a phone scroll sideways)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('body *')]
              .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
              .map((el) => el.tagName + '#' + el.id + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
              .slice(0, 8)"""
        )
    )


def small_targets(page: Any) -> list[str]:
    """Visible buttons, links in forms and choice chips smaller than 40 px tall (thumbs, gloves)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('main button, main .chips label, main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
              .filter((el) => el.offsetParent !== null)
              .filter((el) => el.getBoundingClientRect().height < 40)
              .map((el) => el.outerHTML.slice(0, 80))"""
        )
    )


def pick_origin(page: Any, typed: str, label: str) -> None:
    """Type into the origin box and tap the suggestion with ``label``."""
    page.fill("#id_origin_text", typed)
    page.click(f"#origin-list button:has-text('{label}')")
    assert page.input_value("#id_origin_text") == label


def test_worker_registers_a_returnee_with_the_origin_type_ahead(world: World, page: Any) -> None:
    log_in(page, "worker")
    page.click("#home-register")
    page.wait_for_selector("#register-form")
    # The resident by pinyin initials.
    page.fill("#id_person_search", "zs")
    page.click("#people-list button:has-text('张*')")
    assert page.is_visible("#picked") and "力学胡同 3 号" in page.inner_text("#picked")
    pick_origin(page, "wuhan", "湖北省 武汉市 江岸区")
    assert page.input_value("input[name=origin]") == "420102"
    arrival = today(world) - dt.timedelta(days=1)
    page.fill("#id_arrived_date", arrival.isoformat())
    page.fill("#id_arrived_time", "10:00")
    page.select_option("#id_transport", "train")
    page.fill("#id_transport_number", "g508")
    screenshot(page, "quarantine-register-filled")
    assert no_horizontal_scroll(page), wide(page)
    assert small_targets(page) == []
    page.click("#register-submit")
    page.wait_for_selector("#first-day")
    assert page.inner_text("#first-day") == arrival.isoformat()
    assert page.inner_text("#last-day") == (arrival + dt.timedelta(days=13)).isoformat()
    assert page.inner_text("#free-from") == (arrival + dt.timedelta(days=14)).isoformat()
    assert "湖北省 武汉市 江岸区" in page.inner_text("#plan-origin")
    assert "G508" in page.inner_text("#plan-arrived")
    assert page.locator("#own-qr svg").count() == 1
    assert page.locator("#plan-changes").count() == 0  # a worker cannot extend or release
    assert no_horizontal_scroll(page)
    screenshot(page, "quarantine-plan")
    assert QuarantinePlan.objects.get().returnee.origin_code == "420102"


def test_bad_registration_says_what_is_wrong_on_the_field(world: World, page: Any) -> None:
    log_in(page, "worker")
    page.goto(f"/quarantine/returnees/new/?resident={world.resident.pk}")
    page.fill("#id_origin_text", "nowhere")
    page.fill("#id_transport_number", "")
    page.click("#register-submit")
    page.wait_for_selector(".errorlist")
    assert "请从列表中选择" in page.inner_text(".field.has-error")
    screenshot(page, "quarantine-register-error")
    assert not QuarantinePlan.objects.exists()


def test_fever_follow_up_from_the_worklist_reaches_the_health_station(
    world: World, page: Any, other_page: Any
) -> None:
    start_quarantine(world, world.resident, today(world) + dt.timedelta(days=5))
    log_in(page, "worker")
    page.click("#home-worklist")
    page.wait_for_selector("#worklist")
    assert page.inner_text("#count-in-quarantine") == "1"
    assert "第 9 天，共 14 天" in page.inner_text("#worklist")
    screenshot(page, "quarantine-worklist")
    page.click("details.quick summary")
    assert page.get_attribute("input[name$=temperature]", "inputmode") == "decimal"
    page.fill("input[name$=temperature]", "38.2")
    page.click("details.quick label:has-text('上门')")
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "quarantine-worklist-quick-form")
    page.click("details.quick button[type=submit]")
    page.wait_for_selector(".msgs li.warning")
    assert "已通知卫生站" in page.inner_text(".msgs")
    assert "38.2" in page.inner_text("#worklist")
    screenshot(page, "quarantine-worklist-after-fever")
    [follow_up] = FollowUp.objects.all()
    assert (str(follow_up.temperature_c), follow_up.method) == ("38.2", "visit")

    log_in(other_page, "health")
    other_page.click("#home-health")
    other_page.wait_for_selector("#alerts")
    words = other_page.inner_text("#alerts")
    assert "随访体温 38.2 °C" in words and "2 小时内上门复测" in words  # what happened, what to do
    assert "38.2" in other_page.inner_text("#fevers")
    screenshot(other_page, "quarantine-health-alert")
    other_page.click("#alerts button.resolve")  # no words yet: refused
    other_page.wait_for_selector("#alerts .errorlist")
    other_page.fill("#alerts input[name$=resolution]", "上门复测 36.8，无需转诊")
    other_page.click("#alerts button.resolve")
    other_page.wait_for_selector(".msgs li.success")
    assert "没有待处理的提醒" in other_page.inner_text("#alerts")
    screenshot(other_page, "quarantine-health-resolved")
    assert Alert.objects.get().resolution == "上门复测 36.8，无需转诊"


def test_self_report_then_a_worker_confirms(world: World, page: Any, other_page: Any) -> None:
    arrival = today(world) - dt.timedelta(days=2)
    other_page.goto(f"/r/{self_report_token(world.community_a)}/")
    other_page.fill("#id_name", "李四")
    other_page.fill("#id_id_number", NEW_ID)
    other_page.fill("#id_phone", "13800138000")
    other_page.fill("#id_address", "力学胡同 9 号")
    pick_origin(other_page, "hbwh", "湖北省 武汉市")
    other_page.fill("#id_arrived_date", arrival.isoformat())
    other_page.fill("#id_arrived_time", "21:30")
    other_page.select_option("#id_transport", "flight")
    other_page.fill("#id_transport_number", "CA1234")
    assert small_targets(other_page) == [] and no_horizontal_scroll(other_page)
    screenshot(other_page, "quarantine-self-report-form")
    other_page.click("#self-report-submit")
    other_page.wait_for_selector("#thanks")
    assert "会尽快给您打电话" in other_page.inner_text("#thanks")
    screenshot(other_page, "quarantine-self-report-thanks")
    assert SelfReport.objects.get().person["name"] == "李四"

    log_in(page, "worker")
    page.goto("/quarantine/self-reports/")
    assert "李四" in page.inner_text("#self-reports") and "湖北省 武汉市" in page.inner_text("#self-reports")
    assert page.locator(".self-report-qr svg").count() == 1
    screenshot(page, "quarantine-self-reports")
    page.click("button.confirm-report")
    page.wait_for_selector("#first-day")
    assert page.inner_text("#first-day") == arrival.isoformat()
    assert page.inner_text("#free-from") == (arrival + dt.timedelta(days=14)).isoformat()
    assert QuarantinePlan.objects.get().resident.name == "李四"


def test_health_station_extends_a_plan_with_a_reason(world: World, page: Any, other_page: Any) -> None:
    plan = start_quarantine(world, world.resident, today(world) + dt.timedelta(days=3))
    log_in(page, "worker")
    page.goto(f"/quarantine/plans/{plan.pk}/")
    page.wait_for_selector("#first-day")
    assert page.locator("#extend-submit").count() == 0

    log_in(other_page, "health")
    other_page.wait_for_selector("#home-health")
    other_page.goto(f"/quarantine/plans/{plan.pk}/")
    other_page.click("#extend summary")
    new_last = plan.last_day + dt.timedelta(days=7)
    other_page.fill("#id_extend-last_day", new_last.isoformat())
    other_page.click("#extend-submit")  # without a reason
    other_page.wait_for_selector("#extend .errorlist")
    screenshot(other_page, "quarantine-extend-needs-reason")
    other_page.fill("#id_extend-reason", "同行人核酸阳性，延长观察")
    other_page.click("#extend-submit")
    other_page.wait_for_selector(".msgs li.success")
    assert other_page.inner_text("#last-day") == new_last.isoformat()
    assert other_page.inner_text("#free-from") == (new_last + dt.timedelta(days=1)).isoformat()
    assert "同行人核酸阳性" in other_page.inner_text("#history")
    screenshot(other_page, "quarantine-extended")
    plan.refresh_from_db()
    assert (plan.last_day, plan.status) == (new_last, "extended")


def test_gate_register_returnee_link_for_a_resident_only(world: World, page: Any) -> None:
    other = add_resident(world, "赵六", "031", community=world.community_b)
    open_gate(page)
    scan(page, qr_payload(other))  # another community's person: no link
    type_temperature(page, "366")
    decision(page, "deny")
    assert page.is_hidden("#register-returnee")
    page.click("#next")
    scan(page, qr_payload(world.pass_))
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    link = page.locator("#register-returnee")
    assert link.is_visible() and link.inner_text() == "返京登记"
    box = link.bounding_box()
    assert box and box["height"] >= 48 and box["y"] + box["height"] <= 740  # one thumb, no scrolling
    href = str(link.get_attribute("href"))
    assert (
        f"resident={world.resident.pk}" in href
        and "screening=" in href
        and "next=%2Fgate%2Flixue-e%2F" in href
    )
    screenshot(page, "quarantine-gate-register-link")
    link.click()
    page.wait_for_selector("#register-form")
    assert "张*" in page.inner_text("#picked")
    pick_origin(page, "420102", "湖北省 武汉市 江岸区")
    page.fill("#id_transport_number", "G508")
    screenshot(page, "quarantine-gate-register-prefilled")
    page.click("#register-submit")
    page.wait_for_url("**/gate/lixue-e/")
    plan = QuarantinePlan.objects.get()
    assert plan.returnee.source == "gate" and plan.returnee.screening is not None
    assert plan.first_day == today(world)


def test_figures_and_the_workbook_download(
    world: World, browser: Any, live_server: Any, tmp_path: Any
) -> None:
    plan = start_quarantine(world, world.resident, today(world) + dt.timedelta(days=5))
    record_follow_up(plan, temperature="36.6", method="phone", actor=world.worker)
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
        base_url=live_server.url,
        accept_downloads=True,
    )
    page = context.new_page()
    try:
        log_in(page, "health")
        page.click("#home-figures")
        page.wait_for_selector("#figures")
        rows = page.locator("#figures tbody tr")
        assert rows.count() == 2  # the health station's community, then the total
        assert rows.nth(0).locator("td").nth(1).inner_text() == "1"
        screenshot(page, "quarantine-figures-desktop")
        page.set_viewport_size({"width": 360, "height": 740})
        assert no_horizontal_scroll(page), wide(page)  # the table scrolls inside its box
        screenshot(page, "quarantine-figures-phone")
        with page.expect_download() as info:
            page.click("#download-xlsx")
        path = tmp_path / "figures.xlsx"
        info.value.save_as(path)
        book = load_workbook(path)
        assert book["汇总 figures"]["A3"].value == "太仆寺街社区"
        assert book["汇总 figures"]["B3"].value == 1  # in home quarantine
        assert book["汇总 figures"]["E3"].value == 1  # follow-ups done
        assert book["隔离人员 people"]["B2"].value == "张三"
    finally:
        context.close()


def test_the_returnee_enters_their_own_temperature_in_english(world: World, page: Any) -> None:
    plan = start_quarantine(world, world.resident, today(world) + dt.timedelta(days=5))
    page.goto(f"/q/{follow_up_token(plan)}/")
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#own-follow-up")
    assert "Day 9 of 14" in page.inner_text("main")
    assert page.get_attribute("input[name=temperature]", "inputmode") == "decimal"
    page.fill("input[name=temperature]", "365")
    page.click("#own-follow-up label:has-text('cough')")
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "quarantine-own-follow-up-en")
    shown = sorted({ch for ch in page.inner_text("main") if "\u3400" <= ch <= "\u9fff"} - set("张*"))
    assert shown == [], f"untranslated words: {shown}"
    page.click("#own-follow-up-submit")
    page.wait_for_selector("#thanks")
    screenshot(page, "quarantine-own-follow-up-thanks-en")
    [f] = FollowUp.objects.all()
    assert (str(f.temperature_c), f.symptoms, f.method) == ("36.5", ["cough"], "self")
