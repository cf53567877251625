"""Reminders and alerts go out through the configured notifier and never break the sender.

E-mail uses Django's locmem backend (pytest-django's ``mailoutbox``); the webhook a tiny HTTP
server on 127.0.0.1 in a thread.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from shouwang.core.errors import InvalidInput
from shouwang.core.notify import (
    EmailNotifier,
    FanOutNotifier,
    LogNotifier,
    Notice,
    WebhookNotifier,
    get_notifier,
)


def a_user(email: str = "li.worker@example.org") -> Any:
    # Unsaved: the notifiers only read the username and e-mail, so no database is needed.
    return get_user_model()(username="li", email=email)


def a_notice(to: Any = None, **overrides: Any) -> Notice:
    fields: dict[str, Any] = {
        "to": a_user() if to is None else to,
        "subject": "[守望] 今日随访提醒",
        "body": "王五 居家观察第 3 天，请今日随访。",
        "kind": "reminder.follow_up",
        "data": {"plan": 7, "day": 3},
    }
    fields.update(overrides)
    return Notice(**fields)


# -- log ------------------------------------------------------------------------------------------


def test_log_notifier_writes_one_structured_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="shouwang.notify"):
        assert LogNotifier().send(a_notice()) is True
    [record] = [r for r in caplog.records if r.name == "shouwang.notify"]
    assert record.levelno == logging.INFO
    line = record.getMessage()
    assert line.startswith("notice reminder.follow_up to=li {")
    payload = json.loads(line.split(" ", 3)[3])
    assert payload == {
        "kind": "reminder.follow_up",
        "subject": "[守望] 今日随访提醒",
        "body": "王五 居家观察第 3 天，请今日随访。",
        "to": ["li.worker@example.org"],
        "user": "li",
        "data": {"plan": 7, "day": 3},
    }
    assert record.notice_kind == "reminder.follow_up"  # type: ignore[attr-defined]


def test_data_that_json_cannot_encode_is_written_as_text(caplog: pytest.LogCaptureFixture) -> None:
    import datetime as dt

    with caplog.at_level(logging.INFO, logger="shouwang.notify"):
        assert LogNotifier().send(a_notice(data={"until": dt.date(2020, 2, 28)}))
    assert '"until": "2020-02-28"' in caplog.text


# -- e-mail ---------------------------------------------------------------------------------------


def test_email_goes_to_the_users_address(mailoutbox: list[Any]) -> None:
    assert EmailNotifier().send(a_notice()) is True
    [mail] = mailoutbox
    assert mail.to == ["li.worker@example.org"]
    assert mail.subject == "[守望] 今日随访提醒"
    assert "请今日随访" in mail.body


def test_email_to_free_addresses(mailoutbox: list[Any]) -> None:
    assert EmailNotifier().send(a_notice(to=["a@example.org", "b@example.org"]))
    assert mailoutbox[0].to == ["a@example.org", "b@example.org"]
    assert EmailNotifier().send(a_notice(to="c@example.org"))
    assert mailoutbox[1].to == ["c@example.org"]


def test_a_user_without_email_is_skipped_with_a_warning(
    mailoutbox: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="shouwang.notify"):
        assert EmailNotifier().send(a_notice(to=a_user(email=""))) is False
    assert mailoutbox == []
    assert "to=li not e-mailed: no e-mail address" in caplog.text


def test_a_failing_mail_server_is_logged_not_raised(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2
    with caplog.at_level(logging.WARNING, logger="shouwang.notify"):
        assert EmailNotifier().send(a_notice()) is False
    assert "e-mail failed" in caplog.text


# -- webhook --------------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]]
    status = 204

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    """``(url, handler class)``: a local HTTP server that records each POST; set ``status`` to answer."""
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 204})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/shouwang", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_webhook_posts_the_notice_as_json(receiver: tuple[str, type[_Receiver]]) -> None:
    url, handler = receiver
    assert WebhookNotifier(url).send(a_notice()) is True
    [(path, headers, body)] = handler.received
    assert path == "/hooks/shouwang"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    payload = json.loads(body.decode("utf-8"))
    assert payload["kind"] == "reminder.follow_up"
    assert payload["body"] == "王五 居家观察第 3 天，请今日随访。"
    assert payload["to"] == ["li.worker@example.org"]
    assert payload["user"] == "li"
    assert payload["data"] == {"plan": 7, "day": 3}


def test_webhook_error_status_is_not_delivered(
    receiver: tuple[str, type[_Receiver]], caplog: pytest.LogCaptureFixture
) -> None:
    url, handler = receiver
    handler.status = 500
    with caplog.at_level(logging.WARNING, logger="shouwang.notify"):
        assert WebhookNotifier(url).send(a_notice()) is False
    assert "webhook" in caplog.text and "500" in caplog.text


def test_webhook_to_a_closed_port_returns_false_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{closed_port()}/hook"
    with caplog.at_level(logging.WARNING, logger="shouwang.notify"):
        assert WebhookNotifier(url, timeout=2).send(a_notice()) is False
    [record] = [r for r in caplog.records if r.name == "shouwang.notify"]
    assert record.levelno == logging.WARNING
    assert url in record.getMessage()


def test_webhook_timeout_is_five_seconds() -> None:
    assert WebhookNotifier("https://hooks.example.org/x").timeout == 5.0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "https://", "example.org"])
def test_webhook_refuses_urls_that_are_not_http(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        WebhookNotifier(url)
    assert caught.value.code == "notifier_unknown"


# -- fan-out and configuration --------------------------------------------------------------------


def test_fan_out_sends_through_each_and_survives_one_that_raises(
    mailoutbox: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def send(self, notice: Notice) -> bool:
            raise RuntimeError("boom")

    fan_out = FanOutNotifier([Broken(), LogNotifier(), EmailNotifier()])
    with caplog.at_level(logging.INFO, logger="shouwang.notify"):
        assert fan_out.send(a_notice()) is True
    assert len(mailoutbox) == 1
    assert "notice reminder.follow_up to=li" in caplog.text
    assert "raised" in caplog.text


def test_fan_out_is_delivered_only_if_one_delivered(mailoutbox: list[Any]) -> None:
    fan_out = FanOutNotifier([EmailNotifier(), WebhookNotifier(f"http://127.0.0.1:{closed_port()}/")])
    assert fan_out.send(a_notice(to=a_user(email=""))) is False


def test_get_notifier_forms() -> None:
    assert isinstance(get_notifier("log"), LogNotifier)
    assert isinstance(get_notifier(" EMAIL "), EmailNotifier)
    webhook = get_notifier("webhook:https://hooks.example.org/shouwang?x=1")
    assert isinstance(webhook, WebhookNotifier)
    assert webhook.url == "https://hooks.example.org/shouwang?x=1"
    fan_out = get_notifier("log, email,webhook:http://127.0.0.1:9/x")
    assert isinstance(fan_out, FanOutNotifier)
    assert [type(n) for n in fan_out.notifiers] == [LogNotifier, EmailNotifier, WebhookNotifier]


def test_get_notifier_reads_settings_with_log_as_default(settings: Any) -> None:
    settings.SHOUWANG_NOTIFIER = "email"
    assert isinstance(get_notifier(), EmailNotifier)
    del settings.SHOUWANG_NOTIFIER
    assert isinstance(get_notifier(), LogNotifier)


@pytest.mark.parametrize("spec", ["sms", "", ",", "webhook:", "webhook", "log:x", "email,pager"])
def test_an_unknown_spec_is_refused(spec: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        get_notifier(spec)
    assert caught.value.code == "notifier_unknown"
    assert caught.value.field == "SHOUWANG_NOTIFIER"
    assert caught.value.params == {"spec": spec}
