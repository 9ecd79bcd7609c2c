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
from custom_components.zwave_quirks.quirks.hank_hkzw_so03 import QUIRK as PLUG
from custom_components.zwave_quirks.quirks.heatit_z_han2 import QUIRK as HAN


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


def test_serial_text_falls_back_to_hex() -> None:
    assert serial_text([0x01020304, 0x41424344]) == "0102030441424344"
    assert serial_text([0, 0]) == "0000000000000000"


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
    assert text is not None
    printable = all(0x20 <= b < 0x7F for b in data)
    assert (text.encode("ascii") if printable else bytes.fromhex(text)) == data


NUMBER_PARAMS = [
    p for quirk in (PLUG, HAN) for p in quirk.parameters if p.options == {} and not p.read_only
]


@pytest.mark.parametrize("param", NUMBER_PARAMS, ids=lambda p: f"{p.number}-{p.key}")
@given(data=st.data())
def test_every_declared_range_round_trips(param, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """raw -> display -> raw is the identity over each parameter's whole range."""
    low, high = param.span
    raw = data.draw(st.integers(min_value=low, max_value=high))
    assert display_to_raw(raw_to_display(raw, param.scale), param.scale) == raw
