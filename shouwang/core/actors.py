"""Who a command-line write or export is recorded against (``--user``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.places.models import Subdistrict


def acting_user(username: str | None, subdistrict: Subdistrict) -> Any:
    """The user named by ``--user``, else the sub-district's active admin with the lowest id:
    commands run by a timer or an operator still have someone to audit. Raises
    :class:`NotFound` ``user_unknown`` and :class:`InvalidInput` ``no_admin_to_act_as``."""
    users = get_user_model().objects.select_related("staff__subdistrict")
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise NotFound("user_unknown", field="user", username=username)
        return user
    user = (
        users.filter(staff__role=Role.SUBDISTRICT_ADMIN, staff__subdistrict=subdistrict, is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise InvalidInput("no_admin_to_act_as", field="user", subdistrict=subdistrict.name)
    return user
