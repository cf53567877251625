"""Pages of the visitors app under ``/visitors/``: today's visits and deliveries per gate with who
is on site now, invitations (a community worker invites a visitor for a resident; the code and QR
to send), and the one-day visitor pass as an SVG QR for the gate page.

Views stay thin: the one write (an invitation) is :func:`~shouwang.visitors.services.invite_visitor`,
reads are :mod:`shouwang.visitors.selectors`, scoped to the user's communities, so another
community's visit or invitation is a 404 exactly like a missing one. Times shown are each
community's local times; names and phones are masked.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shouwang.core.access import READ_ONLY_ROLES, community_ids_for, role_of
from shouwang.core.audit import log_read
from shouwang.core.choices import Role
from shouwang.core.errors import NotFound, ShouwangError
from shouwang.core.messages import describe
from shouwang.people.selectors import search_people
from shouwang.places.models import Checkpoint, Community
from shouwang.quarantine.forms import DOCUMENT_TYPE_WORDS, ServiceForm, current_lang, words
from shouwang.visitors import selectors
from shouwang.visitors.choices import Handoff, InvitationStatus, Platform
from shouwang.visitors.models import Delivery, Invitation, Visit
from shouwang.visitors.services import (
    GATE_ROLES,
    INVITERS,
    HostIn,
    VisitorIn,
    invitation_qr,
    invite_visitor,
    policies,
    visit_pass_qr,
)

View = Callable[..., HttpResponse]

# Who reads visits and deliveries: the gates, the community and the health station (tracing),
# as the API allows; only community workers and admins invite.
READERS = (*GATE_ROLES, Role.HEALTH_STATION, *READ_ONLY_ROLES)
LIST_LIMIT = 300
# The platforms' names as riders and residents say them (EMS is 邮政速递 in Chinese words).
PLATFORM_WORDS: dict[str, Any] = {
    Platform.MEITUAN: gettext_lazy("Meituan"),
    Platform.ELEME: gettext_lazy("Ele.me"),
    Platform.SF: gettext_lazy("SF Express"),
    Platform.JD: gettext_lazy("JD"),
    Platform.EMS: gettext_lazy("EMS"),
    Platform.OTHER: gettext_lazy("Other platform"),
}
# One-tap reasons on the invitation form (stored as the words shown).
REASONS = (
    gettext_lazy("Family visit"),
    gettext_lazy("Bringing supplies"),
    gettext_lazy("Repairs"),
    gettext_lazy("Care for the elderly"),
    gettext_lazy("Work"),
)


def roles(*allowed: str) -> Callable[[View], View]:
    """Log-in required (else the log-in page), and one of ``allowed`` roles (else 403)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def outsider_nav(user: Any, here: str) -> list[tuple[str, str, bool]]:
    """The outsider pages this user's role may open, as ``(url, words, current)``; shared with
    the incidents pages."""
    role = role_of(user)
    links = [("today", reverse("visitors:today"), _("Today's visitors"))]
    if role in INVITERS:
        links.append(("invitations", reverse("visitors:invitations"), _("Invitations")))
    links += [
        ("incidents", reverse("incidents:list"), _("Incidents")),
        ("services", reverse("incidents:services"), _("Help given")),
    ]
    if role in GATE_ROLES and role != Role.SUBDISTRICT_ADMIN:
        links.insert(0, ("gate", reverse("gate-home"), _("Gate")))
    return [(url, text, key == here) for key, url, text in links]


def decision_words(decision: str) -> str:
    """The decision's label in the page's language (``放行`` / ``Admit``)."""
    return describe(f"decision_{decision}", current_lang())


# ---- 1. today at the gates ---------------------------------------------------------------------


@dataclass
class GateRow:
    """One gate's outsiders on the day (see :func:`selectors.gate_day`): visits by decision,
    people admitted, exits through it, invitations used, deliveries by handoff."""

    gate: Checkpoint
    day: dict[str, Any]

    @property
    def visits(self) -> int:
        return int(sum(self.day["visits"]["by_decision"].values()))

    @property
    def deliveries(self) -> int:
        return int(self.day["deliveries"]["gate"] + self.day["deliveries"]["entered"])


