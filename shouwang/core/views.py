"""Pages of the core app: the home page a signed-in user lands on."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shouwang.core import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The communities, checkpoints and today's screening counts the user may see."""
    return render(request, "core/home.html", {"overview": selectors.home_overview(request.user)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer, and the bare JSON endpoint the benchmark compares against."""
    return JsonResponse({"ok": True})
