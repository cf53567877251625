"""Writes of the incidents app: raising an incident (prefillable from a screening), escalating,
closing, attaching a photo, and logging help given. Pages, API and CLI all call these; each is
atomic, audited in its transaction, and a raise or a help entry is safe to repeat with the
client's UUID (other content under the same UUID is refused with 409, like screenings).

Photos (the issue: "stored privately, size and type checked, a bad upload saves nothing"): at
most 5 MB, JPEG/PNG/WebP told by their content (not by name or header), re-encoded so EXIF —
location, device, time — never reaches the database; kept in the database, read only through
:func:`view_incident_photo`, which is audited like every read of personal data (DESIGN.md §4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from shouwang.core.access import require_community, require_role, role_of
from shouwang.core.audit import log_action
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.idempotency import fingerprint as write_fingerprint
from shouwang.core.idempotency import seen_before
from shouwang.core.messages import describe
from shouwang.incidents.choices import EscalationTarget, IncidentKind, IncidentStatus, ServiceKind, Severity
from shouwang.incidents.models import Escalation, Incident, IncidentPhoto, ServiceLog
from shouwang.people.models import Resident
from shouwang.people.services import clean_text
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.policy import Policy

# Who writes at a gate; who may close any incident (the reporter may close their own).
GATE_ROLES = (Role.GATE_STAFF, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN)
CLOSERS = (Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A small file may still decode to a huge bitmap ("decompression bomb"): refuse above this.
MAX_PHOTO_PIXELS = 40_000_000
# Long side kept: enough to read a face or a plate, small enough for a phone on a gate's network.
PHOTO_SIDE = 2048
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class IncidentResult:
    """The stored incident; ``created`` is False when the client's UUID was seen before."""

    incident: Incident
    created: bool


@dataclass(frozen=True)
class EscalationResult:
    escalation: Escalation
    created: bool


@dataclass(frozen=True)
class ServiceResult:
    service: ServiceLog
    created: bool


@dataclass(frozen=True)
class CleanPhoto:
    """A photo checked and re-encoded: ``content`` in ``content_type``, its size in pixels."""

    content: bytes
    content_type: str
    width: int
    height: int


def _policy(community: Community) -> Policy:
    return Policy.from_overrides(community.subdistrict.policy)


def _when(
    occurred_at: dt.datetime | None, community: Community, *, now: dt.datetime, field: str = "occurred_at"
) -> dt.datetime:
    """An aware instant, at most 5 minutes ahead and no older than the policy's
    ``backdate_days``; default now. Refusals name the input ``field``: the screenings' codes
    (``occurred_at_*``) for ``occurred_at``, ``at_*`` for an escalation's or closing's ``at``."""
    at = occurred_at or now
    prefix = "occurred_at" if field == "occurred_at" else "at"
    if timezone.is_naive(at):
        raise InvalidInput(f"{prefix}_naive", field=field)
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput(f"{prefix}_future", field=field)
    days = _policy(community).backdate_days
    if at < now - dt.timedelta(days=days):
        raise InvalidInput(f"{prefix}_too_old", field=field, days=days)
    return at


def _minute(instant: dt.datetime) -> dt.datetime:
    """``instant`` without its seconds: what a time typed on a page (``HH:MM``) can say. Zone
    offsets are whole minutes, so this is the same minute in UTC and in local time."""
    return instant.replace(second=0, microsecond=0)


def _text(raw: str | None, limit: int) -> str:
    """Free text on one line without control characters (see ``people.services.clean_text``)."""
    return clean_text(raw or "", limit)


def _resident(community: Community, resident_id: int | None) -> Resident | None:
    if resident_id is None:
        return None
    found = Resident.objects.filter(community=community, pk=resident_id).first()
    if found is None:
        raise NotFound("resident_unknown", field="resident", id=resident_id)
    return found


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# ---- incidents ----------------------------------------------------------------------------


def suggested_kind(reasons: list[str] | tuple[str, ...]) -> str:
    """The incident kind a screening's reason codes point to (for the one-tap prefill)."""
    codes = set(reasons)
    if codes & {"fever_confirmed", "fever_referred_recently"}:
        return IncidentKind.FEVER_REFUSED_REFERRAL
    if "no_mask" in codes:
        return IncidentKind.NO_MASK
    if "temperature_missing" in codes:
        return IncidentKind.REFUSED_TEMPERATURE
    if codes & {
        "no_pass",
        "person_unknown",
        "not_a_pass",
        "pass_expired",
        "pass_revoked",
        "pass_forged",
        "pass_unknown",
        "pass_other_community",
        "pass_not_yet_valid",
        "pass_checkpoint_not_allowed",
    }:
        return IncidentKind.NO_PASS
    return IncidentKind.OTHER


