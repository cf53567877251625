"""Outsiders on the gate page in headless Chromium (360×740): a new visitor from the ``register``
answer, a repeat visitor in one confirmation, an invitation scanned and one typed, a delivery
rider (handed over at the gate, or let in where the policy allows), an incident with a photo and
one whose photo is refused, help given, and the sheets in English.

Each test asserts the words on the screen and what was stored (through the ORM), and saves
screenshots ``test-artifacts/screenshots/outsiders-*.png``. The live server runs on the real
clock: dates are today in Beijing.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from conftest import World, screenshot, wait_for_js
from shouwang.core.models import AuditLog
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.incidents.models import Incident, IncidentPhoto, ServiceLog
from shouwang.people.models import Institution
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.tests.test_gate_page_browser import (
    chinese,
    decision,
    id_number,
    no_horizontal_scroll,
    open_gate,
    scan,
    small_targets,
    type_temperature,
)
from shouwang.visitors.models import Delivery, Invitation, Visit
from shouwang.visitors.services import HostIn, VisitorIn, invitation_qr, invite_visitor, register_visit

LI_SI_ID = "110102199003070034"
PHONE = "13800138000"


def today(world: World) -> dt.date:
    day: dt.date = world.community_a.local_date(timezone.now())
    return day


def sheet_words(page: Any, sheet: str) -> str:
    """The sheet's own words: labels, buttons, legends, placeholders (no people's data)."""
    return str(
        page.evaluate(
            """(id) => {
              const s = document.getElementById(id);
              const parts = [];
              s.querySelectorAll('button, label, legend, h2, option, small, p.small')
                .forEach((el) => parts.push(el.textContent));
              s.querySelectorAll('[placeholder], [aria-label]').forEach((el) =>
                parts.push(el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || ''));
              return parts.join(' | ');
            }""",
            sheet,
        )
    )


def tap_sheet_keypad(page: Any, pad: str, digits: str) -> None:
    for digit in digits:
        page.click(f"#{pad} button[data-key='{digit}']")


def pick(page: Any, prefix: str, typed: str, label: str) -> None:
    """Type into a sheet's type-ahead and tap the suggestion showing ``label``."""
    page.fill(f"#{prefix}", typed)
    page.click(f"#{prefix}-list button:has-text('{label}')")
    page.wait_for_selector(f"#{prefix}-picked:not([hidden])")


def pass_qr_text(page: Any) -> str:
    """Decode the visitor pass QR as the screen shows it (what a visitor's photo would hold)."""
    import zxingcpp

    wait_for_js(
        page,
        "document.getElementById('pass-qr').complete && document.getElementById('pass-qr').naturalWidth > 0",
    )
    png = page.locator("#pass-qr").screenshot()
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "the pass QR on screen does not decode"
    return str(results[0].text)


def earlier_visit(world: World, ago: dt.timedelta = dt.timedelta(hours=3)) -> Visit:
    """李四 came to 张三's household ``ago`` (registered through the service)."""
    return register_visit(
        world.gate_a,
        visitor=VisitorIn(name="李四", phone=PHONE, id_number=LI_SI_ID),
        host=HostIn("household", world.resident.household_id),
        reason="探亲",
        temperature="365",
        mask=True,
        actor=world.gate_user,
        occurred_at=timezone.now() - ago,
    ).visit


# ---- visitors -------------------------------------------------------------------------------


def test_new_visitor_from_the_register_answer(world: World, page: Any) -> None:
    open_gate(page)
    scan(page, "https://weixin.qq.com/r/abcdefg")  # no pass of ours: 请登记
    type_temperature(page, "366")
    decision(page, "register")
    assert page.is_visible("#decision-visitor") and page.is_visible("#decision-incident")
    page.click("#decision-visitor")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    # The reading just taken is reused: no keypad, a banner says which.
    assert "36.6 °C" in page.inner_text("#v-screening") and page.is_hidden("#v-keypad")
    page.fill("#v-phone", "138 0013 8000")
    page.fill("#v-name", "李四")
    page.fill("#v-id-number", LI_SI_ID)
    pick(page, "v-host", "力学3号", "力学胡同 3 号")
    page.click("#v-reasons .chip[data-value='探亲']")
    assert page.input_value("#v-reason") == "探亲"
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "outsiders-visitor-new-filled")
    page.click("#v-submit")
    assert decision(page, "admit") == "放行"
    assert "李*" in page.inner_text("#decision-person") and "力学胡同 3 号" in page.inner_text(
        "#decision-person"
    )
    assert "36.6 °C" in page.inner_text("#decision-temp")
    visit = Visit.objects.get()
    assert page.inner_text("#pass-number") == visit.pass_number
    assert today(world).isoformat() in page.inner_text("#pass-note")
    assert pass_qr_text(page).startswith("SWV1.")
    box = page.locator("#pass-qr").bounding_box()
    assert box and box["width"] >= 200  # big enough to photograph from the worker's phone
    assert no_horizontal_scroll(page)
    screenshot(page, "outsiders-visitor-new-admitted")
    event = ScreeningEvent.objects.get()
    assert (visit.screening_id, str(visit.temperature_c), visit.mask) == (event.pk, "36.6", True)
    assert (visit.visitor.name, visit.visitor.phone, visit.reason) == ("李四", "+8613800138000", "探亲")
    # The counts on the gate page show visitors apart from deliveries.
    page.click("#next")
    wait_for_js(page, "document.getElementById('visit-count').textContent === '1'")
    assert page.inner_text("#delivery-count") == "0"


