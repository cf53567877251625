"""Registering a visitor on the gate page, end to end: what the worker touches, and how long it
takes them.

    .venv/bin/python bench/outsiders_e2e.py [--rounds 5] [--residents 150]

Loads the demo (``shouwang demo --load-only``) into a temporary SQLite data directory, serves it
with granian (1 worker, 1 thread), logs in as ``gate`` in headless Chromium (360×740, zh-CN) and
opens ``/gate/dongxie-n/``. Each round registers one new visitor and then the same visitor again
(a repeat, as on their next visit), the way a worker does it on a phone:

* new: tap 访客登记; the phone box has the focus: type 11 digits; tap 姓名 and enter the name
  with a pinyin IME (committed as one insert); tap 证件号码 and type 18 characters (the
  sub-district requires a document by default); tap the host box and type the host resident's
  pinyin initials, tap the household in the list; tap a reason chip; tap 3 digits on the
  keypad; tap 确认登记.
* repeat: tap 访客登记; type the 11 digits (the visitor is recognised and the host and reason
  come back); tap 3 digits on the keypad; tap 确认登记 — the one confirmation.

Counted in the page (trusted ``keydown`` and ``pointerdown`` events from the tap on 访客登记 to
the decision), so Playwright's own round trips do not count: ``keys`` are keystrokes and taps;
``fields`` the controls the worker had to aim at (a run of taps on one control, such as the
keypad, is one; the phone box the page focuses itself is none). A name typed with a pinyin IME
costs its pinyin letters plus one key to pick the characters (``王五`` → ``wangwu`` + space = 7),
added to ``keys`` because the insert itself fires no keydown.

The worker's time is modelled with the Keystroke-Level Model (Card, Moran & Newell, *The
Psychology of Human-Computer Interaction*, 1983): K ≈ 0.28 s a keystroke for an average typist,
taken as 0.3 s for a phone keypad with gloves; P ≈ 1.1 s to point at a target, taken as 1.0 s a
field change; and 2.0 s to read the full-screen decision (KLM's mental act M = 1.35 s plus
reading a word and a number). ``worker_s = 0.3 × keys + 1.0 × fields + 2.0``. Targets from the
issue: a new visitor ≤ 30 s, a repeat ≤ 10 s. The measured wall time (tap to decision, machine
speed) is printed beside it.

Ends with ``visitor_new_keys=N visitor_new_s=N visitor_repeat_keys=N visitor_repeat_s=N``. The
server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from gate_e2e import BIN, CHROMIUM, CHROMIUM_ARGS, PASSWORD, ROOT, free_port, shouwang, wait_up

GATE = "dongxie-n"
COMMUNITY = "xdb"
# The model (see the module docstring).
KEY_S = 0.3
FIELD_S = 1.0
READ_DECISION_S = 2.0
TARGET_NEW_S = 30.0
TARGET_REPEAT_S = 10.0

# Installed before the page's scripts: from the tap on 访客登记 to the decision, counts trusted
# key presses and taps and notes which control each tap aimed at.
PROBE = """
(() => {
  const m = { start: null, decision: null, keys: 0, taps: 0, aims: [], open: false };
  window.__visitBench = m;
  window.__visitBenchReset = () => Object.assign(m, { start: null, decision: null, keys: 0, taps: 0,
    aims: [], open: false });
  const control = (el) => {
    const c = el.closest('.keypad, .chips, .suggest, input, select, textarea, button');
    return c ? (c.id || c.className || c.tagName) : '?';
  };
  document.addEventListener('pointerdown', (e) => {
    if (!e.isTrusted) return;
    if (!m.open && e.target.closest('#open-visitor')) { m.open = true; m.start = performance.now(); }
    if (!m.open) return;
    m.taps++;
    const c = control(e.target);
    if (m.aims[m.aims.length - 1] !== c) m.aims.push(c);
  }, true);
  document.addEventListener('keydown', (e) => { if (e.isTrusted && m.open) m.keys++; }, true);
  const watch = () => {
    const decision = document.getElementById('decision');
    new MutationObserver(() => {
      if (m.open && !decision.hidden) {
        m.open = false;
        requestAnimationFrame(() => { m.decision = performance.now(); });
      }
    }).observe(decision, { attributes: true, attributeFilter: ['hidden'] });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
})();
"""


@dataclass(frozen=True)
class Host:
    """A household of the community as the worker finds it: by its resident's pinyin initials."""

    initials: str
    address: str


@dataclass(frozen=True)
class Run:
    """One registration as the page counted it."""

    keys: int
    taps: int
    ime_keys: int
    fields: int
    wall_ms: float
    label: str

    @property
    def all_keys(self) -> int:
        return self.keys + self.taps + self.ime_keys

    @property
    def worker_s(self) -> float:
        return KEY_S * self.all_keys + FIELD_S * self.fields + READ_DECISION_S


def resident_id(seq: int) -> str:
    """A valid 18-digit resident ID (Xicheng 110102, born 1990-01-01), check digit by ISO 7064
    MOD 11-2."""
    base = f"11010219900101{seq:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(base))
    return base + "10X98765432"[total % 11]


def hosts(env: dict[str, str], count: int) -> list[Host]:
    """Households of the community whose resident's initials are unique there."""
    code = (
        "import json, collections, django\n"
        "django.setup()\n"
        "from shouwang.people.models import Resident\n"
        f"rows = list(Resident.objects.filter(community__code='{COMMUNITY}', household__isnull=False)"
        ".values_list('name_initials', 'household__address'))\n"
        "n = collections.Counter(i for i, _ in rows)\n"
        "print(json.dumps([[i, a] for i, a in rows if n[i] == 1 and len(i) >= 2]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "shouwang.settings"},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    rows: list[list[str]] = json.loads(out.stdout)
    if len(rows) < count:
        raise RuntimeError(f"only {len(rows)} households with unique initials in {COMMUNITY}")
    return [Host(i, a) for i, a in rows[:count]]


def measured(page: Any, ime_keys: int, auto_focused: int) -> Run:
    page.wait_for_function("window.__visitBench.decision !== null")
    m: dict[str, Any] = page.evaluate("window.__visitBench")
    return Run(
        keys=int(m["keys"]),
        taps=int(m["taps"]),
        ime_keys=ime_keys,
        fields=len(m["aims"]) - auto_focused,
        wall_ms=float(m["decision"] - m["start"]),
        label=str(page.inner_text("#decision-label")),
    )


def open_sheet(page: Any) -> None:
    page.evaluate("window.__visitBenchReset()")
    if page.is_visible("#decision"):
        page.click("#next")  # leave the last decision (the probe starts at the next tap)
    page.click("#open-visitor")
    page.wait_for_selector("#visitor-sheet:not([hidden])")
    if page.evaluate("document.activeElement.id") != "v-phone":
        raise RuntimeError("the phone box should have the focus when the sheet opens")


def new_visitor(page: Any, phone: str, name: str, pinyin: str, document: str, host: Host) -> Run:
    open_sheet(page)
    page.keyboard.type(phone)  # the focused phone box: no aiming
    page.click("#v-name")
    page.keyboard.insert_text(name)  # the IME commits the characters (keys modelled below)
    page.click("#v-id-number")
    page.keyboard.type(document)
    page.click("#v-host")
    page.keyboard.type(host.initials)
    page.locator("#v-host-list button").filter(has_text=host.address).first.click()
    page.click("#v-reasons .chip >> nth=0")
    for digit in "366":
        page.click(f"#v-keypad button[data-key='{digit}']")
    page.click("#v-submit")
    return measured(page, ime_keys=len(pinyin) + 1, auto_focused=0)


def repeat_visitor(page: Any, phone: str) -> Run:
    open_sheet(page)
    page.keyboard.type(phone)
    page.wait_for_selector("#v-known:not([hidden])")  # recognised: host and reason are back
    for digit in "366":
        page.click(f"#v-keypad button[data-key='{digit}']")
    page.click("#v-submit")
    return measured(page, ime_keys=0, auto_focused=0)


NAMES = [("王五", "wangwu"), ("李四", "lisi"), ("赵六", "zhaoliu"), ("孙七", "sunqi"), ("周八", "zhouba")]


def run(rounds: int, residents: int) -> tuple[list[Run], list[Run]]:
    from playwright.sync_api import sync_playwright

    new_runs: list[Run] = []
    repeat_runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="shouwang-outsiders-e2e-") as tmp:
        env = {**os.environ, "SHOUWANG_DATA_DIR": tmp, "SHOUWANG_DEBUG": "0", "SHOUWANG_LOG_LEVEL": "ERROR"}
        env.pop("DATABASE_URL", None)
        print(f"loading the demo ({residents} residents) into {tmp} …", flush=True)
        shouwang(env, "demo", "--load-only", "--residents", str(residents), "--data-dir", tmp)
        targets = hosts(env, rounds + 1)
        port = free_port()
        server = subprocess.Popen(
            [
                str(BIN / "granian"),
                "--interface",
                "wsgi",
                "--workers",
                "1",
                "--blocking-threads",
                "1",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "error",
                "shouwang.wsgi:application",
            ],
            env={**env, "DJANGO_SETTINGS_MODULE": "shouwang.settings"},
            cwd=ROOT,
        )
        try:
            wait_up(port)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                context = browser.new_context(
                    viewport={"width": 360, "height": 740},
                    locale="zh-CN",
                    base_url=f"http://127.0.0.1:{port}",
                )
                context.add_init_script(PROBE)
                page = context.new_page()
                page.goto("/login/")
                page.fill("input[name=username]", "gate")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                page.goto(f"/gate/{GATE}/")
                page.wait_for_selector("#ident")
                # One warm-up round (not counted): the first requests fill the server's caches.
                for i in range(rounds + 1):
                    name, pinyin = NAMES[i % len(NAMES)]
                    phone = f"1390013{i:04d}"
                    first = new_visitor(page, phone, name, pinyin, resident_id(100 + i), targets[i])
                    again = repeat_visitor(page, phone)
                    if i > 0:
                        new_runs.append(first)
                        repeat_runs.append(again)
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return new_runs, repeat_runs


def describe(name: str, runs: list[Run], target: float) -> tuple[int, float]:
    """Print one kind's figures; return (keys, worker seconds) of its median run."""
    one = sorted(runs, key=lambda r: r.worker_s)[len(runs) // 2]
    walls = [r.wall_ms for r in runs]
    labels = sorted({r.label for r in runs})
    verdict = "ok" if one.worker_s <= target else "OVER"
    print(
        f"{name:8} keys {one.all_keys:3} (keydowns {one.keys}, taps {one.taps}, IME {one.ime_keys})"
        f"  fields {one.fields:2}  worker {one.worker_s:5.1f} s (target ≤ {target:.0f} s: {verdict})"
        f"  wall median {statistics.median(walls):5.0f} ms, max {max(walls):5.0f} ms  decisions {labels}"
    )
    return one.all_keys, one.worker_s


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--residents", type=int, default=150)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit("needs Debian's chromium: apt-get install chromium fonts-wqy-microhei")
    new_runs, repeat_runs = run(args.rounds, args.residents)
    print()
    print(
        f"{len(new_runs)} new and {len(repeat_runs)} repeat visitors at /gate/{GATE}/ (after 1 warm-up round)"
    )
    print(
        f"model: {KEY_S} s a key or tap, {FIELD_S} s a field change, {READ_DECISION_S} s to read the decision"
    )
    new_keys, new_s = describe("new", new_runs, TARGET_NEW_S)
    repeat_keys, repeat_s = describe("repeat", repeat_runs, TARGET_REPEAT_S)
    print(
        f"visitor_new_keys={new_keys} visitor_new_s={new_s:.1f} "
        f"visitor_repeat_keys={repeat_keys} visitor_repeat_s={repeat_s:.1f}"
    )


if __name__ == "__main__":
    main()
