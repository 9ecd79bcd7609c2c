"""The automations of docs/automations.md and the blueprints work as written."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.zwave_quirks.blueprints import async_install_blueprints

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = re.compile(r"```yaml\n# example: (\w+)\n(.*?)```", re.DOTALL)
POWER = {"unit_of_measurement": "W", "device_class": "power", "state_class": "measurement"}


def _examples() -> dict[str, Any]:
    text = (ROOT / "docs" / "automations.md").read_text(encoding="utf-8")
    return {name: yaml.safe_load(body) for name, body in EXAMPLE.findall(text)}


@pytest.fixture
def notifications(hass: HomeAssistant) -> list[ServiceCall]:
    return async_mock_service(hass, "notify", "persistent_notification")


async def _settle() -> None:
    """Let triggers and waiting automations run.

    Not hass.async_block_till_done(): it would wait for an automation that
    waits for its next trigger.
    """
    for _ in range(20):
        await asyncio.sleep(0)


async def _step(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await _settle()


def test_every_example_is_tested() -> None:
    assert set(_examples()) == {
        "appliance_finished",
        "han_power_limit",
        "utility_meter",
        "daily_summary",
    }


async def _run_appliance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    notifications: list[ServiceCall],
    power: str,
) -> None:
    """Drive a washing machine: a pause, then finished."""
    hass.states.async_set(power, "0", POWER)
    await _settle()
    hass.states.async_set(power, "1800", POWER)  # heating the water
    await _settle()
    hass.states.async_set(power, "2", POWER)  # a pause between steps
    await _step(hass, freezer, timedelta(minutes=1))
    hass.states.async_set(power, "400", POWER)  # spinning
    await _step(hass, freezer, timedelta(minutes=5))
    assert notifications == []
    hass.states.async_set(power, "1.5", POWER)  # finished
    await _step(hass, freezer, timedelta(minutes=2))
    assert notifications == []
    await _step(hass, freezer, timedelta(minutes=1, seconds=1))
    assert len(notifications) == 1


async def test_appliance_finished(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, notifications: list[ServiceCall]
) -> None:
    automation = _examples()["appliance_finished"]
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await _run_appliance(hass, freezer, notifications, "sensor.zooz_zen06_power")
    assert notifications[0].data["message"] == "The washing machine has finished."


async def test_appliance_finished_blueprint(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    notifications: list[ServiceCall],
    tmp_path: Path,
) -> None:
    """The blueprint loads in Home Assistant, validates its inputs and works."""
    hass.config.config_dir = str(tmp_path)
    await async_install_blueprints(hass)
    automation = {
        "alias": "Dishwasher finished",
        "use_blueprint": {
            "path": "zwave_quirks/appliance_finished.yaml",
            "input": {
                "power_sensor": "sensor.hank_electronics_hkzw_so03_power",
                "finished_actions": [
                    {
                        "action": "notify.persistent_notification",
                        "data": {"message": "The dishwasher has finished."},
                    }
                ],
            },
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.dishwasher_finished") is not None
    await _run_appliance(hass, freezer, notifications, "sensor.hank_electronics_hkzw_so03_power")
    assert notifications[0].data["message"] == "The dishwasher has finished."


async def test_han_power_limit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, notifications: list[ServiceCall]
) -> None:
    automation = _examples()["han_power_limit"]
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    hass.states.async_set("sensor.heatit_z_han2_power", "3000", POWER)
    await _settle()
    hass.states.async_set("sensor.heatit_z_han2_power", "9000", POWER)
    await _step(hass, freezer, timedelta(seconds=30))
    hass.states.async_set("sensor.heatit_z_han2_power", "7000", POWER)  # a short peak
    await _step(hass, freezer, timedelta(minutes=2))
    assert notifications == []
    hass.states.async_set("sensor.heatit_z_han2_power", "9120", POWER)
    await _step(hass, freezer, timedelta(minutes=1, seconds=1))
    assert [call.data["message"] for call in notifications] == ["The house draws 9120 W."]


# the utility meter's midnight reset stays scheduled
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_daily_summary(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, notifications: list[ServiceCall]
) -> None:
    await hass.config.async_set_time_zone("Europe/Oslo")
    freezer.move_to(dt_util.as_utc(dt_util.parse_datetime("2026-11-22T07:00:00+01:00")))
    examples = _examples()
    energy = {
        "unit_of_measurement": "kWh",
        "device_class": "energy",
        "state_class": "total_increasing",
    }
    hass.states.async_set("sensor.heatit_z_han2_energy", "12345.6", energy)
    assert await async_setup_component(hass, "utility_meter", examples["utility_meter"])
    assert await async_setup_component(
        hass, "automation", {"automation": [examples["daily_summary"]]}
    )
    await hass.async_block_till_done()
    for value in ("12346.1", "12351.2", "12357.9"):
        hass.states.async_set("sensor.heatit_z_han2_energy", value, energy)
        await _step(hass, freezer, timedelta(hours=3))
    assert notifications == []
    freezer.move_to(dt_util.as_utc(dt_util.parse_datetime("2026-11-22T21:00:00+01:00")))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [call.data["message"] for call in notifications] == ["Today so far: 12.3 kWh."]
