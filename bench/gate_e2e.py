"""The gate page end to end: how many interactions, and how long from the scan to the decision.

    .venv/bin/python bench/gate_e2e.py [--people 30] [--residents 300]

Loads the demo (``shouwang demo --load-only``) into a temporary SQLite data directory, serves it
with granian (1 worker, 1 thread), logs in as ``gate`` in headless Chromium (360×740, zh-CN),
opens ``/gate/dongxie-n/`` and screens ``--people`` residents of 西单北社区 whose passes are valid
(their numbers come from ``GET /api/v1/passes`` with an admin token; the scanner "reads" each
pass's signed QR). Per person: the scanner types the QR and presses Enter, then ``366`` is
tapped on the card's keypad (the three digits confirm by themselves), and the next scan follows straight
on the decision screen (no "next person" tap).

Measured in the page (``performance.now()``), so Playwright's own round trips do not count:

* ``wall``: scanner's Enter → ``#decision`` shown (next animation frame), typing included;
* ``machine``: the same minus the time between the card appearing and the last digit, i.e.
  server + network + render only (the lookup and the screening POST with their renders);
* ``interactions``: trusted ``keydown`` and ``pointerdown`` events from the Enter to the
  decision (the scanner's characters are entered as one paste, so a scan counts as 1).

Prints a table and ends with ``gate_interactions=N gate_decision_ms_median=N
gate_decision_ms_p95=N`` (wall time). Targets: ≤ 3 interactions after the scan; ≤ 300 ms
server + render. The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GATE = "dongxie-n"
COMMUNITY = "xdb"
PASSWORD = "shouwang-demo"  # noqa: S105 - the demo's published password
WARM_UP = 2

# Installed before the page's scripts: marks the scanner's Enter, the card, the last key and the
# decision, and counts the operator's key presses and taps in between.
PROBE = """
(() => {
  const m = { enter: null, card: null, lastKey: null, decision: null, decisionRaf: null,
              keys: 0, taps: 0, open: false };
  window.__gateBench = m;
  window.__gateBenchReset = () => Object.assign(m, { enter: null, card: null, lastKey: null,
    decision: null, decisionRaf: null, keys: 0, taps: 0, open: false });
  document.addEventListener('keydown', (e) => {
    if (!e.isTrusted) return;
    if (e.key === 'Enter' && e.target.id === 'ident' && !m.open) {
      m.open = true; m.enter = performance.now();
    }
    if (m.open) { m.keys++; m.lastKey = performance.now(); }
  }, true);
  document.addEventListener('pointerdown', (e) => {
    if (e.isTrusted && m.open) { m.taps++; m.lastKey = performance.now(); }
  }, true);
  const watch = () => {
    const card = document.getElementById('card');
    const decision = document.getElementById('decision');
    new MutationObserver(() => {
      if (m.open && m.card === null && !card.hidden) m.card = performance.now();
    }).observe(card, { attributes: true, attributeFilter: ['hidden'] });
    new MutationObserver(() => {
      if (m.open && m.decision === null && !decision.hidden) {
        m.decision = performance.now();
        m.open = false;
        requestAnimationFrame(() => { m.decisionRaf = performance.now(); });
      }
    }).observe(decision, { attributes: true, attributeFilter: ['hidden'] });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def shouwang(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "shouwang"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout


def valid_passes(port: int, token: str, count: int) -> list[dict[str, Any]]:
    """Residents' valid passes of the community, as the API lists them."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/passes?community={COMMUNITY}&status=valid&limit=200",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        rows: list[dict[str, Any]] = json.load(response)
    residents = [r for r in rows if r["status"] == "valid" and "居民" in r["type"]]
    if len(residents) < count:
        raise RuntimeError(f"only {len(residents)} valid residents' passes in {COMMUNITY}")
    return residents[:count]


def qr_payloads(env: dict[str, str], passes: list[dict[str, Any]]) -> list[str]:
    """The signed QR text printed on each pass (the data directory holds the signing key)."""
    code = (
        "import datetime as dt, json, sys, django\n"
        "django.setup()\n"
        "from shouwang.passes.signing import sign_pass\n"
        "for p in json.load(sys.stdin):\n"
        "    print(sign_pass(p['number'], p['community'], dt.date.fromisoformat(p['valid_until'])))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(passes),
        env={**env, "DJANGO_SETTINGS_MODULE": "shouwang.settings"},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


def screen_one(page: Any, qr: str) -> dict[str, Any]:
    """Scan ``qr``, type 366, wait for the decision; the page's measurements."""
    page.evaluate("window.__gateBenchReset()")
    page.fill("#ident", qr)  # the scanner's characters (one paste: not counted)
    page.keyboard.press("Enter")  # the scanner's Enter
    page.wait_for_selector("#card:not([hidden])")
    for digit in "366":  # three taps on the keypad; a plausible °C confirms by itself
        page.click(f"#keypad button[data-key='{digit}']")
    page.wait_for_function("window.__gateBench.decisionRaf !== null")
    m: dict[str, Any] = page.evaluate("window.__gateBench")
    m["label"] = page.inner_text("#decision-label")
    m["class"] = page.get_attribute("#decision", "class")
    return m


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(people: int, residents: int) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="shouwang-gate-e2e-") as tmp:
        env = {
            **os.environ,
            "SHOUWANG_DATA_DIR": tmp,
            "SHOUWANG_DEBUG": "0",
            "SHOUWANG_LOG_LEVEL": "ERROR",
        }
        env.pop("DATABASE_URL", None)
        print(f"loading the demo ({residents} residents) into {tmp} …", flush=True)
        shouwang(env, "demo", "--load-only", "--residents", str(residents), "--data-dir", tmp)
        token = shouwang(env, "token", "create", "admin").strip()
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
            passes = valid_passes(port, token, people + WARM_UP)
            payloads = qr_payloads(env, passes)
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
                results = [screen_one(page, qr) for qr in payloads]
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return results[WARM_UP:]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--residents", type=int, default=300)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit("needs Debian's chromium: apt-get install chromium fonts-wqy-microhei")
    results = run(args.people, args.residents)

    wall = [r["decisionRaf"] - r["enter"] for r in results]
    lookup = [r["card"] - r["enter"] for r in results]
    typing = [r["lastKey"] - r["card"] for r in results]
    post = [r["decisionRaf"] - r["lastKey"] for r in results]
    machine = [w - t for w, t in zip(wall, typing, strict=True)]
    interactions = [r["keys"] + r["taps"] for r in results]
    decisions: dict[str, int] = {}
    for r in results:
        decisions[r["label"]] = decisions.get(r["label"], 0) + 1

    print()
    print(f"{len(results)} people at /gate/{GATE}/ (after {WARM_UP} warm-up), 366 typed; ms")
    print(f"{'':34}{'median':>8}{'p95':>8}{'max':>8}")
    rows = [
        ("scan Enter → decision (wall)", wall),
        ("  scan Enter → card (lookup)", lookup),
        ("  card → 3rd digit (typing)", typing),
        ("  3rd digit → decision (POST)", post),
        ("server + render (wall − typing)", machine),
    ]
    for name, values in rows:
        print(f"{name:34}{statistics.median(values):8.0f}{percentile(values, 0.95):8.0f}{max(values):8.0f}")
    counts = sorted(set(interactions))
    print(
        f"{'interactions per person':34}{statistics.median(interactions):8.0f}   (scan Enter 1 + taps 3; seen: {counts})"
    )
    print("decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))
    print(
        f"gate_interactions={round(statistics.median(interactions))} "
        f"gate_decision_ms_median={statistics.median(wall):.0f} gate_decision_ms_p95={percentile(wall, 0.95):.0f}"
    )


if __name__ == "__main__":
    main()
