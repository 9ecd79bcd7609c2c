"""Per node: the guards of its energy totals, its capacity tracker, and their Store.

The node's binding feeds one NodeReadings from its value updates, whatever
entities exist or are enabled; entities only read it (``subscribe``). So a
disabled Energy entity changes nothing its capacity sensors show.

Its state is one Store file per network and node. A version before 0.3
kept a guard's total in its entity's restore data and the capacity tracker
in a Store of its own: both are taken over once (``_async_migrate``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .capacity import CapacitySnapshot, CapacityTracker
from .compat import restored_state
from .const import DOMAIN, LOGGER, METADATA_UPDATED, VALUE_UPDATED
from .guard import Outcome, Result, TotalGuard
from .ids import capacity_storage_key, readings_storage_key
from .options import capacity_options
from .quirks.model import CapacityDecl, ResolvedQuirk, SensorDecl, ValueRef

STORAGE_VERSION = 1
# at most this long (s) between saves while readings come; a stop saves at once
SAVE_INTERVAL = 30.0
JUMP_ISSUE = "energy_jump"


async def async_remove_stores(hass: HomeAssistant, home_id: int, node_ids: Iterable[int]) -> None:
    """The entry is gone: remove its nodes' stored readings (and 0.2's capacity files)."""
    for node_id in node_ids:
        for key in (readings_storage_key(home_id, node_id), capacity_storage_key(home_id, node_id)):
            await Store[Any](hass, STORAGE_VERSION, key).async_remove()


class NodeValues(Protocol):
    """What the readings need of the node's binding (binding.NodeBinding has them)."""

    home_id: int
    node_id: int
    resolved: ResolvedQuirk
    device_id: str | None

    @property
    def available(self) -> bool:
        """Whether the node can be talked to."""

    def value(self, ref: ValueRef) -> Any:
        """The current value, None when unknown."""

    def value_id(self, ref: ValueRef) -> str:
        """The node's value id of a reference."""

    def unique_id(self, key: str) -> str:
        """The unique id of the node's entity for a declaration key."""

    def subscribe_value(self, ref: ValueRef, func: Callable[[str], None]) -> Callable[[], None]:
        """Call func(kind) when the value changes."""

    def subscribe_state(self, func: Callable[[], None]) -> Callable[[], None]:
        """Call func when availability changes or the node object is replaced."""

    def subscribe_totals_reset(self, func: Callable[[bool], None]) -> Callable[[], None]:
        """Call func(expected) around a reset through this integration."""


def jump_issue_id(entry_id: str, node_id: int, key: str) -> str:
    """The repair issue of a total's jump that the user decides."""
    return f"{JUMP_ISSUE}_{entry_id}_{node_id}_{key}"


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


@dataclass(slots=True)
class MeterTotal:
    """A guarded total of the node, as declared by its quirk."""

    decl: SensorDecl
    guard: TotalGuard
    # of alternative sources, the one the node reported last (None: not yet)
    source: ValueRef | None = None
    warned: bool = False


