"""Check that a URL serves a Z-Wave JS server this integration can talk to."""

from __future__ import annotations

import asyncio

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from zwave_js_server.const import MAX_SERVER_SCHEMA_VERSION, MIN_SERVER_SCHEMA_VERSION
from zwave_js_server.model.version import VersionInfo

from .const import CONNECT_TIMEOUT, LOGGER
from .util import redact_url, valid_server_url


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


async def async_check_server(hass: HomeAssistant, url: str) -> VersionInfo:
    """Connect, read the version message and check the schema range."""
    if not valid_server_url(url):
        raise ServerCheckError("invalid_url")
    session = async_get_clientsession(hass)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            socket = await session.ws_connect(url, heartbeat=None)
    except aiohttp.WSServerHandshakeError as err:
        # an HTTP server that does not speak WebSocket here
        LOGGER.debug("WebSocket handshake with %s failed: %s", redact_url(url), err.status)
        raise ServerCheckError("not_zwave_js") from err
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as err:
        LOGGER.debug("Cannot connect to %s: %s", redact_url(url), type(err).__name__)
        raise ServerCheckError("cannot_connect") from err
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            message = await socket.receive()
    except TimeoutError as err:
        raise ServerCheckError("not_zwave_js") from err
    finally:
        await socket.close()
    try:
        version = _version_message(message)
    except (ValueError, KeyError, TypeError) as err:
        LOGGER.debug("%s answered something else than Z-Wave JS: %s", redact_url(url), err)
        raise ServerCheckError("not_zwave_js") from err
    if (
        version.min_schema_version > MAX_SERVER_SCHEMA_VERSION
        or version.max_schema_version < MIN_SERVER_SCHEMA_VERSION
    ):
        raise ServerCheckError(
            "incompatible_version",
            {
                "server_version": version.server_version,
                "server_schemas": f"{version.min_schema_version}-{version.max_schema_version}",
                "supported_schemas": f"{MIN_SERVER_SCHEMA_VERSION}-{MAX_SERVER_SCHEMA_VERSION}",
            },
        )
    return version
