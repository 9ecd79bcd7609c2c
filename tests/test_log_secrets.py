"""Nothing logged, at any level and by any logger, contains a URL's credentials or token."""

from __future__ import annotations

import logging
import socket

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import AsyncSim
from .helpers import PLUG, entity_id, wait_for

SECRETS = ("hunter2", "abc123")


def with_secrets(port: int) -> str:
    return f"ws://user:hunter2@127.0.0.1:{port}/?token=abc123"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record, with its arguments, traceback and stack."""
    return (
        "\n".join(
            f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
            for r in caplog.records
        )
        + caplog.text
    )


def assert_no_secret(caplog: pytest.LogCaptureFixture, port: int) -> None:
    text = logged(caplog)
    # the URL is logged (so the scan means something), only without its secrets
    assert f"127.0.0.1:{port}" in text
    for secret in SECRETS:
        assert secret not in text


async def test_nothing_listening(
    hass: HomeAssistant, socket_enabled: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: with_secrets(port)}, unique_id="1")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is None or not any(s in entry.reason for s in SECRETS)
    await hass.config_entries.async_unload(entry.entry_id)
    assert_no_secret(caplog, port)


@pytest.mark.usefixtures("fast_reconnect")
async def test_simulator_and_a_server_restart(
    hass: HomeAssistant, sim: AsyncSim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = URL(sim.url).port
    assert port is not None
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_URL: with_secrets(port)}, unique_id=str(sim.home_id)
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    power = entity_id(hass, sim.home_id, PLUG, "power", "sensor")

    def unavailable() -> bool:
        state = hass.states.get(power)
        return state is not None and state.state == STATE_UNAVAILABLE

    await sim.call("stop_server")
    await wait_for(hass, unavailable, limit=10, what="unavailable after the stop")
    await sim.call("start_server")
    await wait_for(hass, lambda: not unavailable(), limit=20, what="back after the start")
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert "is back" in caplog.text  # the reconnect was logged, without the secrets
    assert_no_secret(caplog, port)