def raise_incident(
    checkpoint: Checkpoint,
    *,
    kind: str,
    actor: Any,
    severity: str = Severity.MEDIUM,
    occurred_at: dt.datetime | None = None,
    description: str = "",
    people: str = "",
    resident: int | None = None,
    screening: ScreeningEvent | None = None,
    client_id: uuid.UUID | None = None,
) -> IncidentResult:
    """Record an incident at ``checkpoint`` (an :class:`IncidentKind`, a :class:`Severity`).

    With ``screening`` (the gate's record of the person, same community), the time, the
    resident and the masked person default to the screening's (which links the person even when
    the gate did not know them). Otherwise the people involved must be named: a ``resident`` id
    or ``people`` in words.
    ``occurred_at`` is an aware instant (default now), stored in UTC with the local date.
    Raises :class:`Forbidden`, ``incident_kind_invalid``, ``severity_invalid``,
    ``incident_screening_unknown``, ``resident_unknown``, ``incident_people_required``,
    ``occurred_at_*``, :class:`IdReusedDifferently`. Nothing is written when it raises.
    """
    community = checkpoint.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    if kind not in IncidentKind.values:
        raise InvalidInput("incident_kind_invalid", field="kind", choices=", ".join(IncidentKind.values))
    if severity not in Severity.values:
        raise InvalidInput("severity_invalid", field="severity", choices=", ".join(Severity.values))
    if screening is not None and screening.community_id != community.pk:
        raise NotFound("incident_screening_unknown", field="screening")
    at = _when(occurred_at or (screening.occurred_at if screening else None), community, now=timezone.now())
    person = _resident(
        community, resident if resident is not None else (screening.resident_id if screening else None)
    )
    who = _text(people, 300) or (screening.person_masked if screening and person is None else "")
    if not who and person is None and screening is not None:
        # Someone the gate could not identify (no pass, a stranger's QR): say so in words, so
        # the record never reads as an incident with nobody in it.
        params = screening.reason_params or {}
        who = (
            "；".join(describe(code, "zh-hans", **params) for code in screening.reasons[:2])
            or "身份不明 unidentified"
        )
    if person is None and not who and screening is None:
        raise InvalidInput("incident_people_required", field="people")
    what = _text(description, 1000)
    # The instant as given (a retry without one must match the first, whatever the clock says).
    fingerprint = write_fingerprint(
        checkpoint.pk,
        kind,
        severity,
        occurred_at.astimezone(dt.UTC).isoformat() if occurred_at else "",
        what,
        who,
        person.pk if person else "",
        screening.pk if screening else "",
    )
    seen = seen_before(Incident, client_id, community.pk, fingerprint)
    if seen is not None:
        return IncidentResult(seen, created=False)
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                id=client_id or uuid.uuid4(),
                community=community,
                checkpoint=checkpoint,
                kind=kind,
                severity=severity,
                occurred_at=at,
                local_date=community.local_date(at),
                staff=_actor(actor),
                screening=screening,
                resident=person,
                people=who,
                description=what,
                fingerprint=fingerprint,
            )
            log_action(
                "incident.raise",
                actor=actor,
                community=community,
                obj=incident,
                kind=kind,
                severity=severity,
                checkpoint=checkpoint.code,
                screening=str(screening.pk) if screening else None,
                resident=person.pk if person else None,
            )
    except IntegrityError:
        seen = seen_before(Incident, client_id, community.pk, fingerprint)
        if seen is None:
            raise
        return IncidentResult(seen, created=False)
    return IncidentResult(incident, created=True)


