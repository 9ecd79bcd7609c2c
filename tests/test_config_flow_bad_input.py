"""Config flow: bad inputs, each with its translated error; no entry, no socket left open."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp import WSMsgType, web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import ROOT
from .helpers import sockets_to

# the flow is tested on its own (autouse: entries are not set up)
from .test_config_flow import no_setup  # noqa: F401

TRANSLATIONS = ROOT / "custom_components" / DOMAIN / "translations"
SERVER = "custom_components.zwave_quirks.server"
HOME_ID = 0x0BADBEEF

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class NoDns:
    """A resolver that answers nothing and records what it was asked: no lookup leaves."""

    def __init__(self) -> None:
        """Initialize."""
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[Any]:
        """Fail as a name that does not resolve fails."""
        self.asked.append(host)
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Nothing to close."""


@pytest.fixture
async def no_dns(hass: HomeAssistant) -> AsyncIterator[NoDns]:
    """Home Assistant's client session resolves through NoDns."""
    resolver = NoDns()
    connector = async_get_clientsession(hass).connector
    with patch.object(connector, "_resolver", resolver):
        yield resolver


def version_message(min_schema: int = 0, max_schema: int = 50) -> dict[str, Any]:
    return {
        "type": "version",
        "driverVersion": "15.29.0",
        "serverVersion": "3.10.2",
        "homeId": HOME_ID,
        "minSchemaVersion": min_schema,
        "maxSchemaVersion": max_schema,
    }


def websocket(
    first: dict[str, Any] | str | bytes | None,
    answer: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
    close_after_first: bool = False,
) -> Handler:
    """A WebSocket server: sends ``first``, then answers commands with ``answer``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if isinstance(first, dict):
            await ws.send_json(first)
        elif isinstance(first, str):
            await ws.send_str(first)
        elif isinstance(first, bytes):
            await ws.send_bytes(first)
        if close_after_first:
            await ws.close()
            return ws
        async for msg in ws:
            if msg.type is WSMsgType.TEXT and answer is not None:
                reply = answer(json.loads(msg.data))
                if reply is not None:
                    await ws.send_json(reply)
        return ws

    return handler


def result(command: dict[str, Any], success: bool = True) -> dict[str, Any]:
    return {"type": "result", "messageId": command["messageId"], "success": success, "result": {}}


def never_ready(command: dict[str, Any]) -> dict[str, Any] | None:
    """Initialize succeeds; start_listening is never answered."""
    return result(command) if command["command"] == "initialize" else None


def fails_to_listen(command: dict[str, Any]) -> dict[str, Any]:
    return result(command, success=command["command"] == "initialize")


async def http_page(request: web.Request) -> web.StreamResponse:
    return web.Response(text="<html>a router</html>")


@dataclass(frozen=True)
class Servers:
    """Start local servers on 127.0.0.1; every one is closed after the test."""

    stack: AsyncExitStack

    async def web(self, handler: Handler) -> int:
        app = web.Application()
        app.router.add_get("/", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        self.stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    async def silent_tcp(self) -> int:
        """Accepts the connection and never says anything, not even HTTP."""
        held: list[asyncio.StreamWriter] = []

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            held.append(writer)

        server = await asyncio.start_server(accept, "127.0.0.1", 0)

        async def stop() -> None:
            for writer in held:
                writer.close()
            server.close()
            await server.wait_closed()

        self.stack.push_async_callback(stop)
        return int(server.sockets[0].getsockname()[1])


@pytest.fixture
async def servers(socket_enabled: None) -> AsyncIterator[Servers]:
    async with AsyncExitStack() as stack:
        yield Servers(stack)


async def sockets_after(hass: HomeAssistant, port: int | None, expected: int = 0) -> int:
    """The sockets left once closing ones are closed (a transport closes on the next turn)."""
    for _ in range(50):
        count = await hass.async_add_executor_job(sockets_to, port)
        if count == expected:
            break
        await asyncio.sleep(0.02)
    return count


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# (case id, URL or server kind, error); {port} is the server's port
BAD_URLS = [
    ("empty", "", "invalid_url"),
    ("spaces", "   ", "invalid_url"),
    ("http", "http://127.0.0.1:3000", "invalid_url"),
    ("https", "https://127.0.0.1:3000", "invalid_url"),
    ("ftp", "ftp://127.0.0.1:3000", "invalid_url"),
    ("no scheme", "127.0.0.1:3000", "invalid_url"),
    ("no scheme, a name", "zwave-js.local", "invalid_url"),
    ("scheme only", "ws://", "invalid_url"),
    ("path without host", "ws:///zwave", "invalid_url"),
    ("path alone", "/zwave", "invalid_url"),
    ("port without host", "wss://:3000", "invalid_url"),
    ("port 0", "ws://127.0.0.1:0", "invalid_url"),
    ("port 70000", "ws://127.0.0.1:70000", "invalid_url"),
    ("port not a number", "ws://127.0.0.1:port", "invalid_url"),
    ("ipv6 without brackets", "ws://::1:3000", "invalid_url"),
    ("ipv6 without brackets or port", "ws://fe80::1", "invalid_url"),
    ("space in host", "ws://zwave js:3000", "invalid_url"),
    ("host label starts with a dash", "ws://-zwave.invalid:3000", "invalid_url"),
    ("does not resolve", "ws://zwave-js.invalid:3000", "cannot_connect"),
    ("unicode host", "ws://zwäve.invalid:3000", "cannot_connect"),
    ("emoji host", "wss://\N{ELECTRIC PLUG}.invalid:3000", "cannot_connect"),
]

BAD_SERVERS: list[tuple[str, str, str]] = [
    ("nothing listens", "closed", "cannot_connect"),
    ("credentials, nothing listens", "closed-credentials", "cannot_connect"),
    ("accepts and says nothing", "silent-tcp", "cannot_connect"),
    ("http server", "http", "not_zwave_js"),
    ("websocket, another protocol", "text", "not_zwave_js"),
    ("websocket, binary", "binary", "not_zwave_js"),
    ("websocket, other json", "json", "not_zwave_js"),
    ("websocket, silent", "ws-silent", "not_zwave_js"),
    ("version without home id", "no-home-id", "not_zwave_js"),
    ("unsupported schema, too old", "old-schema", "incompatible_version"),
    ("unsupported schema, too new", "new-schema", "incompatible_version"),
    ("driver never ready", "never-ready", "driver_not_ready"),
    ("start_listening fails", "fails-to-listen", "driver_not_ready"),
    ("closes after the version", "closes", "connection_closed"),
]

HANDLERS: dict[str, Handler] = {
    "http": http_page,
    "text": websocket("hello"),
    "binary": websocket(b"\x00\x01"),
    "json": websocket({"type": "hello", "homeId": 1}),
    "ws-silent": websocket(None),
    "no-home-id": websocket({"type": "version", "serverVersion": "1"}),
    "old-schema": websocket(version_message(1, 5)),
    "new-schema": websocket(version_message(60, 70)),
    "never-ready": websocket(version_message(), never_ready),
    "fails-to-listen": websocket(version_message(), fails_to_listen),
    "closes": websocket(version_message(), close_after_first=True),
}


# the fake servers' own logs (their access log holds the URL they were asked for)
SERVER_LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web")


def client_log(caplog: pytest.LogCaptureFixture) -> str:
    """What Home Assistant's side logged."""
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith(SERVER_LOGGERS)
    )


