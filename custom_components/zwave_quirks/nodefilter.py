"""Only the nodes a quirk may claim reach the client library.

Most nodes of a network are devices no quirk supports; core's Z-Wave JS
already holds them. The filter sits between the WebSocket and the library,
on the server's JSON messages (their schema is the server's, documented and
versioned), so it does not depend on the library's internals:

- the state of ``start_listening`` keeps the controller's node, the nodes
  with a quirk's ids, and the nodes whose ids are not known yet (never
  interviewed); the others are left out before the library builds them;
- events of a node left out are dropped before they are parsed into a
  model; "node added" of a node with known, unsupported ids leaves it out
  too, and its "node removed" is dropped;
- the rebuild-routes maps name only the nodes the library has.

A node kept while its ids were unknown stays until the next connection,
also if its interview shows no quirk claims it. What is left out is kept as
a summary for the diagnostics.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, WSMessage, WSMsgType
from homeassistant.helpers.json import json_dumps
from homeassistant.util.json import json_loads

from .quirks.registry import QUIRKS

# a message this long is parsed in the executor (the whole network's state)
PARSE_IN_EXECUTOR = 1 << 20
Ids = tuple[int | None, int | None, int | None]


def supported_ids() -> frozenset[tuple[int, int, int]]:
    """The id triples a quirk may claim (any firmware)."""
    return frozenset(fp.ids for quirk in QUIRKS for fp in quirk.fingerprints)


def _ids(node: dict[str, Any]) -> Ids:
    return (node.get("manufacturerId"), node.get("productType"), node.get("productId"))


class NodeFilter:
    """Decides, per message, what the library may see; one per connection."""

    def __init__(self, supported: frozenset[tuple[int, int, int]]) -> None:
        self._supported = supported
        # nodes left out: node id -> what the diagnostics show of them
        self.left_out: dict[int, dict[str, Any]] = {}
        self.events_dropped = 0
        self._own_node_id: int | None = None

    def _keep(self, node: dict[str, Any]) -> bool:
        ids = _ids(node)
        if node.get("isControllerNode") or node.get("nodeId") == self._own_node_id:
            return True
        if not all(isinstance(i, int) for i in ids):
            return True  # not interviewed yet (or not as the schema says): the library decides
        return ids in self._supported

    def _leave_out(self, node: dict[str, Any]) -> None:
        self.left_out[node["nodeId"]] = {
            "ready": node.get("ready"),
            "manufacturer_id": node.get("manufacturerId"),
            "product_type": node.get("productType"),
            "product_id": node.get("productId"),
            "firmware_version": node.get("firmwareVersion"),
        }

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
        kept = []
        for node in nodes:
            if not isinstance(node, dict) or "nodeId" not in node or self._keep(node):
                kept.append(node)
            else:
                self._leave_out(node)
        state["nodes"] = kept
        return True, len(kept) != len(nodes)

    def _event(self, data: dict[str, Any]) -> tuple[bool, bool]:
        event = data.get("event")
        if not isinstance(event, dict):
            return True, False
        if event.get("source") == "node":
            if event.get("nodeId") not in self.left_out:
                return True, False
            self.events_dropped += 1
            return False, False
        if event.get("source") == "controller":
            return self._controller_event(event)
        return True, False

    def _controller_event(self, event: dict[str, Any]) -> tuple[bool, bool]:
        name, node = event.get("event"), event.get("node")
        if isinstance(node, dict) and "nodeId" in node:
            if name == "node added" and not self._keep(node):
                self._leave_out(node)
                return False, False
            if name == "node removed" and node["nodeId"] in self.left_out:
                del self.left_out[node["nodeId"]]
                return False, False
        changed = False
        if name in ("rebuild routes progress", "rebuild routes done"):
            for key in ("progress", "result"):
                routes = event.get(key)
                if isinstance(routes, dict):
                    shown = {k: v for k, v in routes.items() if not self._left_out_key(k)}
                    changed |= len(shown) != len(routes)
                    event[key] = shown
        return True, changed

    def _left_out_key(self, key: str) -> bool:
        return key.isdigit() and int(key) in self.left_out


class FilteredWebSocket:
    """A WebSocket whose text messages pass the node filter; the rest is the socket's."""

    def __init__(self, ws: ClientWebSocketResponse, node_filter: NodeFilter) -> None:
        self._ws = ws
        self._filter = node_filter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    async def receive(self) -> WSMessage:
        """The next message the library may see."""
        while True:
            msg = await self._ws.receive()
            if msg.type is not WSMsgType.TEXT:
                return msg
            text = msg.data
            if len(text) > PARSE_IN_EXECUTOR:
                loop = asyncio.get_running_loop()
                keep, data, changed = await loop.run_in_executor(None, self._decide, text)
            else:
                keep, data, changed = self._decide(text)
            if not keep:
                continue
            if not changed:
                return msg
            return WSMessage(WSMsgType.TEXT, data, msg.extra)

    def _decide(self, text: str) -> tuple[bool, str, bool]:
        """(keep, text, changed); what is not JSON goes to the library, which says so."""
        try:
            data = json_loads(text)
        except ValueError:
            return True, text, False
        keep, changed = self._filter.message(data)
        if keep and changed:
            return True, json_dumps(data), True
        return keep, text, False


class FilteredSession:
    """The client library's session: its WebSockets pass the node filter."""

    def __init__(self, session: ClientSession, node_filter: NodeFilter) -> None:
        self._session = session
        self.filter = node_filter

    async def ws_connect(self, *args: Any, **kwargs: Any) -> FilteredWebSocket:
        """The session's WebSocket, filtered."""
        ws = await self._session.ws_connect(*args, **kwargs)
        return FilteredWebSocket(ws, self.filter)
