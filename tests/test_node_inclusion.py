"""Nodes that join the network while it runs (Z-Wave inclusion), and leave it, end to end.

The simulator's POST /inclusion (Simulator.include) makes a node wait to join;
an inclusion started through our client (the server's controller.begin_inclusion)
adds it, zwave-js interviews it, and the server sends "node added" (before the
interview: no manufacturer or product ids yet) and later the node's "ready".
Each test includes nodes of its own into this module's network. A node leaves as a
failed node does: the simulator's POST /nodes/N/fail (Simulator.fail), then a
client's controller.remove_failed_node; the server sends "node removed".
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.const import InclusionState, InclusionStrategy

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_config_entry_diagnostics

from .conftest import NETWORK_NODES, AsyncSim, Simulator, running_simulator

LIMIT = 30.0  # s, each wait
OTHER_PLUG_MANUFACTURER = "0x7f03"  # the simulator's "metering-plug"


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A network of this module's own: the nodes included here stay on it."""
    yield from running_simulator(tmp_path_factory, "zwave-inclusion", nodes=NETWORK_NODES)


async def until(
    hass: HomeAssistant,
    predicate: Callable[[], bool | Awaitable[bool]],
    what: str,
    limit: float = LIMIT,
) -> float:
    """Poll until predicate() holds (it may be a coroutine function); the seconds it took."""
    began = time.monotonic()
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return time.monotonic() - began
        if time.monotonic() - began > limit:
            raise AssertionError(f"not after {limit:.0f} s: {what}")
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()


@pytest.fixture
async def entry(hass: HomeAssistant, sim: AsyncSim) -> AsyncIterator[MockConfigEntry]:
    """Our entry, connected to this module's network; no inclusion left behind."""
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id), title="Home"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        client = entry.runtime_data.client
        if (
            client is not None
            and client.connected
            and client.driver is not None
            and client.driver.controller.inclusion_state is InclusionState.INCLUDING
        ):
            await client.driver.controller.async_stop_inclusion()
    if await sim.call("pending_inclusion") is not None:
        await sim.call("cancel_inclusion")
    if entry.state.recoverable:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


def our_device(hass: HomeAssistant, entry: MockConfigEntry, node_id: int) -> dr.DeviceEntry | None:
    key = f"{entry.runtime_data.home_id}-{node_id}"
    return dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)


def our_entities(hass: HomeAssistant, home_id: int, node_id: int) -> list[er.RegistryEntry]:
    """Every entity of ours (any entry) on a node."""
    prefix = f"{home_id}.{node_id}."
    return [
        e
        for e in er.async_get(hass).entities.values()
        if e.platform == DOMAIN and e.unique_id.startswith(prefix)
    ]


def power_entity(hass: HomeAssistant, home_id: int, node_id: int) -> str | None:
    return er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{home_id}.{node_id}.power")


def power_state(hass: HomeAssistant, home_id: int, node_id: int) -> str | None:
    entity_id = power_entity(hass, home_id, node_id)
    state = None if entity_id is None else hass.states.get(entity_id)
    return None if state is None else state.state


def power_available(hass: HomeAssistant, home_id: int, node_id: int) -> bool:
    return power_state(hass, home_id, node_id) not in (None, STATE_UNAVAILABLE)


def power_is(hass: HomeAssistant, home_id: int, node_id: int, watts: float) -> bool:
    try:
        return float(power_state(hass, home_id, node_id) or "nan") == pytest.approx(watts)
    except ValueError:
        return False


async def begin_inclusion(entry: MockConfigEntry) -> None:
    """Start an inclusion through our client, as a user's "add device" would."""
    controller = entry.runtime_data.client.driver.controller
    assert await controller.async_begin_inclusion(InclusionStrategy.INSECURE)


async def ready_on_server(sim: AsyncSim, node_id: int) -> bool:
    status = await sim.call("status")
    return any(n["nodeId"] == node_id and n["ready"] for n in status["nodes"])


async def include_supported(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry
) -> tuple[int, float]:
    """A HANK plug joins; (its node id, seconds until its power sensor is available)."""
    home_id = sim.home_id
    node_id = await hass.async_add_executor_job(sim.sim.include, "hank")
    pending = await sim.call("pending_inclusion")
    assert (pending["nodeId"], pending["kind"]) == (node_id, "hank")
    began = time.monotonic()
    await begin_inclusion(entry)
    await until(
        hass,
        lambda: (
            our_device(hass, entry, node_id) is not None and power_available(hass, home_id, node_id)
        ),
        f"node {node_id}'s device and an available power sensor",
    )
    took = time.monotonic() - began
    assert await sim.call("pending_inclusion") is None
    return node_id, took


