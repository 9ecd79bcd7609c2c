"""Capacity-tariff sensors of the Z-HAN2, fed by node events, with frozen time in Oslo."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from zwave_js_server.event import Event

from custom_components.zwave_quirks.blueprints import async_install_blueprints
from custom_components.zwave_quirks.capacity import (
    DEFAULT_LIMITS,
    CapacityReading,
    CapacitySnapshot,
    CapacityTracker,
)
from custom_components.zwave_quirks.const import CONF_URL, DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_device_diagnostics
from custom_components.zwave_quirks.options import (
    CONF_PERIOD_MINUTES,
    CONF_STEP_LIMITS,
    capacity_options,
)
from custom_components.zwave_quirks.quirks.heatit_z_han2 import MAX_POWER, Z_HAN2
from custom_components.zwave_quirks.quirks.model import (
    CapacityDecl,
    Quirk,
    QuirkError,
    electric_meter,
)
from custom_components.zwave_quirks.quirks.registry import QUIRKS
from custom_components.zwave_quirks.quirks.templates import (
    capacity_sensors,
    energy_sensor,
    power_sensor,
)
from custom_components.zwave_quirks.readings import STORAGE_VERSION

from .fixture_client import HOME_ID, FixtureClient
from .helpers import HAN, PLUG, entity_id

OSLO = ZoneInfo("Europe/Oslo")
ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "zwave_quirks"
BLUEPRINT = "zwave_quirks/stay_below_capacity_step.yaml"
KWH, WATT = 0x10001, 0x10201
# the fixture's import total
START_TOTAL = 12345.67
KEYS = {
    "total": "energy",
    "energy": "energy_this_hour",
    "estimate": "estimated_energy_this_hour",
    "average": "capacity_peak_average",
    "step": "capacity_step",
    "threshold": "next_step_threshold",
}
STORE_KEY = f"{DOMAIN}.readings.{HOME_ID:08x}.{HAN}"
# where version 0.2 kept the tracker
OLD_STORE_KEY = f"{DOMAIN}.capacity.{HOME_ID:08x}.{HAN}"


def oslo(text: str, fold: int = 0) -> datetime:
    """Oslo's wall clock, as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=OSLO, fold=fold).astimezone(UTC)