@dataclass
class VisitRow:
    visit: Visit
    time: str
    out: str
    decision: str


@dataclass
class DeliveryRow:
    delivery: Delivery
    time: str
    platform: str
    handoff: str
    decision: str


def _local_hm(instant: dt.datetime | None, community: Community) -> str:
    return instant.astimezone(community.tz).strftime("%H:%M") if instant else ""


def _visit_row(v: Visit) -> VisitRow:
    out = _local_hm(v.out_at, v.community)
    if v.out_at and v.exit_inferred:
        out = _("left (not scanned)")
    return VisitRow(v, _local_hm(v.in_at, v.community), out, decision_words(v.decision))


@roles(*READERS)
@require_GET
def today_page(request: HttpRequest) -> HttpResponse:
    """Visits and deliveries at each gate on a local date (``?date=YYYY-MM-DD``, default today),
    counted apart, and the visitors on site now (admitted, no exit yet, any day) of the same
    communities. ``?checkpoint=<code>`` narrows to one gate (a gate of another community is 404)."""
    user = request.user
    gates = selectors.user_gates(user)
    code = request.GET.get("checkpoint", "").strip().lower()
    gate = next((g for g in gates if g.code == code), None)
    if code and gate is None:
        raise Http404(code)
    community = gate.community if gate else (gates[0].community if gates else None)
    today = community.local_date(timezone.now()) if community else timezone.localdate()
    day, date_error = _date_param(request.GET.get("date", ""), today)
    rows = [GateRow(g, selectors.gate_day(g, day)) for g in ([gate] if gate else gates)]
    visits = [_visit_row(v) for v in selectors.list_visits(user, day=day, checkpoint=gate, limit=LIST_LIMIT)]
    on_site = [
        _visit_row(v)
        for v in selectors.list_visits(
            user, community=gate.community if gate else None, on_site=True, limit=LIST_LIMIT
        )
    ]
    lang = current_lang()
    deliveries = [
        DeliveryRow(
            d,
            _local_hm(d.occurred_at, d.community),
            str(PLATFORM_WORDS.get(d.platform, d.platform)),
            words(Handoff(d.handoff).label, lang),
            decision_words(d.decision),
        )
        for d in selectors.list_deliveries(user, day=day, checkpoint=gate, limit=LIST_LIMIT)
    ]
    return render(
        request,
        "visitors/today.html",
        {
            "gates": gates,
            "gate": gate,
            "day": day,
            "today": today,
            "date_error": date_error,
            "rows": rows,
            "visits": visits,
            "on_site": on_site,
            "deliveries": deliveries,
            "totals": {
                "visits": sum(r.visits for r in rows),
                "admitted": sum(int(r.day["visits"]["admitted"]) for r in rows),
                "deliveries": sum(r.deliveries for r in rows),
                "on_site": len(on_site),
            },
            "nav": outsider_nav(user, "today"),
        },
    )


def _date_param(raw: str, default: dt.date) -> tuple[dt.date, str]:
    """``(date, error)``: the local date asked for, else ``default`` with a clear error."""
    if not raw.strip():
        return default, ""
    try:
        return dt.date.fromisoformat(raw.strip()), ""
    except ValueError:
        return default, _("“%(raw)s” is not a date: use YYYY-MM-DD. Showing today.") % {"raw": raw[:12]}


# ---- 2. invitations --------------------------------------------------------------------------


