"""Production hardening (issue 8): deploy checks, the content security policy, login throttling."""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from conftest import World, screenshot

ROOT = Path(settings.BASE_DIR)


def test_deploy_checks_are_clean_in_production_settings(tmp_path: Path) -> None:
    """`check --deploy` at WARNING level passes with SHOUWANG_ENV=production and real secrets,
    the secret key read from a *_FILE as a container secret would be."""
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOUWANG_", "DJANGO_"))}
    env.update(
        SHOUWANG_ENV="production",
        SHOUWANG_SECRET_KEY_FILE=str(key_file),
        SHOUWANG_ID_HASH_KEY=secrets.token_urlsafe(32),
        SHOUWANG_PASS_SIGNING_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="),
        SHOUWANG_ALLOWED_HOSTS="shouwang.example.cn",
        SHOUWANG_DATA_DIR=str(tmp_path / "data"),
    )
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOUWANG_")}
    env.update(SHOUWANG_ENV="production", SHOUWANG_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "SHOUWANG_SECRET_KEY (or SHOUWANG_SECRET_KEY_FILE) must be set" in done.stderr


def test_every_page_sends_a_content_security_policy(world: World, client: Client) -> None:
    client.force_login(world.admin)
    for url in ("/login/", "/", "/gate/", "/api/docs"):
        response = client.get(url, follow=True)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_runs_inline_script() -> None:
    """Inline <script> would be refused by the policy; JSON data blocks (json_script) are fine."""
    offenders = []
    for path in (ROOT / "shouwang" / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            if "src=" not in head and "application/json" not in head:
                offenders.append(str(path.relative_to(ROOT)))
        if " onclick=" in text or " onchange=" in text or " onsubmit=" in text or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def _try(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_five_wrong_passwords_pause_that_username_from_that_address(world: World) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _try(client, "gate", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    locked = _try(client, "gate", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "尝试次数过多" in page
    assert "15" in page and "axes_reset_username" in page  # minutes to wait, and how to lift it
    # Even the right password is refused while paused, so guessing cannot go on.
    assert _try(client, "gate", "pw-for-tests-123").status_code == 429
    # Another person behind the same address (a community's gate phones share one NAT) is not.
    other = _try(Client(), "worker", "pw-for-tests-123")
    assert other.status_code == 302
    # After the pause the right password works again.
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=5)):
        assert _try(client, "gate", "pw-for-tests-123").status_code == 302


def test_lockout_page_speaks_english_when_asked(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _try(client, "health", "nope")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_lockout_in_the_browser(world: World, page: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto("/login/")
        page.fill("input[name=username]", "gate")
        page.fill("input[name=password]", "not-it")
        page.click("button[type=submit]")
    assert page.locator("#locked-out").is_visible()
    assert "尝试次数过多" in page.locator("h1").inner_text()
    screenshot(page, "core-login-locked-out")
