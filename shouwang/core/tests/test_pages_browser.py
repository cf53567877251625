"""Log-in and the home page, driven in headless Chromium."""

from __future__ import annotations

from typing import Any

from conftest import World, screenshot


def log_in(page: Any, username: str, password: str = "pw-for-tests-123") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_wrong_password_says_so(world: World, page: Any) -> None:
    log_in(page, "gate", "wrong-password")
    assert page.locator("[role=alert]").inner_text().startswith("用户名或密码错误")
    screenshot(page, "login-wrong-password")


def test_gate_worker_lands_on_today_for_their_community(world: World, page: Any) -> None:
    log_in(page, "gate")
    page.wait_for_selector("h1")
    text = page.inner_text("main")
    assert "太仆寺街社区" in text
    assert "力学胡同东口" in text
    assert "东斜街北口" not in text  # another community's gate
    screenshot(page, "home-gate-worker")


def test_admin_sees_every_community(world: World, page: Any) -> None:
    log_in(page, "admin")
    page.wait_for_selector("h1")
    text = page.inner_text("main")
    assert "西单北社区" in text and "太仆寺街社区" in text
    screenshot(page, "home-admin")
