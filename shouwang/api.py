"""The JSON API (django-ninja): OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``.

Errors have one shape everywhere: ``{"code", "message", "errors": [{"field", "code", "message"}]}``
with words in zh-Hans or en by Accept-Language; bad input is 400, not 422.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from shouwang.core.api import router as core_router
from shouwang.core.auth import TokenAuth
from shouwang.core.errors import ShouwangError, ValidationErrors
from shouwang.core.messages import describe, pick_language
from shouwang.dashboard.api import router as dashboard_router
from shouwang.incidents.api import router as incidents_router
from shouwang.passes.api import router as passes_router
from shouwang.places.api import router as places_router
from shouwang.quarantine.api import router as quarantine_router
from shouwang.reports.api import router as reports_router
from shouwang.roster.api import router as roster_router
from shouwang.screening.api import router as screening_router
from shouwang.screening.api_batch import router as screening_batch_router
from shouwang.visitors.api import router as visitors_router

logger = logging.getLogger("shouwang.api")


class LoggedInSession(SessionAuth):
    """The log-in session, with its CSRF check only for a request that has one: a device that
    sent no token (or a bad one) hears "log in or send a token" (401), not "CSRF failed" (403)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(request.user, "is_authenticated", False):
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="守望 Shouwang API",
    version="1",
    description="Gates, passes and screenings of a sub-district. Bearer tokens: `shouwang token create USERNAME`.",
    # Devices send bearer tokens; the gate page rides on the log-in session (with CSRF).
    auth=[TokenAuth(), LoggedInSession()],
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


# Pydantic's error types in words a gate device's developer (or a worker reading it aloud) gets.
_SCHEMA_WORDS: dict[str, tuple[str, str]] = {
    "missing": ("必须填写", "is required"),
    "string_too_long": ("太长（最多 {max_length} 个字符）", "is too long (at most {max_length} characters)"),
    "uuid_parsing": ("不是有效的 UUID", "is not a valid UUID"),
    "uuid_type": ("不是有效的 UUID", "is not a valid UUID"),
    "datetime_from_date_parsing": (
        "不是 ISO 8601 时间，例如 2020-03-01T08:30:00+08:00",
        "is not an ISO 8601 time such as 2020-03-01T08:30:00+08:00",
    ),
    "datetime_parsing": (
        "不是 ISO 8601 时间，例如 2020-03-01T08:30:00+08:00",
        "is not an ISO 8601 time such as 2020-03-01T08:30:00+08:00",
    ),
    "datetime_type": (
        "不是 ISO 8601 时间，例如 2020-03-01T08:30:00+08:00",
        "is not an ISO 8601 time such as 2020-03-01T08:30:00+08:00",
    ),
    "bool_parsing": ("须为 true 或 false", "must be true or false"),
    "bool_type": ("须为 true 或 false", "must be true or false"),
    "int_parsing": ("须为整数", "must be a whole number"),
    "int_type": ("须为整数", "must be a whole number"),
    "string_type": ("须为文字", "must be a string"),
    "float_type": ('须为数字或文字（如 36.6 或 "366"）', 'must be a number or text such as 36.6 or "366"'),
    "model_attributes_type": ("须为 JSON 对象", "must be a JSON object"),
    "dict_type": ("须为 JSON 对象", "must be a JSON object"),
}
# Members of a union type that pydantic appends to the location (temperature.float → temperature).
_UNION_PARTS = {"float", "str", "int", "bool", "none", "StrictFloat", "StrictStr", "StrictInt"}


def _schema_error(err: dict[str, Any], lang: str) -> dict[str, Any]:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
    loc = [p for p in loc if p not in _UNION_PARTS and not p.startswith(("constrained-", "function-"))]
    field = ".".join(loc) or None
    kind = str(err.get("type", "invalid"))
    words = _SCHEMA_WORDS.get(kind)
    context = err.get("ctx") or {}
    if words is None:
        detail = str(err.get("msg", ""))
    else:
        try:
            detail = words[1 if lang == "en" else 0].format(**context)
        except (KeyError, IndexError):
            detail = words[1 if lang == "en" else 0]
    if lang == "en":
        message = f"{field or 'The request body'} {detail}" if words else f"{field or 'request'}: {detail}"
    else:
        message = f"{field or '请求内容'}：{detail}"
    return {"field": field, "code": kind, "message": message}


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    lang = _lang(request)
    errors = [_schema_error(err, lang) for err in exc.errors]
    body = {"code": "invalid_input", "message": describe("invalid_input", lang), "errors": errors}
    return api.create_response(request, body, status=400)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (an unreadable body) in our shape and words."""
    code = "body_unreadable" if exc.status_code == 400 else "http_error"
    lang = _lang(request)
    message = describe(code, lang) if code == "body_unreadable" else str(exc)
    return api.create_response(
        request, {"code": code, "message": message, "errors": []}, status=exc.status_code
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    body = {"code": "body_too_big", "message": describe("body_too_big", _lang(request)), "errors": []}
    return api.create_response(request, body, status=413)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback for us, a plain apology for the caller (never a traceback)."""
    logger.exception("unexpected error in %s %s", request.method, request.path)
    body = {"code": "server_error", "message": describe("server_error", _lang(request)), "errors": []}
    return api.create_response(request, body, status=500)


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
api.add_router("/v1", screening_batch_router)
api.add_router("/v1", quarantine_router)
api.add_router("/v1", roster_router)
api.add_router("/v1", visitors_router)
api.add_router("/v1", incidents_router)
api.add_router("/v1", dashboard_router)
api.add_router("/v1", reports_router)
api.add_router("/v1", core_router)
