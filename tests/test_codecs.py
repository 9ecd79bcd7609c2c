"""Conversions: known vectors and round trips over whole ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.zwave_quirks.quirks.codecs import (
    display_to_raw,
    on_step,
    parse_version,
    raw_range,
    raw_to_display,
    serial_text,
    to_signed,
    to_unsigned,
)


@pytest.mark.parametrize(
    ("size", "signed", "expected"),
    [
        (1, False, (0, 255)),
        (1, True, (-128, 127)),
        (2, False, (0, 65535)),
        (4, True, (-(2**31), 2**31 - 1)),
    ],
)
def test_raw_range(size: int, signed: bool, expected: tuple[int, int]) -> None:
    assert raw_range(size, signed) == expected


def test_raw_range_rejects_bad_size() -> None:
    with pytest.raises(ValueError, match="size 3"):
        raw_range(3, False)


@pytest.mark.parametrize(
    ("raw", "size", "signed"),
    [(0xF1, 1, -15), (0x0F, 1, 15), (0xC4, 1, -60), (0x80, 1, -128), (0xFFFF, 2, -1)],
)
def test_signed_vectors(raw: int, size: int, signed: int) -> None:
    assert to_signed(raw, size) == signed
    assert to_unsigned(signed, size) == raw


def test_to_unsigned_rejects_overflow() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        to_unsigned(128, 1)


@pytest.mark.parametrize(
    ("raw", "scale", "display"),
    [(25, 10, 2.5), (-15, 10, -1.5), (100, 10, 10.0), (300, 1, 300), (0, 10, 0.0)],
)
def test_display_vectors(raw: int, scale: int, display: float) -> None:
    assert raw_to_display(raw, scale) == display
    assert display_to_raw(display, scale) == raw


@pytest.mark.parametrize(("value", "scale"), [(2.34, 10), (0.05, 10), (1.5, 1)])
def test_display_to_raw_refuses_fractions(value: float, scale: int) -> None:
    assert display_to_raw(value, scale) is None


def test_on_step() -> None:
    assert on_step(25, 0, 5)
    assert not on_step(23, 0, 5)
    assert on_step(15, 10, 5)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("1.3", (1, 3)), ("1.3.0", (1, 3)), ("1.10", (1, 10)), ("", None), (None, None), ("x", None)],
)
def test_parse_version(text: str | None, parsed: tuple[int, ...] | None) -> None:
    assert parse_version(text) == parsed


def test_serial_text_decodes_zwave_js_defaults() -> None:
    assert serial_text([1718972025, 1835363685]) == "funymeme"


def test_serial_text_reads_bcd_first() -> None:
    """An AMS meter id is 16 decimal digits packed as BCD in the eight bytes."""
    assert serial_text([0x73599928, 0x91234567]) == "7359992891234567"
    assert serial_text([0, 0]) is None  # the parameters' default: no id read yet
    # "0123" is BCD and printable ASCII: BCD wins
    assert serial_text([0x30313233, 0x34353637]) == "3031323334353637"


def test_serial_text_falls_back_to_hex() -> None:
    assert serial_text([0xDEADBEEF, 0x01020304]) == "DEADBEEF01020304"
    assert serial_text([0x0102030A, 0x41424344]) == "0102030A41424344"


def test_serial_text_missing_part() -> None:
    assert serial_text([1718972025, None]) is None
    assert serial_text([]) is None


@given(st.integers(min_value=-(2**31), max_value=2**31 - 1))
def test_signed_round_trip(value: int) -> None:
    assert to_signed(to_unsigned(value, 4), 4) == value


@given(st.binary(min_size=8, max_size=8))
def test_serial_round_trip(data: bytes) -> None:
    values = [int.from_bytes(data[:4], "big"), int.from_bytes(data[4:], "big")]
    text = serial_text(values)
    if not any(data):
        assert text is None
        return
    assert text is not None
    if text.isdigit() and len(text) == 16:
        assert bytes.fromhex(text) == data
    elif all(0x20 <= b < 0x7F for b in data):
        assert text.encode("ascii") == data
    else:
        assert bytes.fromhex(text) == data
