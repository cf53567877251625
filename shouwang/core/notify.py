"""Pluggable notifier for reminders and alerts: a log line, an e-mail, a webhook, or several.

Chosen by ``settings.SHOUWANG_NOTIFIER`` (default ``"log"``); see :func:`get_notifier`. A notice
that cannot be delivered is logged and reported as ``False``, never raised: a reminder must not
break the command or the request that sends it (and alerts are sent on commit, after the record
that raised them is saved).
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail

from shouwang.core.errors import InvalidInput

logger = logging.getLogger("shouwang.notify")

WEBHOOK_TIMEOUT = 5.0  # seconds; a slow receiver must not hold up a reminder run


@dataclass(frozen=True)
class Notice:
    """One message: ``to`` a user (their e-mail is used) or free addresses; ``kind`` a stable
    code such as ``alert.quarantine_breach`` or ``reminder.follow_up``; ``data`` JSON-able details
    for machines (ids, dates), sent as-is by the webhook."""

    to: AbstractBaseUser | str | Sequence[str]
    subject: str
    body: str
    kind: str = "notice"
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> AbstractBaseUser | None:
        return self.to if isinstance(self.to, AbstractBaseUser) else None

    def addresses(self) -> list[str]:
        """E-mail addresses to deliver to: the user's (``[]`` when they have none), or the free ones."""
        if isinstance(self.to, AbstractBaseUser):
            email = getattr(self.to, self.to.get_email_field_name(), "") or ""
            return [email] if email else []
        if isinstance(self.to, str):
            return [self.to] if self.to.strip() else []
        return [a for a in self.to if a.strip()]

    def recipient(self) -> str:
        """Who, for logs: the username, or the addresses joined by commas."""
        user = self.user
        return user.get_username() if user is not None else ",".join(self.addresses())

    def as_json(self) -> dict[str, Any]:
        """``{"kind", "subject", "body", "to": [addresses], "user": username | None, "data"}``."""
        user = self.user
        return {
            "kind": self.kind,
            "subject": self.subject,
            "body": self.body,
            "to": self.addresses(),
            "user": user.get_username() if user is not None else None,
            "data": self.data,
        }


class Notifier(Protocol):
    def send(self, notice: Notice) -> bool:
        """Deliver ``notice``; ``True`` when it went out. Never raises for a delivery failure."""
        ...


def _dumps(payload: Any) -> str:
    # default=str: a date or a UUID in ``data`` must not turn a reminder into a crash.
    return json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True)


class LogNotifier:
    """One INFO line on logger ``shouwang.notify``: ``notice <kind> to=<who> <json>``.

    The default: nothing to configure, and the log is where an operator looks first.
    """

    def send(self, notice: Notice) -> bool:
        logger.info(
            "notice %s to=%s %s",
            notice.kind,
            notice.recipient(),
            _dumps(notice.as_json()),
            extra={"notice_kind": notice.kind, "notice_to": notice.recipient()},
        )
        return True


class EmailNotifier:
    """``django.core.mail.send_mail`` from ``DEFAULT_FROM_EMAIL`` to the notice's addresses.

    A user without an e-mail address is skipped with a warning (``False``), as is a mail server
    that refuses or cannot be reached.
    """

    def send(self, notice: Notice) -> bool:
        addresses = notice.addresses()
        if not addresses:
            logger.warning("notice %s to=%s not e-mailed: no e-mail address", notice.kind, notice.recipient())
            return False
        try:
            sent = send_mail(notice.subject, notice.body, None, addresses, fail_silently=False)
        except Exception:  # SMTP, socket and backend errors alike; see the module docstring
            logger.exception("notice %s to=%s: e-mail failed", notice.kind, notice.recipient())
            return False
        return sent > 0


class WebhookNotifier:
    """POST the notice as JSON (:meth:`Notice.as_json`, UTF-8) to ``url``; 2xx means delivered.

    Timeout :data:`WEBHOOK_TIMEOUT` seconds; connection errors, timeouts and non-2xx answers are
    logged as warnings and return ``False``.
    """

    def __init__(self, url: str, *, timeout: float = WEBHOOK_TIMEOUT) -> None:
        parts = urllib.parse.urlsplit(url)
        # Only http(s): urllib would also open file:// and ftp:// URLs from a mistyped setting.
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput("notifier_unknown", field="SHOUWANG_NOTIFIER", spec=f"webhook:{url}")
        self.url = url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"WebhookNotifier({self.url!r})"

    def send(self, notice: Notice) -> bool:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=_dumps(notice.as_json()).encode(),
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "shouwang-notify"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked in __init__  # nosec B310
                status = int(response.status)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # OSError covers URLError, HTTPError (non-2xx), refused connections and timeouts.
            logger.warning(
                "notice %s to=%s: webhook %s failed: %s", notice.kind, notice.recipient(), self.url, exc
            )
            return False
        if not 200 <= status < 300:
            logger.warning("notice %s: webhook %s answered %s", notice.kind, self.url, status)
            return False
        return True


class FanOutNotifier:
    """Send through each notifier in turn; delivered when at least one delivered.

    A notifier that raises (a third-party one, say) is logged and the others still run.
    """

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self.notifiers = list(notifiers)

    def send(self, notice: Notice) -> bool:
        delivered = False
        for notifier in self.notifiers:
            try:
                delivered = notifier.send(notice) or delivered
            except Exception:
                logger.exception("notice %s: notifier %r raised", notice.kind, notifier)
        return delivered


def _one(spec: str, whole: str) -> Notifier:
    name, _, argument = spec.partition(":")
    name = name.strip().lower()
    if name == "log" and not argument:
        return LogNotifier()
    if name == "email" and not argument:
        return EmailNotifier()
    if name == "webhook" and argument.strip():
        return WebhookNotifier(argument.strip())
    raise InvalidInput("notifier_unknown", field="SHOUWANG_NOTIFIER", spec=whole)


def get_notifier(spec: str | None = None) -> Notifier:
    """The notifier for ``spec``, or for ``settings.SHOUWANG_NOTIFIER`` (default ``"log"``).

    Forms: ``"log"``, ``"email"``, ``"webhook:https://host/path"``, and several joined by commas
    (``"log,email"``) for a :class:`FanOutNotifier`; a comma inside a webhook URL must be written
    ``%2C``. Raises :class:`InvalidInput`
    ``notifier_unknown`` for anything else, including a webhook URL that is not http(s).
    """
    whole = spec if spec is not None else getattr(settings, "SHOUWANG_NOTIFIER", "log")
    parts = [part.strip() for part in (whole or "").split(",") if part.strip()]
    if not parts:
        raise InvalidInput("notifier_unknown", field="SHOUWANG_NOTIFIER", spec=whole)
    notifiers = [_one(part, whole) for part in parts]
    return notifiers[0] if len(notifiers) == 1 else FanOutNotifier(notifiers)
