"""The simulator's other nodes (--others): devices no quirk supports, beside the supported ones."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from zwave_js_server.client import Client
from zwave_js_server.const import CommandClass

from custom_components.zwave_quirks.quirks.registry import find_quirk

from .conftest import NETWORK_NODES, Simulator, running_simulator
from .fixture_client import NETWORK_FIXTURES, fixture_name
from .helpers import wait_for

# the first three shipped devices, node ids 2..4 (simulator/README.md), then the others
NODES, OTHERS = NETWORK_NODES, 10
SUPPORTED = range(2, NODES + 2)
INFO_CCS = {
    CommandClass.VERSION,
    CommandClass.MANUFACTURER_SPECIFIC,
    CommandClass.ZWAVEPLUS_INFO,
}
# (kind, (manufacturer id, product type, product id), generic device class, command classes),
# in the order --others cycles through them
KINDS = [
    (
        "thermostat",
        (0x7F00, 0x0001, 0x0101),
        0x08,
        {
            CommandClass.THERMOSTAT_MODE,
            CommandClass.THERMOSTAT_SETPOINT,
            CommandClass.SENSOR_MULTILEVEL,
        },
    ),
    (
        "multisensor",
        (0x7F01, 0x0002, 0x0201),
        0x21,
        {CommandClass.SENSOR_MULTILEVEL, CommandClass.NOTIFICATION, CommandClass.SENSOR_BINARY},
    ),
    (
        "dimmer",
        (0x7F02, 0x0003, 0x0301),
        0x11,
        {CommandClass.SWITCH_MULTILEVEL, CommandClass.METER},
    ),
    (
        "metering-plug",
        (0x7F03, 0x0004, 0x0401),
        0x10,
        # Configuration 4: parameters zwave-js learns from the device (docs/user-quirks.md)
        {CommandClass.SWITCH_BINARY, CommandClass.METER, CommandClass.CONFIGURATION},
    ),
    ("lock", (0x7F04, 0x0005, 0x0501), 0x40, {CommandClass.DOOR_LOCK, CommandClass.NOTIFICATION}),
]
OTHER_IDS = range(NODES + 2, NODES + 2 + OTHERS)
ALL_IDS = [*SUPPORTED, *OTHER_IDS]
THERMOSTAT, MULTISENSOR, DIMMER, PLUG, LOCK = OTHER_IDS[:5]
# what zwave-js's mock adds to every node, and what a node of these kinds must not have
ALLOWED_EXTRA = {CommandClass.BASIC}
NEVER = {CommandClass.WAKE_UP, CommandClass.BATTERY}


def kind_of(node_id: int) -> tuple:
    return KINDS[(node_id - NODES - 2) % len(KINDS)]


@pytest.fixture(scope="module")
def others_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """The three devices and 10 others, each kind twice; the time to start is printed."""
    began = time.monotonic()
    options = {"nodes": NODES, "others": OTHERS, "tx_delay": 1}
    for sim in running_simulator(tmp_path_factory, "zwave-others", **options):
        print(f"\n{NODES} + {OTHERS} nodes ready in {time.monotonic() - began:.1f} s (first start)")
        yield sim


@asynccontextmanager
async def connected(hass: HomeAssistant, sim: Simulator) -> AsyncIterator[Client]:
    """A zwave-js-server-python client of the simulator's server, its driver ready."""
    client = Client(sim.url, async_get_clientsession(hass))
    await client.connect()
    ready = asyncio.Event()
    listen = asyncio.create_task(client.listen(ready))
    try:
        async with asyncio.timeout(30):
            await ready.wait()
        yield client
    finally:
        # as the transport does: a plain disconnect leaves aiohttp's heartbeat timer armed
        listen.cancel()
        await client.disconnect()
        await asyncio.gather(listen, return_exceptions=True)


async def test_others_follow_the_supported_nodes(
    hass: HomeAssistant, socket_enabled: None, others_sim: Simulator
) -> None:
    sim = others_sim
    assert sim.ready_info is not None
    assert sim.ready_info["nodes"] == ALL_IDS
    assert sim.ready_info["others"] == list(OTHER_IDS)
    status = await hass.async_add_executor_job(sim.status)
    fingerprints = {
        n["nodeId"]: (n["manufacturerId"], n["productType"], n["productId"])
        for n in status["nodes"]
    }
    assert {i: fingerprints.pop(i) for i in OTHER_IDS} == {i: kind_of(i)[1] for i in OTHER_IDS}
    # the rest: the devices the unit tests' fixtures are, in their order
    assert sorted(fingerprints) == list(SUPPORTED)
    firmware = {n["nodeId"]: n["firmwareVersion"] for n in status["nodes"]}
    claimed = [find_quirk(fingerprints[i], firmware[i]) for i in SUPPORTED]
    names = [fixture_name(r.fingerprint.manufacturer, r.fingerprint.model) for r in claimed if r]
    assert tuple(names) == NETWORK_FIXTURES
    assert all(n["ready"] for n in status["nodes"]), status["nodes"]


