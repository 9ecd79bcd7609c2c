"""Your own quirks at their edges: what a review found, each a test written first.

A file that is wrong never takes the entry down; a file being edited keeps its
last valid version; a file that replaces a shipped quirk keeps the shipped
quirk's stored totals; labels tell options apart; the export loads."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.json import json_bytes

from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_config_entry_diagnostics
from custom_components.zwave_quirks.quirks.export import export_quirk
from custom_components.zwave_quirks.quirks.user import UserQuirkError, load_file, load_folder

from .conftest import setup_fixture_entry
from .fixture_client import FIXTURES, HOME_ID
from .test_user_quirks import OTHER_PLUG, OTHER_PLUG_FILE, _entity, _write

HAN = 4
HAN_STORE = f"{DOMAIN}.readings.{HOME_ID:08x}.{HAN}"


def _hank(text: str = OTHER_PLUG_FILE) -> str:
    text = text.replace("0x7f03", "0x0208").replace("0x0004", "0x0101")
    return text.replace("0x0401", "0x000a").replace("Other maker", "HANK Electronics")


FIRMWARE = "    model: Metering plug\n    firmware: {min: abc}\n"


# --- F1: a documented key (firmware) crashes the loader and the entry's setup ------------


@pytest.mark.parametrize("firmware", ["{min: abc}", "{}", "{min: '2.0', below: '1.0'}"])
def test_a_bad_firmware_range_is_a_file_error(tmp_path: Path, firmware: str) -> None:
    text = OTHER_PLUG_FILE.replace(
        "    model: Metering plug\n", f"    model: Metering plug\n    firmware: {firmware}\n"
    )
    result = load_file(_write(tmp_path, "fw.yaml", text))  # raises QuirkError today
    assert isinstance(result, UserQuirkError)


@pytest.mark.usefixtures("other_plug_home")
async def test_a_bad_firmware_range_leaves_the_entry_loaded(
    hass: HomeAssistant, config_dir: Path
) -> None:
    _write(
        config_dir / "zwave_quirks",
        "fw.yaml",
        OTHER_PLUG_FILE.replace("    model: Metering plug\n", FIRMWARE),
    )
    entry = await setup_fixture_entry(hass)
    assert entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, "user_quirk_invalid_fw.yaml") is not None
    assert _entity(hass, "switch", 2, "switch") is not None


def test_deeply_nested_yaml_is_a_file_error(tmp_path: Path) -> None:
    _write(tmp_path, "deep.yaml", "fingerprints: " + "[" * 5000 + "]" * 5000 + "\n")
    _, errors, _ = load_folder(tmp_path)
    assert [e.file for e in errors] == ["deep.yaml"]


# --- F2: a file that breaks on edit deletes the device and its entities ------------------


@pytest.mark.usefixtures("other_plug_home")
async def test_a_broken_edit_keeps_the_device(hass: HomeAssistant, config_dir: Path) -> None:
    folder = config_dir / "zwave_quirks"
    _write(folder, "other_plug.yaml", OTHER_PLUG_FILE)
    entry = await setup_fixture_entry(hass)
    devices, entities = dr.async_get(hass), er.async_get(hass)
    device = devices.async_get_device_by_identifier(
        (DOMAIN, f"{HOME_ID}-{OTHER_PLUG}"), entry.entry_id
    )
    assert device is not None
    devices.async_update_device(device.id, area_id="kitchen", name_by_user="Dishwasher plug")
    power = _entity(hass, "sensor", OTHER_PLUG, "power")
    assert power is not None
    entities.async_update_entity(power, new_entity_id="sensor.dishwasher_power")
    # a typo while editing, then Reload
    _write(folder, "other_plug.yaml", OTHER_PLUG_FILE.replace("unit: W", "unit: [W"))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "user_quirk_invalid_other_plug.yaml")
    assert issue is not None
    # its last valid version stays in use, and the issue says so
    assert issue.translation_key == "user_quirk_invalid_kept"
    # the repair issue promises "the devices it describes stay as they were"
    after = devices.async_get_device_by_identifier(
        (DOMAIN, f"{HOME_ID}-{OTHER_PLUG}"), entry.entry_id
    )
    print("device after broken reload:", after)
    print("entity after broken reload:", entities.async_get("sensor.dishwasher_power"))
    # fixed again
    _write(folder, "other_plug.yaml", OTHER_PLUG_FILE)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    back = devices.async_get_device_by_identifier(
        (DOMAIN, f"{HOME_ID}-{OTHER_PLUG}"), entry.entry_id
    )
    assert back is not None
    print(
        "after the fix: same device id:",
        back.id == device.id,
        "name_by_user:",
        back.name_by_user,
        "area:",
        back.area_id,
    )
    print("after the fix: power entity id:", _entity(hass, "sensor", OTHER_PLUG, "power"))
    assert after is not None and after.name_by_user == "Dishwasher plug"
    assert entities.async_get("sensor.dishwasher_power") is not None


@pytest.mark.usefixtures("fixture_client")
async def test_a_broken_edit_of_a_replacing_file_keeps_its_entities(
    hass: HomeAssistant, config_dir: Path
) -> None:
    folder = config_dir / "zwave_quirks"
    _write(folder, "my_hank.yaml", _hank())
    entry = await setup_fixture_entry(hass)
    outlet = _entity(hass, "switch", 2, "outlet")
    assert outlet is not None
    er.async_get(hass).async_update_entity(outlet, new_entity_id="switch.coffee_machine")
    _write(folder, "my_hank.yaml", _hank().replace("unit: W", "unit: [W"))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    during = er.async_get(hass).async_get("switch.coffee_machine")
    print("switch.coffee_machine while the file is broken:", during)
    _write(folder, "my_hank.yaml", _hank())
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    print("after the fix:", _entity(hass, "switch", 2, "outlet"))
    assert during is not None


# --- F3: a file replacing the HAN wipes its stored capacity state and totals -------------

HAN_FILE = """\
fingerprints:
  - manufacturer_id: 0x019b
    product_type: 0x0062
    product_id: 0x6201
    manufacturer: Heatit
    model: Z-HAN2
