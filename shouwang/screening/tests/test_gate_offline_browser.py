"""The gate page with the network cut (Playwright's offline mode, issue 8 "Offline gates").

The page is served by its service worker, passes are checked with the cached public key,
revocations and resident index, screenings queue in IndexedDB, and the queue reaches the server
exactly once when the network is back.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from conftest import World, screenshot, start_quarantine, wait_for_js
from shouwang.passes.services import qr_payload, revoke_pass
from shouwang.passes.signing import sign_pass
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.tests.test_gate_page_browser import (
    add_resident,
    decision,
    open_gate,
    scan,
    type_temperature,
)

STATE = "(window.shouwangOffline && window.shouwangOffline.state())"


def ready_for_offline(page: Any) -> None:
    """Wait until the phone holds the bundle and a worker controls the page (it is kept)."""
    wait_for_js(page, f"{STATE} && {STATE}.bundle && {STATE}.lastSync")
    wait_for_js(page, "navigator.serviceWorker.controller !== null")
    # The worker keeps the page itself once asked; wait until the copy is in its cache.
    wait_for_js(
        page,
        """(async () => { for (const n of await caches.keys()) {
             if (await (await caches.open(n)).match(location.pathname)) return true; } return false; })()""",
    )


def strip(page: Any) -> str:
    return str(page.inner_text("#sync-words"))


def screen(page: Any, qr: str, digits: str, expected: str) -> str:
    scan(page, qr)
    type_temperature(page, digits)
    label = decision(page, expected)
    page.click("#next")
    return label


def unsynced(page: Any) -> int:
    return int(page.evaluate(f"{STATE}.unsynced"))


def test_three_offline_one_online_is_four_and_the_same_batch_twice_is_still_four(
    world: World, page: Any
) -> None:
    li = add_resident(world, "李四", "013")
    wang = add_resident(world, "王五", "025")
    batches: list[str] = []
    page.on(
        "request",
        lambda r: batches.append(r.post_data or "") if r.url.endswith("/screenings/batch") else None,
    )
    open_gate(page)
    ready_for_offline(page)
    assert "0 条未同步" in strip(page) and "上次同步" in strip(page)

    page.context.set_offline(True)
    # With no network at all, a reload is served by the worker from its cache.
    reloaded = page.reload()
    assert reloaded is not None and reloaded.headers.get("x-shouwang-offline") == "1"
    page.wait_for_selector("#ident")
    wait_for_js(page, f"{STATE} && {STATE}.bundle")
    assert page.evaluate("navigator.onLine") is False

    scan(page, qr_payload(world.pass_))
    assert "张*" in page.inner_text("#person-name")
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    assert page.is_visible("#decision.offline")
    screenshot(page, "gate-offline-decision")
    page.click("#next")
    assert screen(page, qr_payload(li), "368", "admit") == "放行"
    # A fever reading offline asks for a retest, as online.
    assert screen(page, qr_payload(wang), "385", "retest") == "请复测"
    wait_for_js(page, f"{STATE}.unsynced === 3")
    assert ScreeningEvent.objects.count() == 0
    words = strip(page)
    assert words.startswith("离线") and "3 条未同步" in words, words
    assert page.locator("#recent li.unsynced").count() == 3
    screenshot(page, "gate-offline-3-unsynced")

    page.context.set_offline(False)
    wait_for_js(page, f"{STATE}.unsynced === 0 && !{STATE}.syncing", timeout_s=20)
    assert ScreeningEvent.objects.count() == 3
    # One more, online.
    assert screen(page, qr_payload(world.pass_), "365", "admit") == "放行"
    wait_for_js(page, f"{STATE}.unsynced === 0")
    assert ScreeningEvent.objects.count() == 4
    words = strip(page)
    assert "0 条未同步" in words and "上次同步" in words and "离线" not in words, words
    page.wait_for_selector("#recent li:not(.unsynced)")
    assert page.locator("#recent li.unsynced").count() == 0
    screenshot(page, "gate-offline-after-sync")

    # The same batch again (a device that never heard the answer): nothing changes.
    assert len(batches) >= 1
    sent = json.loads(batches[0])
    assert len(sent["items"]) == 3 and all(i["occurred_at"] and i["id"] for i in sent["items"])
    again = page.evaluate(
        """async (body) => {
          const r = await fetch('/api/v1/screenings/batch', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken':
              document.querySelector('input[name=csrfmiddlewaretoken]').value}, body: JSON.stringify(body)});
          return [r.status, await r.json()];
        }""",
        sent,
    )
    assert again[0] == 200
    assert (again[1]["created"], again[1]["existing"], again[1]["refused"]) == (0, 3, 0)
    assert ScreeningEvent.objects.count() == 4
    # The times are the phone's, when each was taken offline, not the time of the sync.
    stored = ScreeningEvent.objects.get(pk=sent["items"][0]["id"])
    assert stored.occurred_at == dt.datetime.fromisoformat(
        sent["items"][0]["occurred_at"].replace("Z", "+00:00")
    )


def test_a_pass_revoked_while_offline_is_denied_after_the_next_sync(world: World, page: Any) -> None:
    li = add_resident(world, "李四", "013")
    open_gate(page)
    ready_for_offline(page)
    page.context.set_offline(True)
    revoke_pass(li, reason="pass lent to someone else", actor=world.admin)
    # The phone cannot know yet: its list says the pass is good.
    assert screen(page, qr_payload(li), "366", "admit") == "放行"
    wait_for_js(page, f"{STATE}.unsynced === 1")

    page.context.set_offline(False)
    wait_for_js(page, f"{STATE}.unsynced === 0 && !{STATE}.syncing", timeout_s=20)
    # The server's decision is the record, and the last 10 say it differs from the phone's.
    event = ScreeningEvent.objects.get()
    assert event.decision == "deny" and event.reasons[0] == "pass_revoked"
    page.wait_for_selector("#recent li.changed")
    assert "离线判定 放行 → 服务器 禁止通行" in page.inner_text("#recent li.changed")
    screenshot(page, "gate-offline-server-differs")

    # Offline again: the refreshed list now denies the pass on the phone itself.
    page.context.set_offline(True)
    scan(page, qr_payload(li))
    assert "已作废" in page.inner_text("#pass-line")
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "出入证已作废" in page.inner_text("#decision-message")
    screenshot(page, "gate-offline-revoked-denied")


def test_offline_decisions_follow_the_gate_rules(world: World, page: Any) -> None:
    expired = add_resident(world, "王五", "025", valid_until=dt.date(2020, 2, 1))
    other = add_resident(world, "赵六", "037", community=world.community_b)
    li = add_resident(world, "李四", "013")
    start_quarantine(world, world.resident, timezone.localdate() + dt.timedelta(days=3))
    open_gate(page)
    ready_for_offline(page)
    page.context.set_offline(True)

    # Home quarantine: stopped going out.
    scan(page, qr_payload(world.pass_))
    assert page.is_visible("#quarantine-line")
    page.click("#dir-out")
    page.click("#confirm")
    assert decision(page, "deny") == "禁止通行"
    assert "居家隔离中" in page.inner_text("#decision-message")
    page.click("#next")
    # Expired and another community's passes are denied coming in.
    scan(page, qr_payload(expired))
    type_temperature(page, "366")
    decision(page, "deny")
    assert "已过期" in page.inner_text("#decision-message")
    page.click("#next")
    scan(page, qr_payload(other))
    type_temperature(page, "366")
    decision(page, "deny")
    assert "其他社区" in page.inner_text("#decision-message")
    page.click("#next")
    # A forged pass: shaped like ours, signed with another key.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = sign_pass(world.pass_.number, "tps", dt.date(2099, 12, 31), key=Ed25519PrivateKey.generate())
    scan(page, forged)
    type_temperature(page, "366")
    decision(page, "deny")
    assert "伪造" in page.inner_text("#decision-message")
    page.click("#next")
    # Fever: a retest, and the retest still high refers to the health station.
    scan(page, qr_payload(world.pass_))
    type_temperature(page, "385")
    decision(page, "retest")
    page.click("#retest")
    type_temperature(page, "386")
    assert decision(page, "refer") == "转卫生站"
    page.click("#next")
    # The referral holds at this gate: coming in again is back to the health station.
    scan(page, qr_payload(world.pass_))
    type_temperature(page, "366")
    assert decision(page, "refer") == "转卫生站"
    page.click("#next")
    # No mask coming in.
    scan(page, qr_payload(li))
    page.click("#mask")
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "未佩戴口罩" in page.inner_text("#decision-message")
    screenshot(page, "gate-offline-no-mask")
    page.click("#next")
    wait_for_js(page, f"{STATE}.unsynced === 8")

    page.context.set_offline(False)
    wait_for_js(page, f"{STATE}.unsynced === 0 && !{STATE}.syncing", timeout_s=20)
    stored = list(ScreeningEvent.objects.order_by("occurred_at").values_list("decision", flat=True))
    # The server agrees with every offline decision.
    assert stored == ["deny", "deny", "deny", "deny", "retest", "refer", "refer", "deny"]
    assert page.locator("#recent li.changed").count() == 0


def test_an_item_the_server_refuses_stays_and_says_why(world: World, page: Any) -> None:
    open_gate(page)
    ready_for_offline(page)
    page.context.set_offline(True)
    assert screen(page, qr_payload(world.pass_), "366", "admit") == "放行"
    wait_for_js(page, f"{STATE}.unsynced === 1")
    # The gate's staff lose this community while the phone is offline.
    world.gate_user.staff.communities.set([world.community_b])
    page.context.set_offline(False)
    wait_for_js(page, f"{STATE}.refused === 1 && !{STATE}.syncing", timeout_s=20)
    assert ScreeningEvent.objects.count() == 0
    assert "1 条未同步" in strip(page)
    refused = page.inner_text("#sync-refused")
    assert "没有" in refused or "不存在" in refused or "checkpoint" in refused.lower(), refused
    screenshot(page, "gate-offline-refused")
    page.click("#sync-refused button")
    wait_for_js(page, f"{STATE}.unsynced === 0")
    assert page.is_hidden("#sync-refused")
