"""Only the nodes a quirk may claim, and the values it may read, reach the client library.

Most nodes of a network are devices no quirk supports; core's Z-Wave JS
already holds them. The filter sits between the WebSocket and the library,
on the server's JSON messages (their schema is the server's, documented and
versioned):

- the state of ``start_listening`` keeps the controller's node, the nodes
  with a quirk's ids, and the nodes whose ids are not known yet (never
  interviewed); the others are left out before the library builds them;
- events of a node left out are dropped before the library sees them, most
  by the start of their text, unparsed; "node added" of a node with known,
  unsupported ids leaves it out too, and its "node removed" is dropped;
- a node with a quirk's ids keeps only the values of the command classes the
  quirks read (registry.used_command_classes), in its state and in its value
  events: e.g. a plug's 510 Scene Actuator Configuration values, 95 % of its
  values, are never built (the export asks the server for the whole node);
- the maps of the routes' rebuild (in the controller's state and in its
  events) name only the nodes the library has: it looks each one up.

Limits: a node kept while its ids were unknown stays until the next
connection, also if its interview shows no quirk claims it; a node left out
stays out until then, also if a firmware update gives it a quirk's ids. The
library's node statistics (repeaters, failed routes) and the lifeline and
long range lookups may name a node left out; the integration reads none of
them. What is left out is kept as a summary for the diagnostics.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import ClientSession, ClientWebSocketResponse, WSMessage, WSMsgType
from homeassistant.util.json import json_loads

from .const import LOGGER

# a message this long is parsed in the executor (the whole network's state)
PARSE_IN_EXECUTOR = 1 << 20
# Node states (the state dump, a node added or ready) become the library's models:
# Python's own parser shares each key's string, as the library's parse did; orjson
# made new ones, which the models kept (Home Assistant's peak memory in the soak at
# 231 nodes: 650 -> 800 MiB). Events are shorter and parsed faster with orjson.
PARSE_WITH_STDLIB = 4096
REBUILD_ROUTES = ("rebuild routes progress", "rebuild routes done")
# a node's events about one value (args: the value's id and data)
VALUE_EVENTS = frozenset(
    {"value added", "value updated", "value removed", "value notification", "metadata updated"}
)
# How the server's node events start (JSON.stringify keeps its keys' order): the
# event and the node are known before the message is parsed. A text that starts
# otherwise is parsed.
NODE_EVENT = re.compile(
    r'\{"type":"event","event":\{"source":"node","event":"([^"\\]*)","nodeId":([0-9]+)[,}]'
)
# what the library uses of its WebSocket besides receive() (all supported versions)
SOCKET_ATTRIBUTES = frozenset({"closed", "close", "send_json", "exception", "close_code"})


@dataclass(frozen=True, kw_only=True, slots=True)
class LeftOut:
    """A node the library was not shown, as the diagnostics show it."""

    ready: bool | None
    manufacturer_id: int
    product_type: int
    product_id: int
    firmware_version: str | None


class NodeFilter:
    """Decides, per message, what the library may see; one per connection."""

    def __init__(
        self,
        supported: frozenset[tuple[int, int, int]],
        command_classes: frozenset[int] | None = None,
    ) -> None:
        self._supported = supported
        # the command classes whose values the quirks read (None: every value)
        self._command_classes = command_classes
        # the supported nodes, and how many of their values (of other command
        # classes) their last state had that the library was not shown
        self._trimmed: dict[int, int] = {}
        self.left_out: dict[int, LeftOut] = {}
        # events of the nodes left out, and of the supported nodes' other values
        self.events_dropped = 0
        self.value_events_dropped = 0
        self._own_node_id: int | None = None
        # the node list of the state the library was given, until it has built its nodes
        self._state_nodes: list[Any] | None = None

    @property
    def values_left_out(self) -> int:
        """The supported nodes' values the library was not shown (their last states)."""
        return sum(self._trimmed.values())

    def _controller_node(self, node: dict[str, Any]) -> bool:
        return bool(node.get("isControllerNode")) or node.get("nodeId") == self._own_node_id

    @staticmethod
    def _ids(node: dict[str, Any]) -> tuple[Any, Any, Any]:
        return node.get("manufacturerId"), node.get("productType"), node.get("productId")

    def _keep(self, node: dict[str, Any]) -> bool:
        if self._controller_node(node):
            return True
        ids = self._ids(node)
        if not all(isinstance(i, int) for i in ids):
            return True  # not interviewed yet (or not as the schema says): the library decides
        return ids in self._supported

    def _trim(self, node: dict[str, Any]) -> bool:
        """Leave out a supported node's values that no quirk reads; whether it changed.

        A node state without a quirk's ids (any more) is the library's as it is.
        """
        used, values = self._command_classes, node.get("values")
        if (
            used is None
            or not isinstance(values, list)
            or self._controller_node(node)
            or self._ids(node) not in self._supported
        ):
            self._trimmed.pop(node["nodeId"], None)
            return False
        kept = [
            v
            for v in values
            if not isinstance(v, dict)
            or not isinstance(cc := v.get("commandClass"), int)
            or cc in used
        ]
        node["values"] = kept
        self._trimmed[node["nodeId"]] = len(values) - len(kept)
        return len(kept) != len(values)

    def _leave_out(self, node: dict[str, Any]) -> None:
        node_id = node["nodeId"]
        if node_id not in self.left_out:
            LOGGER.debug(
                "Node %s (%#06x/%#06x/%#06x) is no quirk's: left to Z-Wave JS",
                node_id,
                node["manufacturerId"],
                node["productType"],
                node["productId"],
            )
        self.left_out[node_id] = LeftOut(
            ready=node.get("ready"),
            manufacturer_id=node["manufacturerId"],
            product_type=node["productType"],
            product_id=node["productId"],
            firmware_version=node.get("firmwareVersion"),
        )

    def release_state(self) -> None:
        """Empty the state's node list: the library has built its nodes from it.

        Its nodes are deep copies of their states, but the library keeps the
        start_listening answer for as long as it listens (a local of its listen
        loop): the kept nodes' states a second time (1.4 MiB of the 6.8 MiB the
        integration added for six devices, before their values were trimmed).
        """
        if self._state_nodes is not None:
            self._state_nodes.clear()
            self._state_nodes = None

    def drops_unparsed(self, text: str) -> bool:
        """Whether the text is an event of a node left out (not its "ready"): dropped as it is.

        Most messages of a mixed home are such events; parsing them was most
        of what the filter cost per message.
        """
        if not self.left_out or (match := NODE_EVENT.match(text)) is None:
            return False
        if match[1] == "ready" or int(match[2]) not in self.left_out:
            return False
        self.events_dropped += 1
        return True

    def message(self, data: Any) -> tuple[bool, bool]:
        """(keep, changed): whether the library may see the message, and if it was rewritten.

        A message kept is rewritten in place; what is not as the schema says
        goes to the library as it is.
        """
        if not isinstance(data, dict):
            return True, False
        if data.get("type") == "event":
            return self._event(data)
        result = data.get("result")
        state = result.get("state") if isinstance(result, dict) else None
        nodes = state.get("nodes") if isinstance(state, dict) else None
        if data.get("type") != "result" or not isinstance(nodes, list):
            return True, False
        assert isinstance(state, dict)
        controller = state.get("controller")
        if isinstance(controller, dict):
            self._own_node_id = controller.get("ownNodeId")
        self.left_out = {}
        self._trimmed = {}
        kept, changed = [], False
        for node in nodes:
            if not isinstance(node, dict) or "nodeId" not in node:
                kept.append(node)
            elif self._keep(node):
                kept.append(node)
                changed |= self._trim(node)
            else:
                self._leave_out(node)
        state["nodes"] = self._state_nodes = kept
        changed |= len(kept) != len(nodes)
        if isinstance(controller, dict):
            changed |= self._routes(controller, "rebuildRoutesProgress")
        return True, changed

    def _routes(self, holder: dict[str, Any], key: str) -> bool:
        """Leave the nodes left out out of a map of node ids; whether it changed."""
        routes = holder.get(key)
        if not isinstance(routes, dict):
            return False
        shown = {k: v for k, v in routes.items() if not (k.isdigit() and int(k) in self.left_out)}
        holder[key] = shown
        return len(shown) != len(routes)

    def _event(self, data: dict[str, Any]) -> tuple[bool, bool]:
        event = data.get("event")
        if not isinstance(event, dict):
            return True, False
        if event.get("source") == "node":
            node_id = event.get("nodeId")
            if node_id not in self.left_out:
                return self._kept_node_event(event)
            state = event.get("nodeState")
            if event.get("event") == "ready" and isinstance(state, dict):
                # the summary follows (a node left out stays out: see the module's limits)
                known = self.left_out[node_id]
                self.left_out[node_id] = LeftOut(
                    ready=True,
                    manufacturer_id=known.manufacturer_id,
                    product_type=known.product_type,
                    product_id=known.product_id,
                    firmware_version=state.get("firmwareVersion", known.firmware_version),
                )
            self.events_dropped += 1
            return False, False
        if event.get("source") == "controller":
            return self._controller_event(event)
        return True, False

    def _kept_node_event(self, event: dict[str, Any]) -> tuple[bool, bool]:
        """A node the library has: a supported node's other values are left out.

        In its new state ("ready") and in its value events.
        """
        name, state = event.get("event"), event.get("nodeState")
        if name == "ready" and isinstance(state, dict) and "nodeId" in state:
            return True, self._trim(state)
        if event.get("nodeId") not in self._trimmed or name not in VALUE_EVENTS:
            return True, False
        args, used = event.get("args"), self._command_classes
        if (
            used is not None
            and isinstance(args, dict)
            and isinstance(cc := args.get("commandClass"), int)
            and cc not in used
        ):
            self.value_events_dropped += 1
            return False, False
        return True, False

    def _controller_event(self, event: dict[str, Any]) -> tuple[bool, bool]:
        name, node = event.get("event"), event.get("node")
        if isinstance(node, dict) and "nodeId" in node:
            if name == "node added" and not self._keep(node):
                self._leave_out(node)
                return False, False
            if name == "node added":
                return True, self._trim(node)
            if name == "node removed" and node["nodeId"] in self.left_out:
                del self.left_out[node["nodeId"]]
                return False, False
            if name == "node removed":
                self._trimmed.pop(node["nodeId"], None)
        if name in REBUILD_ROUTES:
            changed = self._routes(event, "progress")
            return True, self._routes(event, "result") or changed
        return True, False


