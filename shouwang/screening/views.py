"""The gate page: one screen for a gate worker's whole day (issues "The gate page" and
"Outsiders at the gate": visitors, delivery riders, incidents and help given, each a sheet over
the same page that posts to the JSON API with the session)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

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
        "offline": _offline_config(gate.code, lang),
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


def _offline_config(code: str, lang: str) -> dict[str, Any]:
    """What gate-offline.js needs: where the bundle, the batch and the worker are, the words of
    the sync strip ({0} filled in by the script) and of every reason the offline decision can
    give (``{until}``, ``{c}``… filled in by the script, as :func:`describe` does)."""
    return {
        "bundle": reverse("api:offline_bundle", kwargs={"code": code}),
        "batch": reverse("api:create_batch"),
        "worker": reverse("gate-service-worker"),
        "reasons": {c: MESSAGES[c][1 if lang == "en" else 0] for c in _OFFLINE_REASONS},
        "text": {
            "unsynced": _("{0} unsynced"),
            "last_sync": _("last sync {0}"),
            "never_synced": _("not synced yet"),
            "offline": _("Offline"),
            "offline_decision": _("Decided offline: the server decides again when it syncs."),
            "changed": _("offline: {0} → server: {1}"),
            "not_synced": _("not synced"),
            "refused": _("refused: {0}"),
            "discard": _("Remove"),
            "ident": _("No network: scan a resident's pass or type its number."),
            "no_bundle": _("No network, and this phone has no offline list yet: connect once to load it."),
            "pass_unknown": _("This pass number is not in the offline list: check it, or scan the pass."),
            "person_offline": _("(checked offline)"),
        },
    }


# Every reason code the offline decision can give (gate-offline.js), and a temperature typo.
_OFFLINE_REASONS = (
    "pass_valid",
    "pass_expired",
    "pass_not_yet_valid",
    "pass_revoked",
    "pass_forged",
    "not_a_pass",
    "pass_other_community",
    "pass_checkpoint_not_allowed",
    "person_unknown",
    "checkpoint_closed",
    "fever_referred_recently",
    "quarantine_active",
    "quarantine_noted",
    "no_mask",
    "mask_unchecked",
    "temperature_normal",
    "temperature_missing",
    "temperature_implausible",
    "temperature_converted_f",
    "fever_first_reading",
    "fever_confirmed",
    "retest_normal",
    "temperature_unreadable",
)

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


# What the gate page needs with no network (its HTML is kept by the worker as it is loaded).
GATE_SHELL = (
    "screening/gate.css",
    "screening/gate-offline.js",
    "screening/gate.js",
    "screening/vendor/jsQR.js",
    "screening/gate-camera.js",
)
_WORKER = Path(__file__).resolve().parent / "static" / "screening" / "gate-sw.js"


def _shell_digest(worker: bytes) -> str:
    """A digest of the worker and the shell's files: a changed file is a new cache name, so
    the device drops the old copies on the next load."""
    digest = hashlib.sha256(worker)
    for name in GATE_SHELL:
        digest.update(name.encode())
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def gate_service_worker(request: HttpRequest) -> HttpResponse:
    """``/gate/sw.js``: the gate page's service worker (scope ``/gate/``), with the list of
    static files to keep and its cache name put in front of ``static/screening/gate-sw.js``.
    Served by a view, not from ``/static/``, because a worker only controls pages under its
    own path. No log-in needed: it holds no data (the page and API still ask for the session)."""
    worker = _WORKER.read_bytes()
    shell = [static(name) for name in GATE_SHELL]
    head = f'const SHELL = {json.dumps(shell)};\nconst CACHE = "gate-{_shell_digest(worker)}";\n'
    response = HttpResponse(head.encode() + worker, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/gate/"
    # The browser checks for a new worker on each visit; never serve it a stale copy.
    response["Cache-Control"] = "no-cache"
    return response
