"""The network of supported nodes: bindings, devices and their entities.

The transport hands it a ready driver after every (re)connect; the network
binds each supported node to it (add, rebind, remove), keeps the device
registry in step and decides which devices are stale. It knows nothing
about sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node
from zwave_js_server.model.version import VersionInfo

from . import ids
from .binding import NodeBinding
from .const import DOMAIN, LOGGER
from .quirks.model import Quirk, ResolvedQuirk
from .quirks.registry import QUIRKS, find_quirk_with


def _node_ids(node: Node) -> tuple[int | None, int | None, int | None]:
    return (node.manufacturer_id, node.product_type, node.product_id)


def _device_ids(
    device: dr.DeviceEntry, user: tuple[Quirk, ...] = ()
) -> tuple[int | None, int | None, int | None]:
    """The ids of the fingerprint a device was made for, from an earlier run.

    By its manufacturer and model; a device of 0.2 also had product type and
    id as its model id ("0101:000a"), which the device page showed.
    """
    for quirk in (*user, *QUIRKS):
        for fingerprint in quirk.fingerprints:
            if device.manufacturer != fingerprint.manufacturer:
                continue
            legacy = f"{fingerprint.product_type:04x}:{fingerprint.product_id:04x}"
            if device.model_id == legacy or (
                device.model_id is None and device.model == fingerprint.model
            ):
                return fingerprint.ids
    return (None, None, None)


def _describe(node: Node) -> str:
    """A node's ids as its state carries them, for a log line; never raises."""
    ids = [node.data.get(key) for key in ("manufacturerId", "productType", "productId")]
    shown = "/".join(f"{i:#06x}" if isinstance(i, int) else repr(i) for i in ids)
    return f"{shown}, firmware {node.data.get('firmwareVersion')!r}"


