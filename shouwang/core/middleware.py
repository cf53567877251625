"""Read-only roles stop at the door: one check for every page and API write.

The inspector (只读督查) and the data-protection officer may read; any request that could
change something (POST, PUT, PATCH, DELETE) is refused here with a bilingual 403 before a view
runs, whatever view it would reach. Services refuse them too (:func:`shouwang.core.access.
require_community`), so the CLI and any view that forgets are covered twice.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shouwang.core.access import is_read_only
from shouwang.core.choices import Role
from shouwang.core.errors import ShouwangError
from shouwang.core.messages import describe, pick_language

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writes that change nobody's data: leaving, and choosing the page's language.
ALLOWED_PATHS = ("/logout/", "/login/", "/i18n/")


class ReadOnlyRoleMiddleware:
    """Refuse unsafe methods by read-only roles (after authentication; bearer tokens are
    checked by the API itself, so the API's services refuse those)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS and not request.path.startswith(ALLOWED_PATHS):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and is_read_only(user):
                return refuse(request, user)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A domain refusal a page view did not catch (``Forbidden`` from a service it called,
        ``NotFound`` for a guessed id) is the user's answer, not a server error: shown with
        its status and words in both languages. The API has its own handlers."""
        if not isinstance(exception, ShouwangError) or request.path.startswith("/api/"):
            return None
        context = {"zh": exception.message("zh-hans"), "en": exception.message("en")}
        return render(request, "core/refused.html", context, status=exception.status)


def refuse(request: HttpRequest, user: object) -> HttpResponse:
    """403 in the API's error shape under ``/api/``, else a page saying why."""
    staff = getattr(user, "staff", None)
    role = str(Role(staff.role).label) if staff is not None else ""
    lang = pick_language(request.headers.get("Accept-Language"))
    if request.path.startswith("/api/"):
        message = describe("read_only_role", lang, role=role)
        body = {"code": "read_only_role", "message": message, "errors": []}
        return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
    context = {
        "zh": describe("read_only_role", "zh-hans", role=role),
        "en": describe("read_only_role", "en", role=role),
    }
    return render(request, "core/refused.html", context, status=403)
