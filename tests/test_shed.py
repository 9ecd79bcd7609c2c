# ruff: noqa: F811 - the capacity tests' fixtures are imported, then named as parameters
"""Loads turned off for the rest of a capacity period (`zwave_quirks.turn_off_for_period`).

The switches are another integration's (a test platform), as a water heater's
or a car charger's would be. Restarts are a new LoadShedder on the same
storage, as Home Assistant's start makes one.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.switch import DATA_COMPONENT as SWITCHES
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er

from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.services import SHEDDER
from custom_components.zwave_quirks.shed import STORAGE_KEY, LoadShedder

from .fixture_client import HOME_ID
from .helpers import HAN, entity_id
from .test_capacity_entities import Han, entry, han, oslo, oslo_time  # noqa: F401 - fixtures

HEATER, CHARGER = "switch.water_heater", "switch.car_charger"


class Load(SwitchEntity):
    """A switch of another integration."""

    _attr_should_poll = False

    def __init__(self, name: str, on: bool) -> None:
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_is_on = on
        self.calls: list[bool] = []
        self.fail_on = 0  # turn-ons that raise

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.calls.append(True)
        if self.fail_on:
            self.fail_on -= 1
            raise HomeAssistantError("the node did not answer")
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.calls.append(False)
        self._attr_is_on = False
        self.async_write_ha_state()

    def set_available(self, available: bool) -> None:
        self._attr_available = available
        self.async_write_ha_state()


@pytest.fixture
async def loads(hass: HomeAssistant, han: Han) -> dict[str, Load]:
    """A water heater (on) and a car charger (off): switches of no config entry."""
    heater, charger = Load("Water heater", True), Load("Car charger", False)
    await hass.data[SWITCHES].async_add_entities([heater, charger])
    await hass.async_block_till_done()
    assert hass.states.get(HEATER).state == "on"
    return {HEATER: heater, CHARGER: charger}


async def _turn_off(hass: HomeAssistant, han: Han, *entity_ids: str) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "turn_off_for_period",
        {"entity_id": list(entity_ids), "meter": han.entity("estimate")},
        blocking=True,
        return_response=True,
    )


async def _restart(hass: HomeAssistant) -> LoadShedder:
    """What Home Assistant's start does: a shedder from the storage."""
    hass.data[SHEDDER]._async_stop(None)  # type: ignore[arg-type]
    shedder = LoadShedder(hass)
    await shedder.async_load()
    hass.data[SHEDDER] = shedder
    await hass.async_block_till_done()
    return shedder


