"""Diagnostics of the config entry and of the nodes' devices, on the simulated network."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN
from custom_components.zwave_quirks.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)

from .conftest import AsyncSim
from .helpers import HAN, PLUG, ZEN06, entity_id, wait_for

# the simulated meter's id, 16 digits as BCD in parameters 9 and 10
SERIAL = "7359992891234567"
SERIAL_FIRST, SERIAL_SECOND = 0x73599928, 0x91234567


def _secret_url(url: str) -> str:
    """The simulator's URL with credentials, a token and a fragment added."""
    return str(
        URL(url)
        .with_user("user")
        .with_password("hunter2secret")
        .with_query(token="abc123token")
        .with_fragment("frag")
    )


@pytest.fixture
async def entry(hass: HomeAssistant, sim: AsyncSim) -> AsyncIterator[MockConfigEntry]:
    """An entry connected to the simulator through a URL with credentials and a token."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_URL: _secret_url(sim.url), "token": "abc123token"},
        unique_id=str(sim.home_id),
        title="Z-Wave network",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    yield entry
    if entry.state.recoverable:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


def _device(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> dr.DeviceEntry:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert device is not None, key
    return device


def _node_device(
    hass: HomeAssistant, entry: MockConfigEntry, sim: AsyncSim, node_id: int
) -> dr.DeviceEntry:
    return _device(hass, entry, f"{sim.home_id}-{node_id}")


def _by(items: list[Any], field: str) -> dict[Any, dict[str, Any]]:
    return {item[field]: item for item in items}


async def test_config_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: AsyncSim,
    entry: MockConfigEntry,
) -> None:
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    text = json.dumps(diag)
    for secret in ("user", "hunter2secret", "abc123token", "frag"):
        assert secret not in text, secret
    assert diag["entry"]["data"] == {CONF_URL: "ws://**REDACTED**", "token": "**REDACTED**"}
    assert diag["entry"]["state"] == "loaded"

    connection = diag["connection"]
    assert connection["connected"] is True
    assert connection["home_id"] == "**REDACTED**"
    version = entry.runtime_data.client.version
    assert connection["server_version"] == version.server_version
    assert connection["driver_version"] == version.driver_version
    assert isinstance(connection["driver_version"], str)

    nodes = diag["nodes"]
    assert set(nodes) == {str(PLUG), str(ZEN06), str(HAN)}
    assert nodes[str(HAN)]["quirk"] == "heatit_z_han2"
    assert nodes[str(PLUG)]["quirk"] == nodes[str(ZEN06)]["quirk"] == "hank_hkzw_so03"
    # each summary is the device's own diagnostics
    device = _node_device(hass, entry, sim, ZEN06)
    assert nodes[str(ZEN06)] == await get_diagnostics_for_device(hass, hass_client, entry, device)
    assert diag["unsupported_nodes"] == []


async def test_no_diagnostics_names_the_server_the_home_or_the_meter(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: AsyncSim,
    entry: MockConfigEntry,
) -> None:
    """Every diagnostics file of the integration: the entry's and each device's."""
    await wait_for(
        hass, lambda: all(b.node is not None for b in entry.runtime_data.bindings.values())
    )
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    files = [await get_diagnostics_for_config_entry(hass, hass_client, entry)] + [
        await get_diagnostics_for_device(hass, hass_client, entry, device) for device in devices
    ]
    assert len(files) == 5  # the entry, the network, three nodes
    address = URL(sim.url)
    secrets = {
        f"{address.host}:{address.port}",
        str(sim.home_id),
        f"{sim.home_id:08x}",
        SERIAL,
        str(SERIAL_FIRST),
        str(SERIAL_SECOND),
    }
    for diag in files:
        text = json.dumps(diag)
        assert [s for s in secrets if s in text] == []
    # what is left of the address: its scheme (ws or wss matters for a report)
    assert files[0]["entry"]["data"][CONF_URL] == "ws://**REDACTED**"


async def test_han_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: AsyncSim,
    entry: MockConfigEntry,
) -> None:
    # a negative calibration: stored as a signed byte, shown in 0.1 °C
    calibration = entity_id(hass, sim.home_id, HAN, "config_8", "number")
    await hass.services.async_call(
        "number", "set_value", {"entity_id": calibration, "value": -1.5}, blocking=True
    )
    try:
        await wait_for(hass, lambda: hass.states.get(calibration).state == "-1.5")
        device = _node_device(hass, entry, sim, HAN)
        diag = await get_diagnostics_for_device(hass, hass_client, entry, device)
    finally:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": calibration, "value": 0}, blocking=True
        )

    assert diag["node_id"] == HAN
    assert diag["quirk"] == "heatit_z_han2"
    assert diag["fingerprint"] == {
        "manufacturer": "Heatit",
        "model": "Z-HAN2",
        "manufacturer_id": "0x019b",
        "product_type": "0x0062",
        "product_id": "0x6201",
        "firmware": None,
    }
    assert diag["firmware_version"] == "1.0"
    assert diag["status"] == "alive"
    assert diag["available"] is True

    params = _by(diag["parameters"], "number")
    assert set(params) == set(range(1, 12))
    assert params[8]["key"] == "temperature_calibration"
    assert params[8]["variant"] == "default"
    assert params[8]["platform"] == "number"
    assert params[8]["raw"] == -15
    assert params[8]["value"] == -1.5
    assert params[8]["range"] == {
        "min": -6.0,
        "max": 6.0,
        "step": 0.1,
        "unit": "°C",
        "off": None,
    }
    assert params[8]["is_off"] is None
    assert (params[7]["range"]["min"], params[7]["range"]["off"]) == (0.5, 0)
    assert (params[7]["raw"], params[7]["is_off"]) == (10, False)
    # the meter id identifies a household: present, but redacted
    for number in (9, 10):
        assert params[number]["read_only"] is True
        assert params[number]["platform"] is None
        assert params[number]["raw"] == "**REDACTED**"
        assert params[number]["value"] == "**REDACTED**"
    text = json.dumps(diag)
    for secret in (SERIAL, str(SERIAL_FIRST), str(SERIAL_SECOND)):
        assert secret not in text

    entities = _by(diag["entities"], "key")
    serial = entities["meter_serial"]
    assert serial["platform"] == "sensor"
    assert serial["variant"] == "default"
    assert [source["value"] for source in serial["sources"]] == ["**REDACTED**"] * 2
    assert serial["sources"][0]["value_id"] == f"{HAN}-112-0-9"
    assert serial["value"] == "**REDACTED**"
    assert hass.states.get(entity_id(hass, sim.home_id, HAN, "meter_serial", "sensor")).state == (
        SERIAL
    )
    # the totals' guards, and how the quirk and the server agree
    assert entities["energy"]["guard"]["counts"] == {"drop": 0, "spike": 0, "negative": 0}
    assert entities["energy_export"]["guard"]["held_level"] is None
    assert "guard" not in entities["power"]
    assert diag["missing_parameters"] == []
    assert diag["metadata_drift"] == []
    assert entities["power"]["value"] == entities["power"]["sources"][0]["value"]


async def test_zen06_gets_the_firmware_1_3_variant(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: AsyncSim,
    entry: MockConfigEntry,
) -> None:
    zen06 = await get_diagnostics_for_device(
        hass, hass_client, entry, _node_device(hass, entry, sim, ZEN06)
    )
    assert zen06["fingerprint"]["model"] == "ZEN06"
    assert zen06["firmware_version"] == "1.3"
    params = _by(zen06["parameters"], "number")
    led = params[27]
    assert led["variant"] == "ZEN06, firmware 1.3.."
    assert led["platform"] == "select"
    assert led["options"] == {"0": "always", "1": "when_on", "2": "five_seconds", "3": "off"}
    assert led["raw"] == 1
    assert led["value"] == "when_on"
    assert params[30]["variant"] == "ZEN06, firmware 1.3.."
    assert params[173]["variant"] == "ZEN06, firmware 1.3.."
    assert params[151]["variant"] == "default"

    # the HANK plug shares the quirk but not the variant
    plug = await get_diagnostics_for_device(
        hass, hass_client, entry, _node_device(hass, entry, sim, PLUG)
    )
    params = _by(plug["parameters"], "number")
    assert params[27]["variant"] == "default"
    assert params[27]["options"] == {"0": "always", "1": "five_seconds"}
    assert 30 not in params
    entities = _by(plug["entities"], "key")
    assert entities["switch"]["platform"] == "switch"
    assert entities["reset_meters"] == {
        "key": "reset_meters",
        "platform": "button",
        "variant": "default",
        "enabled_by_default": True,
    }


async def test_unknown_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: AsyncSim,
    entry: MockConfigEntry,
) -> None:
    # the controller's device belongs to the entry but is no bound node
    controller = _device(hass, entry, str(sim.home_id))
    diag = await get_diagnostics_for_device(hass, hass_client, entry, controller)
    assert diag == {"error": "unknown device"}

    other = MockConfigEntry(domain="test")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("test", "foreign")}
    )
    assert await async_get_device_diagnostics(hass, entry, foreign) == {"error": "unknown device"}


async def test_entry_that_is_not_loaded(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_URL: "wss://admin:pa55@zwave.example:3000/ws?api_key=k3y#x"},
        unique_id="3235823838",
    )
    entry.add_to_hass(hass)
    diag = await async_get_config_entry_diagnostics(hass, entry)
    assert diag["entry"]["data"] == {CONF_URL: "wss://**REDACTED**"}
    assert diag["entry"]["state"] == "not_loaded"
    assert diag["connection"] == {"connected": False}
    assert diag["nodes"] == {}
    assert diag["unsupported_nodes"] == []
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "3235823838-4")}
    )
    assert await async_get_device_diagnostics(hass, entry, device) == {"error": "unknown device"}


async def test_diagnostics_while_disconnected(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry
) -> None:
    connection = entry.runtime_data
    await sim.call("stop_server")
    try:
        # the client closes first, then the supervisor detaches the nodes
        await wait_for(
            hass,
            lambda: (
                connection.client is None
                and all(binding.node is None for binding in connection.bindings.values())
            ),
            what="nodes detached",
        )
        diag = await async_get_config_entry_diagnostics(hass, entry)
        device = _node_device(hass, entry, sim, ZEN06)
        zen06 = await async_get_device_diagnostics(hass, entry, device)
    finally:
        await sim.call("start_server")

    assert diag["connection"]["connected"] is False
    assert diag["connection"]["home_id"] == "**REDACTED**"
    assert diag["connection"]["driver_version"] is None
    assert zen06 == diag["nodes"][str(ZEN06)]
    assert zen06["status"] == "disconnected"
    assert zen06["available"] is False
    # the firmware the device registry remembers
    assert zen06["firmware_version"] == "1.3"
    params = _by(zen06["parameters"], "number")
    assert params[27]["raw"] is None
    assert params[27]["value"] is None
