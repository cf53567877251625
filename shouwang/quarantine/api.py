"""The quarantine API under ``/api/v1/returnees`` (filled in by the API work)."""

from ninja import Router

router = Router(tags=["returnees"])
