"""Capacity-tariff sensors: views of the node's capacity tracker (readings.py).

The tracker is fed by the node's readings whatever sensors exist or are
enabled; each sensor only shows its reading of the tracker's snapshot.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorEntity

from .binding import NodeBinding
from .entity import QuirkEntity, sensor_description
from .quirks.model import CapacityDecl


def capacity_sensors(binding: NodeBinding) -> list[CapacitySensor]:
    """The capacity sensors of a node; none if its quirk has none."""
    return [CapacitySensor(binding, decl) for decl in binding.resolved.declared(CapacityDecl)]


class CapacitySensor(QuirkEntity, SensorEntity):
    """One reading of the node's capacity tracker (see CapacityDecl)."""

    def __init__(self, binding: NodeBinding, decl: CapacityDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, ())
        self.decl = decl
        translation_key = decl.translation_key
        if binding.readings.minutes != 60 and decl.period_translation_key is not None:
            translation_key = decl.period_translation_key
        self.entity_description = sensor_description(
            decl, translation_key, binding.hass.config.language
        )

    @property
    def available(self) -> bool:
        """Available while the node is, once the tracker has started."""
        return super().available and self.binding.readings.snapshot is not None

    @property
    def native_value(self) -> float | int | None:
        """The reading, from the tracker's snapshot."""
        snapshot = self.binding.readings.snapshot
        return None if snapshot is None else snapshot.value(self.decl.reading)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The period, the peaks or the step's limits, for automations."""
        snapshot = self.binding.readings.snapshot
        return None if snapshot is None else snapshot.attributes(self.decl.reading)

    async def async_added_to_hass(self) -> None:
        """Follow the tracker and the node's state."""
        self.async_on_remove(self.binding.readings.subscribe(self.async_write_ha_state))
        await super().async_added_to_hass()
