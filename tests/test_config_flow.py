"""Config flow: every error, duplicates, discovery and reconfigure."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from ipaddress import ip_address
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server import const as zwave_const

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import ROOT, AsyncSim

OTHER_HOME_ID = 0x0BADBEEF
TRANSLATIONS = ROOT / "custom_components" / DOMAIN / "translations"

type ServerFactory = Callable[[str, dict[str, Any] | None], Awaitable[str]]


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """The flow is tested on its own; setting up the entry is tested elsewhere."""
    with patch(
        "custom_components.zwave_quirks.async_setup_entry", AsyncMock(return_value=True)
    ) as mock:
        yield mock


def version_message(home_id: int, min_schema: int = 0, max_schema: int = 50) -> dict[str, Any]:
    return {
        "type": "version",
        "driverVersion": "15.29.0",
        "serverVersion": "3.10.2",
        "homeId": home_id,
        "minSchemaVersion": min_schema,
        "maxSchemaVersion": max_schema,
    }


@pytest.fixture
async def stub_server(socket_enabled: None) -> AsyncIterator[ServerFactory]:
    """Local servers that are *not* a working Z-Wave JS server of our network."""
    runners: list[web.AppRunner] = []

    async def start(kind: str, message: dict[str, Any] | None = None) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            if kind == "http":
                return web.Response(text="<html>a router</html>")
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            if kind == "json":
                await ws.send_json(message)
            elif kind == "text":
                await ws.send_str("hello")
            async for msg in ws:  # keep open until the client leaves; commands succeed
                if msg.type is WSMsgType.CLOSE:
                    break
                if kind == "json" and msg.type is WSMsgType.TEXT:
                    command = json.loads(msg.data)
                    await ws.send_json(
                        {"type": "result", "messageId": command.get("messageId"), "success": True}
                    )
            return ws

        app = web.Application()
        app.router.add_get("/", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"ws://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def submit(hass: HomeAssistant, url: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: url})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3000", "ws://", "127.0.0.1:3000", "not a url", "wss:///path"]
)
async def test_invalid_url(hass: HomeAssistant, url: str) -> None:
    result = await submit(hass, url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_url"}


async def test_cannot_connect(hass: HomeAssistant, socket_enabled: None) -> None:
    result = await submit(hass, f"ws://127.0.0.1:{closed_port()}")
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.parametrize(
    "error",
    [
        aiohttp.ClientConnectorDNSError(MagicMock(), OSError(-2, "Name or service not known")),
        TimeoutError(),
        aiohttp.ClientOSError(),
    ],
)
async def test_cannot_connect_dns_and_timeout(hass: HomeAssistant, error: Exception) -> None:
    """DNS errors and timeouts (no lookup leaves this machine in the tests)."""
    session = MagicMock()
    session.ws_connect = AsyncMock(side_effect=error)
    with patch(
        "custom_components.zwave_quirks.server.async_get_clientsession",
        return_value=session,
    ):
        result = await submit(hass, "ws://no-such-host.invalid:3000")
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("http", None),
        ("text", None),
        ("json", {"type": "hello", "homeId": 1}),
        ("json", {"type": "version", "serverVersion": "1"}),
        ("json", {"type": "version", "driverVersion": "x", "serverVersion": "y", "homeId": "z"}),
    ],
)
async def test_not_zwave_js(
    hass: HomeAssistant, stub_server: ServerFactory, kind: str, message: dict | None
) -> None:
    result = await submit(hass, await stub_server(kind, message))
    assert result["errors"] == {"base": "not_zwave_js"}


async def test_silent_websocket_is_not_zwave_js(
    hass: HomeAssistant, stub_server: ServerFactory
) -> None:
    url = await stub_server("silent", None)
    with patch("custom_components.zwave_quirks.server.CONNECT_TIMEOUT", 0.2):
        result = await submit(hass, url)
    assert result["errors"] == {"base": "not_zwave_js"}


@pytest.mark.parametrize("side", ["too old", "too new"])
async def test_incompatible_version(
    hass: HomeAssistant, stub_server: ServerFactory, side: str
) -> None:
    # the range of the installed library (0.73.1: 49-50, 0.74.0: 51, 0.75.0: 52)
    ours = (zwave_const.MIN_SERVER_SCHEMA_VERSION, zwave_const.MAX_SERVER_SCHEMA_VERSION)
    low, high = (1, ours[0] - 1) if side == "too old" else (ours[1] + 1, ours[1] + 10)
    url = await stub_server("json", version_message(OTHER_HOME_ID, low, high))
    result = await submit(hass, url)
    assert result["errors"] == {"base": "incompatible_version"}
    placeholders = result["description_placeholders"]
    assert placeholders["server_schemas"] == f"{low}-{high}"
    assert placeholders["supported_schemas"] == f"{ours[0]}-{ours[1]}"


async def test_user_creates_entry_for_the_real_server(hass: HomeAssistant, sim: AsyncSim) -> None:
    result = await submit(hass, f"  {sim.url} ")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_URL: sim.url}
    assert result["result"].unique_id == str(sim.home_id)


async def test_error_then_success_keeps_the_form_usable(hass: HomeAssistant, sim: AsyncSim) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: "http://wrong"}
    )
    assert result["errors"] == {"base": "invalid_url"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: sim.url})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_same_network_aborts_and_updates_url(
    hass: HomeAssistant, stub_server: ServerFactory
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=str(OTHER_HOME_ID), data={CONF_URL: "ws://old:3000"}
    )
    entry.add_to_hass(hass)
    url = await stub_server("json", version_message(OTHER_HOME_ID))
    result = await submit(hass, url)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_updated"
    assert entry.data[CONF_URL] == url
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


def zeroconf_info(port: int, home_id: str | None) -> ZeroconfServiceInfo:
    properties = {"homeId": home_id} if home_id else {}
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname="zwave-js.local.",
        name="zwave-js-server._zwave-js-server._tcp.local.",
        port=port,
        type="_zwave-js-server._tcp.local.",
        properties=properties,
    )


async def test_zeroconf_confirm_creates_entry(hass: HomeAssistant, sim: AsyncSim) -> None:
    port = int(sim.url.rsplit(":", 1)[1])
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(port, str(sim.home_id)),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_URL: sim.url}
    assert result["result"].unique_id == str(sim.home_id)


async def _rediscover(hass: HomeAssistant, stored: str) -> tuple[MockConfigEntry, bool]:
    """A loaded entry with a stored URL; its network is announced at 127.0.0.1:3001.

    Return the entry and whether it was reloaded.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="1234",
        data={CONF_URL: stored},
        state=ConfigEntryState.LOADED,
    )
    entry.add_to_hass(hass)
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(3001, "1234")
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    return entry, reload.called


