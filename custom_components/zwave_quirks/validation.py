"""Every configuration write is checked here before anything is sent.

Also the reverse: a raw value the device reports is turned into what the user
sees, or into None when the quirk does not expect it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import translation
from zwave_js_server.model.value import ValueMetadata

from .const import DOMAIN
from .quirks.codecs import display_to_raw, raw_to_display, to_signed
from .quirks.model import ConfigParam, pick_name

# the languages the integration ships (read when Home Assistant imports it)
LANGUAGES = tuple(
    sorted(path.stem for path in (Path(__file__).parent / "translations").glob("*.json"))
)
# languages that write decimals with a comma (Home Assistant's frontend does too)
DECIMAL_COMMA = frozenset(
    (  # noqa: SIM905 - one line of language codes reads better than a column
        "bg ca cs da de el es et eu fi fr gl hr hu id is it lt lv nb nl nn no pl pt ro ru sk sl "
        "sr sv tr uk vi"
    ).split()
)


@dataclass(frozen=True, kw_only=True)
class Subject:
    """What an error names: the entity as the user sees it, in their language."""

    name: str
    language: str = "en"
    # option key -> its label in the language
    labels: Mapping[str, str] = field(default_factory=dict)
    # option key -> its labels in every shipped language, to accept any of them
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def labels_of(self, key: str) -> tuple[str, ...]:
        """An option's labels in every shipped language, case-folded."""
        return tuple(label.casefold() for label in self.aliases.get(key, ()))

    @property
    def decimal_comma(self) -> bool:
        """Whether the language writes decimals with a comma."""
        return self.language.split("-")[0] in DECIMAL_COMMA

    def number(self, value: float) -> str:
        """A number as the language writes it (no exponent for a device's values)."""
        text = f"{value:.12g}"
        return text.replace(".", ",") if self.decimal_comma else text

    def options(self, param: ConfigParam) -> str:
        """The parameter's options as the user sees them."""
        return ", ".join(self.labels.get(key, key) for key in param.options.values())


def _invalid(key: str, subject: Subject, value: Any, **extra: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"entity": subject.name, "value": str(value), **extra},
    )


def _range_error(
    key: str, param: ConfigParam, subject: Subject, value: Any
) -> ServiceValidationError:
    assert param.min is not None and param.max is not None
    allowed = {
        "min": subject.number(raw_to_display(param.min, param.scale)),
        "max": subject.number(raw_to_display(param.max, param.scale)),
        "step": subject.number(raw_to_display(param.step, param.scale)),
        # with its space, so that a parameter without a unit reads well
        "unit": f" {param.unit}" if param.unit else "",
    }
    if param.off is not None:
        # a parameter that can be turned off names its off value as well
        key = f"{key}_or_off"
        allowed["off"] = subject.number(raw_to_display(param.off, param.scale))
    return _invalid(key, subject, value, **allowed)


def _option_error(param: ConfigParam, subject: Subject, value: Any) -> ServiceValidationError:
    return _invalid("invalid_option", subject, value, options=subject.options(param))


def raw_for_number(param: ConfigParam, value: float, subject: Subject) -> int:
    """The raw value to send for a display value; raise if the device refuses it."""
    if param.read_only:
        raise _invalid("read_only", subject, value)
    if param.options:
        raise _option_error(param, subject, value)
    if not math.isfinite(value):
        raise _invalid("value_not_finite", subject, value)
    raw = display_to_raw(value, param.scale)
    if raw is not None and raw == param.off:
        return raw
    assert param.min is not None and param.max is not None
    low, high = raw_to_display(param.min, param.scale), raw_to_display(param.max, param.scale)
    if not low <= value <= high:
        raise _range_error("value_out_of_range", param, subject, subject.number(value))
    if raw is None or not param.accepts(raw):
        raise _range_error("value_off_step", param, subject, subject.number(value))
    return raw


def raw_for_option(param: ConfigParam, option: str, subject: Subject) -> int:
    """The raw value of an option, by its key or its label; raise if there is none."""
    if param.read_only:
        raise _invalid("read_only", subject, option)
    wanted = option.strip().casefold()
    for raw, key in param.options.items():
        if wanted in (key.casefold(), *subject.labels_of(key)):
            return raw
    raise _option_error(param, subject, option)


def raw_for_any(param: ConfigParam, value: Any, subject: Subject) -> int:
    """The raw value for a service call: an option (key, label or raw number) or a number."""
    if param.read_only:
        raise _invalid("read_only", subject, value)
    if param.options:
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            return raw_for_option(param, value, subject)
        try:
            raw = int(value) if float(value).is_integer() else None
        except TypeError, ValueError, OverflowError:
            raw = None
        if raw is None or raw not in param.options:
            raise _option_error(param, subject, value)
        return raw
    try:
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and subject.decimal_comma:
            text = text.replace(",", ".")
        number = float(text)
    except (TypeError, ValueError) as err:
        raise _range_error("value_out_of_range", param, subject, value) from err
    return raw_for_number(param, number, subject)


async def async_subject(hass: HomeAssistant, param: ConfigParam, name: str) -> Subject:
    """The subject of errors about a parameter: its entity's name and its options' labels."""
    language = hass.config.language
    labels: dict[str, tuple[str, ...]] = {}
    if param.option_names:
        # a user quirk's own labels: the language's first, any of them accepted
        for key, names in param.option_names.items():
            first = pick_name(names, language)
            labels[key] = tuple(
                dict.fromkeys((*(() if first is None else (first,)), *names.values()))
            )
    elif param.options:
        prefix = f"component.{DOMAIN}.entity.select.{param.key}.state."
        for lang in dict.fromkeys((language, *LANGUAGES)):
            found = await translation.async_get_translations(hass, lang, "entity", {DOMAIN})
            for key in param.options.values():
                if (label := found.get(prefix + key)) is not None:
                    labels[key] = (*labels.get(key, ()), label)
    return Subject(
        name=name,
        language=language,
        labels={key: found[0] for key, found in labels.items()},
        aliases=labels,
    )


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
        raws = [int(raw) for raw in states if str(raw).lstrip("-").isdigit()]
        theirs["options"] = sorted(raws) if raws else None
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