class InviteForm(ServiceForm):
    """Invite a visitor for a date on a resident's behalf (their household is the host) or to a
    household or institution picked from the type-ahead. The hidden ids are set by the
    type-ahead; a name typed but not picked is refused with a clear word."""

    field_aliases: ClassVar[dict[str, str]] = {
        "on_behalf_of": "resident_search",
        "host": "host_search",
        "visitor": "name",
    }

    community = forms.TypedChoiceField(label=gettext_lazy("Community"), coerce=int)
    on_behalf_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    resident_search = forms.CharField(
        label=gettext_lazy("On behalf of (resident's name or pinyin initials)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "data-pick": "resident"}),
    )
    host_kind = forms.CharField(required=False, widget=forms.HiddenInput, max_length=12)
    host_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    host_search = forms.CharField(
        label=gettext_lazy("Visiting (household or institution)"),
        help_text=gettext_lazy("Leave empty to use the resident's household."),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "data-pick": "host"}),
    )
    name = forms.CharField(label=gettext_lazy("Visitor's name"), max_length=100)
    phone = forms.CharField(
        label=gettext_lazy("Visitor's mobile phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    id_type = forms.ChoiceField(label=gettext_lazy("Document"), required=False)
    id_number = forms.CharField(
        label=gettext_lazy("Document number (may wait for the gate)"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    visit_date = forms.DateField(
        label=gettext_lazy("Date of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=gettext_lazy("Reason for the visit"), max_length=200)
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, communities: list[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.ChoiceField)
        community.choices = [(c.pk, c.name) for c in communities]
        if len(communities) == 1:
            community.widget = forms.HiddenInput()
        id_type = self.fields["id_type"]
        assert isinstance(id_type, forms.ChoiceField)
        id_type.choices = [(value, str(text)) for value, text in DOCUMENT_TYPE_WORDS.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("resident_search") or "").strip() and not data.get("on_behalf_of"):
            self.add_error("resident_search", _("Pick the resident from the list, or leave it empty."))
        if (data.get("host_search") or "").strip() and not data.get("host_id"):
            self.add_error("host_search", _("Pick the household or institution from the list."))
        return data

    def host_in(self) -> HostIn | None:
        kind, pk = self.cleaned_data.get("host_kind"), self.cleaned_data.get("host_id")
        return HostIn(kind, pk) if kind and pk else None

    def visitor_in(self) -> VisitorIn:
        d = self.cleaned_data
        return VisitorIn(name=d["name"], phone=d["phone"], id_type=d["id_type"], id_number=d["id_number"])


@dataclass
class InvitationRow:
    invitation: Invitation
    status: str
    used_at: str


def _invitation_row(inv: Invitation) -> InvitationRow:
    used = inv.used_at.astimezone(inv.community.tz).strftime("%m-%d %H:%M") if inv.used_at else ""
    return InvitationRow(inv, words(InvitationStatus(inv.status).label), used)


@roles(*READERS)
def invitations_page(request: HttpRequest) -> HttpResponse:
    """Invitations from today on (local), and for community workers and admins the form to
    invite a visitor (POST → the invitation's page with its code and QR to send)."""
    user = request.user
    communities = selectors.user_communities(user)
    if not communities:
        raise PermissionDenied
    can_invite = role_of(user) in INVITERS
    form: InviteForm | None = None
    if request.method == "POST":
        if not can_invite:
            raise PermissionDenied
        form = InviteForm(request.POST, communities=communities)
        if form.is_valid():
            community = next(c for c in communities if c.pk == form.cleaned_data["community"])
            try:
                result = invite_visitor(
                    community,
                    visitor=form.visitor_in(),
                    visit_date=form.cleaned_data["visit_date"],
                    actor=user,
                    host=form.host_in(),
                    on_behalf_of=form.cleaned_data.get("on_behalf_of"),
                    reason=form.cleaned_data["reason"],
                    client_id=form.cleaned_data["client_id"],
                )
            except ShouwangError as err:
                form.add_service_error(err)
            else:
                messages.success(request, _("Invitation made. Send the code or the QR to the visitor."))
                return redirect("visitors:invitation", invitation_id=result.invitation.pk)
    today = communities[0].local_date(timezone.now())
    if form is None and can_invite:
        form = InviteForm(
            communities=communities,
            initial={"community": communities[0].pk, "visit_date": today, "client_id": uuid.uuid4()},
        )
    outsider = policies(communities[0])[1]
    return render(
        request,
        "visitors/invitations.html",
        {
            "form": form,
            "rows": [_invitation_row(i) for i in selectors.upcoming_invitations(user, since=today)],
            "today": today,
            "last_day": today + dt.timedelta(days=outsider.invitation_days_ahead),
            "reasons": [str(r) for r in REASONS],
            "nav": outsider_nav(user, "invitations"),
            "config": {
                "residents": reverse("visitors:residents"),
                "hosts": "/api/v1/visitors/hosts",
                "communities": {str(c.pk): c.code for c in communities},
                "noMatch": _("No match. Check the spelling or try pinyin initials."),
            },
        },
    )


@roles(*READERS)
@require_GET
def invitation_page(request: HttpRequest, invitation_id: str) -> HttpResponse:
    """One invitation: the 8-character code and the signed QR to send to the visitor, with
    the visit's date, host and reason; whether it was used."""
    try:
        inv = selectors.get_invitation(request.user, invitation_id)
    except NotFound:
        raise Http404("invitation") from None
    # One named visitor's invitation: a read of their record (DESIGN.md §4); one INSERT.
    log_read(inv, actor=request.user, via="page")
    day = inv.visit_date.isoformat()
    share = _("Your visit to %(community)s on %(day)s is arranged. At the gate, show this code: %(code)s") % {
        "community": inv.community.name,
        "day": day,
        "code": inv.code,
    }
    return render(
        request,
        "visitors/invitation.html",
        {
            "row": _invitation_row(inv),
            "inv": inv,
            "qr": _qr_svg(invitation_qr(inv), scale=5),
            "code_spaced": f"{inv.code[:4]} {inv.code[4:]}",
            "share": share,
            "sms": "sms:?&body=" + quote(share),
            "nav": outsider_nav(request.user, "invitations"),
        },
    )


@roles(*INVITERS)
@require_GET
def residents_json(request: HttpRequest) -> JsonResponse:
    """``?community=<id>&q=`` → residents of that community (one of the user's) by name or
    pinyin initials: ``[{id, name (masked), id_masked, where}]``; 404 for another community."""
    try:
        community_id = int(request.GET.get("community", ""))
    except ValueError:
        raise Http404("community") from None
    if community_id not in community_ids_for(request.user):
        raise Http404("community")
    community = next(c for c in selectors.user_communities(request.user) if c.pk == community_id)
    hits = [h for h in search_people(community, request.GET.get("q", "")[:40]) if h.kind == "resident"]
    return JsonResponse(
        [{"id": h.id, "name": h.masked_name, "id_masked": h.id_masked, "where": h.where} for h in hits],
        safe=False,
    )


# ---- 3. the visitor pass --------------------------------------------------------------------


@roles(*READERS)
@require_GET
def pass_svg(request: HttpRequest, visit_id: str) -> HttpResponse:
    """The admitted visit's one-day pass as an SVG QR (the signed ``SWV1`` payload), for the gate
    page to show large enough to photograph. 404 for a visit not admitted, another community's,
    or none."""
    try:
        visit = selectors.get_visit(request.user, visit_id)
    except NotFound:
        raise Http404("visit") from None
    payload = visit_pass_qr(visit)
    if not payload:
        raise Http404("visit not admitted")
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="svg", scale=4, border=3, dark="#000")
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# ---- helpers ----------------------------------------------------------------------------------


def _qr_svg(text: str, *, scale: int = 4) -> SafeString:
    """An inline SVG QR code of ``text`` (segno; our own signed payload, so safe to inline)."""
    svg = segno.make(text, error="m", micro=False).svg_inline(scale=scale, dark="#1d2a33", omitsize=False)
    return mark_safe(svg)  # noqa: S308 - segno output of a payload we signed  # nosec B308 B703
