"""Tenancy: which communities a user may act in, and with which role.

Every query of tenant data is filtered through :func:`community_ids_for`; a superuser without a
staff record (the ``createsuperuser`` kind) sees everything.

Read-only roles (:data:`READ_ONLY_ROLES`: the inspector and the data-protection officer) are
refused every write in one place, :func:`require_community`, which every write service calls
before it touches a row (and :class:`shouwang.core.middleware.ReadOnlyRoleMiddleware` refuses
their POSTs before any view runs). Reads that check a community pass ``reading=True``.
"""

from __future__ import annotations

from typing import Any

from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden
from shouwang.places.models import Community

_CACHE_ATTR = "_shouwang_community_ids"

# Roles that may read what their communities' workers read, and never write.
READ_ONLY_ROLES: tuple[str, ...] = (Role.INSPECTOR, Role.DATA_PROTECTION_OFFICER)
# Roles that read the audit log of their whole sub-district.
AUDIT_READERS: tuple[str, ...] = (Role.DATA_PROTECTION_OFFICER, Role.SUBDISTRICT_ADMIN)
# Roles that may reveal a masked phone (with a reason, audited): those who call people.
REVEALERS: tuple[str, ...] = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION)


def role_of(user: Any) -> str | None:
    """The user's :class:`Role` value, ``subdistrict_admin`` for a bare superuser, else None."""
    staff = getattr(user, "staff", None)
    if staff is not None:
        return str(staff.role)
    if getattr(user, "is_superuser", False):
        return Role.SUBDISTRICT_ADMIN
    return None


def subdistrict_id_of(user: Any) -> int | None:
    """The id of the user's sub-district (None for a bare superuser or a user without staff)."""
    staff = getattr(user, "staff", None)
    return int(staff.subdistrict_id) if staff is not None else None


def community_ids_for(user: Any) -> frozenset[int]:
    """Ids of the communities ``user`` may see; computed once per user object.

    A sub-district admin sees every community of the sub-district; everyone else (the inspector
    and the data-protection officer included) only the communities given to them.
    """
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


def is_read_only(user: Any) -> bool:
    """True for the inspector and the data-protection officer (no query)."""
    return role_of(user) in READ_ONLY_ROLES


def require_writer(user: Any) -> None:
    """Raise :class:`Forbidden` (``read_only_role``) for a read-only role (see module doc)."""
    role = role_of(user)
    if role in READ_ONLY_ROLES:
        raise Forbidden("read_only_role", role=str(Role(role).label))


def require_community(user: Any, community: Community, *, reading: bool = False) -> None:
    """Raise :class:`Forbidden` unless ``user`` may act in ``community`` (``not_your_community``).

    Acting is writing unless ``reading`` is True: a read-only role is refused with
    ``read_only_role`` even in its own communities, so every write service that checks its
    community also refuses the inspector.
    """
    if community.id not in community_ids_for(user):
        raise Forbidden("not_your_community", community=community.name)
    if not reading:
        require_writer(user)


def require_role(user: Any, *roles: str) -> None:
    """Raise :class:`Forbidden` (``role_forbidden``) unless the user has one of ``roles``.

    A read-only role among ``roles`` is allowed only by a read; write services never list one.
    """
    if role_of(user) not in roles:
        raise Forbidden("role_forbidden", needed=" / ".join(str(Role(r).label) for r in roles))


def require_exporter(user: Any) -> None:
    """Raise :class:`Forbidden` (``export_forbidden``) for gate staff: a gate needs no
    spreadsheet of people, and a phone at a gate is the device most easily lost."""
    if role_of(user) in (Role.GATE_STAFF, None):
        raise Forbidden("export_forbidden")
