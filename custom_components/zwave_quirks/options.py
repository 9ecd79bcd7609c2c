"""Options of an entry: the capacity tariff, and core's entities put away.

The capacity tariff's step limits and period length; once the superseded-entities
fix flow has put away some of Z-Wave JS's entities, a switch shows them again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .capacity import DEFAULT_LIMITS, DEFAULT_PERIOD_MINUTES, PERIOD_MINUTES, check_limits
from .neighbour import async_show_again, decisions
from .quirks.user import FOLDER as USER_FOLDER

CONF_STEP_LIMITS = "step_limits"
CONF_PERIOD_MINUTES = "period_minutes"
CONF_SHOW_CORE_ENTITIES = "show_core_entities"


def capacity_options(options: Mapping[str, Any]) -> tuple[tuple[float, ...], int]:
    """The step limits (kW) and period length (minutes); the defaults where unset or bad."""
    try:
        limits = check_limits(options.get(CONF_STEP_LIMITS, DEFAULT_LIMITS))
    except TypeError, ValueError:
        limits = DEFAULT_LIMITS
    minutes = options.get(CONF_PERIOD_MINUTES, DEFAULT_PERIOD_MINUTES)
    if minutes not in PERIOD_MINUTES:
        minutes = DEFAULT_PERIOD_MINUTES
    return limits, minutes


# between limits: a semicolon, a comma with a space after it, or spaces; a comma
# without a space is a decimal comma ("2,5; 5; 10" and "2.5, 5, 10" are the same)
LIMIT_SEPARATORS = re.compile(r";|,\s+|\s+")


class LimitsError(ValueError):
    """Step limits that cannot be used; the translation key and what to show."""

    def __init__(self, key: str, **placeholders: str) -> None:
        """Initialize."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders


def parse_limits(texts: str | Iterable[str]) -> tuple[float, ...]:
    """Step limits as typed, in kW; LimitsError naming the one that is wrong."""
    parts = [texts] if isinstance(texts, str) else list(texts)
    tokens = [t for part in parts for t in LIMIT_SEPARATORS.split(part.strip()) if t.strip()]
    if not tokens:
        raise LimitsError("no_step_limits")
    values: list[float] = []
    for token in tokens:
        try:
            value = float(token.strip().replace(",", "."))
        except ValueError:
            raise LimitsError("step_limit_not_a_number", value=token) from None
        if not math.isfinite(value) or value <= 0:
            raise LimitsError("step_limit_not_positive", value=token)
        if values and value <= values[-1]:
            raise LimitsError("step_limits_not_ascending", value=token, previous=f"{values[-1]:g}")
        values.append(value)
    return tuple(values)


def show_limits(limits: Iterable[float]) -> str:
    """The limits as the field shows them."""
    return ", ".join(f"{limit:g}" for limit in limits)


class ZwaveQuirksOptionsFlow(OptionsFlowWithReload):
    """Step limits and period length of the capacity sensors; saving reloads the entry."""

    def _quirk_files(self) -> int:
        """How many of the user's quirk files the entry loaded."""
        runtime = getattr(self.config_entry, "runtime_data", None)
        return len(getattr(runtime, "user_quirks", ()))

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and check the options."""
        limits, minutes = capacity_options(self.config_entry.options)
        shown = show_limits(limits)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}  # what an error names
        put_away = len(decisions(self.config_entry.options)[0])
        if user_input is not None:
            typed = user_input[CONF_STEP_LIMITS]
            shown = typed if isinstance(typed, str) else ", ".join(str(t) for t in typed)
            minutes = int(user_input[CONF_PERIOD_MINUTES])
            try:
                parsed = parse_limits(shown)
            except LimitsError as err:
                errors[CONF_STEP_LIMITS] = err.key
                placeholders |= err.placeholders
            else:
                if user_input.get(CONF_SHOW_CORE_ENTITIES):
                    async_show_again(self.hass, self.config_entry)
                return self.async_create_entry(
                    data={
                        **self.config_entry.options,
                        CONF_STEP_LIMITS: list(parsed),
                        CONF_PERIOD_MINUTES: minutes,
                    }
                )
        fields: dict[Any, Any] = {}
        if put_away:
            fields[vol.Optional(CONF_SHOW_CORE_ENTITIES, default=False)] = BooleanSelector()
        schema = vol.Schema(
            {
                **fields,
                vol.Required(CONF_STEP_LIMITS, default=shown): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.TEXT, suffix="kW")
                ),
                vol.Required(CONF_PERIOD_MINUTES, default=str(minutes)): SelectSelector(
                    SelectSelectorConfig(
                        options=[str(choice) for choice in PERIOD_MINUTES],
                        translation_key=CONF_PERIOD_MINUTES,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "put_away": str(put_away),
                "folder": self.hass.config.path(USER_FOLDER),
                "quirk_files": str(self._quirk_files()),
                **placeholders,
            },
        )
