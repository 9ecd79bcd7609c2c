"""Fault injection against the real Z-Wave JS server on the simulated network.

Restarts and kills of the server while Home Assistant runs, kills in the
middle of a setup, a configuration write and a meter reset, dead and
re-interviewed nodes, and nodes that are not ready at setup.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from zwave_js_server.client import Client
from zwave_js_server.event import Event

from custom_components.zwave_quirks import network, transport
from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import AsyncSim
from .helpers import HAN, PLUG, ZEN06, entity_id, wait_for

TRANSPORT = transport.__name__
# the deadlines the issue sets: unavailable within 1 s of a stop, back within
# 5 s of the server being ready again
UNAVAILABLE_WITHIN, BACK_WITHIN = 1.0, 5.0


def _states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """The states of the entry's enabled entities."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return {e.entity_id: hass.states.get(e.entity_id).state for e in entries if not e.disabled}


def _node_states(hass: HomeAssistant, entry: MockConfigEntry, node_id: int) -> set[str]:
    devices = dr.async_get(hass)
    device = devices.async_get_device_by_identifier(
        (DOMAIN, f"{entry.unique_id}-{node_id}"), entry.entry_id
    )
    assert device is not None
    entities = er.async_entries_for_device(er.async_get(hass), device.id)
    return {hass.states.get(e.entity_id).state for e in entities if not e.disabled}


def _all(hass: HomeAssistant, entry: MockConfigEntry, state: str) -> Callable[[], bool]:
    return lambda: set(_states(hass, entry).values()) == {state}


def _none(hass: HomeAssistant, entry: MockConfigEntry, state: str) -> Callable[[], bool]:
    return lambda: state not in _states(hass, entry).values()


