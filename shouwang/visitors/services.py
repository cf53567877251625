"""Writes of the visitors app: registering visits (new, returning, or from an invitation), their
exit and re-entry, invitations, and delivery riders. Pages, API and CLI all call these; each is
atomic (``write_transaction``), audited in its transaction, and safe to repeat with the client's
UUID (the same UUID with other content is refused with 409, like screenings).

Rules: the gate decision is the residents' (:func:`shouwang.visitors.gate.decide_outsider`, DESIGN.md
§4); the document is required unless the sub-district's ``visitor_document_required`` is false;
riders hand over at the gate unless ``riders_enter`` is true (:class:`OutsiderPolicy`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.core.access import require_community, require_role
from shouwang.core.audit import log_action
from shouwang.core.choices import Role
from shouwang.core.db import write_transaction
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.idempotency import fingerprint as write_fingerprint
from shouwang.core.idempotency import seen_before
from shouwang.people.choices import DocumentType
from shouwang.people.identity import Document, mask, normalise, parse_document_type, validate_document
from shouwang.people.models import Household, Institution, Resident
from shouwang.people.services import clean_name, clean_text, normalise_phone
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.choices import AlertKind, Decision, Direction
from shouwang.screening.decision import Outcome
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.screening.temperature import Reading, parse_temperature
from shouwang.visitors.choices import Handoff, HostKind, InvitationStatus, Platform
from shouwang.visitors.gate import OutsiderPolicy, decide_outsider
from shouwang.visitors.models import Delivery, Invitation, Visit, Visitor, mask_name, mask_phone
from shouwang.visitors.referrals import DELIVERY, VISIT, Bearing, Outsider, outsider_bearing

# Who registers outsiders at a gate, and who invites (residents have no accounts: a community
# worker invites on a resident's behalf).
GATE_ROLES = (Role.GATE_STAFF, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN)
INVITERS = (Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# Invitation codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B — what a worker misreads off a phone screen.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8


# ---- inputs and results -------------------------------------------------------------------


@dataclass(frozen=True)
class VisitorIn:
    """Who visits. ``id``: a known visitor of the community (from the look-up); the other fields
    then only correct what is stored. Without ``id``: ``name`` and ``phone`` (any of
    ``138 0013 8000``, ``+86 13800138000``, full-width digits), and the document when the
    policy asks for it (``id_type`` a code or words such as ``护照``; default resident ID)."""

    id: int | None = None
    name: str = ""
    phone: str = ""
    id_type: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class HostIn:
    """Whom they visit: a :class:`HostKind` and the household's or institution's id."""

    kind: str
    id: int


@dataclass(frozen=True)
class VisitResult:
    """The stored visit; ``created`` is False when the client's UUID was seen before."""

    visit: Visit
    created: bool


@dataclass(frozen=True)
class InvitationResult:
    invitation: Invitation
    created: bool


@dataclass(frozen=True)
class DeliveryResult:
    delivery: Delivery
    created: bool


@dataclass(frozen=True)
class _VisitorFields:
    """A visitor's input checked and normalised; None where not given."""

    name: str | None
    phone: str | None
    document: Document | None

    def key(self, visitor_id: int | None) -> str:
        """What names this visitor in a fingerprint."""
        if visitor_id is not None:
            return f"id:{visitor_id}:{self.name}:{self.phone}:{self.document.hash if self.document else ''}"
        if self.document is not None:
            return f"doc:{self.document.hash}:{self.name}:{self.phone}"
        return f"tel:{self.phone}:{self.name}"


# ---- small rules --------------------------------------------------------------------------


def policies(community: Community) -> tuple[Policy, OutsiderPolicy]:
    """The screening rules and the outsider rules of the community's sub-district."""
    overrides = community.subdistrict.policy
    return Policy.from_overrides(overrides), OutsiderPolicy.from_overrides(overrides)


def check_occurred_at(occurred_at: dt.datetime | None, policy: Policy, *, now: dt.datetime) -> dt.datetime:
    """An aware instant, not more than 5 minutes ahead nor older than ``policy.backdate_days``
    (an offline device catching up); default now. Codes as for screenings."""
    at = occurred_at or now
    if timezone.is_naive(at):
        raise InvalidInput("occurred_at_naive", field="occurred_at")
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput("occurred_at_future", field="occurred_at")
    if at < now - dt.timedelta(days=policy.backdate_days):
        raise InvalidInput("occurred_at_too_old", field="occurred_at", days=policy.backdate_days)
    return at


def _text(raw: str | None, limit: int = 200) -> str:
    """Free text on one line without control characters (see ``people.services.clean_text``)."""
    return clean_text(raw or "", limit)


