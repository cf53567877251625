"""Client UUIDs as idempotency keys (pretix's nonce, Zulip's local ids): one record per key.

A device retries a write with the same UUID; the first record answers. The same UUID with other
content is refused with 409 (``client_id_reused``) rather than silently answered with a record
that says something else.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from shouwang.core.errors import ShouwangError


class IdReusedDifferently(ShouwangError):
    """A client UUID sent again with different content (409)."""

    status = 409


def fingerprint(*parts: Any) -> str:
    """SHA-256 hex of the parts' text, in order: what a write said, to compare a retry with."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


def seen_before(model: Any, client_id: uuid.UUID | None, community_id: int, content: str) -> Any:
    """The ``model`` row the client's UUID already names (None for a new key or no key).

    The row must carry ``community_id`` and ``fingerprint``; raises :class:`IdReusedDifferently`
    (``client_id_reused``) when the UUID names a row of another community or other content."""
    if client_id is None:
        return None
    seen = model.objects.filter(pk=client_id).first()
    if seen is not None and (seen.community_id != community_id or seen.fingerprint != content):
        raise IdReusedDifferently("client_id_reused", field="id")
    return seen
