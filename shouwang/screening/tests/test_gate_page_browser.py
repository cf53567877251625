"""The gate page in headless Chromium: one test per decision path, search, keyboard, language.

Each test asserts the words on the screen (decision label and reason), the event stored (through
the ORM) and saves a screenshot ``test-artifacts/screenshots/gate-<path>.png``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from stdnum.cn import ric

from conftest import World, screenshot, start_quarantine, wait_for_js
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.passes.services import issue_pass, qr_payload, revoke_pass
from shouwang.passes.signing import sign_pass
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.screening.models import ScreeningEvent

# The card's controls, which must not overlap one another.
CARD_PARTS = [
    "#ident",
    "#person-name",
    "#pass-line",
    "#dir-in",
    "#dir-out",
    "#mask",
    "#temp-display",
    "#keypad",
    "#confirm",
]


def id_number(region: str, birth: str, seq: str) -> str:
    """A valid 18-digit resident ID: region (6) + birth date (8) + sequence (3) + check digit."""
    base = region + birth + seq
    return base + ric.calc_check_digit(base + "0")


def add_resident(world: World, name: str, seq: str, *, community: Any = None, **pass_dates: dt.date) -> Any:
    """A resident with a pass (valid 2020–2099 unless ``valid_from``/``valid_until`` say otherwise)."""
    community = community or world.community_a
    pass_type = world.pass_type_a if community == world.community_a else world.pass_type_b
    resident, _ = upsert_resident(
        community,
        ResidentIn(name=name, id_number=id_number("110102", "19850505", seq), address="力学胡同 5 号"),
        actor=world.admin,
    )
    return issue_pass(
        resident,
        pass_type=pass_type,
        valid_from=pass_dates.get("valid_from", dt.date(2020, 1, 1)),
        valid_until=pass_dates.get("valid_until", dt.date(2099, 12, 31)),
        actor=world.admin,
    )


def open_gate(page: Any, code: str = "lixue-e") -> None:
    log_in(page, "gate")
    page.wait_for_url("**/gate/**")
    page.goto(f"/gate/{code}/")
    page.wait_for_selector("#ident")


def scan(page: Any, text: str) -> None:
    """A scanner gun types the payload and presses Enter."""
    page.fill("#ident", text)
    page.press("#ident", "Enter")
    page.wait_for_selector("#card:not([hidden])")


def type_temperature(page: Any, digits: str) -> None:
    """Tap the on-screen keypad, as on a phone (three plausible digits decide at once)."""
    for digit in digits:
        page.click(f"#keypad button[data-key='{digit}']")


def decision(page: Any, expected: str) -> str:
    """Wait for the decision panel of class ``d-<expected>``; return its label."""
    page.wait_for_selector(f"#decision.d-{expected}:not([hidden])")
    return str(page.inner_text("#decision-label"))


def message(page: Any) -> str:
    return str(page.inner_text("#decision-message"))


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def events() -> list[ScreeningEvent]:
    return list(ScreeningEvent.objects.order_by("occurred_at"))


def small_targets(page: Any) -> list[str]:
    """Visible buttons and inputs smaller than 48 × 48 CSS px (touch targets for gloved hands)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('button, input:not([type=hidden]), a')]
              .filter((el) => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
              .map((el) => [el.id || el.className || el.textContent.trim(), el.getBoundingClientRect()])
              .filter(([, r]) => r.width > 0 && (r.width < 48 || r.height < 48))
              .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""
        )
    )


def overlapping(page: Any, selectors: list[str]) -> list[str]:
    """Pairs of the given visible elements whose boxes overlap."""
    return list(
        page.evaluate(
            """(sels) => {
              const boxes = sels.map((s) => [s, document.querySelector(s)])
                .filter(([, el]) => el && !el.closest('[hidden]'))
                .map(([s, el]) => [s, el.getBoundingClientRect()]);
              const out = [];
              for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const [a, p] = boxes[i], [b, q] = boxes[j];
                if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
                  out.push(a + ' / ' + b);
              }
              return out;
            }""",
            selectors,
        )
    )


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def cut_short(page: Any) -> list[str]:
    """Header words cut off with an ellipsis (the gate's name must always show whole)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('#gate-name, .where small, #clock, .count, .links > *')]
              .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent.trim())"""
        )
    )


