"""Signed links a returnee opens without an account: the community's self-report link (printed
as a QR at the gate and in the lane chat group) and a plan's own follow-up link.

Signed with Django's signing (HMAC of SECRET_KEY); nothing to store or expire by hand: the
follow-up link stops working when the plan is no longer in force.
"""

from __future__ import annotations

from django.core import signing

from shouwang.core.errors import InvalidInput
from shouwang.places.models import Community
from shouwang.quarantine.models import QuarantinePlan

_REPORT_SALT = "shouwang.quarantine.self-report"
_FOLLOW_UP_SALT = "shouwang.quarantine.follow-up"


def self_report_token(community: Community) -> str:
    """The token of ``community``'s self-report link (``/r/<token>/``)."""
    return signing.dumps({"c": community.pk}, salt=_REPORT_SALT, compress=True)


def community_for_token(token: str) -> Community:
    """The community of a self-report token; raises ``self_report_link_invalid``."""
    try:
        data = signing.loads(token, salt=_REPORT_SALT)
        return Community.objects.select_related("subdistrict").get(pk=int(data["c"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, Community.DoesNotExist) as exc:
        raise InvalidInput("self_report_link_invalid", field="token") from exc


def follow_up_token(plan: QuarantinePlan) -> str:
    """The token of the returnee's own follow-up link (``/q/<token>/``)."""
    return signing.dumps({"p": plan.pk}, salt=_FOLLOW_UP_SALT, compress=True)


def plan_for_token(token: str) -> QuarantinePlan:
    """The plan of a follow-up token; raises ``self_report_link_invalid``."""
    try:
        data = signing.loads(token, salt=_FOLLOW_UP_SALT)
        return QuarantinePlan.objects.select_related("community__subdistrict", "resident").get(
            pk=int(data["p"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, QuarantinePlan.DoesNotExist) as exc:
        raise InvalidInput("self_report_link_invalid", field="token") from exc
