"""The signed link of a staff member's calendar feed (``…/duty/<token>.ics``): a phone calendar
subscribes to it without logging in.

Signed with Django's signing (HMAC of SECRET_KEY, its own salt), holding the staff pk and a
``v`` (version) taken from the account's password hash: changing the password (or an admin
resetting it) makes every old feed link stop working, which is how a leaked link is revoked.
A deactivated account's link stops too. Nothing is stored.
"""

from __future__ import annotations

import hashlib

from django.core import signing

from shouwang.core.errors import InvalidInput
from shouwang.core.models import Staff

_CALENDAR_SALT = "shouwang.roster.calendar-feed"


def _version(staff: Staff) -> str:
    return hashlib.sha256(f"{staff.pk}:{staff.user.password}".encode()).hexdigest()[:8]


def calendar_token(staff: Staff) -> str:
    """The token of ``staff``'s calendar feed link; the same on every call (no timestamp), so the
    link a phone subscribed to stays the link the page shows."""
    signer = signing.Signer(salt=_CALENDAR_SALT)
    return signer.sign_object({"s": staff.pk, "v": _version(staff)}, compress=True)


def staff_for_calendar_token(token: str) -> Staff:
    """The staff member of a feed token; raises :class:`InvalidInput` ``calendar_link_invalid``
    for a forged, altered or revoked one (same words for each: nothing is confirmed)."""
    try:
        data = signing.Signer(salt=_CALENDAR_SALT).unsign_object(token)
        staff = Staff.objects.select_related("user", "subdistrict").get(pk=int(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, Staff.DoesNotExist) as exc:
        raise InvalidInput("calendar_link_invalid", field="token") from exc
    if not staff.user.is_active or data.get("v") != _version(staff):
        raise InvalidInput("calendar_link_invalid", field="token")
    return staff
