"""Pure conversions between a device's raw values and what a user sees.

No Home Assistant or Z-Wave imports: every function here is data in, data out.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

SIZES = (1, 2, 4)


def raw_range(size: int, signed: bool) -> tuple[int, int]:
    """Return the smallest and largest raw value of a parameter of that size."""
    if size not in SIZES:
        raise ValueError(f"invalid parameter size {size}")
    bits = size * 8
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def to_signed(raw: int, size: int) -> int:
    """Interpret an unsigned raw value as a two's complement number."""
    bits = size * 8
    raw &= (1 << bits) - 1
    return raw - (1 << bits) if raw >> (bits - 1) else raw


def to_unsigned(value: int, size: int) -> int:
    """Encode a signed value as its two's complement raw bytes, as an int."""
    low, high = raw_range(size, signed=True)
    if not low <= value <= high:
        raise ValueError(f"{value} does not fit {size} signed byte(s)")
    return value & ((1 << (size * 8)) - 1)


def raw_to_display(raw: int, scale: int) -> float | int:
    """Convert a raw device value to display units (display = raw / scale)."""
    if scale == 1:
        return raw
    return float(Decimal(raw) / Decimal(scale))


def display_to_raw(value: float, scale: int) -> int | None:
    """Convert a display value to the raw device value.

    Return None when the value does not land on a whole raw unit, e.g. 2.34 with
    scale 10: such a value cannot be sent without rounding it silently.
    """
    scaled = Decimal(str(value)) * scale
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def on_step(raw: int, minimum: int, step: int) -> bool:
    """Return whether a raw value lies on the step grid that starts at minimum."""
    return (raw - minimum) % step == 0


def parse_version(version: str | None) -> tuple[int, ...] | None:
    """Parse a firmware version such as "1.3" or "1.3.0"; None when unknown."""
    if not version:
        return None
    try:
        parts = tuple(int(part) for part in version.strip().split("."))
    except ValueError:
        return None
    # 1.3 and 1.3.0 are the same version
    while len(parts) > 1 and parts[-1] == 0:
        parts = parts[:-1]
    return parts


def serial_text(values: Sequence[object], size: int = 4) -> str | None:
    """Decode parameter values holding a serial number as big-endian bytes.

    In this order: every nibble a decimal digit (BCD) gives the digits as one
    string (a Norwegian AMS meter id is 16 digits in eight bytes); otherwise
    printable ASCII gives the text; otherwise upper-case hex. None when any
    part is missing or not an integer, and when every byte is 0 (no id).
    """
    parts = [value for value in values if isinstance(value, int) and not isinstance(value, bool)]
    if not values or len(parts) != len(values):
        return None
    data = b"".join((value & ((1 << (size * 8)) - 1)).to_bytes(size, "big") for value in parts)
    if not any(data):
        # all zero: the parameters' default, no meter id read yet
        return None
    digits = data.hex()
    if digits.isdigit():
        return digits
    if all(0x20 <= byte < 0x7F for byte in data):
        return data.decode("ascii")
    return digits.upper()
