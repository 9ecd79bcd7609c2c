# ruff: noqa: ASYNC240 - small files in tmp_path, read and written by the test
"""The integration puts its blueprints where Home Assistant finds them, and keeps the user's."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

from custom_components.zwave_quirks.blueprints import (
    EARLIER,
    SHIPPED,
    STORAGE_KEY,
    async_install_blueprints,
)
from custom_components.zwave_quirks.const import DOMAIN

from .fixture_client import HOME_ID
from .helpers import HAN, PLUG, entity_id

pytestmark = pytest.mark.blueprints
NAMES = ("appliance_finished.yaml", "stay_below_capacity_step.yaml")
CAPACITY = "stay_below_capacity_step.yaml"


@pytest.fixture
def folder(hass: HomeAssistant, tmp_path: Path) -> Path:
    hass.config.config_dir = str(tmp_path)
    return tmp_path / "blueprints" / "automation" / DOMAIN


async def test_the_setup_copies_the_blueprints_and_home_assistant_loads_them(
    hass: HomeAssistant, folder: Path, hass_storage: dict[str, Any]
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    assert sorted(p.name for p in folder.iterdir()) == list(NAMES)
    for name in NAMES:
        assert (folder / name).read_bytes() == (SHIPPED / name).read_bytes()
    assert set(hass_storage[STORAGE_KEY]["data"]["written"]) == set(NAMES)
    assert await async_setup_component(hass, "automation", {})
    blueprints = await async_get_blueprints(hass).async_get_blueprints()
    assert {f"{DOMAIN}/{name}" for name in NAMES} <= set(blueprints)
    for name in NAMES:
        blueprint = blueprints[f"{DOMAIN}/{name}"]
        assert not isinstance(blueprint, Exception), blueprint
        assert blueprint is not None
        assert blueprint.validate() is None


async def test_an_edited_copy_is_kept_and_said_once(
    hass: HomeAssistant, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await async_install_blueprints(hass)
    edited = (folder / CAPACITY).read_text(encoding="utf-8") + "# my margin\n"
    (folder / CAPACITY).write_text(edited, encoding="utf-8")
    caplog.clear()
    await async_install_blueprints(hass)
    await async_install_blueprints(hass)
    assert (folder / CAPACITY).read_text(encoding="utf-8") == edited
    assert caplog.text.count("is your edited copy: kept") == 1


async def test_a_deleted_copy_is_not_put_back(hass: HomeAssistant, folder: Path) -> None:
    await async_install_blueprints(hass)
    (folder / CAPACITY).unlink()
    await async_install_blueprints(hass)
    assert not (folder / CAPACITY).exists()
    assert (folder / "appliance_finished.yaml").exists()


async def test_an_unedited_copy_of_an_earlier_release_is_updated(
    hass: HomeAssistant, folder: Path, hass_storage: dict[str, Any]
) -> None:
    """A copy of 0.2's blueprint, put there by hand as its docs said: replaced."""
    earlier = b"an earlier release's blueprint\n"
    folder.mkdir(parents=True)
    (folder / CAPACITY).write_bytes(earlier)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(EARLIER, CAPACITY, {hashlib.sha256(earlier).hexdigest()})
        await async_install_blueprints(hass)
    assert (folder / CAPACITY).read_bytes() == (SHIPPED / CAPACITY).read_bytes()


async def test_a_folder_that_cannot_be_written_costs_a_warning(
    hass: HomeAssistant, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder.parent.mkdir(parents=True)
    folder.write_text("a file where the folder should be", encoding="utf-8")
    await async_install_blueprints(hass)
    assert "The blueprints could not be copied" in caplog.text


def _offered(hass: HomeAssistant, selector: dict[str, Any]) -> set[str]:
    """The entities an entity selector offers, filtered as the frontend filters them."""
    registry = er.async_get(hass)
    offered = set()
    for state in hass.states.async_all():
        entry = registry.async_get(state.entity_id)
        for rule in selector["entity"]["filter"]:
            wanted = {
                "domain": state.domain,
                "device_class": state.attributes.get("device_class"),
                "unit_of_measurement": state.attributes.get("unit_of_measurement"),
                "integration": entry.platform if entry else None,
            }
            if all(
                wanted[key] in (value if isinstance(value, list) else [value])
                for key, value in rule.items()
            ):
                offered.add(state.entity_id)
    return offered


async def test_the_selectors_offer_the_entities_that_fit(
    hass: HomeAssistant, folder: Path, fixture_entry: Any
) -> None:
    """A plug's power in W, not a capacity sensor in kW; a threshold in kW, not a power in W."""
    await async_install_blueprints(hass)
    blueprints = async_get_blueprints(hass)
    appliance = await blueprints.async_get_blueprint(f"{DOMAIN}/appliance_finished.yaml")
    capacity = await blueprints.async_get_blueprint(f"{DOMAIN}/{CAPACITY}")

    def selector(blueprint: Any, name: str) -> dict[str, Any]:
        return dict(blueprint.inputs[name]["selector"])

    power = _offered(hass, selector(appliance, "power_sensor"))
    assert {entity_id(hass, HOME_ID, node, "power", "sensor") for node in (PLUG, HAN)} <= power
    threshold = entity_id(hass, HOME_ID, HAN, "next_step_threshold", "sensor")
    assert threshold not in power
    assert _offered(hass, selector(capacity, "threshold_sensor")) == {
        threshold,
        entity_id(hass, HOME_ID, HAN, "capacity_peak_average", "sensor"),
    }
    estimate = _offered(hass, selector(capacity, "estimate_sensor"))
    assert entity_id(hass, HOME_ID, HAN, "estimated_energy_this_hour", "sensor") in estimate
    assert all(e.startswith("sensor.") for e in estimate)
