"""Property tests of the parsers everything typed or scanned goes through (issue 8, "Proof").

Each parser either returns a well-formed value or raises the project's own error with a code
that explains itself; no input makes it raise anything else. Temperatures and ID numbers have
their own property tests beside their parsers (screening/tests/test_temperature.py,
people/tests/test_identity.py); these add phones, pass and visitor QR payloads, and rows of a
residents import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import string

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shouwang.core.errors import InvalidInput, ShouwangError
from shouwang.core.messages import describe
from shouwang.passes.signing import ForgedPass, NotAPass, public_key_bytes, sign_pass, verify_pass
from shouwang.people.importing import _cell, check_row, map_headings
from shouwang.people.services import normalise_phone
from shouwang.visitors.passes import INVITATION_PREFIX, VISITOR_PREFIX, sign_claim, verify_claim

E164_CN = re.compile(r"\+86\d{6,12}")
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = public_key_bytes(KEY)

mobile = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)


# ---- phones -----------------------------------------------------------------------------------


@given(st.text(max_size=30))
def test_any_text_is_a_phone_or_phone_invalid(text: str) -> None:
    try:
        phone = normalise_phone(text)
    except InvalidInput as exc:
        assert exc.code == "phone_invalid"
        assert describe(exc.code, "en", **exc.params)
        return
    assert phone == "" or phone.startswith("+")
    if phone:
        assert normalise_phone(phone) == phone, "normalising twice changes nothing"


@given(mobile, st.sampled_from(["{}", "+86 {}", "+86{}", "0086{}", "86-{}", " {} "]), st.booleans())
def test_a_mobile_number_written_any_common_way_is_one_number(digits: str, form: str, wide: bool) -> None:
    written = form.format(f"{digits[:3]} {digits[3:7]} {digits[7:]}")
    if wide:
        written = written.translate(str.maketrans(string.digits, "０１２３４５６７８９"))
    try:
        expected = normalise_phone(digits)
    except InvalidInput:
        assume(False)  # a prefix not yet allocated: phonenumbers calls it invalid either way
    assert E164_CN.fullmatch(expected)
    assert normalise_phone(written) == expected


# ---- pass QR payloads -------------------------------------------------------------------------

pass_numbers = st.from_regex(r"[A-Z]{2,4}-[0-9]{3,6}", fullmatch=True)
community_codes = st.from_regex(r"[a-z]{2,8}", fullmatch=True)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2099, 12, 31))


@given(st.text(max_size=200))
def test_any_scan_is_a_claim_or_not_a_pass_or_forged(text: str) -> None:
    # Anything else (a ValueError from a date, a binascii error) would be a 500 at the gate.
    with contextlib.suppress(NotAPass, ForgedPass):
        verify_pass(text, PUBLIC)


@given(pass_numbers, community_codes, dates, st.sampled_from(["", "\\000026", "]Q1", "  "]))
def test_a_signed_pass_reads_back_whatever_the_scanner_adds(
    number: str, community: str, until: dt.date, prefix: str
) -> None:
    payload = sign_pass(number, community, until, KEY)
    claim = verify_pass(prefix + payload + "\n", PUBLIC)
    assert (claim.number, claim.community, claim.valid_until) == (number, community, until)


@given(pass_numbers, community_codes, dates, st.data())
def test_changing_any_character_of_a_signed_pass_is_refused(
    number: str, community: str, until: dt.date, data: st.DataObject
) -> None:
    payload = sign_pass(number, community, until, KEY)
    # The last two base64 characters carry unused bits; a change there may decode to the same
    # bytes, so only characters before them are changed.
    index = data.draw(st.integers(min_value=0, max_value=len(payload) - 3))
    replacement = data.draw(st.sampled_from(string.ascii_letters + string.digits + "-_."))
    assume(replacement != payload[index])
    forged = payload[:index] + replacement + payload[index + 1 :]
    with pytest.raises((NotAPass, ForgedPass)):
        verify_pass(forged, PUBLIC)


@given(st.sampled_from([VISITOR_PREFIX, INVITATION_PREFIX]), st.text(max_size=120))
def test_any_scan_is_a_visitor_claim_or_refused(kind: str, text: str) -> None:
    try:
        claim = verify_claim(kind, text, PUBLIC)
    except (NotAPass, ForgedPass):
        return
    raise AssertionError(f"random text verified as {claim}")


@given(
    st.sampled_from([VISITOR_PREFIX, INVITATION_PREFIX]),
    st.from_regex(r"[A-Z0-9]{8}", fullmatch=True),
    community_codes,
    dates,
)
def test_visitor_and_invitation_claims_round_trip(kind: str, ref: str, community: str, day: dt.date) -> None:
    payload = sign_claim(kind, ref, community, day, KEY)
    claim = verify_claim(kind, payload, PUBLIC)
    assert (claim.ref, claim.community, claim.day) == (ref, community, day)
    other = INVITATION_PREFIX if kind == VISITOR_PREFIX else VISITOR_PREFIX
    with pytest.raises((NotAPass, ForgedPass)):
        verify_claim(other, payload, PUBLIC)


# ---- rows of a residents import ---------------------------------------------------------------

HEADINGS = map_headings([_cell(h) for h in ("姓名", "证件类型", "证件号码", "住址", "电话")])
cell_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.booleans(),
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(cell_values, min_size=0, max_size=7))
def test_any_row_is_accepted_or_every_fault_is_reported(values: list[object]) -> None:
    """Whatever a spreadsheet cell holds, a row is either good or reported with reasons, each
    naming its column and saying in both languages what is wrong."""
    try:
        result = check_row(2, [_cell(v) for v in values], HEADINGS, today=dt.date(2026, 11, 30))
    except ShouwangError as exc:  # pragma: no cover - check_row reports, it does not raise
        raise AssertionError(f"check_row raised {exc.code}") from exc
    if result.issues:
        for issue in result.issues:
            assert issue.row == 2 and issue.column and issue.code
            assert issue.reason_zh and issue.reason_en
    else:
        assert result.data is not None and result.fields is not None
