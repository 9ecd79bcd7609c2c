"""Edges of the helpers, the validation and the node commands that the other tests pass by."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.exceptions import FailedZWaveCommand, NotConnected
from zwave_js_server.model.value import ValueMetadata

from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_device_diagnostics
from custom_components.zwave_quirks.quirks.hank_hkzw_so03 import QUIRK as PLUG_QUIRK
from custom_components.zwave_quirks.quirks.heatit_z_han2 import QUIRK as HAN_QUIRK
from custom_components.zwave_quirks.util import redact_url, valid_server_url
from custom_components.zwave_quirks.validation import (
    Subject,
    metadata_drift,
    raw_for_any,
    raw_for_number,
    raw_for_option,
)

from .conftest import setup_fixture_entry
from .helpers import HAN, PLUG

EN = Subject(name="the entity")
NB = Subject(name="entiteten", language="nb")


def _param(quirk_params: tuple, number: int):  # type: ignore[no-untyped-def]
    return next(p for p in quirk_params if p.number == number)


SERIAL = _param(HAN_QUIRK.parameters, 9)
HYSTERESIS = _param(HAN_QUIRK.parameters, 7)
RESTORE = _param(PLUG_QUIRK.parameters, 21)


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("ws://[::1", "**REDACTED**"),
        ("ws://u:p@host:1/x?token=t#f", "ws://host:1/x"),
        ("wss://host", "wss://host"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


@pytest.mark.parametrize("url", ["ws://[::1", "http://host", "ws://", "", "  "])
def test_invalid_server_urls(url: str) -> None:
    assert not valid_server_url(url)


def test_refusals_of_the_pure_validation() -> None:
    with pytest.raises(ServiceValidationError, match="read_only") as err:
        raw_for_number(SERIAL, 1, EN)
    assert err.value.translation_key == "read_only"
    with pytest.raises(ServiceValidationError) as err:
        raw_for_number(RESTORE, 1, EN)
    assert err.value.translation_key == "invalid_option"
    with pytest.raises(ServiceValidationError) as err:
        raw_for_option(SERIAL, "x", EN)
    assert err.value.translation_key == "read_only"
    with pytest.raises(ServiceValidationError) as err:
        raw_for_any(SERIAL, 1, EN)
    assert err.value.translation_key == "read_only"
    for value in (1.5, 7, math.inf, [1]):
        with pytest.raises(ServiceValidationError) as err:
            raw_for_any(RESTORE, value, EN)
        assert err.value.translation_key == "invalid_option", value
    with pytest.raises(ServiceValidationError) as err:
        raw_for_any(HYSTERESIS, "warm", EN)
    assert err.value.translation_key == "value_out_of_range_or_off"
    # a decimal comma only where the language writes one
    assert raw_for_any(HYSTERESIS, "2,5", NB) == 25
    with pytest.raises(ServiceValidationError):
        raw_for_any(HYSTERESIS, "2,5", EN)
    assert raw_for_any(RESTORE, "2", EN) == 2


def test_metadata_drift_ignores_state_keys_that_are_no_numbers() -> None:
    metadata = ValueMetadata(
        {"type": "number", "min": 0, "max": 2, "valueSize": 1, "states": {"x": "odd", "1": "on"}}
    )
    drift = metadata_drift(RESTORE, metadata)
    assert drift == [{"parameter": 21, "field": "options", "quirk": [0, 1, 2], "server": [1]}]


async def test_node_commands_that_fail(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    binding = fixture_entry.runtime_data.bindings[PLUG]
    node = binding.node
    assert node is not None
    failure = FailedZWaveCommand("id", 1, "no route")
    with (
        patch.object(node, "async_invoke_cc_api", AsyncMock(side_effect=failure)),
        pytest.raises(HomeAssistantError) as err,
    ):
        await binding.async_invoke(0x32, "reset", name="the plug's meters")
    assert err.value.translation_placeholders["entity"] == "the plug's meters"
    caplog.set_level(logging.WARNING)
    with patch.object(node, "async_refresh_cc_values", AsyncMock(side_effect=failure)):
        await binding.async_refresh(0x32)
    assert "refreshing values failed: zwave_error" in caplog.text
    # a refresh cut off by a lost connection: 0.73.1/0.74.0 cancel it, 0.75.0 fails it
    for lost in (asyncio.CancelledError(), NotConnected("Connection closed")):
        caplog.clear()
        with patch.object(node, "async_refresh_cc_values", AsyncMock(side_effect=lost)):
            await binding.async_refresh(0x32)
        assert "refreshing values failed: connection lost" in caplog.text
    # events without a value object are ignored, with a debug line
    binding._on_value_event("value updated", {})
    binding._on_value_notification({})


async def test_set_parameter_edges(hass: HomeAssistant, fixture_entry: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_parameter",
            {"device_id": "nope", "parameter": 7, "value": 1},
            blocking=True,
        )
    assert err.value.translation_key == "unknown_device"
    han = fixture_entry.runtime_data.bindings[HAN].device_id
    assert await hass.config_entries.async_unload(fixture_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_parameter",
            {"device_id": han, "parameter": 7, "value": 1},
            blocking=True,
        )
    assert err.value.translation_key == "unknown_device"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (TimeoutError(), "cannot_connect"),
        (KeyError("homeId"), "bad_server"),
    ],
)
async def test_connect_failures_are_translated(
    hass: HomeAssistant, fixture_client: type, error: Exception, reason: str
) -> None:
    """A connect that times out or meets a server the library cannot read: setup retries."""
    with patch.object(fixture_client, "connect", AsyncMock(side_effect=error)):
        entry = await setup_fixture_entry(hass, loads=False)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None


async def test_a_failure_binding_the_nodes_retries_the_setup(
    hass: HomeAssistant, fixture_client: type, caplog: pytest.LogCaptureFixture
) -> None:
    with patch(
        "custom_components.zwave_quirks.network.ZwaveNetwork.async_driver_ready",
        side_effect=RuntimeError("boom"),
    ):
        entry = await setup_fixture_entry(hass, loads=False)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "Setting up the nodes of the Z-Wave JS server failed" in caplog.text


async def test_diagnostics_survive_a_convert_that_raises(
    hass: HomeAssistant, fixture_entry: MockConfigEntry
) -> None:
    binding = fixture_entry.runtime_data.bindings[HAN]
    device = dr.async_get(hass).async_get(binding.device_id)
    broken = dataclasses.replace(
        next(d for d in binding.resolved.entities if d.key == "meter_serial"),
        convert=_raise,
    )
    resolved = dataclasses.replace(
        binding.resolved,
        entities=tuple(broken if d.key == "meter_serial" else d for d in binding.resolved.entities),
    )
    with patch.object(binding, "resolved", resolved):
        diagnostics = await async_get_device_diagnostics(hass, fixture_entry, device)
    entity = next(e for e in diagnostics["entities"] if e["key"] == "meter_serial")
    assert entity["value"] is None
    assert entity["convert_error"] == "ValueError: odd"


def _raise(_values: object) -> None:
    raise ValueError("odd")
