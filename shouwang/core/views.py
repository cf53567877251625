"""Pages of the core app: the home page a signed-in user lands on."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from shouwang.core import selectors
from shouwang.core.access import role_of
from shouwang.core.choices import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Gate staff go straight to their gate; others see their communities, checkpoints and
    today's screening counts."""
    if role_of(request.user) == Role.GATE_STAFF:
        return redirect("gate-home")
    return render(request, "core/home.html", {"overview": selectors.home_overview(request.user)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer, and the bare JSON endpoint the benchmark compares against."""
    return JsonResponse({"ok": True})