async def include_other(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, kind: str = "metering-plug"
) -> tuple[int, float]:
    """A node no quirk supports joins; (its node id, seconds until it is ready in our client)."""
    node_id = await hass.async_add_executor_job(sim.sim.include, kind)
    began = time.monotonic()
    await begin_inclusion(entry)
    await until(hass, lambda: ready_on_server(sim, node_id), f"node {node_id} ready on the server")
    nodes = entry.runtime_data.client.driver.controller.nodes
    # its ids were unknown when it joined: the node filter kept it for this connection
    await until(
        hass,
        lambda: node_id in nodes and nodes[node_id].ready,
        f"node {node_id} ready in our client",
    )
    return node_id, time.monotonic() - began


def test_inclusion_route_refuses_and_withdraws(simulator: Simulator, socket_enabled: None) -> None:
    """One node at a time, known kinds only; a node waiting to join is not on the network."""
    assert simulator.pending_inclusion() is None
    with pytest.raises(RuntimeError, match=r"HTTP 400.*unknown kind .{1,2}plug"):
        simulator.include("plug")
    highest = max(n["nodeId"] for n in simulator.status()["nodes"])
    node_id = simulator.include("lock")
    assert node_id == highest + 1
    try:
        assert simulator.pending_inclusion()["nodeId"] == node_id
        with pytest.raises(RuntimeError, match=rf"HTTP 400.*node {node_id} \(lock\) is pending"):
            simulator.include("hank")
        with pytest.raises(RuntimeError, match=r"HTTP 409.*pending inclusion"):
            simulator.node_state(node_id)
        assert node_id not in [n["nodeId"] for n in simulator.status()["nodes"]]
    finally:
        assert simulator.cancel_inclusion() == node_id
    assert simulator.pending_inclusion() is None
    with pytest.raises(RuntimeError, match=r"HTTP 404"):
        simulator.node_state(node_id)
    with pytest.raises(RuntimeError, match=r"HTTP 400.*no node is pending"):
        simulator.cancel_inclusion()


def test_fail_route_refuses_a_node_not_on_the_network(
    simulator: Simulator, socket_enabled: None
) -> None:
    with pytest.raises(RuntimeError, match=r"HTTP 404.*unknown node 200"):
        simulator.fail(200)
    assert simulator.failed() == []


def unsupported(diagnostics: dict[str, Any], node_id: int) -> dict[str, Any] | None:
    return next((n for n in diagnostics["unsupported_nodes"] if n["node_id"] == node_id), None)


async def test_joined_node_with_supported_ids_gets_device_and_entities(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry
) -> None:
    """A node that joins, and whose interview then gives a supported device's ids, gets its
    device and entities."""
    home_id = sim.home_id
    node_id, took = await include_supported(hass, sim, entry)
    print(f"\nnode {node_id} (hank): inclusion + interview + entities in {took:.2f} s")
    device = our_device(hass, entry, node_id)
    assert device is not None
    assert (device.manufacturer, device.model) == ("HANK Electronics", "HKZW-SO03")
    assert our_entities(hass, home_id, node_id)
    await sim.call("report_meter", node_id, "W", 42.0)
    await until(hass, lambda: power_is(hass, home_id, node_id, 42.0), "42 W on the power sensor")
    state = await sim.call("node_state", node_id)
    assert state["meters"]["W"] == 42.0


async def test_joined_node_of_another_kind_never_gets_entities(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry
) -> None:
    """A node of another kind that joins is never given entities; the diagnostics list it."""
    home_id = sim.home_id
    node_id, took = await include_other(hass, sim, entry)
    print(f"\nnode {node_id} (metering-plug): inclusion + interview in {took:.2f} s")
    # a report of it changes nothing
    await sim.call("report_meter", node_id, "W", 17.0)
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    assert our_entities(hass, home_id, node_id) == []
    assert our_device(hass, entry, node_id) is None
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert str(node_id) not in diagnostics["nodes"]
    listed = unsupported(diagnostics, node_id)
    assert listed is not None, diagnostics["unsupported_nodes"]
    assert listed["manufacturer_id"] == OTHER_PLUG_MANUFACTURER
    assert listed["ready"] is True


