"""Entities made from node-state fixtures: snapshots, edge cases, failures."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion
from zwave_js_server.event import Event
from zwave_js_server.model.node import Node

from custom_components.zwave_quirks import PLATFORMS
from custom_components.zwave_quirks.const import CONF_URL, DOMAIN, LOGGER
from custom_components.zwave_quirks.diagnostics import async_get_device_diagnostics

from .conftest import setup_fixture_entry
from .fixture_client import HOME_ID, FixtureClient, load_state
from .helpers import HAN, PLUG, ZEN06, entity_id


@pytest.fixture
def entry(fixture_entry: MockConfigEntry) -> MockConfigEntry:
    return fixture_entry


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.usefixtures("every_device")
async def test_entities_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What each platform creates for each device a quirk supports."""
    # the capacity sensors show the current hour
    freezer.move_to("2026-01-15T09:20:00+00:00")
    with patch("custom_components.zwave_quirks.PLATFORMS", [platform]):
        entry = MockConfigEntry(
            domain=DOMAIN, data={CONF_URL: "ws://127.0.0.1:3000"}, unique_id=str(HOME_ID)
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_firmware_change_keeps_unique_ids_and_removes_what_is_gone(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """ZEN06 1.3 -> 1.2: the same entities keep their ids; local control goes."""
    registry = er.async_get(hass)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{HOME_ID}-{ZEN06}"), entry.entry_id
    )
    assert device is not None

    def entities() -> dict[str, str]:
        return {
            e.unique_id: e.entity_id
            for e in er.async_entries_for_device(
                registry, device.id, include_disabled_entities=True
            )
        }

    before = entities()
    local_control = f"{HOME_ID}.{ZEN06}.config_30"
    assert local_control in before
    led = entity_id(hass, HOME_ID, ZEN06, "config_27", "select")
    assert len(hass.states.get(led).attributes["options"]) == 4

    node = next(n for n in fixture_client.state["nodes"] if n["nodeId"] == ZEN06)
    node["firmwareVersion"] = "1.2"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    after = entities()
    assert after == {k: v for k, v in before.items() if k != local_control}
    assert hass.states.get(before[local_control]) is None
    assert hass.states.get(led).attributes["options"] == ["always", "five_seconds"]
    assert dr.async_get(hass).async_get(device.id).sw_version == "1.2"


async def test_reinterview_with_new_firmware_reloads_the_entities(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """A firmware update while connected: zwave-js sends the node's state again."""
    led = entity_id(hass, HOME_ID, ZEN06, "config_27", "select")
    local_control = entity_id(hass, HOME_ID, ZEN06, "config_30", "select")
    assert hass.states.get(local_control) is not None

    node = entry.runtime_data.bindings[ZEN06].node
    state = next(n for n in fixture_client.state["nodes"] if n["nodeId"] == ZEN06)
    state["firmwareVersion"] = "1.2"
    node.receive_event(
        Event(
            type="ready",
            data={"source": "node", "event": "ready", "nodeId": ZEN06, "nodeState": state},
        )
    )
    await hass.async_block_till_done()

    assert hass.states.get(local_control) is None
    assert hass.states.get(led).attributes["options"] == ["always", "five_seconds"]


async def test_reinterview_with_the_same_firmware_changes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    binding = entry.runtime_data.bindings[ZEN06]
    state = next(n for n in fixture_client.state["nodes"] if n["nodeId"] == ZEN06)
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        binding.node.receive_event(
            Event(
                type="ready",
                data={"source": "node", "event": "ready", "nodeId": ZEN06, "nodeState": state},
            )
        )
        await hass.async_block_till_done()
    reload.assert_not_called()
    assert entry.runtime_data.bindings[ZEN06] is binding


async def test_overload_protection_disabled_by_default(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    for node_id in (PLUG, ZEN06):
        found = registry.async_get_entity_id("select", DOMAIN, f"{HOME_ID}.{node_id}.config_20")
        assert found is not None
        assert registry.async_get(found).disabled_by is er.RegistryEntryDisabler.INTEGRATION


def _value_event(node_id: int, event: str, args: dict) -> Event:
    return Event(
        type=event, data={"source": "node", "event": event, "nodeId": node_id, "args": args}
    )


def _meter_args(key: int, value: float | str | None) -> dict:
    return {
        "commandClassName": "Meter",
        "commandClass": 50,
        "endpoint": 0,
        "property": "value",
        "propertyKey": key,
        "newValue": value,
        "prevValue": None,
        "propertyName": "value",
    }


def _drop_param_30(fixture_client: type[FixtureClient]) -> None:
    """The ZEN06 as an older server shows it: without parameter 30."""
    zen06 = fixture_client.state["nodes"][1]
    zen06["values"] = [
        v for v in zen06["values"] if (v["commandClass"], v["property"]) != (112, 30)
    ]


def _han_state(fixture_client: type[FixtureClient]) -> dict:
    return next(n for n in fixture_client.state["nodes"] if n["nodeId"] == HAN)


def _fixture_value(node_state: dict, command_class: int, prop: object, key: object = None) -> Any:
    return next(
        v["value"]
        for v in node_state["values"]
        if (v["commandClass"], v["property"], v.get("propertyKey")) == (command_class, prop, key)
    )


async def test_han_export_comes_from_scale_1(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """Heatit's driver: the Meter CC's "kVAh" scale carries the exported kWh."""
    export = entity_id(hass, HOME_ID, HAN, "energy_export", "sensor")
    state = hass.states.get(export)
    expected = _fixture_value(_han_state(fixture_client), 50, "value", 0x10101)
    assert float(state.state) == expected
    assert state.attributes["unit_of_measurement"] == "kWh"
    assert state.attributes["state_class"] == "total_increasing"
    assert state.attributes["device_class"] == "energy"
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id("sensor", DOMAIN, f"{HOME_ID}.{HAN}.apparent_energy") is None
    )


async def test_export_sensor_appears_with_first_produced_report(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """A HAN sensor that never sent scale 1 gets the export sensor with its first report."""
    han = fixture_client.state["nodes"][2]
    han["values"] = [
        v
        for v in han["values"]
        if not (v["commandClass"] == 50 and v.get("propertyKey", 0) >> 8 & 0xFF == 1)
    ]
    entry = await setup_fixture_entry(hass)
    registry = er.async_get(hass)
    unique_id = f"{HOME_ID}.{HAN}.energy_export"
    assert registry.async_get_entity_id("sensor", DOMAIN, unique_id) is None
    node = entry.runtime_data.bindings[HAN].node
    metadata = {"type": "number", "readable": True, "writeable": False, "unit": "kWh"}
    node.receive_event(
        _value_event(HAN, "value added", _meter_args(0x10002, 42.5) | {"metadata": metadata})
    )
    await hass.async_block_till_done()
    export = entity_id(hass, HOME_ID, HAN, "energy_export", "sensor")
    assert hass.states.get(export).state == "42.5"
    # alternative encodings of the export: the one the node reported last wins,
    # a value it no longer sends does not hold the entity
    for key, value in ((0x10102, 42.7), (0x10101, 42.8), (0x10101, 42.9)):
        node.receive_event(_value_event(HAN, "value updated", _meter_args(key, value)))
        await hass.async_block_till_done()
        assert hass.states.get(export).state == str(value)
    # a "metadata updated" event carries the value's whole metadata (0.75.0 requires it)
    node.receive_event(
        _value_event(HAN, "metadata updated", _meter_args(0x10002, 42.5) | {"metadata": metadata})
    )
    await hass.async_block_till_done()
    assert hass.states.get(export).state == "42.9"


async def test_apparent_energy_is_removed_on_upgrade(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """Earlier versions made a kVAh "Apparent energy" sensor; it goes with the upgrade."""
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_URL: "ws://127.0.0.1:3000"}, unique_id=str(HOME_ID)
    )
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, f"{HOME_ID}-{HAN}")}
    )
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{HOME_ID}.{HAN}.apparent_energy",
        config_entry=entry,
        device_id=device.id,
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(old.entity_id) is None
    assert hass.states.get(old.entity_id) is None
    assert registry.async_get_entity_id("sensor", DOMAIN, f"{HOME_ID}.{HAN}.energy_export")