def escalate_incident(
    incident: Incident, *, to: str, actor: Any, at: dt.datetime | None = None, note: str = ""
) -> EscalationResult:
    """Hand an open incident to ``to`` (an :class:`EscalationTarget`) at ``at`` (aware instant,
    default now, not before the incident's minute). Times are compared to the minute, because
    the page's time has no seconds: an escalation typed in the incident's own minute is stored
    at the incident's instant, never before it. Escalating twice to the same target is one
    escalation (the first, ``created=False``). Raises :class:`Forbidden`,
    ``escalation_target_invalid``, ``incident_closed``, ``escalation_before_incident``,
    ``at_*``."""
    community = incident.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    if to not in EscalationTarget.values:
        raise InvalidInput(
            "escalation_target_invalid", field="to", choices=", ".join(EscalationTarget.values)
        )
    when = _when(at, community, now=timezone.now(), field="at")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        existing = Escalation.objects.filter(incident=locked, target=to).first()
        if existing is not None:
            return EscalationResult(existing, created=False)
        if locked.status == IncidentStatus.CLOSED:
            raise InvalidInput("incident_closed", field="incident")
        if _minute(when) < _minute(locked.occurred_at):
            raise InvalidInput(
                "escalation_before_incident",
                field="at",
                occurred_at=locked.occurred_at.astimezone(community.tz).strftime("%Y-%m-%d %H:%M"),
            )
        when = max(when, locked.occurred_at)
        escalation = Escalation.objects.create(
            community=community, incident=locked, target=to, at=when, note=_text(note, 200), by=_actor(actor)
        )
        log_action(
            "incident.escalate",
            actor=actor,
            community=community,
            obj=locked,
            to=to,
            at=when.isoformat(),
        )
    return EscalationResult(escalation, created=True)


def close_incident(
    incident: Incident, *, outcome: str, actor: Any, at: dt.datetime | None = None
) -> Incident:
    """Close an open incident with its outcome (at least two characters), by a community worker,
    a sub-district admin, or the gate worker who raised it. Closing again with the same outcome
    returns it unchanged. Raises :class:`Forbidden`, ``incident_outcome_required``,
    ``incident_closed``, ``at_*``."""
    community = incident.community
    require_community(actor, community)
    if role_of(actor) not in CLOSERS and (
        incident.staff_id is None or incident.staff_id != getattr(actor, "pk", None)
    ):
        raise Forbidden("incident_close_forbidden")
    text = _text(outcome, 500)
    if len(text) < 2:
        raise InvalidInput("incident_outcome_required", field="outcome")
    when = _when(at, community, now=timezone.now(), field="at")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status == IncidentStatus.CLOSED:
            if locked.outcome == text:
                return locked
            raise InvalidInput("incident_closed", field="incident")
        locked.status = IncidentStatus.CLOSED
        locked.outcome = text
        locked.closed_at = when
        locked.closed_by = _actor(actor)
        locked.save(update_fields=["status", "outcome", "closed_at", "closed_by", "updated_at"])
        log_action("incident.close", actor=actor, community=community, obj=locked, outcome=text)
    return locked


# ---- photos -------------------------------------------------------------------------------


def clean_photo(data: bytes) -> CleanPhoto:
    """Check an uploaded photo and re-encode it. Pure: bytes in, bytes out.

    Told by content: only JPEG, PNG and WebP open (a GIF or a PDF renamed ``.jpg`` is refused);
    EXIF orientation is applied, then the picture is drawn again without any metadata (EXIF,
    GPS, XMP, comments, ICC) and scaled to at most ``PHOTO_SIDE`` px a side. Raises
    ``photo_empty``, ``photo_too_big`` (> 5 MB), ``photo_type``, ``photo_too_many_pixels``,
    ``photo_unreadable`` (damaged or truncated).
    """
    if not data:
        raise InvalidInput("photo_empty", field="photo")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput("photo_too_big", field="photo", size=f"{len(data) / 1024 / 1024:.1f}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(PHOTO_TYPES)) as probe:
                kind = str(probe.format)
                if probe.width * probe.height > MAX_PHOTO_PIXELS:
                    raise InvalidInput(
                        "photo_too_many_pixels", field="photo", width=probe.width, height=probe.height
                    )
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[kind]) as source:
                source.load()
                picture = ImageOps.exif_transpose(source)
    except UnidentifiedImageError:
        raise InvalidInput("photo_type", field="photo") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("photo_too_many_pixels", field="photo", width="?", height="?") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput("photo_unreadable", field="photo") from None
    keep_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if kind == "JPEG":
        picture = picture.convert("L" if picture.mode in ("L", "1") else "RGB")
    elif picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA" if keep_alpha else "RGB")
    picture.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    picture.info = {}  # nothing of the original's metadata rides along
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "WEBP", quality=85)
    return CleanPhoto(out.getvalue(), PHOTO_TYPES[kind], picture.width, picture.height)


