"""The transport to a Z-Wave JS server: connect, listen, detect loss, back off.

The library cannot reuse a client after its connection closed, so every
connection gets a new client. When its driver is ready the transport hands
the driver over (``on_ready``) and only then publishes the client; when the
connection ends it says so (``on_lost``) and reconnects. It knows nothing
about nodes or quirks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from zwave_js_server.client import Client
from zwave_js_server.exceptions import BaseZwaveJSServerError
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.version import VersionInfo

from .const import (
    CONF_URL,
    CONNECT_TIMEOUT,
    DOMAIN,
    DRIVER_READY_TIMEOUT,
    LOGGER,
    RECONNECT_FAST_MAX_DELAY,
    RECONNECT_FAST_PERIOD,
    RECONNECT_MAX_DELAY,
    RECONNECT_MIN_DELAY,
    STARTUP_CHECK_TIMEOUT,
    USER_AGENT,
)
from .nodefilter import NodeFilter, filtered_session
from .quirks.model import Quirk
from .quirks.registry import QUIRKS, supported_ids, used_command_classes
from .server import ServerCheckError, async_check_server
from .util import redact_url


class ConnectError(Exception):
    """Connecting failed; ``reason`` is a translation key."""

    def __init__(self, reason: str, detail: str) -> None:
        """Initialize."""
        super().__init__(detail)
        self.reason = reason


def next_delay(delay: float, outage: float) -> float:
    """The wait before the next reconnect, after waiting ``delay`` in an outage so long.

    Doubling, but at most a few seconds in the first minute, so that a
    restarted server is found again quickly; then at most a minute.
    """
    limit = RECONNECT_FAST_MAX_DELAY if outage < RECONNECT_FAST_PERIOD else RECONNECT_MAX_DELAY
    return min(delay * 2, limit)


class ZwaveTransport:
    """One entry's connection to its Z-Wave JS server, kept up until stopped."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        on_ready: Callable[[Driver, VersionInfo], None],
        on_lost: Callable[[], None],
    ) -> None:
        """Initialize."""
        self.hass = hass
        self.entry = entry
        self.url: str = entry.data[CONF_URL]
        # the network the entry belongs to; learned on the first connect if unknown
        self.home_id: int = int(entry.unique_id) if entry.unique_id else 0
        self.client: Client | None = None
        # what the last connection's client was not shown (for the diagnostics)
        self.node_filter = NodeFilter(frozenset())
        # the user's quirks: their nodes are kept too
        self.user_quirks: tuple[Quirk, ...] = ()
        self._on_ready = on_ready
        self._on_lost = on_lost
        self._listen_task: asyncio.Task[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """Whether a client is published and still connected."""
        return self.client is not None and self.client.connected

    async def async_start(self) -> None:
        """Connect for the first time (raise ConnectError), then keep the connection."""
        await self._async_open()
        self._supervisor = self.entry.async_create_background_task(
            self.hass, self._async_supervise(), f"{DOMAIN} connection {self.entry.entry_id}"
        )

    async def async_stop(self) -> None:
        """Stop reconnecting and close the connection."""
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)
            self._supervisor = None
        client, listen = self.client, self._listen_task
        self.client = self._listen_task = None
        if client is not None and listen is not None:
            await self._async_discard(client, listen)

    # -- one connection --------------------------------------------------------

    async def _async_open(self) -> None:
        """Connect a new client, wait for its driver, hand it over, then publish it."""
        await self._async_check()
        client = await self._async_connect()
        ready = asyncio.Event()
        listen = self.entry.async_create_background_task(
            self.hass, self._async_listen(client, ready), f"{DOMAIN} listen"
        )
        try:
            await self._async_wait_ready(listen, ready)
            assert client.driver is not None and client.version is not None
            self.home_id = client.version.home_id
            self._hand_over(client.driver, client.version)
        except BaseException:
            await self._async_discard(client, listen)
            raise
        finally:
            self.node_filter.release_state()  # the library has built its nodes, or is gone
        self.client, self._listen_task = client, listen

    async def _async_check(self) -> None:
        """Check the server and its network before a client connects for good.

        While Home Assistant starts, the check has STARTUP_CHECK_TIMEOUT: a
        server that accepts and then hangs must not hold up the start (Home
        Assistant tries a not ready entry again once it has started).
        """
        try:
            if self.hass.state is CoreState.running:
                version = await async_check_server(self.hass, self.url)
            else:
                async with asyncio.timeout(STARTUP_CHECK_TIMEOUT):
                    version = await async_check_server(self.hass, self.url)
        except TimeoutError as err:
            raise ConnectError("cannot_connect", "no answer while Home Assistant starts") from err
        except ServerCheckError as err:
            reason = (
                err.reason
                if err.reason in ("cannot_connect", "incompatible_version", "certificate")
                else "bad_server"
            )
            raise ConnectError(reason, err.reason.replace("_", " ")) from err
        if self.home_id and version.home_id != self.home_id:
            raise ConnectError(
                "wrong_network", f"home id {version.home_id:#x}, expected {self.home_id:#x}"
            )

    async def _async_connect(self) -> Client:
        """A connected client; its WebSocket is closed again on every failure."""
        # the library builds and follows only the nodes a quirk may claim, and of
        # them only the values of the command classes a quirk reads
        quirks = (*self.user_quirks, *QUIRKS)
        self.node_filter = NodeFilter(supported_ids(quirks), used_command_classes(quirks))
        client = Client(
            self.url,
            filtered_session(async_get_clientsession(self.hass), self.node_filter),
            additional_user_agent_components=USER_AGENT,
        )
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await client.connect()
        except BaseException as err:
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
        return client

    async def _async_wait_ready(self, listen: asyncio.Task[None], ready: asyncio.Event) -> None:
        """Wait until the driver is ready; raise if listening ends or it takes too long."""
        waiter = asyncio.ensure_future(ready.wait())
        try:
            async with asyncio.timeout(DRIVER_READY_TIMEOUT):
                await asyncio.wait((listen, waiter), return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            pass
        finally:
            waiter.cancel()
        if not ready.is_set():
            raise ConnectError("driver_not_ready", "the driver did not become ready")

    def _hand_over(self, driver: Driver, version: VersionInfo) -> None:
        """Let the owner bind the nodes; a failure takes the driver back."""
        try:
            self._on_ready(driver, version)
        except Exception as err:
            LOGGER.exception("Setting up the nodes of the Z-Wave JS server failed")
            self._on_lost()
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

    @staticmethod
    async def _async_discard(client: Client, listen: asyncio.Task[None]) -> None:
        """Close a client and end its listen task."""
        listen.cancel()
        await client.disconnect()
        await asyncio.gather(listen, return_exceptions=True)

    # -- loss and return -------------------------------------------------------

    async def _async_supervise(self) -> None:
        """Wait for the connection to end, then reconnect with backoff; until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            assert self._listen_task is not None
            await asyncio.wait((self._listen_task,))
            self.client = self._listen_task = None
            if self.hass.is_stopping:
                # Home Assistant closes its sessions: nothing was lost
                self._on_lost()
                return
            LOGGER.info("Connection to the Z-Wave JS server %s lost", redact_url(self.url))
            self._on_lost()
            lost_at = loop.time()
            delay = RECONNECT_MIN_DELAY
            while True:
                await asyncio.sleep(delay)
                try:
                    await self._async_open()
                except ConnectError as err:
                    LOGGER.debug("Reconnect failed (%s)", err)
                except Exception:  # noqa: BLE001 - keep reconnecting whatever happened
                    LOGGER.exception("Unexpected error while reconnecting")
                else:
                    break
                delay = next_delay(delay, loop.time() - lost_at)
            LOGGER.info("Connection to the Z-Wave JS server %s is back", redact_url(self.url))
