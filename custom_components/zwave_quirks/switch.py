"""Switch entities declared by quirks."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .connection import NodeBinding, ZwaveQuirksConfigEntry
from .entity import QuirkEntity
from .quirks.model import SwitchDecl

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every supported node."""

    @callback
    def add(binding: NodeBinding) -> None:
        async_add_entities(
            QuirkSwitch(binding, decl)
            for decl in binding.resolved.entities
            if isinstance(decl, SwitchDecl)
        )

    entry.runtime_data.async_register_platform(Platform.SWITCH, add)


class QuirkSwitch(QuirkEntity, SwitchEntity):
    """An on/off value of a node."""

    def __init__(self, binding: NodeBinding, decl: SwitchDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, decl.values)
        self.decl = decl
        self.entity_description = SwitchEntityDescription(
            key=decl.key,
            translation_key=decl.translation_key,
            entity_category=decl.entity_category,
            entity_registry_enabled_default=decl.enabled_by_default,
        )

    @callback
    def _update_from_node(self, reading: bool) -> None:
        value = self.binding.value(self.decl.current)
        if value is not None and not isinstance(value, bool):
            self._warn_once("unexpected switch value %r", value)
            value = None
        elif value is not None:
            self._warned = False
        self._attr_is_on = value

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the switch on."""
        await self.binding.async_set_value(self.decl.target, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the switch off."""
        await self.binding.async_set_value(self.decl.target, False)
