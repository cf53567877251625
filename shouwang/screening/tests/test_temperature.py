"""Reading temperatures as gate workers type them (DESIGN.md §4)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.core.errors import InvalidInput
from shouwang.screening.temperature import parse_temperature


@pytest.mark.parametrize(
    ("typed", "celsius", "from_f", "plausible"),
    [
        ("366", "36.6", False, True),
        ("36,6", "36.6", False, True),
        ("３６．６", "36.6", False, True),
        ("36.6℃", "36.6", False, True),
        ("98.6", "37.0", True, True),
        ("986", "37.0", True, True),
        ("100.4°F", "38.0", True, True),
        ("3.0", "3.0", False, False),
        ("34.9", "34.9", False, False),
        ("42.1", "42.1", False, False),
        (37.3, "37.3", False, True),
        ("37.25", "37.3", False, True),
        ("100", "37.8", True, True),
        ("102", "38.9", True, True),
        ("1004", "38.0", True, True),
        ("39度", "39.0", False, True),
        ("350", "35.0", False, True),
    ],
)
def test_typed_readings(typed: object, celsius: str, from_f: bool, plausible: bool) -> None:
    reading = parse_temperature(typed)  # type: ignore[arg-type]
    assert reading.celsius == Decimal(celsius)
    assert reading.converted_from_f is from_f
    assert reading.plausible is plausible


def test_blank_is_no_reading() -> None:
    assert parse_temperature("  ").celsius is None
    assert parse_temperature(None).taken is False


@pytest.mark.parametrize("typed", ["abc", "36.6.6", "NaN", "inf", "1e9999", "1e2", "-36.6", "+37"])
def test_garbage_is_refused_with_the_text(typed: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_temperature(typed)
    assert err.value.code == "temperature_unreadable"
    assert typed[:5] in err.value.message("en")


@given(st.text(max_size=12))
def test_any_text_reads_or_is_refused(text: str) -> None:
    try:
        reading = parse_temperature(text)
    except InvalidInput:
        return
    assert reading.celsius is None or reading.celsius == reading.celsius.quantize(Decimal("0.1"))
