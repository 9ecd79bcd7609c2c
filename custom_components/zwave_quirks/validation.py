"""Every configuration write is checked here before anything is sent.

Also the reverse: a raw value the device reports is turned into what the user
sees, or into None when the quirk does not expect it.
"""

from __future__ import annotations

from typing import Any

from homeassistant.exceptions import ServiceValidationError
from zwave_js_server.model.value import ValueMetadata

from .const import DOMAIN
from .quirks.codecs import display_to_raw, raw_to_display, to_signed
from .quirks.model import ConfigParam


def _fmt(number: float) -> str:
    return f"{number:g}"


def _invalid(key: str, param: ConfigParam, value: Any, **extra: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={
            "parameter": str(param.number),
            "value": str(value),
            **extra,
        },
    )


def range_placeholders(param: ConfigParam) -> dict[str, str]:
    """The allowed range of a number parameter, in display units."""
    assert param.min is not None and param.max is not None
    allowed = {
        "min": _fmt(raw_to_display(param.min, param.scale)),
        "max": _fmt(raw_to_display(param.max, param.scale)),
        "step": _fmt(raw_to_display(param.step, param.scale)),
        "unit": param.unit or "",
    }
    if param.off is not None:
        allowed["off"] = _fmt(raw_to_display(param.off, param.scale))
    return allowed


def _range_error(key: str, param: ConfigParam, value: Any) -> ServiceValidationError:
    # a parameter that can be turned off names its off value as well
    key = key if param.off is None else f"{key}_or_off"
    return _invalid(key, param, value, **range_placeholders(param))


def raw_for_number(param: ConfigParam, value: float) -> int:
    """The raw value to send for a display value; raise if the device refuses it."""
    if param.read_only:
        raise _invalid("read_only", param, value)
    if param.options:
        raise _invalid("invalid_option", param, value, options=", ".join(param.options.values()))
    raw = display_to_raw(value, param.scale)
    if raw is not None and raw == param.off:
        return raw
    assert param.min is not None and param.max is not None
    low, high = raw_to_display(param.min, param.scale), raw_to_display(param.max, param.scale)
    if not low <= value <= high:
        raise _range_error("value_out_of_range", param, _fmt(value))
    if raw is None or not param.accepts(raw):
        raise _range_error("value_off_step", param, _fmt(value))
    return raw


def raw_for_option(param: ConfigParam, option: str) -> int:
    """The raw value of an option key; raise if the parameter has no such option."""
    if param.read_only:
        raise _invalid("read_only", param, option)
    for raw, key in param.options.items():
        if key == option:
            return raw
    raise _invalid("invalid_option", param, option, options=", ".join(param.options.values()))


def raw_for_any(param: ConfigParam, value: Any) -> int:
    """The raw value for a service call: an option key or a number."""
    if param.read_only:
        raise _invalid("read_only", param, value)
    if param.options:
        if isinstance(value, str) and not value.lstrip("-").isdigit():
            return raw_for_option(param, value)
        try:
            raw = int(value) if float(value).is_integer() else None
        except TypeError, ValueError:
            raw = None
        if raw is None or raw not in param.options:
            raise _invalid(
                "invalid_option", param, value, options=", ".join(param.options.values())
            )
        return raw
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise _range_error("value_out_of_range", param, value) from err
    return raw_for_number(param, number)


def device_raw(param: ConfigParam, reported: Any) -> int | None:
    """Normalise a reported raw value (sign); None when it is not an integer."""
    if isinstance(reported, bool) or not isinstance(reported, int):
        return None
    if param.signed and reported > (1 << (param.size * 8 - 1)) - 1:
        return to_signed(reported, param.size)
    return reported


def is_off(param: ConfigParam, reported: Any) -> bool:
    """Whether the device reports the parameter's function as turned off."""
    return param.off is not None and device_raw(param, reported) == param.off


def display_number(param: ConfigParam, reported: Any) -> float | int | None:
    """What a number entity shows; None for a value the quirk does not expect."""
    raw = device_raw(param, reported)
    if raw is None or param.min is None or param.max is None:
        return None
    # a value off the step grid is still shown
    if raw != param.off and not param.min <= raw <= param.max:
        return None
    return raw_to_display(raw, param.scale)


def display_option(param: ConfigParam, reported: Any) -> str | None:
    """What a select entity shows; None for a value the quirk does not expect."""
    raw = device_raw(param, reported)
    return None if raw is None else param.options.get(raw)


def metadata_drift(param: ConfigParam, metadata: ValueMetadata) -> list[dict[str, Any]]:
    """Where the server's metadata of a parameter disagrees with its declaration.

    Compared in raw device units: size, range (the off value included),
    default, and the options of a select. Devices and servers drift; users'
    diagnostics tell us where.
    """
    ours: dict[str, Any] = {"size": param.size}
    theirs: dict[str, Any] = {"size": metadata.value_size}
    if param.options:
        ours |= {"min": min(param.options), "max": max(param.options)}
        ours["options"] = sorted(param.options)
        states = metadata.states or {}
        theirs["options"] = sorted(int(raw) for raw in states) if states else None
    else:
        ours["min"], ours["max"] = param.span
    theirs |= {"min": metadata.min, "max": metadata.max}
    if not param.read_only:
        # a read-only parameter's default means nothing to the quirk
        ours["default"], theirs["default"] = param.default, metadata.default
    return [
        {"parameter": param.number, "field": field, "quirk": value, "server": theirs[field]}
        for field, value in ours.items()
        if theirs.get(field) is not None and theirs[field] != value
    ]
