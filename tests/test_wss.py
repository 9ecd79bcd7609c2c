"""wss:// with certificate verification on: a local TLS proxy in front of the simulator.

Trust: Home Assistant's verifying client session takes its SSL context from
``homeassistant.util.ssl.client_context`` (certifi's bundle, built once at
import) when the session's connector is first made. The test patches that
function, for its own Home Assistant only, to return a context that trusts
the test's certificate and still verifies certificate and host name, and
checks that no connector existed before. The shared cached contexts and the
process's CA bundle are left alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import aiohttp_client
from homeassistant.util import ssl as ssl_util

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import AsyncSim
from .helpers import PLUG, entity_id, wait_for


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    @property
    def pem(self) -> str:
        return self.cert.read_text()


def make_cert(directory: Path, name: str, hosts: list[str]) -> Cert:
    """A self-signed certificate for these host names and addresses."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    alt: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt.append(x509.IPAddress(ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Cert(directory / f"{name}.pem", directory / f"{name}.key")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@contextmanager
def trusting(hass: HomeAssistant, cert: Cert) -> Iterator[None]:
    """Home Assistant's verifying session trusts this certificate (and only it)."""
    assert aiohttp_client.DATA_CONNECTOR not in hass.data, "a session exists already"

    def client_context(*_: object) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=cert.pem)
        context.set_alpn_protocols(list(ssl_util.SSL_ALPN_HTTP11 or ()))
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        return context

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(aiohttp_client.ssl_util, "client_context", client_context)
        yield


async def _pump(source: Any, target: Any) -> None:
    """Forward WebSocket frames from one side to the other, then close the other."""
    async for msg in source:
        if msg.type is WSMsgType.TEXT:
            await target.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await target.send_bytes(msg.data)
    await target.close()


@dataclass(frozen=True)
class Proxy:
    """Ports of the TLS endpoints (by the certificate they serve) and the certificates."""

    ports: dict[str, int]
    certs: dict[str, Cert]


@pytest.fixture
async def tls_proxy(sim: AsyncSim, tmp_path: Path) -> AsyncIterator[Proxy]:
    """A wss:// endpoint on 127.0.0.1 forwarding to the simulator; a certificate per kind."""
    certs = {
        "good": make_cert(tmp_path, "good", ["127.0.0.1", "localhost"]),
        "other": make_cert(tmp_path, "other", ["127.0.0.1", "localhost"]),
        "wrong_host": make_cert(tmp_path, "wrong_host", ["zwave-js.invalid"]),
    }
    served: dict[str, Cert] = {"cert": certs["good"]}
    upstream_session = aiohttp.ClientSession()

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async with upstream_session.ws_connect(sim.url) as upstream:
            await asyncio.gather(_pump(ws, upstream), _pump(upstream, ws))
        return ws

    def context() -> ssl.SSLContext:
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.load_cert_chain(served["cert"].cert, served["cert"].key)
        return server

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    sites = {}
    for kind in ("good", "wrong_host"):
        served["cert"] = certs[kind]
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context())
        await site.start()
        sites[kind] = site
    ports = {kind: site._server.sockets[0].getsockname()[1] for kind, site in sites.items()}  # type: ignore[union-attr]
    yield Proxy(ports, certs)
    await runner.cleanup()
    await upstream_session.close()


async def submit(hass: HomeAssistant, url: str) -> Any:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: url})


async def test_wss_with_a_trusted_certificate_works(
    hass: HomeAssistant, sim: AsyncSim, tls_proxy: Proxy
) -> None:
    with trusting(hass, tls_proxy.certs["good"]):
        result = await submit(hass, f"wss://127.0.0.1:{tls_proxy.ports['good']}")
        assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
        await hass.async_block_till_done()
        entry = result["result"]
        assert entry.state is ConfigEntryState.LOADED
        assert entry.data[CONF_URL].startswith("wss://")
        power = entity_id(hass, sim.home_id, PLUG, "power", "sensor")
        await sim.call("report_meter", PLUG, "W", 432.1)

        def reported() -> bool:
            state = hass.states.get(power)
            return state is not None and float(state.state) == 432.1

        await wait_for(hass, reported, what="power")
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("trusted", "served"),
    [("other", "good"), ("wrong_host", "wrong_host")],
    ids=["untrusted certificate", "certificate for another host"],
)
async def test_wss_certificate_refused(
    hass: HomeAssistant, tls_proxy: Proxy, trusted: str, served: str
) -> None:
    """Trusting another certificate, or the served one that names another host."""
    certs, port = tls_proxy.certs, tls_proxy.ports[served]
    loop = asyncio.get_running_loop()
    handler = loop.get_exception_handler()
    refused: list[BaseException] = []

    def server_side(loop: asyncio.AbstractEventLoop, context: dict) -> None:
        """The proxy sees the client drop the handshake: that is the point here."""
        error = context.get("exception")
        if isinstance(error, (ConnectionResetError, ssl.SSLError)):
            refused.append(error)
        elif handler is not None:
            handler(loop, context)

    loop.set_exception_handler(server_side)
    try:
        with trusting(hass, certs[trusted]):
            result = await submit(hass, f"wss://127.0.0.1:{port}")
        await wait_for(hass, lambda: bool(refused), limit=5, what="the proxy saw the refusal")
    finally:
        loop.set_exception_handler(handler)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "certificate"}
    assert not hass.config_entries.async_entries(DOMAIN)
