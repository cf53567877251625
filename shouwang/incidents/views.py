"""Pages of the incidents app under ``/incidents/``: the open incidents, one incident (escalate
with the time, close with the outcome, its photo), the photo itself through the audited read,
and the help given at the gates.

Views stay thin: writes are :func:`~shouwang.incidents.services.escalate_incident`,
:func:`~shouwang.incidents.services.close_incident` and
:func:`~shouwang.incidents.services.attach_photo`; the photo is served only through
:func:`~shouwang.incidents.services.view_incident_photo`, which audits the read. Reads are
:mod:`shouwang.incidents.selectors`, scoped to the user's communities: another community's
incident is a 404 exactly like a missing one. Times are each community's local times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shouwang.core.access import role_of
from shouwang.core.audit import log_read
from shouwang.core.errors import InvalidInput, NotFound, ShouwangError
from shouwang.incidents import selectors
from shouwang.incidents.choices import EscalationTarget, IncidentKind, IncidentStatus, ServiceKind, Severity
from shouwang.incidents.models import Escalation, Incident, ServiceLog
from shouwang.incidents.services import (
    CLOSERS,
    GATE_ROLES,
    MAX_PHOTO_BYTES,
    attach_photo,
    close_incident,
    escalate_incident,
    view_incident_photo,
)
from shouwang.places.models import Checkpoint
from shouwang.quarantine.forms import ServiceForm, current_lang, words
from shouwang.visitors.selectors import user_gates
from shouwang.visitors.views import READERS, outsider_nav, roles

LIST_LIMIT = 200
STATUSES = ("open", "closed", "all")


def _local(instant: dt.datetime | None, tz: Any, fmt: str = "%m-%d %H:%M") -> str:
    return instant.astimezone(tz).strftime(fmt) if instant else ""


def _gate_param(request: HttpRequest, gates: list[Checkpoint]) -> Checkpoint | None:
    """The gate ``?checkpoint=<code>`` names among the user's; 404 for any other code."""
    code = request.GET.get("checkpoint", "").strip().lower()
    gate = next((g for g in gates if g.code == code), None)
    if code and gate is None:
        raise Http404(code)
    return gate


def _day_param(request: HttpRequest) -> tuple[dt.date | None, str]:
    """``(date, error)`` from ``?date=YYYY-MM-DD`` (local); None when not asked for."""
    raw = request.GET.get("date", "").strip()
    if not raw:
        return None, ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return None, _("“%(raw)s” is not a date: use YYYY-MM-DD.") % {"raw": raw[:12]}


# ---- 1. the incidents ------------------------------------------------------------------------


@dataclass
class IncidentRow:
    incident: Incident
    when: str
    kind: str
    severity: str
    status: str
    escalations: list[str]
    who: str


def _row(i: Incident) -> IncidentRow:
    lang = current_lang()
    tz = i.community.tz
    return IncidentRow(
        incident=i,
        when=_local(i.occurred_at, tz),
        kind=words(IncidentKind(i.kind).label, lang),
        severity=words(Severity(i.severity).label, lang),
        status=words(IncidentStatus(i.status).label, lang),
        escalations=[
            f"{words(EscalationTarget(e.target).label, lang)} {_local(e.at, tz, '%H:%M')}"
            for e in sorted(i.escalations.all(), key=lambda e: e.at)
        ],
        who=i.resident.masked_name if i.resident else i.people,
    )


