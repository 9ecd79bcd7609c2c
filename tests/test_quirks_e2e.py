"""End to end: what the quirks make of the simulated devices, through the real server.

The simulator's devices keep their state for the whole session: every test that
changes a parameter restores it before it ends.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zwave_quirks.const import DOMAIN, LOGGER
from custom_components.zwave_quirks.diagnostics import async_get_device_diagnostics
from custom_components.zwave_quirks.guard import TotalGuard

from .conftest import AsyncSim
from .helpers import HAN, PLUG, ZEN06, entity_id, wait_for


def _state(hass: HomeAssistant, entity: str) -> str:
    state = hass.states.get(entity)
    assert state is not None, entity
    return state.state


def _number(hass: HomeAssistant, entity: str) -> float | None:
    """The state as a number; None while it is not one (unknown, unavailable)."""
    try:
        return float(_state(hass, entity))
    except ValueError:
        return None


def _config_sets(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in received if e["cc"] == "Configuration" and e["command"] == "Set"]


def _meter_resets(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in received if e["cc"] == "Meter" and e["command"] == "Reset"]


def _warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and text in r.getMessage()
    ]


def _device_id(hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, node_id: int) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{sim.home_id}-{node_id}"), entry.entry_id
    )
    assert device is not None, node_id
    return device.id


async def _set_number(hass: HomeAssistant, entity: str, value: float) -> None:
    await hass.services.async_call(
        "number", "set_value", {"entity_id": entity, "value": value}, blocking=True
    )


async def _set_parameter(hass: HomeAssistant, device_id: str, parameter: int, value: Any) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_parameter",
        {"device_id": device_id, "parameter": parameter, "value": value},
        blocking=True,
    )


# --- 1. reports from the nodes -------------------------------------------------


async def test_power_and_temperature_reports(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    power = entity_id(hass, sim.home_id, PLUG, "power", "sensor")
    temperature = entity_id(hass, sim.home_id, HAN, "temperature", "sensor")
    assert _number(hass, power) != pytest.approx(123.4)
    assert _number(hass, temperature) != pytest.approx(23.5)

    await sim.call("report_meter", PLUG, "W", 123.4)
    await wait_for(hass, lambda: _number(hass, power) == pytest.approx(123.4), what="power")
    assert hass.states.get(power).attributes["unit_of_measurement"] == "W"

    await sim.call("report_temperature", HAN, 23.5)
    await wait_for(
        hass, lambda: _number(hass, temperature) == pytest.approx(23.5), what="temperature"
    )
    assert hass.states.get(temperature).attributes["unit_of_measurement"] == "°C"

    # back to the simulator's initial values
    await sim.call("report_meter", PLUG, "W", 0)
    await sim.call("report_temperature", HAN, 21.5)
    await wait_for(hass, lambda: _number(hass, temperature) == pytest.approx(21.5))


async def test_han_export_follows_scale_1_with_either_rate_type(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """The Z-HAN2 sends its export on the "kVAh" scale, as consumed or produced."""
    export = entity_id(hass, sim.home_id, HAN, "energy_export", "sensor")
    attributes = hass.states.get(export).attributes
    assert (attributes["device_class"], attributes["state_class"]) == ("energy", "total_increasing")
    assert attributes["unit_of_measurement"] == "kWh"
    start = (await sim.call("node_state", HAN))["meters"]["kVAh"]
    await wait_for(hass, lambda: _number(hass, export) == pytest.approx(start), what="export")
    energy = entity_id(hass, sim.home_id, HAN, "energy", "sensor")
    consumed = _number(hass, energy)
    try:
        await sim.call("report_meter", HAN, "kVAh", start + 1.5)
        await wait_for(hass, lambda: _number(hass, export) == pytest.approx(start + 1.5))
        await sim.call("set_export_rate_type", HAN, "produced")
        await sim.call("report_meter", HAN, "kVAh", start + 2.5)
        await wait_for(hass, lambda: _number(hass, export) == pytest.approx(start + 2.5))
        # the imported total is another value and stays as it was
        assert _number(hass, energy) == consumed
        registry = er.async_get(hass)
        assert [
            e.unique_id
            for e in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)
            if "export" in e.unique_id or "apparent" in e.unique_id
        ] == [f"{sim.home_id}.{HAN}.energy_export"]

        # after a restart the sensor is there from the start, with its total
        assert await hass.config_entries.async_reload(loaded_entry.entry_id)
        await hass.async_block_till_done()
        assert _number(hass, export) == pytest.approx(start + 2.5)
        # back to consumed: the stale produced value does not hold the entity,
        # not even after a restart
        await sim.call("set_export_rate_type", HAN, "consumed")
        await sim.call("report_meter", HAN, "kVAh", start + 3.0)
        await wait_for(hass, lambda: _number(hass, export) == pytest.approx(start + 3.0))
        assert await hass.config_entries.async_reload(loaded_entry.entry_id)
        await hass.async_block_till_done()
        assert _number(hass, export) == pytest.approx(start + 3.0)
    finally:
        await sim.call("set_export_rate_type", HAN, "consumed")


async def test_han_temperature_without_reading_is_unknown(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    temperature = entity_id(hass, sim.home_id, HAN, "temperature", "sensor")
    try:
        await sim.call("report_temperature", HAN, -999.9)
        await wait_for(hass, lambda: _state(hass, temperature) == STATE_UNKNOWN, what="unknown")
        await sim.call("report_temperature", HAN, -999.9)
        await sim.call("report_temperature", HAN, 19.5)
        await wait_for(hass, lambda: _number(hass, temperature) == 19.5, what="19.5 °C")
        assert caplog.text.count("has no reading") == 1
    finally:
        await sim.call("report_temperature", HAN, 21.5)
    await wait_for(hass, lambda: _number(hass, temperature) == 21.5)


# --- 2. scaled and signed number parameters --------------------------------------


async def test_scaled_and_signed_parameters_are_written_raw(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    hysteresis = entity_id(hass, sim.home_id, HAN, "config_7", "number")
    calibration = entity_id(hass, sim.home_id, HAN, "config_8", "number")
    assert _number(hass, hysteresis) == 1.0  # raw 10, the default
    assert _number(hass, calibration) == 0.0
    try:
        await _set_number(hass, hysteresis, 2.5)
        assert (await sim.call("node_state", HAN))["config"]["7"] == 25
        sets = _config_sets(await sim.call("received", HAN))
        assert [(e["param"], e["value"]) for e in sets] == [(7, 25)]
        await wait_for(hass, lambda: _number(hass, hysteresis) == 2.5, what="2.5 °C back")

        await sim.call("clear_received", HAN)
        await _set_number(hass, calibration, -1.5)
        assert (await sim.call("node_state", HAN))["config"]["8"] == -15
        sets = _config_sets(await sim.call("received", HAN))
        assert [(e["param"], e["value"], e["size"]) for e in sets] == [(8, -15, 1)]
        await wait_for(hass, lambda: _number(hass, calibration) == -1.5, what="-1.5 °C back")
    finally:
        await _set_number(hass, hysteresis, 1.0)
        await _set_number(hass, calibration, 0)
    config = (await sim.call("node_state", HAN))["config"]
    assert (config["7"], config["8"]) == (10, 0)
    await wait_for(hass, lambda: _number(hass, hysteresis) == 1.0)
    await wait_for(hass, lambda: _number(hass, calibration) == 0.0)


async def _switch(hass: HomeAssistant, entity: str, on: bool) -> None:
    await hass.services.async_call(
        "switch", "turn_on" if on else "turn_off", {"entity_id": entity}, blocking=True
    )


async def test_parameter_switch_turns_a_report_off_and_back_on(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """0 = disabled is the switch being off; on brings back the last working value."""
    hysteresis = entity_id(hass, sim.home_id, HAN, "config_7", "number")
    reports = entity_id(hass, sim.home_id, HAN, "config_7_enabled", "switch")
    assert (_state(hass, reports), _number(hass, hysteresis)) == ("on", 1.0)
    try:
        # a working value other than the default, so that "back on" is told apart
        await _set_number(hass, hysteresis, 2.5)
        await wait_for(hass, lambda: _number(hass, hysteresis) == 2.5, what="2.5 °C")

        await sim.call("clear_received", HAN)
        await _switch(hass, reports, on=False)
        assert (await sim.call("node_state", HAN))["config"]["7"] == 0
        await wait_for(hass, lambda: _state(hass, reports) == "off", what="switch off")
        assert _number(hass, hysteresis) == 0.0

        await _switch(hass, reports, on=True)
        assert (await sim.call("node_state", HAN))["config"]["7"] == 25
        await wait_for(hass, lambda: _state(hass, reports) == "on", what="switch on")
        assert _number(hass, hysteresis) == 2.5
        sets = _config_sets(await sim.call("received", HAN))
        assert [(e["param"], e["value"]) for e in sets] == [(7, 0), (7, 25)]

        # 0 through the number or the service is the same off
        await _set_number(hass, hysteresis, 0)
        await wait_for(hass, lambda: _state(hass, reports) == "off", what="off by number")
        device = _device_id(hass, sim, loaded_entry, HAN)
        await _set_parameter(hass, device, 7, 1.5)
        await wait_for(hass, lambda: _state(hass, reports) == "on", what="on by service")
        await _set_parameter(hass, device, 7, 0)
        await wait_for(hass, lambda: _state(hass, reports) == "off", what="off by service")
    finally:
        await _set_number(hass, hysteresis, 1.0)
    await wait_for(hass, lambda: _state(hass, reports) == "on")


async def test_switching_on_a_report_that_was_never_on(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """The HANK plug's voltage report is off by default; on starts it at 300 s."""
    interval = entity_id(hass, sim.home_id, PLUG, "config_173", "number")
    reports = entity_id(hass, sim.home_id, PLUG, "config_173_enabled", "switch")
    assert (_state(hass, reports), _number(hass, interval)) == ("off", 0)
    try:
        await _switch(hass, reports, on=True)
        assert (await sim.call("node_state", PLUG))["config"]["173"] == 300
        await wait_for(hass, lambda: _number(hass, interval) == 300, what="300 s")
        assert _state(hass, reports) == "on"
    finally:
        await _switch(hass, reports, on=False)
    assert (await sim.call("node_state", PLUG))["config"]["173"] == 0
    await wait_for(hass, lambda: _state(hass, reports) == "off")