def _sensor_args(value: float | None) -> dict:
    return {
        "commandClassName": "Multilevel Sensor",
        "commandClass": 49,
        "endpoint": 0,
        "property": "Air temperature",
        "newValue": value,
        "prevValue": None,
        "propertyName": "Air temperature",
    }


async def test_han_temperature_without_reading_is_unknown(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """-999.9 °C is the Z-HAN2's "no reading"; the maker's driver drops it too."""
    caplog.set_level(logging.INFO)
    node = entry.runtime_data.bindings[HAN].node
    temperature = entity_id(hass, HOME_ID, HAN, "temperature", "sensor")
    for value, shown in ((-999.9, STATE_UNKNOWN), (-999.9, STATE_UNKNOWN), (20.5, "20.5")):
        node.receive_event(_value_event(HAN, "value updated", _sensor_args(value)))
        await hass.async_block_till_done()
        assert hass.states.get(temperature).state == shown
    assert caplog.text.count("has no reading") == 1
    node.receive_event(_value_event(HAN, "value updated", _sensor_args(-999.9)))
    await hass.async_block_till_done()
    assert caplog.text.count("has no reading") == 2


async def test_guarded_totals_never_show_a_negative_or_a_spike(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    node = entry.runtime_data.bindings[PLUG].node
    energy = entity_id(hass, HOME_ID, PLUG, "energy", "sensor")
    before = hass.states.get(energy).state
    # the first reading from the node: the server's value was read at an unknown time
    node.receive_event(_value_event(PLUG, "value updated", _meter_args(0x10001, float(before))))
    await hass.async_block_till_done()
    for value in (-21474836.48, -21474836.48, "garbage", float("nan"), 1e9):
        node.receive_event(_value_event(PLUG, "value updated", _meter_args(0x10001, value)))
        await hass.async_block_till_done()
        assert hass.states.get(energy).state == before, value
    assert caplog.text.count("negative reading") == 1
    guard = entry.runtime_data.bindings[PLUG].readings.total("energy")
    assert guard is not None
    assert guard.diagnostics()["counts"] == {"drop": 0, "spike": 1, "negative": 2}
    assert guard.diagnostics()["held_level"] == {
        "reason": "spike",
        "first": 1e9,
        "latest": 1e9,
        "readings": 1,
    }
    # back on track: the spike is discarded
    node.receive_event(
        _value_event(PLUG, "value updated", _meter_args(0x10001, float(before) + 0.01))
    )
    await hass.async_block_till_done()
    assert float(hass.states.get(energy).state) == pytest.approx(float(before) + 0.01)
    assert hass.states.get(energy).attributes["meter_reading"] == pytest.approx(
        float(before) + 0.01
    )


def _config_args(number: int, value: int) -> dict:
    return {
        "commandClassName": "Configuration",
        "commandClass": 112,
        "endpoint": 0,
        "property": number,
        "newValue": value,
        "prevValue": None,
        "propertyName": f"param{number}",
        "metadata": {
            "type": "number",
            "readable": True,
            "writeable": True,
            "min": 0,
            "max": 1,
            "default": 1,
            "valueSize": 1,
            "format": 1,
            "states": {"0": "Disable", "1": "Enable"},
        },
    }


async def test_parameter_the_node_lacks_gets_no_entity_until_it_appears(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """ZEN06 1.3 behind an older server: parameter 30 is not exposed."""
    _drop_param_30(fixture_client)
    entry = await setup_fixture_entry(hass)
    registry = er.async_get(hass)
    unique_id = f"{HOME_ID}.{ZEN06}.config_30"
    assert registry.async_get_entity_id("select", DOMAIN, unique_id) is None
    binding = entry.runtime_data.bindings[ZEN06]
    diagnostics = await async_get_device_diagnostics(
        hass, entry, dr.async_get(hass).async_get(binding.device_id)
    )
    assert diagnostics["missing_parameters"] == [30]
    # a write names the entity it will have, from the translations
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, ZEN06, parameter=30, value="enabled")
    assert err.value.translation_key == "parameter_missing"
    assert err.value.translation_placeholders["entity"] == "Zooz ZEN06 Local control"

    binding.node.receive_event(_value_event(ZEN06, "value added", _config_args(30, 0)))
    await hass.async_block_till_done()
    local_control = entity_id(hass, HOME_ID, ZEN06, "config_30", "select")
    assert hass.states.get(local_control).state == "disabled"
    assert binding.missing_parameters == []


async def test_metadata_drift_goes_to_diagnostics(
    hass: HomeAssistant, fixture_client: type[FixtureClient], caplog: pytest.LogCaptureFixture
) -> None:
    han = _han_state(fixture_client)
    for value in han["values"]:
        if (value["commandClass"], value["property"]) == (112, 4):
            value["metadata"]["max"] = 60000
        if (value["commandClass"], value["property"]) == (112, 7):
            value["metadata"]["default"] = 20
    caplog.set_level(logging.DEBUG, logger="custom_components.zwave_quirks")
    entry = await setup_fixture_entry(hass)
    binding = entry.runtime_data.bindings[HAN]
    diagnostics = await async_get_device_diagnostics(
        hass, entry, dr.async_get(hass).async_get(binding.device_id)
    )
    assert diagnostics["metadata_drift"] == [
        {"parameter": 4, "field": "max", "quirk": 65535, "server": 60000},
        {"parameter": 7, "field": "default", "quirk": 10, "server": 20},
    ]
    lines = [r.getMessage() for r in caplog.records if "metadata differs" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].startswith(f"Node {HAN}:")
    plug = entry.runtime_data.bindings[PLUG]
    assert plug.metadata_drift == []


async def test_unexpected_values_are_unknown_and_logged_once(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    node = entry.runtime_data.bindings[PLUG].node
    power = entity_id(hass, HOME_ID, PLUG, "power", "sensor")
    caplog.set_level(logging.WARNING)
    for _ in range(2):
        node.receive_event(_value_event(PLUG, "value updated", _meter_args(66049, "garbage")))
        await hass.async_block_till_done()
    assert hass.states.get(power).state == STATE_UNKNOWN
    assert caplog.text.count("unexpected value 'garbage'") == 1
    node.receive_event(_value_event(PLUG, "value updated", _meter_args(66049, 12.5)))
    await hass.async_block_till_done()
    assert hass.states.get(power).state == "12.5"

    # a select parameter with a value the quirk does not know
    select = entity_id(hass, HOME_ID, PLUG, "config_21", "select")
    node.receive_event(
        _value_event(
            PLUG,
            "value updated",
            {
                "commandClassName": "Configuration",
                "commandClass": 112,
                "endpoint": 0,
                "property": 21,
                "newValue": 7,
                "prevValue": 0,
                "propertyName": "State After Power Failure",
            },
        )
    )
    await hass.async_block_till_done()
    assert hass.states.get(select).state == STATE_UNKNOWN
    assert "parameter 21 reported unexpected value 7" in caplog.text


async def test_failed_set_raises_and_keeps_state(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    number = entity_id(hass, HOME_ID, HAN, "config_7", "number")
    before = hass.states.get(number).state
    fixture_client.set_value_status = 2  # the device rejected it
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": 2.5}, blocking=True
        )
    assert err.value.translation_key == "set_failed"
    assert hass.states.get(number).state == before
    assert fixture_client.last.set_values()[-1]["value"] == 25


async def test_set_timeout_raises(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    switch = entity_id(hass, HOME_ID, PLUG, "switch", "switch")
    fixture_client.set_value_status = None
    with (
        patch("custom_components.zwave_quirks.binding.SET_VALUE_TIMEOUT", 0.05),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert err.value.translation_key == "set_timeout"


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (2.3, "value_off_step_or_off"),
        (-0.5, "value_out_of_range_or_off"),
        (10.5, "value_out_of_range_or_off"),
    ],
)
async def test_bad_number_is_refused_before_sending(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    value: float,
    key: str,
) -> None:
    number = entity_id(hass, HOME_ID, HAN, "config_7", "number")
    sent = len(fixture_client.last.set_values())
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "zwave_quirks",
            "set_parameter",
            {
                "device_id": entry.runtime_data.bindings[HAN].device_id,
                "parameter": 7,
                "value": value,
            },
            blocking=True,
        )
    assert err.value.translation_key == key
    placeholders = err.value.translation_placeholders
    assert (placeholders["off"], placeholders["min"], placeholders["max"]) == ("0", "0.5", "10")
    assert len(fixture_client.last.set_values()) == sent
    assert hass.states.get(number).state == "1.0"


async def test_signed_parameter_written_as_signed(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    number = entity_id(hass, HOME_ID, HAN, "config_8", "number")
    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": -1.5}, blocking=True
    )
    command = fixture_client.last.set_values()[-1]
    assert command["valueId"]["property"] == 8
    assert command["value"] == -15


async def test_removed_node_loses_its_device_and_added_node_gets_one(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Its device, entities and stored readings go; included again, it starts anew."""
    stored = f"{DOMAIN}.readings.{HOME_ID:08x}.{PLUG}"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=1))
    await hass.async_block_till_done()
    assert stored in hass_storage
    devices = dr.async_get(hass)
    identifier = (DOMAIN, f"{HOME_ID}-{PLUG}")
    assert devices.async_get_device_by_identifier(identifier, entry.entry_id) is not None
    switch = entity_id(hass, HOME_ID, PLUG, "switch", "switch")
    controller = FixtureClient.last.driver.controller
    state = load_state("hank_hkzw_so03")["nodes"][0]
    controller.receive_event(
        Event(
            type="node removed",
            data={"source": "controller", "event": "node removed", "node": state, "reason": 0},
        )
    )
    await hass.async_block_till_done()
    assert devices.async_get_device_by_identifier(identifier, entry.entry_id) is None
    assert hass.states.get(switch) is None
    assert PLUG not in entry.runtime_data.bindings
    assert stored not in hass_storage

    # included again: a new device with the same entity ids
    controller.receive_event(
        Event(
            type="node added",
            data={"source": "controller", "event": "node added", "node": state, "result": {}},
        )
    )
    await hass.async_block_till_done()
    assert devices.async_get_device_by_identifier(identifier, entry.entry_id) is not None
    assert hass.states.get(switch) is not None


async def test_unsupported_node_gets_no_device(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    state = load_state("heatit_z_han2")
    state["nodes"][0] |= {"manufacturerId": 0x0086, "productId": 0x0062}
    fixture_client.state = state
    entry = await setup_fixture_entry(hass)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert [d.name for d in devices] == [f"Z-Wave network {HOME_ID:08x}"]
    assert er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id) == []


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", float("inf"), float("nan")])
async def test_set_parameter_refuses_what_is_not_a_finite_number(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient], value: object
) -> None:
    number = entity_id(hass, HOME_ID, HAN, "config_7", "number")
    sent = len(fixture_client.last.set_values())
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, HAN, parameter=7, value=value)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "value_not_finite"
    assert err.value.translation_placeholders["entity"] == "Heatit Z-HAN2 Temp. change"
    # the number entity's own service takes the same check
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": value}, blocking=True
        )
    assert err.value.translation_domain in (DOMAIN, "number")
    assert len(fixture_client.last.set_values()) == sent
    assert hass.states.get(number).state == "1.0"


async def test_reset_whose_refresh_fails_is_no_failure(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The meters were reset; only reading them again failed: log it, do not raise."""
    binding = entry.runtime_data.bindings[PLUG]
    reset = entity_id(hass, HOME_ID, PLUG, "reset_meters", "button")

    async def failing(command_class: int) -> None:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="not_connected")

    monkeypatch.setattr(binding, "async_refresh", failing)
    caplog.set_level(logging.WARNING)
    await hass.services.async_call("button", "press", {"entity_id": reset}, blocking=True)
    invoked = [c for c in fixture_client.last.commands if c["command"] == "endpoint.invoke_cc_api"]
    assert [c["methodName"] for c in invoked] == ["reset"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == LOGGER.name]
    assert len(warnings) == 1
    assert warnings[0].getMessage().startswith(reset)


async def test_han_spike_limit_follows_the_scaling_factor(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Parameter 11 multiplies the meter values, and so the power a rise may imply."""
    node = entry.runtime_data.bindings[HAN].node
    energy = entity_id(hass, HOME_ID, HAN, "energy", "sensor")
    start = float(hass.states.get(energy).state)

    def report(value: float) -> None:
        node.receive_event(_value_event(HAN, "value updated", _meter_args(0x10001, value)))

    # the first reading from the node: the server's value was read at an unknown time
    report(start)
    await hass.async_block_till_done()
    # 10 kWh in a moment is more than 100 kW can do (1.7 kWh of slack)
    report(start + 10)
    await hass.async_block_till_done()
    assert float(hass.states.get(energy).state) == start
    report(start + 0.5)  # back on track: the spike is discarded
    node.receive_event(_value_event(HAN, "value updated", _config_args(11, 10)))
    await hass.async_block_till_done()
    # with a scaling factor of 10 the meter carries 1000 kW: 16.7 kWh of slack
    report(start + 10.5)
    await hass.async_block_till_done()
    assert float(hass.states.get(energy).state) == start + 10.5


async def _set_parameter(
    hass: HomeAssistant, entry: MockConfigEntry, node_id: int, **data: Any
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_parameter",
        {"device_id": entry.runtime_data.bindings[node_id].device_id, **data},
        blocking=True,
    )


async def test_errors_name_the_entity_not_the_parameter(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    number = entity_id(hass, HOME_ID, HAN, "config_7", "number")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": 2.3}, blocking=True
        )
    assert err.value.translation_placeholders["entity"] == "Heatit Z-HAN2 Temp. change"
    assert str(err.value) == (
        "2.3 is not allowed for Heatit Z-HAN2 Temp. change: 0 turns it off, "
        "otherwise steps of 0.5 °C from 0.5 to 10"
    )
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, HAN, parameter=9, value=1)
    assert str(err.value) == (
        "Heatit Z-HAN2 Meter serial number is read only and cannot be written"
    )
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, PLUG, parameter="temperature_hysteresis", value=1)
    message = str(err.value)
    assert message.startswith("HANK Electronics HKZW-SO03 has no parameter temperature_hysteresis")
    assert "HANK Electronics HKZW-SO03 Power interval (171, power_report_interval)" in message
    assert FixtureClient.last.set_values() == []


async def test_errors_write_decimals_as_the_language_does(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    hass.config.language = "nb"
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, HAN, parameter=7, value="2,3")
    placeholders = err.value.translation_placeholders
    assert (placeholders["value"], placeholders["step"], placeholders["min"]) == (
        "2,3",
        "0,5",
        "0,5",
    )
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, HAN, parameter=8, value=-6.5)
    assert err.value.translation_placeholders["min"] == "-6"
    assert err.value.translation_placeholders["value"] == "-6,5"


async def test_set_parameter_by_key_and_option_label(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """The parameter by number or key, an option by key or label in any shipped language."""
    for parameter, value, raw in (
        ("temperature_hysteresis", 2.5, 25),
        ("7", "1.5", 15),
        (21, "Previous state", 0),
        ("state_after_power_failure", "AV", 2),
        (21, "Forrige tilstand", 0),
        (21, "på", 1),
        (21, 2, 2),
    ):
        node = HAN if parameter in ("temperature_hysteresis", "7") else PLUG
        await _set_parameter(hass, entry, node, parameter=parameter, value=value)
        assert fixture_client.last.set_values()[-1]["value"] == raw, (parameter, value)
    sent = len(fixture_client.last.set_values())
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, PLUG, parameter=21, value="sometimes")
    assert err.value.translation_placeholders["options"] == "Previous state, On, Off"
    assert len(fixture_client.last.set_values()) == sent


async def test_a_failed_write_names_the_entity(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    fixture_client.set_value_status = 2
    switch = entity_id(hass, HOME_ID, PLUG, "switch", "switch")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert str(err.value) == "Setting HANK Electronics HKZW-SO03 Outlet failed: fail"


async def test_parameter_appears_when_a_new_node_object_has_it(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """After a reconnect (a server update) the value is simply there: no event tells."""
    zen06 = fixture_client.state["nodes"][1]
    full = json.loads(json.dumps(zen06))
    zen06["values"] = [
        v for v in zen06["values"] if (v["commandClass"], v["property"]) != (112, 30)
    ]
    entry = await setup_fixture_entry(hass)
    unique_id = f"{HOME_ID}.{ZEN06}.config_30"
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("select", DOMAIN, unique_id) is None
    binding = entry.runtime_data.bindings[ZEN06]
    binding.attach(Node(FixtureClient.last, full))
    await hass.async_block_till_done()
    local_control = entity_id(hass, HOME_ID, ZEN06, "config_30", "select")
    assert hass.states.get(local_control).state == "enabled"


async def test_parameter_entity_is_unavailable_when_the_node_lacks_it(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """An entity made before, on a node that no longer exposes its parameter."""
    local_control = entity_id(hass, HOME_ID, ZEN06, "config_30", "select")
    assert hass.states.get(local_control).state == "enabled"
    assert await hass.config_entries.async_unload(entry.entry_id)
    _drop_param_30(fixture_client)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(local_control).state == STATE_UNAVAILABLE
    with pytest.raises(ServiceValidationError) as err:
        await _set_parameter(hass, entry, ZEN06, parameter=30, value="enabled")
    assert err.value.translation_key == "parameter_missing"
    assert err.value.translation_placeholders["entity"] == "Zooz ZEN06 Local control"


async def test_restart_keeps_the_guard_time_and_the_export_source(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """A total restored with its time; an export restored with the source last reported."""
    energy_id = "sensor.hank_electronics_hkzw_so03_energy"
    export_id = "sensor.heatit_z_han2_energy_exported"
    registry = er.async_get(hass)
    for unique_id, object_id in (
        (f"{HOME_ID}.{PLUG}.energy", energy_id),
        (f"{HOME_ID}.{HAN}.energy_export", export_id),
    ):
        registry.async_get_or_create(
            "sensor", DOMAIN, unique_id, suggested_object_id=object_id.split(".")[1]
        )
    hour_ago = dt_util.utcnow().timestamp() - 3600
    han = _han_state(fixture_client)
    consumed = _fixture_value(han, 50, "value", 0x10101)
    stale = next(v for v in han["values"] if v.get("propertyKey") == 0x10101) | {
        "propertyKey": 0x10102,
        "propertyKeyName": "Electric_kVAh_Produced",
        "value": consumed + 50,
    }
    han["values"].append(stale)
    extra = {"native_unit_of_measurement": "kWh", "accepted_at": hour_ago}
    mock_restore_cache_with_extra_data(
        hass,
        [
            (State(energy_id, "1.23"), extra | {"native_value": 1.23, "source": None}),
            (
                State(export_id, str(consumed)),
                extra | {"native_value": consumed, "source": f"{HAN}-50-0-value-65793"},
            ),
        ],
    )
    entry = await setup_fixture_entry(hass)
    # the consumed source was reported last: the stale produced value does not win
    assert float(hass.states.get(export_id).state) == consumed
    # 4 kWh within the hour since the restored reading fits the plug's 5 kW
    node = entry.runtime_data.bindings[PLUG].node
    node.receive_event(_value_event(PLUG, "value updated", _meter_args(0x10001, 5.23)))
    await hass.async_block_till_done()
    assert hass.states.get(energy_id).state == "5.23"
