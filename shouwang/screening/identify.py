"""Finding who is at the gate: from a QR payload, a pass number, an ID number or a resident id.

Reads only. The result, :class:`Found`, holds plain facts (ids, dates, masked words) for
:func:`shouwang.screening.decision.decide` and the event row. A scanned or typed pass — nearly
every screening — is one hand-written query: the ORM's query building cost more than the
database did on this hottest read (see bench/screening.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection

from shouwang.core.errors import InvalidInput, NotFound
from shouwang.passes import signing
from shouwang.passes.models import Pass, PassCheckpoint
from shouwang.people.choices import DocumentType
from shouwang.people.identity import parse_document_type, validate_document
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Community
from shouwang.quarantine.models import QuarantinePlan
from shouwang.screening.choices import IdentifiedBy
from shouwang.screening.decision import Identity, PassFacts
from shouwang.visitors.gate import VisitorAtGate, visitor_at_gate, visitor_at_gate_by_number


@dataclass(frozen=True)
class Identifier:
    """Exactly one way of naming the person: ``qr``, ``pass_number``, ``id_number`` (with
    ``id_type``, default resident ID), or ``resident`` / ``member`` (a person picked from the
    name search by id)."""

    qr: str | None = None
    pass_number: str | None = None
    id_number: str | None = None
    id_type: str = DocumentType.RESIDENT_ID
    resident: int | None = None
    member: int | None = None

    def kind(self) -> IdentifiedBy:
        """Which one was given; raises ``one_identifier`` unless exactly one was."""
        given = [
            kind
            for kind, value in (
                (IdentifiedBy.QR, self.qr),
                (IdentifiedBy.PASS_NUMBER, self.pass_number),
                (IdentifiedBy.ID_NUMBER, self.id_number),
                (IdentifiedBy.RESIDENT, self.resident),
                (IdentifiedBy.RESIDENT, self.member),
            )
            if value not in (None, "")
        ]
        if len(given) != 1:
            raise InvalidInput("one_identifier", field="qr")
        return given[0]


@dataclass(frozen=True)
class Found:
    """Who was found. ``person_key`` links screenings of the same person without clear identity
    (``r:<resident id>``, ``m:<member id>``, or a digest of an unknown QR, number or document).
    ``quarantine_until`` is the resident's last local day of home quarantine, if any."""

    identity: Identity
    identified_by: IdentifiedBy
    pass_id: int | None = None
    pass_facts: PassFacts | None = None
    resident_id: int | None = None
    member_id: int | None = None
    quarantine_until: dt.date | None = None
    person_key: str = ""
    person_masked: str = ""
    community_id: int | None = None  # the community the pass or person belongs to
    visit_id: uuid.UUID | None = None  # a visitor pass: the visit it was issued for


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _masked_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def _as_date(value: Any) -> dt.date | None:
    """SQLite hands dates back as text in raw queries; PostgreSQL as dates."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# The last day of the holder's home quarantine in force (active or extended), if any; released
# and transferred plans no longer hold anyone at the gate.
_QUARANTINE_SQL = "SELECT MAX(q.last_day) FROM {plans} q WHERE q.resident_id = {resident} AND q.status IN ('active', 'extended')"

_HOLDER_SQL = """
SELECT p.id, p.community_id, p.valid_from, p.valid_until, p.revoked_at, p.restricted,
       p.resident_id, p.member_id, r.name, r.id_masked, ({quarantine}), m.name, m.id_masked