def test_new_visitor_refused_says_why_on_the_field(world: World, page: Any) -> None:
    open_gate(page)
    page.click("#open-visitor")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    page.fill("#v-phone", "12345")
    page.fill("#v-name", "李四")
    page.fill("#v-id-number", LI_SI_ID)
    pick(page, "v-host", "zs", "力学胡同 3 号")
    page.fill("#v-reason", "探亲")
    tap_sheet_keypad(page, "v-keypad", "366")
    page.click("#v-submit")
    page.wait_for_selector("#v-error:not([hidden])")
    assert "手机号" in page.inner_text("#v-error")
    assert "has-error" in str(page.get_attribute("#v-phone", "class"))
    screenshot(page, "outsiders-visitor-error")
    assert not Visit.objects.exists()
    # Corrected, the same sheet goes through.
    page.fill("#v-phone", PHONE)
    page.click("#v-submit")
    assert decision(page, "admit") == "放行"
    assert Visit.objects.count() == 1


def test_repeat_visitor_takes_one_confirmation(world: World, page: Any) -> None:
    earlier_visit(world)
    open_gate(page)
    page.click("#open-visitor")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    page.fill("#v-phone", PHONE)
    page.wait_for_selector("#v-known:not([hidden])")
    # Recognised: who, whom and why are there; nothing else to type but the reading.
    assert "李*" in page.inner_text("#v-known") and "138****8000" in page.inner_text("#v-known")
    assert page.is_hidden("#v-new") and page.is_hidden("#v-document")
    assert page.inner_text("#v-host-label") == "力学胡同 3 号"
    assert page.input_value("#v-reason") == "探亲"
    screenshot(page, "outsiders-visitor-repeat-recognised")
    tap_sheet_keypad(page, "v-keypad", "366")
    screenshot(page, "outsiders-visitor-repeat-prefilled")
    page.click("#v-submit")  # the one confirmation
    assert decision(page, "admit") == "放行"
    screenshot(page, "outsiders-visitor-repeat-admitted")
    first, second = Visit.objects.order_by("in_at")
    assert first.visitor_id == second.visitor_id and second.reason == "探亲"
    assert second.host_label == "力学胡同 3 号" and second.pass_number
    first.refresh_from_db()
    assert first.exit_inferred  # the earlier visit, never scanned out, is closed


def test_repeat_visitor_with_a_fever_is_retested_on_the_same_sheet(world: World, page: Any) -> None:
    earlier_visit(world)
    open_gate(page)
    page.click("#open-visitor")
    page.fill("#v-phone", PHONE)
    page.wait_for_selector("#v-known:not([hidden])")
    tap_sheet_keypad(page, "v-keypad", "378")
    page.click("#v-submit")
    assert decision(page, "retest") == "请复测"
    assert page.is_visible("#countdown") and page.is_hidden("#decision-pass")
    page.click("#retest")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    assert page.is_visible("#v-known") and page.inner_text("#v-temp") == "--.-"
    tap_sheet_keypad(page, "v-keypad", "381")
    page.click("#v-submit")
    assert decision(page, "refer") == "转卫生站"
    assert [v.decision for v in Visit.objects.order_by("in_at")] == ["admit", "retest", "refer"]


