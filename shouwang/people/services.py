"""Writes of the people app: registering and updating residents and institution members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.db import transaction

from shouwang.core.audit import log_action
from shouwang.core.errors import InvalidInput
from shouwang.people.identity import Document, parse_document_type, validate_document
from shouwang.people.models import Household, Institution, InstitutionMember, Resident
from shouwang.people.names import name_keys
from shouwang.places.models import Community


def normalise_phone(raw: str) -> str:
    """A mainland phone in E.164 (``+8613800138000``); blank stays blank.

    ``138 0013 8000``, ``+86 13800138000`` and full-width digits all normalise alike.
    Raises :class:`InvalidInput` (``phone_invalid``) with the reason.
    """
    import unicodedata

    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("phone_invalid", field="phone", raw=text[:30]) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("phone_invalid", field="phone", raw=text[:30])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Zero-width characters pasted from chat apps would make 张三丰 and 张\u200b三丰 two people.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_MIDDLE_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", "‧": "·", "∙": "·", "⋅": "·"})


def clean_name(raw: str) -> str:
    """A person's name with surrounding and doubled spaces removed and the middle dot of
    Uyghur and foreign names (买买提·艾力) unified; raises ``name_invalid``.

    A name may not start with ``= + - @`` (it would run as a formula in a later spreadsheet
    export), nor hold control or direction-override characters or markup (``< > { } [ ] \\ | ;``):
    none is in a real name, and each breaks an export or a page.
    """
    import unicodedata

    name = " ".join(unicodedata.normalize("NFC", raw or "").translate(_INVISIBLE).split()).translate(
        _MIDDLE_DOTS
    )
    shown = clean_text(raw or "", 30)
    if (
        not name
        or len(name) > 100
        or not any(ch.isalpha() for ch in name)
        or name[0] in "=+-@"
        or any(unicodedata.category(ch) in ("Cc", "Cf") or ch in _NOT_IN_NAMES for ch in name)
    ):
        raise InvalidInput("name_invalid", field="name", raw=shown)
    return name


_NOT_IN_NAMES = frozenset("<>{}[]\\|;")


def clean_text(raw: str, max_length: int) -> str:
    """Free text (an address, a reason, companions) on one line: control and format characters
    (NUL, backspace, direction overrides, zero-width) dropped — spreadsheets and PostgreSQL refuse
    some, pages show others wrongly — runs of spaces joined, cut to ``max_length`` characters."""
    import unicodedata

    kept = "".join(" " if ch in "\t\r\n" else ch for ch in raw or "")
    kept = "".join(ch for ch in kept if unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(unicodedata.normalize("NFC", kept).split())[:max_length]


@dataclass(frozen=True)
class ResidentIn:
    """A resident as entered: ``id_number`` raw, ``address`` the household's address."""

    name: str
    id_number: str
    id_type: str = "resident_id"
    gender: str = ""
    phone: str = ""
    address: str = ""
    relation_to_head: str = ""


def get_or_create_household(community: Community, address: str) -> Household | None:
    """The household at ``address`` (cleaned of control characters), made if new; None if blank."""
    address = clean_text(address, 200)
    if not address:
        return None
    household, _ = Household.objects.get_or_create(community=community, address=address)
    return household


def prepare_resident(data: ResidentIn, *, today: dt.date | None = None) -> tuple[dict[str, Any], Document]:
    """Validate and normalise a resident's fields; raises :class:`InvalidInput` on the first fault."""
    name = clean_name(data.name)
    doc = validate_document(data.id_number, parse_document_type(data.id_type or "resident_id"), today=today)
    gender = data.gender or doc.gender
    pinyin, initials = name_keys(name)
    fields = {
        "name": name,
        "name_pinyin": pinyin,
        "name_initials": initials,
        "gender": gender,
        "id_type": doc.doc_type,
        "id_hash": doc.hash,
        "id_masked": doc.masked,
        "phone": normalise_phone(data.phone),
        "relation_to_head": data.relation_to_head.strip()[:20],
    }
    return fields, doc


def upsert_resident(
    community: Community, data: ResidentIn, *, actor: Any, audit: bool = True
) -> tuple[Resident, str]:
    """Register a resident, or update the one with the same document in ``community``.

    Returns the resident and ``"imported"``, ``"updated"`` or ``"unchanged"``.
    Raises :class:`InvalidInput` for bad fields; nothing is written then.
    """
    fields, _doc = prepare_resident(data)
    with transaction.atomic():
        household = get_or_create_household(community, data.address)
        existing = Resident.objects.filter(community=community, id_hash=fields["id_hash"]).first()
        fields["household"] = household
        if existing is None:
            resident = Resident.objects.create(community=community, **fields)
            if audit:
                log_action("resident.register", actor=actor, community=community, obj=resident)
            return resident, "imported"
        changed = {
            k: v
            for k, v in fields.items()
            if getattr(existing, k) != v and not (k == "household" and v is None)
        }
        if not changed:
            return existing, "unchanged"
        for key, value in changed.items():
            setattr(existing, key, value)
        existing.save(update_fields=[*changed.keys(), "updated_at"])
        if audit:
            log_action(
                "resident.update", actor=actor, community=community, obj=existing, fields=sorted(changed)
            )
        return existing, "updated"


def register_member(
    institution: Institution,
    *,
    name: str,
    id_number: str,
    id_type: str = "resident_id",
    phone: str = "",
    role: str = "",
    actor: Any,
) -> InstitutionMember:
    """Register someone who works at ``institution``. Raises :class:`InvalidInput` for bad fields."""
    clean = clean_name(name)
    doc = validate_document(id_number, id_type)
    pinyin, initials = name_keys(clean)
    with transaction.atomic():
        member, _ = InstitutionMember.objects.update_or_create(
            institution=institution,
            id_hash=doc.hash,
            defaults={
                "community_id": institution.community_id,
                "name": clean,
                "name_pinyin": pinyin,
                "name_initials": initials,
                "id_type": doc.doc_type,
                "id_masked": doc.masked,
                "phone": normalise_phone(phone),
                "role": role,
            },
        )
        log_action("member.register", actor=actor, community=institution.community, obj=member)
    return member
