"""A supported node as entities see it: its quirk, device, values and commands.

Entities never hold a node object: they hold a NodeBinding, which keeps its
node id and quirk and is re-attached to each new node object after a
reconnect or a new interview.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from zwave_js_server.const import CommandClass, NodeStatus, SetValueStatus
from zwave_js_server.exceptions import BaseZwaveJSServerError
from zwave_js_server.model.node import Node

from . import ids
from .compat import CONNECTION_LOST
from .const import (
    DOMAIN,
    LOGGER,
    METADATA_UPDATED,
    SET_VALUE_TIMEOUT,
    VALUE_ADDED,
    VALUE_UPDATED,
)
from .quirks.model import ResolvedQuirk, ValueRef
from .readings import NodeReadings
from .validation import metadata_drift

SET_OK = {SetValueStatus.SUCCESS, SetValueStatus.SUCCESS_UNSUPERVISED, SetValueStatus.WORKING}


def _raise_if_cancelled(err: BaseException) -> None:
    """Let a cancellation go on when the caller itself is being cancelled."""
    task = asyncio.current_task()
    if isinstance(err, asyncio.CancelledError) and task is not None and task.cancelling():
        raise err


def _connection_lost(
    err: BaseException, key: str, placeholders: dict[str, str]
) -> HomeAssistantError:
    """A command's answer lost with the connection (compat.CONNECTION_LOST), translated."""
    _raise_if_cancelled(err)
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass
class _Listeners:
    """Callbacks of one kind, keyed by value id ("" for all).

    A callback that raises costs its subscriber a warning (once), never the
    other subscribers or the caller. The callbacks of a key are a tuple,
    replaced on each change, so that firing needs no copy.
    """

    by_key: dict[str, tuple[Callable[..., None], ...]]
    failed: set[Callable[..., None]] = field(default_factory=set)

    def add(self, key: str, func: Callable[..., None]) -> Callable[[], None]:
        self.by_key[key] = (*self.by_key.get(key, ()), func)
        return partial(self._remove, key, func)

    def _remove(self, key: str, func: Callable[..., None]) -> None:
        funcs = self.by_key.get(key, ())
        if func in funcs:
            index = funcs.index(func)
            self.by_key[key] = funcs[:index] + funcs[index + 1 :]

    def fire(self, key: str, *args: Any) -> None:
        for func in self.by_key.get(key, ()):
            try:
                func(*args)
            except Exception as err:  # noqa: BLE001 - one subscriber must not stop the others
                first = func not in self.failed
                self.failed.add(func)
                LOGGER.log(
                    logging.WARNING if first else logging.DEBUG,
                    "%s failed: %s",
                    getattr(func, "__self__", func),
                    err,
                    exc_info=True,
                )


