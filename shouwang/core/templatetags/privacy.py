"""Template filters for personal data: ``{{ phone|masked_phone }}``."""

from __future__ import annotations

from django import template

from shouwang.core.reveal import mask_phone

register = template.Library()


@register.filter(name="masked_phone")
def masked_phone(phone: str | None) -> str:
    """``+8613800138000`` → ``138****8000`` (see :func:`shouwang.core.reveal.mask_phone`)."""
    return mask_phone(phone)
