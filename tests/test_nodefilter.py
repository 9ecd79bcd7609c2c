"""The node filter on the server's JSON messages (nodefilter.py).

The end-to-end half is in test_beside_core.py (the real server, a foreign plug
beside core's Z-Wave JS); here the messages the server's schema defines, and
those it does not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from aiohttp import WSMessage, WSMsgType
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util.json import json_loads
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.model.driver import Driver

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_config_entry_diagnostics
from custom_components.zwave_quirks.nodefilter import FilteredWebSocket, LeftOut, NodeFilter
from custom_components.zwave_quirks.quirks import model
from custom_components.zwave_quirks.quirks.registry import supported_ids, used_command_classes

from .conftest import AsyncSim, setup_fixture_entry
from .fixture_client import FixtureClient, load_state
from .helpers import PLUG

FIXTURES = Path(__file__).parent / "fixtures"
FOREIGN = {"manufacturerId": 0x0086, "productType": 0x7F01, "productId": 0x7F02}
# the controller's node has ids no quirk has, too
CONTROLLER_NODE = {"nodeId": 1, "isControllerNode": True} | FOREIGN


def _node(node_id: int, **ids: Any) -> dict[str, Any]:
    node = json.loads((FIXTURES / "hank_hkzw_so03_state.json").read_text(encoding="utf-8"))
    return node | {"nodeId": node_id} | ids


def _state(*nodes: dict[str, Any]) -> dict[str, Any]:
    controller = json.loads((FIXTURES / "controller_state.json").read_text(encoding="utf-8"))
    state = controller | {"nodes": list(nodes)}
    return {"type": "result", "success": True, "messageId": "listen", "result": {"state": state}}


def _event(source: str, name: str, **data: Any) -> dict[str, Any]:
    return {"type": "event", "event": {"source": source, "event": name, **data}}


@pytest.fixture
def node_filter() -> NodeFilter:
    node_filter = NodeFilter(supported_ids())
    keep, changed = node_filter.message(
        _state(
            CONTROLLER_NODE,
            _node(2),
            _node(5, **FOREIGN),
            # never interviewed: its ids are not known yet
            {"nodeId": 6, "ready": False, "values": []},
        )
    )
    assert (keep, changed) == (True, True)
    return node_filter


def test_the_state_keeps_the_controller_the_supported_and_the_unknown() -> None:
    node_filter = NodeFilter(supported_ids())
    message = _state(CONTROLLER_NODE, _node(2), _node(5, **FOREIGN))
    assert node_filter.message(message) == (True, True)
    assert [n["nodeId"] for n in message["result"]["state"]["nodes"]] == [1, 2]
    assert node_filter.left_out == {
        5: LeftOut(
            ready=True,
            manufacturer_id=0x0086,
            product_type=0x7F01,
            product_id=0x7F02,
            firmware_version=message_firmware(),
        )
    }
    # a state without isControllerNode: the controller's own node id tells
    message = _state({"nodeId": 1} | FOREIGN, _node(2))
    message["result"]["state"]["controller"]["ownNodeId"] = 1
    assert NodeFilter(supported_ids()).message(message) == (True, False)
    # a state with nothing to leave out is passed as it came
    assert NodeFilter(supported_ids()).message(_state(_node(2))) == (True, False)


def message_firmware() -> Any:
    return _node(5)["firmwareVersion"]


def test_the_library_builds_its_driver_from_the_filtered_state() -> None:
    """Also while a rebuild of routes runs: its map in the state names every node."""
    node_filter = NodeFilter(supported_ids())
    message = _state(_node(2), _node(5, **FOREIGN))
    controller = message["result"]["state"]["controller"]
    controller |= {
        "isRebuildingRoutes": True,
        "rebuildRoutesProgress": {"2": "pending", "5": "done"},
    }
    assert node_filter.message(message) == (True, True)
    driver = Driver(MagicMock(), message["result"]["state"], MagicMock())
    assert set(driver.controller.nodes) == {2}
    assert [n.node_id for n in driver.controller.rebuild_routes_progress or {}] == [2]


def test_events_of_a_node_left_out_are_dropped(node_filter: NodeFilter) -> None:
    update = _event("node", "value updated", nodeId=5, args={"newValue": 1})
    assert node_filter.message(update) == (False, False)
    assert node_filter.events_dropped == 1
    for node_id in (1, 2, 6):
        assert node_filter.message(_event("node", "value updated", nodeId=node_id)) == (True, False)
    assert node_filter.message(_event("driver", "logging", message="x")) == (True, False)


def test_a_node_added_with_unsupported_ids_is_left_out_and_its_removal_dropped(
    node_filter: NodeFilter,
) -> None:
    added = _event("controller", "node added", node=_node(7, **FOREIGN), result={})
    assert node_filter.message(added) == (False, False)
    assert 7 in node_filter.left_out
    ready = _event(
        "node", "ready", nodeId=7, nodeState=_node(7, **FOREIGN) | {"firmwareVersion": "9.9"}
    )
    assert node_filter.message(ready) == (False, False)
    assert node_filter.left_out[7].firmware_version == "9.9"  # the diagnostics follow
    removed = _event("controller", "node removed", node={"nodeId": 7}, reason=0)
    assert node_filter.message(removed) == (False, False)
    assert 7 not in node_filter.left_out
    # a supported node, or one not interviewed yet, is the library's
    for node in (_node(8), {"nodeId": 9, "ready": False}):
        assert node_filter.message(_event("controller", "node added", node=node)) == (True, False)
    assert node_filter.message(_event("controller", "node removed", node={"nodeId": 2})) == (
        True,
        False,
    )


def test_the_rebuild_routes_maps_name_only_the_nodes_the_library_has(
    node_filter: NodeFilter,
) -> None:
    """The library looks every node id of these maps up: one left out would raise."""
    progress = _event("controller", "rebuild routes progress", progress={"2": "done", "5": "done"})
    assert node_filter.message(progress) == (True, True)
    assert progress["event"]["progress"] == {"2": "done"}
    done = _event("controller", "rebuild routes done", result={"2": "done", "6": "failed"})
    assert node_filter.message(done) == (True, False)


@pytest.mark.parametrize(
    "message",
    [
        [],
        "text",
        {"type": "event"},
        {"type": "event", "event": "not a dict"},
        {"type": "result", "result": {"state": {"nodes": "not a list"}}},
        {"type": "result", "result": {"state": {"nodes": [7, {"no": "id"}]}}},
        _event("controller", "node added", node="not a dict"),
        _state({"nodeId": 5, "manufacturerId": "0x86", "productType": 1, "productId": 2}),
    ],
)
def test_what_the_schema_does_not_say_goes_to_the_library_as_it_is(message: Any) -> None:
    """The library reports what it cannot read; the filter never raises on it."""
    before = json.dumps(message)
    assert NodeFilter(supported_ids()).message(message) == (True, False)
    assert json.dumps(message) == before


class _Socket:
    """The part of aiohttp's ClientWebSocketResponse the library uses."""

    def __init__(self, *messages: WSMessage) -> None:
        self.messages = list(messages)
        self.closed = False

    async def receive(self, timeout: float | None = None) -> WSMessage:  # noqa: ASYNC109
        return self.messages.pop(0)


