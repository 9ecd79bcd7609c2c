"""End to end: the real Z-Wave JS server on the simulated network."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import AsyncSim
from .helpers import HAN, PLUG, ZEN06, entity_id, wait_for


async def test_devices_of_the_network(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    entry_id = loaded_entry.entry_id
    controller = registry.async_get_device_by_identifier((DOMAIN, str(sim.home_id)), entry_id)
    assert controller is not None
    found = {}
    for node_id in (PLUG, ZEN06, HAN):
        device = registry.async_get_device_by_identifier(
            (DOMAIN, f"{sim.home_id}-{node_id}"), entry_id
        )
        assert device is not None, node_id
        assert device.via_device_id == controller.id
        found[node_id] = (device.manufacturer, device.model, device.sw_version)
    assert found[PLUG][:2] == ("HANK Electronics", "HKZW-SO03")
    assert found[ZEN06] == ("Zooz", "ZEN06", "1.3")
    assert found[HAN][:2] == ("Heatit", "Z-HAN2")
    devices = dr.async_entries_for_config_entry(registry, loaded_entry.entry_id)
    assert len(devices) == 4


async def test_switch_changes_the_node(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    switch = entity_id(hass, sim.home_id, PLUG, "switch", "switch")
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    state = await sim.call("node_state", PLUG)
    assert state["switch"] is True
    await wait_for(hass, lambda: hass.states.get(switch).state == STATE_ON)
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    state = await sim.call("node_state", PLUG)
    assert state["switch"] is False
    await wait_for(hass, lambda: hass.states.get(switch).state == STATE_OFF)


async def test_local_switch_press_reaches_home_assistant(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    switch = entity_id(hass, sim.home_id, ZEN06, "switch", "switch")
    for on, expected in ((True, STATE_ON), (False, STATE_OFF)):
        await sim.call("press_switch", ZEN06, on)
        await wait_for(hass, lambda expected=expected: hass.states.get(switch).state == expected)


async def _entry_with_the_server_down(hass: HomeAssistant, sim: AsyncSim) -> MockConfigEntry:
    """An entry set up while the server is stopped: it waits to be tried again."""
    await sim.call("stop_server")
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    return entry


async def test_setup_retries_when_server_is_down(hass: HomeAssistant, sim: AsyncSim) -> None:
    entry = await _entry_with_the_server_down(hass, sim)
    assert "Cannot connect" in (entry.reason or "")
    await sim.call("start_server")


async def test_setup_refuses_another_network(hass: HomeAssistant, sim: AsyncSim) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id="1234")
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "different Z-Wave network" in (entry.reason or "")
    # only the user can fix it: a repair issue says how, until a connect succeeds
    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, f"wrong_network_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "wrong_network"
    assert issue.translation_placeholders["url"] == sim.url
    hass.config_entries.async_update_entry(entry, unique_id=str(sim.home_id))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert issues.async_get_issue(DOMAIN, f"wrong_network_{entry.entry_id}") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_incompatible_server_is_a_repair_issue(hass: HomeAssistant, sim: AsyncSim) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    with (
        patch("zwave_js_server.const.MAX_SERVER_SCHEMA_VERSION", 99),
        patch("zwave_js_server.const.MIN_SERVER_SCHEMA_VERSION", 98),
    ):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "too old or too new" in (entry.reason or "")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"incompatible_version_{entry.entry_id}")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR


async def test_unload_leaves_nothing_behind(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    connection = loaded_entry.runtime_data
    assert connection.connected
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert connection.client is None
    assert all(binding.node is None for binding in connection.bindings.values())
    # the verify_cleanup fixture then fails the test on any lingering task or timer


def _outage_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"server_unreachable_{entry.entry_id}")


async def _minutes_later(hass: HomeAssistant, minutes: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
    await hass.async_block_till_done()


async def test_a_server_away_for_minutes_is_a_repair_issue_that_goes_by_itself(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """While the server is down only "unavailable" shows; after 5 minutes an issue says why."""
    power = entity_id(hass, sim.home_id, PLUG, "power", "sensor")
    await sim.call("stop_server")
    await wait_for(hass, lambda: hass.states.get(power).state == STATE_UNAVAILABLE)
    await _minutes_later(hass, 4)
    assert _outage_issue(hass, loaded_entry) is None
    await _minutes_later(hass, 5.5)
    issue = _outage_issue(hass, loaded_entry)
    assert issue is not None
    assert issue.translation_key == "server_unreachable"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert issue.translation_placeholders is not None
    # the address without credentials: the user must know which server it is
    assert issue.translation_placeholders["url"] == sim.url
    assert issue.translation_placeholders["title"] == loaded_entry.title
    await sim.call("start_server")
    await wait_for(hass, lambda: hass.states.get(power).state != STATE_UNAVAILABLE, limit=30)
    assert _outage_issue(hass, loaded_entry) is None


async def test_a_server_down_since_the_start_is_a_repair_issue_until_setup_succeeds(
    hass: HomeAssistant, sim: AsyncSim
) -> None:
    entry = await _entry_with_the_server_down(hass, sim)
    await _minutes_later(hass, 6)
    assert _outage_issue(hass, entry) is not None
    await sim.call("start_server")
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert _outage_issue(hass, entry) is None
    # an entry unloaded while its server is away leaves no issue behind
    power = entity_id(hass, sim.home_id, PLUG, "power", "sensor")
    await sim.call("stop_server")
    await wait_for(hass, lambda: hass.states.get(power).state == STATE_UNAVAILABLE)
    await _minutes_later(hass, 6)
    assert _outage_issue(hass, entry) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert _outage_issue(hass, entry) is None
    await sim.call("start_server")


async def test_after_a_switch_change_the_plug_s_power_is_read_again(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """The plug reports its power only on a large change or its interval: read it once."""
    switch = entity_id(hass, sim.home_id, PLUG, "switch", "switch")
    power = entity_id(hass, sim.home_id, PLUG, "power", "sensor")
    await sim.call("clear_received", PLUG)
    for service in ("turn_on", "turn_off", "turn_on"):  # three changes close together
        await hass.services.async_call("switch", service, {"entity_id": switch}, blocking=True)
    await sim.call("set_meter", PLUG, "W", 1234.5)  # the load draws, the plug says nothing
    assert hass.states.get(power).state != "1234.5"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=4))
    await wait_for(hass, lambda: hass.states.get(power).state == "1234.5")
    received = await sim.call("received", PLUG, True)
    gets = [e for e in received if e["cc"] == "Meter" and e["command"] == "Get"]
    assert [g["scale"] for g in gets] == ["W"], gets  # one read, of the power only
