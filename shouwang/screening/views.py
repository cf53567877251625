"""The gate page: one screen for a gate worker's whole day (issue: "The gate page")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shouwang.core.access import community_ids_for
from shouwang.core.errors import NotFound
from shouwang.core.messages import MESSAGES
from shouwang.places.models import Checkpoint
from shouwang.places.selectors import get_checkpoint

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
        },
    }
    return render(
        request,
        "screening/gate.html",
        {
            "gate": gate,
            "config": config,
            "pick_url": reverse("gate-home") + "?pick=1",
        },
    )


_DECISIONS = ("admit", "retest", "refer", "deny", "register")
