"""The network of supported nodes: bindings, devices and their entities.

The transport hands it a ready driver after every (re)connect; the network
binds each supported node to it (add, rebind, remove), keeps the device
registry in step and decides which devices are stale. It knows nothing
about sockets.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node
from zwave_js_server.model.version import VersionInfo

from .binding import NodeBinding
from .const import DOMAIN, LOGGER
from .quirks.registry import AmbiguousQuirk, find_quirk


def _describe(node: Node) -> str:
    """A node's ids as its state carries them, for a log line; never raises."""
    ids = [node.data.get(key) for key in ("manufacturerId", "productType", "productId")]
    shown = "/".join(f"{i:#06x}" if isinstance(i, int) else repr(i) for i in ids)
    return f"{shown}, firmware {node.data.get('firmwareVersion')!r}"


class ZwaveNetwork:
    """The bindings of one entry's supported nodes, and the driver they are bound to."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, home_id: int) -> None:
        """Initialize."""
        self.hass = hass
        self.entry = entry
        self.home_id = home_id
        self.driver: Driver | None = None
        self.bindings: dict[int, NodeBinding] = {}
        self._platforms: dict[Platform, Callable[[NodeBinding], None]] = {}
        self._driver_unsubs: list[Callable[[], None]] = []
        self._controller_device_id: str | None = None
        self._first_bind = True
        # nodes whose state could not be read, logged once
        self._unreadable: set[int] = set()

    @property
    def connected(self) -> bool:
        """Whether the nodes are bound to a live driver."""
        return self.driver is not None

    # -- the driver ----------------------------------------------------------

    @callback
    def async_driver_ready(self, driver: Driver, version: VersionInfo) -> None:
        """Bind every supported node of a (new) driver."""
        self.driver = driver
        self.home_id = version.home_id
        controller = driver.controller
        self._driver_unsubs = [
            controller.on("node added", lambda event: self._async_add_node(event["node"])),
            controller.on(
                "node removed", lambda event: self._async_remove_node(event["node"].node_id)
            ),
        ]
        self._async_controller_device(version.driver_version)
        for node in controller.nodes.values():
            self._async_add_node(node)
        for node_id in [n for n in self.bindings if n not in controller.nodes]:
            self._async_remove_node(node_id)
        if self._first_bind:
            self._first_bind = False
            self._async_remove_stale_devices()

    @callback
    def async_driver_lost(self) -> None:
        """The driver is gone: every entity becomes unavailable."""
        self.driver = None
        for unsub in self._driver_unsubs:
            unsub()
        self._driver_unsubs = []
        for binding in self.bindings.values():
            binding.detach()

    # -- nodes and devices -----------------------------------------------------

    @callback
    def _async_controller_device(self, driver_version: str) -> None:
        self._controller_device_id = (
            dr.async_get(self.hass)
            .async_get_or_create(
                config_entry_id=self.entry.entry_id,
                identifiers={(DOMAIN, str(self.home_id))},
                manufacturer="Z-Wave JS",
                model="Z-Wave controller",
                name="Z-Wave JS",
                sw_version=driver_version,
            )
            .id
        )

    @callback
    def async_node_ready(self, node: Node) -> None:
        """A bound node was interviewed again: check its quirk still applies."""
        self._async_add_node(node)

    @callback
    def _async_add_node(self, node: Node) -> None:
        """Add a node; one that cannot be read is logged once and costs no other node."""
        try:
            self._async_bind_node(node)
        except Exception as err:  # noqa: BLE001 - logged; the other nodes go on
            if node.node_id in self._unreadable:
                LOGGER.debug("Node %s still cannot be read: %r", node.node_id, err)
                return
            self._unreadable.add(node.node_id)
            LOGGER.error(
                "Node %s (%s) cannot be read and is skipped: %r",
                node.node_id,
                _describe(node),
                err,
                exc_info=True,
            )
        else:
            self._unreadable.discard(node.node_id)

    def _is_controller(self, node: Node) -> bool:
        # older servers send no isControllerNode; the controller knows its own id
        assert self.driver is not None
        return node.node_id == self.driver.controller.own_node_id or bool(
            node.data.get("isControllerNode")
        )

    @callback
    def _async_bind_node(self, node: Node) -> None:
        """Bind a node if a quirk supports it; wait for its interview if needed."""
        if self._is_controller(node):
            return
        if not node.ready:
            self._driver_unsubs.append(
                node.once("ready", lambda event: self._async_add_node(event["node"]))
            )
            return
        ids = (node.manufacturer_id, node.product_type, node.product_id)
        try:
            resolved = find_quirk(ids, node.firmware_version)
        except AmbiguousQuirk as err:
            LOGGER.error("Node %s matches several quirks, ignored: %s", node.node_id, err)
            return
        binding = self.bindings.get(node.node_id)
        if resolved is None:
            if binding is not None:
                self._async_remove_node(node.node_id)
            return
        if binding is not None and binding.resolved == resolved:
            binding.attach(node)
            return
        if binding is not None:
            # a firmware update changed which variants apply: rebuild the entities
            LOGGER.info("Node %s changed firmware; reloading its entities", node.node_id)
            self.hass.config_entries.async_schedule_reload(self.entry.entry_id)
            binding.attach(node)
            return
        binding = NodeBinding(self, node.node_id, resolved)
        self.bindings[node.node_id] = binding
        fingerprint = resolved.fingerprint
        device = dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, binding.device_key)},
            manufacturer=fingerprint.manufacturer,
            model=fingerprint.model,
            model_id=f"{fingerprint.product_type:04x}:{fingerprint.product_id:04x}",
            name=node.name or f"{fingerprint.manufacturer} {fingerprint.model}",
            sw_version=node.firmware_version,
            suggested_area=node.location or None,
            via_device_id=self._controller_device_id,
        )
        binding.device_id = device.id
        self._async_remove_undeclared_entities(binding)
        binding.attach(node)
        self._async_add_entities(binding)

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
        keep = {binding.unique_id(key) for key in binding.resolved.entity_keys}
        for entity in er.async_entries_for_device(
            registry, binding.device_id, include_disabled_entities=True
        ):
            if entity.config_entry_id == self.entry.entry_id and entity.unique_id not in keep:
                LOGGER.info("Removing %s: the quirk no longer declares it", entity.entity_id)
                registry.async_remove(entity.entity_id)

    @callback
    def _async_remove_node(self, node_id: int) -> None:
        """A node left the network: remove its device and entities."""
        binding = self.bindings.pop(node_id, None)
        if binding is None:
            return
        binding.detach()
        if binding.device_id is not None:
            dr.async_get(self.hass).async_remove_device(binding.device_id)
        LOGGER.info("Node %s was removed from the network", node_id)

    @callback
    def _async_remove_stale_devices(self) -> None:
        """Remove devices of nodes that are no longer on the network."""
        registry = dr.async_get(self.hass)
        keep = {str(self.home_id)} | {b.device_key for b in self.bindings.values()}
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
