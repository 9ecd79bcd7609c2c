"""Setup, reconnect, rebind and unload with node-state fixtures: the failures of each."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp import web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import async_get_platforms
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.event import Event

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN, LOGGER
from custom_components.zwave_quirks.diagnostics import async_get_config_entry_diagnostics
from custom_components.zwave_quirks.transport import next_delay

from .conftest import CLIENT_MODULE, setup_fixture_entry
from .fixture_client import HOME_ID, FixtureClient, load_state, node_state
from .helpers import HAN, PLUG, ZEN06, entity_id, wait_for


def _node_added(client: FixtureClient, state: dict[str, Any]) -> None:
    assert client.driver is not None
    client.driver.controller.receive_event(
        Event(
            type="node added",
            data={"source": "controller", "event": "node added", "node": state, "result": {}},
        )
    )


async def test_unload_unregisters_the_platforms(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A node that joins while the entry unloads gets no entities on unloaded platforms."""
    client = FixtureClient.last
    state = load_state("hank_hkzw_so03")["nodes"][0]
    client.driver.controller.receive_event(
        Event(
            type="node removed",
            data={"source": "controller", "event": "node removed", "node": state, "reason": 0},
        )
    )
    await hass.async_block_till_done()
    unload_platforms = hass.config_entries.async_unload_platforms

    async def unload_then_add(entry: Any, platforms: list[Platform]) -> bool:
        unloaded = await unload_platforms(entry, platforms)
        _node_added(client, state)
        return unloaded

    monkeypatch.setattr(hass.config_entries, "async_unload_platforms", unload_then_add)
    assert await hass.config_entries.async_unload(fixture_entry.entry_id)
    await hass.async_block_till_done()
    assert fixture_entry.state is ConfigEntryState.NOT_LOADED
    # what is left are the unavailable states Home Assistant keeps for unloaded entities
    live = [s.entity_id for s in hass.states.async_all() if not s.attributes.get("restored")]
    assert live == []
    assert [r.getMessage() for r in _problems(caplog)] == []


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The integration's warnings and errors."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == LOGGER.name]