sensors:
  - key: energy_import
    name: Energy import
    value: {command_class: 50, property: value, property_key: 65537}
    device_class: energy
    state_class: total_increasing
    unit: kWh
    max_power: 50000
"""


@pytest.mark.usefixtures("fixture_client")
async def test_a_replacing_file_keeps_the_shipped_stored_state(
    hass: HomeAssistant, config_dir: Path, hass_storage: dict[str, Any]
) -> None:
    folder = config_dir / "zwave_quirks"
    entry = await setup_fixture_entry(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    before = copy.deepcopy(hass_storage[HAN_STORE]["data"])
    print("stored before:", sorted(before["totals"]), "capacity:", before["capacity"] is not None)
    assert "energy" in before["totals"] and before["capacity"] is not None
    # the guard's total is above the register (a meter replaced earlier: the guard went on)
    hass_storage[HAN_STORE]["data"]["totals"]["energy"]["total"] += 1000.0
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    energy = _entity(hass, "sensor", HAN, "energy")
    shown_before = hass.states.get(energy).state
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # the user tries a file for the HAN, then removes it again
    _write(folder, "han.yaml", HAN_FILE)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    after = copy.deepcopy(hass_storage[HAN_STORE]["data"])
    print("stored after:", sorted(after["totals"]), "capacity:", after["capacity"])
    (folder / "han.yaml").unlink()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    energy = _entity(hass, "sensor", HAN, "energy")
    print(
        "shipped energy sensor before the file:",
        shown_before,
        "after removing it:",
        hass.states.get(energy).state,
    )
    assert "energy" in after["totals"], "the shipped energy total is gone from the store"
    assert after["capacity"] is not None, "the month's capacity peaks are gone"


# --- F4: a user switch key equal to a parameter's switch key: an entity is lost ----------


@pytest.mark.usefixtures("other_plug_home")
async def test_a_switch_key_cannot_be_a_parameter_switch_s(
    hass: HomeAssistant, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = OTHER_PLUG_FILE.replace("  - key: outlet\n", "  - key: config_2_enabled\n")
    path = _write(config_dir / "zwave_quirks", "other_plug.yaml", text)
    result = load_file(path)
    print("load_file:", type(result).__name__)
    entry = await setup_fixture_entry(hass)
    ids = [
        e.unique_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "switch" and e.unique_id.startswith(f"{HOME_ID}.{OTHER_PLUG}.")
    ]
    print("switches registered:", ids)
    print([r.getMessage()[:160] for r in caplog.records if "unique" in r.getMessage().lower()])
    assert isinstance(result, UserQuirkError), "the file should be refused with a repair issue"


# --- F5: select labels -----------------------------------------------------------------

LABELS_DUP = """\
parameters:
  - number: 21
    size: 1
    key: after_power_cut
    name: After a power cut
    default: 0
    options:
      0: {key: previous, name: "Previous"}
      1: {key: "on", name: "Same"}
      2: {key: "off", name: "Same"}
"""

LABEL_IS_OTHER_KEY = """\
parameters:
  - number: 21
    size: 1
    key: after_power_cut
    name: After a power cut
    default: 0
    options:
      0: {key: previous, name: {en: "As before", nb: "Som før"}}
      1: {key: "on", name: {en: "Off", nb: "Av"}}
      2: {key: "off", name: {en: "Always off", nb: "Alltid av"}}
"""


@pytest.mark.parametrize("options", [LABELS_DUP, LABEL_IS_OTHER_KEY])
def test_labels_must_tell_the_options_apart(tmp_path: Path, options: str) -> None:
    """Two options with one label, or a label that is another option's key: refused."""
    path = _write(tmp_path, "my_hank.yaml", _hank().split("parameters:")[0] + options)
    refused = load_file(path)
    assert isinstance(refused, UserQuirkError)
    assert "also another option's" in refused.message


