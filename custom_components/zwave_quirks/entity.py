"""The base entity: device link, unique id, availability, value subscriptions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from homeassistant.components.sensor import SensorEntityDescription
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import DOMAIN, LOGGER, VALUE_UPDATED
from .quirks.model import CapacityDecl, ConfigParam, SensorDecl, ValueRef, pick_name
from .validation import Subject, async_subject


@callback
def async_setup_platform(
    entry: ZwaveQuirksConfigEntry,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities: Callable[[NodeBinding], Iterable[QuirkEntity]],
) -> None:
    """Add a platform's entities for every supported node, now and later.

    An entity with ``appears_with`` is held back until the node has one of
    those values (exported energy, which a meter may never report; a
    parameter an older server does not expose), unless it was created before.
    """
    registry = er.async_get(entry.runtime_data.hass)

    @callback
    def add(binding: NodeBinding) -> None:
        ready = []
        for entity in entities(binding):
            if (
                not entity.appears_with
                or any(binding.has_value(ref) for ref in entity.appears_with)
                or registry.async_get_entity_id(platform, DOMAIN, entity.unique_id or "")
            ):
                ready.append(entity)
            else:
                _add_when_reported(binding, entity)
        async_add_entities(ready)

    @callback
    def _add_when_reported(binding: NodeBinding, entity: QuirkEntity) -> None:
        """Add the entity once the node has one of its values.

        A value event tells, and so does a new node object (after a reconnect
        the server may have gained the value, e.g. after an update).
        """

        @callback
        def check(*_: object) -> None:
            if unsubs and any(binding.has_value(ref) for ref in entity.appears_with):
                for unsub in unsubs:
                    unsub()
                unsubs.clear()
                async_add_entities([entity])

        @callback
        def forget() -> None:
            for unsub in unsubs:
                unsub()

        unsubs = [binding.subscribe_value(ref, check) for ref in entity.appears_with]
        unsubs.append(binding.subscribe_state(check))
        entry.async_on_unload(forget)

    entry.runtime_data.async_register_platform(platform, add)


def naming(
    translation_key: str, names: Mapping[str, str], language: str, icon: str | None = None
) -> dict[str, Any]:
    """An entity description's name: its translation key, or a user quirk's own name.

    A shipped quirk's icon is its translation key's (icons.json); a user quirk's is its own.
    """
    if (name := pick_name(names, language)) is not None:
        return {"name": name, "translation_key": None, "icon": icon}
    return {"translation_key": translation_key}


def sensor_description(
    decl: SensorDecl | CapacityDecl, translation_key: str | None = None, language: str = "en"
) -> SensorEntityDescription:
    """The entity description of a declared sensor (a translation key may replace its own)."""
    return SensorEntityDescription(
        key=decl.key,
        **naming(translation_key or decl.translation_key, decl.names, language, decl.icon),
        device_class=decl.device_class,
        state_class=decl.state_class,
        native_unit_of_measurement=decl.unit,
        suggested_display_precision=decl.display_precision,
        entity_category=decl.entity_category,
        entity_registry_enabled_default=decl.enabled_by_default,
    )


class QuirkEntity(Entity):
    """An entity made from a quirk declaration, bound to one node."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    # created only once the node has one of these values
    appears_with: tuple[ValueRef, ...] = ()

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
            self.async_on_remove(
                self.binding.subscribe_value(ref, partial(self._async_value_changed, ref))
            )
        self._update_from_node(reading=False)

    @callback
    def _async_refresh(self) -> None:
        """The node object or its availability changed."""
        self._update_from_node(reading=False)
        self.async_write_ha_state()

    @callback
    def _async_value_changed(self, ref: ValueRef, kind: str) -> None:
        """A watched value changed: reported by the node, or added or re-described."""
        self._update_from_node(reading=kind == VALUE_UPDATED)
        self.async_write_ha_state()

    @callback
    def _update_from_node(self, reading: bool) -> None:
        """Read the node's current values into the entity's attributes.

        ``reading`` is true when the node just reported a value, false when
        the values were read again (a reconnect, a status change, a value
        added or its metadata updated).
        """

    @property
    def shown_name(self) -> str:
        """The entity's name as the user sees it (the device's name included)."""
        state = self.hass.states.get(self.entity_id)
        return state.name if state is not None else self.entity_id

    def _warn_once(self, message: str, *args: object, level: int = logging.WARNING) -> None:
        """Log an unexpected value once, until a good value comes back."""
        if not self._warned:
            self._warned = True
            LOGGER.log(level, "%s: " + message, self.entity_id, *args)


class ParameterEntity(QuirkEntity):
    """An entity of one configuration parameter."""

    def __init__(self, binding: NodeBinding, param: ConfigParam, key: str) -> None:
        """Initialize."""
        super().__init__(binding, key, (param.value,))
        self.param = param
        # a parameter the node does not expose gets no entity until it does
        self.appears_with = (param.value,)

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

    @property
    def available(self) -> bool:
        """Available while the node is reachable and has the parameter.

        An entity created before may meet a node (or server) that no longer
        exposes its parameter: unavailable, not a silent unknown.
        """
        return super().available and self.binding.has_value(self.param.value)

    async def _async_subject(self) -> Subject:
        """What a refused write names: this entity, in the user's terms."""
        return await async_subject(self.hass, self.param, self.shown_name)

    async def _async_write(self, raw: int) -> None:
        """Send a raw value that validation has already accepted."""
        await self.binding.async_set_value(self.param.value, raw, self.shown_name)