def assert_translated(error: str) -> None:
    for language in ("en", "nb"):
        strings = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
        assert strings["config"]["error"].get(error), f"{error} missing in {language}.json"


async def submit(hass: HomeAssistant, url: str) -> Any:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: url})


def assert_refused(hass: HomeAssistant, result: dict[str, Any], error: str) -> None:
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert_translated(error)
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize(("url", "error"), [c[1:] for c in BAD_URLS], ids=[c[0] for c in BAD_URLS])
async def test_bad_url(
    hass: HomeAssistant, socket_enabled: None, no_dns: NoDns, url: str, error: str
) -> None:
    before = await hass.async_add_executor_job(sockets_to, None)
    result = await submit(hass, url)
    assert_refused(hass, result, error)
    assert await sockets_after(hass, None, before) == before
    # only names under .invalid were looked up, and by NoDns
    assert all(host.endswith(".invalid") for host in no_dns.asked)
    assert bool(no_dns.asked) == (error == "cannot_connect")


@pytest.mark.parametrize(
    ("kind", "error"), [c[1:] for c in BAD_SERVERS], ids=[c[0] for c in BAD_SERVERS]
)
async def test_bad_server(
    hass: HomeAssistant,
    servers: Servers,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    error: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    if kind.startswith("closed"):
        port = closed_port()
    elif kind == "silent-tcp":
        port = await servers.silent_tcp()
    else:
        port = await servers.web(HANDLERS[kind])
    credentials = "user:hunter2@" if kind == "closed-credentials" else ""
    with (
        patch(f"{SERVER}.CONNECT_TIMEOUT", 0.3),
        patch(f"{SERVER}.DRIVER_READY_TIMEOUT", 0.3),
    ):
        result = await submit(hass, f"ws://{credentials}127.0.0.1:{port}/?token=abc123")
    assert_refused(hass, result, error)
    # an HTTP answer is complete, so its connection goes back to the shared session's
    # keep-alive pool (closed after 15 s idle): that one idle connection is allowed
    pooled = 1 if kind == "http" else 0
    assert await sockets_after(hass, port, pooled) == pooled, kind
    if pooled:
        idle = async_get_clientsession(hass).connector._conns  # type: ignore[union-attr]
        assert sum(len(conns) for conns in idle.values()) == pooled
    shown = json.dumps(result.get("description_placeholders"), default=str)
    for secret in ("hunter2", "abc123"):
        assert secret not in client_log(caplog)
        assert secret not in shown


async def test_credentials_are_accepted_never_shown_or_logged(
    hass: HomeAssistant, servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = await servers.web(
        websocket(version_message(), lambda command: result(command) | {"type": "result"})
    )
    url = f"ws://user:hunter2@127.0.0.1:{port}/?token=abc123"
    result_ = await submit(hass, url)
    assert result_["type"] is FlowResultType.CREATE_ENTRY
    assert result_["data"] == {CONF_URL: url}  # needed to connect
    shown = json.dumps([result_["title"], result_.get("description_placeholders")], default=str)
    for secret in ("hunter2", "abc123"):
        assert secret not in shown
        assert secret not in client_log(caplog)
    assert await sockets_after(hass, port) == 0
