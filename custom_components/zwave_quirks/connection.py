"""The connection to a Z-Wave JS server: connect, listen, reconnect, rebind.

The library cannot reuse a client after its connection closed, so every
reconnect builds a new client and new node objects; each NodeBinding
(binding.py) is re-attached to its new node object.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from zwave_js_server.client import Client
from zwave_js_server.exceptions import BaseZwaveJSServerError
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node

from .binding import NodeBinding
from .const import (
    CONF_URL,
    CONNECT_TIMEOUT,
    DOMAIN,
    DRIVER_READY_TIMEOUT,
    LOGGER,
    RECONNECT_MAX_DELAY,
    RECONNECT_MIN_DELAY,
    USER_AGENT,
)
from .quirks.registry import AmbiguousQuirk, find_quirk
from .server import ServerCheckError, async_check_server
from .util import redact_url

type ZwaveQuirksConfigEntry = ConfigEntry[ZwaveConnection]


class ConnectError(Exception):
    """Connecting failed; ``reason`` is a translation key."""

    def __init__(self, reason: str, detail: str) -> None:
        """Initialize."""
        super().__init__(detail)
        self.reason = reason


class ZwaveConnection:
    """Owns the client of one config entry and the bindings of its nodes."""

    def __init__(self, hass: HomeAssistant, entry: ZwaveQuirksConfigEntry) -> None:
        """Initialize."""
        self.hass = hass
        self.entry = entry
        self.url: str = entry.data[CONF_URL]
        self.client: Client | None = None
        self.home_id: int = int(entry.unique_id) if entry.unique_id else 0
        self.bindings: dict[int, NodeBinding] = {}
        self._platforms: dict[Platform, Callable[[NodeBinding], None]] = {}
        self._listen_task: asyncio.Task[None] | None = None
        self._driver_unsubs: list[Callable[[], None]] = []
        self._stopping = False
        self._first_bind = True
        self._controller_device_id: str | None = None

    @property
    def connected(self) -> bool:
        """Whether a client is connected and its driver is ready."""
        return self.client is not None and self.client.connected and self.driver is not None

    @property
    def driver(self) -> Driver | None:
        """The driver model of the current connection."""
        return None if self.client is None else self.client.driver

    # -- lifecycle -----------------------------------------------------------

    async def async_start(self) -> None:
        """Connect for the first time; raise ConfigEntryNotReady on failure."""
        try:
            await self._async_open()
        except ConnectError as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key=err.reason,
                translation_placeholders={"url": redact_url(self.url), "error": str(err)},
            ) from err
        self.entry.async_create_background_task(
            self.hass, self._async_supervise(), f"{DOMAIN} connection {self.entry.entry_id}"
        )

    async def async_stop(self) -> None:
        """Disconnect and drop every listener."""
        self._stopping = True
        self._unsubscribe_driver()
        for binding in self.bindings.values():
            binding.detach()
        if self._listen_task is not None:
            self._listen_task.cancel()
        if self.client is not None:
            await self.client.disconnect()
        if self._listen_task is not None:
            await asyncio.gather(self._listen_task, return_exceptions=True)
            self._listen_task = None
        self.client = None

    async def _async_open(self) -> None:
        """Connect a new client, listen, and wait until its driver is ready."""
        # check the server and its network before the client connects for good
        try:
            version = await async_check_server(self.hass, self.url)
        except ServerCheckError as err:
            reason = "cannot_connect" if err.reason == "cannot_connect" else "bad_server"
            raise ConnectError(reason, err.reason.replace("_", " ")) from err
        if self.home_id and version.home_id != self.home_id:
            raise ConnectError(
                "wrong_network", f"home id {version.home_id:#x}, expected {self.home_id:#x}"
            )
        client = Client(
            self.url,
            async_get_clientsession(self.hass),
            additional_user_agent_components=USER_AGENT,
        )
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await client.connect()
        except BaseException as err:
            # the WebSocket may be open already: close it on every failure
            await client.disconnect()
            if isinstance(err, TimeoutError):
                raise ConnectError("cannot_connect", "timed out") from err
            if isinstance(err, BaseZwaveJSServerError):
                # the library's text can hold the URL with its credentials
                raise ConnectError("cannot_connect", type(err).__name__) from err
            if isinstance(err, Exception):
                # e.g. a version message without the fields the library reads
                raise ConnectError("bad_server", type(err).__name__) from err
            raise
        assert client.version is not None
        ready = asyncio.Event()
        listen = self.entry.async_create_background_task(
            self.hass, self._async_listen(client, ready), f"{DOMAIN} listen"
        )
        waiter = asyncio.ensure_future(ready.wait())
        try:
            async with asyncio.timeout(DRIVER_READY_TIMEOUT):
                await asyncio.wait((listen, waiter), return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            pass
        finally:
            waiter.cancel()
        if not ready.is_set():
            listen.cancel()
            await client.disconnect()
            raise ConnectError("driver_not_ready", "the driver did not become ready")
        self.client = client
        self._listen_task = listen
        self.home_id = client.version.home_id
        try:
            self._async_on_driver_ready()
        except Exception as err:
            LOGGER.exception("Binding the nodes failed")
            self._async_on_disconnected()
            listen.cancel()
            await client.disconnect()
            raise ConnectError("driver_not_ready", type(err).__name__) from err

    async def _async_listen(self, client: Client, ready: asyncio.Event) -> None:
        try:
            await client.listen(ready)
        except BaseZwaveJSServerError as err:
            LOGGER.debug("Listening ended: %s", err)
        except Exception as err:  # noqa: BLE001 - logged here, the supervisor reconnects
            LOGGER.exception(
                "Listening to the Z-Wave JS server %s failed: %s", redact_url(self.url), err
            )

    async def _async_supervise(self) -> None:
        """Wait for the connection to end, then reconnect with backoff."""
        while not self._stopping:
            assert self._listen_task is not None
            await asyncio.gather(self._listen_task, return_exceptions=True)
            if self._stopping:
                return
            LOGGER.info("Connection to the Z-Wave JS server %s lost", redact_url(self.url))
            self._async_on_disconnected()
            delay = RECONNECT_MIN_DELAY
            while not self._stopping:
                await asyncio.sleep(delay)
                try:
                    await self._async_open()
                except ConnectError as err:
                    LOGGER.debug("Reconnect failed (%s), next try in %ss", err, delay)
                    delay = min(delay * 2, RECONNECT_MAX_DELAY)
                    continue
                except Exception:  # noqa: BLE001 - keep reconnecting whatever happened
                    LOGGER.exception("Unexpected error while reconnecting")
                    delay = min(delay * 2, RECONNECT_MAX_DELAY)
                    continue
                LOGGER.info("Connection to the Z-Wave JS server %s is back", redact_url(self.url))
                break

    @callback
    def _async_on_disconnected(self) -> None:
        self._unsubscribe_driver()
        if self.client is not None:
            self.client = None
        for binding in self.bindings.values():
            binding.detach()

    def _unsubscribe_driver(self) -> None:
        for unsub in self._driver_unsubs:
            unsub()
        self._driver_unsubs = []

    # -- nodes and devices -----------------------------------------------------

    @callback
    def _async_on_driver_ready(self) -> None:
        driver = self.driver
        assert driver is not None
        controller = driver.controller
        self._driver_unsubs = [
            controller.on("node added", lambda event: self._async_add_node(event["node"])),
            controller.on(
                "node removed", lambda event: self._async_remove_node(event["node"].node_id)
            ),
        ]
        self._async_controller_device()
        for node in controller.nodes.values():
            self._async_add_node_isolated(node)
        for node_id in [n for n in self.bindings if n not in controller.nodes]:
            self._async_remove_node(node_id)
        if self._first_bind:
            self._first_bind = False
            self._async_remove_stale_devices()

    @callback
    def _async_controller_device(self) -> None:
        driver = self.driver
        assert driver is not None and self.client is not None and self.client.version
        self._controller_device_id = (
            dr.async_get(self.hass)
            .async_get_or_create(
                config_entry_id=self.entry.entry_id,
                identifiers={(DOMAIN, str(self.home_id))},
                manufacturer="Z-Wave JS",
                model="Z-Wave controller",
                name="Z-Wave JS",
                sw_version=self.client.version.driver_version,
            )
            .id
        )

    @callback
    def async_node_ready(self, node: Node) -> None:
        """A bound node was interviewed again: check its quirk still applies."""
        self._async_add_node(node)

    @callback
    def _async_add_node_isolated(self, node: Node) -> None:
        """Add a node; one that fails is logged and costs no other node."""
        try:
            self._async_add_node(node)
        except Exception:  # noqa: BLE001 - logged; the other nodes go on
            LOGGER.exception("Node %s could not be set up", node.node_id)

    @callback
    def _async_add_node(self, node: Node) -> None:
        """Bind a node if a quirk supports it; wait for its interview if needed."""
        if node.is_controller_node:
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
        for platform, add in self._platforms.items():
            try:
                add(binding)
            except Exception:  # noqa: BLE001 - logged; the other platforms go on
                LOGGER.exception("Node %s: %s entities failed", node.node_id, platform)

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
