"""Capacity-tariff sensors: a node's capacity tracker, fed and kept in Home Assistant.

One CapacityMeter per node. It feeds the tracker (capacity.py) with the
totals that the guard of the import total accepts (NodeBinding.subscribe_total:
a held, discarded or negative reading never arrives, a reset or a jump comes
as a new level) and with the power readings the node reports; it tells the
tracker when readings stop (the node or the server gone), keeps it in a Store
across restarts, wakes at each period's end, and hands its sensors one
snapshot. The sensors only show their reading of that snapshot.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .binding import VALUE_UPDATED, NodeBinding
from .capacity import CapacitySnapshot, CapacityTracker
from .const import DOMAIN, LOGGER
from .entity import QuirkEntity, sensor_description
from .options import capacity_options
from .quirks.model import CapacityDecl

STORAGE_VERSION = 1
# at most this long (s) between saves while readings come; a stop saves at once
SAVE_INTERVAL = 30.0


def capacity_sensors(binding: NodeBinding, options: Mapping[str, Any]) -> list[CapacitySensor]:
    """The capacity sensors of a node, sharing one meter; none if its quirk has none."""
    decls = binding.resolved.declared(CapacityDecl)
    if not decls:
        return []
    meter = CapacityMeter(binding, decls[0], options)
    return [CapacitySensor(meter, decl) for decl in decls]


def storage_key(binding: NodeBinding) -> str:
    """Where a node's tracker is kept: one file per network and node."""
    return f"{DOMAIN}.capacity.{binding.home_id:08x}.{binding.node_id}"


class CapacityMeter:
    """The tracker of one node's meter, while any of its sensors is in Home Assistant."""

    def __init__(
        self, binding: NodeBinding, decl: CapacityDecl, options: Mapping[str, Any]
    ) -> None:
        """Initialize; nothing runs before the first sensor is added."""
        self.binding = binding
        self.hass: HomeAssistant = binding.network.hass
        self.total_key = decl.total
        self.power = decl.power
        self.limits, self.minutes = capacity_options(options)
        self.tracker: CapacityTracker | None = None
        self.snapshot: CapacitySnapshot | None = None
        self._members = 0
        self._sensors: list[CapacitySensor] = []
        self._started: asyncio.Task[None] | None = None
        self._store: Store[dict[str, Any]] = Store(self.hass, STORAGE_VERSION, storage_key(binding))
        self._unsubs: list[Callable[[], None]] = []
        self._wake_at: datetime | None = None
        self._unwake: Callable[[], None] | None = None
        self._save_due = 0.0

    # -- sensors come and go ---------------------------------------------------

    async def async_add(self, sensor: CapacitySensor) -> None:
        """A sensor was added: start with the first one (load the stored tracker)."""
        self._members += 1
        if self._started is None:
            self._started = self.hass.async_create_task(self._async_start())
        await self._started
        self._sensors.append(sensor)

    async def async_remove(self, sensor: CapacitySensor) -> None:
        """A sensor goes: with the last one, stop and save."""
        if sensor in self._sensors:
            self._sensors.remove(sensor)
        self._members -= 1
        if self._members > 0 or self._started is None:
            return
        await self._started
        self._started = None
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        self._wake_at = None
        if self.tracker is not None:
            self.tracker.advance(dt_util.utcnow())
            await self._store.async_save(self.tracker.as_dict())
        self.binding.capacity = None

    async def _async_start(self) -> None:
        tz = dt_util.get_default_time_zone()
        tracker = None
        data = await self._store.async_load()
        if data is not None:
            try:
                tracker = CapacityTracker.from_dict(data, tz, self.minutes)
            except (ValueError, KeyError, TypeError) as err:
                LOGGER.warning(
                    "Node %s: the stored capacity state is unreadable (%s); starting anew",
                    self.binding.node_id,
                    err,
                )
        self.tracker = tracker or CapacityTracker(tz, self.minutes)
        self.binding.capacity = self.tracker
        self._unsubs = [
            self.binding.subscribe_total(self.total_key, self._on_total),
            self.binding.subscribe_value(self.power, self._on_power),
            self.binding.subscribe_state(self._on_state),
            self._cancel_wake,
        ]
        self._update()

    # -- readings ------------------------------------------------------------------

    @callback
    def _on_total(self, total: float, at: float, new_level: bool) -> None:
        assert self.tracker is not None
        self.tracker.total(dt_util.utc_from_timestamp(at), total, new_level)
        self._update()

    @callback
    def _on_power(self, kind: str) -> None:
        """A power reading from the node (W); a value read again is no reading."""
        if kind != VALUE_UPDATED:
            return
        value = self.binding.value(self.power)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        if not math.isfinite(value):
            return
        assert self.tracker is not None
        self.tracker.power(dt_util.utcnow(), value / 1000)
        self._update()

    @callback
    def _on_state(self) -> None:
        """The node came or went: while it is away, readings are missing."""
        assert self.tracker is not None
        if not self.binding.available:
            self.tracker.lost(dt_util.utcnow())
        self._update()

    # -- output ----------------------------------------------------------------------

    @callback
    def _update(self) -> None:
        """A new snapshot for the sensors; save now and then; wake at the period's end."""
        assert self.tracker is not None
        self.snapshot = self.tracker.snapshot(dt_util.utcnow(), self.limits)
        if self.hass.loop.time() >= self._save_due:
            # the store calls as_dict when it writes, so the save has what came meanwhile
            self._save_due = self.hass.loop.time() + SAVE_INTERVAL
            self._store.async_delay_save(self.tracker.as_dict, SAVE_INTERVAL)
        end = self.snapshot.period_end
        if self._wake_at != end:
            self._cancel_wake()
            self._wake_at = end
            self._unwake = async_track_point_in_utc_time(self.hass, self._on_period_end, end)
        for sensor in self._sensors:
            sensor.async_write_ha_state()

    @callback
    def _on_period_end(self, _now: datetime) -> None:
        self._wake_at = None
        self._unwake = None
        self._update()

    @callback
    def _cancel_wake(self) -> None:
        if self._unwake is not None:
            self._unwake()
            self._unwake = None


class CapacitySensor(QuirkEntity, SensorEntity):
    """One reading of the node's capacity tracker (see CapacityDecl)."""

    def __init__(self, meter: CapacityMeter, decl: CapacityDecl) -> None:
        """Initialize."""
        super().__init__(meter.binding, decl.key, ())
        self.meter = meter
        self.decl = decl
        translation_key = decl.translation_key
        if meter.minutes != 60 and decl.period_translation_key is not None:
            translation_key = decl.period_translation_key
        self.entity_description = sensor_description(decl, translation_key)

    @property
    def available(self) -> bool:
        """Available while the node is, once the tracker has started."""
        return super().available and self.meter.snapshot is not None

    @property
    def native_value(self) -> float | int | None:
        """The reading, from the meter's snapshot."""
        snapshot = self.meter.snapshot
        return None if snapshot is None else snapshot.value(self.decl.reading)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The period, the peaks or the step's limits, for automations."""
        snapshot = self.meter.snapshot
        return None if snapshot is None else snapshot.attributes(self.decl.reading)

    async def async_added_to_hass(self) -> None:
        """Join the meter (the first sensor starts it), then follow the node's state."""
        await self.meter.async_add(self)
        await super().async_added_to_hass()

    async def async_will_remove_from_hass(self) -> None:
        """Leave the meter (the last sensor saves it)."""
        await self.meter.async_remove(self)