# --- F6: the export writes files that do not load ---------------------------------------


def _plug_state() -> dict[str, Any]:
    return json.loads((FIXTURES / "other_metering_plug_state.json").read_text(encoding="utf-8"))


def _hank_state() -> dict[str, Any]:
    return json.loads((FIXTURES / "hank_hkzw_so03_state.json").read_text(encoding="utf-8"))


def _load_export(tmp_path: Path, state: dict[str, Any]) -> Any:
    name, text = export_quirk(state)
    result = load_file(_write(tmp_path, name, text))
    if isinstance(result, UserQuirkError):
        print(result)
    return result


def test_the_export_of_a_meter_with_two_endpoints(tmp_path: Path) -> None:
    state = _plug_state()
    extra = [copy.deepcopy(v) | {"endpoint": 1} for v in state["values"] if v["commandClass"] == 50]
    assert any(v["property"] == "reset" for v in extra)
    state["values"] += extra
    assert not isinstance(_load_export(tmp_path, state), UserQuirkError)


def test_the_export_of_a_select_whose_default_is_not_an_option(tmp_path: Path) -> None:
    state = _hank_state()
    param = next(v for v in state["values"] if v["commandClass"] == 112 and v["property"] == 21)
    print("metadata:", {k: param["metadata"].get(k) for k in ("min", "max", "default", "states")})
    param["metadata"]["default"] = 255
    assert not isinstance(_load_export(tmp_path, state), UserQuirkError)


def test_the_export_of_a_state_with_an_empty_label(tmp_path: Path) -> None:
    state = _hank_state()
    param = next(v for v in state["values"] if v["commandClass"] == 112 and v["property"] == 21)
    first = next(iter(param["metadata"]["states"]))
    param["metadata"]["states"][first] = ""
    assert not isinstance(_load_export(tmp_path, state), UserQuirkError)


def test_the_export_of_two_states_with_one_label(tmp_path: Path) -> None:
    state = _hank_state()
    param = next(v for v in state["values"] if v["commandClass"] == 112 and v["property"] == 21)
    keys = list(param["metadata"]["states"])
    param["metadata"]["states"][keys[1]] = param["metadata"]["states"][keys[0]]
    result = _load_export(tmp_path, state)
    assert not isinstance(result, UserQuirkError)
    labels = [
        n["en"] for n in next(p for p in result.parameters if p.number == 21).option_names.values()
    ]
    print("labels:", labels)
    assert len(set(labels)) == len(labels), "the select would show two identical options"


# --- F7: a replacing file's key equal to a shipped key of another platform -------------


@pytest.mark.usefixtures("fixture_client")
async def test_a_shipped_entity_of_another_platform_is_removed(
    hass: HomeAssistant, config_dir: Path
) -> None:
    entry = await setup_fixture_entry(hass)
    shipped = _entity(hass, "switch", 2, "switch")
    assert shipped is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # the user's HANK file calls its power sensor "switch" (and its switch "outlet")
    _write(
        config_dir / "zwave_quirks",
        "my_hank.yaml",
        _hank().replace("  - key: power\n", "  - key: switch\n", 1),
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    print("shipped switch still registered:", er.async_get(hass).async_get(shipped))
    print("its state:", hass.states.get(shipped))
    assert er.async_get(hass).async_get(shipped) is None, "a stale switch stays on the device"


# --- F8: a file name that is not UTF-8 (e.g. copied from a Latin-1 share) ---------------


@pytest.mark.usefixtures("other_plug_home")
async def test_a_file_name_that_is_not_utf8(hass: HomeAssistant, config_dir: Path) -> None:
    folder = config_dir / "zwave_quirks"
    folder.mkdir()
    # a name that is not UTF-8 (as a file copied from another system may have)
    (folder / os.fsdecode(b"caf\xe9.yaml")).write_bytes(b"fingerprints: []\n")
    entry = await setup_fixture_entry(hass)
    print("entry:", entry.state)
    issues = [i for d, i in ir.async_get(hass).issues if d == DOMAIN]
    print("issues:", [ascii(i) for i in issues])
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    try:
        json_bytes(diagnostics)
        print("diagnostics serialise")
    except Exception as err:
        print("diagnostics do not serialise:", repr(err))
        raise
    registry = ir.async_get(hass)
    try:
        json_bytes(registry._data_to_save())
        print("issue registry serialises")
    except Exception as err:
        print("issue registry does not serialise:", repr(err))
        raise


# --- F9: absolute paths of the configuration folder in the repair issue and diagnostics --


@pytest.mark.usefixtures("other_plug_home")
async def test_messages_carry_no_absolute_paths(hass: HomeAssistant, config_dir: Path) -> None:
    _write(config_dir / "zwave_quirks", "list.yaml", "- a\n")
    entry = await setup_fixture_entry(hass)
    invalid = (await async_get_config_entry_diagnostics(hass, entry))["quirk_files"]["invalid"]
    print("diagnostics:", invalid)
    assert str(config_dir) not in json.dumps(invalid)