def _text(data: Any) -> WSMessage:
    return WSMessage(WSMsgType.TEXT, json.dumps(data), None)


async def test_the_socket_passes_on_what_the_library_may_see(node_filter: NodeFilter) -> None:
    kept = _text(_event("node", "value updated", nodeId=2))
    bad = WSMessage(WSMsgType.TEXT, "{not json", None)
    closing = WSMessage(WSMsgType.CLOSE, None, None)
    progress = _event("controller", "rebuild routes progress", progress={"2": "a", "5": "b"})
    socket = _Socket(
        _text(_event("node", "value updated", nodeId=5)),
        kept,
        bad,
        _text(progress),
        closing,
    )
    ws = FilteredWebSocket(socket, node_filter)  # type: ignore[arg-type]
    received = await ws.receive()  # the foreign node's update never arrives
    # the library reads what the filter parsed, and the text as it came
    assert (received.type, received.data) == (WSMsgType.TEXT, kept.data)
    assert received.json() == kept.json()
    assert await ws.receive() is bad  # the library says it is not JSON
    rewritten = await ws.receive()
    assert rewritten.json()["event"]["progress"] == {"2": "a"}
    assert await ws.receive() is closing
    assert ws.closed is False  # what the library uses is the socket's
    with pytest.raises(AttributeError):
        ws.receive_json  # noqa: B018 - another way to read would bypass the filter


async def test_a_large_state_is_filtered_in_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("custom_components.zwave_quirks.nodefilter.PARSE_IN_EXECUTOR", 10)
    node_filter = NodeFilter(supported_ids())
    message = _text(_state(_node(2), _node(5, **FOREIGN)))
    parse, threads = json.loads, []

    def loads(text: str) -> Any:
        if text == message.data:
            threads.append(threading.current_thread().name)
        return parse(text)

    monkeypatch.setattr("custom_components.zwave_quirks.nodefilter.json.loads", loads)
    ws = FilteredWebSocket(_Socket(message), node_filter)  # type: ignore[arg-type]
    received = await ws.receive()
    assert [n["nodeId"] for n in received.json()["result"]["state"]["nodes"]] == [2]
    assert set(node_filter.left_out) == {5}
    assert len(threads) == 1 and threads[0] != threading.main_thread().name


