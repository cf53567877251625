"""The gate page's camera in headless Chromium: a fake camera shows a real pass QR and the card opens;
a camera that cannot be opened says so in the page's language."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image

from conftest import CHROMIUM, CHROMIUM_ARGS, World, screenshot
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.passes.services import qr_payload

WIDTH, HEIGHT = 640, 480


def write_y4m(path: Path, text: str, frames: int = 10) -> Path:
    """A few seconds of 640×480 grey video showing the QR for ``text``, for Chromium's fake camera."""
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=6, border=4)  # 4-module white quiet zone
    qr = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    assert qr.width <= HEIGHT, f"QR of {qr.width} px does not fit the frame"
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - qr.width) // 2, (HEIGHT - qr.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def launch(playwright: Any, extra_args: list[str]) -> Iterator[Any]:
    """A Chromium of its own: the session ``browser`` fixture lacks the fake-camera flags."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )
    try:
        yield browser
    finally:
        browser.close()


def new_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.js_errors = []  # uncaught errors in the page, which every test expects to stay empty
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def open_gate(page: Any) -> None:
    log_in(page, "gate")
    page.wait_for_url("**/gate/**")
    page.goto("/gate/lixue-e/")
    page.wait_for_selector("#ident")


@pytest.fixture
def camera_browser(world: World, tmp_path: Path, playwright: Any) -> Iterator[Any]:
    """Chromium whose only camera shows the QR of the world's pass."""
    video = write_y4m(tmp_path / "pass-qr.y4m", qr_payload(world.pass_))
    yield from launch(
        playwright,
        [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )


@pytest.fixture
def plain_browser(playwright: Any) -> Iterator[Any]:
    yield from launch(playwright, [])


@pytest.mark.parametrize("decoder", ["native-or-jsqr", "jsqr"])  # headless Linux has no BarcodeDetector
def test_camera_reads_a_pass_and_opens_the_card(
    world: World, live_server: Any, camera_browser: Any, decoder: str
) -> None:
    page = new_page(camera_browser, live_server)
    if decoder == "jsqr":  # the fallback, whatever this Chromium has
        page.add_init_script("delete window.BarcodeDetector;")
    open_gate(page)
    page.click("#camera-button")
    page.wait_for_selector("#card:not([hidden])", timeout=15_000)
    assert "张*" in page.inner_text("#person-name")
    assert page.locator("#camera").is_hidden()
    assert page.evaluate("document.getElementById('camera-video').srcObject") is None  # tracks stopped
    assert page.locator("#ident-error").is_hidden()
    if decoder == "native-or-jsqr":
        screenshot(page, "gate-camera")
    assert page.js_errors == []
    page.context.close()


def test_close_button_stops_the_camera(world: World, live_server: Any, plain_browser: Any) -> None:
    page = new_page(plain_browser, live_server)
    # A camera that opens but never shows a QR: a blank canvas stream.
    page.add_init_script(
        """navigator.mediaDevices.getUserMedia = () => {
             const c = document.createElement("canvas"); c.width = 320; c.height = 240;
             c.getContext("2d").fillRect(0, 0, 320, 240);
             return Promise.resolve(c.captureStream(10));
           };"""
    )
    open_gate(page)
    page.click("#camera-button")
    page.wait_for_selector("#camera:not([hidden])")
    page.click("#camera-close")
    page.wait_for_selector("#camera", state="hidden")
    assert page.evaluate("document.getElementById('camera-video').srcObject") is None
    assert page.locator("#card").is_hidden()
    assert page.js_errors == []
    page.context.close()


@pytest.mark.parametrize(
    ("language", "stub", "message"),
    [
        (
            "zh",
            "navigator.mediaDevices.getUserMedia = () =>"
            " Promise.reject(new DOMException('denied', 'NotAllowedError'));",
            "无法打开摄像头：请允许使用摄像头，或用扫码枪/手动输入。",
        ),
        (
            "en",
            "Object.defineProperty(navigator, 'mediaDevices', {value: undefined});",  # as on plain http
            "Cannot open the camera: allow camera access, or use a scanner or type the number.",
        ),
    ],
    ids=["zh-denied", "en-no-media-devices"],
)
def test_camera_unavailable_says_so(
    world: World, live_server: Any, plain_browser: Any, language: str, stub: str, message: str
) -> None:
    page = new_page(plain_browser, live_server)
    page.add_init_script(stub)
    open_gate(page)
    if language == "en":
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=en]")
    page.click("#camera-button")
    page.wait_for_selector("#ident-error:not([hidden])")
    assert page.inner_text("#ident-error") == message
    assert page.locator("#camera").is_hidden()
    screenshot(page, f"gate-camera-unavailable-{language}")
    assert page.js_errors == []
    page.context.close()
