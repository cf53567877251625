"""Showing a masked phone in clear: with a reason, to a role that calls people, audited.

Phones are the only personal values kept in clear (E.164, for calling a returnee, a visitor or
a host). ID numbers are kept only as a keyed hash and a masked form (``people.models``), so
there is nothing to reveal for them until an encrypted copy exists (DESIGN.md §4).

Pages and the API show :func:`mask_phone` forms; the full number comes only from
:func:`reveal` / :func:`reveal_by_id`, which write a ``person.reveal`` audit record (who, what,
when, why) in the same transaction as the read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction

from shouwang.core.access import REVEALERS, community_ids_for, require_role
from shouwang.core.audit import REVEAL, person_of
from shouwang.core.choices import RevealReason
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.models import AuditLog

NOTE_MAX = 200


@dataclass(frozen=True)
class Revealable:
    """A kind of record whose ``field`` may be revealed: ``model`` is ``app_label.Model``;
    ``json_key`` is set when the value sits inside a JSON column (a pending self-report)."""

    model: str
    column: str
    json_key: str = ""


# kind (as pages and the API name it) → where its phone is kept.
REVEALABLE: dict[str, Revealable] = {
    "resident": Revealable("people.Resident", "phone"),
    "member": Revealable("people.InstitutionMember", "phone"),
    "visitor": Revealable("visitors.Visitor", "phone"),
    "visit": Revealable("visitors.Visit", "visitor_phone"),
    "delivery": Revealable("visitors.Delivery", "phone"),
    "self_report": Revealable("quarantine.SelfReport", "person", json_key="phone"),
}
FIELDS = ("phone",)


def mask_phone(phone: str | None) -> str:
    """``+8613800138000`` → ``138****8000``; other numbers keep their first 3 and last 4
    digits; short ones keep only the first. Blank stays blank."""
    digits = (phone or "").removeprefix("+86")
    if not digits:
        return ""
    if len(digits) <= 7:
        return digits[:1] + "*" * max(len(digits) - 1, 0)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


@dataclass(frozen=True)
class Revealed:
    """The clear ``value`` (E.164), its ``masked`` form and the id of the audit record."""

    value: str
    masked: str
    audit_id: int


def _kind_of(obj: Any) -> str:
    label = f"{obj._meta.app_label}.{type(obj).__name__}"
    for kind, spec in REVEALABLE.items():
        if spec.model == label:
            return kind
    return ""


def _unknown_kind(kind: str, field: str) -> InvalidInput:
    known = ", ".join(f"{k}.phone" for k in REVEALABLE)
    return InvalidInput("reveal_kind_unknown", field="kind", kind=kind[:30], field_name=field, known=known)


def clean_reason(reason: str | None, note: str | None) -> tuple[str, str]:
    """``(reason code, note)``: the code one of :class:`RevealReason` (else
    ``reveal_reason_required``); a note up to 200 characters, required with ``other``
    (``reveal_note_required``)."""
    code = (reason or "").strip()
    from shouwang.people.services import clean_text

    # Control and direction-override characters would spoof the audit log a DPO reads.
    text = clean_text(note or "", NOTE_MAX)
    if code not in RevealReason.values:
        raise InvalidInput("reveal_reason_required", field="reason", known=", ".join(RevealReason.values))
    if code == RevealReason.OTHER and not text:
        raise InvalidInput("reveal_note_required", field="note")
    return code, text


def reveal(obj: models.Model, *, field: str, reason: str, note: str = "", actor: Any, via: str) -> Revealed:
    """The clear phone of ``obj`` (a resident, member, visitor, visit, delivery or self-report)
    for ``actor``, audited as ``person.reveal`` with ``reason``/``note`` and ``via``
    (``page``/``api``).

    Raises :class:`Forbidden` (``role_forbidden``) for gate staff, inspectors and the
    data-protection officer; :class:`NotFound` (``record_unknown``) when ``obj`` is outside the
    actor's communities (the same answer as for an id that does not exist);
    :class:`InvalidInput` for a missing reason, an unknown field or an empty phone.
    """
    kind = _kind_of(obj)
    if not kind or field not in FIELDS:
        raise _unknown_kind(kind or type(obj).__name__, field)
    require_role(actor, *REVEALERS)
    spec = REVEALABLE[kind]
    community_id = getattr(obj, "community_id", None)
    if community_id not in community_ids_for(actor):
        raise NotFound("record_unknown", id=str(obj.pk))
    code, text = clean_reason(reason, note)
    raw = getattr(obj, spec.column)
    value = str((raw or {}).get(spec.json_key, "") if spec.json_key else (raw or ""))
    if not value:
        raise InvalidInput("reveal_nothing", field=field)
    person_type, person_id = person_of(obj)
    with transaction.atomic():
        row = AuditLog.objects.create(
            actor_id=getattr(actor, "pk", None),
            community_id=community_id,
            action=REVEAL,
            object_type=type(obj).__name__,
            object_id=str(obj.pk),
            person_type=person_type,
            person_id=person_id,
            detail={"field": field, "why": code, "note": text, "via": via},
        )
    return Revealed(value=value, masked=mask_phone(value), audit_id=row.pk)


def reveal_by_id(
    kind: str, pk: str, *, field: str, reason: str, note: str = "", actor: Any, via: str
) -> Revealed:
    """:func:`reveal` of the ``kind`` record ``pk`` looked up within the actor's communities
    (one query): another community's id and an id that does not exist both raise
    :class:`NotFound`, so ids cannot be probed."""
    spec = REVEALABLE.get(kind)
    if spec is None or field not in FIELDS:
        raise _unknown_kind(kind, field)
    require_role(actor, *REVEALERS)
    model = apps.get_model(spec.model)
    pk_field = model._meta.pk
    try:
        key = pk_field.to_python(str(pk).strip()[:64]) if pk_field is not None else None
    except Exception:
        key = None
    row = (
        model._default_manager.filter(pk=key, community_id__in=community_ids_for(actor)).first()
        if key is not None
        else None
    )
    if row is None:
        raise NotFound("record_unknown", id=str(pk)[:40])
    return reveal(row, field=field, reason=reason, note=note, actor=actor, via=via)
