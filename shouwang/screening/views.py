"""The gate page: one screen for a gate worker's whole day (issues "The gate page" and
"Outsiders at the gate": visitors, delivery riders, incidents and help given, each a sheet over
the same page that posts to the JSON API with the session)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouwang.core.access import community_ids_for
from shouwang.core.errors import NotFound
from shouwang.core.messages import MESSAGES
from shouwang.incidents.choices import IncidentKind, ServiceKind, Severity
from shouwang.places.models import Checkpoint
from shouwang.places.selectors import get_checkpoint
from shouwang.quarantine.forms import DOCUMENT_TYPE_WORDS
from shouwang.roster.views import duty_strip
from shouwang.visitors.choices import Platform
from shouwang.visitors.services import policies
from shouwang.visitors.views import PLATFORM_WORDS

SESSION_KEY = "gate_checkpoint"


@login_required
def gate_home(request: HttpRequest) -> HttpResponse:
    """Straight to the gate the worker last stood at (or their only one); else a picker."""
    gates = list(
        Checkpoint.objects.filter(community_id__in=community_ids_for(request.user), active=True)
        .select_related("community")
        .order_by("community__name", "code")
    )
    codes = {g.code for g in gates}
    remembered = request.session.get(SESSION_KEY)
    if remembered in codes and "pick" not in request.GET:
        return redirect("gate-page", code=remembered)
    if len(gates) == 1:
        return redirect("gate-page", code=gates[0].code)
    return render(request, "screening/gate_pick.html", {"gates": gates})


@login_required
def gate_page(request: HttpRequest, code: str) -> HttpResponse:
    """The screening page for one checkpoint; it talks to ``/api/v1`` with the session."""
    try:
        gate = get_checkpoint(code, user=request.user)
    except NotFound:
        raise Http404(code) from None
    request.session[SESSION_KEY] = gate.code
    lang = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh-hans"
    outsider = policies(gate.community)[1]
    duty = duty_strip(request.user, gate)
    decisions = {d: MESSAGES[f"decision_{d}"][1 if lang == "en" else 0] for d in _DECISIONS}
    config = {
        "checkpoint": gate.code,
        "api": "/api/v1",
        "lang": lang,
        "timezone": gate.community.timezone,
        "decisions": decisions,
        "retestSeconds": {
            "fever_first_reading": 180,
            "temperature_implausible": 30,
            "temperature_missing": 0,
        },
        "text": {
            "search_empty": _("Nobody by that name here. Check the spelling or register them as a visitor."),
            "network": _("No answer from the server. Check the network and try again."),
            "pass_status": {
                "valid": _("valid"),
                "expired": _("expired"),
                "revoked": _("revoked"),
                "not_yet_valid": _("not yet valid"),
            },
            "until": _("until"),
            "quarantine": _("Home quarantine until"),
            "retest_in": _("Retest in"),
            "retest_now": _("Retest now"),
            "in": _("In"),
            "out": _("Out"),
            "no_pass": _("No pass on file"),
            "camera": _("Cannot open the camera: allow camera access, or use a scanner or type the number."),
            "decoder": _("This browser cannot read QR codes: use a scanner or type the number."),
            "session_expired": _("Your log-in has ended. Reload the page and log in again."),
            **_outsider_text(),
        },
        "outsiders": {
            "documentRequired": outsider.visitor_document_required,
            "ridersEnter": outsider.riders_enter,
            # The visitor pass as an SVG QR, by the visit's id (replace the zeros).
            "passSvg": reverse("visitors:pass-svg", args=[_ZERO_UUID]),
            "incidentPage": reverse("incidents:incident", args=[_ZERO_UUID]),
            "zero": _ZERO_UUID,
        },
        "duty": _duty_config() if duty else None,
    }
    return render(
        request,
        "screening/gate.html",
        {
            "gate": gate,
            "config": config,
            "pick_url": reverse("gate-home") + "?pick=1",
            "document_required": outsider.visitor_document_required,
            "riders_enter": outsider.riders_enter,
            "platforms": [(value, str(PLATFORM_WORDS[value])) for value in Platform.values],
            "incident_kinds": _choices(IncidentKind.choices, lang),
            "severities": _choices(Severity.choices, lang),
            "service_kinds": _choices(ServiceKind.choices, lang),
            "document_types": [(value, str(words)) for value, words in DOCUMENT_TYPE_WORDS.items()],
            "visit_reasons": [str(r) for r in _VISIT_REASONS],
            "today_url": reverse("visitors:today") + f"?checkpoint={gate.code}",
            "incidents_url": reverse("incidents:list"),
            "duty": duty,
            "my_shifts_url": reverse("roster:mine"),
        },
    )


def _duty_config() -> dict[str, Any]:
    """Where the duty strip signs in and out, and the words it builds in script ({0}, {1}…
    filled in: local ``HH:MM``, hours)."""
    return {
        "signIn": "/api/v1/attendance/sign-in",
        "signOut": "/api/v1/attendance/sign-out",
        "text": {
            "here": _("On duty here since {0}"),
            "signed_out": _("Signed out at {0}: {1} h on duty."),
        },
    }


_ZERO_UUID = "00000000-0000-0000-0000-000000000000"
# One-tap reasons for a visit (the words are stored as typed, in the page's language).
_VISIT_REASONS = (
    gettext_lazy("Family visit"),
    gettext_lazy("Bringing supplies"),
    gettext_lazy("Repairs"),
    gettext_lazy("Care for the elderly"),
    gettext_lazy("Work"),
)


def _choices(choices: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """``(value, words)`` of a bilingual ``"中文 English"`` choice list in the page's language."""
    out = []
    for value, label in choices:
        zh, _sep, en = str(label).partition(" ")
        out.append((value, en if lang == "en" and en else zh))
    return out


def _outsider_text() -> dict[str, str]:
    """Words the outsider sheets build in script (everything else is in the template)."""
    return {
        # Numbered blanks ({0}, {1}…) are filled in by the script.
        "visit_known": _("Known visitor · visits: {0} · last: {1}"),
        "on_site_open": _("Their last visit has no exit yet: it will be closed now."),
        "invitation": _("Invitation"),
        "invitation_used": _("This invitation was already used."),
        "invitation_other_day": _("This invitation is for another day:"),
        "from_screening": _("Reading taken just now: {0} · {1}"),
        "mask_on": _("mask"),
        "mask_off": _("no mask"),
        "pass_valid_on": _("Visitor pass: valid on {0} only, at every gate of this community."),
        "handoff_gate": _("Hand over at the gate"),
        "handoff_entered": _("May enter"),
        "pick_host": _("Pick the household or institution from the list."),
        "no_hosts": _("No household or institution matches. Try the address, a resident's name or pinyin."),
        "no_people": _("No resident matches. Describe the person instead."),
        "incident_saved": _("Incident recorded: {0}."),
        "photo_saved": _("Photo attached."),
        "photo_failed": _("The incident is recorded without the photo:"),
        "photo_retry": _("Upload the photo again"),
        "service_saved": _("Help given recorded:"),
        "linked_to": _("From the screening at {0}: {1} ({2})"),
        "unnamed": _("someone without a pass of ours"),
        "open_incident": _("Open the incident"),
        "pick_platform": _("Pick the platform."),
        "pick_kind": _("Pick what happened."),
        "pick_service": _("Pick the kind of help."),
    }


_DECISIONS = ("admit", "retest", "refer", "deny", "register")
