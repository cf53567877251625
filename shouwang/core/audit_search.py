"""Searching the audit log: the data-protection officer's reads (issue 8, DESIGN.md §2).

Who may search: the data-protection officer and the sub-district admin, over their whole
sub-district (records of its communities, and records without a community written by its
staff); a bare superuser over everything. Filters combine with AND. Dates are local calendar
dates in the sub-district's zone (an entry at 00:30 belongs to that day).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from shouwang.core.access import AUDIT_READERS, require_role
from shouwang.core.audit import READ, REVEAL
from shouwang.core.errors import InvalidInput
from shouwang.core.models import AuditLog
from shouwang.places.models import Community

PAGE_SIZE = 50
EXPORT_MAX = 50_000
# What the action filter offers besides an exact action code.
ACTION_GROUPS: dict[str, str] = {
    "read": READ,
    "reveal": REVEAL,
    "export": "*.export",
}


@dataclass(frozen=True)
class AuditQuery:
    """The search: ``id_number`` (+ ``id_type``) is hashed with the keyed ID hash, never stored;
    ``resident`` a resident id; ``staff`` a username; ``action`` a group (``read``, ``reveal``,
    ``export``) or an exact code (``quarantine.extend``); dates local and inclusive;
    ``community`` a code."""

    id_number: str = ""
    id_type: str = "resident_id"
    resident: int | None = None
    staff: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    community: str = ""

    def is_empty(self) -> bool:
        return not any(
            (
                self.id_number,
                self.resident,
                self.staff,
                self.action,
                self.date_from,
                self.date_to,
                self.community,
            )
        )

    def as_params(self) -> dict[str, str]:
        """The query as URL parameters (for the page's links and the export), blanks left out."""
        raw = {
            "id_number": self.id_number,
            "id_type": self.id_type if self.id_number else "",
            "resident": str(self.resident or ""),
            "staff": self.staff,
            "action": self.action,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "community": self.community,
        }
        return {k: v for k, v in raw.items() if v}


@dataclass
class AuditSearch:
    """One page of results, newest first: ``rows`` of :class:`AuditRow`, ``total``, ``page``
    (1-based), ``pages``; ``notices`` as :func:`filtered` gives them."""

    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AuditRow:
    """One audit record as the officer reads it; ``at`` in the sub-district's local time."""

    id: int
    at: dt.datetime
    actor: str
    actor_role: str
    community: str
    action: str
    object_type: str
    object_id: str
    person_type: str
    person_id: str
    person: str
    why: str
    note: str
    via: str
    detail: dict[str, Any]


def _zone(user: Any) -> zoneinfo.ZoneInfo:
    staff = getattr(user, "staff", None)
    name = staff.subdistrict.timezone if staff is not None else "Asia/Shanghai"
    return zoneinfo.ZoneInfo(name)


def scoped_log(user: Any) -> QuerySet[AuditLog]:
    """Audit records ``user`` may search; raises :class:`Forbidden` for other roles."""
    require_role(user, *AUDIT_READERS)
    staff = getattr(user, "staff", None)
    rows = AuditLog.objects.all()
    if staff is None:
        return rows
    sid = staff.subdistrict_id
    return rows.filter(
        Q(community__subdistrict_id=sid) | Q(community__isnull=True, actor__staff__subdistrict_id=sid)
    )


def _person_filter(user: Any, query: AuditQuery, notices: list[str]) -> Q | None:
    """Records about the person named by ID number or resident id (None: no person filter)."""
    from shouwang.people.identity import validate_document
    from shouwang.people.models import InstitutionMember, Resident
    from shouwang.visitors.models import Visitor

    found = Q()
    if query.resident:
        found |= Q(person_type="Resident", person_id=str(query.resident))
    if query.id_number:
        doc = validate_document(query.id_number[:64], query.id_type or "resident_id")
        staff = getattr(user, "staff", None)
        within: dict[str, Any] = {"community__subdistrict_id": staff.subdistrict_id} if staff else {}
        people = 0
        for model in (Resident, InstitutionMember, Visitor):
            ids = [
                str(pk)
                for pk in model.objects.filter(id_hash=doc.hash, **within).values_list("pk", flat=True)
            ]
            if ids:
                people += len(ids)
                found |= Q(person_type=model.__name__, person_id__in=ids)
        if not people:
            notices.append(f"audit_person_unknown:{doc.masked}")
            # Nobody with that number: nothing can be about them.
            return Q(pk__in=[])
    return found if (query.resident or query.id_number) else None


def filtered(user: Any, query: AuditQuery) -> tuple[QuerySet[AuditLog], list[str]]:
    """The scoped records matching ``query``, newest first, and notices (codes with a colon and
    their parameter) to show above the results. Raises :class:`InvalidInput` for a bad ID
    number, an unknown community or user, or ``date_to`` before ``date_from``."""
    from django.contrib.auth import get_user_model

    notices: list[str] = []
    rows = scoped_log(user)
    person = _person_filter(user, query, notices)
    if person is not None:
        rows = rows.filter(person)
    if query.staff:
        who = get_user_model().objects.filter(username=query.staff.strip()[:150]).first()
        if who is None:
            raise InvalidInput("user_unknown", field="staff", username=query.staff[:40])
        rows = rows.filter(actor=who)
    if query.action:
        code = ACTION_GROUPS.get(query.action, query.action.strip()[:64])
        rows = rows.filter(action__endswith=".export") if code == "*.export" else rows.filter(action=code)
    if query.community:
        community = Community.objects.filter(code=query.community.strip()[:40]).first()
        if community is None:
            raise InvalidInput("community_unknown", field="community", name=query.community[:40])
        rows = rows.filter(community=community)
    zone = _zone(user)
    if query.date_from and query.date_to and query.date_to < query.date_from:
        raise InvalidInput("date_range_backwards", field="date_to")
    if query.date_from:
        rows = rows.filter(at__gte=dt.datetime.combine(query.date_from, dt.time(), tzinfo=zone))
    if query.date_to:
        end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        rows = rows.filter(at__lt=end)
    return rows.order_by("-at", "-pk"), notices


def _rows(user: Any, records: list[AuditLog]) -> list[AuditRow]:
    """Records as rows, with masked names of the people they are about (two queries at most)."""
    from shouwang.people.models import Resident
    from shouwang.visitors.models import Visitor

    zone = _zone(user)
    names: dict[tuple[str, str], str] = {}
    for model in (Resident, Visitor):
        ids = [int(r.person_id) for r in records if r.person_type == model.__name__ and r.person_id.isdigit()]
        if ids:
            for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name"):
                names[(model.__name__, str(pk))] = (
                    (name[:1] + "*" * min(max(len(name) - 1, 1), 2)) if name else ""
                )
    out = []
    for r in records:
        staff = getattr(r.actor, "staff", None) if r.actor is not None else None
        detail = r.detail if isinstance(r.detail, dict) else {}
        out.append(
            AuditRow(
                id=r.pk,
                at=r.at.astimezone(zone),
                actor=(staff.display_name if staff else (r.actor.username if r.actor else "—")),
                actor_role=str(staff.get_role_display()) if staff else "",
                community=r.community.name if r.community else "",
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                person_type=r.person_type,
                person_id=r.person_id,
                person=names.get((r.person_type, r.person_id), ""),
                why=str(detail.get("why", "")),
                note=str(detail.get("note", "")),
                via=str(detail.get("via", "")),
                detail=detail,
            )
        )
    return out


def search_audit(user: Any, query: AuditQuery, *, page: int = 1, page_size: int = PAGE_SIZE) -> AuditSearch:
    """One page (1-based, clamped) of the records matching ``query``; a fixed number of queries
    whatever the page size. Raises as :func:`filtered`."""
    rows, notices = filtered(user, query)
    total = rows.count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    records = list(rows.select_related("actor", "actor__staff", "community")[start : start + page_size])
    return AuditSearch(rows=_rows(user, records), total=total, page=page, pages=pages, notices=notices)


def export_rows(user: Any, query: AuditQuery) -> list[AuditRow]:
    """Every matching record (at most :data:`EXPORT_MAX`, newest first) for an export."""
    rows, _ = filtered(user, query)
    records = list(rows.select_related("actor", "actor__staff", "community")[:EXPORT_MAX])
    return _rows(user, records)


def subdistrict_communities(user: Any) -> list[Community]:
    """The communities the officer may filter by (their sub-district's)."""
    staff = getattr(user, "staff", None)
    rows = Community.objects.order_by("subdistrict_id", "code")
    return list(rows.filter(subdistrict_id=staff.subdistrict_id) if staff else rows)