def _registry(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[list[str], list[str]]:
    """The entry's device identifiers and entity unique ids, duplicates included."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return (
        sorted(key for d in devices for _, key in d.identifiers),
        sorted(e.unique_id for e in entities),
    )


def _sockets_to(port: int) -> int:
    """How many TCP sockets of this process are connected to a port (blocking: /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[9] in inodes:
                count += 1
    return count


async def _server_sockets(hass: HomeAssistant, sim: AsyncSim) -> int:
    port = int(sim.url.rsplit(":", 1)[1])
    return await hass.async_add_executor_job(_sockets_to, port)


def _ours(task: asyncio.Task[Any]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return task.get_name().startswith(DOMAIN) or (
        code is not None and f"/{DOMAIN}/" in code.co_filename
    )


# where the timers of a connection come from: this integration, its library, its WebSockets
CONNECTION_MODULES = ("custom_components.", "zwave_js_server", "aiohttp")


def _module(callback: Any) -> str:
    owner = getattr(callback, "__self__", None)
    return type(owner).__module__ if owner is not None else getattr(callback, "__module__", "")


def _running(loop: asyncio.AbstractEventLoop) -> tuple[list[asyncio.Task[Any]], list[Any]]:
    """The integration's tasks that still run, and the connection's armed timers."""
    tasks = [t for t in asyncio.all_tasks(loop) if _ours(t)]
    timers = [
        h
        for h in loop._scheduled  # type: ignore[attr-defined]
        if not h.cancelled() and _module(h._callback).startswith(CONNECTION_MODULES)
    ]
    return tasks, timers


async def _assert_nothing_left(
    hass: HomeAssistant, sim: AsyncSim, entry: MockConfigEntry, timers_before: set[Any]
) -> None:
    """Unload the entry: no task, timer or socket of it may be left."""
    # while loaded, the checks below do see the connection
    assert _running(asyncio.get_running_loop())[0]
    assert await _server_sockets(hass, sim) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    tasks, timers = _running(asyncio.get_running_loop())
    assert tasks == []
    assert [t for t in timers if t not in timers_before] == []
    assert await _server_sockets(hass, sim) == 0


# --- restart and kill loops ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "cycles"),
    [("server", 20), ("process", 5)],
    ids=["20 server restarts", "5 process kills"],
)
async def test_restarts_while_home_assistant_runs(
    hass: HomeAssistant, sim: AsyncSim, fault: str, cycles: int
) -> None:
    """Each cycle: all unavailable within 1 s, all back within 5 s, nothing duplicated."""
    timers_before = set(_running(asyncio.get_running_loop())[1])
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    before = _states(hass, entry)
    registry = _registry(hass, entry)
    assert before
    assert STATE_UNAVAILABLE not in before.values()
    assert len(registry[0]) == 4
    assert await _server_sockets(hass, sim) == 1
    stop, start = ("stop_server", "start_server") if fault == "server" else ("kill", "start")

    steps = (
        (
            stop,
            _all(hass, entry, STATE_UNAVAILABLE),
            UNAVAILABLE_WITHIN,
            "every entity unavailable",
        ),
        (start, _none(hass, entry, STATE_UNAVAILABLE), BACK_WITHIN, "every entity back"),
    )
    for cycle in range(cycles):
        for call, reached, limit, what in steps:
            await sim.call(call)
            await wait_for(hass, reached, limit=limit, what=f"cycle {cycle}: {what}")
        assert set(_states(hass, entry)) == set(before), cycle
        assert _registry(hass, entry) == registry, cycle
        assert hass.config_entries.async_entries(DOMAIN) == [entry]
        assert entry.state is ConfigEntryState.LOADED
        assert await _server_sockets(hass, sim) == 1, cycle

    # the new node objects are bound: switching still works
    switch = entity_id(hass, sim.home_id, PLUG, "switch", "switch")
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert (await sim.call("node_state", PLUG))["switch"] is True
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    await _assert_nothing_left(hass, sim, entry, timers_before)


# --- kills in the middle of something -------------------------------------------------------


async def _retry_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let Home Assistant's retry of a failed setup come now."""
    assert entry.state is ConfigEntryState.SETUP_RETRY
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await wait_for(hass, lambda: entry.state is ConfigEntryState.LOADED, limit=10)


@pytest.mark.parametrize(
    "phase", ["after the server check", "after connecting", "after the driver is handed over"]
)
async def test_server_killed_in_the_middle_of_setup(
    hass: HomeAssistant, sim: AsyncSim, phase: str
) -> None:
    """The setup retries (or the connection comes back); nothing hangs or leaks."""
    stopped: list[asyncio.Task[Any]] = []
    check = transport.async_check_server

    async def check_then_stop(*args: Any) -> Any:
        version = await check(*args)
        await sim.call("stop_server")
        return version

    class StoppingClient(Client):
        async def connect(self) -> None:
            await super().connect()
            await sim.call("stop_server")

    driver_ready = network.ZwaveNetwork.async_driver_ready

    def ready_then_stop(self: Any, *args: Any) -> None:
        driver_ready(self, *args)
        if not stopped:  # the transport keeps this handler for its reconnects too
            stopped.append(hass.async_create_task(sim.call("stop_server")))

    patches = {
        "after the server check": patch(f"{TRANSPORT}.async_check_server", check_then_stop),
        "after connecting": patch(f"{TRANSPORT}.Client", StoppingClient),
        "after the driver is handed over": patch.object(
            network.ZwaveNetwork, "async_driver_ready", ready_then_stop
        ),
    }
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    timers_before = set(_running(asyncio.get_running_loop())[1])
    with patches[phase]:
        async with asyncio.timeout(30):
            await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            await asyncio.gather(*stopped)
    await sim.call("start_server")
    if phase == "after the driver is handed over":
        assert entry.state is ConfigEntryState.LOADED
    else:
        await _retry_setup(hass, entry)
    await wait_for(hass, _none(hass, entry, STATE_UNAVAILABLE), limit=BACK_WITHIN + 1)
    assert len(_registry(hass, entry)[0]) == 4
    assert await _server_sockets(hass, sim) == 1
    await _assert_nothing_left(hass, sim, entry, timers_before)


async def _killed_while_waiting(
    hass: HomeAssistant, sim: AsyncSim, call: Coroutine[Any, Any, Any]
) -> HomeAssistantError:
    """Freeze the simulator, make a call that waits for its answer, kill it: the call's error."""
    await sim.call("freeze")
    try:
        task = hass.async_create_task(call)
        await asyncio.sleep(0.3)
        assert not task.done(), "the call did not wait for the frozen server"
    finally:
        await sim.call("kill")
    try:
        with pytest.raises(HomeAssistantError) as err:
            async with asyncio.timeout(5):
                await task
    finally:
        await sim.call("start")
    assert err.value.translation_domain == DOMAIN
    return err.value


async def test_server_killed_in_the_middle_of_a_configuration_write(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    hysteresis = entity_id(hass, sim.home_id, HAN, "config_7", "number")
    write = hass.services.async_call(
        "number", "set_value", {"entity_id": hysteresis, "value": 2.5}, blocking=True
    )
    error = await _killed_while_waiting(hass, sim, write)
    assert error.translation_key == "set_connection_lost"
    await wait_for(hass, _none(hass, loaded_entry, STATE_UNAVAILABLE), limit=BACK_WITHIN)
    # the write never reached the device
    assert (await sim.call("node_state", HAN))["config"]["7"] == 10


async def test_server_killed_during_a_meter_reset(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    energy = entity_id(hass, sim.home_id, ZEN06, "energy", "sensor")
    reset = entity_id(hass, sim.home_id, ZEN06, "reset_meters", "button")
    total = hass.states.get(energy).state
    press = hass.services.async_call("button", "press", {"entity_id": reset}, blocking=True)
    error = await _killed_while_waiting(hass, sim, press)
    assert error.translation_key == "command_connection_lost"
    await wait_for(hass, _none(hass, loaded_entry, STATE_UNAVAILABLE), limit=BACK_WITHIN)
    # no reset happened: the total is the one from before
    assert hass.states.get(energy).state == total


# --- nodes that stop answering or are interviewed again ------------------------------------------


def _node_event(node: Any, event: str) -> None:
    node.receive_event(
        Event(type=event, data={"source": "node", "event": event, "nodeId": node.node_id})
    )


async def test_dead_node_makes_only_its_entities_unavailable(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """zwave-js marks a node dead when it stops answering, alive when it answers again.

    The simulator cannot make a node stop answering, so the server's two events
    are delivered to the node as the server would send them.
    """
    node = loaded_entry.runtime_data.bindings[PLUG].node
    assert node is not None
    _node_event(node, "dead")
    await hass.async_block_till_done()
    assert _node_states(hass, loaded_entry, PLUG) == {STATE_UNAVAILABLE}
    for other in (ZEN06, HAN):
        assert STATE_UNAVAILABLE not in _node_states(hass, loaded_entry, other), other
    _node_event(node, "alive")
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in _node_states(hass, loaded_entry, PLUG)


async def test_reinterviewed_node_is_rebound_not_duplicated(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """A node interviewed again by the server sends "ready" again: no stale scene event."""
    scene = entity_id(hass, sim.home_id, ZEN06, "scene", "event")
    await sim.call("activate_scene", ZEN06, 3)
    await wait_for(hass, lambda: hass.states.get(scene).state != STATE_UNKNOWN, what="scene")
    fired = hass.states.get(scene)
    binding = loaded_entry.runtime_data.bindings[ZEN06]
    registry = _registry(hass, loaded_entry)
    node = binding.node
    assert node is not None

    await node.async_refresh_info()
    await wait_for(
        hass,
        lambda: _node_states(hass, loaded_entry, ZEN06) == {STATE_UNAVAILABLE},
        limit=5,
        what="unavailable while interviewed",
    )
    await wait_for(
        hass,
        lambda: STATE_UNAVAILABLE not in _node_states(hass, loaded_entry, ZEN06),
        limit=30,
        what="back when ready",
    )
    assert loaded_entry.runtime_data.bindings[ZEN06] is binding
    assert binding.node is node
    assert _registry(hass, loaded_entry) == registry
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    after = hass.states.get(scene)
    assert (after.state, after.attributes["scene_id"]) == (fired.state, 3)


# --- a node that is not ready at setup -----------------------------------------------------------


@asynccontextmanager
async def _interviewing(hass: HomeAssistant, sim: AsyncSim, node_id: int) -> AsyncIterator[None]:
    """Keep a node in its interview, as another client of the server that re-interviews it."""
    client = Client(sim.url, async_get_clientsession(hass))
    await client.connect()
    ready = asyncio.Event()
    listen = asyncio.create_task(client.listen(ready))
    await ready.wait()
    assert client.driver is not None
    node = client.driver.controller.nodes[node_id]

    async def hold() -> None:
        while True:
            await node.async_refresh_info()
            await asyncio.sleep(0.5)

    holder = asyncio.create_task(hold())
    try:
        await wait_for(hass, lambda: not node.ready, limit=5, what="node interviewed")
        yield
    finally:
        holder.cancel()
        await asyncio.gather(holder, return_exceptions=True)
        # as the transport does: a plain disconnect leaves aiohttp's heartbeat timer armed
        listen.cancel()
        await client.disconnect()
        await asyncio.gather(listen, return_exceptions=True)


async def test_node_not_ready_at_setup_keeps_its_device_and_entities(
    hass: HomeAssistant, sim: AsyncSim, loaded_entry: MockConfigEntry
) -> None:
    """Through two restarts of the entry while the node is being interviewed."""
    entry = loaded_entry
    registry = _registry(hass, entry)
    energy = entity_id(hass, sim.home_id, HAN, "energy", "sensor")
    er.async_get(hass).async_update_entity(energy, name="Grid meter")
    async with _interviewing(hass, sim, HAN):
        for restart in range(2):
            assert await hass.config_entries.async_reload(entry.entry_id)
            await hass.async_block_till_done()
            assert entry.runtime_data.bindings[HAN].node is None, restart
            assert _registry(hass, entry) == registry, restart
            assert _node_states(hass, entry, HAN) == {STATE_UNAVAILABLE}, restart
            for other in (PLUG, ZEN06):
                assert STATE_UNAVAILABLE not in _node_states(hass, entry, other), other
    await wait_for(
        hass,
        lambda: STATE_UNAVAILABLE not in _node_states(hass, entry, HAN),
        limit=30,
        what="back when ready",
    )
    assert _registry(hass, entry) == registry
    assert er.async_get(hass).async_get(energy).name == "Grid meter"
