"""Device actions: the picked device's own parameters, each with its own value box."""

from __future__ import annotations

from typing import Any

import probatio as vol
import pytest
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.device_automation.exceptions import InvalidDeviceAutomationConfig
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.zwave_quirks import device_action
from custom_components.zwave_quirks.const import DOMAIN

from .fixture_client import HOME_ID, FixtureClient
from .helpers import HAN, PLUG, entity_id


@pytest.fixture
def entry(fixture_entry: MockConfigEntry) -> MockConfigEntry:
    return fixture_entry


def _device(entry: MockConfigEntry, node: int) -> str:
    device_id = entry.runtime_data.bindings[node].device_id
    assert device_id is not None
    return device_id


async def _action(
    hass: HomeAssistant, entry: MockConfigEntry, node: int, parameter: int
) -> dict[str, Any]:
    """The device action of one parameter, as the editor lists it."""
    actions = await async_get_device_automations(
        hass, DeviceAutomationType.ACTION, _device(entry, node)
    )
    action: dict[str, Any] = next(
        a for a in actions if a["domain"] == DOMAIN and a["parameter"] == parameter
    )
    return action


def _shown_name(hass: HomeAssistant, registry_id: str) -> str:
    """What the frontend names an action's entity (ha-device-automation's rule)."""
    registered = er.async_get(hass).async_get(registry_id)
    assert registered is not None
    state = hass.states.get(registered.entity_id)
    assert state is not None
    return state.name


async def test_each_device_lists_its_own_parameters_by_name(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    han = await async_get_device_automations(hass, DeviceAutomationType.ACTION, _device(entry, HAN))
    ours = [a for a in han if a["domain"] == DOMAIN]
    names = {a["parameter"]: _shown_name(hass, a["entity_id"]) for a in ours}
    # 9 and 10 (the meter's serial number, read only) cannot be set
    assert sorted(names) == [1, 2, 3, 4, 5, 6, 7, 8, 11]
    assert names[7] == "Heatit Z-HAN2 Temp. change"
    assert all(a["type"] == "set_parameter" for a in ours)

    plug = await async_get_device_automations(
        hass, DeviceAutomationType.ACTION, _device(entry, PLUG)
    )
    plug_parameters = {a["parameter"] for a in plug if a["domain"] == DOMAIN}
    assert 7 not in plug_parameters
    assert {21, 151} <= plug_parameters


async def _capabilities(
    hass: HomeAssistant, ws: WebSocketGenerator, action: dict[str, Any]
) -> list[dict[str, Any]]:
    assert await async_setup_component(hass, "device_automation", {})
    client = await ws()
    await client.send_json_auto_id(
        {"type": "device_automation/action/capabilities", "action": action}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    fields: list[dict[str, Any]] = answer["result"]["extra_fields"]
    return fields


async def test_the_value_box_has_the_parameter_s_range_and_unit(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    action = await _action(hass, entry, HAN, 7)
    [field] = await _capabilities(hass, hass_ws_client, action)
    assert field["name"] == "value"
    assert field["required"]
    # 0 (off) and 0.5-10 °C in steps of 0.5
    assert field["selector"]["number"] == {
        "min": 0,
        "max": 10,
        "step": 0.5,
        "mode": "box",
        "unit_of_measurement": "°C",
    }


async def test_an_option_parameter_offers_its_labels(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    action = await _action(hass, entry, PLUG, 21)
    [field] = await _capabilities(hass, hass_ws_client, action)
    options = field["selector"]["select"]["options"]
    select = entity_id(hass, HOME_ID, PLUG, "config_21", "select")
    state = hass.states.get(select)
    assert state is not None
    # the select entity's options, each with the label the select shows
    assert [o["value"] for o in options] == state.attributes["options"]
    assert all(o["label"] != o["value"] for o in options)


async def test_a_device_not_connected_gets_a_text_box(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    action = await _action(hass, entry, HAN, 7)
    await hass.config_entries.async_unload(entry.entry_id)
    [field] = await _capabilities(hass, hass_ws_client, action)
    assert "text" in field["selector"]
    ours = await async_get_device_automations(
        hass, DeviceAutomationType.ACTION, action["device_id"]
    )
    assert [a for a in ours if a["domain"] == DOMAIN] == []


async def _automation(hass: HomeAssistant, action: dict[str, Any], value: Any) -> None:
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "set it",
                "triggers": {"trigger": "event", "event_type": "set_it"},
                "actions": {**action, "value": value},
            }
        },
    )
    hass.bus.async_fire("set_it")
    await hass.async_block_till_done()


async def test_the_action_sets_the_parameter(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    action = await _action(hass, entry, HAN, 7)
    await _automation(hass, action, 2.5)
    command = fixture_client.last.set_values()[-1]
    assert command["valueId"]["property"] == 7
    assert command["value"] == 25


async def test_a_bad_value_is_refused_with_the_entity_s_name(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    action = await _action(hass, entry, HAN, 7)
    sent = len(fixture_client.last.set_values())
    await _automation(hass, action, 2.3)
    assert len(fixture_client.last.set_values()) == sent
    assert "Heatit Z-HAN2 Temp. change" in caplog.text


async def test_a_bad_action_config_is_refused(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    config = {"domain": DOMAIN, "device_id": _device(entry, HAN), "type": "set_parameter"}
    with pytest.raises(vol.Invalid, match="parameter"):
        await device_action.async_validate_action_config(hass, config)


async def test_a_template_value_is_rendered_when_it_runs(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    action = await _action(hass, entry, HAN, 7)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {"trigger": "event", "event_type": "set_it"},
                "actions": {**action, "value": "{{ trigger.event.data.level }}"},
            }
        },
    )
    hass.bus.async_fire("set_it", {"level": 3.5})
    await hass.async_block_till_done()
    command = fixture_client.last.set_values()[-1]
    assert (command["valueId"]["property"], command["value"]) == (7, 35)


@pytest.mark.parametrize(
    ("parameter", "value", "problem"),
    [
        (99, 1, "no parameter 99"),  # the device has none
        (9, 1, "no parameter 9"),  # read only (the meter's serial number)
        (20, 1, "no parameter 20"),  # the plug's
        (7, False, "YAML"),  # `value: off` in YAML is a boolean, not the option "off"
    ],
)
async def test_a_wrong_action_is_refused_when_the_automation_loads(
    hass: HomeAssistant, entry: MockConfigEntry, parameter: int, value: Any, problem: str
) -> None:
    config = {
        "domain": DOMAIN,
        "device_id": _device(entry, HAN),
        "type": "set_parameter",
        "subtype": "x",
        "parameter": parameter,
        "value": value,
    }
    with pytest.raises((vol.Invalid, InvalidDeviceAutomationConfig), match=problem):
        await device_action.async_validate_action_config(hass, config)


async def test_a_setting_disabled_on_purpose_gets_no_action(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Overload protection is disabled by default (turning it off may damage the device)."""
    actions = await async_get_device_automations(
        hass, DeviceAutomationType.ACTION, _device(entry, PLUG)
    )
    assert 20 not in {a["parameter"] for a in actions if a["domain"] == DOMAIN}


async def test_a_yaml_boolean_is_refused_by_the_service(
    hass: HomeAssistant, entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    sent = len(fixture_client.last.set_values())
    with pytest.raises(vol.Invalid, match="YAML"):
        await hass.services.async_call(
            DOMAIN,
            "set_parameter",
            {"device_id": _device(entry, PLUG), "parameter": 21, "value": False},
            blocking=True,
        )
    assert len(fixture_client.last.set_values()) == sent