async def test_last_working_value_survives_a_restart(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    hysteresis = entity_id(hass, sim.home_id, HAN, "config_1", "number")
    reports = entity_id(hass, sim.home_id, HAN, "config_1_enabled", "switch")
    try:
        await _set_number(hass, hysteresis, 350)
        await wait_for(hass, lambda: _number(hass, hysteresis) == 350, what="350 W")
        await _switch(hass, reports, on=False)
        await wait_for(hass, lambda: _state(hass, reports) == "off", what="switch off")

        assert await hass.config_entries.async_reload(loaded_entry.entry_id)
        await hass.async_block_till_done()
        assert _state(hass, reports) == "off"
        await _switch(hass, reports, on=True)
        assert (await sim.call("node_state", HAN))["config"]["1"] == 350
    finally:
        await _set_number(hass, hysteresis, 200)
    await wait_for(hass, lambda: _number(hass, hysteresis) == 200)


# --- 3. refused writes send nothing -------------------------------------------------


async def test_number_refusals_send_nothing(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    hysteresis = entity_id(hass, sim.home_id, HAN, "config_7", "number")
    before = _state(hass, hysteresis)

    with pytest.raises(ServiceValidationError) as off_step:
        await _set_number(hass, hysteresis, 2.3)
    assert off_step.value.translation_domain == DOMAIN
    assert off_step.value.translation_key == "value_off_step_or_off"
    assert off_step.value.translation_placeholders["step"] == "0.5"

    with pytest.raises(ServiceValidationError):
        await _set_number(hass, hysteresis, 11)

    await hass.async_block_till_done()
    assert _config_sets(await sim.call("received", HAN)) == []
    assert (await sim.call("node_state", HAN))["config"]["7"] == 10
    assert _state(hass, hysteresis) == before


async def test_service_refusals_send_nothing(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    plug = _device_id(hass, sim, loaded_entry, PLUG)
    han = _device_id(hass, sim, loaded_entry, HAN)
    restore = entity_id(hass, sim.home_id, PLUG, "config_21", "select")
    serial = entity_id(hass, sim.home_id, HAN, "meter_serial", "sensor")
    before = (_state(hass, restore), _state(hass, serial))
    plug_config = (await sim.call("node_state", PLUG))["config"]
    han_config = (await sim.call("node_state", HAN))["config"]

    cases = [
        (plug, 21, 3, "invalid_option"),
        (han, 9, 1, "read_only"),
        (han, 10, 1, "read_only"),
        (han, 99, 1, "unknown_parameter"),
        (plug, 99, 1, "unknown_parameter"),
    ]
    for device_id, parameter, value, key in cases:
        with pytest.raises(ServiceValidationError) as err:
            await _set_parameter(hass, device_id, parameter, value)
        assert err.value.translation_key == key, (parameter, value)

    await hass.async_block_till_done()
    for node_id in (PLUG, HAN):
        assert _config_sets(await sim.call("received", node_id)) == [], node_id
    assert (await sim.call("node_state", PLUG))["config"] == plug_config
    assert (await sim.call("node_state", HAN))["config"] == han_config
    assert (_state(hass, restore), _state(hass, serial)) == before


async def test_service_writes_an_option(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    plug = _device_id(hass, sim, loaded_entry, PLUG)
    restore = entity_id(hass, sim.home_id, PLUG, "config_21", "select")
    assert _state(hass, restore) == "previous"
    try:
        await _set_parameter(hass, plug, 21, "off")
        assert (await sim.call("node_state", PLUG))["config"]["21"] == 2
        sets = _config_sets(await sim.call("received", PLUG))
        assert [(e["param"], e["value"]) for e in sets] == [(21, 2)]
        await wait_for(hass, lambda: _state(hass, restore) == "off", what="select shows off")
    finally:
        await _set_parameter(hass, plug, 21, "previous")
    assert (await sim.call("node_state", PLUG))["config"]["21"] == 0
    await wait_for(hass, lambda: _state(hass, restore) == "previous")


# --- 4. combined read-only parameters ------------------------------------------------


async def test_meter_serial_from_two_parameters(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """The AMS meter id: 16 digits packed as BCD in parameters 9 and 10."""
    serial = entity_id(hass, sim.home_id, HAN, "meter_serial", "sensor")
    assert _state(hass, serial) == "7359992891234567"


# --- 5. scene events -------------------------------------------------------------------


async def test_scene_event_fires_once_and_not_on_reconnect(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    scene = entity_id(hass, sim.home_id, ZEN06, "scene", "event")
    assert _state(hass, scene) == STATE_UNKNOWN

    await sim.call("activate_scene", ZEN06, 7)
    await wait_for(hass, lambda: _state(hass, scene) != STATE_UNKNOWN, what="scene event")
    fired = hass.states.get(scene)
    assert dt_util.parse_datetime(fired.state) is not None
    assert fired.attributes["event_type"] == "scene_activated"
    assert fired.attributes["scene_id"] == 7

    await sim.call("stop_server")
    await wait_for(hass, lambda: _state(hass, scene) == STATE_UNAVAILABLE, what="unavailable")
    await sim.call("start_server")
    await wait_for(
        hass, lambda: _state(hass, scene) != STATE_UNAVAILABLE, limit=60, what="scene back"
    )
    # give a replayed notification, if any, the time to arrive
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    after = hass.states.get(scene)
    assert after.state == fired.state
    assert after.attributes["scene_id"] == 7


# --- 6. the total guard ---------------------------------------------------------------


HELD = "not counted until the readings show"


def _guard(hass: HomeAssistant, sim: AsyncSim, node: int = HAN, key: str = "energy") -> TotalGuard:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    guard = entry.runtime_data.bindings[node].readings.total(key)
    assert guard is not None
    return guard


def _reading(hass: HomeAssistant, entity: str) -> float:
    """The device's own register, beside the total the dashboard books."""
    return float(hass.states.get(entity).attributes["meter_reading"])


async def test_energy_guard_holds_back_a_drop_until_it_is_decided(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    energy = entity_id(hass, sim.home_id, PLUG, "energy", "sensor")
    start = (await sim.call("node_state", PLUG))["meters"]["kWh"]
    assert start > 0.1, "the plug's total must start above 0.1 kWh for this test"
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start))
    # a rise the plug can make in a moment (the guard allows 0.1 kWh of rounding)
    top = round(start + 0.05, 2)
    await sim.call("report_meter", PLUG, "kWh", top)
    await wait_for(hass, lambda: _number(hass, energy) == top, what=f"{top} accepted")

    # a drop is held, and so is the next reading of its level ...
    low = round(start / 2, 2)
    await sim.call("report_meter", PLUG, "kWh", low)
    await wait_for(hass, lambda: len(_warnings(caplog, HELD)) >= 1, what="warning")
    await sim.call("report_meter", PLUG, "kWh", low + 0.01)
    await wait_for(hass, lambda: _reading(hass, energy) == top, what="still held")
    assert _number(hass, energy) == top
    held = _warnings(caplog, HELD)
    assert len(held) == 1
    # in the user's terms: the device and the entity, not a node number
    assert held[0].startswith("HANK Electronics HKZW-SO03 Energy: reading ")

    # ... until the meter is back on its track: what it added counts
    await sim.call("report_meter", PLUG, "kWh", top + 0.02)
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(top + 0.02))
    assert "back on its track" in caplog.text
    assert len(_warnings(caplog, HELD)) == 1
    await sim.call("report_meter", PLUG, "kWh", start)


async def test_meter_reset_button_is_accepted_at_once(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The meter starts anew; the total the dashboard books goes on."""
    caplog.set_level(logging.WARNING)
    energy = entity_id(hass, sim.home_id, ZEN06, "energy", "sensor")
    reset = entity_id(hass, sim.home_id, ZEN06, "reset_meters", "button")
    start = (await sim.call("node_state", ZEN06))["meters"]["kWh"]
    assert start > 0, "the ZEN06 total must start above 0 for this test"
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start))

    await hass.services.async_call("button", "press", {"entity_id": reset}, blocking=True)
    await wait_for(hass, lambda: _reading(hass, energy) == 0.0, what="reset register")
    assert len(_meter_resets(await sim.call("received", ZEN06))) == 1
    assert (await sim.call("node_state", ZEN06))["meters"]["kWh"] == 0
    # the device's own report of the new total comes 100 ms after the reset
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    assert _number(hass, energy) == pytest.approx(start)
    assert not _warnings(caplog, "HKZW-SO03")
    assert not _warnings(caplog, "ZEN06")

    # growing totals go on as usual, from the total before the reset
    await sim.call("report_meter", ZEN06, "kWh", 0.1)
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start + 0.1))
    assert not _warnings(caplog, HELD)
    await sim.call("report_meter", ZEN06, "kWh", start)


async def test_failed_reset_does_not_disarm_the_guard(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reset command that fails is no reset: the next drop is still held back."""
    caplog.set_level(logging.WARNING)
    energy = entity_id(hass, sim.home_id, ZEN06, "energy", "sensor")
    reset = entity_id(hass, sim.home_id, ZEN06, "reset_meters", "button")
    start = (await sim.call("node_state", ZEN06))["meters"]["kWh"]
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start))
    top = round(start + 0.05, 2)
    await sim.call("report_meter", ZEN06, "kWh", top)
    await wait_for(hass, lambda: _number(hass, energy) == top, what=f"{top} accepted")

    async def failing(command_class: int, method: str, *args: Any, name: str) -> Any:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"entity": name, "error": "no answer"},
        )

    monkeypatch.setattr(loaded_entry.runtime_data.bindings[ZEN06], "async_invoke", failing)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("button", "press", {"entity_id": reset}, blocking=True)
    assert _meter_resets(await sim.call("received", ZEN06)) == []

    low = round(top / 2, 3)
    await sim.call("report_meter", ZEN06, "kWh", low)
    await wait_for(
        hass,
        lambda: _reading(hass, energy) != top or bool(_warnings(caplog, HELD)),
        what="the drop was handled",
    )
    register = _reading(hass, energy)
    held = _warnings(caplog, HELD)
    # the guard recovers with the next reading on the track either way
    await sim.call("report_meter", ZEN06, "kWh", top + 0.01)
    await wait_for(hass, lambda: _reading(hass, energy) == top + 0.01, what="growth accepted")
    assert (register, len(held)) == (top, 1), (
        "a reset press whose command failed must not arm the guard: "
        f"the drop to {low} was taken at once as {register}, not held back"
    )
    await sim.call("report_meter", ZEN06, "kWh", start)


async def _han_energy(hass: HomeAssistant, sim: AsyncSim) -> tuple[str, float]:
    """The HAN's Energy entity and the total it shows, the simulated meter's.

    The meter reports its total once first: until then the server's value is of
    an unknown age, and the first reading that does not fit it is the base.
    """
    energy = entity_id(hass, sim.home_id, HAN, "energy", "sensor")
    start = (await sim.call("node_state", HAN))["meters"]["kWh"]
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start))
    await sim.call("report_meter", HAN, "kWh", start)
    guard = _guard(hass, sim)
    await wait_for(hass, lambda: guard.register_at is not None, what="first reading")
    return energy, start


