"""Reads of the visitors app: recognising a returning visitor (with the form's prefill), finding
a host, invitations, and the day's visits and deliveries per gate.

Every read is scoped to one community or to the user's communities (``community_ids_for``);
another community's visit is ``visit_unknown`` exactly like a missing one. Dates are the
community's local dates; instants are UTC.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Replace

from shouwang.core.access import community_ids_for
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.passes import signing
from shouwang.people.models import Household, Institution, Resident
from shouwang.people.names import name_keys
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.choices import Decision
from shouwang.visitors import passes
from shouwang.visitors.choices import HostKind, InvitationStatus
from shouwang.visitors.gate import looks_like_visitor_pass_number, normalise_number
from shouwang.visitors.models import Delivery, Invitation, Visit, Visitor
from shouwang.visitors.services import CODE_ALPHABET, CODE_LENGTH, check_document, clean_phone, last_visit

# ---- a returning visitor ------------------------------------------------------------------


@dataclass(frozen=True)
class HostRef:
    """A host as the form holds it: kind, id and the address or name shown."""

    kind: str
    id: int
    label: str


@dataclass(frozen=True)
class VisitorPrefill:
    """What the gate's form shows for a known visitor, masked (the visitor is there to confirm):
    the last visit's host and reason, its local date, how many visits, and whether a visit of
    theirs is still open (on site, or left without a scan)."""

    id: int
    masked_name: str
    masked_phone: str
    id_type: str
    id_masked: str
    host: HostRef | None
    reason: str
    last_visit_on: dt.date | None
    visits: int
    on_site: bool


def prefill_for(visitor: Visitor) -> VisitorPrefill:
    """The prefill of a known visitor (three queries)."""
    last = last_visit(visitor)
    host = None
    if last is not None and (last.household_id or last.institution_id):
        host = HostRef(last.host_kind, last.household_id or last.institution_id or 0, last.host_label)
    counts = Visit.objects.filter(visitor=visitor).aggregate(
        n=Count("pk"), open=Count("pk", filter=Q(decision=Decision.ADMIT, out_at__isnull=True))
    )
    return VisitorPrefill(
        id=visitor.pk,
        masked_name=visitor.masked_name,
        masked_phone=visitor.masked_phone,
        id_type=visitor.id_type,
        id_masked=visitor.id_masked,
        host=host,
        reason=last.reason if last else "",
        last_visit_on=last.local_date if last else None,
        visits=counts["n"],
        on_site=bool(counts["open"]),
    )


def find_visitor(
    community: Community, *, phone: str = "", document: str = "", id_type: str = ""
) -> VisitorPrefill | None:
    """A known visitor of ``community`` by phone (any spelling: ``138 0013 8000``,
    ``+86 13800138000``, full-width) or by document (validated by type), with the prefill; None
    for someone new. By phone, the most recently seen visitor with that number. Raises
    ``visitor_lookup_one`` unless exactly one is given, ``phone_invalid``, ``id_*``,
    ``document_format_*``."""
    if bool((phone or "").strip()) == bool((document or "").strip()):
        raise InvalidInput("visitor_lookup_one", field="phone")
    visitors = Visitor.objects.filter(community=community)
    if (document or "").strip():
        doc = check_document(document, id_type or "")
        visitor = visitors.filter(id_hash=doc.hash).first()
    else:
        visitor = visitors.filter(phone=clean_phone(phone, required=True)).order_by("-updated_at").first()
    return prefill_for(visitor) if visitor is not None else None


# ---- hosts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostHit:
    """One row of the host pick-list. ``label`` is the address or name, ``detail`` why it
    matched (e.g. a masked resident's name) or the institution's kind."""

    kind: str
    id: int
    label: str
    detail: str


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9]+|[a-z]+")


def _clean_query(q: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", q).lower() if not ch.isspace() and ch.isprintable()
    )


def _all_parts(parts: list[str]) -> Q:
    """Every part somewhere in ``flat``; a number only as a whole number (``3`` is not ``13``)."""
    match = Q()
    for part in parts:
        if part.isdigit():
            match &= Q(flat__regex=rf"(^|[^0-9]){part}([^0-9]|$)")
        else:
            match &= Q(flat__contains=part)
    return match


def search_hosts(community: Community, q: str, *, limit: int = 10) -> list[HostHit]:
    """Households and institutions of ``community`` a visitor may name.

    Latin letters match the pinyin (initials or full, from the start) of a resident's name — 张三
    by ``zs`` finds 力学胡同 3 号 — and of an institution's name; Chinese and digits match an
    address, a resident's name or an institution's name, each run of Han characters or digits
    anywhere and numbers whole, spaces ignored (``力学3号`` finds ``力学胡同 3 号``, not 13 号). Households first, at most
    ``limit`` of each kind. Three queries.
    """
    text = _clean_query(q)[:40]
    if not text:
        return []
    hits: list[HostHit] = []
    if text.isascii() and text.isalpha():
        residents = (
            Resident.objects.filter(
                Q(name_initials__startswith=text) | Q(name_pinyin__startswith=text),
                community=community,
                household__isnull=False,
            )
            .select_related("household")
            .order_by("household__address", "pk")[: limit * 3]
        )
        seen: set[int] = set()
        for r in residents:
            assert r.household is not None
            if r.household_id in seen:
                continue
            seen.add(r.household.pk)
            hits.append(HostHit(HostKind.HOUSEHOLD, r.household.pk, r.household.address, r.masked_name))
        hits = hits[:limit]
        # Institutions are few per community: their names' pinyin is worked out here.
        found = 0
        for inst in Institution.objects.filter(community=community).order_by("name"):
            pinyin, initials = name_keys(inst.name)
            if pinyin.startswith(text) or initials.startswith(text):
                hits.append(HostHit(HostKind.INSTITUTION, inst.pk, inst.name, inst.get_kind_display()))
                found += 1
                if found >= limit:
                    break
        return hits
    parts = _HAN.findall(text) or [text]
    address = _all_parts(parts)
    households = (
        Household.objects.filter(community=community)
        .annotate(flat=Replace("address", Value(" "), Value("")))
        .filter(address | Q(members__name__contains=text))
        .distinct()
        .order_by("address", "pk")[:limit]
    )
    hits = [HostHit(HostKind.HOUSEHOLD, h.pk, h.address, "") for h in households]
    name = _all_parts(parts)
    institutions = (
        Institution.objects.filter(community=community)
        .annotate(flat=Replace("name", Value(" "), Value("")))
        .filter(name | Q(address__contains=text))
        .order_by("name", "pk")[:limit]
    )
    hits += [HostHit(HostKind.INSTITUTION, i.pk, i.name, i.get_kind_display()) for i in institutions]
    return hits


# ---- visits -------------------------------------------------------------------------------

_VISIT_RELATED = ("community", "visitor", "checkpoint", "out_checkpoint", "invitation")


def get_visit(user: Any, visit_id: uuid.UUID | str) -> Visit:
    """A visit in the user's communities; ``visit_unknown`` otherwise, the same for another
    community's visit as for none."""
    try:
        pk = uuid.UUID(str(visit_id))
    except ValueError:
        raise NotFound("visit_unknown", field="visit") from None
    visit = (
        Visit.objects.filter(pk=pk, community_id__in=community_ids_for(user))
        .select_related(*_VISIT_RELATED)
        .first()
    )
    if visit is None:
        raise NotFound("visit_unknown", field="visit")
    return visit


def visit_by_pass(
    community: Community, *, qr: str = "", pass_number: str = "", leaving: bool = False
) -> Visit:
    """The admitted visit a visitor pass (scanned QR or typed number) names in ``community`` —
    or, when the visitor is ``leaving``, in any community of its sub-district (a visitor may
    leave through an adjoining community's gate). Raises ``visit_pass_one``,
    ``visitor_pass_forged``, ``visitor_pass_unknown`` (not ours, another community's — another
    sub-district's when leaving — or no such visit)."""
    if bool((qr or "").strip()) == bool((pass_number or "").strip()):
        raise InvalidInput("visit_pass_one", field="qr")
    if qr.strip():
        try:
            number = passes.verify_claim(passes.VISITOR_PREFIX, qr).ref
        except signing.NotAPass:
            raise NotFound("visitor_pass_unknown", field="qr") from None
        except signing.ForgedPass:
            raise InvalidInput("visitor_pass_forged", field="qr") from None
        field = "qr"
    else:
        number, field = normalise_number(pass_number), "pass_number"
        if not looks_like_visitor_pass_number(number):
            raise NotFound("visitor_pass_unknown", field=field)
    where = Q(community__subdistrict_id=community.subdistrict_id) if leaving else Q(community=community)
    visit = Visit.objects.filter(where, pass_number=number).select_related(*_VISIT_RELATED).first()
    if visit is None:
        raise NotFound("visitor_pass_unknown", field=field)
    return visit


def visit_left_at(checkpoint: Checkpoint, visit_id: uuid.UUID | str) -> Visit:
    """A visit of the checkpoint's sub-district as its exit there shows it (the gate of an
    adjoining community records a visitor leaving; the gate's staff may not otherwise read the
    other community's visits). Raises ``visit_unknown``."""
    visit = (
        Visit.objects.filter(pk=visit_id, community__subdistrict_id=checkpoint.community.subdistrict_id)
        .select_related(*_VISIT_RELATED)
        .first()
    )
    if visit is None:
        raise NotFound("visit_unknown", field="visit")
    return visit


def visits_query(
    community_ids: frozenset[int] | set[int],
    *,
    day: dt.date | None = None,
    checkpoint: Checkpoint | None = None,
    on_site: bool = False,
) -> QuerySet[Visit]:
    """Visits of the given communities, newest first: of local ``day`` (entered that day),
    at ``checkpoint`` (entered there), or ``on_site`` (admitted and not seen leaving, any day)."""
    visits = Visit.objects.filter(community_id__in=community_ids)
    if day is not None:
        visits = visits.filter(local_date=day)
    if checkpoint is not None:
        visits = visits.filter(checkpoint=checkpoint)
    if on_site:
        visits = visits.filter(decision=Decision.ADMIT, out_at__isnull=True)
    return visits.select_related(*_VISIT_RELATED).order_by("-in_at", "pk")


def list_visits(
    user: Any,
    *,
    community: Community | None = None,
    day: dt.date | None = None,
    checkpoint: Checkpoint | None = None,
    on_site: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[Visit]:
    """Visits the user may see (see :func:`visits_query`). One query."""
    ids = community_ids_for(user)
    if community is not None:
        ids = ids & {community.pk}
    rows = visits_query(ids, day=day, checkpoint=checkpoint, on_site=on_site)
    return list(rows[offset : offset + limit])


def visits_on_site(community: Community) -> list[Visit]:
    """Visitors of ``community`` inside now as far as the gates know: admitted, no exit yet."""
    return list(visits_query({community.pk}, on_site=True))


def deliveries_query(
    community_ids: frozenset[int] | set[int],
    *,
    day: dt.date | None = None,
    checkpoint: Checkpoint | None = None,
) -> QuerySet[Delivery]:
    rows = Delivery.objects.filter(community_id__in=community_ids)
    if day is not None:
        rows = rows.filter(local_date=day)
    if checkpoint is not None:
        rows = rows.filter(checkpoint=checkpoint)
    return rows.select_related("community", "checkpoint", "household").order_by("-occurred_at", "pk")


def list_deliveries(
    user: Any,
    *,
    community: Community | None = None,
    day: dt.date | None = None,
    checkpoint: Checkpoint | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Delivery]:
    """Deliveries the user may see, newest first. One query."""
    ids = community_ids_for(user)
    if community is not None:
        ids = ids & {community.pk}
    return list(deliveries_query(ids, day=day, checkpoint=checkpoint)[offset : offset + limit])


def _by_decision(rows: QuerySet[Any]) -> dict[str, int]:
    counts = {d: 0 for d in Decision.values if d != Decision.REGISTER}
    for decision, n in rows.values_list("decision").annotate(n=Count("pk")).values_list("decision", "n"):
        counts[decision] = n
    return counts


def gate_day(checkpoint: Checkpoint, day: dt.date) -> dict[str, Any]:
    """Outsiders at one gate on a local date, visits and deliveries apart: attempts by decision
    (a retest and its answer are two attempts), people admitted (visits with a pass), exits
    through this gate, invitations used, and deliveries by handoff. Five queries."""
    visits = Visit.objects.filter(checkpoint=checkpoint, local_date=day)
    deliveries = Delivery.objects.filter(checkpoint=checkpoint, local_date=day)
    day_start = dt.datetime.combine(day, dt.time(), tzinfo=checkpoint.community.tz)
    handoffs = dict(deliveries.values_list("handoff").annotate(n=Count("pk")).values_list("handoff", "n"))
    return {
        "checkpoint": checkpoint.code,
        "date": day.isoformat(),
        "visits": {
            "by_decision": _by_decision(visits),
            "admitted": visits.filter(decision=Decision.ADMIT).count(),
            "invited": visits.filter(decision=Decision.ADMIT, invitation__isnull=False).count(),
            # Exits of that local day, whenever the visit began (an overnight stay leaves the next day).
            "exits": Visit.objects.filter(
                out_checkpoint=checkpoint,
                exit_inferred=False,
                out_at__gte=day_start,
                out_at__lt=day_start + dt.timedelta(days=1),
            ).count(),
        },
        "deliveries": {
            "by_decision": _by_decision(deliveries),
            "gate": handoffs.get("gate", 0),
            "entered": handoffs.get("entered", 0),
        },
    }


# ---- invitations --------------------------------------------------------------------------

_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def find_invitation(community: Community, text: str) -> Invitation:
    """The invitation of ``community`` named by its QR or its typed code (case, spaces and
    full-width characters forgiven). Raises ``invitation_forged`` and ``invitation_unknown``
    (another community's alike)."""
    raw = (text or "").strip()
    if passes.kind_of(raw) == passes.INVITATION_PREFIX:
        try:
            code = passes.verify_claim(passes.INVITATION_PREFIX, raw).ref
        except signing.NotAPass:
            raise NotFound("invitation_unknown", field="invitation", code=raw[:12]) from None
        except signing.ForgedPass:
            raise InvalidInput("invitation_forged", field="invitation") from None
    else:
        code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw)).upper()
    invitation = None
    if _CODE.fullmatch(code):
        invitation = (
            Invitation.objects.filter(community=community, code=code)
            .select_related("community", "visitor", "on_behalf_of")
            .first()
        )
    if invitation is None:
        raise NotFound("invitation_unknown", field="invitation", code=code[:12])
    return invitation


