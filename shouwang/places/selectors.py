"""Reads of the places app: finding a checkpoint or community the way people name them."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import Q

from shouwang.core.access import community_ids_for
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.places.models import Checkpoint, Community

# Every gate request names its checkpoint; they change rarely, so each process keeps them for
# CHECKPOINT_CACHE_SECONDS (a renamed gate or a new policy shows within that time).
CHECKPOINT_CACHE_SECONDS = 30.0
_checkpoints: dict[str, tuple[Checkpoint, float]] = {}


def get_checkpoint(code: str, *, user: Any = None, cached: bool = True) -> Checkpoint:
    """The checkpoint with ``code`` (with its community and sub-district loaded).

    Raises :class:`NotFound` (``checkpoint_unknown``); with ``user``, a checkpoint outside their
    communities is reported the same way, so codes cannot be probed.
    """
    code = code.strip().lower()  # codes are slugs; a device may send them upper-cased
    now = time.monotonic()
    hit = _checkpoints.get(code) if cached else None
    if hit is not None and hit[1] > now:
        gate: Checkpoint | None = hit[0]
    else:
        gate = (
            Checkpoint.objects.select_related("community", "community__subdistrict").filter(code=code).first()
        )
        if gate is not None and cached:
            _checkpoints[code] = (gate, now + CHECKPOINT_CACHE_SECONDS)
    if gate is None or (user is not None and gate.community_id not in community_ids_for(user)):
        raise NotFound("checkpoint_unknown", field="checkpoint", code=code)
    return gate


def find_community(code_or_name: str) -> Community:
    """A community by code or by its Chinese name; raises :class:`InvalidInput` (``community_unknown``)."""
    text = code_or_name.strip()
    community = (
        Community.objects.select_related("subdistrict").filter(Q(code__iexact=text) | Q(name=text)).first()
    )
    if community is None:
        raise InvalidInput("community_unknown", field="community", name=text)
    return community


def forget_checkpoints() -> None:
    """Drop this process's cached checkpoints (tests; after editing gates in a shell)."""
    _checkpoints.clear()
