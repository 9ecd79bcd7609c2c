"""Loads turned off for the rest of a capacity period, and on again when it ends.

The service `zwave_quirks.turn_off_for_period` (which the blueprint *Stay below
the next capacity step* calls) turns off the given switches that are on and
notes each, with the end of the meter's current period, in Home Assistant's
storage (`.storage/zwave_quirks.shed`) before anything else happens. So
neither a restart in the middle of the period nor Home Assistant being down
when it ends leaves a load off: at the period's end, or as soon as Home
Assistant has started after it, each noted switch is turned on again; one
that is unavailable then is turned on when it becomes available.

A switch that is on again before the end (the user, another automation) is
no longer noted: the next off is not ours to undo. A turn-on that fails is
tried again (after 1, 5 and 15 minutes, then every 15) while the note stays.
A renamed switch keeps its note; a deleted one loses it. An end further away
than one period (a clock that was wrong when the note was made) counts as
now. Removing the integration's entry turns its loads of other integrations
on at once (its own plugs are gone by then, and keep their state). The notes
do not depend on the Z-Wave connection: a water heater on another
integration's switch comes back even while the Z-Wave JS server is down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STOP, STATE_OFF, STATE_ON
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER

STORAGE_KEY = f"{DOMAIN}.shed"
STORAGE_VERSION = 1
SWITCH = "switch"
# the longest a period lasts: an end further away is a clock that was wrong
LONGEST_PERIOD = timedelta(hours=1, minutes=1)
# minutes before a failed turn-on is tried again, then the last one over and over
RETRY_MINUTES = (1, 5, 15)


class LoadShedder:
    """The switches turned off until a period's end, kept across restarts."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Initialize; nothing happens before async_load and the start."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        # entity id -> (the period's end, the entry whose meter it was)
        self.loads: dict[str, tuple[datetime, str]] = {}
        self._timers: dict[str, Callable[[], None]] = {}
        self._retries: dict[str, int] = {}
        self._watch: Callable[[], None] | None = None
        self._unlisten: list[Callable[[], None]] = []
        self._started = False

    async def async_load(self) -> None:
        """Read the notes; turn the loads on once Home Assistant has started."""
        data = await self._store.async_load() or {}
        loads = data.get("loads") if isinstance(data, dict) else None
        for entity_id, note in (loads if isinstance(loads, dict) else {}).items():
            try:
                until = dt_util.parse_datetime(note["until"])
                entry_id = str(note["entry_id"])
            except KeyError, TypeError, ValueError:
                until = None
            if until is None or until.tzinfo is None:
                LOGGER.warning("Ignoring an unreadable note of a load turned off: %s", note)
                continue
            self.loads[str(entity_id)] = (until, entry_id)
        async_at_started(self.hass, self._async_started)
        self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop)
        self._unlisten = [
            self.hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_registry_updated
            ),
        ]

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self._started = True
        self._async_watch()
        for entity_id in list(self.loads):
            self._async_schedule(entity_id)

    async def async_turn_off(
        self, entity_ids: list[str], until: datetime, entry_id: str, context: Context | None = None
    ) -> list[str]:
        """Turn off those of the switches that are on, until ``until``; the ones turned off."""
        turned = [
            entity_id
            for entity_id in entity_ids
            if (state := self.hass.states.get(entity_id)) is not None and state.state == STATE_ON
        ]
        if not turned:
            return []
        for entity_id in turned:
            self.loads[entity_id] = (until, entry_id)
        # noted before the switches go off: a power cut now still turns them on later
        await self._store.async_save(self._data())
        try:
            await self.hass.services.async_call(
                SWITCH, "turn_off", {ATTR_ENTITY_ID: turned}, blocking=True, context=context
            )
        except Exception:
            # the call failed: a switch still on is not ours to turn on later
            for entity_id in turned:
                state = self.hass.states.get(entity_id)
                if state is not None and state.state == STATE_ON:
                    self.loads.pop(entity_id, None)
            raise
        finally:
            self._async_changed()
            for entity_id in turned:
                self._async_schedule(entity_id)
        return [entity_id for entity_id in turned if entity_id in self.loads]

    @callback
    def async_release(self, entry_id: str) -> None:
        """The entry is gone: its loads go on now (its own switches are gone: forgotten)."""
        registry = er.async_get(self.hass)
        for entity_id, (_until, owner) in list(self.loads.items()):
            if owner != entry_id:
                continue
            registered = registry.async_get(entity_id)
            if registered is not None and registered.config_entry_id == entry_id:
                self._async_forget(entity_id)
            else:
                self._async_turn_on(entity_id)

    @callback
    def _async_stop(self, _event: Event | None) -> None:
        """Cancel the timers and listeners (Home Assistant stops; the notes stay)."""
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten = []
        if self._watch is not None:
            self._watch()
            self._watch = None

    # -- inside -------------------------------------------------------------------

    def _data(self) -> dict[str, Any]:
        return {
            "loads": {
                entity_id: {"until": until.isoformat(), "entry_id": entry_id}
                for entity_id, (until, entry_id) in sorted(self.loads.items())
            }
        }

    @callback
    def _async_changed(self) -> None:
        self.hass.async_create_task(
            self._store.async_save(self._data()), f"{DOMAIN} save the loads", eager_start=True
        )
        self._async_watch()

    @callback
    def _async_watch(self) -> None:
        """Follow the noted switches' states (one listener for all of them)."""
        if self._watch is not None:
            self._watch()
            self._watch = None
        if self.loads:
            self._watch = async_track_state_change_event(
                self.hass, list(self.loads), self._async_state_changed
            )

    @callback
    def _async_cancel_timer(self, entity_id: str) -> None:
        if (cancel := self._timers.pop(entity_id, None)) is not None:
            cancel()

    @callback
    def _async_set_timer(self, entity_id: str, cancel: Callable[[], None]) -> None:
        self._async_cancel_timer(entity_id)
        self._timers[entity_id] = cancel

    @callback
    def _async_schedule(self, entity_id: str) -> None:
        if (note := self.loads.get(entity_id)) is None:
            return
        until, _entry_id = note
        now = dt_util.utcnow()
        if until <= now or until > now + LONGEST_PERIOD:
            self._async_cancel_timer(entity_id)
            self._async_due(entity_id)
            return

        fired = partial(self._async_fired, entity_id)
        self._async_set_timer(entity_id, async_track_point_in_utc_time(self.hass, fired, until))

    @callback
    def _async_fired(self, entity_id: str, _now: datetime) -> None:
        """A timer of the note (the period's end, or a retry) is due."""
        self._timers.pop(entity_id, None)
        self._async_due(entity_id)

    @callback
    def _async_due(self, entity_id: str) -> None:
        """The period has ended: on again, or when the switch is available."""
        if not self._started or entity_id not in self.loads:
            return
        state = self.hass.states.get(entity_id)
        if state is not None and state.state == STATE_ON:
            self._async_forget(entity_id)  # on already: nothing to undo
            return
        if state is None or state.state != STATE_OFF:
            LOGGER.info("%s is not available: it is turned on again when it is", entity_id)
            return  # _async_state_changed goes on
        self._async_turn_on(entity_id)

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        new = event.data["new_state"]
        if entity_id not in self.loads or new is None:
            return
        if new.state == STATE_ON:
            # on again by someone else: nothing left to undo
            self._async_forget(entity_id)
        elif new.state == STATE_OFF and self.loads[entity_id][0] <= dt_util.utcnow():
            # available again after the period's end (the period's timer found it away)
            old = event.data["old_state"]
            if old is None or old.state not in (STATE_ON, STATE_OFF):
                self._async_due(entity_id)

    @callback
    def _async_registry_updated(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        """A renamed switch keeps its note; a removed one loses it."""
        data = event.data
        if data["action"] == "remove" and data["entity_id"] in self.loads:
            self._async_forget(data["entity_id"])
        elif data["action"] == "update" and (old := data.get("old_entity_id")) in self.loads:
            self.loads[data["entity_id"]] = self.loads.pop(old)
            self._async_cancel_timer(old)
            self._async_changed()
            self._async_schedule(data["entity_id"])

    @callback
    def _async_forget(self, entity_id: str) -> None:
        self.loads.pop(entity_id, None)
        self._retries.pop(entity_id, None)
        self._async_cancel_timer(entity_id)
        self._async_changed()

    @callback
    def _async_turn_on(self, entity_id: str) -> None:
        """Turn it on; the note goes once it is on (a failure is tried again)."""
        LOGGER.info("The capacity period has ended: turning %s on again", entity_id)
        self.hass.async_create_task(
            self._async_call_on(entity_id), f"{DOMAIN} turn on {entity_id}", eager_start=True
        )

    async def _async_call_on(self, entity_id: str) -> None:
        try:
            await self.hass.services.async_call(
                SWITCH, "turn_on", {ATTR_ENTITY_ID: entity_id}, blocking=True, context=Context()
            )
        except Exception as err:  # noqa: BLE001 - logged; tried again later
            tries = self._retries.get(entity_id, 0)
            self._retries[entity_id] = tries + 1
            minutes = RETRY_MINUTES[min(tries, len(RETRY_MINUTES) - 1)]
            LOGGER.warning(
                "Turning %s on again failed (%s); trying again in %s min", entity_id, err, minutes
            )
            if entity_id in self.loads:
                fired = partial(self._async_fired, entity_id)
                self._async_set_timer(entity_id, async_call_later(self.hass, minutes * 60, fired))
            return
        if entity_id in self.loads:
            self._async_forget(entity_id)