async def test_others_are_interviewed_with_their_command_classes(
    hass: HomeAssistant, socket_enabled: None, others_sim: Simulator
) -> None:
    async with connected(hass, others_sim) as client:
        assert client.driver is not None
        nodes = client.driver.controller.nodes
        assert sorted(i for i in nodes if i != client.driver.controller.own_node_id) == ALL_IDS
        for node_id in ALL_IDS:
            node = nodes[node_id]
            assert node.ready, node_id
            assert node.interview_stage == "Complete", node_id
        for node_id in OTHER_IDS:
            node = nodes[node_id]
            kind, ids, generic, ccs = kind_of(node_id)
            assert (node.manufacturer_id, node.product_type, node.product_id) == ids, node_id
            assert node.device_class is not None
            assert node.device_class.generic.key == generic, (node_id, kind)
            assert node.is_listening, (node_id, kind)
            have = {CommandClass(cc.id) for cc in node.command_classes}
            expected = ccs | INFO_CCS
            assert expected <= have, (node_id, kind, expected - have)
            assert have - expected <= ALLOWED_EXTRA, (node_id, kind, have - expected)
            assert not have & NEVER, (node_id, kind)
        # the interview read the values the kinds report
        values = {
            (THERMOSTAT, "49-0-Air temperature"): 20.5,
            (MULTISENSOR, "49-0-Air temperature"): 21,
            (MULTISENSOR, "49-0-Humidity"): 45,
            (MULTISENSOR, "49-0-Illuminance"): 120,
            (MULTISENSOR, "48-0-Motion"): False,
            (THERMOSTAT, "64-0-mode"): 0,  # off
            (DIMMER, "38-0-currentValue"): 0,
            # Meter v3 Gets carry no rate type: zwave-js's mock answers "unspecified" (0)
            (DIMMER, "50-0-value-65536"): 3.21,  # kWh
            (PLUG, "37-0-currentValue"): False,
            (PLUG, "50-0-value-65537"): 7.5,  # kWh, consumed (the load moves W)
            (LOCK, "98-0-currentMode"): 0,  # unsecured
        }
        for (node_id, value_id), expected_value in values.items():
            value = nodes[node_id].values.get(f"{node_id}-{value_id}")
            assert value is not None, (node_id, value_id, sorted(nodes[node_id].values))
            assert value.value == expected_value, (node_id, value_id, value.value)


async def test_the_load_generator_keeps_to_the_supported_nodes(
    hass: HomeAssistant, socket_enabled: None, others_sim: Simulator
) -> None:
    """The load's "all" is the --nodes nodes; others with a meter only when named."""
    sim = others_sim
    started = await hass.async_add_executor_job(sim.start_load, 20, 0.5)
    assert started["nodes"] == NODES
    await hass.async_add_executor_job(sim.wait_load, 10)
    started = await hass.async_add_executor_job(sim.start_load, 20, 0.5, [DIMMER, PLUG])
    assert started["nodes"] == 2
    done = await hass.async_add_executor_job(sim.wait_load, 10)
    assert done["sent"] == 10
    with pytest.raises(RuntimeError, match="has no meter"):
        await hass.async_add_executor_job(sim.start_load, 20, 0.5, [THERMOSTAT])


async def test_others_keep_their_state_across_restarts(
    hass: HomeAssistant, socket_enabled: None, tmp_path: Path
) -> None:
    """What the default mock behaviours store goes to the simulator's device state file."""
    others = len(KINDS)  # one of each kind: the same node ids as in the module's simulator
    sim = Simulator(
        tmp_path / "cache", nodes=NODES, others=others, tx_delay=1, log_path=tmp_path / "sim.log"
    )
    await hass.async_add_executor_job(sim.start)
    try:
        await _change_and_restart(hass, sim, others)
    finally:
        await hass.async_add_executor_job(sim.stop)


async def _change_and_restart(hass: HomeAssistant, sim: Simulator, others: int) -> None:
    async with connected(hass, sim) as client:
        assert client.driver is not None
        nodes = client.driver.controller.nodes
        dimmer, thermostat = nodes[DIMMER], nodes[THERMOSTAT]
        await dimmer.async_set_value(f"{DIMMER}-38-0-targetValue", 40)
        await thermostat.async_set_value(f"{THERMOSTAT}-64-0-mode", 1)  # heat
        await wait_for(hass, lambda: dimmer.values[f"{DIMMER}-38-0-currentValue"].value == 40, 10)
        # a Meter Reset zeroes the plug's total in the simulator's device state
        await nodes[PLUG].async_invoke_cc_api(CommandClass.METER, "reset", wait_for_result=True)
        state = await hass.async_add_executor_job(sim.node_state, PLUG)
        assert state["meters"]["kWh"] == 0
    await hass.async_add_executor_job(sim.stop)
    saved = json.loads((sim.cache_dir / "simulator-devices.json").read_text())
    assert saved[str(DIMMER)]["kind"] == "dimmer"
    assert saved[str(DIMMER)]["state"]["mock"]["MultilevelSwitch_currentValue"] == 40
    assert saved[str(THERMOSTAT)]["state"]["mock"]["ThermostatMode_mode"] == 1
    assert saved[str(PLUG)]["state"]["meters"]["kWh"] == 0

    began = time.monotonic()
    await hass.async_add_executor_job(sim.start)
    print(f"\n{NODES} + {others} nodes ready in {time.monotonic() - began:.1f} s (with the cache)")
    async with connected(hass, sim) as client:
        assert client.driver is not None
        nodes = client.driver.controller.nodes
        assert all(nodes[i].ready for i in [*SUPPORTED, *OTHER_IDS[:others]])
        # asked again (not from the driver's cache), the devices answer what they held
        for node_id, cc, prop, expected in (
            (DIMMER, 38, "currentValue", 40),
            (THERMOSTAT, 64, "mode", 1),
            (PLUG, 50, "value", 0),
        ):
            value_id = {"commandClass": cc, "endpoint": 0, "property": prop}
            if cc == 50:
                value_id["propertyKey"] = 65537  # kWh, consumed
            polled = await client.async_send_command(
                {"command": "node.poll_value", "nodeId": node_id, "valueId": value_id}
            )
            assert polled == {"value": expected}, (node_id, prop, polled)