def in_viewport(page: Any, selector: str) -> bool:
    """The whole element is on the first screen, without scrolling."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return bool(box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"])


def ui_words(page: Any) -> str:
    """The page's own words (controls, headings, placeholders, decision), without people's data."""
    return str(
        page.evaluate(
            """() => {
              const data = '#gate-name, .where small, #person-name, #person-where, #pass-line,'
                + ' #decision-person, #recent, #lang-switch, #clock';
              const parts = [];
              document.querySelectorAll('button, label, h2, .count, .label, .message, .countdown, .warn')
                .forEach((el) => { if (!el.matches(data) && !el.closest(data)) parts.push(el.innerText || el.textContent); });
              document.querySelectorAll('[placeholder], [aria-label], [title]').forEach((el) =>
                parts.push(el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || '',
                           el.getAttribute('title') || ''));
              return parts.join(' | ');
            }"""
        )
    )


def chinese(text: str) -> list[str]:
    return sorted({ch for ch in text if "\u3400" <= ch <= "\u9fff"})


# ---- admit ----------------------------------------------------------------------------------


def test_gate_staff_land_on_their_gate_and_admit(world: World, page: Any) -> None:
    log_in(page, "gate")
    page.wait_for_url("**/gate/**")
    page.goto("/gate/lixue-e/")
    scan(page, qr_payload(world.pass_))
    assert "张*" in page.inner_text("#person-name")
    assert world.pass_.number in page.inner_text("#pass-line")
    assert focused(page) == "confirm"
    assert small_targets(page) == []
    assert overlapping(page, CARD_PARTS) == []
    assert no_horizontal_scroll(page) and cut_short(page) == []
    assert in_viewport(page, "#confirm")
    screenshot(page, "gate-card")
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    assert "体温正常" in message(page)
    assert "36.6 °C" in page.inner_text("#decision-temp")
    assert page.is_hidden("#countdown") and page.is_hidden("#retest")
    assert small_targets(page) == []
    screenshot(page, "gate-admit")
    # Focus is back in the scan field; today's count and the last 10 follow.
    assert focused(page) == "ident"
    wait_for_js(page, "document.getElementById('today-count').textContent === '1'")
    assert "36.6" in page.inner_text("#recent")
    assert no_horizontal_scroll(page)
    [event] = events()
    assert (event.decision, event.direction, event.mask) == ("admit", "in", True)
    assert str(event.temperature_c) == "36.6" and event.pass_obj_id == world.pass_.pk


def test_tapped_keypad_then_enter_confirms(world: World, page: Any) -> None:
    """Enter on the card confirms, even when a tapped keypad key still has the focus."""
    open_gate(page)
    scan(page, world.pass_.number)
    for key in "36.9":
        page.click(f"#keypad button[data-key='{key}']")
    assert page.inner_text("#temp-display") == "36.9"
    page.keyboard.press("Enter")
    assert decision(page, "admit") == "放行"
    [event] = events()
    assert str(event.temperature_c) == "36.9"


def test_fahrenheit_reading_is_labelled(world: World, page: Any) -> None:
    open_gate(page)
    scan(page, world.pass_.number)
    type_temperature(page, "986")  # no auto-confirm: 98.6 is not a plausible °C
    assert page.inner_text(".temp-row").replace("\n", "") == "98.6°F"
    page.keyboard.press("Enter")
    assert decision(page, "admit") == "放行"
    assert page.inner_text("#decision-temp") == "37.0 °C (98.6 °F)"
    assert "已由华氏度换算" in message(page)
    [event] = events()
    assert (str(event.temperature_c), event.temperature_converted_f) == ("37.0", True)


# ---- retest ---------------------------------------------------------------------------------


def test_retest_then_admit(world: World, page: Any) -> None:
    open_gate(page)
    scan(page, qr_payload(world.pass_))
    type_temperature(page, "375")
    assert decision(page, "retest") == "请复测"
    assert "37.5 °C" in message(page)
    # A fever reading shows the rest countdown (3 minutes) and the retest button.
    assert page.is_visible("#countdown") and page.is_visible("#retest")
    assert page.inner_text("#countdown").endswith(("3:00", "2:59", "2:58"))
    assert focused(page) == "ident"
    screenshot(page, "gate-retest")
    # 复测 brings back the same person's card: the reading is the retest, not a new identification.
    page.click("#retest")
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    assert "复测正常" in message(page)
    assert page.is_hidden("#countdown")
    screenshot(page, "gate-retest-admit")
    first, second = events()
    assert (first.decision, second.decision) == ("retest", "admit")
    assert first.person_key == second.person_key == f"r:{world.resident.pk}"
    assert second.reasons[-1] == "retest_normal"


def test_retest_then_refer(world: World, page: Any) -> None:
    open_gate(page)
    scan(page, qr_payload(world.pass_))
    type_temperature(page, "380")
    assert decision(page, "retest") == "请复测"
    page.click("#retest")  # back to the card of the same person
    page.wait_for_selector("#card:not([hidden])")
    assert "张*" in page.inner_text("#person-name")
    assert page.inner_text("#temp-display") == "--.-"
    type_temperature(page, "381")
    assert decision(page, "refer") == "转卫生站"
    assert "卫生站" in message(page) and "38.1" in message(page)
    assert page.is_hidden("#retest") and page.is_hidden("#countdown")
    screenshot(page, "gate-refer")
    assert [e.decision for e in events()] == ["retest", "refer"]
    assert events()[-1].alerts.get().kind == "fever_referral"


# ---- deny -----------------------------------------------------------------------------------


def test_deny_expired_pass(world: World, page: Any) -> None:
    expired = add_resident(world, "李四", "021", valid_until=dt.date(2021, 6, 30))
    open_gate(page)
    scan(page, qr_payload(expired))
    assert "李*" in page.inner_text("#person-name")
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "出入证已过期" in message(page) and "2021-06-30" in message(page)
    screenshot(page, "gate-deny-expired")
    [event] = events()
    assert event.decision == "deny" and event.reasons[0] == "pass_expired"


def test_deny_revoked_pass(world: World, page: Any) -> None:
    payload = qr_payload(world.pass_)
    revoke_pass(world.pass_, reason="遗失", actor=world.admin)
    open_gate(page)
    scan(page, payload)
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "出入证已作废" in message(page)
    screenshot(page, "gate-deny-revoked")
    [event] = events()
    assert event.reasons[0] == "pass_revoked"


def test_deny_forged_qr(world: World, page: Any) -> None:
    p = world.pass_
    forged = sign_pass(p.number, "tps", p.valid_until, key=Ed25519PrivateKey.generate())
    open_gate(page)
    scan(page, forged)
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "疑似伪造" in message(page)
    screenshot(page, "gate-deny-forged")
    [event] = events()
    assert event.reasons[0] == "pass_forged" and event.pass_obj_id is None
    assert event.alerts.get().kind == "forged_pass"


def test_deny_pass_of_another_community(world: World, page: Any) -> None:
    other = add_resident(world, "王五", "033", community=world.community_b)
    open_gate(page)
    scan(page, qr_payload(other))
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "出入证属于其他社区" in message(page)
    screenshot(page, "gate-deny-other-community")
    [event] = events()
    assert event.reasons[0] == "pass_other_community"


def test_deny_quarantine_going_out(world: World, page: Any) -> None:
    until = world.community_a.local_date(timezone.now()) + dt.timedelta(days=5)
    start_quarantine(world, world.resident, until)
    open_gate(page)
    scan(page, qr_payload(world.pass_))
    assert page.is_visible("#quarantine-line")
    assert until.isoformat() in page.inner_text("#quarantine-line")
    page.click("#dir-out")  # going out
    assert "on" in str(page.get_attribute("#dir-out", "class"))
    assert in_viewport(page, "#confirm"), "the confirm button is below the first screen"
    screenshot(page, "gate-card-quarantine-out")
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "居家隔离中" in message(page) and until.isoformat() in message(page)
    screenshot(page, "gate-deny-quarantine")
    [event] = events()
    assert (event.direction, event.reasons[0]) == ("out", "quarantine_active")
    assert event.alerts.get().kind == "quarantine_breach"


def test_deny_no_mask_and_the_next_person_starts_with_mask_and_in(world: World, page: Any) -> None:
    other = add_resident(world, "赵六", "045")
    open_gate(page)
    scan(page, qr_payload(world.pass_))
    page.click("#mask")
    assert page.get_attribute("#mask", "aria-pressed") == "false"
    type_temperature(page, "366")
    assert decision(page, "deny") == "禁止通行"
    assert "未佩戴口罩" in message(page)
    screenshot(page, "gate-deny-no-mask")
    [event] = events()
    assert (event.mask, event.reasons[0]) == (False, "no_mask")
    # A new scan while the decision shows starts the next person at once, with the defaults.
    scan(page, qr_payload(other))
    assert page.is_hidden("#decision")
    assert "赵*" in page.inner_text("#person-name")
    assert page.get_attribute("#mask", "aria-pressed") == "true"
    assert "on" in str(page.get_attribute("#dir-in", "class"))
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"


def test_a_scan_on_the_card_or_the_decision_starts_the_next_person(world: World, page: Any) -> None:
    """A scanner types key by key wherever the focus is; its text must reach #ident, never the
    temperature of the person on the card."""
    other = add_resident(world, "赵六", "045")
    open_gate(page)
    scan(page, qr_payload(world.pass_))
    assert focused(page) == "confirm"
    page.keyboard.type("\\000026" + qr_payload(other))  # focus on 确认, as after every lookup
    page.keyboard.press("Enter")
    wait_for_js(page, "document.getElementById('person-name').textContent.startsWith('赵')")
    assert page.inner_text("#temp-display") == "--.-"
    assert events() == []  # nothing was recorded for 张三
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    page.focus("#next")  # e.g. tabbed to 下一位
    page.keyboard.type(world.pass_.number)
    page.keyboard.press("Enter")
    wait_for_js(page, "document.getElementById('person-name').textContent.startsWith('张')")
    assert page.is_hidden("#decision")
    type_temperature(page, "367")
    assert decision(page, "admit") == "放行"
    assert [e.person_masked[:1] for e in events()] == ["赵", "张"]


# ---- register -------------------------------------------------------------------------------


def test_register_for_a_qr_of_another_app(world: World, page: Any) -> None:
    open_gate(page)
    scan(page, "https://weixin.qq.com/r/abcdefg")
    screenshot(page, "gate-card-register")
    type_temperature(page, "366")
    assert decision(page, "register") == "请登记"
    assert "不是本系统的出入证" in message(page)
    screenshot(page, "gate-register")
    [event] = events()
    assert (event.decision, event.reasons[0]) == ("register", "not_a_pass")


# ---- finding people -------------------------------------------------------------------------


def test_name_initials_find_people(world: World, page: Any) -> None:
    add_resident(world, "单田芳", "057")
    open_gate(page)
    page.fill("#ident", "zs")
    page.wait_for_selector(".pick-person")
    picks = page.locator(".pick-person")
    assert picks.count() == 1 and "张*" in picks.first.inner_text()
    assert small_targets(page) == []
    screenshot(page, "gate-search")
    page.fill("#ident", "s")  # 单 reads shan as a surname
    wait_for_js(
        page,
        "document.querySelector('.pick-person') && "
        "document.querySelector('.pick-person').textContent.startsWith('单')",
    )
    assert page.locator(".pick-person").count() == 1
    page.click(".pick-person")
    page.wait_for_selector("#card:not([hidden])")
    assert "单*" in page.inner_text("#person-name")
    type_temperature(page, "365")
    assert decision(page, "admit") == "放行"
    # Initials and Enter take the only match straight to the card.
    page.fill("#ident", "zs")
    page.press("#ident", "Enter")
    page.wait_for_selector("#card:not([hidden])")
    assert "张*" in page.inner_text("#person-name")
    type_temperature(page, "364")
    assert decision(page, "admit") == "放行"
    assert [(e.identified_by, e.person_masked[:2]) for e in events()] == [
        ("resident", "单*"),
        ("resident", "张*"),
    ]


def test_keyboard_only(world: World, page: Any) -> None:
    """No mouse: initials, ArrowDown to the pick, Enter, digits; Tab to 下一位; the next person."""
    add_resident(world, "单田芳", "057")
    open_gate(page)
    assert focused(page) == "ident"
    page.keyboard.type("zs")
    page.wait_for_selector(".pick-person")
    page.keyboard.press("ArrowDown")
    assert "pick-person" in str(page.evaluate("document.activeElement.className"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#card:not([hidden])")
    page.keyboard.type("366")  # from a keyboard the reading waits for Enter (it may be an ID)
    page.keyboard.press("Enter")
    assert decision(page, "admit") == "放行"
    assert focused(page) == "ident"
    # Tab to the "next person" button and press Enter.
    for _ in range(6):
        page.keyboard.press("Tab")
        if focused(page) == "next":
            break
    assert focused(page) == "next"
    page.keyboard.press("Enter")
    assert page.is_hidden("#decision") and focused(page) == "ident"
    # The next person: initials, pick, a temperature with a point and Enter.
    page.keyboard.type("s")
    page.wait_for_selector(".pick-person")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#card:not([hidden])")
    assert "单*" in page.inner_text("#person-name")
    page.keyboard.type("36.7")
    page.keyboard.press("Enter")
    assert decision(page, "admit") == "放行"
    assert focused(page) == "ident"
    # Straight on, without 下一位: typing a name starts the next person at once.
    page.keyboard.type("zs")
    page.wait_for_selector("#decision", state="hidden")
    page.wait_for_selector(".pick-person")
    wait_for_js(page, "document.querySelectorAll('#recent li').length === 2")
    assert no_horizontal_scroll(page)
    assert "36.7°" in page.inner_text("#recent li:first-child")  # never cut off
    screenshot(page, "gate-keyboard")
    assert [e.decision for e in events()] == ["admit", "admit"]
    assert [str(e.temperature_c) for e in events()] == ["36.6", "36.7"]


def test_scanner_with_eci_prefix(world: World, page: Any) -> None:
    open_gate(page)
    # Some handheld scanners send the ECI marker as the literal text \000026 before the payload.
    scan(page, "\\000026" + qr_payload(world.pass_))
    assert "张*" in page.inner_text("#person-name")
    type_temperature(page, "366")
    assert decision(page, "admit") == "放行"
    screenshot(page, "gate-eci")
    [event] = events()
    assert (event.identified_by, event.pass_obj_id) == ("qr", world.pass_.pk)


# ---- English, desktop -----------------------------------------------------------------------


def test_english_page(world: World, page: Any) -> None:
    open_gate(page)
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#ident")
    scan(page, qr_payload(world.pass_))
    card_words = ui_words(page)
    assert "Confirm" in page.inner_text("#confirm")
    assert small_targets(page) == [] and no_horizontal_scroll(page)
    assert cut_short(page) == [] and in_viewport(page, "#confirm")
    screenshot(page, "gate-english-card")
    type_temperature(page, "375")
    assert decision(page, "retest") == "Retest"
    assert message(page).startswith("37.5 °C is a fever reading")
    retest_words = ui_words(page)
    page.click("#retest")
    type_temperature(page, "366")
    assert decision(page, "admit") == "Admit"
    assert message(page) == "Pass valid. Retest normal."
    screenshot(page, "gate-english")
    shown = chinese(card_words + retest_words + ui_words(page))
    assert shown == [], f"untranslated words on the English page: {shown}"
    assert [e.decision for e in events()] == ["retest", "admit"]


def test_desktop_layout(world: World, browser: Any, live_server: Any) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    try:
        open_gate(page)
        scan(page, qr_payload(world.pass_))
        assert no_horizontal_scroll(page)
        assert overlapping(page, CARD_PARTS) == []
        screenshot(page, "gate-desktop-card")
        type_temperature(page, "375")
        assert decision(page, "retest") == "请复测"
        screenshot(page, "gate-desktop")
    finally:
        context.close()


def test_the_next_persons_id_typed_on_a_card_or_a_retest_records_nothing_for_this_one(
    world: World, page: Any
) -> None:
    """410102… and 360102… start like 41.0 and 36.0 °C: they must go to the search box."""
    open_gate(page)
    scan(page, qr_payload(world.pass_))
    page.keyboard.type("410102199001011234")
    page.wait_for_selector("#card", state="hidden")
    assert page.input_value("#ident") == "410102199001011234"
    assert events() == []
    # On a retest answer, too: typing is the next person, never the retest reading.
    scan(page, qr_payload(world.pass_))
    type_temperature(page, "380")
    decision(page, "retest")
    page.keyboard.type("360102199001011234")
    page.wait_for_selector("#decision", state="hidden")
    assert page.input_value("#ident") == "360102199001011234"
    assert [e.decision for e in events()] == ["retest"]