def test_worker_invites_then_the_gate_scans_the_invitation(
    world: World, page: Any, browser: Any, live_server: Any
) -> None:
    # The community worker makes the invitation on their own phone.
    worker = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    wp = worker.new_page()
    try:
        log_in(wp, "worker")
        wp.wait_for_selector("#home-invitations")
        # Typing before the page's script has bound the type-ahead would be lost (seen once in
        # CI): wait for the invitation page's load event, which follows its scripts.
        with wp.expect_navigation(wait_until="load"):
            wp.click("#home-invitations")
        wp.fill("#id_resident_search", "zs")
        wp.click("#resident-list button:has-text('张*')")
        wp.fill("#id_name", "王五")
        wp.fill("#id_phone", "139 0013 9000")
        wp.click("#reason-chips .chip[data-value='送物资']")
        assert no_horizontal_scroll(wp)
        screenshot(wp, "outsiders-invite-form")
        wp.click("#invite-submit")
        wp.wait_for_selector("#invitation-code")
        inv = Invitation.objects.get()
        assert wp.inner_text("#invitation-code").replace(" ", "") == inv.code
        assert wp.locator("#invitation-qr svg").count() == 1 and no_horizontal_scroll(wp)
        screenshot(wp, "outsiders-invitation")
    finally:
        worker.close()
    # At the gate the visitor's QR is scanned: the visit comes prefilled, only the reading is taken.
    open_gate(page)
    page.fill("#ident", invitation_qr(inv))
    page.press("#ident", "Enter")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    banner = page.inner_text("#v-invitation")
    assert inv.code in banner and "王*" in banner and "力学胡同 3 号" in banner
    assert page.is_hidden("#v-phone") and page.is_hidden("#v-host")
    assert page.is_visible("#v-document")  # the policy wants a document the invitation lacks
    page.fill("#v-id-number", id_number("110102", "19900101", "051"))
    tap_sheet_keypad(page, "v-keypad", "365")
    screenshot(page, "outsiders-invitation-scanned")
    page.click("#v-submit")
    assert decision(page, "admit") == "放行"
    inv.refresh_from_db()
    assert inv.status == "used" and Visit.objects.get().invitation_id == inv.pk


def test_an_invitation_code_typed_at_the_gate(world: World, page: Any) -> None:
    inv = invite_visitor(
        world.community_a,
        visitor=VisitorIn(name="王五", phone="13900139000", id_number=id_number("110102", "19900101", "051")),
        visit_date=today(world),
        actor=world.worker,
        on_behalf_of=world.resident.pk,
        reason="送物资",
    ).invitation
    open_gate(page)
    page.fill("#ident", f"{inv.code[:4].lower()} {inv.code[4:].lower()}")  # as read off a phone
    page.press("#ident", "Enter")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    assert page.is_hidden("#v-document")  # the invitation carries the document
    tap_sheet_keypad(page, "v-keypad", "364")
    page.click("#v-submit")
    assert decision(page, "admit") == "放行"
    screenshot(page, "outsiders-invitation-typed-admitted")
    # Used once: the same code again is refused with the reason, on the sheet. (Another reading:
    # the very same form again within 10 s is a double send, answered with the first visit.)
    page.click("#next")
    page.fill("#ident", inv.code)
    page.press("#ident", "Enter")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    assert "已使用" in page.inner_text("#v-invitation")
    tap_sheet_keypad(page, "v-keypad", "365")
    page.click("#v-submit")
    page.wait_for_selector("#v-error:not([hidden])")
    assert "已于" in page.inner_text("#v-error")
    assert Visit.objects.count() == 1
    # A code that names no invitation is not one: it is searched like anything else typed.
    page.click("#visitor-sheet [data-close]")
    page.fill("#ident", "ACDEFGHJ")
    page.press("#ident", "Enter")
    page.wait_for_selector("#ident-error:not([hidden])")
    assert page.is_hidden("#visitor-sheet")


# ---- delivery riders ------------------------------------------------------------------------


def test_delivery_rider_hands_over_at_the_gate(world: World, page: Any) -> None:
    open_gate(page)
    page.click("#open-delivery")
    page.wait_for_selector("#delivery-sheet:not([hidden])")
    page.click("#d-submit")  # no platform yet
    assert "平台" in page.inner_text("#d-error")
    page.click("#d-platforms .chip[data-value='meituan']")
    page.fill("#d-phone", "136 0013 6000")
    # A parcel goes to a household: an institution is not offered as the recipient.
    Institution.objects.create(community=world.community_a, name="太仆寺街理发店", kind="shop")
    page.fill("#d-recipient", "理发")
    page.wait_for_selector("#d-recipient-list li.empty")
    pick(page, "d-recipient", "zs", "力学胡同 3 号")
    tap_sheet_keypad(page, "d-keypad", "366")
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "outsiders-delivery-filled")
    page.click("#d-submit")
    assert decision(page, "admit") == "卡口交接"
    assert "美团" in page.inner_text("#decision-person") and "力学胡同 3 号" in page.inner_text(
        "#decision-person"
    )
    screenshot(page, "outsiders-delivery-handoff")
    d = Delivery.objects.get()
    assert (d.platform, d.handoff, d.phone, d.recipient_label) == (
        "meituan",
        "gate",
        "+8613600136000",
        "力学胡同 3 号",
    )
    page.click("#next")
    wait_for_js(page, "document.getElementById('delivery-count').textContent === '1'")
    assert page.inner_text("#visit-count") == "0"


