"""Small readings of an API request shared by every router: its language, a bilingual choice
label in that language, and a ``?date=`` query value."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from shouwang.core.errors import InvalidInput
from shouwang.core.messages import pick_language


def request_language(request: HttpRequest) -> str:
    """``en`` or ``zh-hans``, from the request's Accept-Language."""
    return pick_language(request.headers.get("Accept-Language"))


def choice_words(label: Any, lang: str) -> str:
    """One language of a bilingual choice label (``"美团 Meituan"`` → ``美团`` or ``Meituan``)."""
    zh, _, en = str(label).partition(" ")
    return en if lang == "en" and en else zh


def query_date(raw: str | None, what: str = "date") -> dt.date | None:
    """A ``YYYY-MM-DD`` query value as a local date (None when absent); raises
    ``query_date_invalid`` naming ``what``."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("query_date_invalid", field=what, what=what, raw=raw[:30]) from None
