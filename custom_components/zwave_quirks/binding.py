"""A supported node as entities see it: its quirk, device, values and commands.

Entities never hold a node object: they hold a NodeBinding, which keeps its
node id and quirk and is re-attached to each new node object after a
reconnect or a new interview.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from zwave_js_server.const import CommandClass, NodeStatus, SetValueStatus
from zwave_js_server.exceptions import BaseZwaveJSServerError
from zwave_js_server.model.node import Node

from .capacity import CapacityTracker
from .const import DOMAIN, LOGGER, SET_VALUE_TIMEOUT
from .guard import TotalGuard
from .quirks.model import CONFIGURATION_CC, ResolvedQuirk, ValueRef
from .validation import metadata_drift

if TYPE_CHECKING:
    from .connection import ZwaveConnection

VALUE_UPDATED = "value updated"
VALUE_ADDED = "value added"
METADATA_UPDATED = "metadata updated"

SET_OK = {SetValueStatus.SUCCESS, SetValueStatus.SUCCESS_UNSUPERVISED, SetValueStatus.WORKING}


@dataclass
class _Listeners:
    """Callbacks of one kind, keyed by value id ("" for all)."""

    by_key: dict[str, list[Callable[..., None]]]

    def add(self, key: str, func: Callable[..., None]) -> Callable[[], None]:
        funcs = self.by_key.setdefault(key, [])
        funcs.append(func)

        def remove() -> None:
            if func in funcs:
                funcs.remove(func)

        return remove

    def fire(self, key: str, *args: Any) -> None:
        for func in list(self.by_key.get(key, ())):
            func(*args)


class NodeBinding:
    """A supported node: its quirk, its device, and its current node object."""

    def __init__(self, connection: ZwaveConnection, node_id: int, resolved: ResolvedQuirk) -> None:
        """Initialize."""
        self.connection = connection
        self.node_id = node_id
        self.resolved = resolved
        self.node: Node | None = None
        self.device_id: str | None = None
        self._node_unsubs: list[Callable[[], None]] = []
        self._values = _Listeners({})
        self._notifications = _Listeners({})
        self._state = _Listeners({})
        self._totals_reset = _Listeners({})
        self._totals = _Listeners({})
        # the total guards of the node's meters, by entity key (for diagnostics)
        self.guards: dict[str, TotalGuard] = {}
        # where the server's metadata disagrees with the quirk's parameters
        self.metadata_drift: list[dict[str, Any]] = []
        # the capacity tracker of the node's meter, if its quirk has one (for diagnostics)
        self.capacity: CapacityTracker | None = None

    @property
    def home_id(self) -> int:
        """The network's home id."""
        return self.connection.home_id

    @property
    def device_key(self) -> str:
        """The device registry identifier of the node."""
        return f"{self.home_id}-{self.node_id}"

    def unique_id(self, key: str) -> str:
        """The unique id of the node's entity for a declaration key.

        Network, node and key: stable across restarts, reconnects and
        firmware updates.
        """
        return f"{self.home_id}.{self.node_id}.{key}"

    @property
    def available(self) -> bool:
        """Whether the node can be talked to."""
        return (
            self.node is not None
            and self.connection.connected
            and self.node.status != NodeStatus.DEAD
        )

    # -- node objects --------------------------------------------------------

    @callback
    def attach(self, node: Node) -> None:
        """Bind to a (new) node object and refresh every entity."""
        self._unsubscribe_node()
        self.node = node
        self._node_unsubs = [
            node.on(VALUE_UPDATED, lambda event: self._on_value_event(VALUE_UPDATED, event)),
            node.on(VALUE_ADDED, lambda event: self._on_value_event(VALUE_ADDED, event)),
            node.on(METADATA_UPDATED, lambda event: self._on_value_event(METADATA_UPDATED, event)),
            node.on("value notification", self._on_value_notification),
            node.on("dead", self._on_status),
            node.on("alive", self._on_status),
            # after a firmware update zwave-js interviews the node again
            node.on("ready", lambda event: self.connection.async_node_ready(event["node"])),
        ]
        self._check_metadata(node)
        self._state.fire("")

    def _check_metadata(self, node: Node) -> None:
        """Compare the declared parameters with the server's metadata, once per node object."""
        self.metadata_drift = [
            drift
            for param in self.resolved.parameters
            if (value := node.values.get(param.value.value_id(self.node_id))) is not None
            for drift in metadata_drift(param, value.metadata)
        ]
        if self.metadata_drift:
            LOGGER.debug(
                "Node %s: the server's metadata differs from the quirk %s: %s",
                self.node_id,
                self.resolved.quirk.key,
                "; ".join(
                    f"{d['parameter']} {d['field']} {d['quirk']} != {d['server']}"
                    for d in self.metadata_drift
                ),
            )

    @property
    def missing_parameters(self) -> list[int]:
        """Declared parameters the node does not have (no entity until it does)."""
        if self.node is None:
            return []
        return [
            param.number for param in self.resolved.parameters if not self.has_value(param.value)
        ]

    @callback
    def detach(self) -> None:
        """Forget the node object: the entities become unavailable."""
        self._unsubscribe_node()
        self.node = None
        self._state.fire("")

    def _unsubscribe_node(self) -> None:
        for unsub in self._node_unsubs:
            unsub()
        self._node_unsubs = []

    @callback
    def _on_value_event(self, kind: str, event: dict[str, Any]) -> None:
        value = event.get("value")
        if value is None:
            LOGGER.debug("Node %s: value event without value: %s", self.node_id, event)
            return
        self._values.fire(value.value_id, kind)

    @callback
    def _on_value_notification(self, event: dict[str, Any]) -> None:
        notification = event.get("value_notification")
        if notification is None:
            return
        self._notifications.fire(notification.value_id, notification.value)

    @callback
    def _on_status(self, _event: dict[str, Any]) -> None:
        self._state.fire("")

    # -- subscriptions -------------------------------------------------------

    def subscribe_value(self, ref: ValueRef, func: Callable[[str], None]) -> Callable[[], None]:
        """Call func(kind) when the value changes; kind is the node event's name.

        Only VALUE_UPDATED is a reading from the node; VALUE_ADDED and
        METADATA_UPDATED are the value read again or described anew (the
        total guard tells them apart).
        """
        return self._values.add(ref.value_id(self.node_id), func)

    def subscribe_notification(
        self, ref: ValueRef, func: Callable[[Any], None]
    ) -> Callable[[], None]:
        """Call func(value) for each value notification (stateless values)."""
        return self._notifications.add(ref.value_id(self.node_id), func)

    def subscribe_state(self, func: Callable[[], None]) -> Callable[[], None]:
        """Call func when availability changes or the node object is replaced."""
        return self._state.add("", func)

    def subscribe_totals_reset(self, func: Callable[[bool], None]) -> Callable[[], None]:
        """Call func(True) before a reset through this integration, func(False) if it failed."""
        return self._totals_reset.add("", func)

    def subscribe_total(
        self, key: str, func: Callable[[float, float, bool], None]
    ) -> Callable[[], None]:
        """Call func(total, time, new_level) for each reading the total guard of key accepts.

        Readings the guard holds back or discards never arrive; see
        TotalGuard.on_accepted for new_level.
        """
        return self._totals.add(key, func)

    @callback
    def total_accepted(self, key: str, total: float, at: float, new_level: bool) -> None:
        """The guard of the total sensor ``key`` accepted a reading (time in epoch seconds)."""
        self._totals.fire(key, total, at, new_level)

    # -- values and commands -------------------------------------------------

    def has_value(self, ref: ValueRef) -> bool:
        """Whether the node currently has the value."""
        return self.node is not None and ref.value_id(self.node_id) in self.node.values

    def value(self, ref: ValueRef) -> Any:
        """The current value, None when unknown."""
        if self.node is None:
            return None
        value = self.node.values.get(ref.value_id(self.node_id))
        return None if value is None else value.value

    def _require_node(self) -> Node:
        if self.node is None or not self.connection.connected:
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="not_connected")
        return self.node

    async def async_set_value(self, ref: ValueRef, raw: Any) -> None:
        """Set a value and check the server's result; raise a translated error."""
        node = self._require_node()
        value_id = ref.value_id(self.node_id)
        what = (
            f"parameter {ref.property}"
            if ref.command_class == CONFIGURATION_CC
            else str(ref.property)
        )
        placeholders = {"what": what, "node_id": str(self.node_id)}
        try:
            async with asyncio.timeout(SET_VALUE_TIMEOUT):
                result = await node.async_set_value(value_id, raw, wait_for_result=True)
        except TimeoutError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="set_timeout",
                translation_placeholders=placeholders,
            ) from err
        except BaseZwaveJSServerError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="set_failed",
                translation_placeholders={**placeholders, "error": str(err)},
            ) from err
        if result is None or result.status not in SET_OK:
            status = "no result" if result is None else result.status.name.lower()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="set_failed",
                translation_placeholders={**placeholders, "error": status},
            )

    async def async_invoke(self, command_class: int, method: str, *args: Any) -> Any:
        """Call a command class API method of the node."""
        node = self._require_node()
        try:
            async with asyncio.timeout(SET_VALUE_TIMEOUT):
                return await node.async_invoke_cc_api(
                    CommandClass(command_class),
                    method,
                    *args,
                    wait_for_result=True,
                )
        except (TimeoutError, BaseZwaveJSServerError) as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={"command": method, "error": str(err) or "timeout"},
            ) from err

    async def async_refresh(self, command_class: int) -> None:
        """Ask the node for fresh values of a command class."""
        node = self._require_node()
        try:
            await node.async_refresh_cc_values(CommandClass(command_class))
        except BaseZwaveJSServerError as err:
            LOGGER.warning("Node %s: refreshing values failed: %s", self.node_id, err)

    @callback
    def totals_reset(self, expected: bool = True) -> None:
        """Tell the total sensors that the next readings start new totals, or not."""
        self._totals_reset.fire("", expected)
