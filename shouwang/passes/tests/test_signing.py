"""Signed pass payloads: genuine ones verify offline, forged or foreign ones never pass as expired."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shouwang.passes.signing import (
    ForgedPass,
    NotAPass,
    public_key_bytes,
    sign_pass,
    strip_eci,
    verify_pass,
)

UNTIL = dt.date(2020, 5, 27)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_round_trip(key: Ed25519PrivateKey) -> None:
    payload = sign_pass("TPS-000001", "tps", UNTIL, key=key)
    claim = verify_pass(payload, public_key_bytes(key))
    assert (claim.number, claim.community, claim.valid_until) == ("TPS-000001", "tps", UNTIL)
    assert payload.isascii() and len(payload) < 160


@pytest.mark.django_db
def test_round_trip_with_the_configured_key() -> None:
    assert verify_pass(sign_pass("TPS-000001", "tps", UNTIL)).number == "TPS-000001"


@pytest.mark.parametrize("prefix", ["\\000026", "]Q1", "\\000026]Q1", "  ", "\x00"])
def test_scanner_prefixes_are_stripped(key: Ed25519PrivateKey, prefix: str) -> None:
    payload = sign_pass("TPS-000001", "tps", UNTIL, key=key)
    assert strip_eci(prefix + payload + "\r\n") == payload
    assert verify_pass(prefix + payload, public_key_bytes(key)).number == "TPS-000001"


def test_payload_signed_with_another_key_is_forged(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(ForgedPass):
        verify_pass(sign_pass("TPS-000001", "tps", UNTIL, key=other), public_key_bytes(key))


def test_another_key_reusing_our_key_id_is_forged(key: Ed25519PrivateKey) -> None:
    """A forger who copies our key id still cannot make the signature verify."""
    ours = sign_pass("TPS-000001", "tps", UNTIL, key=key)
    theirs = sign_pass("TPS-000001", "tps", UNTIL, key=Ed25519PrivateKey.generate())
    spliced = ".".join([*ours.split(".")[:5], theirs.rsplit(".", 1)[1]])
    with pytest.raises(ForgedPass):
        verify_pass(spliced, public_key_bytes(key))


@pytest.mark.parametrize(
    ("old", "new"),
    [("TPS-000001", "TPS-000002"), (".tps.", ".xdb."), ("20200527", "20991231")],
)
def test_tampered_payload_is_forged(key: Ed25519PrivateKey, old: str, new: str) -> None:
    payload = sign_pass("TPS-000001", "tps", UNTIL, key=key)
    with pytest.raises(ForgedPass):
        verify_pass(payload.replace(old, new), public_key_bytes(key))


def test_tampered_signature_is_forged(key: Ed25519PrivateKey) -> None:
    payload = sign_pass("TPS-000001", "tps", UNTIL, key=key)
    body, sig = payload.rsplit(".", 1)
    flipped = ("B" if sig[0] == "A" else "A") + sig[1:]
    with pytest.raises(ForgedPass):
        verify_pass(f"{body}.{flipped}", public_key_bytes(key))


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/menu?table=3",
        "WIFI:S:cafe;T:WPA;P:secret;;",
        "",
        "SW1.only.four.parts",
        "SW2.abcdef.TPS-000001.tps.20200527.sig",
        "SW1.abcdef.TPS-000001.tps.2020-05-27.sig",
    ],
)
def test_other_qr_text_is_not_a_pass(key: Ed25519PrivateKey, text: str) -> None:
    with pytest.raises(NotAPass):
        verify_pass(text, public_key_bytes(key))
