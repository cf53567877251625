"""Writing the audit log; called by services inside their transaction (STYLE.md §6)."""

from __future__ import annotations

from typing import Any

from shouwang.core.models import AuditLog
from shouwang.places.models import Community


def log_action(
    action: str,
    *,
    actor: Any,
    community: Community | None = None,
    obj: Any = None,
    **detail: Any,
) -> AuditLog:
    """Record ``action`` (e.g. ``pass.revoke``) by ``actor`` on ``obj`` with JSON-able ``detail``."""
    actor_id = getattr(actor, "pk", None)
    return AuditLog.objects.create(
        actor_id=actor_id,
        community=community,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "",
        detail=detail,
    )