class FilteredWebSocket:
    """A WebSocket whose text messages pass the node filter.

    Only what the library uses is passed on: a version that read the socket
    another way (``receive_json``, ``async for``) fails here, not unfiltered.
    """

    def __init__(self, ws: ClientWebSocketResponse, node_filter: NodeFilter) -> None:
        self._ws = ws
        self._filter = node_filter

    def __getattr__(self, name: str) -> Any:
        if name not in SOCKET_ATTRIBUTES:
            raise AttributeError(f"the filtered WebSocket has no {name!r}")
        return getattr(self._ws, name)

    async def receive(self, timeout: float | None = None) -> WSMessage:  # noqa: ASYNC109 - the socket's own signature
        """The next message the library may see."""
        while True:
            msg = await self._ws.receive(timeout)
            if msg.type is not WSMsgType.TEXT:
                return msg
            text: str = msg.data
            if self._filter.drops_unparsed(text):
                continue
            # the whole network's state is parsed in the executor; the filter
            # itself runs on the event loop
            try:
                if len(text) > PARSE_IN_EXECUTOR:
                    loop = asyncio.get_running_loop()
                    data = await loop.run_in_executor(None, json.loads, text)
                else:
                    data = (json.loads if len(text) > PARSE_WITH_STDLIB else json_loads)(text)
            except ValueError:
                return msg  # the library says it is not JSON
            keep, _changed = self._filter.message(data)
            if keep:
                # the library reads what was parsed here: one parse, not two
                return ParsedMessage(WSMsgType.TEXT, text, cast(Any, data))


class ParsedMessage(WSMessage):
    """A text message the filter parsed (and may have changed): ``json()`` is that.

    ``data`` is the text as it came (the library decides by its length
    whether to read it in the executor); ``extra`` carries the parsed message.
    """

    __slots__ = ()

    def json(self, *, loads: Callable[[str], Any] = json_loads) -> Any:
        """The message as the filter left it (the library's own parse is not needed)."""
        return self.extra


class FilteredSession:
    """The client library's session: its WebSockets pass the node filter."""

    def __init__(self, session: ClientSession, node_filter: NodeFilter) -> None:
        self._session = session
        self.filter = node_filter

    async def ws_connect(self, *args: Any, **kwargs: Any) -> FilteredWebSocket:
        """The session's WebSocket, filtered."""
        ws = await self._session.ws_connect(*args, **kwargs)
        return FilteredWebSocket(ws, self.filter)


def filtered_session(session: ClientSession, node_filter: NodeFilter) -> ClientSession:
    """A session for the library's Client, which calls only its ``ws_connect``."""
    return cast(ClientSession, FilteredSession(session, node_filter))
