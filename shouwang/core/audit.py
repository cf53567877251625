"""Writing the audit log; called by services inside their transaction (STYLE.md §6).

Three kinds of record matter to the data-protection officer (DESIGN.md §4, issue 8):

- changes, written by the service that makes them (``pass.revoke``, ``quarantine.extend``…);
- reads of one person's record by a person (:func:`log_read`, action ``person.read``) and
  reveals of a masked value (``person.reveal``, written by :mod:`shouwang.core.reveal`);
- exports (``*.export``), written by the export service.

Each is one INSERT with no extra reads: the person is taken from the object's own columns.
Lists of masked rows (today's visits, the worklist, search answers) are not per-person reads
and are not audited row by row; the gate's identification of a person is its
``ScreeningEvent``.
"""

from __future__ import annotations

from typing import Any

from shouwang.core.models import AuditLog
from shouwang.places.models import Community

# Models whose rows are people; anything else names its person by a ``resident_id`` or
# ``visitor_id`` column.
PERSON_MODELS = frozenset({"Resident", "Visitor", "InstitutionMember", "Delivery"})

READ = "person.read"
REVEAL = "person.reveal"


def person_of(obj: Any) -> tuple[str, str]:
    """``(person_type, person_id)`` of the person ``obj`` is about, or ``("", "")``; no query."""
    if obj is None:
        return "", ""
    name = type(obj).__name__
    if name in PERSON_MODELS:
        return name, str(obj.pk)
    resident_id = getattr(obj, "resident_id", None)
    if resident_id is not None:
        return "Resident", str(resident_id)
    visitor_id = getattr(obj, "visitor_id", None)
    if visitor_id is not None:
        return "Visitor", str(visitor_id)
    return "", ""


def log_action(
    action: str,
    *,
    actor: Any,
    community: Community | None = None,
    obj: Any = None,
    **detail: Any,
) -> AuditLog:
    """Record ``action`` (e.g. ``pass.revoke``) by ``actor`` on ``obj`` with JSON-able ``detail``;
    the person the object is about is recorded too (see :func:`person_of`)."""
    actor_id = getattr(actor, "pk", None)
    person_type, person_id = person_of(obj)
    return AuditLog.objects.create(
        actor_id=actor_id,
        community=community,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "",
        person_type=person_type,
        person_id=person_id,
        detail=detail,
    )


def log_read(obj: Any, *, actor: Any, via: str, why: str = "view", **detail: Any) -> AuditLog:
    """Record that ``actor`` opened the record ``obj`` of one person (a plan page, an incident
    with a resident, a visitor looked up), ``via`` ``page`` or ``api``; ``why`` is ``view``
    unless a reason was given. ``obj`` must carry ``community_id``; one INSERT."""
    person_type, person_id = person_of(obj)
    return AuditLog.objects.create(
        actor_id=getattr(actor, "pk", None),
        community_id=getattr(obj, "community_id", None),
        action=READ,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        person_type=person_type,
        person_id=person_id,
        detail={"via": via, "why": why, **detail},
    )


def log_person_read(
    person_type: str,
    person_id: Any,
    *,
    community_id: int,
    actor: Any,
    via: str,
    why: str = "view",
    **detail: Any,
) -> AuditLog:
    """:func:`log_read` for a read that holds only the person's type and id (a look-up answer
    built from a selector's dataclass); one INSERT."""
    return AuditLog.objects.create(
        actor_id=getattr(actor, "pk", None),
        community_id=community_id,
        action=READ,
        object_type=person_type,
        object_id=str(person_id),
        person_type=person_type,
        person_id=str(person_id),
        detail={"via": via, "why": why, **detail},
    )
