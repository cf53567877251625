"""``{% privacy_notice community "gate" %}``: what is kept, why and for how long (DESIGN.md §4).

The periods come from the community's sub-district policy, so the notice always says what
``shouwang purge`` actually does.
"""

from __future__ import annotations

from typing import Any

from django import template

from shouwang.places.models import Community
from shouwang.screening.policy import Policy

register = template.Library()

KINDS = ("gate", "quarantine")


@register.inclusion_tag("privacy/notice.html")
def privacy_notice(community: Community, kind: str = "gate") -> dict[str, Any]:
    """Context of the notice for ``kind``: ``gate`` (screenings and visitor registrations) or
    ``quarantine`` (a returnee's registration and follow-ups). Raises ``ValueError`` for another
    kind (a template error caught in tests)."""
    if kind not in KINDS:
        raise ValueError(f"privacy_notice kind must be one of {KINDS}, not {kind!r}")
    policy = Policy.from_overrides(community.subdistrict.policy)
    return {
        "kind": kind,
        "community": community,
        "screening_days": policy.retention_screening_days,
        "visitor_days": policy.retention_visitor_days,
        "quarantine_days": policy.retention_quarantine_days,
    }
