"""Your own quirks against the real server: the other maker's metering plug, which no
shipped quirk supports, gets its entities from a file written as docs/user-quirks.md says."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import NETWORK_NODES, AsyncSim, Simulator, running_simulator
from .test_user_quirks import OTHER_PLUG_FILE

OTHER_PLUG = 8  # --nodes 3 --others 5: thermostat 5, multisensor 6, dimmer 7, plug 8, lock 9


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    yield from running_simulator(
        tmp_path_factory, "zwave-user-quirks", nodes=NETWORK_NODES, others=5
    )


@pytest.fixture
async def entry(
    hass: HomeAssistant, sim: AsyncSim, tmp_path: Path
) -> AsyncIterator[MockConfigEntry]:
    hass.config.config_dir = str(tmp_path)
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    yield entry
    if entry.state.recoverable:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


async def until(hass: HomeAssistant, check: object, what: str, limit: float = 20) -> None:
    began = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - began > limit:
            raise AssertionError(f"not after {limit:.0f} s: {what}")
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()


def _state(hass: HomeAssistant, home_id: int, key: str, platform: str = "sensor") -> str | None:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{home_id}.{OTHER_PLUG}.{key}"
    )
    state = hass.states.get(entity_id) if entity_id else None
    return None if state is None else state.state


def _number(state: str | None) -> float | None:
    try:
        return float(state) if state is not None else None
    except ValueError:
        return None


async def test_the_other_maker_s_plug_gets_its_entities_from_a_user_file(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, tmp_path: Path
) -> None:
    home_id = sim.home_id
    (tmp_path / "zwave_quirks").mkdir()
    (tmp_path / "zwave_quirks" / "other_plug.yaml").write_text(OTHER_PLUG_FILE, encoding="utf-8")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # the node filter keeps the node a user quirk claims
    assert OTHER_PLUG in entry.runtime_data.client.driver.controller.nodes
    await sim.call("report_meter", OTHER_PLUG, "W", 42.0)
    await until(hass, lambda: _number(_state(hass, home_id, "power")) == 42.0, "42 W")
    await sim.call("report_meter", OTHER_PLUG, "kWh", 7.75)
    await until(hass, lambda: _state(hass, home_id, "energy") is not None, "the energy total")
    outlet = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{home_id}.{OTHER_PLUG}.outlet"
    )
    assert outlet is not None
    await hass.services.async_call("switch", "turn_on", {"entity_id": outlet}, blocking=True)
    await until(hass, lambda: _state(hass, home_id, "outlet", "switch") == "on", "the outlet on")
    received = await sim.call("received", OTHER_PLUG)
    assert any(e["cc"] == "Binary Switch" and e["command"] == "Set" for e in received), received

    # its parameters, validated as the file declares them
    registry = er.async_get(hass)
    number = registry.async_get_entity_id("number", DOMAIN, f"{home_id}.{OTHER_PLUG}.config_2")
    select = registry.async_get_entity_id("select", DOMAIN, f"{home_id}.{OTHER_PLUG}.config_1")
    assert number is not None and select is not None
    led = hass.states.get(select)
    assert led is not None and led.attributes["options"] == ["Off", "Shows power", "Night mode"]
    assert led.state == "Shows power"  # the plug's default, 1
    await sim.call("clear_received", OTHER_PLUG)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": 2.5}, blocking=True
        )
    # off the parameter's steps: our error, naming the entity (2,600 W Home Assistant's own)
    assert "Power change" in str(err.value.translation_placeholders)
    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": 100}, blocking=True
    )
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": "Night mode"}, blocking=True
    )
    sets = [
        (e["param"], e["value"])
        for e in await sim.call("received", OTHER_PLUG)
        if e["cc"] == "Configuration" and e["command"] == "Set"
    ]
    assert sets == [(2, 100), (1, 2)], sets


async def test_a_broken_file_changes_nothing_else(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, tmp_path: Path
) -> None:
    (tmp_path / "zwave_quirks").mkdir()
    broken = OTHER_PLUG_FILE.replace("max_power: 3680", "max_power: lots")
    (tmp_path / "zwave_quirks" / "other_plug.yaml").write_text(broken, encoding="utf-8")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "user_quirk_invalid_other_plug.yaml")
    assert issue is not None and (issue.translation_placeholders or {})["line"] == "21"
    assert OTHER_PLUG not in entry.runtime_data.client.driver.controller.nodes
    assert _state(hass, sim.home_id, "power") is None
    # the shipped devices work
    await sim.call("report_meter", 2, "W", 11.0)
    power = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{sim.home_id}.2.power")
    assert power is not None
    await until(
        hass,
        lambda: (s := hass.states.get(power)) is not None and _number(s.state) == 11.0,
        "11 W",
    )


async def test_the_export_of_a_node_left_out_loads_and_gives_entities(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, tmp_path: Path
) -> None:
    """Start from your device: the export of the other maker's plug, which the node filter
    left out, saved as a file, gives the plug its entities after a reload."""
    home_id = sim.home_id
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert OTHER_PLUG not in entry.runtime_data.client.driver.controller.nodes
    answer = await hass.services.async_call(
        DOMAIN,
        "export_quirk",
        {"node_id": OTHER_PLUG},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    name, text = answer["file_name"], answer["yaml"]
    assert isinstance(name, str) and isinstance(text, str)
    assert "manufacturer_id: 32515" in text and "max_power: 3680" in text
    (tmp_path / "zwave_quirks").mkdir()
    (tmp_path / "zwave_quirks" / name).write_text(text, encoding="utf-8")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await until(hass, lambda: entry.runtime_data.connected, "reloaded")
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"user_quirk_invalid_{name}")
    await sim.call("report_meter", OTHER_PLUG, "W", 17.5)
    await until(hass, lambda: _number(_state(hass, home_id, "power")) == 17.5, "17.5 W")
    assert _state(hass, home_id, "switch", "switch") is not None


async def test_the_export_of_a_node_that_does_not_exist(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "export_quirk", {"node_id": 200}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "export_no_node"