@pytest.fixture
async def oslo_time(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Home Assistant in Oslo, at 10:20 on a January Thursday."""
    await hass.config.async_set_time_zone("Europe/Oslo")
    freezer.move_to(oslo("2026-01-15 10:20:00"))
    return freezer


async def _setup(hass: HomeAssistant, options: dict[str, Any] | None = None) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_URL: "ws://127.0.0.1:3000"},
        unique_id=str(HOME_ID),
        options=options or {},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def entry(
    hass: HomeAssistant, fixture_client: type[FixtureClient], oslo_time: FrozenDateTimeFactory
) -> AsyncIterator[MockConfigEntry]:
    entry = await _setup(hass)
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


def _report(
    entry: MockConfigEntry,
    node_id: int,
    command_class: int,
    prop: str,
    value: Any,
    key: int | None = None,
) -> None:
    """A node reports a value."""
    args = {
        "commandClass": command_class,
        "endpoint": 0,
        "property": prop,
        "newValue": value,
        "prevValue": None,
        "propertyName": prop,
    }
    if key is not None:
        args["propertyKey"] = key
    entry.runtime_data.bindings[node_id].node.receive_event(
        Event(
            type="value updated",
            data={"source": "node", "event": "value updated", "nodeId": node_id, "args": args},
        )
    )


class Han:
    """The Z-HAN2 of an entry: reports meter values, shows the capacity sensors."""

    def __init__(self, hass: HomeAssistant, entry: MockConfigEntry, freezer: Any) -> None:
        self.hass = hass
        self.entry = entry
        self.freezer = freezer
        self.total = START_TOTAL
        # an automation that waits for the hour's end would block hass.async_block_till_done
        self.waiting_automation = False
        self.period = timedelta(hours=1)

    async def settle(self) -> None:
        """Let Home Assistant handle what happened."""
        if not self.waiting_automation:
            await self.hass.async_block_till_done()
            return
        for _ in range(20):
            await asyncio.sleep(0)

    def entity(self, name: str) -> str:
        return entity_id(self.hass, HOME_ID, HAN, KEYS.get(name, name), "sensor")

    def state(self, name: str) -> Any:
        return self.hass.states.get(self.entity(name))

    def value(self, name: str) -> float:
        return float(self.state(name).state)

    def report(self, key: int, value: float) -> None:
        """A meter reading of the HAN."""
        _report(self.entry, HAN, 50, "value", value, key)

    async def at(self, moment: datetime) -> None:
        """Move the clock; fire the timers that are due."""
        self.freezer.move_to(moment)
        async_fire_time_changed(self.hass, moment)
        await self.settle()

    async def run(
        self,
        until: datetime,
        kw: float | Callable[[datetime], float],
        every: timedelta = timedelta(minutes=5),
    ) -> None:
        """A load from now: power every ``every``, the total at hh:00:10 (AMS meters).

        ``kw`` is steady, or a function of each report's time (held until the next).
        """
        now = datetime.now(UTC)
        load = kw if callable(kw) else None
        current = kw if load is None else load(now)
        while now < until:
            tick = now + every - timedelta(seconds=now.timestamp() % every.total_seconds())
            hour = now.replace(minute=0, second=10, microsecond=0)
            if hour <= now:
                hour += timedelta(hours=1)
            moment = min(tick, hour, until)
            self.total += current * (moment - now).total_seconds() / 3600
            self.freezer.move_to(moment)
            period = self.period.total_seconds()
            if moment.timestamp() // period != now.timestamp() // period:
                # a period ended: its timer is due (firing timers is slow: only then)
                async_fire_time_changed(self.hass, moment)
            if moment == tick:
                if load is not None:
                    current = load(moment)
                self.report(WATT, current * 1000)
            elif moment == hour:
                self.report(KWH, round(self.total, 6))
            await self.settle()
            now = moment


@pytest.fixture
def han(hass: HomeAssistant, entry: MockConfigEntry, oslo_time: FrozenDateTimeFactory) -> Han:
    return Han(hass, entry, oslo_time)


async def test_the_han_has_the_capacity_sensors(hass: HomeAssistant, han: Han) -> None:
    registry = er.async_get(hass)
    for name, key in KEYS.items():
        state = han.state(name)
        assert state is not None, key
        assert state.state != STATE_UNAVAILABLE, key
    assert han.state("energy").name == "Heatit Z-HAN2 Energy this hour"
    assert han.state("energy").attributes["unit_of_measurement"] == "kWh"
    assert han.state("energy").attributes["period_start"] == "2026-01-15T10:00:00+01:00"
    # it started mid-hour: the energy before is unknown
    assert han.state("energy").attributes["estimated"] is True
    assert han.state("average").attributes["unit_of_measurement"] == "kW"
    assert han.state("step").state == "1"
    assert han.value("threshold") == 2.0
    assert han.state("threshold").attributes["step_limit"] == 2.0
    # the power the node showed before is no reading, but it makes the estimate:
    # 1.5 kW for the 40 minutes left (and none of it counts as energy)
    assert han.value("estimate") == pytest.approx(1.0)
    assert han.state("estimate").attributes["average_power"] == pytest.approx(1.0)
    assert han.value("energy") == 0.0
    # the plugs have none
    assert registry.async_get_entity_id("sensor", DOMAIN, f"{HOME_ID}.{PLUG}.capacity_step") is None


async def test_an_hour_from_power_and_totals(hass: HomeAssistant, han: Han) -> None:
    await han.run(oslo("2026-01-15 10:50"), kw=3.0)
    # 30 minutes at 3 kW since the first reading; estimate: plus 10 minutes
    assert han.value("energy") == pytest.approx(1.5, abs=0.01)
    assert han.value("estimate") == pytest.approx(2.0, abs=0.01)
    assert han.state("estimate").attributes["average_power"] == pytest.approx(2.0, abs=0.01)
    await han.run(oslo("2026-01-15 11:00:00"), kw=3.0)
    # the period ends: the timer starts the next one
    assert han.value("energy") == 0.0
    assert han.state("energy").attributes["period_start"] == "2026-01-15T11:00:00+01:00"
    assert han.value("average") == pytest.approx(2.0, abs=0.01)
    # the total arrives after the hour and settles it
    await han.run(oslo("2026-01-15 11:30:00"), kw=1.0)
    peaks = han.state("average").attributes["peaks"]
    assert peaks[0]["start"] == "2026-01-15T10:00:00+01:00"
    assert peaks[0]["average_power"] == pytest.approx(2.0, abs=0.01)
    assert han.state("average").attributes["estimated"] is True
    assert han.state("step").state == "2"
    assert han.state("step").attributes == han.state("step").attributes | {
        "lower_limit": 2.0,
        "upper_limit": 5.0,
    }
    # the second day counts half: (x + 2) / 2 = 5 -> 8 kW, once the day has changed
    assert han.value("threshold") == 5.0
    await han.run(oslo("2026-01-16 00:10:00"), kw=1.0)
    assert han.value("threshold") == pytest.approx(8.0, abs=0.01)


async def test_guarded_totals_never_make_a_peak(hass: HomeAssistant, han: Han) -> None:
    """A spike is held back and discarded; a reset and a jump are new levels."""
    await han.run(oslo("2026-01-15 11:00:20"), kw=1.0)
    binding = han.entry.runtime_data.bindings[HAN]
    han.report(KWH, han.total + 500)  # a spike: more than 100 kW can do
    await hass.async_block_till_done()
    guard = binding.readings.total("energy")
    assert guard is not None
    assert guard.level is not None
    await han.run(oslo("2026-01-15 12:00:20"), kw=1.0)  # back on track: discarded
    assert guard.level is None
    han.report(KWH, 0.0)  # a drop, held
    await han.at(oslo("2026-01-15 12:05:00"))
    han.report(KWH, 0.05)  # the same level
    han.total = 0.05 + 1.0 * 55 / 3600
    # the next two hourly totals: a new level (a reset), after an hour
    await han.run(oslo("2026-01-15 14:00:20"), kw=1.0)
    assert guard.level is None
    han.report(KWH, 9000.0)  # a replaced meter: held
    han.total = 9000.0
    await han.run(oslo("2026-01-15 16:30:00"), kw=1.0)
    assert guard.level is None
    assert guard.jump is not None
    capacity = binding.readings.tracker
    assert capacity is not None
    # only the first total starts a level: the total the dashboard books goes on
    assert capacity.stats["new_levels"] == 1
    peaks = han.state("average").attributes["peaks"]
    assert all(p["average_power"] == pytest.approx(1.0, abs=0.05) for p in peaks)
    assert han.value("average") == pytest.approx(1.0, abs=0.05)


async def test_the_capacity_sensors_work_with_the_energy_entity_disabled(
    hass: HomeAssistant,
    fixture_client: type[FixtureClient],
    oslo_time: FrozenDateTimeFactory,
) -> None:
    """The tracker is fed by the node's readings, not by the Energy entity."""
    registry = er.async_get(hass)
    energy = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{HOME_ID}.{HAN}.energy",
        disabled_by=er.RegistryEntryDisabler.USER,
    )
    entry = await _setup(hass)
    han = Han(hass, entry, oslo_time)
    assert hass.states.get(energy.entity_id) is None
    await han.run(oslo("2026-01-15 12:00:30"), kw=3.0)
    assert han.value("average") == pytest.approx(3.0, abs=0.01)
    tracker = entry.runtime_data.bindings[HAN].readings.tracker
    assert tracker is not None
    assert tracker.stats["totals"] >= 1
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_month_boundary_starts_anew(hass: HomeAssistant, han: Han) -> None:
    await han.at(oslo("2026-01-31 21:55"))
    await han.run(oslo("2026-01-31 23:59:59"), kw=6.0)
    assert han.state("step").state == "3"
    assert han.value("average") == pytest.approx(6.0, abs=0.01)
    await han.run(oslo("2026-02-01 00:30"), kw=1.0)
    assert han.value("average") == 0.0
    assert han.state("average").attributes["peaks"] == []
    assert han.state("step").state == "1"
    await han.run(oslo("2026-02-01 01:30"), kw=1.0)
    peaks = han.state("average").attributes["peaks"]
    assert [p["start"] for p in peaks] == ["2026-02-01T00:00:00+01:00"]


