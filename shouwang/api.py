"""The JSON API (django-ninja): OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``.

Errors have one shape everywhere: ``{"code", "message", "errors": [{"field", "code", "message"}]}``
with words in zh-Hans or en by Accept-Language; bad input is 400, not 422.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from shouwang.core.auth import TokenAuth
from shouwang.core.errors import ShouwangError, ValidationErrors
from shouwang.core.messages import describe, pick_language
from shouwang.passes.api import router as passes_router
from shouwang.places.api import router as places_router
from shouwang.screening.api import router as screening_router

api = NinjaAPI(
    title="守望 Shouwang API",
    version="1",
    description="Gates, passes and screenings of a sub-district. Bearer tokens: `shouwang token create USERNAME`.",
    # Devices send bearer tokens; the gate page rides on the log-in session (with CSRF).
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _lang(request: HttpRequest) -> str:
    return pick_language(request.headers.get("Accept-Language"))


@api.exception_handler(ShouwangError)
def on_domain_error(request: HttpRequest, exc: ShouwangError) -> HttpResponse:
    lang = _lang(request)
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    body = {
        "code": exc.code,
        "message": exc.message(lang)
        if not isinstance(exc, ValidationErrors)
        else describe("invalid_input", lang),
        "errors": [{"field": e.field, "code": e.code, "message": e.message(lang)} for e in errors],
    }
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    lang = _lang(request)
    errors: list[dict[str, Any]] = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or None
        detail = str(err.get("msg", ""))
        message = (
            f"{field or 'request'}: {detail}" if lang == "en" else f"字段 {field or '请求'} 有误：{detail}"
        )
        errors.append({"field": field, "code": str(err.get("type", "invalid")), "message": message})
    body = {"code": "invalid_input", "message": describe("invalid_input", lang), "errors": errors}
    return api.create_response(request, body, status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    lang = _lang(request)
    message = (
        "Missing or invalid token: send 'Authorization: Bearer <token>' (make one with `shouwang token create USERNAME`)."
        if lang == "en"
        else "缺少或无效的令牌：请发送 Authorization: Bearer <令牌>（用 shouwang token create 用户名 生成）。"
    )
    return api.create_response(
        request, {"code": "unauthorized", "message": message, "errors": []}, status=401
    )


api.add_router("/v1", places_router)
api.add_router("/v1", passes_router)
api.add_router("/v1", screening_router)
