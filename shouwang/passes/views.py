"""Pages of the passes app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from shouwang.core.access import community_ids_for
from shouwang.passes.models import PassType


@login_required
def pass_type_picture(request: HttpRequest, pk: int) -> HttpResponse:
    """The picture of a pass type's physical card, for staff of its community only."""
    pass_type = PassType.objects.filter(pk=pk, community_id__in=community_ids_for(request.user)).first()
    if pass_type is None or not pass_type.picture:
        raise Http404
    response = HttpResponse(bytes(pass_type.picture), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