def attach_photo(incident: Incident, *, data: bytes, actor: Any) -> IncidentPhoto:
    """Attach (or replace) the incident's photo while it is open, checked and re-encoded by
    :func:`clean_photo` before anything is written; the replaced photo's hash goes into the audit
    log. A closed incident is final, its photo included (the replaced one would be lost). Raises
    :class:`Forbidden`, ``incident_closed`` and the photo's codes."""
    community = incident.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    if incident.status == IncidentStatus.CLOSED:
        raise InvalidInput("incident_closed", field="incident")
    photo = clean_photo(data)
    digest = hashlib.sha256(photo.content).hexdigest()
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status == IncidentStatus.CLOSED:
            raise InvalidInput("incident_closed", field="incident")
        before = IncidentPhoto.objects.filter(incident=locked).values_list("sha256", flat=True).first()
        stored, _ = IncidentPhoto.objects.update_or_create(
            incident=locked,
            defaults={
                "community": community,
                "content": photo.content,
                "content_type": photo.content_type,
                "width": photo.width,
                "height": photo.height,
                "size": len(photo.content),
                "sha256": digest,
                "uploaded_by": _actor(actor),
                "uploaded_at": timezone.now(),
            },
        )
        log_action(
            "incident.photo",
            actor=actor,
            community=community,
            obj=locked,
            sha256=digest,
            size=len(photo.content),
            content_type=photo.content_type,
            received=len(data),
            replaced=before,
        )
    return stored


def view_incident_photo(incident: Incident, *, actor: Any) -> IncidentPhoto:
    """The incident's photo for someone of its community (any role), audited as a read of
    personal data. Raises :class:`Forbidden` and ``photo_missing``."""
    community = incident.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES, Role.HEALTH_STATION)
    photo = IncidentPhoto.objects.filter(incident=incident).first()
    if photo is None:
        raise NotFound("photo_missing", field="photo")
    log_action("incident.photo_view", actor=actor, community=community, obj=incident, sha256=photo.sha256)
    return photo


# ---- help given ---------------------------------------------------------------------------


def log_service(
    checkpoint: Checkpoint,
    *,
    kind: str,
    actor: Any,
    resident: int | None = None,
    person: str = "",
    note: str = "",
    occurred_at: dt.datetime | None = None,
    client_id: uuid.UUID | None = None,
) -> ServiceResult:
    """Log help given at ``checkpoint`` (a :class:`ServiceKind`) for a ``resident`` of the
    community or a ``person`` described in words, with a ``note``. Raises :class:`Forbidden`,
    ``service_kind_invalid``, ``resident_unknown``, ``service_for_whom_required``,
    ``occurred_at_*``, :class:`IdReusedDifferently`."""
    community = checkpoint.community
    require_community(actor, community)
    require_role(actor, *GATE_ROLES)
    if kind not in ServiceKind.values:
        raise InvalidInput("service_kind_invalid", field="kind", choices=", ".join(ServiceKind.values))
    at = _when(occurred_at, community, now=timezone.now())
    helped = _resident(community, resident)
    who = _text(person, 200)
    if helped is None and not who:
        raise InvalidInput("service_for_whom_required", field="person")
    what = _text(note, 500)
    fingerprint = write_fingerprint(
        checkpoint.pk,
        kind,
        helped.pk if helped else "",
        who,
        what,
        occurred_at.astimezone(dt.UTC).isoformat() if occurred_at else "",
    )
    seen = seen_before(ServiceLog, client_id, community.pk, fingerprint)
    if seen is not None:
        return ServiceResult(seen, created=False)
    try:
        with transaction.atomic():
            entry = ServiceLog.objects.create(
                id=client_id or uuid.uuid4(),
                community=community,
                checkpoint=checkpoint,
                kind=kind,
                resident=helped,
                person=who,
                note=what,
                occurred_at=at,
                local_date=community.local_date(at),
                staff=_actor(actor),
                fingerprint=fingerprint,
            )
            log_action(
                "service.log",
                actor=actor,
                community=community,
                obj=entry,
                kind=kind,
                checkpoint=checkpoint.code,
                resident=helped.pk if helped else None,
            )
    except IntegrityError:
        seen = seen_before(ServiceLog, client_id, community.pk, fingerprint)
        if seen is None:
            raise
        return ServiceResult(seen, created=False)
    return ServiceResult(entry, created=True)
