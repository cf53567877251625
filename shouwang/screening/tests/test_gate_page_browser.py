"""The gate page in headless Chromium: one test per decision path, search, keyboard, language."""

from __future__ import annotations

from typing import Any

from conftest import World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.passes.services import qr_payload


def open_gate(page: Any, code: str = "lixue-e") -> None:
    log_in(page, "gate")
    page.goto(f"/gate/{code}/")
    page.wait_for_selector("#ident")


def scan(page: Any, text: str) -> None:
    """A scanner gun types the payload and presses Enter."""
    page.fill("#ident", text)
    page.press("#ident", "Enter")
    page.wait_for_selector("#card:not([hidden])")


def type_temperature(page: Any, digits: str) -> None:
    page.keyboard.type(digits)


def decision(page: Any) -> str:
    page.wait_for_selector("#decision:not([hidden])")
    return str(page.get_attribute("#decision", "class"))


def test_gate_staff_land_on_their_gate_and_admit(world: World, page: Any) -> None:
    log_in(page, "gate")
    page.wait_for_url("**/gate/**")
    page.goto("/gate/lixue-e/")
    scan(page, qr_payload(world.pass_))
    assert "张*" in page.inner_text("#person-name")
    screenshot(page, "gate-card")
    type_temperature(page, "366")
    assert "d-admit" in decision(page)
    assert page.inner_text("#decision-label") == "放行"
    screenshot(page, "gate-admit")
