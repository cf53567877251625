"""The visitors API (filled in by the visitors work)."""

from ninja import Router

router = Router(tags=["visitors"])