@pytest.mark.parametrize(
    ("day", "hours", "repeated"),
    [("2026-03-29", 23, None), ("2026-10-25", 25, "02:00")],
)
async def test_the_days_of_the_dst_changes(
    hass: HomeAssistant, han: Han, day: str, hours: int, repeated: str | None
) -> None:
    """A day of 23 or 25 hours: each hour is a period; 02:00 in October twice."""
    the_day = datetime.fromisoformat(day).date()
    starts: list[str] = []

    async def follow() -> None:
        start = han.state("energy").attributes["period_start"]
        if not starts or starts[-1] != start:
            starts.append(start)

    await han.at(oslo(f"{day} 00:00") - timedelta(minutes=5))
    end = oslo((the_day + timedelta(days=1)).isoformat() + " 00:00")
    moment = datetime.now(UTC)
    while moment < end:
        moment += timedelta(minutes=15)
        await han.run(moment, kw=2.0, every=timedelta(minutes=15))
        await follow()
    day_starts = [s for s in starts if s.startswith(day)]
    assert len(day_starts) == hours
    if repeated:
        assert f"{day}T{repeated}:00+02:00" in day_starts
        assert f"{day}T{repeated}:00+01:00" in day_starts
    else:
        assert f"{day}T02:00:00+01:00" not in day_starts
    capacity = han.entry.runtime_data.bindings[HAN].readings.tracker
    assert capacity is not None
    assert capacity.days[the_day].kw == pytest.approx(2.0, abs=1e-6)