async def test_guard_stops_negative_totals_and_spikes(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The failures users report, sent by the simulated HAN meter through the real server."""
    caplog.set_level(logging.INFO)
    energy, start = await _han_energy(hass, sim)
    guard = loaded_entry.runtime_data.bindings[HAN].readings.total("energy")
    assert guard is not None

    async def report(value: float, what: str) -> None:
        """Send a reading and wait until the guard has decided about it."""
        seen = sum(guard.counts.values()), guard.register
        await sim.call("report_meter", HAN, "kWh", value)
        await wait_for(
            hass, lambda: (sum(guard.counts.values()), guard.register) != seen, what=what
        )

    # a signed overflow (core #159919, #57230), however often it comes
    for _ in range(3):
        await report(-21474836.48, "negative")
    assert _number(hass, energy) == pytest.approx(start)
    assert len(_warnings(caplog, "negative reading")) == 1
    # a logger per node: Home Assistant's log list shows each device's messages apart
    (record,) = [r for r in caplog.records if "negative reading" in r.getMessage()]
    assert record.name == f"{LOGGER.name}.node.{sim.home_id:08x}.{HAN}"

    # a misplaced decimal (zwave-js-ui #2367) for two readings, then back on track
    spike = round(start + 500, 2)
    await report(spike, "spike")
    await sim.call("report_meter", HAN, "kWh", spike + 0.01)
    await wait_for(hass, lambda: guard.level is not None and guard.level.readings == 2)
    assert _number(hass, energy) == pytest.approx(start)
    # the device page says a reading is held, and which
    attributes = hass.states.get(energy).attributes
    assert attributes["held_reading"] == pytest.approx(spike + 0.01)
    assert attributes["held_since"].endswith("+00:00")
    await sim.call("report_meter", HAN, "kWh", start + 0.05)
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start + 0.05))
    assert "held_reading" not in hass.states.get(energy).attributes
    assert "back on its track" in caplog.text
    assert not _warnings(caplog, "went on from")

    device = dr.async_get(hass).async_get(_device_id(hass, sim, loaded_entry, HAN))
    diagnostics = await async_get_device_diagnostics(hass, loaded_entry, device)
    found = next(e for e in diagnostics["entities"] if e["key"] == "energy")["guard"]
    assert found["counts"] == {"drop": 0, "spike": 1, "negative": 3}
    assert found["last_held"] == {"value": pytest.approx(spike), "reason": "spike"}
    assert found["held_level"] is None
    await sim.call("report_meter", HAN, "kWh", start)


async def test_a_reconnect_never_decides_a_held_drop(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The guard counts readings from the node: values read again after a reconnect do not."""
    caplog.set_level(logging.INFO)
    energy, start = await _han_energy(hass, sim)
    await sim.call("report_meter", HAN, "kWh", start - 100)
    await wait_for(hass, lambda: len(_warnings(caplog, HELD)) == 1, what="held")

    await sim.call("stop_server")
    await wait_for(hass, lambda: _state(hass, energy) == STATE_UNAVAILABLE, what="unavailable")
    await sim.call("start_server")
    await wait_for(hass, lambda: _state(hass, energy) != STATE_UNAVAILABLE, limit=60)
    # the server's value is the dropped one; it is read again, not reported
    assert _number(hass, energy) == pytest.approx(start)
    guard = loaded_entry.runtime_data.bindings[HAN].readings.total("energy")
    assert guard is not None
    assert guard.level is not None
    assert guard.level.readings == 1

    await sim.call("report_meter", HAN, "kWh", start + 0.1)
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(start + 0.1))
    assert "back on its track" in caplog.text
    await sim.call("report_meter", HAN, "kWh", start)


