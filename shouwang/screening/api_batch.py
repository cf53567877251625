"""API of the offline gate (issue 8, "Offline gates"): a device's queue of screenings in one
request, and the bundle the device decides with while the network is down.

``POST /screenings/batch`` sends each item through :func:`record_screening`, the one write path
(idempotent by client UUID), and answers each on its own: one refused item never fails the
others, and a refused item writes nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field, ValidationError

from shouwang.core.access import require_role
from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, ShouwangError
from shouwang.core.messages import describe, pick_language
from shouwang.places.selectors import get_checkpoint
from shouwang.screening.api import ScreeningIn, ScreeningOut, screening_out
from shouwang.screening.offline import gate_bundle, record_bundle_export
from shouwang.screening.services import record_screening

logger = logging.getLogger("shouwang.screening")

router = Router(tags=["screenings"])

BATCH_MAX = 500
# Who may take a gate's offline bundle: those who screen at gates.
BUNDLE_ROLES = (Role.GATE_STAFF, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN)


class BatchIn(Schema):
    """A device's queue. Each item is a screening as ``POST /screenings`` takes it, with its
    client ``id`` (UUID) and ``occurred_at`` (ISO 8601 with offset, when it was taken) required.
    Items are checked one by one, so a malformed item is refused on its own."""

    items: list[Any] = Field(..., max_length=BATCH_MAX, description=f"At most {BATCH_MAX}")


class ItemError(Schema):
    """The house error shape, per item."""

    code: str
    message: str
    errors: list[dict[str, Any]]


class ItemOut(Schema):
    """One item's answer: ``status`` 201 (written), 200 (already there: its client UUID, or the
    same scan within seconds) or the error status (400, 403, 404, 409, 500) with ``error``."""

    index: int
    id: uuid.UUID | None
    status: int
    created: bool
    screening: ScreeningOut | None = None
    error: ItemError | None = None


class BatchOut(Schema):
    created: int
    existing: int
    refused: int
    results: list[ItemOut]


def _error_body(exc: ShouwangError, lang: str) -> dict[str, Any]:
    return {
        "code": exc.code,
        "message": exc.message(lang),
        "errors": [{"field": exc.field, "code": exc.code, "message": exc.message(lang)}],
    }


def _schema_error_body(exc: ValidationError, lang: str, index: int) -> dict[str, Any]:
    # The API's own wording of pydantic errors (imported here: shouwang.api imports this module).
    from shouwang.api import _schema_error

    errors = [_schema_error(dict(err), lang) for err in exc.errors()]
    return {"code": "invalid_input", "message": describe("invalid_input", lang), "errors": errors}


def _client_id(raw: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw.get("id")))
    except ValueError:
        return None


def _one(request: HttpRequest, index: int, raw: Any, lang: str) -> dict[str, Any]:
    """Record one queued screening; its answer (never raises)."""
    client_id = _client_id(raw) if isinstance(raw, dict) else None
    answer: dict[str, Any] = {"index": index, "id": client_id, "created": False}
    try:
        if not isinstance(raw, dict):
            raise InvalidInput("batch_item_not_object", field=f"items.{index}")
        item = ScreeningIn.model_validate(raw)
        if item.id is None:
            raise InvalidInput("batch_id_required", field="id")
        if item.occurred_at is None:
            raise InvalidInput("batch_occurred_at_required", field="occurred_at")
        gate = get_checkpoint(item.checkpoint, user=request.user)
        result = record_screening(
            item.identifier(),
            checkpoint=gate,
            direction=item.direction,
            temperature=item.temperature,
            mask=item.mask,
            actor=request.user,
            client_id=item.id,
            occurred_at=item.occurred_at,
        )
    except ValidationError as exc:
        return {**answer, "status": 400, "error": _schema_error_body(exc, lang, index)}
    except ShouwangError as exc:
        return {**answer, "status": exc.status, "error": _error_body(exc, lang)}
    except Exception:
        # A bug must not lose the rest of the queue: this item is answered 500 and retried.
        logger.exception("unexpected error in batch item %s", index)
        body = {"code": "server_error", "message": describe("server_error", lang), "errors": []}
        return {**answer, "status": 500, "error": body}
    return {
        **answer,
        "status": 201 if result.created else 200,
        "created": result.created,
        "screening": screening_out(result.event, gate.code, lang),
    }


@router.post("/screenings/batch", response=BatchOut, summary="Record a gate device's queue of screenings")
def create_batch(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    """Each item as ``POST /screenings`` would take it, answered in order with its own status.

    Safe to send again: an item whose client UUID is stored answers 200 with the stored decision
    (the server's decision is the record, whatever the device decided offline). An item is
    refused on its own (e.g. ``occurred_at_too_old`` beyond ``policy.backdate_days``, another
    community's gate as ``checkpoint_unknown``, a bad temperature); the request is 200 unless the
    body itself is unreadable or holds more than 500 items.
    """
    lang = pick_language(request.headers.get("Accept-Language"))
    results = [_one(request, i, raw, lang) for i, raw in enumerate(payload.items)]
    return {
        "created": sum(1 for r in results if r["status"] == 201),
        "existing": sum(1 for r in results if r["status"] == 200),
        "refused": sum(1 for r in results if r["status"] >= 400),
        "results": results,
    }


@router.get("/checkpoints/{code}/offline", summary="What a gate device needs to decide with no network")
def offline_bundle(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    """The gate's offline bundle (see :func:`shouwang.screening.offline.gate_bundle`): the public
    key, revoked pass numbers of the sub-district, this community's passes (masked, no clear ID
    numbers) and policy figures. ``ETag`` is its ``version``; ``If-None-Match`` with it answers
    304 with no body. For gate staff, community workers and sub-district admins of the gate's
    community; every bundle handed over is audited as ``gate_index.export``."""
    gate = get_checkpoint(code, user=request.user)
    require_role(request.user, *BUNDLE_ROLES)
    bundle = gate_bundle(gate)
    etag = f'"{bundle["version"]}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    record_bundle_export(gate, bundle, actor=request.user, via="api")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return bundle