async def test_a_reinterview_on_the_real_server_passes_the_filter(
    hass: HomeAssistant, sim: AsyncSim
) -> None:
    """Re-interviewing a supported node: its entities go, and come back, through the filter."""
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = entry.runtime_data.client
    assert client is not None and client.driver is not None
    outlet = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{sim.home_id}.{PLUG}.switch"
    )
    assert outlet is not None
    seen: list[str] = []

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None:
            seen.append(state.state)

    unsub = async_track_state_change_event(hass, outlet, changed)
    try:
        await client.driver.controller.nodes[PLUG].async_refresh_info()
        for _ in range(300):
            await asyncio.sleep(0.05)
            if STATE_UNAVAILABLE in seen and seen[-1] != STATE_UNAVAILABLE:
                break
        assert STATE_UNAVAILABLE in seen, seen
        assert seen[-1] != STATE_UNAVAILABLE, seen
        assert entry.runtime_data.transport.node_filter.left_out == {}
    finally:
        unsub()
        assert await hass.config_entries.async_unload(entry.entry_id)


OTHER_FIXTURES = ("thermostat", "multisensor", "dimmer", "metering_plug", "lock")


async def test_a_mixed_home_from_the_captured_fixtures(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> None:
    """The supported devices and the simulator's other kinds, as captured by
    scripts/dev/capture_fixtures.py: only the supported nodes get devices and are
    built by the library; the others are listed in the diagnostics."""
    state = load_state(
        "hank_hkzw_so03", "zooz_zen06", "heatit_z_han2", *(f"other_{k}" for k in OTHER_FIXTURES)
    )
    others = {n["nodeId"] for n in state["nodes"][3:]}
    assert len(others) == len(OTHER_FIXTURES)
    assert (
        not {(n["manufacturerId"], n["productType"], n["productId"]) for n in state["nodes"][3:]}
        & supported_ids()
    )
    fixture_client.state = state
    entry = await setup_fixture_entry(hass)
    assert set(fixture_client.last.driver.controller.nodes) == {2, 3, 4}
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 4  # the network and the three supported nodes
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert {n["node_id"] for n in diagnostics["unsupported_nodes"]} == others


async def test_an_event_of_a_node_left_out_is_dropped_unparsed(
    node_filter: NodeFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most messages of a mixed home are such events: the text's start names the node.

    The server writes an event's keys in its own order (JSON.stringify); a text
    that starts otherwise, or a node's "ready" (the summary follows it), is parsed.
    """
    parsed: list[str] = []
    parse = json_loads

    def loads(text: str) -> Any:
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr("custom_components.zwave_quirks.nodefilter.json_loads", loads)
    wire = {
        "statistics": '{"type":"event","event":{"source":"node","event":"statistics updated",'
        '"nodeId":5,"statistics":{"commandsTX":1}}}',
        "update": '{"type":"event","event":{"source":"node","event":"value updated",'
        '"nodeId":5,"args":{"newValue":7}}}',
        # another order, or another node: parsed
        "reordered": '{"event":{"nodeId":5,"source":"node","event":"value updated"},'
        '"type":"event"}',
        "node 55": '{"type":"event","event":{"source":"node","event":"value updated","nodeId":55}}',
        "ready": json.dumps(_event("node", "ready", nodeId=5, nodeState={"firmwareVersion": "2"})),
        "kept": '{"type":"event","event":{"source":"node","event":"value updated","nodeId":2}}',
    }
    socket = _Socket(*(WSMessage(WSMsgType.TEXT, text, None) for text in wire.values()))
    ws = FilteredWebSocket(socket, node_filter)  # type: ignore[arg-type]
    received = await ws.receive()
    assert received.data == wire["node 55"]
    assert (await ws.receive()).data == wire["kept"]
    assert parsed == [wire["reordered"], wire["node 55"], wire["ready"], wire["kept"]]
    assert node_filter.events_dropped == 4
    assert node_filter.left_out[5].firmware_version == "2"


def test_the_state_is_released_once_the_library_built_its_nodes() -> None:
    """The library's nodes are deep copies; the answer itself it keeps while it listens."""
    node_filter = NodeFilter(supported_ids())
    message = _state(_node(2), _node(5, **FOREIGN))
    node_filter.message(message)
    driver = Driver(MagicMock(), message["result"]["state"], MagicMock())
    node_filter.release_state()
    assert message["result"]["state"]["nodes"] == []
    node = driver.controller.nodes[2]
    assert node.values and node.data["nodeId"] == 2 and node.endpoints
    message["result"]["state"]["nodes"].append(_node(3))
    node_filter.release_state()  # once: a second call leaves the message alone
    assert len(message["result"]["state"]["nodes"]) == 1


async def test_on_the_real_server_the_library_keeps_no_copy_of_the_state(
    hass: HomeAssistant, sim: AsyncSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zwave-js-server-python holds the start_listening answer as long as it listens
    (a local of its listen loop): once its nodes are built, that answer holds none."""
    answers: list[Any] = []
    receive = FilteredWebSocket.receive

    async def spy(self: FilteredWebSocket, timeout: float | None = None) -> WSMessage:  # noqa: ASYNC109
        msg = await receive(self, timeout)
        if msg.type is WSMsgType.TEXT and msg.json().get("messageId") == "start-listening":
            answers.append(msg.json())
        return msg

    monkeypatch.setattr(FilteredWebSocket, "receive", spy)
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    try:
        assert len(answers) == 1
        assert answers[0]["result"]["state"]["nodes"] == []
        client = entry.runtime_data.client
        assert client is not None and client.driver is not None
        # and of the plug only the values of the command classes the quirks read
        values = client.driver.controller.nodes[PLUG].values.values()
        assert {v.command_class for v in values} <= used_command_classes()
        assert entry.runtime_data.transport.node_filter.values_left_out > 2 * 510  # two plugs
        power = er.async_get(hass).async_get_entity_id(
            "sensor", DOMAIN, f"{sim.home_id}.{PLUG}.power"
        )
        assert power is not None and hass.states.get(power).state != STATE_UNAVAILABLE  # type: ignore[union-attr]
    finally:
        assert await hass.config_entries.async_unload(entry.entry_id)


SCENE_ACTUATOR_CONF = 0x2C  # 510 values of each plug, which no quirk reads


def _used_values(node: dict[str, Any]) -> list[dict[str, Any]]:
    used = used_command_classes()
    return [v for v in node["values"] if v["commandClass"] in used]


def _value(command_class: int, prop: Any = "x") -> dict[str, Any]:
    return {"commandClass": command_class, "endpoint": 0, "property": prop, "metadata": {}}


def test_a_supported_node_keeps_the_values_of_the_command_classes_quirks_read() -> None:
    used = used_command_classes()
    assert {0x25, 0x2B, 0x31, 0x32, 0x70} <= used and SCENE_ACTUATOR_CONF not in used
    node_filter = NodeFilter(supported_ids(), used)
    plug = _node(2)
    assert sum(v["commandClass"] == SCENE_ACTUATOR_CONF for v in plug["values"]) == 510
    unknown = {"nodeId": 6, "ready": False, "values": [_value(SCENE_ACTUATOR_CONF)]}
    controller = CONTROLLER_NODE | {"values": [_value(0x86)]}
    message = _state(*({"endpoints": []} | n for n in (controller, plug, unknown)))
    assert node_filter.message(message) == (True, True)
    nodes = {n["nodeId"]: n for n in message["result"]["state"]["nodes"]}
    assert nodes[2]["values"] == _used_values(_node(2))
    # Version and Manufacturer Specific values too: the node's own fields have them
    assert len(nodes[2]["values"]) == len(_node(2)["values"]) - 510 - 7
    # the controller's and a node's whose ids are not known yet are the library's
    assert nodes[1]["values"] == [_value(0x86)]
    assert nodes[6]["values"] == [_value(SCENE_ACTUATOR_CONF)]
    assert node_filter.values_left_out == 510 + 7
    driver = Driver(MagicMock(), message["result"]["state"], MagicMock())
    assert len(driver.controller.nodes[2].values) == len(nodes[2]["values"])


def test_value_events_of_other_command_classes_of_a_supported_node_are_dropped() -> None:
    node_filter = NodeFilter(supported_ids(), used_command_classes())
    node_filter.message(_state(CONTROLLER_NODE, _node(2), {"nodeId": 6, "ready": False}))
    names = ("value added", "value updated", "value removed", "value notification")
    for name in (*names, "metadata updated"):
        other = _event("node", name, nodeId=2, args=_value(SCENE_ACTUATOR_CONF))
        assert node_filter.message(other) == (False, False)
        used = _event("node", name, nodeId=2, args=_value(0x32, "value"))
        assert node_filter.message(used) == (True, False)
        # a node not interviewed yet gets everything
        unknown = _event("node", name, nodeId=6, args=_value(SCENE_ACTUATOR_CONF))
        assert node_filter.message(unknown) == (True, False)
    assert (node_filter.events_dropped, node_filter.value_events_dropped) == (0, 5)
    # once its interview gives a quirk's ids, its state and events are trimmed too
    ready = _event("node", "ready", nodeId=6, nodeState=_node(6))
    assert node_filter.message(ready) == (True, True)
    assert ready["event"]["nodeState"]["values"] == _used_values(_node(6))
    late = _event("node", "value added", nodeId=6, args=_value(SCENE_ACTUATOR_CONF))
    assert node_filter.message(late) == (False, False)
    # a new state of a node counts its values left out once
    assert node_filter.values_left_out == 2 * 517
    assert node_filter.message(_event("node", "ready", nodeId=6, nodeState=_node(6)))[0]
    assert node_filter.values_left_out == 2 * 517
    # a node added with a quirk's ids comes trimmed
    added = _event("controller", "node added", node=_node(7), result={})
    assert node_filter.message(added) == (True, True)
    assert added["event"]["node"]["values"] == _used_values(_node(7))
    # what the schema does not say goes to the library as it is
    odd_value = {"commandClass": "x"}
    state = _node(9) | {"values": [odd_value, _value(SCENE_ACTUATOR_CONF)]}
    assert node_filter.message(_event("controller", "node added", node=state))[0]
    assert state["values"] == [odd_value]
    for args in ({"commandClass": "x"}, "not a dict", None):
        odd = _event("node", "value updated", nodeId=2, args=args)
        assert node_filter.message(odd) == (True, False)


def test_a_node_replaced_under_its_id_is_trimmed_only_while_it_is_supported() -> None:
    node_filter = NodeFilter(supported_ids(), used_command_classes())
    node_filter.message(_state(CONTROLLER_NODE, _node(2)))
    other = _event("node", "value updated", nodeId=2, args=_value(SCENE_ACTUATOR_CONF))
    assert node_filter.message(other) == (False, False)
    removed = _event("controller", "node removed", node={"nodeId": 2})
    assert node_filter.message(removed) == (True, False)
    # the same id again, not interviewed yet: everything is the library's
    added = _event("controller", "node added", node={"nodeId": 2, "ready": False})
    assert node_filter.message(added) == (True, False)
    assert node_filter.message(other) == (True, False)
    # its interview shows another maker's ids: still the library's as it is
    ready = _event("node", "ready", nodeId=2, nodeState=_node(2, **FOREIGN))
    assert node_filter.message(ready) == (True, False)
    assert ready["event"]["nodeState"]["values"] == _node(2)["values"]
    assert node_filter.message(other) == (True, False)
    assert node_filter.values_left_out == 0


def test_nothing_is_dropped_unparsed_while_no_node_is_left_out() -> None:
    node_filter = NodeFilter(supported_ids(), used_command_classes())
    node_filter.message(_state(CONTROLLER_NODE, _node(2)))
    text = '{"type":"event","event":{"source":"node","event":"value updated","nodeId":2}}'
    assert not node_filter.drops_unparsed(text)
    node_filter.message(_state(CONTROLLER_NODE, _node(5, **FOREIGN)))
    assert node_filter.drops_unparsed(text.replace(":2}", ":5}"))
    # digits only as JSON writes them
    assert not node_filter.drops_unparsed(text.replace(":2}", ":\u0665}"))


def test_every_command_class_a_declaration_names_is_one_the_filter_keeps() -> None:
    """Value references are found in any field; a command class as a bare number only
    where used_command_classes looks for it (a button's): a new such field fails here."""
    classes = [model.ConfigParam, model.PowerLimit]
    pending = [model.EntityDecl]
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending.extend(cls.__subclasses__())
    named = {
        (cls.__name__, f.name)
        for cls in classes
        for f in dataclasses.fields(cls)
        if "command_class" in f.name or f.name == "refresh"
    }
    assert named == {("ButtonDecl", "command_class"), ("ButtonDecl", "refresh")}
    button = model.ButtonDecl(
        key="b", translation_key="b", command_class=0x5A, method="m", refresh=(0x5B,)
    )
    sensor = model.SensorDecl(
        key="s",
        translation_key="s",
        sources=(model.ValueRef(command_class=0x31, property="x"),),
        names={"en": "S"},
    )
    quirk = model.Quirk(
        key="q",
        fingerprints=(
            model.Fingerprint(
                manufacturer_id=1, product_type=2, product_id=3, manufacturer="M", model="P"
            ),
        ),
        entities=(button, sensor),
    )
    assert used_command_classes((quirk,)) == {0x5A, 0x5B, 0x31}
