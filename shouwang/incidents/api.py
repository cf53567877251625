"""The incidents API (filled in by the incidents work)."""

from ninja import Router

router = Router(tags=["incidents"])