class ZwaveNetwork:
    """The bindings of one entry's supported nodes, and the driver they are bound to."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        home_id: int,
        via_device: Callable[[int | None], str | None] = lambda _node_id: None,
    ) -> None:
        """Initialize; via_device gives the device a node's device is linked to."""
        self.hass = hass
        self.entry = entry
        self.home_id = home_id
        # the user's quirks (YAML in the configuration folder): they win over ours
        self.user_quirks: tuple[Quirk, ...] = ()
        self.driver: Driver | None = None
        self.bindings: dict[int, NodeBinding] = {}
        self._platforms: dict[Platform, Callable[[NodeBinding], None]] = {}
        self._driver_unsubs: list[Callable[[], None]] = []
        self.controller_device_id: str | None = None
        # core's Z-Wave JS device of a node (None: the network's device), if any
        self._via_device = via_device
        # nodes whose state could not be read, logged once
        self._unreadable: set[int] = set()

    @property
    def connected(self) -> bool:
        """Whether the nodes are bound to a live driver."""
        return self.driver is not None

    # -- the driver ----------------------------------------------------------

    @callback
    def async_driver_ready(
        self, driver: Driver, version: VersionInfo, left_out: Collection[int] = ()
    ) -> None:
        """Bind every supported node of a (new) driver.

        ``left_out``: nodes on the network that the client was not shown (no
        quirk claims them, nodefilter.py); not gone.
        """
        self.driver = driver
        self.home_id = version.home_id
        controller = driver.controller
        self._driver_unsubs = [
            controller.on("node added", lambda event: self._async_node_joined(event["node"])),
            controller.on(
                "node removed",
                lambda event: self._async_remove_node(event["node"].node_id, gone=True),
            ),
        ]
        self._async_network_device(version)
        for node in controller.nodes.values():
            self._async_node_joined(node)
        self._async_remove_stale_devices(left_out)

    @callback
    def async_driver_lost(self) -> None:
        """The driver is gone: every entity becomes unavailable."""
        self.driver = None
        for unsub in self._driver_unsubs:
            unsub()
        self._driver_unsubs = []
        for binding in self.bindings.values():
            binding.detach()

    # -- nodes -----------------------------------------------------------------

    @callback
    def _async_node_joined(self, node: Node) -> None:
        """A node object of the current driver: follow its interviews and add it."""
        node_id = node.node_id
        self._driver_unsubs += [
            # zwave-js interviews a node again after a firmware update or on request;
            # a node is bound to its entities only while it is ready
            node.on("interview started", lambda _: self._async_interview_started(node_id)),
            node.on("ready", lambda event: self._async_add_node(event["node"])),
        ]
        self._async_add_node(node)

    @callback
    def _async_interview_started(self, node_id: int) -> None:
        if (binding := self.bindings.get(node_id)) is not None:
            binding.detach()

    @callback
    def _async_add_node(self, node: Node) -> None:
        """Add a node; one that cannot be read (or matches two quirks) is logged once.

        It costs no other node.
        """
        try:
            self._async_bind_node(node)
        except Exception as err:  # noqa: BLE001 - logged; the other nodes go on
            if node.node_id in self._unreadable:
                LOGGER.debug("Node %s still cannot be read: %r", node.node_id, err)
                return
            self._unreadable.add(node.node_id)
            LOGGER.error(
                "Node %s (%s) is skipped: %r",
                node.node_id,
                _describe(node),
                err,
                exc_info=True,
            )
        else:
            self._unreadable.discard(node.node_id)

    def is_controller_node(self, node: Node) -> bool:
        """Whether a node is the controller; unlike Node.is_controller_node, never raises.

        Older servers send no isControllerNode; the controller knows its own id.
        """
        assert self.driver is not None
        return node.node_id == self.driver.controller.own_node_id or bool(
            node.data.get("isControllerNode")
        )

    @callback
    def _async_bind_node(self, node: Node) -> None:
        """Bind a node that a quirk supports; a node not ready yet stays unavailable.

        zwave-js keeps a node not ready until it has answered since the server
        started (a plug without power, a node being interviewed). Such a node
        keeps the device and entities it got in an earlier run.
        """
        if self.is_controller_node(node):
            return
        binding = self.bindings.get(node.node_id)
        if not node.ready:
            if binding is None:
                binding = self._async_bind_unready(node)
            if binding is not None:
                binding.detach()
            return
        resolved = find_quirk_with(_node_ids(node), node.firmware_version, self.user_quirks)
        if resolved is None:
            # no quirk supports the device (any more)
            self._async_remove_node(node.node_id)
            return
        new = binding is None
        if binding is None:
            binding = self._async_new_binding(node.node_id, resolved)
        elif binding.resolved != resolved:
            # a firmware update changed which variants apply: rebuild the entities
            LOGGER.info("Node %s changed firmware; reloading its entities", node.node_id)
            self.hass.config_entries.async_schedule_reload(self.entry.entry_id)
        self._async_update_device(binding, node)
        binding.attach(node)
        if binding.resolved == resolved:
            self._async_remove_undeclared_entities(binding)
        if new:
            self._async_add_entities(binding)

    @callback
    def _async_bind_unready(self, node: Node) -> NodeBinding | None:
        """Bind a node that is not ready to the device it got in an earlier run.

        Its quirk comes from the ids the server cached for it or, when the
        server has none yet, from that device.
        """
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self._device_key(node.node_id)), self.entry.entry_id
        )
        if device is None:
            return None
        ids, firmware = _node_ids(node), node.firmware_version
        if None in ids:
            ids, firmware = _device_ids(device, self.user_quirks), device.sw_version
        resolved = find_quirk_with(ids, firmware, self.user_quirks)
        if resolved is None:
            return None
        binding = self._async_new_binding(node.node_id, resolved)
        binding.device_id = device.id
        self._async_add_entities(binding)
        return binding

    @callback
    def _async_new_binding(self, node_id: int, resolved: ResolvedQuirk) -> NodeBinding:
        binding = NodeBinding(
            self.hass,
            self.home_id,
            node_id,
            resolved,
            is_connected=lambda: self.connected,
            entry_id=self.entry.entry_id,
            options=self.entry.options,
        )
        self.bindings[node_id] = binding
        return binding

    @callback
    def _async_remove_node(self, node_id: int, gone: bool = False) -> None:
        """A node left the network (gone), or no quirk supports it: remove its device.

        The stored totals go only with a node that left: a firmware update
        may make it supported again, and its totals must go on then.
        """
        if (binding := self.bindings.pop(node_id, None)) is not None:
            binding.detach()
            readings = binding.readings
            self.entry.async_create_task(
                self.hass,
                readings.async_remove() if gone else readings.async_stop(),
                f"{DOMAIN} readings of node {node_id}",
            )
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier(
            (DOMAIN, self._device_key(node_id)), self.entry.entry_id
        )
        if device is not None:
            registry.async_remove_device(device.id)
            LOGGER.info("Node %s was removed; so was its device", node_id)

    # -- devices and entities --------------------------------------------------

    def _device_key(self, node_id: int) -> str:
        return ids.device_key(self.home_id, node_id)

    @callback
    def _async_network_device(self, version: VersionInfo) -> None:
        """The device of the network the entry connects to: a service, not hardware.

        Named after the network, so that it never reads like Home Assistant's
        own Z-Wave JS integration; the driver's version is its model, labelled.
        """
        self.controller_device_id = (
            dr.async_get(self.hass)
            .async_get_or_create(
                config_entry_id=self.entry.entry_id,
                identifiers={(DOMAIN, ids.network_key(self.home_id))},
                entry_type=dr.DeviceEntryType.SERVICE,
                manufacturer="Z-Wave JS",
                model=f"Driver {version.driver_version}, server {version.server_version}",
                name=f"Z-Wave network {self.home_id:08x}",
                sw_version=None,
                via_device_id=self._via_device(None),
            )
            .id
        )

    @callback
    def _async_update_device(self, binding: NodeBinding, node: Node) -> None:
        """Create the device of a ready node, or bring it up to date."""
        fingerprint = binding.resolved.fingerprint
        binding.device_id = (
            dr.async_get(self.hass)
            .async_get_or_create(
                config_entry_id=self.entry.entry_id,
                identifiers={(DOMAIN, binding.device_key)},
                manufacturer=fingerprint.manufacturer,
                model=fingerprint.model,
                model_id=None,
                name=node.name or f"{fingerprint.manufacturer} {fingerprint.model}",
                sw_version=node.firmware_version,
                suggested_area=node.location or None,
                via_device_id=self._via_device(node.node_id),
            )
            .id
        )

    @callback
    def _async_add_entities(self, binding: NodeBinding) -> None:
        for platform, add in self._platforms.items():
            try:
                add(binding)
            except Exception:  # noqa: BLE001 - logged; the other platforms go on
                LOGGER.exception("Node %s: %s entities failed", binding.node_id, platform)

    @callback
    def _async_remove_undeclared_entities(self, binding: NodeBinding) -> None:
        """Remove entities the node's quirk no longer declares (e.g. after a firmware change)."""
        assert binding.device_id is not None
        registry = er.async_get(self.hass)
        # by platform too: another quirk (a user's) may use a key on another platform
        keep = {
            (platform, binding.unique_id(key)) for platform, key in binding.resolved.platform_keys
        }
        for entity in er.async_entries_for_device(
            registry, binding.device_id, include_disabled_entities=True
        ):
            if (
                entity.config_entry_id == self.entry.entry_id
                and (entity.domain, entity.unique_id) not in keep
            ):
                LOGGER.info("Removing %s: the quirk no longer declares it", entity.entity_id)
                registry.async_remove(entity.entity_id)

    @callback
    def _async_remove_stale_devices(self, left_out: Collection[int]) -> None:
        """Remove the devices of nodes that the controller no longer lists.

        A node that is not ready or dead is not stale here; one that no quirk
        claims any more (left out) loses its device, not its totals.
        """
        assert self.driver is not None
        registry = dr.async_get(self.hass)
        nodes = self.driver.controller.nodes
        for node_id in [n for n in self.bindings if n not in nodes]:
            self._async_remove_node(node_id, gone=node_id not in left_out)
        keep = {ids.network_key(self.home_id)} | {self._device_key(node_id) for node_id in nodes}
        for device in dr.async_entries_for_config_entry(registry, self.entry.entry_id):
            if not any(domain == DOMAIN and key in keep for domain, key in device.identifiers):
                registry.async_remove_device(device.id)

    # -- platforms -------------------------------------------------------------

    @callback
    def async_register_platform(
        self, platform: Platform, add: Callable[[NodeBinding], None]
    ) -> None:
        """Let a platform create the entities of every bound node, now and later."""
        self._platforms[platform] = add
        for binding in self.bindings.values():
            add(binding)

    @callback
    def async_unregister_platforms(self) -> None:
        """Stop creating entities: the platforms are being unloaded."""
        self._platforms.clear()

    async def async_stop(self) -> None:
        """Save every node's readings: the entry is unloading (one failing costs no other)."""
        results = await asyncio.gather(
            *(binding.readings.async_stop() for binding in list(self.bindings.values())),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, Exception):
                LOGGER.warning("Saving a node's totals failed: %r", result)