class NodeReadings:
    """The readings pipeline of one node."""

    def __init__(
        self, hass: HomeAssistant, binding: NodeValues, entry_id: str, options: Mapping[str, Any]
    ) -> None:
        """Subscribe to the binding at once; readings before the Store is loaded wait."""
        self.hass = hass
        self.binding = binding
        self.entry_id = entry_id
        # a logger per node: Home Assistant's log list groups messages by logger and
        # line, so that two devices' messages of one kind are two entries, not one
        self.logger = LOGGER.getChild(f"node.{binding.home_id:08x}.{binding.node_id}")
        resolved = binding.resolved
        self.totals: dict[str, MeterTotal] = {
            decl.key: MeterTotal(decl, TotalGuard())
            for decl in resolved.declared(SensorDecl)
            if decl.guard_total
        }
        capacity = resolved.declared(CapacityDecl)
        self.capacity_decl = capacity[0] if capacity else None
        self.limits, self.minutes = capacity_options(options)
        self.tracker: CapacityTracker | None = None
        self.snapshot: CapacitySnapshot | None = None
        self.loaded = False
        self._waiting: list[Callable[[], None]] = []
        # the entities to tell, by total key (None: the capacity sensors)
        self._listeners: dict[str | None, list[Callable[[], None]]] = {}
        # what another quirk stored and this one does not declare (see _take)
        self._kept: dict[str, Any] = {"totals": {}, "capacity": None}
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, readings_storage_key(binding.home_id, binding.node_id)
        )
        self._save_due = 0.0
        # the save _save_now started, awaited before a stop or a removal
        self._saving: asyncio.Task[None] | None = None
        self._save_again = False
        self._wake_at: datetime | None = None
        self._unwake: Callable[[], None] | None = None
        self._unsubs: list[Callable[[], None]] = []
        self._subscribe()
        self._start: asyncio.Task[None] | None = None

    # -- life ----------------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Load the Store (or migrate), then take the readings that waited."""
        if self._start is None:
            self._start = self.hass.async_create_task(
                self._async_load(), f"{DOMAIN} readings of node {self.binding.node_id}"
            )

    async def async_wait_loaded(self) -> None:
        """Wait until the stored state is loaded (at once if it is)."""
        if self._start is not None:
            await asyncio.shield(self._start)

    async def async_stop(self) -> None:
        """Stop following the node and save now."""
        await self.async_wait_loaded()
        self._unsubscribe()
        if self._saving is not None:
            await self._saving
        if self.tracker is not None:
            self.tracker.advance(dt_util.utcnow())
        if self.loaded and (self.totals or self.tracker is not None):
            await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """The node left the network: forget its stored state and its issues."""
        await self.async_wait_loaded()
        self._unsubscribe()
        self.loaded = False
        if self._saving is not None:
            await self._saving
        await self._store.async_remove()
        for key in self.totals:
            ir.async_delete_issue(
                self.hass, DOMAIN, jump_issue_id(self.entry_id, self.binding.node_id, key)
            )

    def _unsubscribe(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        self._cancel_wake()

    async def _async_load(self) -> None:
        """Load, or migrate; whatever fails, the readings go on (from empty state)."""
        try:
            data: Any = await self._store.async_load()
            if data is None:
                data = await self._async_migrate()
        except Exception:
            self.logger.warning(
                "%s: the stored totals cannot be read; starting anew",
                self._device_name(),
                exc_info=True,
            )
            data = None
        try:
            self._take(data)
        finally:
            self.loaded = True
            waiting, self._waiting = self._waiting, []
            for step in waiting:
                step()
            for key in self.totals:
                self._jump_issue(key)
            self._refresh()

    def _take(self, data: Any) -> None:
        """Take over stored state; what cannot be read is left out.

        What this quirk does not declare (a total, the capacity state) is kept
        as it is: another quirk for the node (a user's file that replaces the
        shipped one, and is removed again) finds it where it left it.
        """
        totals = data.get("totals") if isinstance(data, dict) else None
        self._kept = {
            "totals": {
                key: stored
                for key, stored in (totals if isinstance(totals, dict) else {}).items()
                if key not in self.totals
            },
            "capacity": data.get("capacity")
            if isinstance(data, dict) and self.capacity_decl is None
            else None,
        }
        for key, total in self.totals.items():
            stored = totals.get(key) if isinstance(totals, dict) else None
            if isinstance(stored, dict):
                try:
                    total.guard = TotalGuard.from_dict(stored)
                except ValueError as err:
                    self.logger.warning(
                        "%s: the stored total is unreadable (%s)", self._label(key), err
                    )
                source = stored.get("source")
                total.source = next(
                    (r for r in total.decl.sources if self.binding.value_id(r) == source), None
                )
        if self.capacity_decl is not None:
            self.tracker = self._tracker(data.get("capacity") if isinstance(data, dict) else None)

    def _tracker(self, data: Any) -> CapacityTracker:
        tz = dt_util.get_default_time_zone()
        if isinstance(data, dict):
            try:
                return CapacityTracker.from_dict(data, tz, self.minutes)
            except (ValueError, KeyError, TypeError) as err:
                self.logger.warning(
                    "%s: the stored capacity state is unreadable (%s); starting anew",
                    self._device_name(),
                    err,
                )
        return CapacityTracker(tz, self.minutes)

    async def _async_migrate(self) -> dict[str, Any]:
        """The state a version before 0.3 kept: entity restore data, a capacity Store."""
        binding = self.binding
        registry = er.async_get(self.hass)
        totals: dict[str, Any] = {}
        for key in self.totals:
            entity_id = registry.async_get_entity_id(
                Platform.SENSOR, DOMAIN, binding.unique_id(key)
            )
            stored = None if entity_id is None else restored_state(self.hass, entity_id)
            if stored is None or stored.extra_data is None:
                continue
            extra = stored.extra_data.as_dict()
            value = _finite(extra.get("native_value"))
            if value is None or value < 0:
                continue
            at = _finite(extra.get("accepted_at"))
            if at is None:
                # stored by a version without the guard's time: the last report will do
                at = stored.state.last_reported.timestamp()
            guard = TotalGuard()
            guard.seed(value, at)
            totals[key] = guard.as_dict() | {"source": extra.get("source")}
        capacity = None
        old: Store[dict[str, Any]] | None = None
        if self.capacity_decl is not None:
            old_key = capacity_storage_key(binding.home_id, binding.node_id)
            old = Store(self.hass, STORAGE_VERSION, old_key)
            capacity = await old.async_load()
        if totals or capacity is not None:
            self.logger.info(
                "%s: took over the stored totals %s and %s capacity state of version 0.2",
                self._device_name(),
                sorted(totals),
                "its" if capacity is not None else "no",
            )
        data = {"totals": totals, "capacity": capacity}
        if totals or capacity is not None:
            await self._store.async_save(data)
            # only once the new file is written
            if old is not None and capacity is not None:
                await old.async_remove()
        return data

    def _data(self) -> dict[str, Any]:
        return {
            "totals": self._kept["totals"]
            | {
                key: total.guard.as_dict()
                | {"source": None if total.source is None else self.binding.value_id(total.source)}
                for key, total in self.totals.items()
                if total.guard.total is not None
            },
            "capacity": self._kept["capacity"] if self.tracker is None else self.tracker.as_dict(),
        }

    # -- what entities read ---------------------------------------------------------

    def subscribe(self, func: Callable[[], None], key: str | None = None) -> Callable[[], None]:
        """Call func after a change of the total ``key``, or (None) of the capacity snapshot."""
        listeners = self._listeners.setdefault(key, [])
        listeners.append(func)
        return lambda: listeners.remove(func) if func in listeners else None

    def total(self, key: str) -> TotalGuard | None:
        """The guard of a total (its ``total`` is what the sensor shows)."""
        return None if (total := self.totals.get(key)) is None else total.guard

    # -- feeding --------------------------------------------------------------------

    def _subscribe(self) -> None:
        binding = self.binding
        for key, total in self.totals.items():
            for ref in total.decl.sources:
                self._unsubs.append(binding.subscribe_value(ref, partial(self._on_total, key, ref)))
            if total.decl.power is not None:
                self._unsubs.append(
                    binding.subscribe_value(total.decl.power, partial(self._on_power, key))
                )
        if self.capacity_decl is not None:
            power = self.capacity_decl.power
            self._unsubs.append(binding.subscribe_value(power, self._on_capacity_power))
        self._unsubs += [
            binding.subscribe_state(self._on_state),
            binding.subscribe_totals_reset(self._on_totals_reset),
        ]

    def _later(self, step: Callable[[], None]) -> bool:
        """Keep a step until the Store is loaded; True if kept."""
        if self.loaded:
            return False
        self._waiting.append(step)
        return True

    @callback
    def _on_total(self, key: str, ref: ValueRef, kind: str) -> None:
        total = self.totals[key]
        reading = kind == VALUE_UPDATED
        value = self._checked(total, self.binding.value(ref))
        now = dt_util.utcnow().timestamp()
        kw = self._max_power_kw(total.decl)

        def step() -> None:
            if total.decl.alternatives and kind != METADATA_UPDATED:
                # of alternative sources, follow the one the node reports (or adds)
                total.source = ref
            if value is None:
                return
            if reading:
                self._decided(total, total.guard.reading(value, now, kw), now, True)
            elif ref == self._source_ref(total):
                self._decided(total, total.guard.refresh(value, now, kw), now, False)

        if not self._later(step):
            step()

    @callback
    def _on_power(self, key: str, kind: str) -> None:
        total = self.totals[key]
        assert total.decl.power is not None
        if kind != VALUE_UPDATED:
            return
        if (watts := _finite(self.binding.value(total.decl.power))) is None:
            return
        now = dt_util.utcnow().timestamp()
        if not self._later(lambda: total.guard.power(watts / 1000, now)):
            total.guard.power(watts / 1000, now)

    @callback
    def _on_capacity_power(self, kind: str) -> None:
        """A power reading from the node (W); a value read again is no reading."""
        assert self.capacity_decl is not None
        if kind != VALUE_UPDATED:
            return
        if (watts := _finite(self.binding.value(self.capacity_decl.power))) is None:
            return
        now = dt_util.utcnow()

        def step() -> None:
            assert self.tracker is not None
            self.tracker.power(now, watts / 1000)
            self._update()

        if not self._later(step):
            step()

    @callback
    def _on_state(self) -> None:
        """The node came or went, or is a new node object: read the totals again."""
        if not self.loaded:
            return
        if self.tracker is not None and not self.binding.available:
            self.tracker.lost(dt_util.utcnow())
        self._refresh()

    @callback
    def _on_totals_reset(self, expected: bool) -> None:
        now = dt_util.utcnow().timestamp()

        def step() -> None:
            for total in self.totals.values():
                total.guard.expect_reset(now, expected)

        if not self._later(step):
            step()

    def _refresh(self) -> None:
        """Read every total again (not a reading: it only continues the track).

        The power the node shows goes to the tracker for the estimate alone.
        """
        if self.tracker is not None and self.binding.available:
            assert self.capacity_decl is not None
            watts = _finite(self.binding.value(self.capacity_decl.power))
            if watts is not None:
                self.tracker.shown(dt_util.utcnow(), watts / 1000)
        now = dt_util.utcnow().timestamp()
        for total in self.totals.values():
            ref = self._source_ref(total)
            if ref is None:
                continue
            value = self._checked(total, self.binding.value(ref))
            if value is not None:
                result = total.guard.refresh(value, now, self._max_power_kw(total.decl))
                self._decided(total, result, now, False)
        self._update(*self.totals)

    def _source_ref(self, total: MeterTotal) -> ValueRef | None:
        """The source a total is read from: the one reported last, else the first with a value."""
        binding = self.binding
        if total.source is not None and binding.value(total.source) is not None:
            return total.source
        return next((r for r in total.decl.sources if binding.value(r) is not None), None)

    def _checked(self, total: MeterTotal, value: Any) -> float | None:
        """A finite number that is a reading; None (logged once) if not."""
        if value is None:
            return None
        number = _finite(value)
        if number is None or number in total.decl.no_reading:
            if not total.warned:
                total.warned = True
                self.logger.warning(
                    "%s: unexpected value %r ignored", self._label(total.decl.key), value
                )
            return None
        total.warned = False
        return number

    def _max_power_kw(self, decl: SensorDecl) -> float | None:
        """The meter's largest power now (a scaling parameter may multiply it)."""
        limit = decl.max_power
        if limit is None:
            return None
        factor = 1
        if limit.scaled_by is not None:
            scale = self.binding.value(limit.scaled_by)
            if isinstance(scale, int) and not isinstance(scale, bool) and scale > 0:
                factor = scale
        return limit.watts * factor / 1000

    # -- decisions ------------------------------------------------------------------

    def _decided(self, total: MeterTotal, result: Result, now: float, reading: bool) -> None:
        """Log a decision, ask about a jump, tell the tracker and the entities."""
        key = total.decl.key
        self._log(key, result)
        if result.jump is not None:
            self._jump_issue(key)
        decl, tracker, guard = self.capacity_decl, self.tracker, total.guard
        if (
            reading
            and result.changed
            and tracker is not None
            and decl is not None
            and decl.total == key
            and guard.total is not None
        ):
            # what the user counted by hand is no consumption of this period
            tracker.total(
                dt_util.utc_from_timestamp(now),
                guard.total - guard.corrections,
                new_level=result.outcome is Outcome.FIRST,
            )
        if result.changed or result.outcome in (Outcome.HELD, Outcome.STILL_HELD):
            # a held reading shows on the total's sensor too
            self._update(key)
            if result.changed:
                # a total the sensor now shows is written at once: after a power
                # cut it must not start from a lower one (the recorder has it)
                self._save_now()
        elif reading:
            # a held level's readings and the counts are worth keeping too
            self._save_soon()

    def _log(self, key: str, result: Result) -> None:
        """One line per decision, in the user's terms (a reading counted needs none)."""
        outcome = result.outcome
        if (
            outcome in (Outcome.COUNTED, Outcome.IGNORED)
            or (outcome is Outcome.FIRST and result.last is None)
            or (
                outcome in (Outcome.STILL_HELD, Outcome.NEGATIVE_AGAIN)
                and not self.logger.isEnabledFor(logging.DEBUG)
            )
        ):
            return  # the label costs registry look-ups: only for a line
        label, value, last, level = self._label(key), result.value, result.last, result.level
        match result.outcome:
            case Outcome.NEGATIVE:
                self.logger.warning(
                    "%s: negative reading %s kWh not counted (a growing total cannot be negative)",
                    label,
                    value,
                )
            case Outcome.HELD:
                assert level is not None
                self.logger.warning(
                    "%s: reading %s kWh is %s the last one, %s kWh, than the meter can go; "
                    "not counted until the readings show whether it was a bad reading "
                    "or a new level",
                    label,
                    value,
                    "further below" if level.reason == "drop" else "further above",
                    last,
                )
            case Outcome.DISCARDED:
                assert level is not None
                self.logger.info(
                    "%s: back on its track at %s kWh; the %s off-track reading(s) from %s kWh "
                    "were bad and not counted",
                    label,
                    value,
                    level.readings,
                    level.first,
                )
            case Outcome.NEW_LEVEL:
                assert level is not None
                self.logger.warning(
                    "%s: the meter went on from %s kWh instead of %s kWh for an hour: "
                    "a new level (a reset or a replaced meter). The jump is not counted; "
                    "%s kWh were counted for the time between",
                    label,
                    level.first,
                    last,
                    round(result.added - (value - level.first), 3),
                )
            case Outcome.RESET:
                self.logger.info("%s: new meter reading %s kWh after the reset", label, value)
            case Outcome.FIRST if last is not None:
                self.logger.info(
                    "%s: the meter reads %s kWh, not %s kWh as stored; counting from %s kWh",
                    label,
                    value,
                    last,
                    value,
                )
            case Outcome.STILL_HELD | Outcome.NEGATIVE_AGAIN:
                self.logger.debug("%s: reading %s kWh still not counted", label, value)

    def _jump_issue(self, key: str) -> None:
        """The repair issue that asks whether a jump was consumption, while it is open."""
        guard = self.totals[key].guard
        issue_id = jump_issue_id(self.entry_id, self.binding.node_id, key)
        if (jump := guard.jump) is None:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=JUMP_ISSUE,
            translation_placeholders=self.jump_placeholders(key) or {},
            data={
                "entry_id": self.entry_id,
                "node_id": self.binding.node_id,
                "key": key,
                # the jump asked about: an answer applies to this one only
                "at": jump.at,
            },
        )

    def jump_placeholders(self, key: str) -> dict[str, str] | None:
        """What the repair issue and its form say about a total's jump (None: no jump)."""
        if (jump := self.totals[key].guard.jump) is None:
            return None
        return {
            "meter": self._label(key),
            "before": str(round(jump.before, 3)),
            "after": str(round(jump.after, 3)),
            "uncounted": f"{jump.uncounted:.3f}",
        }

    @callback
    def async_decide_jump(self, key: str, consumption: bool) -> float:
        """Apply the user's answer on a jump; return the kWh added to the total."""
        guard = self.totals[key].guard
        added = 0.0
        if guard.jump is not None:
            before = guard.total
            if consumption:
                added = guard.count_jump()
            else:
                guard.keep_jump()
            self.logger.info(
                "%s: the jump was %s; the total goes from %s to %s kWh",
                self._label(key),
                "counted as consumption" if consumption else "kept out of the total",
                before,
                guard.total,
            )
        self._jump_issue(key)
        self._update(key)
        # the answer is written at once
        self._save_now()
        return added

    # -- output ---------------------------------------------------------------------

    def _update(self, *keys: str) -> None:
        """A new snapshot; save now and then; wake at the period's end; tell the entities.

        The capacity sensors hear of every update, the sensors of a total only
        of their own (not of each power reading).
        """
        now = dt_util.utcnow()
        if self.tracker is not None:
            self.snapshot = self.tracker.snapshot(now, self.limits)
            end = self.snapshot.period_end
            if self._wake_at != end:
                self._cancel_wake()
                self._wake_at = end
                self._unwake = async_track_point_in_utc_time(self.hass, self._on_period_end, end)
        self._save_soon()
        listeners = [f for key in (None, *keys) for f in self._listeners.get(key, ())]
        for func in listeners:
            try:
                func()
            except Exception:
                self.logger.warning(
                    "%s: an entity failed to update", self._device_name(), exc_info=True
                )

    def _save_now(self) -> None:
        """Save at once; the next _save_soon schedules anew.

        Not a delayed save of 0 s: a later delayed save would postpone it.
        While a write is in flight, what moves meanwhile goes in one more
        write right after it, not in one write each.
        """
        if not self.loaded:
            return
        self._save_due = 0.0
        if self._saving is not None and not self._saving.done():
            self._save_again = True
            return
        self._saving = self.hass.async_create_task(
            self._async_save_now(), f"{DOMAIN} save readings"
        )

    async def _async_save_now(self) -> None:
        while True:
            self._save_again = False
            await self._store.async_save(self._data())
            if not self._save_again or not self.loaded:
                return

    def _save_soon(self) -> None:
        """Save within SAVE_INTERVAL; more often would postpone the save (a delayed save)."""
        if self.loaded and self.hass.loop.time() >= self._save_due:
            # the store calls _data when it writes, so the save has what came meanwhile
            self._save_due = self.hass.loop.time() + SAVE_INTERVAL
            self._store.async_delay_save(self._data, SAVE_INTERVAL)

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
        self._wake_at = None

    # -- names ------------------------------------------------------------------------

    def _device_name(self) -> str:
        binding = self.binding
        device = (
            None
            if binding.device_id is None
            else dr.async_get(self.hass).async_get(binding.device_id)
        )
        if device is None:
            return f"Node {binding.node_id}"
        return device.name_by_user or device.name or f"Node {binding.node_id}"

    def _label(self, key: str) -> str:
        """The total as the user sees it: its device and entity name."""
        entry = er.async_get(self.hass).async_get(
            er.async_get(self.hass).async_get_entity_id(
                Platform.SENSOR, DOMAIN, self.binding.unique_id(key)
            )
            or ""
        )
        name = None if entry is None else entry.name or entry.original_name
        return f"{self._device_name()} {name or key}"

    def diagnostics(self) -> dict[str, Any]:
        """Each total's guard, without anything that identifies the meter."""
        return {key: total.guard.diagnostics() for key, total in self.totals.items()}
