"""The dashboard page ``/dashboard/``: the day's figures of a sub-district, a community or one
checkpoint, with charts drawn by the vendored Chart.js and refreshed from ``/api/v1/dashboard``.

Thin: :func:`~shouwang.dashboard.figures.scope_for` decides what the user may see (gate staff
and other communities get the 403 page, an unknown code the 404 page) and
:func:`~shouwang.dashboard.figures.day_figures` counts. A bad ``?date=`` is said in words on the
page (400), with the pickers still there to fix it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouwang.core.access import community_ids_for
from shouwang.core.errors import Forbidden, InvalidInput, NotFound, ShouwangError
from shouwang.core.messages import describe
from shouwang.dashboard.figures import DECISIONS, Scope, check_day, day_figures, may_see_whole, scope_for
from shouwang.places.models import Checkpoint, Community
from shouwang.quarantine.forms import current_lang
from shouwang.screening.policy import Policy

REFRESH_S = 60
# Tests (and a wall screen that wants it) ask for a shorter refresh with ?refresh=N.
REFRESH_MIN_S, REFRESH_MAX_S = 2, 3600


def _refresh_s(raw: str | None) -> int:
    try:
        return min(max(int(raw or REFRESH_S), REFRESH_MIN_S), REFRESH_MAX_S)
    except ValueError:
        return REFRESH_S


def _pct(part: float, whole: float) -> int:
    """Duty hours as a share of rostered hours (0–100) for the bar under the tile."""
    return min(round(100 * part / whole), 100) if whole else 0


def _day(raw: str, scope: Scope) -> tuple[dt.date, str]:
    """``(date, error words)`` for ``?date=``; today (local) with the error when it is bad."""
    today = scope.today()
    if not raw.strip():
        return today, ""
    try:
        return check_day(dt.date.fromisoformat(raw.strip())), ""
    except ValueError:
        return today, describe("query_date_invalid", current_lang(), what=_("Date"), raw=raw[:30])
    except InvalidInput as exc:
        return today, exc.message(current_lang())


def _pickers(user: Any, scope: Scope) -> tuple[list[Community], list[Checkpoint]]:
    """The communities of the scope's sub-district the user may see, and their checkpoints."""
    ids = community_ids_for(user)
    communities = list(Community.objects.filter(subdistrict=scope.subdistrict, pk__in=ids).order_by("code"))
    gates = Checkpoint.objects.filter(community__in=[c.pk for c in communities])
    if scope.community is not None:
        gates = gates.filter(community=scope.community)
    return communities, list(gates.order_by("community_id", "code"))


def words() -> dict[str, Any]:
    """The words the page's script needs, in the page's language."""
    lang = current_lang()
    return {
        "decisions": {d: describe(f"decision_{d}", lang) for d in DECISIONS},
        "hour": _("Hour"),
        "screenings": _("Screenings"),
        "nobody": _("Nobody is signed in at a gate now."),
        "since": _("since"),
        "updated": _("Updated"),
        "offline": _("Could not refresh; showing the last figures."),
        "paused": _("Paused while the tab is hidden."),
    }


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """``?date=YYYY-MM-DD`` (local, default today), ``?community=code``, ``?checkpoint=code``,
    ``?wall=1`` (a wall screen: dark, big numbers), ``?refresh=N`` (seconds, default 60)."""
    try:
        scope = scope_for(
            request.user,
            community=request.GET.get("community") or None,
            checkpoint=request.GET.get("checkpoint") or None,
        )
    except Forbidden:
        raise PermissionDenied from None
    except NotFound as exc:
        raise Http404(exc.message(current_lang())) from None
    day, error = _day(request.GET.get("date", ""), scope)
    try:
        figures = day_figures(scope, day)
    except ShouwangError as exc:  # pragma: no cover - _day already checked the date
        raise Http404(exc.message(current_lang())) from exc
    communities, gates = _pickers(request.user, scope)
    api = reverse("api:dashboard")
    data = figures.as_dict()
    context = {
        "figures": figures,
        "data": data,
        "scope": scope,
        "day": day,
        "today": scope.today(),
        "error": error,
        "communities": communities,
        "gates": gates,
        "wall": request.GET.get("wall") == "1",
        "refresh_s": _refresh_s(request.GET.get("refresh")),
        "api": api,
        "words": words(),
        "tz": scope.tz.key,
        "gate_rows": [(g, [g["screenings"][d] for d in DECISIONS]) for g in data["gates"]],
        "can_whole": may_see_whole(request.user, scope.subdistrict),
        "fever_c": f"{Policy.from_overrides(scope.subdistrict.policy).fever_c} °C",
        "duty_pct": _pct(data["duty_hours"], data["rostered_hours"]),
        "decisions": [
            (d, describe(f"decision_{d}", current_lang()), data["screenings"][d]) for d in DECISIONS
        ],
    }
    return render(request, "dashboard/page.html", context, status=400 if error else 200)
