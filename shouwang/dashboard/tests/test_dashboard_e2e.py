"""The dashboard in headless Chromium: on a 360×740 phone and a 1920×1080 wall screen, in
Chinese and English. The charts are drawn by the vendored Chart.js (the canvas has pixels, the
chart holds the day's numbers), and the page picks up a new screening by itself. Screenshots go
to ``test-artifacts/screenshots/dashboard-*.png``.

The live server runs on the real clock, so the records are written "now" through the services.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.quarantine.tests.test_pages_browser import no_horizontal_scroll, wide
from shouwang.roster.services import sign_in
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening
from shouwang.visitors.services import register_delivery

STRANGER = "110102199003070034"


def screen_now(world: World, gate: Any, temperature: str, **ident: Any) -> str:
    actor = world.gate_user if gate.community_id == world.community_a.pk else world.other_gate_user
    result = record_screening(
        Identifier(**(ident or {"pass_number": world.pass_.number})),
        checkpoint=gate,
        direction="in",
        temperature=temperature,
        mask=True,
        actor=actor,
    )
    assert result.created
    return str(result.event.decision)


@pytest.fixture
def today(world: World) -> World:
    """Four screenings today (one a fever), a rider, and a gate worker on duty now."""
    assert screen_now(world, world.gate_a, "36.5") == "admit"
    assert screen_now(world, world.gate_a, "37.8") == "retest"
    assert screen_now(world, world.gate_b, "36.4", id_number=STRANGER) == "register"
    assert screen_now(world, world.gate_a2, "36.6") == "admit"
    register_delivery(
        world.gate_b,
        platform="sf",
        phone="13600136000",
        temperature="36.4",
        mask=True,
        actor=world.other_gate_user,
    )
    sign_in(world.gate_user.staff, checkpoint=world.gate_a)
    return world


CHART_STATE = """() => {
  const s = window.shouwangDashboard;
  if (!s || !s.hourly || !s.decisions) return null;
  const painted = (canvas) => {
    const ctx = canvas.getContext('2d');
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
    return n;
  };
  return {
    hourlyTotal: s.hourly.data.datasets.reduce((a, d) => a + d.data.reduce((x, y) => x + y, 0), 0),
    gates: s.hourly.data.datasets.map((d) => d.label),
    decisions: s.decisions.data.datasets[0].data,
    decisionLabels: s.decisions.data.labels,
    hourlyPixels: painted(document.getElementById('chart-hourly')),
    decisionPixels: painted(document.getElementById('chart-decisions')),
    refreshes: s.refreshes,
  };
}"""


def chart_state(page: Any) -> dict[str, Any]:
    page.wait_for_function("() => window.shouwangDashboard && window.shouwangDashboard.hourly")
    state: dict[str, Any] = page.evaluate(CHART_STATE)
    return state


@pytest.fixture
def wall(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", base_url=live_server.url
    )
    yield context.new_page()
    context.close()


def test_on_a_phone_the_charts_draw_and_a_new_screening_appears_by_itself(today: World, page: Any) -> None:
    log_in(page, "admin")
    page.goto("/dashboard/?refresh=2")
    page.wait_for_selector("#chart-hourly")
    state = chart_state(page)
    assert state["hourlyTotal"] == 4 and state["gates"] == ["力学胡同东口", "小酱坊胡同西口", "东斜街北口"]
    assert state["decisions"] == [2, 1, 0, 0, 1] and state["decisionLabels"][0] == "放行"
    assert state["hourlyPixels"] > 500 and state["decisionPixels"] > 500
    assert page.locator("[data-fig=screenings_total]").inner_text() == "4"
    assert page.locator("[data-fig=fevers]").inner_text() == "1"
    assert page.locator("[data-fig=deliveries]").inner_text() == "1"
    assert page.locator("#on-duty").inner_text().startswith("gate")
    assert "数据看板" in page.locator("h1").inner_text()
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "dashboard-phone-zh")

    # A screening at the gate: the page shows it within a refresh or two, without a reload.
    assert screen_now(today, today.gate_b, "36.7", id_number=STRANGER) == "register"
    page.wait_for_function(
        "() => document.querySelector('[data-fig=screenings_total]').textContent === '5'", timeout=15000
    )
    state = chart_state(page)
    assert state["hourlyTotal"] == 5 and state["decisions"][4] == 2 and state["refreshes"] >= 1
    assert page.locator("#gate-table tbody tr").nth(2).locator("td").nth(1).inner_text() == "2"

    # Hidden tab: no more fetching; shown again: fetched at once.
    page.evaluate(
        """() => { Object.defineProperty(document, 'hidden', {value: true, configurable: true});
                   document.dispatchEvent(new Event('visibilitychange')); }"""
    )
    assert page.evaluate("() => window.shouwangDashboard.timer") is None
    assert "隐藏" in page.locator("#dash-status").inner_text()
    page.evaluate(
        """() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});
                   document.dispatchEvent(new Event('visibilitychange')); }"""
    )
    assert page.evaluate("() => window.shouwangDashboard.timer") is not None

    # English, same phone.
    page.click("#lang-switch")
    page.goto("/dashboard/?community=tps")
    state = chart_state(page)
    assert state["decisionLabels"][0] == "Admit" and state["gates"] == ["力学胡同东口", "小酱坊胡同西口"]
    assert "Dashboard" in page.locator("h1").inner_text()
    assert "Hourly flow per checkpoint" in page.content()
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "dashboard-phone-en")


def test_on_the_wall_screen_big_numbers_in_chinese_and_english(today: World, wall: Any) -> None:
    log_in(wall, "admin")
    wall.goto("/dashboard/?wall=1")
    state = chart_state(wall)
    assert state["hourlyTotal"] == 4 and state["hourlyPixels"] > 2000
    size = wall.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.tile-num')).fontSize)")
    assert size >= 48
    assert wall.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(13, 22, 32)"
    assert not wall.locator(".dash-filter").is_visible()
    # The tiles and both charts fit on the first screen.
    bottom = wall.evaluate("() => document.getElementById('chart-hourly').getBoundingClientRect().bottom")
    assert bottom <= 1080
    screenshot(wall, "dashboard-wall-zh")
    wall.click("#lang-switch")
    wall.goto("/dashboard/?wall=1")
    state = chart_state(wall)
    assert state["decisionLabels"][3] == "Deny"
    assert "Screenings" in wall.locator(".tiles").inner_text()
    screenshot(wall, "dashboard-wall-en")


def test_gate_staff_are_sent_to_their_gate_page_not_the_dashboard(world: World, page: Any) -> None:
    log_in(page, "gate")
    page.wait_for_load_state()
    response = page.goto("/dashboard/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "无权访问"
    assert page.locator("#nav-dashboard").count() == 0  # no link to a page they cannot open
    screenshot(page, "dashboard-gate-staff-403")
