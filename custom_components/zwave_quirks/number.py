"""Number entities for the range parameters that quirks declare."""

from __future__ import annotations

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .entity import ParameterEntity, async_setup_platform, naming
from .quirks.codecs import raw_to_display
from .quirks.model import ConfigParam
from .validation import display_number, raw_for_number

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a number entity per range parameter of every supported node."""
    async_setup_platform(
        entry,
        Platform.NUMBER,
        async_add_entities,
        lambda binding: (
            QuirkNumber(binding, p) for p in binding.resolved.parameters_on(Platform.NUMBER)
        ),
    )


class QuirkNumber(ParameterEntity, NumberEntity):
    """A configuration parameter with a range, in the units a person thinks in.

    A parameter's off value (0 = disabled) is shown and accepted as it is; the
    parameter's switch says whether the function is on.
    """

    def __init__(self, binding: NodeBinding, param: ConfigParam) -> None:
        """Initialize."""
        super().__init__(binding, param, param.entity_key)
        low, high = param.span
        self.entity_description = NumberEntityDescription(
            key=param.entity_key,
            **naming(param.key, param.names, binding.hass.config.language, param.icon),
            device_class=param.device_class,
            native_unit_of_measurement=param.unit,
            native_min_value=raw_to_display(low, param.scale),
            native_max_value=raw_to_display(high, param.scale),
            native_step=raw_to_display(param.step, param.scale),
            mode=NumberMode.BOX,
            entity_category=param.entity_category,
            entity_registry_enabled_default=param.enabled_by_default,
        )

    @callback
    def _update_from_node(self, reading: bool) -> None:
        self._attr_native_value = self._shown(display_number)

    async def async_set_native_value(self, value: float) -> None:
        """Validate, then write the parameter."""
        await self._async_write(raw_for_number(self.param, value, await self._async_subject()))
