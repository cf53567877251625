"""The privacy notice on the gate page and the returnee's own forms says what purge does."""

from __future__ import annotations

from typing import Any

from django.test import Client

from conftest import World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.quarantine.links import self_report_token


def test_gate_page_says_what_is_kept_and_for_how_long(world: World, client: Client) -> None:
    client.force_login(world.gate_user)
    page = client.get(f"/gate/{world.gate_a.code}/").content.decode()
    assert 'id="privacy-notice"' in page
    assert "查验记录在查验当天之后 28 天删除" in page
    assert "访客和外卖快递登记在来访当天之后 28 天删除" in page


def test_the_notice_follows_the_policy(world: World, client: Client) -> None:
    world.subdistrict.policy = {"retention_screening_days": 21}
    world.subdistrict.save()
    client.force_login(world.gate_user)
    page = client.get(f"/gate/{world.gate_a.code}/").content.decode()
    assert "查验当天之后 21 天删除" in page


def test_self_report_form_carries_the_quarantine_notice(world: World) -> None:
    page = Client().get(f"/r/{self_report_token(world.community_a)}/").content.decode()
    assert "居家隔离结束后 180 天删除" in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.cookies["django_language"] = "en"
    page = english.get(f"/r/{self_report_token(world.community_a)}/").content.decode()
    assert "deleted 180 days after your home quarantine ends" in page


def test_privacy_notice_in_the_browser(world: World, page: Any) -> None:
    log_in(page, "gate")
    page.goto(f"/gate/{world.gate_a.code}/")
    page.click("#privacy-notice summary")
    assert page.locator("#privacy-notice").get_attribute("open") is not None
    assert "28 天删除" in page.locator("#privacy-notice").inner_text()
    page.locator("#privacy-notice").scroll_into_view_if_needed()
    screenshot(page, "privacy-notice-gate")
