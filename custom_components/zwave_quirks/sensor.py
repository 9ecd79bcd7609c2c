"""Sensor entities declared by quirks."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import RestoreSensor, SensorEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .entity import QuirkEntity, async_setup_platform
from .guard import TotalGuard
from .quirks.model import SensorDecl

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every supported node."""
    async_setup_platform(
        entry,
        Platform.SENSOR,
        async_add_entities,
        lambda binding: (QuirkSensor(binding, d) for d in binding.resolved.declared(SensorDecl)),
    )


class QuirkSensor(QuirkEntity, RestoreSensor):
    """A value, or values combined by a pure function, of a node."""

    def __init__(self, binding: NodeBinding, decl: SensorDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, decl.values)
        self.decl = decl
        if decl.optional:
            # e.g. exported energy: created when the meter first reports it
            self.appears_with = decl.sources[0]
        self.entity_description = SensorEntityDescription(
            key=decl.key,
            translation_key=decl.translation_key,
            device_class=decl.device_class,
            state_class=decl.state_class,
            native_unit_of_measurement=decl.unit,
            suggested_display_precision=decl.display_precision,
            entity_category=decl.entity_category,
            entity_registry_enabled_default=decl.enabled_by_default,
        )
        self._numeric = decl.device_class is not None or decl.state_class is not None
        self._guard = (
            TotalGuard(f"Node {binding.node_id} {decl.key}") if decl.guard_decrease else None
        )

    async def async_added_to_hass(self) -> None:
        """Restore the last total for the guard, then follow the node."""
        if self._guard is not None:
            last = await self.async_get_last_sensor_data()
            if last is not None and isinstance(last.native_value, (int, float)):
                self._guard.seed(float(last.native_value))
            self.async_on_remove(self.binding.subscribe_totals_reset(self._guard.expect_reset))
        await super().async_added_to_hass()

    @callback
    def _update_from_node(self, reading: bool) -> None:
        values = [self.binding.value(ref) for ref in self.decl.sources]
        value: Any = self.decl.convert(values) if self.decl.convert else values[0]
        if value is not None and self._numeric:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self._warn_once("unexpected value %r", value)
                value = None
            elif self._guard is not None:
                value = self._guard.accept(value) if reading else self._guard.peek(value)
        if value is not None:
            self._warned = False
        self._attr_native_value = value
