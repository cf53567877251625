"""Who hears of an alert or a reminder, sent through the configured notifier (``core.notify``).

Runs after commit; a notifier that fails logs and never undoes the record that raised it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model

from shouwang.core.choices import Role
from shouwang.core.notify import Notice, get_notifier
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert

logger = logging.getLogger("shouwang.quarantine")

# The health station acts on fevers; the community worker on breaches and forged passes.
_HEALTH = (AlertKind.FEVER_REFERRAL, AlertKind.FOLLOWUP_FEVER, AlertKind.FOLLOWUP_SYMPTOMS)


def _staff_of(community_id: int, role: str) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(staff__role=role, staff__communities=community_id, is_active=True)
        .order_by("pk")
    )


def alert_recipients(alert: Alert) -> list[Any]:
    """Users to tell: the community's health station for fevers and symptoms; for a quarantine
    breach the worker who follows the person's plan (else the community's workers)."""
    if alert.kind in _HEALTH:
        return _staff_of(alert.community_id, Role.HEALTH_STATION)
    if alert.kind == AlertKind.QUARANTINE_BREACH and alert.resident_id is not None:
        from shouwang.quarantine.choices import IN_FORCE
        from shouwang.quarantine.models import QuarantinePlan

        plan = (
            QuarantinePlan.objects.filter(resident_id=alert.resident_id, status__in=IN_FORCE)
            .select_related("worker")
            .order_by("-last_day")
            .first()
        )
        if plan is not None and plan.worker is not None:
            return [plan.worker]
    return _staff_of(alert.community_id, Role.COMMUNITY_WORKER)


def notify_alert(alert: Alert, text: str) -> int:
    """Send ``text`` (the alert in words, with what to do) to :func:`alert_recipients`; returns
    how many notices were delivered."""
    notifier = get_notifier()
    delivered = 0
    subject = f"[守望] {alert.get_kind_display()}"
    for user in alert_recipients(alert):
        notice = Notice(
            to=user,
            subject=subject,
            body=text,
            kind=f"alert.{alert.kind}",
            data={"alert": alert.pk, "community": alert.community_id, **(alert.detail or {})},
        )
        delivered += bool(notifier.send(notice))
    if not delivered:
        logger.warning("alert %s (%s) reached nobody: %s", alert.pk, alert.kind, text)
    return delivered
