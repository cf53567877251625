"""Fixed personas for every test (STYLE.md §10): a sub-district with two communities, a gate in
each, a resident of community A with a valid pass, and staff of each role."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A valid resident ID of Xicheng District (110102), born 1980-01-01.
ZHANG_SAN_ID = "110102198001010017"


@dataclass
class World:
    subdistrict: Any
    community_a: Any
    community_b: Any
    gate_a: Any
    gate_a2: Any
    gate_b: Any
    pass_type_a: Any
    pass_type_b: Any
    resident: Any
    pass_: Any
    admin: Any
    worker: Any
    gate_user: Any
    other_gate_user: Any
    health: Any


def make_staff(username: str, role: str, subdistrict: Any, communities: list[Any]) -> Any:
    from django.contrib.auth import get_user_model

    from shouwang.core.models import Staff

    user = get_user_model().objects.create_user(username, password="pw-for-tests-123")
    staff = Staff.objects.create(user=user, subdistrict=subdistrict, role=role, display_name=username)
    staff.communities.set(communities)
    return user


@pytest.fixture
def world(db: Any) -> World:
    from shouwang.core.choices import Role
    from shouwang.passes.models import PassType
    from shouwang.passes.services import issue_pass
    from shouwang.people.services import ResidentIn, upsert_resident
    from shouwang.places.models import Checkpoint, Community, Subdistrict

    sub = Subdistrict.objects.create(code="xichangan", name="西长安街街道")
    a = Community.objects.create(subdistrict=sub, code="tps", name="太仆寺街社区")
    b = Community.objects.create(subdistrict=sub, code="xdb", name="西单北社区")
    gate_a = Checkpoint.objects.create(community=a, code="lixue-e", name="力学胡同东口")
    gate_a2 = Checkpoint.objects.create(community=a, code="xiaojiangfang-w", name="小酱坊胡同西口")
    gate_b = Checkpoint.objects.create(community=b, code="dongxie-n", name="东斜街北口")
    pt_a = PassType.objects.create(
        community=a, code="resident", name="居民出入证", issuer="太仆寺街社区居委会"
    )
    pt_b = PassType.objects.create(community=b, code="resident", name="居民出入证", issuer="西单北社区居委会")
    admin = make_staff("admin", Role.SUBDISTRICT_ADMIN, sub, [])
    resident, _ = upsert_resident(
        a, ResidentIn(name="张三", id_number=ZHANG_SAN_ID, address="力学胡同 3 号"), actor=admin
    )
    pass_ = issue_pass(
        resident,
        pass_type=pt_a,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2099, 12, 31),
        actor=admin,
    )
    return World(
        subdistrict=sub,
        community_a=a,
        community_b=b,
        gate_a=gate_a,
        gate_a2=gate_a2,
        gate_b=gate_b,
        pass_type_a=pt_a,
        pass_type_b=pt_b,
        resident=resident,
        pass_=pass_,
        admin=admin,
        worker=make_staff("worker", Role.COMMUNITY_WORKER, sub, [a]),
        gate_user=make_staff("gate", Role.GATE_STAFF, sub, [a]),
        other_gate_user=make_staff("gate-b", Role.GATE_STAFF, sub, [b]),
        health=make_staff("health", Role.HEALTH_STATION, sub, [a]),
    )


def start_quarantine(world: World, resident: Any, last_day: dt.date, *, origin: str = "420102") -> Any:
    """Put ``resident`` in home quarantine ending on local ``last_day`` (≥ today), through the
    service: an arrival by train at 10:00 local 13 days before (origin 武汉市江岸区)."""
    from shouwang.quarantine.choices import Source
    from shouwang.quarantine.services import PersonIn, TripIn, register_returnee

    community = resident.community
    arrival = dt.datetime.combine(last_day - dt.timedelta(days=13), dt.time(10), tzinfo=community.tz)
    return register_returnee(
        community,
        person=PersonIn(resident=resident.pk),
        trip=TripIn(origin=origin, arrived_at=arrival, transport="train", transport_number="G508"),
        source=Source.WORKER,
        actor=world.worker if community == world.community_a else world.admin,
        now=min(arrival + dt.timedelta(hours=1), dt.datetime.now(dt.UTC)),
    )


CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "test-artifacts", "screenshots")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright() -> Any:
    """One Playwright for the session (a second sync instance in the same thread is refused);
    skipped, saying how to install Chromium, when Debian's chromium is absent."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("browser tests need Debian's chromium: apt-get install chromium fonts-wqy-microhei")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Any:
    """Headless Debian Chromium shared by the browser tests."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Any:
    """A fresh phone-sized page (360×740) against the live server."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    # The site sends a content security policy (settings.CONTENT_SECURITY_POLICY): a page whose
    # script or style it refuses is broken for real users, so the test fails here. Move inline
    # <script> into a static file.
    assert not refused, f"the content security policy refused: {refused}"


def wait_for_js(page: Any, expression: str, timeout_s: float = 10.0) -> Any:
    """Wait until a JavaScript expression is truthy in ``page`` and return its value.

    Playwright's ``wait_for_function`` evaluates its predicate with ``eval`` inside the page,
    which our content security policy refuses (no 'unsafe-eval'); ``page.evaluate`` goes through
    the DevTools protocol instead, so polling it from here works under the real policy.
    """
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(50)


def screenshot(page: Any, name: str) -> str:
    """Save a full-page screenshot under test-artifacts/screenshots/ and return its path."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def pytest_report_header(config: Any) -> str:
    if os.path.exists(CHROMIUM):
        return f"browser tests: {CHROMIUM}"
    return "NOTICE: browser tests will be SKIPPED: apt-get install chromium fonts-wqy-microhei"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """MD5 for test users only: PBKDF2's deliberate slowness made every fixture take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Any:
    """Per-process caches (checkpoints, tokens) must not carry rows from one test to the next."""
    from shouwang.core.auth import forget_tokens
    from shouwang.places.selectors import forget_checkpoints

    forget_checkpoints()
    forget_tokens()
    yield
    forget_checkpoints()
    forget_tokens()