class NodeBinding:
    """A supported node: its quirk, its device, and its current node object."""

    def __init__(
        self,
        hass: HomeAssistant,
        home_id: int,
        node_id: int,
        resolved: ResolvedQuirk,
        *,
        is_connected: Callable[[], bool],
        entry_id: str,
        options: Mapping[str, Any],
    ) -> None:
        """Initialize; the readings start loading their stored state at once."""
        self.hass = hass
        self.home_id = home_id
        self._is_connected = is_connected
        self.node_id = node_id
        self.resolved = resolved
        self.node: Node | None = None
        self.device_id: str | None = None
        self._node_unsubs: list[Callable[[], None]] = []
        self._values = _Listeners({})
        self._notifications = _Listeners({})
        self._state = _Listeners({})
        self._totals_reset = _Listeners({})
        # value ids by reference, worked out once (they are looked up per update)
        self._value_ids: dict[ValueRef, str] = {}
        # where the server's metadata disagrees with the quirk's parameters
        self.metadata_drift: list[dict[str, Any]] = []
        # the node's energy totals and capacity tracker, fed from its values
        self.readings = NodeReadings(hass, self, entry_id, options)
        self.readings.async_start()

    @property
    def device_key(self) -> str:
        """The device registry identifier of the node."""
        return ids.device_key(self.home_id, self.node_id)

    def value_id(self, ref: ValueRef) -> str:
        """The node's value id of a reference."""
        if (found := self._value_ids.get(ref)) is None:
            found = self._value_ids[ref] = ref.value_id(self.node_id)
        return found

    def unique_id(self, key: str) -> str:
        """The unique id of the node's entity for a declaration key.

        Network, node and key: stable across restarts, reconnects and
        firmware updates.
        """
        return ids.unique_id(self.home_id, self.node_id, key)

    @property
    def available(self) -> bool:
        """Whether the node can be talked to."""
        return (
            self.node is not None and self._is_connected() and self.node.status != NodeStatus.DEAD
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
        ]
        self._check_metadata(node)
        self._state.fire("")

    def _check_metadata(self, node: Node) -> None:
        """Compare the declared parameters with the server's metadata, once per node object."""
        self.metadata_drift = [
            drift
            for param in self.resolved.parameters
            if (value := node.values.get(self.value_id(param.value))) is not None
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
        return self._values.add(self.value_id(ref), func)

    def subscribe_notification(
        self, ref: ValueRef, func: Callable[[Any], None]
    ) -> Callable[[], None]:
        """Call func(value) for each value notification (stateless values)."""
        return self._notifications.add(self.value_id(ref), func)

    def subscribe_state(self, func: Callable[[], None]) -> Callable[[], None]:
        """Call func when availability changes or the node object is replaced."""
        return self._state.add("", func)

    def subscribe_totals_reset(self, func: Callable[[bool], None]) -> Callable[[], None]:
        """Call func(True) before a reset through this integration, func(False) if it failed."""
        return self._totals_reset.add("", func)

    # -- values and commands -------------------------------------------------

    def has_value(self, ref: ValueRef) -> bool:
        """Whether the node currently has the value."""
        return self.node is not None and self.value_id(ref) in self.node.values

    def value(self, ref: ValueRef) -> Any:
        """The current value, None when unknown."""
        return self.value_of(self.value_id(ref))

    def value_of(self, value_id: str) -> Any:
        """The current value of a value id (see value_id), None when unknown."""
        if self.node is None:
            return None
        value = self.node.values.get(value_id)
        return None if value is None else value.value

    def _require_node(self) -> Node:
        if not self._is_connected():
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="not_connected")
        if self.node is None:
            # bound from an earlier run, or being interviewed
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="node_not_ready",
                translation_placeholders={"node_id": str(self.node_id)},
            )
        return self.node

    async def async_set_value(self, ref: ValueRef, raw: Any, name: str) -> None:
        """Set a value and check the server's result; raise a translated error.

        ``name`` is what the error calls the value: its entity as the user sees it.
        """
        node = self._require_node()
        value_id = self.value_id(ref)
        placeholders = {"entity": name}
        try:
            async with asyncio.timeout(SET_VALUE_TIMEOUT):
                result = await node.async_set_value(value_id, raw, wait_for_result=True)
        except TimeoutError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="set_timeout",
                translation_placeholders=placeholders,
            ) from err
        except CONNECTION_LOST as err:
            raise _connection_lost(err, "set_connection_lost", placeholders) from err
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

    async def async_invoke(self, command_class: int, method: str, *args: Any, name: str) -> Any:
        """Call a command class API method of the node; ``name`` is what errors call it."""
        node = self._require_node()
        try:
            async with asyncio.timeout(SET_VALUE_TIMEOUT):
                return await node.async_invoke_cc_api(
                    CommandClass(command_class),
                    method,
                    *args,
                    wait_for_result=True,
                )
        except CONNECTION_LOST as err:
            raise _connection_lost(err, "command_connection_lost", {"entity": name}) from err
        except (TimeoutError, BaseZwaveJSServerError) as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={"entity": name, "error": str(err) or "timeout"},
            ) from err

    async def async_refresh(self, command_class: int) -> None:
        """Ask the node for fresh values of a command class."""
        node = self._require_node()
        try:
            await node.async_refresh_cc_values(CommandClass(command_class))
        except CONNECTION_LOST as err:
            _raise_if_cancelled(err)
            LOGGER.warning("Node %s: refreshing values failed: connection lost", self.node_id)
        except BaseZwaveJSServerError as err:
            LOGGER.warning("Node %s: refreshing values failed: %s", self.node_id, err)

    async def async_poll(self, ref: ValueRef) -> None:
        """Ask the node for one value again; a failure is a log line."""
        node = self._require_node()
        try:
            await node.async_poll_value(self.value_id(ref))
        except CONNECTION_LOST as err:
            _raise_if_cancelled(err)
            LOGGER.debug("Node %s: reading %s again failed: connection lost", self.node_id, ref)
        except (KeyError, BaseZwaveJSServerError) as err:
            LOGGER.debug("Node %s: reading %s again failed: %s", self.node_id, ref, err)

    @callback
    def totals_reset(self, expected: bool = True) -> None:
        """Tell the total sensors that the next readings start new totals, or not."""
        self._totals_reset.fire("", expected)