async def test_joined_nodes_after_a_reload(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry
) -> None:
    """After a reload the joined supported node keeps its device and entities, and the other
    kind's node is left out by the node filter (still in the diagnostics)."""
    home_id = sim.home_id
    plug, took_plug = await include_supported(hass, sim, entry)
    other, took_other = await include_other(hass, sim, entry)
    print(f"\nnodes {plug} (hank) {took_plug:.2f} s, {other} (metering-plug) {took_other:.2f} s")
    device = our_device(hass, entry, plug)
    assert device is not None
    entities = {e.entity_id for e in our_entities(hass, home_id, plug)}
    assert entities

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    took = await until(
        hass,
        lambda: (
            entry.state is ConfigEntryState.LOADED
            and entry.runtime_data.connected
            and power_available(hass, home_id, plug)
        ),
        "reloaded, connected, the plug's power sensor available",
    )
    print(f"reloaded and available in {took:.2f} s")
    after = our_device(hass, entry, plug)
    assert after is not None and after.id == device.id
    assert {e.entity_id for e in our_entities(hass, home_id, plug)} == entities
    await sim.call("report_meter", plug, "W", 43.5)
    await until(hass, lambda: power_is(hass, home_id, plug, 43.5), "43.5 W after the reload")

    assert our_entities(hass, home_id, other) == []
    assert our_device(hass, entry, other) is None
    assert other not in entry.runtime_data.client.driver.controller.nodes
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["connection"]["nodes_left_out"] >= 1
    listed = unsupported(diagnostics, other)
    assert listed is not None, diagnostics["unsupported_nodes"]
    assert listed["manufacturer_id"] == OTHER_PLUG_MANUFACTURER
    assert str(plug) in diagnostics["nodes"]


async def test_joined_node_stays_on_the_network_after_a_restart(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, fast_reconnect: None
) -> None:
    """The simulator keeps the nodes that joined across its restarts, as a network does."""
    home_id = sim.home_id
    plug, _ = await include_supported(hass, sim, entry)
    await sim.call("report_meter", plug, "W", 12.5)
    await until(hass, lambda: power_is(hass, home_id, plug, 12.5), "12.5 W before the restart")

    began = time.monotonic()
    await sim.call("stop")
    info = await sim.call("start")
    print(f"\nrestarted with node {plug} in {time.monotonic() - began:.2f} s: {info}")
    assert plug in info["included"] and plug in info["nodes"]
    status = await sim.call("status")
    (node,) = [n for n in status["nodes"] if n["nodeId"] == plug]
    assert (node["manufacturerId"], node["productType"], node["productId"]) == (
        0x0208,
        0x0101,
        0x0A,
    )
    assert (await sim.call("node_state", plug))["meters"]["W"] == 12.5
    # our entry reconnects; the node's entities come back
    took = await until(
        hass,
        lambda: entry.runtime_data.connected and power_is(hass, home_id, plug, 12.5),
        "reconnected, 12.5 W again",
    )
    print(f"reconnected in {took:.2f} s")
    await sim.call("report_meter", plug, "W", 13.0)
    await until(hass, lambda: power_is(hass, home_id, plug, 13.0), "13 W after the restart")


async def remove_failed(sim: AsyncSim, node_id: int) -> dict[str, Any]:
    """A node fails, and a client of its own removes it as failed (as a user would in
    Z-Wave JS UI); the server's answer. Our client gets the server's "node removed"."""
    await sim.call("fail", node_id)
    assert node_id in await sim.call("failed")
    async with aiohttp.ClientSession() as session, session.ws_connect(sim.url) as ws:
        await ws.receive_json()  # version
        await ws.send_json({"command": "initialize", "messageId": "i", "schemaVersion": 40})
        await ws.receive_json()
        await ws.send_json(
            {"command": "controller.remove_failed_node", "messageId": "r", "nodeId": node_id}
        )
        async with asyncio.timeout(LIMIT):
            while (answer := await ws.receive_json()).get("messageId") != "r":
                pass
    return answer


def ours(record: logging.LogRecord) -> bool:
    """A log line of the integration or its client library (not asyncio's slow callbacks)."""
    return record.name.startswith(("custom_components.zwave_quirks", "zwave_js_server"))


async def gone_from_server(sim: AsyncSim, node_id: int) -> bool:
    return all(n["nodeId"] != node_id for n in (await sim.call("status"))["nodes"])