@roles(*READERS)
@require_GET
def list_page(request: HttpRequest) -> HttpResponse:
    """Incidents of the user's communities, newest first: ``?status=open`` (default) | ``closed``
    | ``all``, ``?date=`` (local), ``?checkpoint=<code>``. Two queries for the rows."""
    user = request.user
    gates = user_gates(user)
    gate = _gate_param(request, gates)
    day, date_error = _day_param(request)
    status = request.GET.get("status", "open")
    if status not in STATUSES:
        status = "open"
    rows = selectors.list_incidents(
        user,
        status=None if status == "all" else status,
        day=day,
        checkpoint=gate,
        limit=LIST_LIMIT,
    )
    return render(
        request,
        "incidents/list.html",
        {
            "rows": [_row(i) for i in rows],
            "status": status,
            "statuses": [
                ("open", _("Open")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "gates": gates,
            "gate": gate,
            "day": day,
            "date_error": date_error,
            "nav": outsider_nav(user, "incidents"),
        },
    )


class EscalateForm(ServiceForm):
    """Hand the incident to the police station, the health station or the community at a local
    time (default now)."""

    field_aliases: ClassVar[dict[str, str]] = {"to": "to", "at": "at", "occurred_at": "at"}

    to = forms.ChoiceField(label=gettext_lazy("Escalate to"), widget=forms.RadioSelect)
    at = forms.DateTimeField(
        label=gettext_lazy("At (local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = [(value, words(label)) for value, label in EscalationTarget.choices]


class CloseForm(ServiceForm):
    """Close with the outcome. The outcome is checked by the service (``incident_outcome_required``
    says what to write), not by the form's generic "required"."""

    field_aliases: ClassVar[dict[str, str]] = {"incident": "outcome"}

    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. persuaded to leave; taken by the police station"),
    )


class PhotoForm(ServiceForm):
    photo = forms.FileField(
        label=gettext_lazy("Photo (JPEG, PNG or WebP, up to 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


ACTIONS = ("escalate", "close", "photo")


@roles(*READERS)
def incident_page(request: HttpRequest, incident_id: str) -> HttpResponse:
    """One incident: what, where, when, who, its escalations with their times and its outcome;
    POST ``action`` = ``escalate`` (gate staff, workers, admins), ``close`` (workers, admins, or
    whoever recorded it) or ``photo`` (attach or replace), each coming back here. The photo is
    shown only on request, through :func:`photo_view` (audited)."""
    user = request.user
    incident = _incident_or_404(user, incident_id)
    tz = incident.community.tz
    role = role_of(user)
    is_open = incident.status == IncidentStatus.OPEN
    can_escalate = is_open and role in GATE_ROLES
    can_close = is_open and (role in CLOSERS or (incident.staff_id and incident.staff_id == user.pk))
    can_photo = is_open and role in GATE_ROLES
    now_local = timezone.now().astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
    escalate = EscalateForm(
        prefix="escalate", initial={"at": now_local, "to": EscalationTarget.POLICE_STATION}
    )
    close = CloseForm(prefix="close")
    photo = PhotoForm(prefix="photo")
    opened = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404(action)
        allowed = {"escalate": can_escalate, "close": can_close, "photo": can_photo}[action]
        if not allowed:
            # A closed incident says so; anything else is a role that may not.
            if not is_open:
                messages.error(request, InvalidInput("incident_closed").message(current_lang()))
                return redirect("incidents:incident", incident_id=incident.pk)
            raise PermissionDenied
        opened = action
        if action == "escalate":
            escalate = EscalateForm(request.POST, prefix="escalate")
            if escalate.is_valid() and _escalate(request, incident, escalate):
                return redirect("incidents:incident", incident_id=incident.pk)
        elif action == "close":
            close = CloseForm(request.POST, prefix="close")
            if close.is_valid() and _close(request, incident, close):
                return redirect("incidents:incident", incident_id=incident.pk)
        else:
            photo = PhotoForm(request.POST, request.FILES, prefix="photo")
            if photo.is_valid() and _photo(request, incident, photo):
                return redirect("incidents:incident", incident_id=incident.pk)
    lang = current_lang()
    escalations: list[tuple[Escalation, str, str]] = [
        (e, words(EscalationTarget(e.target).label, lang), _local(e.at, tz, "%Y-%m-%d %H:%M"))
        for e in sorted(incident.escalations.all(), key=lambda e: e.at)
    ]
    if incident.resident_id or incident.screening_id:
        # An incident with a person is a read of their record (DESIGN.md §4); one INSERT.
        log_read(incident, actor=user, via="page")
    return render(
        request,
        "incidents/incident.html",
        {
            "row": _row(incident),
            "incident": incident,
            "occurred": _local(incident.occurred_at, tz, "%Y-%m-%d %H:%M"),
            "closed_at": _local(incident.closed_at, tz, "%Y-%m-%d %H:%M"),
            "staff_name": _display_name(incident.staff),
            "closed_by": _display_name(incident.closed_by),
            "escalations": escalations,
            "has_photo": bool(getattr(incident, "has_photo", False)),
            "forms": {"escalate": escalate, "close": close, "photo": photo},
            "opened": opened,
            "can_escalate": can_escalate,
            "can_close": can_close,
            "can_photo": can_photo,
            "nav": outsider_nav(user, "incidents"),
        },
    )


def _escalate(request: HttpRequest, incident: Incident, form: EscalateForm) -> bool:
    data = form.cleaned_data
    at = data["at"]
    if timezone.is_naive(at):
        at = at.replace(tzinfo=incident.community.tz)
    try:
        result = escalate_incident(incident, to=data["to"], actor=request.user, at=at, note=data["note"])
    except ShouwangError as err:
        form.add_service_error(err)
        return False
    target = words(EscalationTarget(data["to"]).label)
    if result.created:
        messages.success(request, _("Escalated to %(target)s.") % {"target": target})
    else:
        messages.info(request, _("Already escalated to %(target)s.") % {"target": target})
    return True


def _close(request: HttpRequest, incident: Incident, form: CloseForm) -> bool:
    try:
        close_incident(incident, outcome=form.cleaned_data["outcome"], actor=request.user)
    except ShouwangError as err:
        form.add_service_error(err)
        return False
    messages.success(request, _("Incident closed."))
    return True


def _photo(request: HttpRequest, incident: Incident, form: PhotoForm) -> bool:
    upload = form.cleaned_data["photo"]
    try:
        if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
            raise InvalidInput("photo_too_big", field="photo", size=f"{upload.size / 1024 / 1024:.1f}")
        attach_photo(incident, data=upload.read(MAX_PHOTO_BYTES + 1), actor=request.user)
    except ShouwangError as err:
        form.add_service_error(err)
        return False
    messages.success(request, _("Photo attached."))
    return True


@roles(*READERS)
@require_GET
def photo_view(request: HttpRequest, incident_id: str) -> HttpResponse:
    """The incident's photo, read through the audited service (``incident.photo_view``), never
    cached; 404 when there is none or the incident is not the user's to see."""
    incident = _incident_or_404(request.user, incident_id)
    try:
        stored = view_incident_photo(incident, actor=request.user)
    except NotFound:
        raise Http404("photo") from None
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="incident-{incident.pk}"'
    return response


# ---- 2. help given ---------------------------------------------------------------------------


@dataclass
class ServiceRow:
    entry: ServiceLog
    when: str
    kind: str
    whom: str
    by: str


@roles(*READERS)
@require_GET
def services_page(request: HttpRequest) -> HttpResponse:
    """Help given at the gates of the user's communities on a local date (``?date=``, default
    today), newest first; ``?checkpoint=<code>`` narrows to one gate. One query for the rows."""
    user = request.user
    gates = user_gates(user)
    gate = _gate_param(request, gates)
    asked, date_error = _day_param(request)
    community = gate.community if gate else (gates[0].community if gates else None)
    day = asked or (community.local_date(timezone.now()) if community else timezone.localdate())
    lang = current_lang()
    rows = [
        ServiceRow(
            s,
            _local(s.occurred_at, s.community.tz, "%H:%M"),
            words(ServiceKind(s.kind).label, lang),
            s.resident.masked_name if s.resident else s.person,
            _display_name(s.staff),
        )
        for s in selectors.list_services(user, day=day, checkpoint=gate, limit=LIST_LIMIT)
    ]
    return render(
        request,
        "incidents/services.html",
        {
            "rows": rows,
            "day": day,
            "date_error": date_error,
            "gates": gates,
            "gate": gate,
            "nav": outsider_nav(user, "services"),
        },
    )


# ---- helpers ----------------------------------------------------------------------------------


def _incident_or_404(user: Any, incident_id: str) -> Incident:
    """:func:`selectors.get_incident` as a 404: another community's incident looks like none."""
    try:
        return selectors.get_incident(user, incident_id)
    except NotFound:
        raise Http404("incident") from None


def _display_name(user: Any) -> str:
    if user is None:
        return "—"
    staff = getattr(user, "staff", None)
    return str(staff.display_name) if staff is not None else str(user.get_username())
