"""The pages speak zh-Hans by default and complete English when the user picks it.

Every UI string goes through Django i18n with an English msgid; the zh-Hans catalogue
(``shouwang/locale/zh_Hans``) must be complete, and the compiled ``.mo`` files must match it.
"""

from __future__ import annotations

import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from conftest import World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.passes.services import qr_payload

LOCALE = Path(settings.BASE_DIR) / "shouwang" / "locale"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Two or more Latin letters in a row: an English word left on a Chinese page.
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# The language switch names the *other* language in that language's own words.
SWITCH_TO_EN, SWITCH_TO_ZH = "EN", "中文"


class _VisibleText(HTMLParser):
    """What a user sees or hears: text outside <script>/<style>, and the attributes shown or read out."""

    SPOKEN = ("placeholder", "aria-label", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)
        if tag == "input":
            kind = dict(attrs).get("type")
            value = dict(attrs).get("value")
            if kind in ("submit", "button") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def gate_config(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="gate-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the gate page carries its config as json_script"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def strings_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [value] if isinstance(value, str) else []


def without(text: str, *data: str) -> str:
    """The text with data (names of places and people, the language switch) taken out."""
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    return text


def assert_all_chinese(text: str, *data: str) -> None:
    left = LATIN_WORD.findall(without(text, *data, SWITCH_TO_EN))
    assert not left, f"English words left on a Chinese page: {left}\n{text}"


def assert_all_english(text: str, *data: str) -> None:
    left = CJK.findall(without(text, *data, SWITCH_TO_ZH))
    assert not left, f"Chinese characters left on an English page: {''.join(left)}\n{text}"


def place_names(world: World) -> list[str]:
    gates = [world.gate_a, world.gate_a2, world.gate_b]
    communities = [world.community_a, world.community_b]
    return [
        *(g.name for g in gates),
        *(g.code for g in gates),
        *(g.hours_label() for g in gates),
        *(c.name for c in communities),
        world.subdistrict.name,
    ]


@pytest.fixture
def gate_client(world: World) -> Client:
    client = Client()
    client.force_login(world.gate_user)
    return client


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# ---- the gate page ------------------------------------------------------------------------------


def test_gate_page_is_chinese_by_default(world: World, gate_client: Client) -> None:
    response = gate_client.get("/gate/lixue-e/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    text = visible_text(html)
    for word in ("确认", "下一位", "进", "出", "口罩 ✓", "复测", "扫码", "换卡口", "今日", "最近 10 条"):
        assert word in text
    assert "扫码 · 证号 · 姓名" in text
    assert_all_chinese(text, *place_names(world), "°C")
    assert re.search(r'id="lang-switch"[^>]*>EN<', html)

    config = gate_config(html)
    assert config["lang"] == "zh-hans"
    words = config["text"]
    assert (words["until"], words["quarantine"]) == ("有效期至", "居家隔离至")
    assert (words["retest_in"], words["retest_now"]) == ("复测倒计时", "请现在复测")
    assert words["no_pass"] == "未办理出入证"
    assert (words["in"], words["out"]) == ("进", "出")
    assert config["decisions"]["admit"] == "放行"
    for value in strings_in(words) + strings_in(config["decisions"]):
        assert CJK.search(value) and not LATIN_WORD.search(value), value


def assert_gate_page_english(world: World, html: str) -> None:
    assert '<html lang="en">' in html
    text = visible_text(html)
    for word in ("Confirm", "Next person", "In", "Out", "Mask ✓", "Retest", "Camera", "Change gate"):
        assert word in text
    assert "Last 10" in text
    assert "确认" not in html and "下一位" not in html
    assert_all_english(text, *place_names(world))
    assert re.search(r'id="lang-switch"[^>]*>中文<', html)

    config = gate_config(html)
    assert config["lang"] == "en"
    assert config["text"]["until"] == "until"
    assert config["decisions"]["admit"] == "Admit"
    for value in strings_in(config["text"]) + strings_in(config["decisions"]):
        assert not CJK.search(value), value


def test_gate_page_in_english_by_cookie(world: World, gate_client: Client) -> None:
    html = english(gate_client).get("/gate/lixue-e/").content.decode()
    assert_gate_page_english(world, html)


def test_language_switch_posts_to_setlang_and_back(world: World, gate_client: Client) -> None:
    response = gate_client.post("/i18n/setlang/", {"language": "en", "next": "/gate/lixue-e/"})
    assert response.status_code == 302 and response["Location"] == "/gate/lixue-e/"
    assert gate_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert_gate_page_english(world, gate_client.get("/gate/lixue-e/").content.decode())

    gate_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/gate/lixue-e/"})
    html = gate_client.get("/gate/lixue-e/").content.decode()
    assert "确认" in html and "Confirm" not in visible_text(html)


def test_gate_picker_in_both_languages(world: World, gate_client: Client) -> None:
    zh = gate_client.get("/gate/?pick=1").content.decode()
    assert "<h1>选择卡口</h1>" in zh
    assert_all_chinese(visible_text(zh), *place_names(world), world.gate_user.username)
    en = english(gate_client).get("/gate/?pick=1").content.decode()
    assert "<h1>Choose your checkpoint</h1>" in en
    assert_all_english(visible_text(en), *place_names(world))


# ---- log-in and home ----------------------------------------------------------------------------


def test_login_page_in_chinese(world: World) -> None:
    client = Client()
    html = client.get("/login/").content.decode()
    text = visible_text(html)
    assert "<h1>登录</h1>" in html
    assert "用户名" in text and "密码" in text
    assert 'name="username"' in html and 'name="password"' in html
    assert re.search(r'id="lang-switch"[^>]*>EN<', html)
    assert_all_chinese(text)

    wrong = client.post("/login/", {"username": "gate", "password": "wrong"}).content.decode()
    alert = re.search(r'role="alert">([^<]*)<', wrong)
    assert alert and alert.group(1).startswith("用户名或密码错误")
    assert_all_chinese(visible_text(wrong), "gate")


def test_login_page_in_english(world: World) -> None:
    client = english(Client())
    html = client.get("/login/").content.decode()
    text = visible_text(html)
    assert "<h1>Log in</h1>" in html
    assert "Username" in text and "Password" in text
    assert re.search(r'id="lang-switch"[^>]*>中文<', html)
    assert_all_english(text)

    wrong = client.post("/login/", {"username": "gate", "password": "wrong"}).content.decode()
    alert = re.search(r'role="alert">([^<]*)<', wrong)
    assert alert and alert.group(1) == "Wrong username or password; try again."
    assert_all_english(visible_text(wrong))


def test_home_page_in_both_languages(world: World) -> None:
    client = Client()
    world.admin.staff.display_name = "王主任"
    world.admin.staff.save()
    client.force_login(world.admin)
    zh = client.get("/").content.decode()
    zh_text = visible_text(zh)
    assert "今日概况" in zh_text and "卡口" in zh_text and "居民 1 人" in zh_text
    assert "退出" in zh_text and "接口文档" in zh_text
    assert_all_chinese(zh_text, *place_names(world))

    en = english(client).get("/").content.decode()
    en_text = visible_text(en)
    assert "Today's overview" in en_text and "Checkpoint" in en_text and "1 resident" in en_text
    assert "Log out" in en_text and "API docs" in en_text
    assert_all_english(en_text, *place_names(world), "王主任")


def test_home_page_when_assigned_nowhere(world: World) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("nobody")
    client = Client()
    client.force_login(user)
    assert "您尚未被分配到任何社区" in client.get("/").content.decode()
    assert "You are not assigned to any community" in english(client).get("/").content.decode()


# ---- the catalogues -----------------------------------------------------------------------------


def read_po(path: Path) -> list[dict[str, Any]]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags."""
    entries: list[dict[str, Any]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, Any] = {"flags": [], "msgstr": []}
        key = ""
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] += [f.strip() for f in line[2:].split(",")]
                continue
            if line.startswith("#") or not line:
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                key = match.group(1)
                value = json.loads(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[key] = value
            elif key.startswith("msgstr"):
                entry["msgstr"][-1] += json.loads(line)
            else:
                entry[key] += json.loads(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_catalogue_compiled_and_clean(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert po.exists() and mo.exists()
    entries = [e for e in read_po(po) if e["msgid"]]
    assert len(entries) >= 40
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        if lang == "en":
            assert not any(e["msgstr"]), f"the English catalogue keeps the English source: {e['msgid']}"
            continue
        assert e["msgstr"] and all(e["msgstr"]), f"untranslated: {e['msgid']!r}"
        assert all(CJK.search(s) for s in e["msgstr"]), e["msgid"]
        # The .mo was compiled from this .po: same words for the same msgid.
        if "msgid_plural" in e:
            got = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
        elif "msgctxt" in e:
            got = compiled.pgettext(e["msgctxt"], e["msgid"])
        else:
            got = compiled.gettext(e["msgid"])
        assert got == e["msgstr"][0], f".mo is stale for {e['msgid']!r}: run compilemessages"


def test_zh_hans_header_is_not_fuzzy() -> None:
    text = (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    assert '"Language: zh_Hans\\n"' in text


# ---- in the browser: English pages on a 360×740 phone ----------------------------------------------


def assert_fits_phone(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"


def switch_to_english(page: Any) -> None:
    page.goto("/login/")
    page.click("#lang-switch")
    page.wait_for_selector("#lang-switch:text('中文')")


def test_login_and_home_in_english_in_browser(world: World, page: Any) -> None:
    switch_to_english(page)
    assert page.inner_text("h1") == "Log in"
    assert_fits_phone(page)
    screenshot(page, "login-en")
    log_in(page, "admin", "wrong-password")
    assert page.locator("[role=alert]").inner_text().startswith("Wrong username or password")
    screenshot(page, "login-wrong-password-en")
    log_in(page, "admin")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("Today's overview")
    assert_all_english(page.inner_text("body"), *place_names(world))
    assert_fits_phone(page)
    screenshot(page, "home-admin-en")


def test_home_fits_phone_in_chinese(world: World, page: Any) -> None:
    log_in(page, "worker")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("今日概况")
    assert_all_chinese(page.inner_text("body"), *place_names(world), "worker")
    assert_fits_phone(page)
    screenshot(page, "home-worker")


def test_gate_page_in_english_in_browser(world: World, page: Any) -> None:
    switch_to_english(page)
    log_in(page, "gate")
    page.wait_for_url("**/gate/**")
    page.goto("/gate/?pick=1")
    assert page.inner_text("h1") == "Choose your checkpoint"
    assert_fits_phone(page)
    screenshot(page, "gate-pick-en")
    page.goto("/gate/lixue-e/")
    page.wait_for_selector("#ident")
    assert_fits_phone(page)
    screenshot(page, "gate-empty-en")
    page.fill("#ident", qr_payload(world.pass_))
    page.press("#ident", "Enter")
    page.wait_for_selector("#card:not([hidden])")
    assert "valid (until 2099-12-31)" in page.inner_text("#pass-line")
    assert page.inner_text("#confirm") == "Confirm"
    person = [page.inner_text(s) for s in ("#person-name", "#person-where")]
    assert_all_english(page.inner_text("body"), *place_names(world), *person, world.pass_type_a.name)
    assert_fits_phone(page)
    screenshot(page, "gate-card-en")
    page.keyboard.type("366")
    page.keyboard.press("Enter")  # from a keyboard the reading waits for Enter
    page.wait_for_selector("#decision:not([hidden])")
    assert page.inner_text("#decision-label") == "Admit"
    page.wait_for_selector("#recent li")
    assert "In" in page.inner_text("#recent li").split()
    assert_all_english(page.inner_text("body"), *place_names(world), *person, world.pass_type_a.name)
    assert_fits_phone(page)
    screenshot(page, "gate-admit-en")


def test_gate_page_in_chinese_in_browser(world: World, page: Any) -> None:
    log_in(page, "gate")
    page.wait_for_url("**/gate/**")
    page.goto("/gate/lixue-e/")
    page.wait_for_selector("#ident")
    screenshot(page, "gate-empty")
    page.fill("#ident", qr_payload(world.pass_))
    page.press("#ident", "Enter")
    page.wait_for_selector("#card:not([hidden])")
    assert "有效 (有效期至 2099-12-31)" in page.inner_text("#pass-line")
    assert page.inner_text("#confirm") == "确认"
    assert page.inner_text("#dir-in") == "进" and page.inner_text("#dir-out") == "出"
    page.click("#mask")
    assert page.inner_text("#mask") == "口罩 ✗"
    page.click("#mask")
    assert_fits_phone(page)
    page.keyboard.type("366")
    page.keyboard.press("Enter")
    page.wait_for_selector("#decision:not([hidden])")
    page.wait_for_selector("#recent li")
    assert "进" in page.inner_text("#recent li").split()
    assert page.inner_text("#next") == "下一位"
    assert_fits_phone(page)
