"""In Chromium on a phone: 查看 a masked phone with a reason, and the data-protection officer's
audit log (screenshots under test-artifacts/screenshots/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import World, screenshot, start_quarantine
from shouwang.core.models import AuditLog
from shouwang.core.tests.test_access_fixtures import A_PHONE, BWorld
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.people.services import ResidentIn, upsert_resident


def test_reveal_a_phone_with_a_reason(world: World, page: Any) -> None:
    upsert_resident(
        world.community_a,
        ResidentIn(name="张三", id_number="110102198001010017", address="力学胡同 3 号", phone=A_PHONE),
        actor=world.admin,
    )
    plan = start_quarantine(
        world, world.resident, world.community_a.local_date(timezone.now()) + dt.timedelta(days=3)
    )
    log_in(page, "worker")
    page.goto(f"/quarantine/plans/{plan.pk}/")
    phone = page.locator("#plan-phone")
    assert phone.inner_text().startswith("☎ 138****8000")
    assert "13800138000" not in page.content()
    phone.locator("summary").click()
    # No reason: the server says why, nothing is shown or audited.
    phone.locator("button[type=submit]").click()
    error = phone.locator("[data-reveal-error]")
    error.wait_for(state="visible")
    assert "原因" in error.inner_text()
    phone.locator("select[name=reason]").select_option("follow_up_call")
    phone.locator("input[name=note]").fill("下午随访未接通，再拨")
    screenshot(page, "reveal-asks-why")
    phone.locator("button[type=submit]").click()
    link = page.locator("#plan-phone a.revealed")
    link.wait_for()
    assert link.inner_text() == f"☎ {A_PHONE}" and link.get_attribute("href") == f"tel:{A_PHONE}"
    screenshot(page, "reveal-shown")
    row = AuditLog.objects.get(action="person.reveal")
    assert (row.actor, row.detail["why"], row.detail["note"]) == (
        world.worker,
        "follow_up_call",
        "下午随访未接通，再拨",
    )


def test_dpo_audit_log_page(world: World, bw: BWorld, page: Any) -> None:
    from shouwang.core.audit import log_read
    from shouwang.core.reveal import reveal

    log_read(bw.plan, actor=world.admin, via="page")
    reveal(bw.resident, field="phone", reason="health_referral", note="转诊", actor=world.admin, via="page")
    log_read(world.resident, actor=world.worker, via="api")
    log_in(page, "dpo")
    page.wait_for_url("**/audit/")
    assert page.locator("#audit-total").inner_text().startswith(str(AuditLog.objects.count()))
    page.fill("#f-staff", "admin")
    page.fill("#f-action", "reveal")
    page.click("#audit-go")
    page.wait_for_selector("#audit-rows li")
    rows = page.locator("#audit-rows li")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "person.reveal" in text and "王*" in text and "health_referral" in text and "转诊" in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(page, "audit-log-dpo")
    with page.expect_download() as download:
        page.click("#audit-csv")
    assert download.value.suggested_filename == "shouwang-audit.csv"
    assert AuditLog.objects.filter(action="audit.export", actor=bw.dpo).count() == 1