async def test_a_total_shown_is_stored_at_once(
    hass: HomeAssistant, han: Han, hass_storage: dict[str, Any]
) -> None:
    """After a power cut the total must not start below what the recorder has.

    A total that moved is written at once, not within the 30 s that other
    changes (the power readings) wait for.
    """
    await han.run(oslo("2026-01-15 11:30"), kw=2.0)
    await han.at(oslo("2026-01-15 11:30:40"))
    han.total += 2.0 * 40 / 3600
    han.report(KWH, round(han.total, 6))
    han.report(WATT, 2000.0)  # its save (within 30 s) must not postpone the total's
    await han.settle()
    await han.at(oslo("2026-01-15 11:30:41"))
    assert han.value("total") == pytest.approx(han.total, abs=1e-6)
    stored = hass_storage[STORE_KEY]["data"]["totals"]["energy"]
    assert stored["total"] == pytest.approx(han.total, abs=1e-6)


async def test_totals_that_move_in_a_burst_are_written_once_more_not_each(
    hass: HomeAssistant, han: Han, hass_storage: dict[str, Any]
) -> None:
    """A write is in flight: the totals that move meanwhile go in one write after it."""
    await han.run(oslo("2026-01-15 11:30"), kw=2.0)
    readings = han.entry.runtime_data.bindings[HAN].readings
    store = readings._store
    writes: list[float] = []
    save = store.async_save

    async def counted(data: Any) -> None:
        writes.append(data["totals"]["energy"]["total"])
        await asyncio.sleep(0)  # a file write takes a while (the test's storage does not)
        await save(data)

    store.async_save = counted  # type: ignore[method-assign]
    moment = oslo("2026-01-15 11:30")
    for _ in range(50):  # within one turn of the event loop
        moment += timedelta(seconds=2)
        han.freezer.move_to(moment)
        han.total += 2.0 * 2 / 3600
        han.report(KWH, round(han.total, 6))
    await han.settle()
    assert han.value("total") == pytest.approx(han.total, abs=1e-6)
    assert len(writes) == 2, writes
    stored = hass_storage[STORE_KEY]["data"]["totals"]["energy"]
    assert stored["total"] == pytest.approx(han.total, abs=1e-6)


