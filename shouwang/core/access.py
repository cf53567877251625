"""Tenancy: which communities a user may act in, and with which role.

Every query of tenant data is filtered through :func:`community_ids_for`; a superuser without a
staff record (the ``createsuperuser`` kind) sees everything.
"""

from __future__ import annotations

from typing import Any

from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden
from shouwang.places.models import Community

_CACHE_ATTR = "_shouwang_community_ids"


def role_of(user: Any) -> str | None:
    """The user's :class:`Role` value, ``subdistrict_admin`` for a bare superuser, else None."""
    staff = getattr(user, "staff", None)
    if staff is not None:
        return str(staff.role)
    if getattr(user, "is_superuser", False):
        return Role.SUBDISTRICT_ADMIN
    return None


def community_ids_for(user: Any) -> frozenset[int]:
    """Ids of the communities ``user`` may see; computed once per user object."""
    cached: frozenset[int] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    staff = getattr(user, "staff", None)
    if staff is None:
        ids = frozenset(Community.objects.values_list("id", flat=True)) if user.is_superuser else frozenset()
    elif staff.role == Role.SUBDISTRICT_ADMIN:
        ids = frozenset(
            Community.objects.filter(subdistrict_id=staff.subdistrict_id).values_list("id", flat=True)
        )
    else:
        ids = frozenset(staff.communities.values_list("id", flat=True))
    setattr(user, _CACHE_ATTR, ids)
    return ids


def require_community(user: Any, community: Community) -> None:
    """Raise :class:`Forbidden` (``not_your_community``) unless ``user`` may act in it."""
    if community.id not in community_ids_for(user):
        raise Forbidden("not_your_community", community=community.name)


def require_role(user: Any, *roles: str) -> None:
    """Raise :class:`Forbidden` (``role_forbidden``) unless the user has one of ``roles``."""
    if role_of(user) not in roles:
        raise Forbidden("role_forbidden", needed=" / ".join(str(Role(r).label) for r in roles))
