"""Signed QR payloads of the visitors app: the one-day visitor pass and the invitation.

Same key, key id, ECI stripping and strict base64url as the residents' passes
(:mod:`shouwang.passes.signing`), so a gate device that holds the public key verifies them
offline too. A different prefix names each kind, so a visitor pass is never read as a
resident's pass (``SW1``) nor the other way round::

    SWV1.<key id>.<visitor pass number>.<community code>.<valid on YYYYMMDD>.<signature>
    SWI1.<key id>.<invitation code>.<community code>.<visit date YYYYMMDD>.<signature>

Dates are the community's local dates. The signature (Ed25519, deterministic) covers everything
before the last dot, so the same visit always gets the same payload.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shouwang.passes import signing
from shouwang.passes.signing import ForgedPass, NotAPass

VISITOR_PREFIX = "SWV1"
INVITATION_PREFIX = "SWI1"
KINDS = (VISITOR_PREFIX, INVITATION_PREFIX)
# What may stand in the reference and community fields: never the separator.
_FIELD = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Claim:
    """A verified payload: ``kind`` (a prefix above), ``ref`` the pass number or invitation code,
    ``community`` its code, ``day`` the local date it is good for."""

    kind: str
    key_id: str
    ref: str
    community: str
    day: dt.date


def kind_of(text: str) -> str | None:
    """The payload kind of a scanned text (after scanner prefixes), or None if not one of ours."""
    head = signing.strip_eci(text).split(".", 1)[0]
    return head if head in KINDS else None


def sign_claim(
    kind: str, ref: str, community: str, day: dt.date, key: Ed25519PrivateKey | None = None
) -> str:
    """The signed payload of ``kind`` for ``ref`` in ``community`` on local ``day``."""
    if kind not in KINDS or not _FIELD.fullmatch(ref) or not _FIELD.fullmatch(community):
        raise ValueError(f"cannot sign {kind!r} for {ref!r} in {community!r}")
    key = key or signing.private_key()
    body = f"{kind}.{signing.key_id(signing.public_key_bytes(key))}.{ref}.{community}.{day:%Y%m%d}"
    return f"{body}.{signing._b64(key.sign(body.encode()))}"


def verify_claim(kind: str, text: str, public: bytes | None = None) -> Claim:
    """Check a scanned payload of ``kind`` offline.

    Raises :class:`~shouwang.passes.signing.NotAPass` when the text is not shaped like that kind
    and :class:`~shouwang.passes.signing.ForgedPass` when it is but the key id or signature fails.
    """
    text = signing.strip_eci(text)
    parts = text.split(".")
    if len(parts) != 6 or parts[0] != kind:
        raise NotAPass(text[:40])
    _, kid, ref, community, day, signature = parts
    try:
        valid_on = dt.datetime.strptime(day, "%Y%m%d").date()  # noqa: DTZ007 - a date
        sig = signing._unb64(signature)
    except (ValueError, binascii.Error):
        raise NotAPass(text[:40]) from None
    public = public or signing.public_key_bytes()
    if kid != signing.key_id(public):
        raise ForgedPass(ref)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(sig, text.rsplit(".", 1)[0].encode())
    except InvalidSignature:
        raise ForgedPass(ref) from None
    return Claim(kind, kid, ref, community, valid_on)


def visitor_pass_payload(pass_number: str, community: str, day: dt.date) -> str:
    """QR text of a one-day visitor pass, valid at every gate of ``community`` on local ``day``."""
    return sign_claim(VISITOR_PREFIX, pass_number, community, day)


def invitation_payload(code: str, community: str, day: dt.date) -> str:
    """QR text of an invitation for local ``day``; the gate reads the code from it."""
    return sign_claim(INVITATION_PREFIX, code, community, day)
