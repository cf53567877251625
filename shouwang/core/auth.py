"""API bearer tokens: made by ``shouwang token create USERNAME``; only a SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from ninja.security import HttpBearer

from shouwang.core.audit import log_action
from shouwang.core.models import ApiToken

# Token → (user, expiry). Saves two queries on every gate request; a revoked token stops
# working within CACHE_SECONDS on each worker.
CACHE_SECONDS = 30
_cache: dict[str, tuple[Any, float]] = {}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(username: str, *, label: str = "", actor: Any = None) -> str:
    """Make a token for ``username`` and return it in clear (shown once).

    Raises ``User.DoesNotExist`` when there is no such user.
    """
    user = get_user_model().objects.get(username=username)
    token = "sw_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, key_hash=_digest(token), prefix=token[:10], label=label)
        log_action("token.create", actor=actor, obj=row, user=username)
    return token


def user_for_token(token: str) -> Any:
    """The active user a token belongs to, or None."""
    key = _digest(token)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[1] > now:
        return hit[0]
    row = (
        ApiToken.objects.select_related("user", "user__staff", "user__staff__subdistrict")
        .filter(key_hash=key, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    user = row.user if row is not None else None
    if user is not None:
        _cache[key] = (user, now + CACHE_SECONDS)
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sw_…``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def forget_tokens() -> None:
    """Drop this process's cached token look-ups (tests; after revoking a token in a shell)."""
    _cache.clear()
