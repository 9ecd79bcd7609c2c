"""Setup, reconnect, rebind and unload with node-state fixtures: the failures of each."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.event import Event

from custom_components.zwave_quirks.const import LOGGER

from .fixture_client import FixtureClient, load_state
from .helpers import wait_for


def _node_added(client: FixtureClient, state: dict[str, Any]) -> None:
    assert client.driver is not None
    client.driver.controller.receive_event(
        Event(
            type="node added",
            data={"source": "controller", "event": "node added", "node": state, "result": {}},
        )
    )


async def test_unload_unregisters_the_platforms(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A node that joins while the entry unloads gets no entities on unloaded platforms."""
    client = fixture_client.last
    state = load_state("hank_hkzw_so03")["nodes"][0]
    client.driver.controller.receive_event(
        Event(
            type="node removed",
            data={"source": "controller", "event": "node removed", "node": state, "reason": 0},
        )
    )
    await hass.async_block_till_done()
    unload_platforms = hass.config_entries.async_unload_platforms

    async def unload_then_add(entry: Any, platforms: list[Platform]) -> bool:
        unloaded = await unload_platforms(entry, platforms)
        _node_added(client, state)
        return unloaded

    monkeypatch.setattr(hass.config_entries, "async_unload_platforms", unload_then_add)
    assert await hass.config_entries.async_unload(fixture_entry.entry_id)
    await hass.async_block_till_done()
    assert fixture_entry.state is ConfigEntryState.NOT_LOADED
    # what is left are the unavailable states Home Assistant keeps for unloaded entities
    live = [s.entity_id for s in hass.states.async_all() if not s.attributes.get("restored")]
    assert live == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def _records(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


async def _reconnected(hass: HomeAssistant, client: type[FixtureClient], count: int) -> None:
    """Wait until the count-th client is connected and bound."""
    await wait_for(
        hass,
        lambda: len(client.instances) > count and client.instances[count].connected,
        limit=5,
        what=f"client {count} connected",
    )
    await hass.async_block_till_done()


@pytest.mark.usefixtures("fast_reconnect")
async def test_loss_and_return_are_logged_once_at_info(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fixture_client.refuse = 3
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    await _reconnected(hass, fixture_client, count + 3)
    assert fixture_client.refuse == 0
    lost, back = _records(caplog, "lost"), _records(caplog, "is back")
    assert [(r.levelno, r.name) for r in lost + back] == [(logging.INFO, LOGGER.name)] * 2
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.usefixtures("fast_reconnect")
async def test_listen_failure_is_logged_with_its_traceback_then_reconnects(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fixture_client.listen_error = RuntimeError("unexpected in the library")
    count = len(fixture_client.instances)
    fixture_client.last.drop()
    # the next client fails while listening; the one after it works
    await _reconnected(hass, fixture_client, count + 1)
    failed = _records(caplog, "unexpected in the library")
    assert len(failed) == 1
    assert failed[0].levelno == logging.ERROR
    assert failed[0].exc_info is not None
    assert isinstance(failed[0].exc_info[1], RuntimeError)
    assert fixture_entry.runtime_data.connected