async def test_joined_node_removed_as_failed_loses_device_entities_and_totals(
    hass: HomeAssistant,
    sim: AsyncSim,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A supported node that joined, then failed and was removed: its device, entities and
    stored readings go; the other devices stay."""
    home_id = sim.home_id
    plug, _ = await include_supported(hass, sim, entry)
    await sim.call("report_meter", plug, "kWh", 3.25)
    stored = f"{DOMAIN}.readings.{home_id:08x}.{plug}"
    await until(hass, lambda: stored in hass_storage, "the plug's readings stored")
    others = {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)}

    answer = await remove_failed(sim, plug)
    assert answer["success"], json.dumps(answer)
    took = await until(
        hass,
        lambda: our_device(hass, entry, plug) is None and not our_entities(hass, home_id, plug),
        f"node {plug}'s device and entities removed",
    )
    print(f"\nnode {plug} removed as failed: device and entities gone {took:.2f} s after")
    assert await gone_from_server(sim, plug)
    assert plug not in entry.runtime_data.bindings
    assert stored not in hass_storage
    left = {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)}
    assert left < others and len(left) == len(others) - 1
    assert not [r for r in caplog.records if ours(r) and r.levelno >= logging.ERROR]


async def test_other_node_removed_as_failed_changes_nothing(
    hass: HomeAssistant,
    sim: AsyncSim,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A node of another kind removed, whether our client holds it (joined during this
    connection) or the node filter left it out (after a reload): nothing of ours changes,
    and the diagnostics no longer list it."""
    held, _ = await include_other(hass, sim, entry)
    left_out, _ = await include_other(hass, sim, entry, "lock")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await until(hass, lambda: entry.runtime_data.connected, "reloaded and connected")
    nodes = entry.runtime_data.client.driver.controller.nodes
    assert left_out not in nodes
    await include_other(hass, sim, entry, "dimmer")
    devices = {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)}
    entities = {e.entity_id for e in er.async_get(hass).entities.values() if e.platform == DOMAIN}

    for node_id in (held, left_out):
        answer = await remove_failed(sim, node_id)
        assert answer["success"], json.dumps(answer)
        await until(hass, lambda n=node_id: gone_from_server(sim, n), f"node {node_id} removed")
    await until(hass, lambda: held not in nodes, f"node {held} gone from our client")
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED and entry.runtime_data.connected
    after = {d.id for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)}
    assert after == devices
    assert {
        e.entity_id for e in er.async_get(hass).entities.values() if e.platform == DOMAIN
    } == entities
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert unsupported(diagnostics, held) is None
    assert unsupported(diagnostics, left_out) is None
    assert not [r for r in caplog.records if ours(r) and r.levelno >= logging.WARNING]


async def node_command(sim: AsyncSim, command: str, node_id: int) -> dict[str, Any]:
    """A node command from a client of its own (as Z-Wave JS UI's "Re-interview" or "Ping")."""
    async with aiohttp.ClientSession() as session, session.ws_connect(sim.url) as ws:
        await ws.receive_json()  # version
        await ws.send_json({"command": "initialize", "messageId": "i", "schemaVersion": 40})
        await ws.receive_json()
        await ws.send_json({"command": command, "messageId": "r", "nodeId": node_id})
        async with asyncio.timeout(LIMIT):
            while (answer := await ws.receive_json()).get("messageId") != "r":
                pass
    assert answer["success"], json.dumps(answer)
    result: dict[str, Any] = answer.get("result") or {}
    return result


async def dead_and_not_ready(sim: AsyncSim, node_id: int) -> bool:
    status = await sim.call("status")
    dead = 3  # zwave-js's NodeStatus.Dead
    return any(
        n["nodeId"] == node_id and not n["ready"] and n["status"] == dead for n in status["nodes"]
    )


async def test_node_not_ready_at_setup_comes_up_when_it_answers(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """A plug that stops answering and is re-interviewed is not ready when the entry is set
    up (its ids forgotten: the filter keeps it): its device stays, its entities unavailable;
    once it answers again (a ping), the interview ends and the same device's entities come
    back and update."""
    home_id = sim.home_id
    plug, _ = await include_supported(hass, sim, entry)
    await sim.call("report_meter", plug, "W", 21.0)
    await until(hass, lambda: power_is(hass, home_id, plug, 21.0), "21 W before")
    device = our_device(hass, entry, plug)
    assert device is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    await sim.call("fail", plug)
    await node_command(sim, "node.refresh_info", plug)
    await until(hass, lambda: dead_and_not_ready(sim, plug), f"node {plug} dead, not ready")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await until(hass, lambda: entry.runtime_data.connected, "set up and connected")
    nodes = entry.runtime_data.client.driver.controller.nodes
    assert plug in nodes and not nodes[plug].ready
    after = our_device(hass, entry, plug)
    assert after is not None and after.id == device.id
    assert power_state(hass, home_id, plug) in (None, STATE_UNAVAILABLE)

    await sim.call("revive", plug)
    # it answers a ping: zwave-js marks it alive and resumes the interview
    assert (await node_command(sim, "node.ping", plug))["responded"] is True
    took = await until(
        hass,
        lambda: nodes[plug].ready and power_available(hass, home_id, plug),
        f"node {plug} ready and its power sensor available",
        limit=60,
    )
    print(f"\nnode {plug}: ready and available {took:.2f} s after it answered again")
    assert our_device(hass, entry, plug).id == device.id  # type: ignore[union-attr]
    await sim.call("report_meter", plug, "W", 23.0)
    await until(hass, lambda: power_is(hass, home_id, plug, 23.0), "23 W after")
