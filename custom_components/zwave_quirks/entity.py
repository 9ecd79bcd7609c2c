"""The base entity: device link, unique id, availability, value subscriptions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import DOMAIN, LOGGER
from .quirks.model import ConfigParam, ValueRef


@callback
def async_setup_platform(
    entry: ZwaveQuirksConfigEntry,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities: Callable[[NodeBinding], Iterable[QuirkEntity]],
) -> None:
    """Add a platform's entities for every supported node, now and later.

    An entity with ``appears_with`` set is held back until the node has that
    value (e.g. exported energy, which a meter may never report).
    """

    @callback
    def add(binding: NodeBinding) -> None:
        ready = []
        for entity in entities(binding):
            if entity.appears_with is None or binding.has_value(entity.appears_with):
                ready.append(entity)
            else:
                _add_when_reported(binding, entity)
        async_add_entities(ready)

    @callback
    def _add_when_reported(binding: NodeBinding, entity: QuirkEntity) -> None:
        assert entity.appears_with is not None

        @callback
        def reported() -> None:
            unsub()
            async_add_entities([entity])

        unsub = binding.subscribe_value(entity.appears_with, reported)
        entry.async_on_unload(unsub)

    entry.runtime_data.async_register_platform(platform, add)


class QuirkEntity(Entity):
    """An entity made from a quirk declaration, bound to one node."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    # created only once the node has this value
    appears_with: ValueRef | None = None

    def __init__(self, binding: NodeBinding, key: str, values: tuple[ValueRef, ...]) -> None:
        """Initialize."""
        self.binding = binding
        self._watched = values
        self._warned = False
        self._attr_unique_id = binding.unique_id(key)
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, binding.device_key)})

    @property
    def available(self) -> bool:
        """Available while the node is reachable."""
        return self.binding.available

    async def async_added_to_hass(self) -> None:
        """Follow the node's values and its availability."""
        self.async_on_remove(self.binding.subscribe_state(self._async_refresh))
        for ref in self._watched:
            self.async_on_remove(self.binding.subscribe_value(ref, self._async_new_reading))
        self._update_from_node(reading=False)

    @callback
    def _async_refresh(self) -> None:
        """The node object or its availability changed."""
        self._update_from_node(reading=False)
        self.async_write_ha_state()

    @callback
    def _async_new_reading(self) -> None:
        """The node reported a value."""
        self._update_from_node(reading=True)
        self.async_write_ha_state()

    @callback
    def _update_from_node(self, reading: bool) -> None:
        """Read the node's current values into the entity's attributes.

        ``reading`` is true when the node just reported a value, false when
        the values were read again after a reconnect or a status change.
        """

    def _warn_once(self, message: str, *args: object) -> None:
        """Log an unexpected value once, until a good value comes back."""
        if not self._warned:
            self._warned = True
            LOGGER.warning("%s: " + message, self.entity_id, *args)


class ParameterEntity(QuirkEntity):
    """An entity of one configuration parameter."""

    def __init__(self, binding: NodeBinding, param: ConfigParam, key: str) -> None:
        """Initialize."""
        super().__init__(binding, key, (param.value,))
        self.param = param

    def _shown[T](self, display: Callable[[ConfigParam, Any], T | None]) -> T | None:
        """The parameter's value as ``display`` shows it; warn once if unexpected."""
        reported = self.binding.value(self.param.value)
        shown = display(self.param, reported)
        if shown is None and reported is not None:
            self._warn_once(
                "parameter %s reported unexpected value %r", self.param.number, reported
            )
        elif shown is not None:
            self._warned = False
        return shown

    async def _async_write(self, raw: int) -> None:
        """Send a raw value that validation has already accepted."""
        await self.binding.async_set_value(self.param.value, raw)