def clean_phone(raw: str | None, *, required: bool) -> str | None:
    """E.164 or None when blank; raises ``phone_required`` (if ``required``) or ``phone_invalid``."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        if required:
            raise InvalidInput("phone_required", field="phone")
        return None
    return normalise_phone(text)


# What each document type's number looks like, as ``people.identity.validate_document`` checks
# it: the words of ``document_format_<type>`` (visitors' messages).
DOCUMENT_FORMAT_CODES = {kind: f"document_format_{kind}" for kind in DocumentType.values}


def check_document(number: str, id_type: str) -> Document:
    """Validate a visitor's document by type (``people.identity.validate_document``). A number
    in the wrong format for its type is refused saying the expected format
    (``document_format_<type>``, e.g. a passport: 5 to 17 letters or digits, E12345678); the
    other ``id_*`` refusals already say what is wrong."""
    kind = parse_document_type(id_type or "")
    try:
        return validate_document(number, kind)
    except InvalidInput as err:
        if err.code != "id_format" or kind not in DOCUMENT_FORMAT_CODES:
            raise
        raise InvalidInput(
            DOCUMENT_FORMAT_CODES[kind], field="id_number", masked=mask(normalise(number))
        ) from None


def _document(number: str | None, id_type: str | None) -> Document | None:
    if not (number or "").strip():
        return None
    return check_document(number or "", id_type or "")


def _clean_visitor(data: VisitorIn) -> _VisitorFields:
    """Check a visitor's fields (raises ``name_invalid``, ``phone_required``, ``phone_invalid``,
    ``id_*``); a new visitor needs a name and a phone."""
    new = data.id is None
    given = bool((data.name or "").strip())
    if new and not given:
        raise InvalidInput("visitor_name_required", field="name")
    name = clean_name(data.name) if given else None
    phone = clean_phone(data.phone, required=new)
    return _VisitorFields(name=name, phone=phone, document=_document(data.id_number, data.id_type))


def _resolve_host(
    community: Community, host: HostIn
) -> tuple[str, Household | None, Institution | None, str]:
    """(kind, household, institution, label) of a host of ``community``; another community's
    household is ``host_unknown`` exactly like a missing one."""
    if host.kind == HostKind.HOUSEHOLD:
        household = Household.objects.filter(community=community, pk=host.id).first()
        if household is None:
            raise NotFound("host_unknown", field="host", id=host.id)
        return HostKind.HOUSEHOLD, household, None, household.address
    if host.kind == HostKind.INSTITUTION:
        institution = Institution.objects.filter(community=community, pk=host.id).first()
        if institution is None:
            raise NotFound("host_unknown", field="host", id=host.id)
        return HostKind.INSTITUTION, None, institution, institution.name
    raise InvalidInput("host_kind_invalid", field="host")


def last_visit(visitor: Visitor) -> Visit | None:
    """The visitor's latest visit (admitted ones first): what a returning visitor's form holds."""
    visits = Visit.objects.filter(visitor=visitor).order_by("-in_at")
    return visits.filter(decision=Decision.ADMIT).first() or visits.first()


def _resolve_visitor(
    community: Community, data: VisitorIn, fields: _VisitorFields, *, actor: Any, document_required: bool
) -> Visitor:
    """Find or register the visitor (inside the caller's transaction), applying corrections.

    Matched by ``id``; else by document; else by phone and name (a phone alone may be shared by a
    family, so it does not merge two names). A document given for a visitor known without one is
    added. Raises ``visitor_unknown``, ``visitor_document_taken``, ``document_required``.
    """
    doc = fields.document
    by_doc = (
        Visitor.objects.select_for_update().filter(community=community, id_hash=doc.hash).first()
        if doc is not None
        else None
    )
    visitor: Visitor | None
    if data.id is not None:
        visitor = Visitor.objects.select_for_update().filter(community=community, pk=data.id).first()
        if visitor is None:
            raise NotFound("visitor_unknown", field="visitor", id=data.id)
        if by_doc is not None and by_doc.pk != visitor.pk:
            raise InvalidInput("visitor_document_taken", field="id_number", masked=by_doc.id_masked)
    elif by_doc is not None:
        visitor = by_doc
    else:
        same = Visitor.objects.select_for_update().filter(
            community=community, phone=fields.phone, name=fields.name
        )
        if doc is not None:
            same = same.filter(id_hash="")  # a new document joins only someone known without one
        visitor = same.order_by("-updated_at").first()
    if document_required and doc is None and (visitor is None or not visitor.id_hash):
        raise InvalidInput("document_required", field="id_number")
    if visitor is None:
        assert fields.name is not None and fields.phone is not None
        visitor = Visitor.objects.create(
            community=community,
            name=fields.name,
            phone=fields.phone,
            id_type=doc.doc_type if doc else "",
            id_hash=doc.hash if doc else "",
            id_masked=doc.masked if doc else "",
        )
        log_action(
            "visitor.register", actor=actor, community=community, obj=visitor, masked=visitor.masked_name
        )
        return visitor
    changed: dict[str, str] = {}
    if fields.name is not None and fields.name != visitor.name:
        changed["name"] = fields.name
    if fields.phone is not None and fields.phone != visitor.phone:
        changed["phone"] = fields.phone
    if doc is not None and doc.hash != visitor.id_hash:
        changed.update(id_type=doc.doc_type, id_hash=doc.hash, id_masked=doc.masked)
    if changed:
        before = _shown(visitor, changed)
        for key, value in changed.items():
            setattr(visitor, key, value)
        after = _shown(visitor, changed)
        visitor.save(update_fields=[*changed, "updated_at"])
        log_action(
            "visitor.update",
            actor=actor,
            community=community,
            obj=visitor,
            fields=sorted(changed),
            before=before,
            after=after,
        )
    return visitor


def _shown(visitor: Visitor, changed: dict[str, str]) -> dict[str, str]:
    """The changed fields of ``visitor`` as the audit log keeps them: masked like everywhere a
    visitor is shown (the audit log outlives the visitor records' retention, DESIGN.md §4)."""
    shown: dict[str, str] = {}
    if "name" in changed:
        shown["name"] = mask_name(visitor.name)
    if "phone" in changed:
        shown["phone"] = mask_phone(visitor.phone)
    if "id_hash" in changed:
        shown.update(id_type=visitor.id_type, id_masked=visitor.id_masked)
    return shown


def _lock_gate(checkpoint: Checkpoint) -> None:
    """Serialise registrations at one gate (a double-sent form arrives at once); SQLite has one
    writer at a time already, where this is a no-op."""
    list(Checkpoint.objects.select_for_update().filter(pk=checkpoint.pk).values_list("pk"))


def _decide(
    checkpoint: Checkpoint,
    *,
    reading: Reading,
    mask: bool | None,
    at: dt.datetime,
    history: Bearing,
    policy: Policy,
) -> Outcome:
    local = at.astimezone(checkpoint.community.tz)
    return decide_outsider(
        reading=reading,
        mask=mask,
        today=local.date(),
        checkpoint_id=checkpoint.pk,
        community_id=checkpoint.community_id,
        checkpoint_open=checkpoint.is_open_at(local.time()),
        hours=checkpoint.hours_label(),
        previous_retest=history.previous_retest,
        referred_since=history.referred_since,
        policy=policy,
    )


def _raise_alerts(
    outcome: Outcome,
    community: Community,
    checkpoint: Checkpoint,
    reading: Reading,
    *,
    who: str,
    phone: str,
    host: str,
    **ref: str,
) -> None:
    """A confirmed fever of an outsider alerts the health station like a resident's (on commit).

    ``detail`` says who (``person``: the masked name or the rider's platform, the masked phone and
    whom they came to, which is what the alert's words show), ``checkpoint`` (name) and
    ``checkpoint_code``, ``host`` (the household or institution visited, or the recipient), the
    masked ``phone`` and the reading (°C). Phones stay masked here: revealing one is a read of
    personal data to be audited (later work)."""
    if AlertKind.FEVER_REFERRAL not in outcome.alerts:
        return
    masked = mask_phone(phone)
    person = " ".join(part for part in (who, masked, f"→ {host}" if host else "") if part)
    alert = Alert.objects.create(
        community=community,
        kind=AlertKind.FEVER_REFERRAL,
        detail={
            **ref,
            "person": person,
            "checkpoint": checkpoint.name,
            "checkpoint_code": checkpoint.code,
            "host": host,
            "phone": masked,
            "celsius": str(reading.celsius),
        },
    )
    transaction.on_commit(_notify_later(alert))


def _notify_later(alert: Alert) -> Callable[[], None]:
    from shouwang.quarantine.messages import alert_words
    from shouwang.quarantine.notify import notify_alert

    def send() -> None:
        notify_alert(alert, alert_words(alert, "zh-hans"))

    return send


# ---- visits -------------------------------------------------------------------------------


def register_visit(
    checkpoint: Checkpoint,
    *,
    visitor: VisitorIn,
    host: HostIn | None = None,
    reason: str = "",
    temperature: str | float | None,
    mask: bool | None,
    actor: Any,
    client_id: uuid.UUID | None = None,
    occurred_at: dt.datetime | None = None,
    screening: ScreeningEvent | None = None,
) -> VisitResult:
    """Register a visitor entering at ``checkpoint`` and decide, as for a resident.

    A returning visitor (``visitor.id`` from the look-up, or matched by document, or by phone and
    name) keeps what is stored; ``host`` and ``reason`` left out are taken from their last visit,
    so a repeat is one confirmation. ``temperature`` is as typed (``366``, ``36,6``, ``98.6`` °F);
    when left out with ``screening``, that screening's reading and mask are used. The screening
    must be this visitor's ``register`` answer at a gate of the community: decided ``register``,
    within ``Policy.retest_window_s`` of the visit, of the same document when it identified one
    (person key ``i:``), and not yet used by another visit. Only an admitted visit gets a visitor
    pass number (the one-day QR, :func:`visit_pass_qr`); an earlier visit of theirs still open is
    closed as an unscanned exit. ``occurred_at`` is an aware instant (default now), stored in UTC
    with the local date.

    The decision sees the person's earlier visits, deliveries and screenings across the
    sub-district (:mod:`shouwang.visitors.referrals`): a fever referral still holding refers
    them again, a ``retest`` answer at this gate makes this the retest. The same visitor at the
    same gate with the same content within ``Policy.duplicate_window_s`` (a form sent twice) is
    the first visit (``created=False``), with or without a client id.

    Raises :class:`Forbidden` (role, community), :class:`NotFound` (``visitor_unknown``,
    ``host_unknown``, ``screening_unknown_here``), :class:`InvalidInput` (``visitor_name_required``,
    ``name_invalid``, ``phone_required``, ``phone_invalid``, ``id_*``, ``document_format_*``,
    ``document_required``, ``visitor_document_taken``, ``host_required``, ``host_kind_invalid``,
    ``visit_reason_required``, ``temperature_unreadable``, ``occurred_at_*``,
    ``visit_screening_not_register``, ``visit_screening_stale``, ``visit_screening_other_person``,
    ``visit_screening_used``), :class:`IdReusedDifferently` (409). Nothing is written when it
    raises.
    """
    community = checkpoint.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    if screening is not None and screening.community_id != community.pk:
        raise NotFound("screening_unknown_here", field="screening")
    return _register(
        checkpoint,
        visitor=visitor,
        host=host,
        reason=reason,
        temperature=temperature,
        mask=mask,
        actor=actor,
        client_id=client_id,
        occurred_at=occurred_at,
        screening=screening,
        invitation=None,
    )


def visit_from_invitation(
    invitation: Invitation,
    *,
    checkpoint: Checkpoint,
    temperature: str | float | None,
    mask: bool | None,
    actor: Any,
    id_number: str = "",
    id_type: str = "",
    client_id: uuid.UUID | None = None,
    occurred_at: dt.datetime | None = None,
) -> VisitResult:
    """Register the visit an invitation announced: visitor, host and reason come from it, the
    gate adds the reading and mask (and the document, if the invitation had none and the policy
    asks for one). The invitation is used once the visit is admitted; a ``retest`` leaves it open
    for the retest. Raises as :func:`register_visit`, and ``invitation_unknown`` (another
    community's alike), ``invitation_used``, ``invitation_wrong_day`` (local date).
    """
    community = checkpoint.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    if invitation.community_id != community.pk:
        raise NotFound("invitation_unknown", field="invitation", code=invitation.code)
    host = None
    if invitation.household_id or invitation.institution_id:
        host = HostIn(invitation.host_kind, invitation.household_id or invitation.institution_id or 0)
    return _register(
        checkpoint,
        visitor=VisitorIn(id=invitation.visitor_id, id_number=id_number, id_type=id_type),
        host=host,
        reason=invitation.reason,
        temperature=temperature,
        mask=mask,
        actor=actor,
        client_id=client_id,
        occurred_at=occurred_at,
        screening=None,
        invitation=invitation,
    )


def _register(
    checkpoint: Checkpoint,
    *,
    visitor: VisitorIn,
    host: HostIn | None,
    reason: str,
    temperature: str | float | None,
    mask: bool | None,
    actor: Any,
    client_id: uuid.UUID | None,
    occurred_at: dt.datetime | None,
    screening: ScreeningEvent | None,
    invitation: Invitation | None,
) -> VisitResult:
    community = checkpoint.community
    policy, outsider = policies(community)
    now = timezone.now()
    at = check_occurred_at(occurred_at, policy, now=now)
    if temperature is None and screening is not None:
        temperature = screening.temperature_raw or None
        mask = screening.mask if mask is None else mask
    reading = parse_temperature(temperature, policy)
    fields = _clean_visitor(visitor)
    reason_text = _text(reason)
    fingerprint = write_fingerprint(
        checkpoint.pk,
        fields.key(visitor.id),
        f"{host.kind}:{host.id}" if host else "",
        reason_text,
        reading.celsius,
        reading.converted_from_f,
        mask,
        invitation.pk if invitation else "",
        screening.pk if screening else "",
    )
    # A retry is answered before any rule the clock or the first attempt may have changed.
    seen = seen_before(Visit, client_id, community.pk, fingerprint) or _twin_visit(
        checkpoint, fingerprint, at, policy
    )
    if seen is not None:
        return VisitResult(seen, created=False)
    local = at.astimezone(community.tz)
    if screening is not None:
        _check_screening_in_time(screening, at=at, policy=policy)
    if invitation is not None:
        if invitation.status == InvitationStatus.USED:
            used = invitation.used_at.astimezone(community.tz) if invitation.used_at else None
            raise InvalidInput(
                "invitation_used", field="invitation", at=f"{used:%Y-%m-%d %H:%M}" if used else "?"
            )
        if invitation.visit_date != local.date():
            raise InvalidInput(
                "invitation_wrong_day", field="invitation", date=invitation.visit_date.isoformat()
            )
    try:
        with write_transaction():
            _lock_gate(checkpoint)
            twin = _twin_visit(checkpoint, fingerprint, at, policy)
            if twin is not None:
                return VisitResult(twin, created=False)
            person = _resolve_visitor(
                community, visitor, fields, actor=actor, document_required=outsider.visitor_document_required
            )
            if screening is not None:
                _check_screening_of(screening, person)
            last = last_visit(person) if host is None or not reason_text else None
            if host is None:
                if last is None or not (last.household_id or last.institution_id):
                    raise InvalidInput("host_required", field="host")
                host = HostIn(last.host_kind, last.household_id or last.institution_id or 0)
            kind, household, institution, label = _resolve_host(community, host)
            if not reason_text:
                if last is None or not last.reason:
                    raise InvalidInput("visit_reason_required", field="reason")
                reason_text = last.reason
            if invitation is not None:
                # Two gates scanning one invitation at once: the second waits, then sees it used.
                locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
                if locked.status == InvitationStatus.USED:
                    raise InvalidInput("invitation_used", field="invitation", at="?")
            history = outsider_bearing(
                Outsider(id_hashes=frozenset({person.id_hash}), phones=frozenset({person.phone})),
                checkpoint=checkpoint,
                at=at,
                policy=policy,
            )
            outcome = _decide(checkpoint, reading=reading, mask=mask, at=at, history=history, policy=policy)
            admitted = outcome.decision == Decision.ADMIT
            visit = Visit(
                id=client_id or uuid.uuid4(),
                community=community,
                visitor=person,
                checkpoint=checkpoint,
                host_kind=kind,
                household=household,
                institution=institution,
                host_label=label,
                visitor_name_masked=person.masked_name,
                visitor_phone=person.phone,
                visitor_id_masked=person.id_masked,
                reason=reason_text,
                temperature_raw=reading.raw,
                temperature_c=reading.celsius,
                temperature_converted_f=reading.converted_from_f,
                mask=mask,
                decision=outcome.decision,
                reasons=list(outcome.reasons),
                reason_params=outcome.params,
                in_at=at,
                local_date=local.date(),
                local_hour=local.hour,
                staff=actor if getattr(actor, "pk", None) else None,
                pass_number=_next_pass_number(community, local.date()) if admitted else "",
                invitation=invitation,
                screening=screening,
                retest_of_id=history.retest_id(VISIT),
                fingerprint=fingerprint,
            )
            visit.save(force_insert=True)
            closed = _close_open_visits(person, visit, actor=actor) if admitted else []
            if invitation is not None and admitted:
                Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.USED, used_at=at)
                invitation.status, invitation.used_at = InvitationStatus.USED, at
            log_action(
                "visit.register",
                actor=actor,
                community=community,
                obj=visit,
                visitor=person.pk,
                checkpoint=checkpoint.code,
                host=f"{kind}:{household.pk if household else institution.pk if institution else ''}",
                decision=outcome.decision,
                reasons=list(outcome.reasons),
                pass_number=visit.pass_number,
                invitation=invitation.code if invitation else "",
                closed=[str(pk) for pk in closed],
                screening=str(screening.pk) if screening else None,
                retest_of=_retested(history),
            )
            _raise_alerts(
                outcome,
                community,
                checkpoint,
                reading,
                who=f"{person.masked_name} 访客",
                phone=person.phone,
                host=label,
                visit=str(visit.pk),
            )
    except IntegrityError:
        seen = seen_before(Visit, client_id, community.pk, fingerprint) or _twin_visit(
            checkpoint, fingerprint, at, policy
        )
        if seen is None:
            raise
        return VisitResult(seen, created=False)
    return VisitResult(visit, created=True)


def _retested(history: Bearing) -> str | None:
    """``<kind>:<id>`` of the attempt this one retests, for the audit log (it may be a screening
    or a delivery, which the visit's own ``retest_of`` cannot point at)."""
    retest = history.retest_of
    return f"{retest.kind}:{retest.id}" if retest is not None else None


def _twin_visit(checkpoint: Checkpoint, fingerprint: str, at: dt.datetime, policy: Policy) -> Visit | None:
    """The visit this one repeats: same gate and content (the fingerprint names the visitor)
    within ``policy.duplicate_window_s`` of ``at`` — a form sent twice. Like a scanner firing
    twice at a screening, it is one record, not two."""
    window = dt.timedelta(seconds=policy.duplicate_window_s)
    return (
        Visit.objects.filter(
            checkpoint=checkpoint, fingerprint=fingerprint, in_at__gte=at - window, in_at__lte=at + window
        )
        .order_by("in_at")
        .first()
    )


def _check_screening_in_time(screening: ScreeningEvent, *, at: dt.datetime, policy: Policy) -> None:
    """A screening can be a visitor's reading only as the gate's ``register`` answer (a resident's
    admit or a refusal is not a visitor's reading), taken within the retest window before the
    visit (an old reading says nothing of today's temperature). Raises
    ``visit_screening_not_register``, ``visit_screening_stale``."""
    tz = screening.community.tz
    if screening.decision != Decision.REGISTER:
        raise InvalidInput(
            "visit_screening_not_register",
            field="screening",
            decision=screening.decision,
            at=screening.occurred_at.astimezone(tz).strftime("%H:%M"),
        )
    window = dt.timedelta(seconds=policy.retest_window_s)
    if not at - window <= screening.occurred_at <= at + FUTURE_TOLERANCE:
        raise InvalidInput(
            "visit_screening_stale",
            field="screening",
            at=screening.occurred_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            minutes=policy.retest_window_s // 60,
        )


def _check_screening_of(screening: ScreeningEvent, person: Visitor) -> None:
    """Inside the write (the screening's row locked): a screening that identified a document
    (person key ``i:<hash[:32]>``) is only that document's visitor's reading, and each screening
    is one visit's reading. Raises ``visit_screening_other_person``, ``visit_screening_used``."""
    list(ScreeningEvent.objects.select_for_update().filter(pk=screening.pk).values_list("pk"))
    key = screening.person_key
    if key.startswith("i:") and (not person.id_hash or key != f"i:{person.id_hash[:32]}"):
        raise InvalidInput(
            "visit_screening_other_person", field="screening", masked=screening.person_masked or "?"
        )
    used = Visit.objects.filter(screening=screening).order_by("in_at").first()
    if used is not None:
        raise InvalidInput(
            "visit_screening_used",
            field="screening",
            at=used.in_at.astimezone(screening.community.tz).strftime("%H:%M"),
        )


def _next_pass_number(community: Community, day: dt.date) -> str:
    """``<COMMUNITY>-V<YYMMDD>-<n>``, continuing the community's sequence of local ``day``.
    The community row is locked so two gates cannot hand out one number (SQLite: one writer)."""
    Community.objects.select_for_update().filter(pk=community.pk).exists()
    prefix = f"{community.code.upper()}-V{day:%y%m%d}-"
    numbers = Visit.objects.filter(community=community, local_date=day, pass_number__startswith=prefix)
    last = max((int(n.rsplit("-", 1)[1]) for n in numbers.values_list("pass_number", flat=True)), default=0)
    return f"{prefix}{last + 1:03d}"


def _close_open_visits(visitor: Visitor, visit: Visit, *, actor: Any) -> list[uuid.UUID]:
    """Earlier visits of ``visitor`` still open end where this one begins, marked as an exit
    nobody scanned (they left by another way); returns their ids."""
    open_ids = list(
        Visit.objects.filter(visitor=visitor, decision=Decision.ADMIT, out_at__isnull=True)
        .exclude(pk=visit.pk)
        .values_list("pk", flat=True)
    )
    if open_ids:
        Visit.objects.filter(pk__in=open_ids).update(out_at=visit.in_at, exit_inferred=True)
    return open_ids


def visit_pass_qr(visit: Visit) -> str:
    """The signed QR text of an admitted visit's one-day pass; ``""`` for one not admitted."""
    from shouwang.visitors.passes import visitor_pass_payload

    if not visit.pass_number:
        return ""
    return visitor_pass_payload(visit.pass_number, visit.community.code, visit.local_date)


def record_visit_exit(
    visit: Visit, *, checkpoint: Checkpoint, actor: Any, occurred_at: dt.datetime | None = None
) -> VisitResult:
    """Record that the visitor left through ``checkpoint``: any gate of the visit's sub-district,
    by the staff of that gate's community. A visitor of one community may leave through an
    adjoining community's gate, and only the gate they leave by sees it.

    Safe to repeat: a visit already seen leaving is returned unchanged (``created=False``); an
    exit inferred earlier is replaced by this real one. Raises :class:`Forbidden` (not the
    checkpoint's community, role), ``visit_unknown`` (a gate of another sub-district),
    ``visit_not_admitted`` (no pass was issued), ``exit_before_entry``, ``occurred_at_*``.
    """
    community = visit.community
    require_community(actor, checkpoint.community)
    require_role(actor, *GATE_ROLES)
    if not _same_subdistrict(checkpoint, community):
        raise NotFound("visit_unknown", field="visit")
    if visit.decision != Decision.ADMIT:
        raise InvalidInput("visit_not_admitted", field="visit")
    policy, _ = policies(community)
    at = check_occurred_at(occurred_at, policy, now=timezone.now())
    with write_transaction():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.out_at is not None and not locked.exit_inferred:
            return VisitResult(locked, created=False)
        if at < locked.in_at:
            raise InvalidInput(
                "exit_before_entry",
                field="occurred_at",
                in_at=locked.in_at.astimezone(community.tz).strftime("%Y-%m-%d %H:%M"),
            )
        locked.out_at = at
        locked.out_checkpoint = checkpoint
        locked.out_staff = actor if getattr(actor, "pk", None) else None
        locked.exit_inferred = False
        locked.save(update_fields=["out_at", "out_checkpoint", "out_staff", "exit_inferred"])
        log_action(
            "visit.exit",
            actor=actor,
            community=community,
            obj=locked,
            checkpoint=checkpoint.code,
            pass_number=locked.pass_number,
        )
    return VisitResult(locked, created=True)


def record_pass_scan(
    visit_id: uuid.UUID, *, checkpoint: Checkpoint, direction: str, actor: Any, occurred_at: dt.datetime
) -> Visit | None:
    """What an admitted screening of a visitor pass means for its visit (called by
    ``record_screening`` inside its transaction): going out records the exit — at any gate of the
    sub-district, since a visitor may leave through an adjoining community's gate (its screening
    says ``pass_other_community`` and lets them out); coming back in the same day, after an exit,
    reopens the visit (``reentries`` + 1, the earlier exit kept in the audit log) — only at a gate
    of the visit's own community. Returns the visit, or None when the scan does not bear on it."""
    visit = (
        Visit.objects.select_for_update()
        .select_related("community")
        .filter(pk=visit_id, decision=Decision.ADMIT)
        .first()
    )
    if visit is None:
        return None
    if visit.community_id != checkpoint.community_id and (
        direction != Direction.OUT or not _same_subdistrict(checkpoint, visit.community)
    ):
        return None
    if direction == Direction.OUT:
        if visit.out_at is None or visit.exit_inferred:
            visit.out_at, visit.out_checkpoint, visit.exit_inferred = occurred_at, checkpoint, False
            visit.out_staff = actor if getattr(actor, "pk", None) else None
            visit.save(update_fields=["out_at", "out_checkpoint", "out_staff", "exit_inferred"])
            log_action(
                "visit.exit", actor=actor, community=visit.community, obj=visit, checkpoint=checkpoint.code
            )
        return visit
    if visit.out_at is not None:
        before = visit.out_at.isoformat()
        visit.out_at, visit.out_checkpoint, visit.out_staff, visit.exit_inferred = None, None, None, False
        visit.reentries += 1
        visit.save(update_fields=["out_at", "out_checkpoint", "out_staff", "exit_inferred", "reentries"])
        log_action(
            "visit.reenter",
            actor=actor,
            community=visit.community,
            obj=visit,
            checkpoint=checkpoint.code,
            previous_exit=before,
        )
    return visit


def _same_subdistrict(checkpoint: Checkpoint, community: Community) -> bool:
    """Whether ``checkpoint`` is a gate of ``community``'s sub-district (its own included)."""
    return bool(checkpoint.community.subdistrict_id == community.subdistrict_id)


# ---- invitations --------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def invite_visitor(
    community: Community,
    *,
    visitor: VisitorIn,
    visit_date: dt.date,
    actor: Any,
    host: HostIn | None = None,
    on_behalf_of: int | None = None,
    reason: str = "",
    client_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> InvitationResult:
    """Invite a visitor for local ``visit_date`` (预约), by a community worker or admin for a
    resident (``on_behalf_of``, a resident id; their household is the default host) or an
    institution. The document may wait for the gate. Returns the invitation with its 8-character
    ``code`` (QR: :func:`invitation_qr`). Raises :class:`Forbidden`, ``resident_unknown``,
    ``host_required``, ``host_unknown``, ``visit_reason_required``, ``invitation_date_past``,
    ``invitation_date_too_far``, the visitor's field errors, :class:`IdReusedDifferently`.
    """
    require_community(actor, community)
    require_role(actor, *INVITERS)
    _, outsider = policies(community)
    now = now or timezone.now()
    today = community.local_date(now)
    if visit_date < today:
        raise InvalidInput("invitation_date_past", field="visit_date", date=visit_date.isoformat())
    last_day = today + dt.timedelta(days=outsider.invitation_days_ahead)
    if visit_date > last_day:
        raise InvalidInput(
            "invitation_date_too_far",
            field="visit_date",
            days=outsider.invitation_days_ahead,
            last=last_day.isoformat(),
        )
    fields = _clean_visitor(visitor)
    resident = None
    if on_behalf_of is not None:
        resident = Resident.objects.filter(community=community, pk=on_behalf_of).first()
        if resident is None:
            raise NotFound("resident_unknown", field="on_behalf_of", id=on_behalf_of)
    if host is None and resident is not None and resident.household_id:
        host = HostIn(HostKind.HOUSEHOLD, resident.household_id)
    if host is None:
        raise InvalidInput("host_required", field="host")
    kind, household, institution, label = _resolve_host(community, host)
    reason_text = _text(reason)
    if not reason_text:
        raise InvalidInput("visit_reason_required", field="reason")
    fingerprint = write_fingerprint(
        fields.key(visitor.id), f"{kind}:{host.id}", reason_text, visit_date, on_behalf_of or ""
    )
    seen = seen_before(Invitation, client_id, community.pk, fingerprint)
    if seen is not None:
        return InvitationResult(seen, created=False)
    try:
        with write_transaction():
            person = _resolve_visitor(community, visitor, fields, actor=actor, document_required=False)
            code = _new_code()
            while Invitation.objects.filter(code=code).exists():
                code = _new_code()
            invitation = Invitation.objects.create(
                id=client_id or uuid.uuid4(),
                community=community,
                visitor=person,
                host_kind=kind,
                household=household,
                institution=institution,
                host_label=label,
                reason=reason_text,
                visit_date=visit_date,
                code=code,
                on_behalf_of=resident,
                invited_by=actor if getattr(actor, "pk", None) else None,
                fingerprint=fingerprint,
            )
            log_action(
                "invitation.create",
                actor=actor,
                community=community,
                obj=invitation,
                visitor=person.pk,
                visit_date=visit_date.isoformat(),
                on_behalf_of=resident.pk if resident else None,
                code=code,
            )
    except IntegrityError:
        seen = seen_before(Invitation, client_id, community.pk, fingerprint)
        if seen is None:
            raise
        return InvitationResult(seen, created=False)
    return InvitationResult(invitation, created=True)


def invitation_qr(invitation: Invitation) -> str:
    """The signed QR text of an invitation (see :mod:`shouwang.visitors.passes`)."""
    from shouwang.visitors.passes import invitation_payload

    return invitation_payload(invitation.code, invitation.community.code, invitation.visit_date)


# ---- deliveries ---------------------------------------------------------------------------


def register_delivery(
    checkpoint: Checkpoint,
    *,
    platform: str,
    phone: str,
    temperature: str | float | None,
    mask: bool | None,
    actor: Any,
    name: str = "",
    recipient: int | None = None,
    enter: bool = False,
    client_id: uuid.UUID | None = None,
    occurred_at: dt.datetime | None = None,
) -> DeliveryResult:
    """Register a delivery rider at ``checkpoint`` (counted apart from visits) and decide on
    mask and temperature as for anyone else. The decision sees the rider's earlier deliveries,
    visits and screenings across the sub-district by phone (and the documents known for that
    phone, :mod:`shouwang.visitors.referrals`): a fever referral still holding refers them again,
    a ``retest`` answer at this gate makes this the retest. The same rider at the same gate with
    the same content within ``Policy.duplicate_window_s`` is the first delivery (``created=False``).

    The handoff is at the gate; ``enter`` asks to let the rider in, allowed only where the policy
    ``riders_enter`` is true and only when admitted. ``recipient`` is a household id of the
    community (optional). Raises :class:`Forbidden`, ``platform_invalid``, ``phone_required``,
    ``phone_invalid``, ``riders_may_not_enter``, ``recipient_unknown``,
    ``temperature_unreadable``, ``occurred_at_*``, :class:`IdReusedDifferently`.
    """
    community = checkpoint.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    policy, outsider = policies(community)
    at = check_occurred_at(occurred_at, policy, now=timezone.now())
    if platform not in Platform.values:
        raise InvalidInput("platform_invalid", field="platform", choices=", ".join(Platform.values))
    number = clean_phone(phone, required=True)
    assert number is not None
    rider = clean_name(name) if (name or "").strip() else ""
    if enter and not outsider.riders_enter:
        raise InvalidInput("riders_may_not_enter", field="enter")
    reading = parse_temperature(temperature, policy)
    fingerprint = write_fingerprint(
        checkpoint.pk,
        platform,
        number,
        rider,
        reading.celsius,
        reading.converted_from_f,
        mask,
        recipient or "",
        enter,
    )
    seen = seen_before(Delivery, client_id, community.pk, fingerprint) or _twin_delivery(
        checkpoint, fingerprint, at, policy
    )
    if seen is not None:
        return DeliveryResult(seen, created=False)
    household = None
    if recipient is not None:
        household = Household.objects.filter(community=community, pk=recipient).first()
        if household is None:
            raise NotFound("recipient_unknown", field="recipient", id=recipient)
    local = at.astimezone(community.tz)
    try:
        with write_transaction():
            _lock_gate(checkpoint)
            twin = _twin_delivery(checkpoint, fingerprint, at, policy)
            if twin is not None:
                return DeliveryResult(twin, created=False)
            history = outsider_bearing(
                Outsider(phones=frozenset({number})), checkpoint=checkpoint, at=at, policy=policy
            )
            outcome = _decide(checkpoint, reading=reading, mask=mask, at=at, history=history, policy=policy)
            handoff = Handoff.ENTERED if enter and outcome.decision == Decision.ADMIT else Handoff.GATE
            delivery = Delivery(
                id=client_id or uuid.uuid4(),
                community=community,
                checkpoint=checkpoint,
                staff=actor if getattr(actor, "pk", None) else None,
                platform=platform,
                phone=number,
                name=rider,
                temperature_raw=reading.raw,
                temperature_c=reading.celsius,
                temperature_converted_f=reading.converted_from_f,
                mask=mask,
                decision=outcome.decision,
                reasons=list(outcome.reasons),
                reason_params=outcome.params,
                handoff=handoff,
                household=household,
                recipient_label=household.address if household else "",
                occurred_at=at,
                local_date=local.date(),
                local_hour=local.hour,
                retest_of_id=history.retest_id(DELIVERY),
                fingerprint=fingerprint,
            )
            delivery.save(force_insert=True)
            log_action(
                "delivery.register",
                actor=actor,
                community=community,
                obj=delivery,
                checkpoint=checkpoint.code,
                platform=platform,
                decision=outcome.decision,
                handoff=handoff,
                recipient=household.pk if household else None,
                retest_of=_retested(history),
            )
            _raise_alerts(
                outcome,
                community,
                checkpoint,
                reading,
                who=f"{Platform(platform).label.split(' ')[0]}骑手",
                phone=number,
                host=delivery.recipient_label,
                delivery=str(delivery.pk),
            )
    except IntegrityError:
        seen = seen_before(Delivery, client_id, community.pk, fingerprint)
        if seen is None:
            raise
        return DeliveryResult(seen, created=False)
    return DeliveryResult(delivery, created=True)


def _twin_delivery(
    checkpoint: Checkpoint, fingerprint: str, at: dt.datetime, policy: Policy
) -> Delivery | None:
    """The delivery this one repeats: same gate and content (phone, platform, reading…) within
    ``policy.duplicate_window_s`` of ``at`` — a form sent twice."""
    window = dt.timedelta(seconds=policy.duplicate_window_s)
    return (
        Delivery.objects.filter(
            checkpoint=checkpoint,
            fingerprint=fingerprint,
            occurred_at__gte=at - window,
            occurred_at__lte=at + window,
        )
        .order_by("occurred_at")
        .first()
    )
