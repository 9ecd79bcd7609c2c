"""Sensor entities declared by quirks."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, Self

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntity,
    SensorExtraStoredData,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .binding import NodeBinding
from .capacity_sensor import capacity_sensors
from .connection import ZwaveQuirksConfigEntry
from .const import METADATA_UPDATED
from .entity import QuirkEntity, async_setup_platform, sensor_description
from .quirks.model import SensorDecl, ValueRef

PARALLEL_UPDATES = 0
# a total's attribute: the device's own register
ATTR_METER_READING = "meter_reading"
# while the guard holds readings off the track: the latest of them, and since when
ATTR_HELD_READING = "held_reading"
ATTR_HELD_SINCE = "held_since"


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
        lambda binding: [
            *(
                TotalSensor(binding, d) if d.guard_total else QuirkSensor(binding, d)
                for d in binding.resolved.declared(SensorDecl)
            ),
            *capacity_sensors(binding),
        ],
    )


@dataclass
class QuirkStoredData(SensorExtraStoredData):
    """The restored sensor data, and which of alternative sources the node reported last.

    ``accepted_at`` is what a version before 0.3 kept of a total's guard
    (readings.py takes it over).
    """

    accepted_at: float | None
    source: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the data to store."""
        return super().as_dict() | {"accepted_at": self.accepted_at, "source": self.source}

    @classmethod
    def from_dict(cls, restored: dict[str, Any]) -> Self | None:
        """Restore stored data; None when it is not a sensor's."""
        base = SensorExtraStoredData.from_dict(restored)
        if base is None:
            return None
        at, source = restored.get("accepted_at"), restored.get("source")
        return cls(
            base.native_value,
            base.native_unit_of_measurement,
            float(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else None,
            source if isinstance(source, str) else None,
        )


class QuirkSensor(QuirkEntity, RestoreSensor):
    """A value, or values combined by a pure function, of a node."""

    def __init__(self, binding: NodeBinding, decl: SensorDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, decl.values)
        self.decl = decl
        if decl.optional:
            self.appears_with = decl.sources
        self.entity_description = sensor_description(decl, language=binding.hass.config.language)
        self._numeric = decl.device_class is not None or decl.state_class is not None
        # of alternative sources, the one the node reported last (None: not yet)
        self._source: ValueRef | None = None
        # the value ids read per update, worked out once
        self._source_ids = tuple(binding.value_id(ref) for ref in decl.sources)

    @property
    def extra_restore_state_data(self) -> QuirkStoredData:
        """Remember the shown value and the source."""
        base = super().extra_restore_state_data
        return QuirkStoredData(
            base.native_value,
            base.native_unit_of_measurement,
            None,
            None if self._source is None else self._source.value_id(self.binding.node_id),
        )

    async def async_added_to_hass(self) -> None:
        """Restore the source, then follow the node."""
        if (extra := await self.async_get_last_extra_data()) is not None and (
            data := QuirkStoredData.from_dict(extra.as_dict())
        ) is not None:
            node_id = self.binding.node_id
            self._source = next(
                (ref for ref in self.decl.sources if ref.value_id(node_id) == data.source), None
            )
        await super().async_added_to_hass()

    @callback
    def _async_value_changed(self, ref: ValueRef, kind: str) -> None:
        """Of alternative sources, follow the one the node reports."""
        if self.decl.alternatives and kind != METADATA_UPDATED:
            self._source = ref
        super()._async_value_changed(ref, kind)

    def _source_value(self) -> Any:
        """The value to show, before checks: one source, alternatives or converted."""
        decl, binding, ids = self.decl, self.binding, self._source_ids
        if decl.alternatives:
            if self._source is not None and (value := binding.value(self._source)) is not None:
                return value
            return next((v for vid in ids if (v := binding.value_of(vid)) is not None), None)
        if decl.convert is None:
            return binding.value_of(ids[0])
        return decl.convert([binding.value_of(vid) for vid in ids])

    @callback
    def _update_from_node(self, reading: bool) -> None:
        value = self._source_value()
        if value is not None and self._numeric:
            value = self._checked_number(value)
        if value is not None:
            self._warned = False
        self._attr_native_value = value

    def _checked_number(self, value: Any) -> float | None:
        """The value if it is a finite number and a reading; None (logged once) if not."""
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self._warn_once("unexpected value %r", value)
            return None
        if value in self.decl.no_reading:
            # documented device behaviour (e.g. the Z-HAN2's -999.9 °C): not a warning
            self._warn_once("the device has no reading (it reports %s)", value, level=logging.INFO)
            return None
        return value


class TotalSensor(QuirkEntity, SensorEntity):
    """A guarded energy total: a view of the node's readings (readings.py).

    It shows the total the dashboard books; the device's own register is the
    ``meter_reading`` attribute (not recorded: it changes with every reading).
    While readings are held off the track, ``held_reading`` and ``held_since``
    say so on the device page.
    """

    _unrecorded_attributes = frozenset({ATTR_METER_READING, ATTR_HELD_READING, ATTR_HELD_SINCE})

    def __init__(self, binding: NodeBinding, decl: SensorDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, ())
        self.decl = decl
        if decl.optional:
            # e.g. exported energy: created when the meter first reports it
            self.appears_with = decl.sources
        self.entity_description = sensor_description(decl, language=binding.hass.config.language)

    @property
    def native_value(self) -> float | None:
        """The total the dashboard books."""
        guard = self.binding.readings.total(self.decl.key)
        return None if guard is None or guard.total is None else round(guard.total, 6)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The device's register, as its display shows it; a held reading."""
        guard = self.binding.readings.total(self.decl.key)
        if guard is None or guard.register is None:
            return None
        attributes: dict[str, Any] = {ATTR_METER_READING: guard.register}
        if (level := guard.level) is not None:
            attributes[ATTR_HELD_READING] = level.latest
            attributes[ATTR_HELD_SINCE] = dt_util.utc_from_timestamp(level.first_at).isoformat()
        return attributes

    async def async_added_to_hass(self) -> None:
        """Follow the readings and the node's availability."""
        self.async_on_remove(
            self.binding.readings.subscribe(self.async_write_ha_state, self.decl.key)
        )
        await super().async_added_to_hass()