async def test_the_loads_that_were_on_go_off_until_the_hour_ends(
    hass: HomeAssistant, han: Han, loads: dict[str, Load], hass_storage: dict[str, Any]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    response = await _turn_off(hass, han, HEATER, CHARGER)
    assert response == {"turned_off": [HEATER], "until": "2026-01-15T10:00:00+00:00"}
    assert hass.states.get(HEATER).state == "off"
    assert loads[CHARGER].calls == []  # it was off: not ours to turn on later
    # noted in the storage at once, before the switch went off
    notes = hass_storage[STORAGE_KEY]["data"]["loads"]
    assert notes == {HEATER: {"until": "2026-01-15T10:00:00+00:00", "entry_id": han.entry.entry_id}}
    await han.at(oslo("2026-01-15 10:59:59"))
    assert hass.states.get(HEATER).state == "off"
    await han.at(oslo("2026-01-15 11:00:00"))
    assert hass.states.get(HEATER).state == "on"
    assert loads[HEATER].calls == [False, True]
    assert hass_storage[STORAGE_KEY]["data"]["loads"] == {}


async def test_a_restart_in_the_middle_of_the_hour_still_turns_them_on(
    hass: HomeAssistant, han: Han, loads: dict[str, Load]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    await _restart(hass)
    await han.at(oslo("2026-01-15 10:50"))
    assert hass.states.get(HEATER).state == "off"
    await han.at(oslo("2026-01-15 11:00:00"))
    assert hass.states.get(HEATER).state == "on"


async def test_home_assistant_down_when_the_hour_ended_turns_them_on_at_the_start(
    hass: HomeAssistant, han: Han, loads: dict[str, Load]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    hass.data[SHEDDER]._async_stop(None)  # type: ignore[arg-type]
    han.freezer.move_to(oslo("2026-01-15 11:20"))  # down from 10:46 to 11:20
    await _restart(hass)
    assert hass.states.get(HEATER).state == "on"


async def test_a_load_unavailable_at_the_start_goes_on_when_it_is_back(
    hass: HomeAssistant, han: Han, loads: dict[str, Load]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    loads[HEATER].set_available(False)
    han.freezer.move_to(oslo("2026-01-15 11:20"))
    await _restart(hass)
    assert hass.states.get(HEATER).state == "unavailable"
    assert loads[HEATER].calls == [False]
    loads[HEATER].set_available(True)
    await hass.async_block_till_done()
    assert hass.states.get(HEATER).state == "on"


async def test_a_load_switched_on_meanwhile_is_left_as_the_user_leaves_it(
    hass: HomeAssistant, han: Han, loads: dict[str, Load], hass_storage: dict[str, Any]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    await loads[HEATER].async_turn_on()  # the user wants hot water now
    await hass.async_block_till_done()
    assert hass_storage[STORAGE_KEY]["data"]["loads"] == {}
    await loads[HEATER].async_turn_off()  # and off again, for the night
    await han.at(oslo("2026-01-15 11:00:01"))
    assert hass.states.get(HEATER).state == "off"


async def test_removing_the_entry_turns_its_loads_on(
    hass: HomeAssistant, han: Han, loads: dict[str, Load]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    assert await hass.config_entries.async_remove(han.entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(HEATER).state == "on"


async def test_what_is_not_a_meter_or_a_switch_is_refused(
    hass: HomeAssistant, han: Han, loads: dict[str, Load]
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "turn_off_for_period",
            {"entity_id": [HEATER], "meter": HEATER},
            blocking=True,
        )
    assert err.value.translation_key == "not_a_capacity_meter"
    assert "Water heater is not a capacity sensor" in str(err.value)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "turn_off_for_period",
            {"entity_id": [han.entity("total")], "meter": han.entity("estimate")},
            blocking=True,
        )
    assert err.value.translation_key == "not_a_switch"
    assert "Heatit Z-HAN2 Energy is not a switch" in str(err.value)
    assert await hass.config_entries.async_unload(han.entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _turn_off(hass, han, HEATER)
    assert err.value.translation_key == "meter_not_available"
    assert hass.states.get(HEATER).state == "on"


async def test_a_configuration_switch_is_refused_as_a_load(
    hass: HomeAssistant, han: Han, loads: dict[str, Load], fixture_client: Any
) -> None:
    """The entity picker offers every switch, "Power change reports" among them:
    turning one off would change the device's configuration, not a load."""
    setting = entity_id(hass, HOME_ID, HAN, "config_1_enabled", "switch")
    assert er.async_get(hass).async_get(setting).entity_category is EntityCategory.CONFIG
    with pytest.raises(ServiceValidationError) as err:
        await _turn_off(hass, han, HEATER, setting)
    assert err.value.translation_key == "not_a_load"
    assert "Heatit Z-HAN2 Power change reports is a setting of the device" in str(err.value)
    assert hass.states.get(HEATER).state == "on"  # nothing was turned off
    assert fixture_client.last.set_values() == []


async def test_an_unreadable_note_is_ignored_with_a_log_line(
    hass: HomeAssistant,
    han: Han,
    loads: dict[str, Load],
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {"loads": {HEATER: {"until": "soon"}, CHARGER: "x"}},
    }
    shedder = await _restart(hass)
    assert shedder.loads == {}
    assert caplog.text.count("Ignoring an unreadable note") == 2


async def test_a_load_on_already_when_the_hour_ends_is_forgotten_not_turned_on_again(
    hass: HomeAssistant, han: Han, loads: dict[str, Load], hass_storage: dict[str, Any]
) -> None:
    """Switched on while Home Assistant was down: the note goes, the next off is the user's."""
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    hass.data[SHEDDER]._async_stop(None)
    loads[HEATER]._attr_is_on = True
    loads[HEATER].async_write_ha_state()
    han.freezer.move_to(oslo("2026-01-15 11:20"))
    await _restart(hass)
    assert hass_storage[STORAGE_KEY]["data"]["loads"] == {}
    await loads[HEATER].async_turn_off()  # off for the night
    await _restart(hass)
    assert hass.states.get(HEATER).state == "off"
    assert loads[HEATER].calls == [False, False]


async def test_a_turn_on_that_fails_is_tried_again(
    hass: HomeAssistant, han: Han, loads: dict[str, Load], caplog: pytest.LogCaptureFixture
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER)
    loads[HEATER].fail_on = 2
    await han.at(oslo("2026-01-15 11:00:00"))
    assert hass.states.get(HEATER).state == "off"
    assert "trying again in 1 min" in caplog.text
    await han.at(oslo("2026-01-15 11:01:01"))
    assert "trying again in 5 min" in caplog.text
    await han.at(oslo("2026-01-15 11:06:02"))
    assert hass.states.get(HEATER).state == "on"
    assert hass.data[SHEDDER].loads == {}


async def test_an_end_beyond_one_period_is_a_wrong_clock_and_counts_as_now(
    hass: HomeAssistant, han: Han, loads: dict[str, Load], hass_storage: dict[str, Any]
) -> None:
    await han.at(oslo("2026-01-15 10:45"))
    await loads[HEATER].async_turn_off()
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {"loads": {HEATER: {"until": "2031-01-01T00:00:00+00:00", "entry_id": "x"}}},
    }
    await _restart(hass)
    assert hass.states.get(HEATER).state == "on"


async def test_a_renamed_switch_keeps_its_note_and_a_removed_one_loses_it(
    hass: HomeAssistant, han: Han, loads: dict[str, Load]
) -> None:
    registry = er.async_get(hass)
    await han.at(oslo("2026-01-15 10:45"))
    await _turn_off(hass, han, HEATER, CHARGER)  # the charger is off: only the heater
    registry.async_update_entity(HEATER, new_entity_id="switch.boiler")
    await hass.async_block_till_done()
    assert set(hass.data[SHEDDER].loads) == {"switch.boiler"}
    await han.at(oslo("2026-01-15 11:00:00"))
    assert hass.states.get("switch.boiler").state == "on"
    await loads[CHARGER].async_turn_on()
    await _turn_off(hass, han, CHARGER)
    registry.async_remove(CHARGER)
    await hass.async_block_till_done()
    assert hass.data[SHEDDER].loads == {}
