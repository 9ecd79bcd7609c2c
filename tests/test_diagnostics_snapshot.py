"""Diagnostics as a user downloads them: snapshot-tested and redacted."""

from __future__ import annotations

import json

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN
from custom_components.zwave_quirks.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)

from .fixture_client import HOME_ID, FixtureClient
from .helpers import HAN

SECRET_URL = "wss://admin:hunter2@zwave.example:3000/ws?token=abc123#frag"


@pytest.fixture
def client(fixture_client: type[FixtureClient]) -> type[FixtureClient]:
    return fixture_client


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    client: type[FixtureClient],
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    # the capacity tracker's times
    freezer.move_to("2026-01-15T09:20:00+00:00")
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_URL: SECRET_URL, "token": "abc123"},
        unique_id=str(HOME_ID),
        title=f"Z-Wave network {HOME_ID:08x}",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    device = dr.async_get(hass).async_get(entry.runtime_data.bindings[HAN].device_id)
    han = await async_get_device_diagnostics(hass, entry, device)
    assert diagnostics == snapshot(exclude=props("entry_id", "created_at", "modified_at"))
    assert han == snapshot

    text = json.dumps([diagnostics, han])
    secrets = ["admin", "hunter2", "abc123", "frag", "token=", f"{HOME_ID:08x}", str(HOME_ID)]
    serial = FixtureClient.state["nodes"][2]["values"]
    secrets += [
        str(v["value"]) for v in serial if v["commandClass"] == 112 and v["property"] in (9, 10)
    ]
    secrets.append("7359992891234567")
    for secret in secrets:
        assert secret not in text, secret