async def test_han_reset_button_starts_both_meter_readings_anew(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    energy = entity_id(hass, sim.home_id, HAN, "energy", "sensor")
    export = entity_id(hass, sim.home_id, HAN, "energy_export", "sensor")
    reset = entity_id(hass, sim.home_id, HAN, "reset_meters", "button")
    meters = (await sim.call("node_state", HAN))["meters"]
    assert meters["kWh"] > 0
    assert meters["kVAh"] > 0
    before = _number(hass, energy), _number(hass, export)
    await hass.services.async_call("button", "press", {"entity_id": reset}, blocking=True)
    await wait_for(hass, lambda: _reading(hass, energy) == 0.0, what="energy reset")
    await wait_for(hass, lambda: _reading(hass, export) == 0.0, what="export reset")
    assert len(_meter_resets(await sim.call("received", HAN))) == 1
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    assert not _warnings(caplog, HELD)
    # the totals the dashboard books go on from where they were
    assert (_number(hass, energy), _number(hass, export)) == pytest.approx(before)
    await sim.call("report_meter", HAN, "kWh", 0.2)
    await wait_for(hass, lambda: _number(hass, energy) == pytest.approx(before[0] + 0.2))


# --- 7. selects -------------------------------------------------------------------------


async def test_select_option_writes_raw_value(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    notifications = entity_id(hass, sim.home_id, PLUG, "config_24", "select")
    assert _state(hass, notifications) == "any_change"
    try:
        await hass.services.async_call(
            "select",
            "select_option",
            {"entity_id": notifications, "option": "manual_only"},
            blocking=True,
        )
        assert (await sim.call("node_state", PLUG))["config"]["24"] == 2
        sets = _config_sets(await sim.call("received", PLUG))
        assert [(e["param"], e["value"]) for e in sets] == [(24, 2)]
        await wait_for(hass, lambda: _state(hass, notifications) == "manual_only")
    finally:
        await hass.services.async_call(
            "select",
            "select_option",
            {"entity_id": notifications, "option": "any_change"},
            blocking=True,
        )
    assert (await sim.call("node_state", PLUG))["config"]["24"] == 1
    await wait_for(hass, lambda: _state(hass, notifications) == "any_change")


# --- 8. values the quirk does not expect ---------------------------------------------------


async def test_unexpected_device_value_shows_unknown(
    hass: HomeAssistant,
    sim: AsyncSim,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    scaling = entity_id(hass, sim.home_id, HAN, "config_11", "number")
    assert _number(hass, scaling) == 0.0
    node = loaded_entry.runtime_data.bindings[HAN].node
    assert node is not None
    value_id = f"{HAN}-112-0-11"
    try:
        await sim.call("set_device_config", HAN, 11, 5000)
        await node.async_poll_value(value_id)
        await wait_for(hass, lambda: _state(hass, scaling) == STATE_UNKNOWN, what="unknown")
        assert node.values[value_id].value == 5000
        await asyncio.sleep(0.2)
        await hass.async_block_till_done()
        warned = _warnings(caplog, "parameter 11 reported unexpected value 5000")
        assert len(warned) == 1
        assert warned[0].startswith(scaling)
    finally:
        await sim.call("set_device_config", HAN, 11, 0)
        await node.async_poll_value(value_id)
    await wait_for(hass, lambda: _number(hass, scaling) == 0.0, what="back to 0")
    assert _config_sets(await sim.call("received", HAN)) == []
