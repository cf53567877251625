"""Signed QR payloads for passes: Ed25519, compact, versioned, verifiable offline.

Format (version 1), all ASCII so a QR stays small (about 130 characters)::

    SW1.<key id>.<pass number>.<community code>.<valid until YYYYMMDD>.<signature, base64url>

The signature covers everything before the last dot. A gate device needs only the public key
(:func:`public_key_b64`) to tell a real pass from a forged one; expiry and community are in the
payload so it can decide offline; revocation comes from the synced list. A handheld scanner may
prefix an ECI marker such as ``\\000026``; :func:`strip_eci` removes it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

PREFIX = "SW1"
_ECI = re.compile(r"^(?:\\0\d{5}|\]Q\d|\]C\d|\]d\d)+")


@dataclass(frozen=True)
class PassClaim:
    """What a verified payload says; ``valid_until`` is a local date."""

    key_id: str
    number: str
    community: str
    valid_until: dt.date


class NotAPass(Exception):
    """The text is not one of our payloads (another QR code): "not a pass", never "expired"."""


class ForgedPass(Exception):
    """The text looks like our payload but its signature does not verify under our key."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Strict base64url: a garbled signature is an error, not silently shortened."""
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


@functools.cache
def private_key() -> Ed25519PrivateKey:
    """The signing key: ``SHOUWANG_PASS_SIGNING_KEY`` (raw 32 bytes, base64url), else a key
    made once in the data dir (development and the demo)."""
    configured: str = settings.SHOUWANG_PASS_SIGNING_KEY
    if configured:
        return Ed25519PrivateKey.from_private_bytes(_unb64(configured))
    path = settings.SHOUWANG_PASS_KEY_FILE
    if not path.exists():
        if settings.PRODUCTION:
            raise RuntimeError("SHOUWANG_PASS_SIGNING_KEY must be set in production")
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = Ed25519PrivateKey.generate().private_bytes_raw()
        path.write_text(_b64(raw), encoding="ascii")
        path.chmod(0o600)
    return Ed25519PrivateKey.from_private_bytes(_unb64(path.read_text(encoding="ascii").strip()))


def public_key_bytes(key: Ed25519PrivateKey | None = None) -> bytes:
    return (key or private_key()).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64() -> str:
    """The public key a gate device caches for offline verification (raw, base64url)."""
    return _b64(public_key_bytes())


def key_id(public: bytes) -> str:
    """Short id of a public key, so keys can rotate: first 6 base32 chars of its SHA-256."""
    return base64.b32encode(hashlib.sha256(public).digest())[:6].decode().lower()


def sign_pass(number: str, community: str, valid_until: dt.date, key: Ed25519PrivateKey | None = None) -> str:
    """The QR payload for a pass (see module docstring)."""
    key = key or private_key()
    body = f"{PREFIX}.{key_id(public_key_bytes(key))}.{number}.{community}.{valid_until:%Y%m%d}"
    return f"{body}.{_b64(key.sign(body.encode()))}"


def strip_eci(text: str) -> str:
    """Remove scanner prefixes (ECI ``\\000026``, AIM ``]Q1``) and surrounding whitespace."""
    text = text.strip().replace("\x00", "")
    return _ECI.sub("", text).strip()


def verify_pass(text: str, public: bytes | None = None) -> PassClaim:
    """Check a scanned payload offline and return its claim.

    Raises :class:`NotAPass` when the text is not shaped like our payload, and
    :class:`ForgedPass` when it is but the signature (or key id) does not match ``public``.
    """
    text = strip_eci(text)
    parts = text.split(".")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise NotAPass(text[:40])
    _, kid, number, community, until, signature = parts
    try:
        valid_until = dt.datetime.strptime(until, "%Y%m%d").date()  # noqa: DTZ007 - a date
        sig = _unb64(signature)
    except (ValueError, binascii.Error):
        raise NotAPass(text[:40]) from None
    public = public or public_key_bytes()
    if kid != key_id(public):
        raise ForgedPass(number)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(sig, text.rsplit(".", 1)[0].encode())
    except InvalidSignature:
        raise ForgedPass(number) from None
    return PassClaim(kid, number, community, valid_until)