async def test_a_restart_mid_hour_restores_from_the_store(
    hass: HomeAssistant, han: Han, hass_storage: dict[str, Any]
) -> None:
    await han.run(oslo("2026-01-15 11:30"), kw=2.0)
    before = han.value("energy")
    assert before == pytest.approx(1.0, abs=0.01)
    assert await hass.config_entries.async_unload(han.entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[STORE_KEY]
    assert stored["version"] == STORAGE_VERSION
    assert stored["data"]["capacity"]["until"] == oslo("2026-01-15 11:30").isoformat()
    # two minutes later, Home Assistant is back
    await han.at(oslo("2026-01-15 11:32"))
    han.total += 2.0 * 2 / 60
    assert await hass.config_entries.async_setup(han.entry.entry_id)
    await hass.async_block_till_done()
    await han.run(oslo("2026-01-15 11:45"), kw=2.0)
    # nothing lost (the gap at the power of its ends), nothing twice
    assert han.value("energy") == pytest.approx(1.5, abs=0.01)
    assert han.state("energy").attributes["estimated"] is True
    await han.run(oslo("2026-01-15 12:30"), kw=2.0)
    peaks = han.state("average").attributes["peaks"]
    assert peaks[0]["start"] == "2026-01-15T11:00:00+01:00"
    assert peaks[0]["average_power"] == pytest.approx(2.0, abs=1e-3)


async def test_the_store_of_an_earlier_run_is_used(
    hass: HomeAssistant,
    fixture_client: type[FixtureClient],
    oslo_time: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Home Assistant started with the tracker of its last run (before the final write)."""
    peak = {"start": oslo("2026-01-14 18:00").isoformat(), "kw": 4.25}
    # the tracker as version 0.2 kept it: taken over
    hass_storage[OLD_STORE_KEY] = {
        "version": STORAGE_VERSION,
        "minor_version": 1,
        "key": OLD_STORE_KEY,
        "data": {
            "format": 1,
            "minutes": 60,
            "until": oslo("2026-01-15 10:10").isoformat(),
            # 3 kW since the total at 10:00:10
            "spans": [
                [
                    oslo("2026-01-15 10:00:10").isoformat(),
                    oslo("2026-01-15 10:10").isoformat(),
                    3.0 * 590 / 3600,
                    None,
                ]
            ],
            "gap_open": False,
            "anchor_at": oslo("2026-01-15 10:00:10").isoformat(),
            "anchor_kwh": START_TOTAL,
            "last_total": START_TOTAL,
            "last_kw": 3.0,
            "partial": [oslo("2026-01-15 10:00").isoformat(), 3.0 * 10 / 3600, False],
            "month": [2026, 1],
            "days": {"2026-01-14": [peak["start"], peak["kw"], False]},
            "stats": {"totals": 5},
        },
    }
    entry = await _setup(hass)
    han = Han(hass, entry, oslo_time)
    assert han.value("average") == 4.25
    assert han.state("step").state == "2"
    # taken over once: the old file is gone, the new one has the tracker
    assert OLD_STORE_KEY not in hass_storage
    assert hass_storage[STORE_KEY]["data"]["capacity"]["days"] == {
        "2026-01-14": [peak["start"], peak["kw"], False]
    }
    han.report(WATT, 3000)
    await hass.async_block_till_done()
    # 10:00 - 10:10 stored, 10:10 - 10:20 a gap at 3 kW
    assert han.value("energy") == pytest.approx(1.0, abs=0.01)
    assert han.state("energy").attributes["estimated"] is True
    han.total = START_TOTAL + 3.0 * (20 / 60 - 10 / 3600)
    await han.run(oslo("2026-01-15 11:00:30"), kw=3.0)
    capacity = entry.runtime_data.bindings[HAN].readings.tracker
    assert capacity is not None
    assert capacity.stats["totals"] == 6
    hour = capacity.days[date(2026, 1, 15)]
    assert hour.kw == pytest.approx(3.0, abs=1e-6)
    assert hour.estimated
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_unreadable_store_starts_anew(
    hass: HomeAssistant,
    fixture_client: type[FixtureClient],
    oslo_time: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hass_storage[STORE_KEY] = {
        "version": STORAGE_VERSION,
        "minor_version": 1,
        "key": STORE_KEY,
        "data": {"totals": {}, "capacity": {"format": 1, "something": "else"}},
    }
    entry = await _setup(hass)
    han = Han(hass, entry, oslo_time)
    assert han.value("average") == 0.0
    assert "stored capacity state is unreadable" in caplog.text
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_reconnect_mid_hour_is_a_gap_the_totals_fill(
    hass: HomeAssistant, han: Han, fixture_client: type[FixtureClient]
) -> None:
    await han.run(oslo("2026-01-15 11:20"), kw=2.0)
    connection = han.entry.runtime_data
    binding = connection.bindings[HAN]
    # the server goes away; the clock stands still, so no reconnect yet
    fixture_client.last.connected = False
    await fixture_client.last.disconnect()
    await _until(hass, lambda: binding.node is None)
    assert han.state("energy").state == STATE_UNAVAILABLE
    # it is down for 20 minutes, while the house uses 6 kW
    await han.at(oslo("2026-01-15 11:40"))
    han.total += 6.0 * 20 / 60
    await _until(hass, lambda: connection.connected)
    await han.run(oslo("2026-01-15 12:30"), kw=2.0)
    capacity = connection.bindings[HAN].readings.tracker
    assert capacity is not None
    hour = capacity.days[date(2026, 1, 15)]
    assert hour.start == oslo("2026-01-15 11:00")
    assert hour.kw == pytest.approx(2.0 * 40 / 60 + 2.0, abs=1e-3)
    assert hour.estimated


async def test_options_change_the_steps_and_the_period(
    hass: HomeAssistant, han: Han, fixture_client: type[FixtureClient]
) -> None:
    await han.run(oslo("2026-01-15 12:00:30"), kw=3.0)
    assert han.state("step").state == "2"
    flow = await hass.config_entries.options.async_init(han.entry.entry_id)
    assert flow["type"] is FlowResultType.FORM
    schema = flow["data_schema"].schema
    defaults = {str(key): key.default() for key in schema}
    assert defaults == {CONF_STEP_LIMITS: "2, 5, 10, 15, 20, 25", "period_minutes": "60"}
    en = _translations("en")["options"]["error"]
    for bad, error, shown in (
        ("5, 2", "step_limits_not_ascending", "2 must be larger than the limit before it, 5"),
        ("2; 2", "step_limits_not_ascending", "2 must be larger than the limit before it, 2"),
        ("0, 2", "step_limit_not_positive", "0 is not above 0 kW"),
        ("2, two", "step_limit_not_a_number", "“two” is not a number"),
        ("2,5,10", "step_limit_not_a_number", "“2,5,10” is not a number"),
        (" ", "no_step_limits", "for example 2, 5, 10"),
        ("nan", "step_limit_not_positive", "nan is not above 0 kW"),
        ("1e999", "step_limit_not_positive", "1e999 is not above 0 kW"),
    ):
        result = await hass.config_entries.options.async_configure(
            flow["flow_id"], {CONF_STEP_LIMITS: bad, CONF_PERIOD_MINUTES: "60"}
        )
        assert result["type"] is FlowResultType.FORM, bad
        assert result["errors"] == {CONF_STEP_LIMITS: error}, bad
        message = en[error].format(**result["description_placeholders"])
        assert shown in message, (bad, message)
        # what was typed stays in the field
        typed = {str(key): key.default() for key in result["data_schema"].schema}
        assert typed[CONF_STEP_LIMITS] == bad
    # pasted from a Norwegian tariff page: decimal commas, semicolons between
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {CONF_STEP_LIMITS: "1; 2,5;4", CONF_PERIOD_MINUTES: "15"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    han.period = timedelta(minutes=15)
    assert han.entry.options == {CONF_STEP_LIMITS: [1.0, 2.5, 4.0], CONF_PERIOD_MINUTES: 15}
    # reloaded: the same entities, named for the period, on the new steps
    assert han.state("energy").name == "Heatit Z-HAN2 Energy this period"
    assert han.state("step").state == "3"
    assert han.state("step").attributes["upper_limit"] == 4.0
    await han.run(oslo("2026-01-15 12:20"), kw=3.0)
    assert han.state("energy").attributes["period_start"] == "2026-01-15T12:15:00+01:00"
    assert han.value("estimate") == pytest.approx(0.75, abs=0.01)
    # the month's peak (kW) stays
    assert han.value("average") == pytest.approx(3.0, abs=0.01)


async def test_diagnostics_show_the_tracker_without_the_totals(
    hass: HomeAssistant, han: Han
) -> None:
    await han.run(oslo("2026-01-15 11:30"), kw=2.0)
    binding = han.entry.runtime_data.bindings[HAN]
    device = dr.async_get(hass).async_get(binding.device_id)
    diagnostics = await async_get_device_diagnostics(hass, han.entry, device)
    capacity = diagnostics["capacity"]
    assert capacity["minutes"] == 60
    assert capacity["anchor_kwh"] == capacity["last_total"] == "**REDACTED**"
    assert "2026-01-15" in capacity["days"]
    assert "12345" not in json.dumps(capacity)
    plug = han.entry.runtime_data.bindings[PLUG]
    plug_device = dr.async_get(hass).async_get(plug.device_id)
    assert "capacity" not in await async_get_device_diagnostics(hass, han.entry, plug_device)


async def _until(hass: HomeAssistant, predicate: Any) -> None:
    """Let the connection's background tasks run until predicate() holds (time is frozen)."""
    for _ in range(100):
        if predicate():
            return
        await asyncio.sleep(0)
        await hass.async_block_till_done()
    assert predicate()


def _translations(language: str) -> dict[str, Any]:
    return json.loads((COMPONENT / "translations" / f"{language}.json").read_text())


@pytest.mark.parametrize("language", ["en", "nb"])
def test_every_capacity_name_attribute_and_option_is_translated(language: str) -> None:
    strings = _translations(language)
    sensors = strings["entity"]["sensor"]
    icons = json.loads((COMPONENT / "icons.json").read_text())["entity"]["sensor"]
    decls = [d for q in QUIRKS for d in q.entities if isinstance(d, CapacityDecl)]
    assert {d.reading for d in decls} == set(CapacityReading)
    snapshot_attributes = {
        reading: set(_example_snapshot().attributes(reading)) for reading in CapacityReading
    }
    for decl in decls:
        for key in filter(None, (decl.translation_key, decl.period_translation_key)):
            assert sensors[key]["name"], key
            assert icons[key]["default"].startswith("mdi:"), key
            names = {a for a, v in sensors[key].get("state_attributes", {}).items() if v["name"]}
            assert names == snapshot_attributes[decl.reading], key
    init = strings["options"]["step"]["init"]
    assert {CONF_STEP_LIMITS, CONF_PERIOD_MINUTES} <= set(init["data"])
    for error in (
        "no_step_limits",
        "step_limit_not_a_number",
        "step_limit_not_positive",
        "step_limits_not_ascending",
    ):
        assert strings["options"]["error"][error]
    assert set(strings["selector"]["period_minutes"]["options"]) == {"60", "15"}


def _example_snapshot() -> CapacitySnapshot:
    tracker = CapacityTracker(OSLO)
    tracker.power(oslo("2026-01-15 10:00"), 1.0)
    return tracker.snapshot(oslo("2026-01-15 10:30"), DEFAULT_LIMITS)


def test_capacity_declarations_are_checked() -> None:
    power = electric_meter(2)
    sensors = capacity_sensors(total="energy", power=power)
    Quirk(key="ok", fingerprints=(Z_HAN2,), entities=(energy_sensor(MAX_POWER), *sensors))
    with pytest.raises(QuirkError, match="guarded total energy"):
        Quirk(key="no_total", fingerprints=(Z_HAN2,), entities=sensors)
    with pytest.raises(QuirkError, match="guarded total power"):
        Quirk(
            key="unguarded",
            fingerprints=(Z_HAN2,),
            entities=(power_sensor(0), *capacity_sensors(total="power", power=power)),
        )
    other = capacity_sensors(total="energy", power=electric_meter(3))[0]
    with pytest.raises(QuirkError, match="different meters"):
        Quirk(
            key="two", fingerprints=(Z_HAN2,), entities=(energy_sensor(MAX_POWER), *sensors, other)
        )
    twice = CapacityDecl(
        key="again",
        translation_key="again",
        reading=sensors[0].reading,
        total="energy",
        power=power,
    )
    with pytest.raises(QuirkError, match="declared twice"):
        Quirk(
            key="twice",
            fingerprints=(Z_HAN2,),
            entities=(energy_sensor(MAX_POWER), *sensors, twice),
        )


def test_stored_options_that_are_not_valid_fall_back_to_the_defaults() -> None:
    assert capacity_options({}) == (DEFAULT_LIMITS, 60)
    assert capacity_options({CONF_STEP_LIMITS: [1, 3], CONF_PERIOD_MINUTES: 15}) == ((1, 3), 15)
    for limits in ([5, 2], "2,5", None, [True, "x"]):
        assert capacity_options({CONF_STEP_LIMITS: limits})[0] == DEFAULT_LIMITS, limits
    assert capacity_options({CONF_PERIOD_MINUTES: 7})[1] == 60


async def test_the_blueprint_keeps_the_hour_below_the_next_step(
    hass: HomeAssistant, han: Han, fixture_client: type[FixtureClient], tmp_path: Path
) -> None:
    """The blueprint loads as the integration puts it, and turns a plug off, then on at 11:00."""
    hass.config.config_dir = str(tmp_path)
    await async_install_blueprints(hass)
    blueprint = await async_get_blueprints(hass).async_get_blueprint(BLUEPRINT)
    assert blueprint.name == "Stay below the next capacity step"
    assert blueprint.validate() is None
    assert set(blueprint.inputs) == {"estimate_sensor", "threshold_sensor", "switches", "margin"}

    plug = entity_id(hass, HOME_ID, PLUG, "switch", "switch")
    _report(han.entry, PLUG, 37, "currentValue", True)
    await hass.async_block_till_done()
    assert hass.states.get(plug).state == "on"
    config = {
        "id": "stay_below",
        "alias": "Stay below",
        "use_blueprint": {
            "path": BLUEPRINT,
            "input": {
                "estimate_sensor": han.entity("estimate"),
                "threshold_sensor": han.entity("threshold"),
                "switches": [plug],
                "margin": 0.2,
            },
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.stay_below").state == "on"

    def sent() -> list[bool]:
        return [
            c["value"]
            for c in fixture_client.last.set_values()
            if c["nodeId"] == PLUG and c["valueId"]["property"] == "targetValue"
        ]

    # 1 kW: the hour stays below the 2 kW of step 2
    await han.run(oslo("2026-01-15 10:40"), kw=1.0)
    assert han.state("estimate").attributes["average_power"] < 1.8
    assert sent() == []
    # 8 kW at 10:45: 0.4 kWh so far and 2 more to come
    han.waiting_automation = True
    await han.run(oslo("2026-01-15 10:45"), kw=8.0)
    assert sent() == [False]
    _report(han.entry, PLUG, 37, "currentValue", False)  # the plug says it is off
    await han.run(oslo("2026-01-15 10:59:59"), kw=1.0)
    assert sent() == [False]
    await han.run(oslo("2026-01-15 11:00:01"), kw=1.0)
    assert sent() == [False, True]


def _evening(moment: datetime) -> float:
    """A household: 1 kW, and an evening peak that differs by day (largest on the 25th)."""
    local = moment.astimezone(OSLO)
    if local.hour == 18:
        return 2.0 + (local.day * 7 % 31) / 10
    return 1.0


async def test_a_whole_october_with_its_25_hour_day(hass: HomeAssistant, han: Han) -> None:
    """Reports every 15 minutes from the 1st to the 31st: the month's peaks as the bill has them."""
    await han.at(oslo("2026-09-30 23:50"))
    await han.run(oslo("2026-10-31 23:59"), _evening, every=timedelta(minutes=15))
    evenings = sorted(((2.0 + (day * 7 % 31) / 10, day) for day in range(1, 32)), reverse=True)
    top = evenings[:3]
    peaks = han.state("average").attributes["peaks"]
    offset = {True: "+02:00", False: "+01:00"}
    assert [p["start"] for p in peaks] == [
        f"2026-10-{day:02}T18:00:00{offset[day < 25]}" for _, day in top
    ]
    assert [p["average_power"] for p in peaks] == pytest.approx([kw for kw, _ in top], abs=1e-3)
    assert not any(p["estimated"] for p in peaks)
    assert han.value("average") == pytest.approx(sum(kw for kw, _ in top) / 3, abs=1e-3)
    capacity = han.entry.runtime_data.bindings[HAN].readings.tracker
    assert capacity is not None
    assert len(capacity.days) == 31
    assert capacity.stats["gaps"] == 1  # the months before, without readings
