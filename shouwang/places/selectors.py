"""Reads of the places app: finding a checkpoint or community the way people name them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shouwang.core.access import community_ids_for
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.places.models import Checkpoint, Community


def get_checkpoint(code: str, *, user: Any = None) -> Checkpoint:
    """The checkpoint with ``code`` (with its community and sub-district loaded).

    Raises :class:`NotFound` (``checkpoint_unknown``); with ``user``, a checkpoint outside their
    communities is reported the same way, so codes cannot be probed.
    """
    gate = Checkpoint.objects.select_related("community", "community__subdistrict").filter(code=code).first()
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
