"""Finding who is at the gate: from a QR payload, a pass number, an ID number or a resident id.

Reads only. The result feeds :func:`shouwang.screening.decision.decide`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.db.models import F, Q

from shouwang.core.errors import InvalidInput, NotFound
from shouwang.passes import signing
from shouwang.passes.models import Pass
from shouwang.people.choices import DocumentType
from shouwang.people.identity import validate_document
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Community
from shouwang.screening.choices import IdentifiedBy
from shouwang.screening.decision import Identity, PassFacts


@dataclass(frozen=True)
class Identifier:
    """Exactly one way of naming the person: ``qr``, ``pass_number``, ``id_number`` (with
    ``id_type``, default resident ID) or ``resident`` (a resident's id)."""

    qr: str | None = None
    pass_number: str | None = None
    id_number: str | None = None
    id_type: str = DocumentType.RESIDENT_ID
    resident: int | None = None

    def kind(self) -> IdentifiedBy:
        """Which one was given; raises ``one_identifier`` unless exactly one was."""
        given = [
            kind
            for kind, value in (
                (IdentifiedBy.QR, self.qr),
                (IdentifiedBy.PASS_NUMBER, self.pass_number),
                (IdentifiedBy.ID_NUMBER, self.id_number),
                (IdentifiedBy.RESIDENT, self.resident),
            )
            if value not in (None, "")
        ]
        if len(given) != 1:
            raise InvalidInput("one_identifier", field="qr")
        return given[0]


@dataclass(frozen=True)
class Found:
    """Who was found. ``person_key`` links screenings of the same person, without clear identity."""

    identity: Identity
    identified_by: IdentifiedBy
    pass_obj: Pass | None = None
    resident: Resident | None = None
    member: InstitutionMember | None = None
    person_key: str = ""
    person_masked: str = ""
    allowed_checkpoints: frozenset[int] = frozenset()

    def pass_facts(self) -> PassFacts | None:
        p = self.pass_obj
        if p is None:
            return None
        return PassFacts(
            valid_from=p.valid_from,
            valid_until=p.valid_until,
            revoked=p.revoked_at is not None,
            community_id=p.community_id,
            allowed_checkpoints=self.allowed_checkpoints,
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _load_pass(**filters: object) -> Pass | None:
    return Pass.objects.select_related("resident", "member", "pass_type").filter(**filters).first()


def _found_pass(p: Pass, by: IdentifiedBy) -> Found:
    holder = p.holder
    # Most passes have no checkpoint restriction; the list is read only when one exists.
    allowed = frozenset(p.checkpoints.values_list("id", flat=True)) if p.restricted else frozenset()
    return Found(
        Identity.PASS,
        by,
        pass_obj=p,
        resident=p.resident,
        member=p.member,
        person_key=f"r:{p.resident_id}" if p.resident_id else f"m:{p.member_id}",
        person_masked=f"{holder.masked_name} {holder.id_masked}",
        allowed_checkpoints=allowed,
    )


def _current_pass(
    *, resident: Resident | None = None, member: InstitutionMember | None = None
) -> Pass | None:
    """The holder's pass to judge: a live one if any, else the most recent."""
    holder = Q(resident=resident) if resident is not None else Q(member=member)
    return (
        Pass.objects.select_related("resident", "member", "pass_type")
        .filter(holder)
        .order_by(F("revoked_at").asc(nulls_first=True), "-valid_until")
        .first()
    )


def _found_person(resident: Resident | None, member: InstitutionMember | None, by: IdentifiedBy) -> Found:
    current = _current_pass(resident=resident, member=member)
    if current is not None:
        return _found_pass(current, by)
    holder = resident or member
    assert holder is not None
    return Found(
        Identity.PERSON_WITHOUT_PASS,
        by,
        resident=resident,
        member=member,
        person_key=f"r:{resident.pk}" if resident else f"m:{holder.pk}",
        person_masked=f"{holder.masked_name} {holder.id_masked}",
    )


def identify(ident: Identifier, community: Community) -> Found:
    """Identify the person at a gate of ``community``.

    Raises :class:`InvalidInput` for a malformed ID number (nothing is recorded) and
    :class:`NotFound` for a resident id outside the community.
    """
    by = ident.kind()
    if by == IdentifiedBy.QR:
        assert ident.qr is not None
        try:
            claim = signing.verify_pass(ident.qr)
        except signing.NotAPass:
            return Found(Identity.NOT_A_PASS, by, person_key=f"q:{_digest(signing.strip_eci(ident.qr))}")
        except signing.ForgedPass:
            return Found(Identity.FORGED, by, person_key=f"q:{_digest(signing.strip_eci(ident.qr))}")
        p = _load_pass(number=claim.number)
        if p is None:
            return Found(Identity.UNKNOWN, by, person_key=f"q:{_digest(claim.number)}")
        return _found_pass(p, by)
    if by == IdentifiedBy.PASS_NUMBER:
        assert ident.pass_number is not None
        number = unicodedata.normalize("NFKC", ident.pass_number).strip().upper()
        p = _load_pass(number=number)
        if p is None:
            return Found(Identity.UNKNOWN, by, person_key=f"n:{_digest(number)}")
        return _found_pass(p, by)
    if by == IdentifiedBy.ID_NUMBER:
        assert ident.id_number is not None
        doc = validate_document(ident.id_number, ident.id_type)
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
    resident = Resident.objects.filter(community=community, pk=ident.resident or 0).first()
    if resident is None:
        raise NotFound("resident_unknown", field="resident", id=ident.resident)
    return _found_person(resident, None, by)