def test_delivery_rider_let_in_where_the_policy_allows(world: World, page: Any) -> None:
    world.subdistrict.policy = {"riders_enter": True}
    world.subdistrict.save()
    open_gate(page)
    page.click("#open-delivery")
    page.click("#d-platforms .chip[data-value='sf']")
    page.fill("#d-phone", "13600136000")
    tap_sheet_keypad(page, "d-keypad", "365")
    page.check("#d-enter")
    page.click("#d-submit")
    assert decision(page, "admit") == "可进入社区"
    assert Delivery.objects.get().handoff == "entered"


# ---- incidents ------------------------------------------------------------------------------


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_incident_from_the_last_screening_with_a_photo(world: World, page: Any) -> None:
    open_gate(page)
    scan(page, "https://weixin.qq.com/r/abcdefg")
    page.click("#mask")  # no mask either
    type_temperature(page, "366")
    decision(page, "deny")
    page.click("#decision-incident")
    page.wait_for_selector("#incident-sheet:not([hidden])")
    page.wait_for_selector("#i-linked:not([hidden])")
    # Prefilled from the screening: the person and the suggested kind.
    assert "禁止通行" in page.inner_text("#i-linked")
    assert page.get_attribute("#i-kinds .chip[data-value='no_mask']", "aria-pressed") == "true"
    page.click("#i-kinds .chip[data-value='forced_entry']")
    page.click("#i-severities .chip[data-value='high']")
    page.fill("#i-people", "男，约 40 岁，黑色外套")
    page.fill("#i-description", "无证无口罩，欲强行进入，已劝阻")
    page.set_input_files(
        "#i-photo", files=[{"name": "gate.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "outsiders-incident-filled")
    page.click("#i-submit")
    page.wait_for_selector("#outsider-note:not([hidden])")
    assert "事件已记录" in page.inner_text("#outsider-note") and "照片已上传" in page.inner_text(
        "#outsider-note"
    )
    screenshot(page, "outsiders-incident-recorded")
    incident = Incident.objects.get()
    assert (incident.kind, incident.severity, incident.screening_id) == (
        "forced_entry",
        "high",
        ScreeningEvent.objects.get().pk,
    )
    assert IncidentPhoto.objects.get(incident=incident).content_type == "image/png"
    # The note links to the incident's page.
    page.click("#outsider-note a")
    page.wait_for_selector("#incident-status")
    assert "强行闯卡" in page.inner_text("h1")


def test_a_bad_photo_is_refused_and_the_incident_stays_without_one(world: World, page: Any) -> None:
    open_gate(page)
    page.click("#open-incident")  # nobody screened yet: no prefill
    page.wait_for_selector("#incident-sheet:not([hidden])")
    assert page.is_hidden("#i-linked")
    page.click("#i-submit")
    assert "事件类型" in page.inner_text("#i-error")
    page.click("#i-kinds .chip[data-value='abuse']")
    page.click("#i-submit")  # nobody named
    wait_for_js(page, "document.getElementById('i-error').textContent.includes('涉及的人')")
    assert "has-error" in str(page.get_attribute("#i-people", "class"))
    assert not Incident.objects.exists()
    page.fill("#i-people", "骑电动车男子")
    page.set_input_files(
        "#i-photo", files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4 not a photo"}]
    )
    page.click("#i-submit")
    wait_for_js(page, "document.getElementById('i-error').textContent.includes('JPEG')")
    assert "事件已记录，但照片未保存" in page.inner_text("#i-error")
    assert page.is_visible("#i-open") and page.is_hidden("#i-kinds")
    screenshot(page, "outsiders-incident-bad-photo")
    incident = Incident.objects.get()
    assert incident.kind == "abuse" and not IncidentPhoto.objects.exists()
    # Another try with a real photo attaches it to the same incident.
    page.set_input_files(
        "#i-photo", files=[{"name": "ok.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.click("#i-submit")
    page.wait_for_selector("#outsider-note:not([hidden])")
    assert Incident.objects.count() == 1 and IncidentPhoto.objects.get().incident_id == incident.pk


# ---- help given ----------------------------------------------------------------------------


def test_help_given_for_a_resident(world: World, page: Any) -> None:
    open_gate(page)
    page.click("#open-service")
    page.wait_for_selector("#service-sheet:not([hidden])")
    page.click("#s-kinds .chip[data-value='errand']")
    pick(page, "s-resident", "zs", "张*")
    page.fill("#s-note", "先去看了理发店是否营业")
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, "outsiders-help-filled")
    page.click("#s-submit")
    page.wait_for_selector("#outsider-note:not([hidden])")
    assert "便民服务已记录" in page.inner_text("#outsider-note") and "代办跑腿" in page.inner_text(
        "#outsider-note"
    )
    screenshot(page, "outsiders-help-recorded")
    entry = ServiceLog.objects.get()
    assert (entry.kind, entry.resident_id, entry.note) == (
        "errand",
        world.resident.pk,
        "先去看了理发店是否营业",
    )
    # Someone described in words instead.
    page.click("#open-service")
    page.click("#s-kinds .chip[data-value='escort']")
    page.fill("#s-person", "老人，非本社区")
    page.click("#s-submit")
    wait_for_js(page, "document.getElementById('outsider-note').textContent.includes('陪同引导')")
    assert ServiceLog.objects.count() == 2


# ---- English --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "sheet"),
    [
        ("#open-visitor", "visitor-sheet"),
        ("#open-delivery", "delivery-sheet"),
        ("#open-incident", "incident-sheet"),
        ("#open-service", "service-sheet"),
    ],
)
def test_sheets_in_english(world: World, page: Any, button: str, sheet: str) -> None:
    open_gate(page)
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    assert chinese(page.inner_text(".outsiders")) == []
    page.click(button)
    page.wait_for_selector(f"#{sheet}:not([hidden])")
    shown = chinese(sheet_words(page, sheet))
    assert shown == [], f"untranslated words on the English {sheet}: {shown}"
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    screenshot(page, f"outsiders-english-{sheet}")


def test_visitor_in_english_end_to_end(world: World, page: Any) -> None:
    earlier_visit(world)
    open_gate(page)
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    page.click("#open-visitor")
    page.fill("#v-phone", "+86 138 0013 8000")
    page.wait_for_selector("#v-known:not([hidden])")
    assert "Known visitor · visits: 1" in page.inner_text("#v-known")
    tap_sheet_keypad(page, "v-keypad", "366")
    page.click("#v-submit")
    assert decision(page, "admit") == "Admit"
    assert "at every gate of this community" in page.inner_text("#pass-note")
    assert AuditLog.objects.filter(action="visit.register").count() == 2


# ---- the worker's page of the day ------------------------------------------------------------


def test_todays_visitors_and_deliveries_per_gate_on_a_phone(world: World, page: Any) -> None:
    from shouwang.visitors.services import register_delivery

    earlier_visit(world, ago=dt.timedelta(seconds=30))  # today, whatever the hour
    register_visit(
        world.gate_a2,
        visitor=VisitorIn(name="赵六", phone="13700137000", id_number=id_number("110102", "19850505", "045")),
        host=HostIn("household", world.resident.household_id),
        reason="维修",
        temperature="375",
        mask=True,
        actor=world.gate_user,
    )
    register_delivery(
        world.gate_a,
        platform="eleme",
        phone="13600136000",
        temperature="365",
        mask=True,
        actor=world.gate_user,
    )
    log_in(page, "worker")
    page.click("#home-visitors")
    page.wait_for_selector("#on-site")
    assert page.inner_text("#count-admitted") == "1" and page.inner_text("#count-deliveries") == "1"
    assert page.inner_text("#count-on-site") == "1"
    assert "李*" in page.inner_text("#on-site") and "赵*" not in page.inner_text("#on-site")
    assert "请复测" in page.inner_text("#visits") and "饿了么" in page.inner_text("#deliveries")
    assert no_horizontal_scroll(page)
    screenshot(page, "outsiders-today-worker")
    # One gate.
    page.click("nav.seg a:has-text('小酱坊胡同西口')")
    page.wait_for_url("**checkpoint=xiaojiangfang-w**")
    assert "赵*" in page.inner_text("#visits") and "李*" not in page.inner_text("#visits")


def test_the_visitor_pass_typed_at_another_gate_records_the_exit(world: World, page: Any) -> None:
    visit = earlier_visit(world, ago=dt.timedelta(seconds=30))
    open_gate(page, "xiaojiangfang-w")
    scan(page, visit.pass_number.lower().replace("-", " "))  # read off the visitor's photo
    assert "李*" in page.inner_text("#person-name") and visit.pass_number in page.inner_text("#person-name")
    page.click("#dir-out")
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    visit.refresh_from_db()
    assert visit.out_checkpoint == world.gate_a2 and not visit.exit_inferred