def _records(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


async def _reconnected(
    hass: HomeAssistant, entry: MockConfigEntry, client: type[FixtureClient], count: int
) -> None:
    """Wait until the count-th client is connected and the entry uses it."""
    await wait_for(
        hass,
        lambda: (
            len(client.instances) > count
            and entry.runtime_data.client is client.instances[count]
            and entry.runtime_data.connected
        ),
        limit=5,
        what=f"client {count} in use",
    )


@pytest.mark.usefixtures("fast_reconnect")
async def test_loss_and_return_are_logged_once_at_info(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fixture_client.refuse = 3
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    await _reconnected(hass, fixture_entry, fixture_client, count + 3)
    assert fixture_client.refuse == 0
    lost, back = _records(caplog, "lost"), _records(caplog, "is back")
    assert [(r.levelno, r.name) for r in lost + back] == [(logging.INFO, LOGGER.name)] * 2
    assert _problems(caplog) == []


@pytest.mark.usefixtures("fast_reconnect")
async def test_listen_failure_is_logged_with_its_traceback_then_reconnects(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fixture_client.listen_error = RuntimeError("unexpected in the library")
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    # the next client fails while listening; the one after it works
    await _reconnected(hass, fixture_entry, fixture_client, count + 1)
    failed = _records(caplog, "unexpected in the library")
    assert len(failed) == 1
    assert failed[0].levelno == logging.ERROR
    assert failed[0].exc_info is not None
    assert isinstance(failed[0].exc_info[1], RuntimeError)
    assert fixture_entry.runtime_data.connected


class StubServer:
    """A WebSocket server whose n-th connection gets the n-th answer; counts open sockets."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.connections = 0
        self.open = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        answer = self.answers[min(self.connections, len(self.answers) - 1)]
        self.connections += 1
        self.open += 1
        try:
            if isinstance(answer, dict):
                await ws.send_json(answer)
            elif answer is not None:
                await ws.send_str(answer)
            async for _ in ws:  # until the client closes
                pass
        finally:
            self.open -= 1
        return ws

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._handler)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"ws://127.0.0.1:{port}"

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


VERSION = {
    "type": "version",
    "driverVersion": "15.29.0",
    "serverVersion": "3.10.2",
    "homeId": HOME_ID,
    "minSchemaVersion": 0,
    "maxSchemaVersion": 50,
}


# aiohttp 3.14 re-arms the heartbeat timer of a closed WebSocket when the
# server's close reply arrives; the timer is aiohttp's and ends by itself
@pytest.mark.parametrize("expected_lingering_timers", [True])
@pytest.mark.parametrize(
    "client_answer",
    [
        pytest.param("not json", id="garbage"),
        pytest.param({"type": "version", "homeId": HOME_ID}, id="version without fields"),
        pytest.param(None, id="silence"),
    ],
)
async def test_failed_connect_closes_its_socket(
    hass: HomeAssistant, socket_enabled: None, client_answer: Any
) -> None:
    """The server check passes; the client's own connection then fails."""
    server = StubServer([VERSION, client_answer])
    await server.start()
    try:
        entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: server.url}, unique_id=str(HOME_ID))
        entry.add_to_hass(hass)
        with patch(f"{CLIENT_MODULE}.CONNECT_TIMEOUT", 0.2):
            await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert server.connections == 2
        await wait_for(hass, lambda: server.open == 0, limit=2, what="sockets closed")
    finally:
        await server.stop()


def _entity(hass: HomeAssistant, entity: str) -> Any:
    return next(
        p.entities[entity] for p in async_get_platforms(hass, DOMAIN) if entity in p.entities
    )


@pytest.mark.usefixtures("fast_reconnect")
async def test_a_bad_entity_costs_a_warning_not_the_connection(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One entity that raises while the nodes are bound again after a reconnect."""
    power = entity_id(hass, HOME_ID, PLUG, "power", "sensor")
    switch = entity_id(hass, HOME_ID, PLUG, "switch", "switch")
    temperature = entity_id(hass, HOME_ID, HAN, "temperature", "sensor")

    def broken(reading: bool) -> None:
        raise ValueError("a value this entity cannot take")

    monkeypatch.setattr(_entity(hass, power), "_update_from_node", broken)
    caplog.set_level(logging.WARNING)
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    await _reconnected(hass, fixture_entry, fixture_client, count)
    # give a failed rebind the time to retry (and leak) a few times
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert fixture_client.open_clients() == [fixture_client.instances[count]]
    assert fixture_entry.runtime_data.connected
    assert hass.states.get(switch).state != STATE_UNAVAILABLE
    assert hass.states.get(temperature).state != STATE_UNAVAILABLE
    failed = _records(caplog, "a value this entity cannot take")
    assert len(failed) == 1
    assert failed[0].levelno == logging.WARNING


def test_reconnect_delays() -> None:
    """Every few seconds in the first minute of an outage, then backing off to a minute."""
    delays, delay, outage = [], 1.0, 0.0
    while outage < 300:
        delays.append(delay)
        outage += delay
        delay = next_delay(delay, outage)
    assert delays[:4] == [1, 2, 3, 3]
    waited = itertools.accumulate(delays)
    assert all(d <= 3 for d, t in zip(delays, waited, strict=True) if t <= 60)
    assert delays[-1] == 60


def _devices(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    registry = dr.async_get(hass)
    return {
        key
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for _, key in device.identifiers
    }


NODE_DEVICES = {f"{HOME_ID}-{node_id}" for node_id in (PLUG, ZEN06, HAN)}


async def test_node_state_of_an_older_server_is_read(
    hass: HomeAssistant, fixture_client: type[FixtureClient], caplog: pytest.LogCaptureFixture
) -> None:
    """A real dump from an older server has no isControllerNode."""
    del node_state(fixture_client.state, PLUG)["isControllerNode"]
    entry = await setup_fixture_entry(hass)
    assert set(entry.runtime_data.bindings) == {PLUG, ZEN06, HAN}
    assert _devices(hass, entry) == {str(HOME_ID)} | NODE_DEVICES
    assert hass.states.get(entity_id(hass, HOME_ID, PLUG, "switch", "switch")).state != (
        STATE_UNAVAILABLE
    )
    assert _problems(caplog) == []
    # diagnostics read such a state too
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert set(diagnostics["nodes"]) == {str(PLUG), str(ZEN06), str(HAN)}
    assert diagnostics["unsupported_nodes"] == []


@pytest.mark.usefixtures("fast_reconnect")
async def test_unreadable_node_is_logged_once_and_skipped(
    hass: HomeAssistant, fixture_client: type[FixtureClient], caplog: pytest.LogCaptureFixture
) -> None:
    node_state(fixture_client.state, HAN)["firmwareVersion"] = 13
    entry = await setup_fixture_entry(hass)
    assert set(entry.runtime_data.bindings) == {PLUG, ZEN06}
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    await _reconnected(hass, entry, fixture_client, count)
    assert set(entry.runtime_data.bindings) == {PLUG, ZEN06}
    logged = _problems(caplog)
    assert len(logged) == 1
    assert f"Node {HAN}" in logged[0].getMessage()
    assert "0x019b" in logged[0].getMessage()
    assert "0x6201" in logged[0].getMessage()


async def test_state_the_library_cannot_read_retries_the_setup(
    hass: HomeAssistant, fixture_client: type[FixtureClient], caplog: pytest.LogCaptureFixture
) -> None:
    """A node without values fails the library's driver model before any node is seen."""
    del node_state(fixture_client.state, HAN)["values"]
    entry = await setup_fixture_entry(hass, loads=False)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    logged = _problems(caplog)
    assert len(logged) == 1
    assert isinstance(logged[0].exc_info[1], KeyError)
    assert fixture_client.open_clients() == []


def _not_ready(state: dict[str, Any], node_id: int, *, cached_ids: bool = True) -> dict[str, Any]:
    """Make a node not ready, as a node still being interviewed; return its full state."""
    node = node_state(state, node_id)
    full = json.loads(json.dumps(node))
    node |= {"ready": False, "values": [], "interviewStage": "ProtocolInfo"}
    if not cached_ids:
        for key in ("manufacturerId", "productType", "productId", "firmwareVersion"):
            node.pop(key, None)
    return full


def _ready_event(client: FixtureClient, node_id: int, state: dict[str, Any]) -> None:
    assert client.driver is not None
    client.driver.controller.nodes[node_id].receive_event(
        Event(
            type="ready",
            data={"source": "node", "event": "ready", "nodeId": node_id, "nodeState": state},
        )
    )


def _node_entities(hass: HomeAssistant, entry: MockConfigEntry, node_id: int) -> dict[str, str]:
    """The node's entities: unique id -> entity id."""
    prefix = f"{HOME_ID}.{node_id}."
    return {
        e.unique_id: e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.unique_id.startswith(prefix)
    }


def _shown(hass: HomeAssistant, entities: dict[str, str]) -> set[str]:
    """The states of the entities that are not disabled."""
    registry = er.async_get(hass)
    return {
        hass.states.get(e).state for e in entities.values() if not registry.async_get(e).disabled
    }


@pytest.mark.parametrize("cached_ids", [True, False], ids=["ids cached", "ids unknown"])
async def test_node_not_ready_at_setup_keeps_its_device_and_entities(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
    cached_ids: bool,
) -> None:
    """An unplugged plug after a power cut: the server has not heard from it yet.

    Its device, entity ids, the names and area the user gave survive two
    restarts; the entities are unavailable until the node is ready.
    """
    entry = fixture_entry
    devices, entities = dr.async_get(hass), er.async_get(hass)
    device = devices.async_get_device_by_identifier((DOMAIN, f"{HOME_ID}-{PLUG}"), entry.entry_id)
    assert device is not None
    kitchen = ar.async_get(hass).async_create("Kitchen")
    devices.async_update_device(device.id, area_id=kitchen.id, name_by_user="Coffee plug")
    before = _node_entities(hass, entry, PLUG)
    switch = entity_id(hass, HOME_ID, PLUG, "switch", "switch")
    entities.async_update_entity(switch, name="Coffee machine")
    full = _not_ready(fixture_client.state, PLUG, cached_ids=cached_ids)

    for _restart in range(2):
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert _devices(hass, entry) == {str(HOME_ID)} | NODE_DEVICES
        assert devices.async_get(device.id) is not None
        assert _node_entities(hass, entry, PLUG) == before
        assert _shown(hass, before) == {STATE_UNAVAILABLE}
        assert STATE_UNAVAILABLE not in _shown(hass, _node_entities(hass, entry, HAN))

    _ready_event(fixture_client.last, PLUG, full)
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in _shown(hass, before)
    assert _node_entities(hass, entry, PLUG) == before
    kept = devices.async_get(device.id)
    assert (kept.area_id, kept.name_by_user) == (kitchen.id, "Coffee plug")
    assert entities.async_get(switch).name == "Coffee machine"
    assert len(dr.async_entries_for_config_entry(devices, entry.entry_id)) == 4
    assert _problems(caplog) == []


async def test_the_model_line_shows_the_model_and_an_earlier_device_is_still_known(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """The device page reads "HKZW-SO03", not "HKZW-SO03 (0101:000a)".

    A device of 0.2 carries those ids as its model id: a node that comes back
    without its ids (not interviewed yet) still finds its quirk by them.
    """
    entry = fixture_entry
    devices = dr.async_get(hass)
    device = devices.async_get_device_by_identifier((DOMAIN, f"{HOME_ID}-{PLUG}"), entry.entry_id)
    assert device is not None
    assert (device.model, device.model_id) == ("HKZW-SO03", None)
    before = _node_entities(hass, entry, PLUG)
    assert await hass.config_entries.async_unload(entry.entry_id)
    devices.async_update_device(device.id, model="HKZW-SO03", model_id="0101:000a")
    full = _not_ready(fixture_client.state, PLUG, cached_ids=False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert _node_entities(hass, entry, PLUG) == before
    _ready_event(fixture_client.last, PLUG, full)
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in _shown(hass, before)
    assert devices.async_get(device.id).model_id is None


async def test_node_gone_from_the_network_loses_its_device(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """Only a node that the controller no longer lists is stale."""
    assert await hass.config_entries.async_unload(fixture_entry.entry_id)
    fixture_client.state["nodes"].remove(node_state(fixture_client.state, PLUG))
    assert await hass.config_entries.async_setup(fixture_entry.entry_id)
    await hass.async_block_till_done()
    assert _devices(hass, fixture_entry) == {str(HOME_ID)} | NODE_DEVICES - {f"{HOME_ID}-{PLUG}"}
    assert _node_entities(hass, fixture_entry, PLUG) == {}


@pytest.mark.usefixtures("fast_reconnect")
async def test_a_node_the_filter_leaves_out_on_a_reconnect_keeps_its_totals(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    hass_storage: dict[str, Any],
) -> None:
    """A plug whose ids no quirk claims after a reconnect (an update changed them) is not gone.

    Its device goes, as for any node no quirk supports; its stored totals stay
    for when it is supported again. Only a node the controller no longer has left.
    """
    store = f"{DOMAIN}.readings.{HOME_ID:08x}.{PLUG}"
    await fixture_entry.runtime_data.network.bindings[PLUG].readings.async_stop()
    assert store in hass_storage
    # ids no quirk claims: the integration's node filter leaves the node out
    node_state(fixture_client.state, PLUG)["productId"] = 0x7F7F
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    await _reconnected(hass, fixture_entry, fixture_client, count)
    await hass.async_block_till_done()
    assert _node_entities(hass, fixture_entry, PLUG) == {}
    assert _devices(hass, fixture_entry) == {str(HOME_ID)} | NODE_DEVICES - {f"{HOME_ID}-{PLUG}"}
    assert store in hass_storage


async def test_reinterview_makes_a_node_unavailable_until_ready(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    binding = fixture_entry.runtime_data.bindings[PLUG]
    entities = _node_entities(hass, fixture_entry, PLUG)
    node = fixture_client.last.driver.controller.nodes[PLUG]
    full = json.loads(json.dumps(node_state(fixture_client.state, PLUG)))
    node.receive_event(
        Event(
            type="interview started",
            data={"source": "node", "event": "interview started", "nodeId": PLUG},
        )
    )
    await hass.async_block_till_done()
    assert _shown(hass, entities) == {STATE_UNAVAILABLE}
    _ready_event(fixture_client.last, PLUG, full)
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in _shown(hass, entities)
    assert fixture_entry.runtime_data.bindings[PLUG] is binding
    assert _node_entities(hass, fixture_entry, PLUG) == entities


async def test_writing_to_a_node_that_is_not_ready_says_so(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    _not_ready(fixture_client.state, PLUG)
    assert await hass.config_entries.async_reload(fixture_entry.entry_id)
    await hass.async_block_till_done()
    # Home Assistant skips unavailable entities; the service names a device
    binding = fixture_entry.runtime_data.bindings[PLUG]
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_parameter",
            {"device_id": binding.device_id, "parameter": 21, "value": "off"},
            blocking=True,
        )
    assert err.value.translation_key == "node_not_ready"
    assert err.value.translation_placeholders == {"node_id": str(PLUG)}
    assert fixture_client.last.set_values() == []


@pytest.mark.usefixtures("fast_reconnect")
async def test_no_reconnect_while_home_assistant_stops(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    count = len(fixture_client.instances)
    hass.set_state(CoreState.stopping)
    fixture_client.last.drop()
    await asyncio.sleep(0.1)
    await hass.async_block_till_done()
    assert len(fixture_client.instances) == count
    assert _records(caplog, "lost") == []
    hass.set_state(CoreState.running)


async def test_the_network_device_is_named_after_the_network(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """Not "Z-Wave JS" (Home Assistant's own integration), no area, the driver labelled."""
    entry = await setup_fixture_entry(hass)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(HOME_ID)), entry.entry_id
    )
    assert device is not None
    assert device.name == "Z-Wave network c0dec0de"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.area_id is None
    assert device.model == "Driver 15.29.0, server 3.10.2"
    assert device.sw_version is None


@pytest.mark.parametrize("answers", ["nothing", "a websocket, then nothing"])
async def test_a_server_that_hangs_does_not_hold_up_home_assistant_s_start(
    hass: HomeAssistant, socket_enabled: None, answers: str
) -> None:
    """Home Assistant's start waits for every entry's setup: while it starts, a server
    that accepts and then hangs costs STARTUP_CHECK_TIMEOUT, not CONNECT_TIMEOUT (10 s);
    the entry is tried again once Home Assistant has started."""
    held: list[asyncio.StreamWriter] = []
    release = asyncio.Event()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    async def websocket(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await release.wait()
        return ws

    if answers == "nothing":
        server = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
    else:
        app = web.Application()
        app.router.add_get("/", websocket)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_URL: f"ws://127.0.0.1:{port}"}, unique_id=str(HOME_ID)
    )
    entry.add_to_hass(hass)
    hass.set_state(CoreState.starting)
    try:
        with patch("custom_components.zwave_quirks.transport.STARTUP_CHECK_TIMEOUT", 0.2):
            async with asyncio.timeout(5):  # far below the 10 s the server would cost
                await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert "no answer while Home Assistant starts" in str(entry.reason)
    finally:
        hass.set_state(CoreState.running)
        await hass.config_entries.async_unload(entry.entry_id)
        release.set()
        for writer in held:
            writer.close()
        if answers == "nothing":
            server.close()
            await server.wait_closed()
        else:
            await runner.cleanup()