FROM {passes} p
LEFT JOIN {residents} r ON r.id = p.resident_id
LEFT JOIN {members} m ON m.id = p.member_id
WHERE {where}
"""


def _pass_query(where: str) -> str:
    return _HOLDER_SQL.format(
        passes=Pass._meta.db_table,
        residents=Resident._meta.db_table,
        members=InstitutionMember._meta.db_table,
        quarantine=_QUARANTINE_SQL.format(plans=QuarantinePlan._meta.db_table, resident="p.resident_id"),
        where=where,
    )


def quarantine_last_day(resident_id: int) -> dt.date | None:
    """The last local day of the resident's home quarantine in force, if any (one query)."""
    sql = _QUARANTINE_SQL.format(plans=QuarantinePlan._meta.db_table, resident="%s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [resident_id])
        row = cursor.fetchone()
    return _as_date(row[0]) if row else None


_BY_NUMBER = _pass_query("p.number = %s")
_BY_ID = _pass_query("p.id = %s")


def _fetch_pass(sql: str, param: int | str, by: IdentifiedBy) -> Found | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, community_id, valid_from, valid_until, revoked_at, restricted = row[:6]
    resident_id, member_id, r_name, r_masked, quarantine, m_name, m_masked = row[6:]
    # Most passes have no checkpoint restriction; the list is read only when one exists.
    allowed = (
        frozenset(PassCheckpoint.objects.filter(pass_obj_id=pk).values_list("checkpoint_id", flat=True))
        if restricted
        else frozenset()
    )
    name, masked = (r_name, r_masked) if resident_id else (m_name, m_masked)
    return Found(
        Identity.PASS,
        by,
        pass_id=pk,
        pass_facts=PassFacts(
            valid_from=_as_date(valid_from) or dt.date.min,
            valid_until=_as_date(valid_until) or dt.date.min,
            revoked=revoked_at is not None,
            community_id=community_id,
            allowed_checkpoints=allowed,
        ),
        resident_id=resident_id,
        member_id=member_id,
        quarantine_until=_as_date(quarantine),
        person_key=f"r:{resident_id}" if resident_id else f"m:{member_id}",
        person_masked=f"{_masked_name(name)} {masked}",
        community_id=community_id,
    )


def _found_person(resident: Resident | None, member: InstitutionMember | None, by: IdentifiedBy) -> Found:
    """A known person: judged by their current pass (a live one if any, else the latest)."""
    holder: Resident | InstitutionMember | None = resident or member
    assert holder is not None
    passes = (
        Pass.objects.filter(resident=resident) if resident is not None else Pass.objects.filter(member=member)
    )
    current = passes.order_by("revoked_at", "-valid_until").values_list("id", "revoked_at")
    # NULL ordering differs between databases; pick the live pass in Python.
    rows = list(current[:20])
    live = [pk for pk, revoked in rows if revoked is None]
    pass_id = live[0] if live else (rows[0][0] if rows else None)
    if pass_id is not None:
        found = _fetch_pass(_BY_ID, pass_id, by)
        if found is not None:
            return found
    return Found(
        Identity.PERSON_WITHOUT_PASS,
        by,
        resident_id=resident.pk if resident else None,
        member_id=member.pk if member else None,
        quarantine_until=quarantine_last_day(resident.pk) if resident else None,
        person_key=f"r:{resident.pk}" if resident else f"m:{holder.pk}",
        person_masked=f"{holder.masked_name} {holder.id_masked}",
        community_id=holder.community_id,
    )


def _found_visitor(visitor: VisitorAtGate, by: IdentifiedBy) -> Found:
    """A visitor pass: judged as a one-day pass of its community (no resident, no quarantine)."""
    return Found(
        visitor.identity,
        by,
        pass_facts=visitor.pass_facts,
        person_key=visitor.person_key,
        person_masked=visitor.person_masked,
        community_id=visitor.community_id,
        visit_id=visitor.visit_id,
    )


def identify(ident: Identifier, community: Community) -> Found:
    """Identify the person at a gate of ``community``.

    Raises :class:`InvalidInput` for a malformed ID number or a typed pass number that does not
    exist (nothing is recorded), and
    :class:`NotFound` for a resident id outside the community.
    """
    by = ident.kind()
    if by == IdentifiedBy.QR:
        assert ident.qr is not None
        visitor = visitor_at_gate(ident.qr)
        if visitor is not None:
            return _found_visitor(visitor, by)
        try:
            claim = signing.verify_pass(ident.qr)
        except signing.NotAPass:
            return Found(Identity.NOT_A_PASS, by, person_key=f"q:{_digest(signing.strip_eci(ident.qr))}")
        except signing.ForgedPass:
            return Found(Identity.FORGED, by, person_key=f"q:{_digest(signing.strip_eci(ident.qr))}")
        found = _fetch_pass(_BY_NUMBER, claim.number, by)
        return found or Found(Identity.UNKNOWN, by, person_key=f"n:{_digest(claim.number)}")
    if by == IdentifiedBy.PASS_NUMBER:
        assert ident.pass_number is not None
        number = unicodedata.normalize("NFKC", ident.pass_number).strip().upper()
        visitor = visitor_at_gate_by_number(number)
        if visitor is not None and visitor.identity == Identity.PASS:
            return _found_visitor(visitor, by)
        found = _fetch_pass(_BY_NUMBER, number, by)
        if found is None:
            # A typed number is checked and retyped, not a stranger to register.
            raise InvalidInput("pass_number_unknown", field="pass_number", number=number[:32])
        return found
    if by == IdentifiedBy.ID_NUMBER:
        assert ident.id_number is not None
        doc = validate_document(ident.id_number, parse_document_type(ident.id_type))
        key = doc.hash
        resident = Resident.objects.filter(community=community, id_hash=key).first()
        member = None
        if resident is None:
            member = InstitutionMember.objects.filter(community=community, id_hash=key).first()
        if resident is None and member is None:
            # A resident of another community: their own pass decides (other community).
            resident = Resident.objects.filter(id_hash=key).first()
        if resident is None and member is None:
            return Found(Identity.UNKNOWN, by, person_key=f"i:{key[:32]}", person_masked=doc.masked)
        return _found_person(resident, member, by)
    if ident.member is not None:
        picked = InstitutionMember.objects.filter(community=community, pk=ident.member).first()
        if picked is None:
            raise NotFound("resident_unknown", field="member", id=ident.member)
        return _found_person(None, picked, by)
    resident = Resident.objects.filter(community=community, pk=ident.resident or 0).first()
    if resident is None:
        raise NotFound("resident_unknown", field="resident", id=ident.resident)
    return _found_person(resident, None, by)
