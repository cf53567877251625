"""A visitor with a 100-letter name on the outsider pages, in headless Chromium on a 360×740
phone: the lists stay as wide as the phone (the masked name is the surname and at most two
stars; long words wrap anywhere). Screenshots ``test-artifacts/screenshots/fixes-long-name-*.png``.

The live server runs on the real clock: times are now in Beijing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.people.models import Household
from shouwang.quarantine.tests.test_pages_browser import no_horizontal_scroll, wide
from shouwang.visitors.choices import HostKind
from shouwang.visitors.services import HostIn, VisitorIn, invite_visitor, register_visit

LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 2 + "A" * 30  # 100 letters, no space


def test_a_100_letter_name_keeps_the_pages_phone_wide(world: World, page: Any) -> None:
    household = Household.objects.create(community=world.community_a, address="力学胡同" + "3" * 120 + "号")
    host = HostIn(HostKind.HOUSEHOLD, household.pk)
    visitor = VisitorIn(name=LONG_NAME, phone="13800138000", id_type="passport", id_number="E12345678")
    register_visit(
        world.gate_a,
        visitor=visitor,
        host=host,
        reason="x" * 200,
        temperature="36.6",
        mask=True,
        actor=world.gate_user,
    )
    invite_visitor(
        world.community_a,
        visitor=visitor,
        visit_date=world.community_a.local_date(timezone.now()) + dt.timedelta(days=1),
        actor=world.worker,
        host=host,
        reason="y" * 200,
    )
    log_in(page, "worker")
    page.goto("/visitors/")
    page.wait_for_selector("#visits li")
    shown = page.inner_text("#visits")
    assert "W**" in shown and "W***" not in shown  # the surname and two stars, whatever the length
    assert no_horizontal_scroll(page), wide(page)
    # Whatever a line's head holds next (a long pass number, a platform's name), it wraps.
    wraps = "getComputedStyle(document.querySelector('#visits .head b')).overflowWrap"
    assert page.evaluate(wraps) == "anywhere"
    screenshot(page, "fixes-long-name-today")
    page.goto("/visitors/invitations/")
    page.wait_for_selector("#invitation-list li")
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "fixes-long-name-invitations")
