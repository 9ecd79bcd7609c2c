"""Check that a URL serves a Z-Wave JS server this integration can talk to."""

from __future__ import annotations

import asyncio

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from zwave_js_server.model.version import VersionInfo

from .compat import schema_range
from .const import CONNECT_TIMEOUT, DRIVER_READY_TIMEOUT, LOGGER
from .util import redact_url, valid_server_url

CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)


class ServerCheckError(Exception):
    """The server failed a check; ``reason`` is a translation key."""

    def __init__(self, reason: str, placeholders: dict[str, str] | None = None) -> None:
        """Initialize."""
        super().__init__(reason)
        self.reason = reason
        self.placeholders = placeholders or {}


def _version_message(message: aiohttp.WSMessage) -> VersionInfo:
    """The server's version message; ValueError, KeyError or TypeError if it is none."""
    data = message.json() if message.type is aiohttp.WSMsgType.TEXT else None
    if not isinstance(data, dict) or data.get("type") != "version":
        raise ValueError("not a version message")
    version = VersionInfo.from_message(data)  # type: ignore[arg-type]
    if not isinstance(version.home_id, int):
        raise TypeError("no home id")
    return version


async def async_check_server(hass: HomeAssistant, url: str, *, listen: bool = False) -> VersionInfo:
    """Connect, read the version message and check the schema range.

    With ``listen``, also start listening as a client does: the driver must
    become ready and the connection stay open until it is.
    """
    if not valid_server_url(url):
        raise ServerCheckError("invalid_url")
    session = async_get_clientsession(hass)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            socket = await session.ws_connect(url, heartbeat=None)
    except aiohttp.ClientConnectorCertificateError as err:
        # wss:// whose certificate is not trusted or names another host
        LOGGER.debug("Certificate of %s refused: %s", redact_url(url), err.certificate_error)
        raise ServerCheckError("certificate") from err
    except aiohttp.WSServerHandshakeError as err:
        # an HTTP server that does not speak WebSocket here
        LOGGER.debug("WebSocket handshake with %s failed: %s", redact_url(url), err.status)
        raise ServerCheckError("not_zwave_js") from err
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as err:
        LOGGER.debug("Cannot connect to %s: %s", redact_url(url), type(err).__name__)
        raise ServerCheckError("cannot_connect") from err
    try:
        version = await _async_read_version(socket, url)
        if listen:
            await _async_wait_ready(socket, version)
    finally:
        await socket.close()
    return version


async def _async_read_version(socket: aiohttp.ClientWebSocketResponse, url: str) -> VersionInfo:
    """The server's version message, with a schema range this integration speaks."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            message = await socket.receive()
    except TimeoutError as err:
        raise ServerCheckError("not_zwave_js") from err
    try:
        version = _version_message(message)
    except (ValueError, KeyError, TypeError) as err:
        LOGGER.debug("%s answered something else than Z-Wave JS: %s", redact_url(url), err)
        raise ServerCheckError("not_zwave_js") from err
    low, high = schema_range()
    if version.min_schema_version > high or version.max_schema_version < low:
        raise ServerCheckError(
            "incompatible_version",
            {
                "server_version": version.server_version,
                "server_schemas": f"{version.min_schema_version}-{version.max_schema_version}",
                "supported_schemas": f"{low}-{high}",
            },
        )
    return version


async def _async_wait_ready(socket: aiohttp.ClientWebSocketResponse, version: VersionInfo) -> None:
    """Initialize and start listening as a client does: the driver must answer in time."""
    schema = min(schema_range()[1], version.max_schema_version)
    commands = (
        {"command": "initialize", "messageId": "initialize", "schemaVersion": schema},
        {"command": "start_listening", "messageId": "start_listening"},
    )
    try:
        async with asyncio.timeout(DRIVER_READY_TIMEOUT):
            for command in commands:
                await socket.send_json(command)
                while True:
                    message = await socket.receive()
                    if message.type in CLOSED:
                        raise ServerCheckError("connection_closed")
                    data = message.json() if message.type is aiohttp.WSMsgType.TEXT else None
                    if isinstance(data, dict) and data.get("messageId") == command["messageId"]:
                        break
                if not data.get("success"):
                    raise ServerCheckError("driver_not_ready")
    except TimeoutError as err:
        raise ServerCheckError("driver_not_ready") from err
    except (aiohttp.ClientError, ConnectionError, ValueError) as err:
        raise ServerCheckError("connection_closed") from err
