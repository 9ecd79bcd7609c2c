"""The repair issue of a jump: asked once the new level has lasted, answered exactly."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.guard import Jump
from custom_components.zwave_quirks.readings import jump_issue_id

from .fixture_client import HOME_ID
from .helpers import PLUG


async def _flow(hass: HomeAssistant, issue_id: str, answer: str | None) -> dict[str, Any]:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(DOMAIN, context={"issue_id": issue_id})
    if answer is None or flow["type"] != "menu":
        return dict(flow)
    return dict(await manager.async_configure(flow["flow_id"], {"next_step_id": answer}))


@pytest.fixture
async def jumped(hass: HomeAssistant, fixture_entry: MockConfigEntry) -> str:
    """The plug's total as after a jump from 1.23 to 101.23 kWh that was not counted."""
    assert await async_setup_component(hass, "repairs", {})
    readings = fixture_entry.runtime_data.bindings[PLUG].readings
    guard = readings.total("energy")
    assert guard is not None
    guard.jump = Jump(before=1.23, after=101.23, at=0.0, credited=0.5)
    readings._jump_issue("energy")
    issue_id = jump_issue_id(fixture_entry.entry_id, PLUG, "energy")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "meter": "HANK Electronics HKZW-SO03 Energy",
        "before": "1.23",
        "after": "101.23",
        "uncounted": "99.500",
    }
    return issue_id


@pytest.mark.parametrize(("answer", "added"), [("consumption", 99.5), ("not_consumption", 0.0)])
async def test_the_answer_is_applied_exactly(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    jumped: str,
    answer: str,
    added: float,
) -> None:
    guard = fixture_entry.runtime_data.bindings[PLUG].readings.total("energy")
    assert guard is not None
    before = guard.total
    assert before is not None
    result = await _flow(hass, jumped, answer)
    assert result["type"] == "create_entry"
    assert guard.total == pytest.approx(before + added)
    assert guard.jump is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, jumped) is None
    state = hass.states.get("sensor.hank_electronics_hkzw_so03_energy")
    assert state is not None
    assert float(state.state) == pytest.approx(before + added)


async def test_a_decided_or_unloaded_jump_aborts(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, jumped: str
) -> None:
    guard = fixture_entry.runtime_data.bindings[PLUG].readings.total("energy")
    assert guard is not None
    guard.jump = None
    result = await _flow(hass, jumped, "consumption")
    assert (result["type"], result["reason"]) == ("abort", "decided")
    await hass.config_entries.async_unload(fixture_entry.entry_id)
    await hass.async_block_till_done()
    result = await _flow(hass, jumped, "consumption")
    assert (result["type"], result["reason"]) == ("abort", "not_loaded")


async def test_a_jump_is_asked_again_after_a_restart(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, jumped: str
) -> None:
    """Repair issues do not outlive a restart: the stored jump raises it again."""
    assert await hass.config_entries.async_unload(fixture_entry.entry_id)
    ir.async_delete_issue(hass, DOMAIN, jumped)
    assert await hass.config_entries.async_setup(fixture_entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, jumped) is not None


async def test_removing_the_entry_removes_its_jump_issues_and_its_stored_readings(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, jumped: str, hass_storage: dict[str, Any]
) -> None:
    assert await hass.config_entries.async_unload(fixture_entry.entry_id)  # saves them
    stored = [key for key in hass_storage if key.startswith(f"{DOMAIN}.readings.")]
    assert len(stored) == 3, stored  # the plugs and the HAN
    hass_storage[f"{DOMAIN}.capacity.{HOME_ID:08x}.4"] = {"version": 1, "data": {}}  # 0.2's
    assert await hass.config_entries.async_remove(fixture_entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, jumped) is None
    assert not [key for key in hass_storage if key.startswith(DOMAIN)], list(hass_storage)
