"""The incidents pages in headless Chromium on a 360×740 phone: a community worker finds an open
incident from the home page, shows its photo (an audited read), escalates it to the police
station with the time and closes it with the outcome; the help given at the gates; the same in
English. Screenshots ``test-artifacts/screenshots/incidents-*.png``.

The live server runs on the real clock: times are now in Beijing.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from PIL import Image

from conftest import World, screenshot, wait_for_js
from shouwang.core.models import AuditLog
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.incidents.models import Escalation, Incident
from shouwang.incidents.services import attach_photo, log_service, raise_incident
from shouwang.quarantine.tests.test_pages_browser import no_horizontal_scroll, small_targets, wide
from shouwang.screening.tests.test_gate_page_browser import chinese, open_gate


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 360), (60, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def an_incident(world: World) -> Incident:
    incident = raise_incident(
        world.gate_a,
        kind="forced_entry",
        actor=world.gate_user,
        severity="high",
        people="男，约 40 岁，黑色外套",
        description="无证无口罩，欲强行进入，已劝阻",
        occurred_at=timezone.now() - dt.timedelta(minutes=30),
    ).incident
    attach_photo(incident, data=photo(), actor=world.gate_user)
    return incident


def test_worker_escalates_and_closes_an_incident(world: World, page: Any) -> None:
    incident = an_incident(world)
    raise_incident(world.gate_a2, kind="no_mask", actor=world.gate_user, severity="low", people="外卖骑手")
    log_in(page, "worker")
    page.click("#home-incidents")
    page.wait_for_selector("#incident-list")
    assert page.locator("#incident-list li").count() == 2
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "incidents-list")
    page.click("#incident-list li:has-text('强行闯卡') a")
    page.wait_for_selector("#incident-status")
    assert "处理中" in page.inner_text("#incident-status")
    assert "男，约 40 岁" in page.inner_text("#incident-who")
    assert not AuditLog.objects.filter(action="incident.photo_view").exists()
    # The photo loads when asked for, and that read is audited.
    page.click("#photo-box summary")
    wait_for_js(page, "document.getElementById('incident-photo').naturalWidth > 0")
    assert AuditLog.objects.filter(action="incident.photo_view", actor=world.worker).count() == 1
    assert no_horizontal_scroll(page), wide(page)
    assert small_targets(page) == []
    screenshot(page, "incidents-incident-photo")
    # Escalate to the police station at a given local time.
    at = (timezone.now() - dt.timedelta(minutes=10)).astimezone(world.community_a.tz)
    page.check("input[name=escalate-to][value=police_station]")
    page.fill("#id_escalate-at", at.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_escalate-note", "已报 110")
    page.click("#escalate-submit")
    page.wait_for_selector(".msgs")
    assert "已上报派出所" in page.inner_text(".msgs")
    assert at.strftime("%H:%M") in page.inner_text("#incident-escalations")
    assert Escalation.objects.get().target == "police_station"
    # Close with the outcome.
    page.click("#close summary")
    page.fill("#id_close-outcome", "派出所已带走")
    screenshot(page, "incidents-incident-closing")
    page.click("#close-submit")
    page.wait_for_selector(".msgs")
    assert "已结案" in page.inner_text("#incident-status")
    assert "派出所已带走" in page.inner_text("#incident-outcome")
    assert page.locator("#escalate").count() == 0
    screenshot(page, "incidents-incident-closed")
    incident.refresh_from_db()
    assert (incident.status, incident.outcome) == ("closed", "派出所已带走")


def test_help_given_list(world: World, page: Any) -> None:
    log_service(
        world.gate_a, kind="errand", actor=world.gate_user, resident=world.resident.pk, note="代买药品"
    )
    log_service(
        world.gate_a2, kind="escort", actor=world.gate_user, person="老人，非本社区", note="陪同去理发店"
    )
    log_in(page, "worker")
    page.click("#home-services")
    page.wait_for_selector("#service-list")
    assert page.locator("#service-list li").count() == 2
    assert "陪同引导" in page.inner_text("#service-list") and "张*" in page.inner_text("#service-list")
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "incidents-help-given")


def test_incident_page_in_english(world: World, page: Any) -> None:
    an_incident(world)
    open_gate(page)
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    page.click("#link-incidents")
    page.wait_for_selector("#incident-list")
    page.click("#incident-list a")
    page.wait_for_selector("#incident-status")
    words = page.evaluate(
        """() => [...document.querySelectorAll('h1, h2, dt, summary, label, button:not(#lang-switch), legend, .q-nav a')]
            .map((el) => el.textContent).join(' | ')"""
    )
    assert chinese(words) == [], words
    assert "forced entry" in page.inner_text("h1")
    screenshot(page, "incidents-incident-english")
