"""The dashboard API under ``/api/v1``: ``GET /dashboard`` returns the day's figures.

Thin: :func:`~shouwang.dashboard.figures.scope_for` decides what the caller may see (gate staff
403, another community 403, an unknown code 404) and
:func:`~shouwang.dashboard.figures.day_figures` counts; errors come back in the API's one shape,
in zh-Hans or en by Accept-Language.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from shouwang.core.api_input import query_date
from shouwang.dashboard.figures import day_figures, scope_for

router = Router(tags=["dashboard"])


@router.get(
    "/dashboard", url_name="dashboard", summary="The day's figures of a sub-district, community or checkpoint"
)
def dashboard(
    request: HttpRequest,
    date: str | None = None,
    community: str | None = None,
    checkpoint: str | None = None,
) -> dict[str, Any]:
    """Figures of local ``date`` (``YYYY-MM-DD``, default today in the scope's zone) for the
    caller's sub-district (admin), community (worker, health station) or ``community`` /
    ``checkpoint`` codes: screenings by decision and per checkpoint with their hourly flow,
    fevers, referrals, visits, deliveries, returnees, home quarantine and follow-ups, incidents,
    staff on duty now and duty hours against the roster. ``as_of`` is a UTC instant; every
    count is of the local calendar day. 400 ``query_date_invalid`` /
    ``dashboard_date_out_of_range``, 403 ``role_forbidden`` / ``not_your_community``,
    404 ``community_unknown`` / ``checkpoint_unknown``."""
    day = query_date(date)
    scope = scope_for(request.user, community=community, checkpoint=checkpoint)
    return day_figures(scope, day or scope.today()).as_dict()
