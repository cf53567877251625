"""The identity-document rules of DESIGN.md §4, checked directly on :func:`validate_document`."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn.ric import calc_check_digit

from shouwang.core.errors import InvalidInput
from shouwang.people.choices import DocumentType
from shouwang.people.identity import id_hash, mask, normalise, validate_document

TODAY = dt.date(2020, 2, 29)


def ric(body17: str) -> str:
    """A resident-ID-shaped number with its correct MOD 11-2 check digit."""
    assert len(body17) == 17
    return body17 + calc_check_digit(body17 + "0")  # stdnum ignores the last character


def rejected(raw: str, doc_type: str = DocumentType.RESIDENT_ID) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        validate_document(raw, doc_type, today=TODAY)
    return info.value


def test_valid_resident_id_with_x() -> None:
    doc = validate_document("11010519491231002X", today=TODAY)
    assert doc.number == "11010519491231002X"
    assert doc.birth_date == dt.date(1949, 12, 31)
    assert doc.warnings == ()
    assert doc.gender == "F"


def test_lowercase_x_is_accepted_and_upper_cased() -> None:
    assert validate_document("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_fifteen_digit_legacy_number_is_converted() -> None:
    doc = validate_document("610104620927690", today=TODAY)
    assert doc.number == "610104196209276908"
    assert doc.birth_date == dt.date(1962, 9, 27)
    assert doc.hash == validate_document("610104196209276908", today=TODAY).hash


def test_wrong_check_digit_names_the_expected_digit() -> None:
    error = rejected("110105194912310021")
    assert error.code == "id_checksum"
    assert error.params["expected"] == "X"
    assert "应为 X" in error.message("zh-hans")
    assert "expected X" in error.message("en")


def test_birth_date_in_the_future_is_rejected() -> None:
    assert rejected(ric("11010220200301001")).code == "id_birth_future"
    # The same number is fine once that day has come.
    assert validate_document(ric("11010220200301001"), today=dt.date(2020, 3, 1))


def test_impossible_birth_date_is_rejected() -> None:
    assert rejected(ric("11010219990231001")).code == "id_birth_date"


def test_unknown_region_is_a_warning_not_a_rejection() -> None:
    doc = validate_document(ric("99999919800101001"), today=TODAY)
    assert doc.warnings == ("id_region_unknown",)
    assert doc.warning_params == {"region": "999999"}


def test_full_width_digits_and_spaces_are_normalised() -> None:
    doc = validate_document("１１０１０５ １９４９　１２３１ ００２ｘ", today=TODAY)
    assert doc.number == "11010519491231002X"
    assert normalise("110105-1949-1231-002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_empty"),
        ("   ", "id_empty"),
        ("1101051949123100", "id_length"),
        ("11010519491231002Y", "id_format"),
        ("1101051949123A002X", "id_format"),
    ],
)
def test_malformed_resident_ids(raw: str, code: str) -> None:
    assert rejected(raw).code == code


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_hk_macau_taiwan_residence_permit(region: str) -> None:
    number = ric(region + "19900101001")
    doc = validate_document(number, DocumentType.HKMOTW_RESIDENCE_PERMIT, today=TODAY)
    assert doc.doc_type == DocumentType.HKMOTW_RESIDENCE_PERMIT
    assert doc.warnings == ()  # 810000 is not a county code, and that is fine for a permit


def test_residence_permit_with_a_mainland_prefix_is_rejected() -> None:
    error = rejected(ric("11010219900101001"), DocumentType.HKMOTW_RESIDENCE_PERMIT)
    assert error.code == "id_permit_region"


def test_residence_permit_needs_a_valid_check_digit() -> None:
    number = ric("81000019900101001")
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    assert rejected(bad, DocumentType.HKMOTW_RESIDENCE_PERMIT).code == "id_checksum"


@pytest.mark.parametrize(
    ("raw", "doc_type", "number"),
    [
        ("E12345678", DocumentType.PASSPORT, "E12345678"),
        ("e 1234 5678", DocumentType.PASSPORT, "E12345678"),
        ("H12345678", DocumentType.HKMO_TRAVEL_PERMIT, "H12345678"),
        ("M1234567801", DocumentType.HKMO_TRAVEL_PERMIT, "M1234567801"),
        ("12345678", DocumentType.TW_TRAVEL_PERMIT, "12345678"),
        ("USA123456789012", DocumentType.FOREIGN_PERMANENT_RESIDENCE, "USA123456789012"),
    ],
)
def test_other_documents_are_format_checked_by_type(raw: str, doc_type: str, number: str) -> None:
    doc = validate_document(raw, doc_type, today=TODAY)
    assert (doc.doc_type, doc.number) == (doc_type, number)


@pytest.mark.parametrize(
    ("raw", "doc_type"),
    [
        ("E1", DocumentType.PASSPORT),
        ("E12345678!", DocumentType.PASSPORT),
        ("X12345678", DocumentType.HKMO_TRAVEL_PERMIT),
        ("H1234567", DocumentType.HKMO_TRAVEL_PERMIT),
        ("US123456789012", DocumentType.FOREIGN_PERMANENT_RESIDENCE),
    ],
)
def test_other_documents_in_the_wrong_format_are_rejected(raw: str, doc_type: str) -> None:
    assert rejected(raw, doc_type).code == "id_format"


def test_unknown_document_type() -> None:
    assert rejected("E12345678", "driving_licence").code == "id_type_unknown"


def test_mask_keeps_first_three_and_last_four() -> None:
    assert mask("11010519491231002X") == "110***********002X"
    assert mask("E12345678") == "E12**5678"
    assert mask("E1234") == "E****"  # too short to show both ends


def test_resident_id_and_residence_permit_share_one_hash_space() -> None:
    number = ric("81000019900101001")
    as_id = validate_document(number, DocumentType.RESIDENT_ID, today=TODAY)
    as_permit = validate_document(number, DocumentType.HKMOTW_RESIDENCE_PERMIT, today=TODAY)
    assert as_id.hash == as_permit.hash
    assert id_hash(DocumentType.RESIDENT_ID, number) == id_hash(DocumentType.HKMOTW_RESIDENCE_PERMIT, number)
    assert id_hash(DocumentType.PASSPORT, number) != as_id.hash


@settings(max_examples=300, deadline=None)
@given(
    region=st.integers(min_value=0, max_value=999_999),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=timezone.localdate()),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_any_valid_resident_id_is_accepted_and_normalising_is_idempotent(
    region: int, birth: dt.date, sequence: int
) -> None:
    number = ric(f"{region:06d}{birth:%Y%m%d}{sequence:03d}")
    doc = validate_document(number)
    assert doc.number == number
    assert doc.birth_date == birth
    assert normalise(doc.number) == doc.number
    assert validate_document(doc.number).number == doc.number
    assert validate_document(number.lower()).hash == doc.hash


@settings(max_examples=500, deadline=None)
@given(
    raw=st.text(max_size=40),
    doc_type=st.sampled_from([*DocumentType.values, "", "护照"]),
)
def test_any_text_is_either_a_document_or_invalid_input(raw: str, doc_type: str) -> None:
    with contextlib.suppress(InvalidInput):
        validate_document(raw, doc_type, today=TODAY)


@settings(max_examples=200, deadline=None)
@given(raw=st.text(alphabet="0123456789Xx １２３４５６７８９０ｘ-", min_size=14, max_size=22))
def test_id_shaped_text_is_either_a_document_or_invalid_input(raw: str) -> None:
    for doc_type in DocumentType.values:
        with contextlib.suppress(InvalidInput):
            validate_document(raw, doc_type, today=TODAY)


@pytest.mark.parametrize(
    "raw",
    [
        "\u1369" * 18,  # ፩, Ethiopic digit one
        "\u0661\u0661\u0660\u0661\u0660\u0665\u0661\u0669\u0664\u0669"
        "\u0661\u0662\u0663\u0661\u0660\u0660\u0662X",  # 11010519491231002X in ١٢٣
    ],
)
def test_digits_of_other_scripts_are_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput):
        validate_document(raw, today=TODAY)


@pytest.mark.parametrize("region", ["110001", "119999", "449999"])
def test_unknown_county_in_a_known_province_is_a_warning(region: str) -> None:
    doc = validate_document(ric(region + "19800101001"), today=TODAY)
    assert doc.warnings == ("id_region_unknown",)


def test_region_that_exists_now_but_not_at_birth_is_no_warning() -> None:
    # 130102 (石家庄 长安区) dates from 1983; someone born in 1960 got their ID there later.
    assert validate_document(ric("13010219600101001"), today=TODAY).warnings == ()
