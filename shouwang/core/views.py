"""Pages of the core app: the home page a signed-in user lands on, the data-protection
officer's audit log, and revealing a masked phone."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from shouwang.core import selectors
from shouwang.core.access import AUDIT_READERS, role_of
from shouwang.core.audit_export import export_audit
from shouwang.core.audit_search import ACTION_GROUPS, AuditQuery, search_audit, subdistrict_communities
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, NotFound, ShouwangError
from shouwang.core.forms import AuditSearchForm, RevealForm
from shouwang.core.reveal import reveal_by_id


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Gate staff go straight to their gate, the data-protection officer to the audit log;
    others see their communities, checkpoints and today's screening counts."""
    role = role_of(request.user)
    if role == Role.GATE_STAFF:
        return redirect("gate-home")
    if role == Role.DATA_PROTECTION_OFFICER:
        return redirect("audit")
    return render(request, "core/home.html", {"overview": selectors.home_overview(request.user)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer, and the bare JSON endpoint the benchmark compares against."""
    return JsonResponse({"ok": True})


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _require_audit_reader(request: HttpRequest) -> None:
    if role_of(request.user) not in AUDIT_READERS:
        raise PermissionDenied


@login_required
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    """The audit log searched by person (ID number or resident id), staff, action, local dates
    and community; 50 a page, newest first; links to the same search as .xlsx and CSV.
    Data-protection officer and sub-district admin only (else 403)."""
    _require_audit_reader(request)
    form = AuditSearchForm(request.GET or None)
    result = None
    error = ""
    params: dict[str, str] = {}
    if not form.is_bound or form.is_valid():
        query = form.query() if form.is_bound else AuditQuery()
        params = query.as_params()
        page = (form.cleaned_data.get("page") if form.is_bound else None) or 1
        try:
            result = search_audit(request.user, query, page=page)
        except ShouwangError as exc:
            error = exc.message(_lang())
    lang = _lang()
    notices = []
    for n in result.notices if result else []:
        code, _, masked = n.partition(":")
        notices.append(ShouwangError(code, masked=masked).message(lang))
    base = urlencode(params)
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "result": result,
            "error": error,
            "notices": notices,
            "query_string": base,
            "communities": subdistrict_communities(request.user),
            "action_groups": list(ACTION_GROUPS),
            "prev_url": f"?{urlencode({**params, 'page': result.page - 1})}"
            if result and result.page > 1
            else "",
            "next_url": f"?{urlencode({**params, 'page': result.page + 1})}"
            if result and result.page < result.pages
            else "",
        },
    )


@login_required
@require_GET
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The audit search of the query string as ``audit.xlsx`` or ``audit.csv``; the export is
    itself audited (``audit.export``)."""
    _require_audit_reader(request)
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return redirect(f"/audit/?{request.GET.urlencode()}")
    query = form.query() if form.is_bound else AuditQuery()
    try:
        data = export_audit(request.user, query, fmt=fmt, via="page")
    except ShouwangError:
        return redirect(f"/audit/?{request.GET.urlencode()}")
    kinds = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
    }
    response = HttpResponse(data, content_type=kinds[fmt])
    response["Content-Disposition"] = f'attachment; filename="shouwang-audit.{fmt}"'
    return response


@login_required
@require_POST
def reveal_view(request: HttpRequest) -> HttpResponse:
    """Reveal a masked phone with a reason (``kind``, ``pk``, ``field``, ``reason``, ``note``).

    Answers JSON (``{"value", "masked", "tel"}`` or ``{"code", "message"}`` with 400/403/404) when
    the page's script asks with ``Accept: application/json``; otherwise a small page with the
    number, or the form again with the error, so it works without script too.
    """
    form = RevealForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    lang = _lang()
    data = form.data
    try:
        revealed = reveal_by_id(
            str(data.get("kind", ""))[:20],
            str(data.get("pk", ""))[:64],
            field=str(data.get("field", "phone"))[:20],
            reason=str(data.get("reason", ""))[:40],
            note=str(data.get("note", ""))[:400],
            actor=request.user,
            via="page",
        )
    except ShouwangError as exc:
        if wants_json:
            body = {"code": exc.code, "field": exc.field, "message": exc.message(lang)}
            return JsonResponse(body, status=exc.status, json_dumps_params={"ensure_ascii": False})
        if isinstance(exc, (Forbidden, NotFound)):
            raise PermissionDenied from exc
        context = {"form": form, "error": exc.message(lang), "next": _safe_next(request)}
        return render(request, "core/reveal.html", context, status=400)
    if wants_json:
        return JsonResponse(
            {"value": revealed.value, "masked": revealed.masked, "tel": f"tel:{revealed.value}"},
            json_dumps_params={"ensure_ascii": False},
        )
    context = {"form": form, "revealed": revealed, "next": _safe_next(request)}
    return render(request, "core/reveal.html", context)


def _safe_next(request: HttpRequest) -> str:
    nxt = str(request.POST.get("next", ""))
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else "/"
