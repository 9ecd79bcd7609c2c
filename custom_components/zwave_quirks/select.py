"""Select entities for the enumerated parameters that quirks declare."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .entity import ParameterEntity, async_setup_platform, naming
from .quirks.model import ConfigParam, pick_name
from .validation import display_option, raw_for_option

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a select entity per enumerated parameter of every supported node."""
    async_setup_platform(
        entry,
        Platform.SELECT,
        async_add_entities,
        lambda binding: (
            QuirkSelect(binding, p) for p in binding.resolved.parameters_on(Platform.SELECT)
        ),
    )


class QuirkSelect(ParameterEntity, SelectEntity):
    """A configuration parameter with named, translated options."""

    def __init__(self, binding: NodeBinding, param: ConfigParam) -> None:
        """Initialize."""
        super().__init__(binding, param, param.entity_key)
        language = binding.hass.config.language
        # a user quirk's options show their labels (it has no translation files)
        self._labels = (
            {
                key: pick_name(param.option_names.get(key, {}), language) or key
                for key in param.options.values()
            }
            if param.option_names
            else {}
        )
        self.entity_description = SelectEntityDescription(
            key=param.entity_key,
            **naming(param.key, param.names, language, param.icon),
            options=list(self._labels.values()) or list(param.options.values()),
            entity_category=param.entity_category,
            entity_registry_enabled_default=param.enabled_by_default,
        )

    @callback
    def _update_from_node(self, reading: bool) -> None:
        shown = self._shown(display_option)
        self._attr_current_option = self._labels.get(shown, shown) if shown else shown

    async def async_select_option(self, option: str) -> None:
        """Validate, then write the parameter."""
        key = next((k for k, label in self._labels.items() if label == option), option)
        await self._async_write(raw_for_option(self.param, key, await self._async_subject()))