@pytest.mark.parametrize(
    ("stored", "updated"),
    [
        ("ws://192.168.1.5:3000", "ws://127.0.0.1:3001"),
        ("ws://192.168.1.5:3000/", "ws://127.0.0.1:3001/"),
        ("ws://[fe80::1]:3000", "ws://127.0.0.1:3001"),
    ],
)
async def test_zeroconf_rediscovery_updates_host_and_port(
    hass: HomeAssistant, stored: str, updated: str
) -> None:
    entry, reloaded = await _rediscover(hass, stored)
    assert entry.data[CONF_URL] == updated
    assert reloaded


@pytest.mark.parametrize(
    "stored",
    [
        "ws://127.0.0.1:3001",  # what was announced: nothing to change
        "wss://192.168.1.5:3000",
        "ws://zwave-js.example:3000",
        "ws://192.168.1.5:3000/zwave",
        "ws://user:secret@192.168.1.5:3000",
        "ws://192.168.1.5:3000/?token=abc",
    ],
)
async def test_zeroconf_rediscovery_keeps_what_it_does_not_describe(
    hass: HomeAssistant, stored: str
) -> None:
    """Scheme, host names, paths, credentials and queries are the user's: no change, no reload."""
    entry, reloaded = await _rediscover(hass, stored)
    assert entry.data[CONF_URL] == stored
    assert not reloaded


async def test_readding_the_same_url_says_already_configured(
    hass: HomeAssistant, stub_server: ServerFactory
) -> None:
    url = await stub_server("json", version_message(OTHER_HOME_ID))
    entry = MockConfigEntry(domain=DOMAIN, unique_id=str(OTHER_HOME_ID), data={CONF_URL: url})
    entry.add_to_hass(hass)
    result = await submit(hass, url)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_URL] == url
    for language in ("en", "nb"):
        strings = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
        text = strings["config"]["abort"]["already_configured"]
        assert ("already configured" if language == "en" else "allerede satt opp") in text
        assert ("updated" if language == "en" else "oppdatert") not in text


async def test_zeroconf_without_home_id_aborts(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(3000, None)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_zwave_js"


async def test_zeroconf_confirm_refuses_another_network(
    hass: HomeAssistant, stub_server: ServerFactory
) -> None:
    url = await stub_server("json", version_message(OTHER_HOME_ID))
    port = int(url.rsplit(":", 1)[1])
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(port, "42")
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_network"


async def test_zeroconf_confirm_shows_errors(hass: HomeAssistant, socket_enabled: None) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(closed_port(), "42")
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reconfigure_accepts_same_network(hass: HomeAssistant, sim: AsyncSim) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=str(sim.home_id), data={CONF_URL: "ws://old:3000"}
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: f"ws://127.0.0.1:{closed_port()}"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: sim.url})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_URL] == sim.url


async def test_reconfigure_refuses_another_network(
    hass: HomeAssistant, stub_server: ServerFactory
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="1234", data={CONF_URL: "ws://old:3000"})
    entry.add_to_hass(hass)
    url = await stub_server("json", version_message(OTHER_HOME_ID))
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: url})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_network"
    assert entry.data[CONF_URL] == "ws://old:3000"
