"""Domain errors with stable codes (after pretix's ``CheckInError`` and Zulip's ``JsonableError``).

Services raise these; the API, pages and CLI turn them into words with :func:`describe`, and the
API into an HTTP status via :attr:`ShouwangError.status`.
"""

from __future__ import annotations

from typing import Any

from shouwang.core.messages import describe


class ShouwangError(Exception):
    """A refusal the user can act on: ``code`` is stable, ``field`` names the input at fault."""

    status = 400

    def __init__(self, code: str, /, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(describe(code, "en", **params))

    def message(self, lang: str = "zh-hans") -> str:
        """The words for this error in ``lang`` (``zh-hans`` or ``en``)."""
        return describe(self.code, lang, **self.params)


class InvalidInput(ShouwangError):
    """Input that cannot be used as given (400)."""


class NotFound(ShouwangError):
    """No such object within what the user may see (404)."""

    status = 404


class Forbidden(ShouwangError):
    """The user's role or communities do not allow this (403)."""

    status = 403


class ValidationErrors(ShouwangError):
    """Several field errors at once; ``errors`` is a list of :class:`ShouwangError`."""

    def __init__(self, errors: list[ShouwangError]) -> None:
        self.errors = errors
        super().__init__("invalid_input")