def list_invitations(
    user: Any,
    *,
    community: Community | None = None,
    day: dt.date | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Invitation]:
    """Invitations the user may see, by visit date then creation; ``status`` ``open`` or
    ``used`` (anything else raises ``status_unknown``). One query."""
    if status and status not in InvitationStatus.values:
        raise InvalidInput(
            "status_unknown", field="status", raw=status[:20], known=", ".join(InvitationStatus.values)
        )
    ids = community_ids_for(user)
    if community is not None:
        ids = ids & {community.pk}
    rows = Invitation.objects.filter(community_id__in=ids)
    if day is not None:
        rows = rows.filter(visit_date=day)
    if status:
        rows = rows.filter(status=status)
    return list(
        rows.select_related("community", "visitor", "on_behalf_of", "invited_by__staff").order_by(
            "visit_date", "created_at"
        )[offset : offset + limit]
    )


# ---- for the worker pages ------------------------------------------------------------------


def get_invitation(user: Any, invitation_id: uuid.UUID | str) -> Invitation:
    """An invitation in the user's communities; ``invitation_unknown`` otherwise (also for a
    malformed id), the same for another community's invitation as for none."""
    try:
        pk = uuid.UUID(str(invitation_id))
    except ValueError:
        raise NotFound("invitation_unknown", field="invitation", code="") from None
    invitation = (
        Invitation.objects.filter(pk=pk, community_id__in=community_ids_for(user))
        .select_related("community", "visitor", "on_behalf_of", "invited_by__staff")
        .first()
    )
    if invitation is None:
        raise NotFound("invitation_unknown", field="invitation", code="")
    return invitation


def upcoming_invitations(user: Any, *, since: dt.date, limit: int = 200) -> list[Invitation]:
    """Invitations the user may see for local ``since`` or later (open and used), soonest
    first, then by creation. One query."""
    return list(
        Invitation.objects.filter(community_id__in=community_ids_for(user), visit_date__gte=since)
        .select_related("community", "visitor", "on_behalf_of", "invited_by__staff")
        .order_by("visit_date", "created_at")[:limit]
    )


def user_gates(user: Any) -> list[Checkpoint]:
    """The active checkpoints of the user's communities, by community then code. One query."""
    return list(
        Checkpoint.objects.filter(community_id__in=community_ids_for(user), active=True)
        .select_related("community")
        .order_by("community__name", "code")
    )


def user_communities(user: Any) -> list[Community]:
    """The user's communities by name (for a form's choice). One query."""
    return list(
        Community.objects.filter(pk__in=community_ids_for(user))
        .select_related("subdistrict")
        .order_by("name")
    )
