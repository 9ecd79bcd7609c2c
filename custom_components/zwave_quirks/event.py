"""Event entities declared by quirks (scene activations and the like)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .entity import QuirkEntity, async_setup_platform, naming
from .quirks.model import EventDecl

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of every supported node."""
    async_setup_platform(
        entry,
        Platform.EVENT,
        async_add_entities,
        lambda binding: (QuirkEvent(binding, d) for d in binding.resolved.declared(EventDecl)),
    )


class QuirkEvent(QuirkEntity, EventEntity):
    """Fires once per notification the node sends; never on a reconnect."""

    def __init__(self, binding: NodeBinding, decl: EventDecl) -> None:
        """Initialize."""
        # stateless: the value is not watched, only its notifications are
        super().__init__(binding, decl.key, ())
        self.decl = decl
        self.entity_description = EventEntityDescription(
            key=decl.key,
            **naming(decl.translation_key, decl.names, binding.hass.config.language, decl.icon),
            event_types=[decl.event_type],
            entity_category=decl.entity_category,
            entity_registry_enabled_default=decl.enabled_by_default,
        )

    async def async_added_to_hass(self) -> None:
        """Follow the value's notifications."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.binding.subscribe_notification(self.decl.source, self._async_notified)
        )

    @callback
    def _async_notified(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self._warn_once("unexpected notification value %r", value)
            return
        self._trigger_event(self.decl.event_type, {self.decl.attribute: value})
        self.async_write_ha_state()
