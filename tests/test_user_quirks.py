"""Quirks of the user's own: YAML files in the configuration folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import probatio as vol
import pytest
import yaml
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir

from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_config_entry_diagnostics
from custom_components.zwave_quirks.quirks import user
from custom_components.zwave_quirks.quirks.export import export_quirk
from custom_components.zwave_quirks.quirks.model import SensorDecl, SwitchDecl
from custom_components.zwave_quirks.quirks.user import UserQuirkError, load_file, load_folder
from custom_components.zwave_quirks.services import EXPORT_QUIRK_SCHEMA

from .conftest import setup_fixture_entry
from .fixture_client import FIXTURES, HOME_ID, FixtureClient

OTHER_PLUG = 8  # the captured fixture's node id
OTHER_PLUG_FILE = """\
# a metering plug of another maker (the simulator's "metering-plug")
fingerprints:
  - manufacturer_id: 0x7f03
    product_type: 0x0004
    product_id: 0x0401
    manufacturer: Other maker
    model: Metering plug
sensors:
  - key: power
    name: {en: Power, nb: Effekt}
    value: {command_class: 50, property: value, property_key: 66049}
    device_class: power
    state_class: measurement
    unit: W
  - key: energy
    name: {en: Energy, nb: Energi}
    value: {command_class: 50, property: value, property_key: 65537}
    device_class: energy
    state_class: total_increasing
    unit: kWh
    max_power: 3680
    power: {command_class: 50, property: value, property_key: 66049}
switches:
  - key: outlet
    name: {en: Outlet, nb: Uttak}
    value: {command_class: 37, property: currentValue}
    target: {command_class: 37, property: targetValue}
parameters:
  - number: 1
    size: 1
    key: led_mode
    name: LED
    default: 1
    options:
      0: {key: "off", name: {en: "Off", nb: Av}}
      1: {key: power, name: {en: Shows power, nb: Viser effekt}}
      2: {key: night, name: {en: Night mode, nb: Nattmodus}}
  - number: 2
    size: 2
    key: power_threshold
    name: {en: Power change, nb: Effektendring}
    default: 50
    min: 1
    max: 2500
    off_value: 0
    unit: W
    switch_name: {en: Power change reports, nb: Effektendringsrapporter}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_declares_a_quirk(tmp_path: Path) -> None:
    quirk = load_file(_write(tmp_path, "other_plug.yaml", OTHER_PLUG_FILE))
    assert not isinstance(quirk, UserQuirkError), quirk
    assert quirk.key == "user:other_plug.yaml"
    assert [fp.ids for fp in quirk.fingerprints] == [(0x7F03, 0x0004, 0x0401)]
    energy = next(e for e in quirk.entities if e.key == "energy")
    assert isinstance(energy, SensorDecl) and energy.guard_total
    assert energy.max_power is not None and energy.max_power.watts == 3680
    assert energy.names == {"en": "Energy", "nb": "Energi"}
    assert isinstance(next(e for e in quirk.entities if e.key == "outlet"), SwitchDecl)


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        # the YAML itself
        (("fingerprints:", "fingerprints: ["), 3, "while parsing"),
        # an icon that is not mdi:<name>
        (("    unit: W\n", "    unit: W\n    icon: power\n"), 15, "an icon is mdi:<name>"),
        (("    unit: W\n", '    unit: W\n    icon: "mdi:flash\\n"\n'), 15, "an icon is mdi:"),
        # a key the format does not have
        (("    unit: W\n", "    unit: W\n    colour: red\n"), 15, "sensors[0].colour: unknown key"),
        # a value the format refuses
        (("state_class: measurement", "state_class: sometimes"), 13, "sensors[0].state_class"),
        # what the model refuses (the line of the declaration): a guard on a power reading
        (("    unit: W\n", "    unit: W\n    max_power: 100\n"), 9, "max_power only applies"),
        # a growing total without the meter's largest power
        (("    max_power: 3680\n", ""), 15, "needs the meter's max_power"),
        # a key twice: the line of the second
        (("  - key: energy", "  - key: power"), 15, "the key power is sensors[0]'s already"),
        # a key a parameter's entity has (config_<number>)
        (("  - key: outlet", "  - key: config_1"), 29, "the key config_1 is switches[0]'s"),
        # no fingerprint at all
        (("  - manufacturer_id: 0x7f03", "  - manufacturer: 0x7f03"), 3, "fingerprints[0]"),
        # a firmware range that is empty
        (
            ("    max: 2500\n", '    max: 2500\n    firmware: {min: "2.0", below: "1.0"}\n'),
            45,
            "empty firmware range",
        ),
        # a number the format refuses: the line of its key, not of its declaration
        (("    unit: W\n", "    unit: W\n    display_precision: 9\n"), 15, "display_precision"),
        (("    max: 2500\n", "    max: 2500\n    step: 0\n"), 45, "parameters[1].step"),
    ],
)
def test_a_wrong_file_says_where_and_what(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    text = OTHER_PLUG_FILE.replace(*change, 1)
    assert text != OTHER_PLUG_FILE
    error = load_file(_write(tmp_path, "other_plug.yaml", text))
    assert isinstance(error, UserQuirkError), error
    assert error.file == "other_plug.yaml"
    assert message in error.message
    assert error.line == line, error


def test_nothing_in_a_file_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f'fingerprints: !!python/object/apply:os.system ["touch {marker}"]\n'
    error = load_file(_write(tmp_path, "evil.yaml", text))
    assert isinstance(error, UserQuirkError)
    assert not marker.exists()


def test_two_files_for_one_device_the_first_wins(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", OTHER_PLUG_FILE)
    _write(tmp_path, "b.yml", OTHER_PLUG_FILE)
    _write(tmp_path, "notes.txt", "not a quirk")
    quirks, errors, _ = load_folder(tmp_path)
    assert [q.key for q in quirks] == ["user:a.yaml"]
    assert [(e.file, e.line) for e in errors] == [("b.yml", 3)]
    assert "a.yaml has this device already" in errors[0].message


def _entity(hass: HomeAssistant, platform: str, node: int, key: str) -> str | None:
    return er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{HOME_ID}.{node}.{key}")


@pytest.mark.usefixtures("other_plug_home")
async def test_a_device_no_quirk_supports_gets_the_entities_of_a_user_file(
    hass: HomeAssistant, config_dir: Path, fixture_client: type[FixtureClient]
) -> None:
    _write(config_dir / "zwave_quirks", "other_plug.yaml", OTHER_PLUG_FILE)
    entry = await setup_fixture_entry(hass)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{HOME_ID}-{OTHER_PLUG}"), entry.entry_id
    )
    assert device is not None
    assert (device.manufacturer, device.model) == ("Other maker", "Metering plug")
    power = _entity(hass, "sensor", OTHER_PLUG, "power")
    outlet = _entity(hass, "switch", OTHER_PLUG, "outlet")
    assert power is not None and outlet is not None
    state = hass.states.get(power)
    assert state is not None
    assert state.name == "Other maker Metering plug Power"
    assert state.attributes["unit_of_measurement"] == "W"
    await hass.services.async_call("switch", "turn_on", {"entity_id": outlet}, blocking=True)
    command = fixture_client.last.set_values()[-1]
    assert command["valueId"]["commandClass"] == 37 and command["value"] is True
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["quirk_files"]["loaded"][0]["file"] == "other_plug.yaml"
    assert diagnostics["quirk_files"]["invalid"] == []


@pytest.mark.usefixtures("other_plug_home")
async def test_icons_from_the_file(hass: HomeAssistant, config_dir: Path) -> None:
    text = OTHER_PLUG_FILE.replace(
        "    name: {en: Outlet, nb: Uttak}\n",
        "    name: {en: Outlet, nb: Uttak}\n    icon: mdi:power-socket-eu\n",
    ).replace("    switch_name:", "    icon: mdi:tune-variant\n    switch_name:")
    _write(config_dir / "zwave_quirks", "other_plug.yaml", text)
    await setup_fixture_entry(hass)
    icons = {}
    for platform, key in [
        ("switch", "outlet"),
        ("number", "config_2"),
        ("switch", "config_2_enabled"),
        ("sensor", "power"),
    ]:
        entity_id = _entity(hass, platform, OTHER_PLUG, key)
        assert entity_id is not None, key
        state = hass.states.get(entity_id)
        assert state is not None
        icons[key] = state.attributes.get("icon")
    assert icons == {
        "outlet": "mdi:power-socket-eu",
        "config_2": "mdi:tune-variant",
        # a parameter's switch has the parameter's icon
        "config_2_enabled": "mdi:tune-variant",
        # no icon: Home Assistant's for the device class
        "power": None,
    }


@pytest.mark.usefixtures("other_plug_home")
async def test_a_parameter_switch_of_a_file_has_a_bell_while_off(
    hass: HomeAssistant, config_dir: Path, fixture_client: type[FixtureClient]
) -> None:
    """As icons.json gives the shipped parameters' switches."""
    node = next(n for n in fixture_client.state["nodes"] if n["nodeId"] == OTHER_PLUG)
    value = next(v for v in node["values"] if (v["commandClass"], v["property"]) == (112, 2))
    value["value"] = 0  # the power change reports are off
    text = OTHER_PLUG_FILE.replace(
        "    switch_name:", "    icon: mdi:tune-variant\n    switch_name:"
    )
    _write(config_dir / "zwave_quirks", "other_plug.yaml", text)
    await setup_fixture_entry(hass)
    switch = _entity(hass, "switch", OTHER_PLUG, "config_2_enabled")
    assert switch is not None
    state = hass.states.get(switch)
    assert state is not None and state.state == "off"
    assert state.attributes["icon"] == "mdi:bell-off-outline"


@pytest.mark.usefixtures("other_plug_home")
async def test_norwegian_names_from_the_file(hass: HomeAssistant, config_dir: Path) -> None:
    await hass.config.async_update(language="nb")
    _write(config_dir / "zwave_quirks", "other_plug.yaml", OTHER_PLUG_FILE)
    await setup_fixture_entry(hass)
    power = _entity(hass, "sensor", OTHER_PLUG, "power")
    assert power is not None
    state = hass.states.get(power)
    assert state is not None and state.name.endswith(" Effekt")


@pytest.mark.usefixtures("other_plug_home")
async def test_a_broken_file_gets_a_repair_issue_and_changes_nothing_else(
    hass: HomeAssistant, config_dir: Path
) -> None:
    folder = config_dir / "zwave_quirks"
    _write(folder, "other_plug.yaml", OTHER_PLUG_FILE.replace("unit: W", "unit: [W"))
    entry = await setup_fixture_entry(hass)
    assert entry.state.value == "loaded"
    assert _entity(hass, "sensor", OTHER_PLUG, "power") is None
    # the shipped quirks go on
    assert _entity(hass, "switch", 2, "switch") is not None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "user_quirk_invalid_other_plug.yaml")
    assert issue is not None
    placeholders: dict[str, Any] = issue.translation_placeholders or {}
    assert placeholders["file"] == "other_plug.yaml"
    assert placeholders["line"] == "14"

    # fixed and reloaded: the issue goes, the device comes
    _write(folder, "other_plug.yaml", OTHER_PLUG_FILE)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _entity(hass, "sensor", OTHER_PLUG, "power") is not None
    assert ir.async_get(hass).async_get_issue(DOMAIN, "user_quirk_invalid_other_plug.yaml") is None

    # removed and reloaded: the device goes
    (folder / "other_plug.yaml").unlink()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, f"{HOME_ID}-{OTHER_PLUG}"), entry.entry_id
        )
        is None
    )


@pytest.mark.usefixtures("fixture_client")
async def test_a_user_file_for_a_shipped_device_wins_and_says_so(
    hass: HomeAssistant, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = OTHER_PLUG_FILE.replace("0x7f03", "0x0208").replace("0x0004", "0x0101")
    text = text.replace("0x0401", "0x000a").replace("Other maker", "HANK Electronics")
    _write(config_dir / "zwave_quirks", "my_hank.yaml", text)
    entry = await setup_fixture_entry(hass)
    # the HANK plug (node 2) has the file's entities, not the shipped quirk's
    assert _entity(hass, "switch", 2, "outlet") is not None
    assert _entity(hass, "switch", 2, "switch") is None
    assert "my_hank.yaml replaces the shipped one for HANK Electronics Metering plug" in caplog.text
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (loaded,) = diagnostics["quirk_files"]["loaded"]
    assert loaded["devices"][0]["replaces_shipped"] is True


HANK_PARAMETER = """\
parameters:
  - number: 21
    size: 1
    key: after_power_cut
    name: {en: After a power cut, nb: Etter strømbrudd}
    default: 0
    options:
      0: {key: previous, name: {en: As before, nb: Som før}}
      1: {key: "on", name: {en: "On", nb: "På"}}
      2: {key: "off", name: {en: "Off", nb: Av}}
"""


@pytest.mark.usefixtures("fixture_client")
async def test_a_user_parameter_is_validated_and_shows_its_labels(
    hass: HomeAssistant, config_dir: Path, fixture_client: type[FixtureClient]
) -> None:
    text = OTHER_PLUG_FILE.replace("0x7f03", "0x0208").replace("0x0004", "0x0101")
    text = text.replace("0x0401", "0x000a") + HANK_PARAMETER
    _write(config_dir / "zwave_quirks", "my_hank.yaml", text)
    await setup_fixture_entry(hass)
    select = _entity(hass, "select", 2, "config_21")
    assert select is not None
    state = hass.states.get(select)
    assert state is not None
    assert state.attributes["options"] == ["As before", "On", "Off"]
    assert state.name.endswith("After a power cut")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": "Off"}, blocking=True
    )
    command = fixture_client.last.set_values()[-1]
    assert (command["valueId"]["property"], command["value"]) == (21, 2)
    sent = len(fixture_client.last.set_values())
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_parameter",
            {"device_id": _device_id(hass, 2), "parameter": 21, "value": "sometimes"},
            blocking=True,
        )
    assert "After a power cut" in str(err.value.translation_placeholders)
    # an option by its label in any of the file's languages
    await hass.services.async_call(
        DOMAIN,
        "set_parameter",
        {"device_id": _device_id(hass, 2), "parameter": 21, "value": "Som før"},
        blocking=True,
    )
    assert fixture_client.last.set_values()[-1]["value"] == 0
    assert len(fixture_client.last.set_values()) == sent + 1


def _device_id(hass: HomeAssistant, node: int) -> str:
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{HOME_ID}-{node}"), entry.entry_id
    )
    assert device is not None
    return device.id


@pytest.mark.usefixtures("other_plug_home")
async def test_the_options_show_the_folder_and_the_files_loaded(
    hass: HomeAssistant, config_dir: Path
) -> None:
    _write(config_dir / "zwave_quirks", "other_plug.yaml", OTHER_PLUG_FILE)
    entry = await setup_fixture_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    placeholders = result["description_placeholders"] or {}
    assert placeholders["folder"] == str(config_dir / "zwave_quirks")
    assert placeholders["quirk_files"] == "1"


DOC = Path(__file__).resolve().parents[1] / "docs" / "user-quirks.md"


def test_the_docs_example_loads_and_every_key_is_documented(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    example = next(b for b in blocks if b.startswith("# <config>/zwave_quirks/other_plug.yaml"))
    parameter = next(b for b in blocks if b.startswith("parameters:"))
    quirk = load_file(_write(tmp_path, "other_plug.yaml", example))
    assert not isinstance(quirk, UserQuirkError), quirk
    assert example == OTHER_PLUG_FILE.replace(
        '# a metering plug of another maker (the simulator\'s "metering-plug")\n',
        "# <config>/zwave_quirks/other_plug.yaml\n",
    ).replace(
        "    max_power: 3680\n",
        "    max_power: 3680            # W: what the plug can carry; turns on the energy guard\n",
    )
    with_parameter = load_file(_write(tmp_path, "with_parameter.yaml", example + parameter))
    assert not isinstance(with_parameter, UserQuirkError), with_parameter
    documented = set(re.findall(r"`([a-z_]+)`", text))
    schemas = (user.QUIRK_FILE, user.FINGERPRINT, user.SENSOR, user.SWITCH, user.PARAMETER)
    for schema in (*schemas, user.BUTTON, user.EVENT):
        keys = {str(k) for k in schema.schema}
        assert keys <= documented, keys - documented


@pytest.mark.parametrize(
    "fixture",
    [
        "hank_hkzw_so03",
        "zooz_zen06",
        "heatit_z_han2",
        *(f"other_{k}" for k in ("thermostat", "multisensor", "dimmer", "metering_plug", "lock")),
    ],
)
def test_the_export_of_every_captured_device_loads(tmp_path: Path, fixture: str) -> None:
    state = json.loads((FIXTURES / f"{fixture}_state.json").read_text(encoding="utf-8"))
    name, text = export_quirk(state)
    assert name.endswith(".yaml")
    quirk = load_file(_write(tmp_path, name, text))
    assert not isinstance(quirk, UserQuirkError), (quirk, text)
    ids = (state["manufacturerId"], state["productType"], state["productId"])
    assert [fp.ids for fp in quirk.fingerprints] == [ids]
    if fixture == "hank_hkzw_so03":
        params = {p.number: p for p in quirk.parameters}
        # a select with the device's labels; a number whose 0 turns it off
        assert params[21].option_names["previous_state"] == {"en": "Previous state"}
        assert (params[171].off, params[171].min, params[171].unit) == (0, 1, "s")
        energy = next(e for e in quirk.entities if e.key == "energy")
        assert isinstance(energy, SensorDecl) and energy.guard_total and energy.power is not None
        # the scene and the meters' reset too
        assert {"scene", "reset_meters"} <= {e.key for e in quirk.entities}


BUTTON_AND_EVENT = """\
buttons:
  - key: reset
    name: {en: Reset meters, nb: Nullstill målere}
    action: reset_meters
events:
  - key: scene
    name: Scene
    value: {command_class: 43, property: sceneId}
    event_type: scene_activated
    attribute: scene_id
"""


@pytest.mark.usefixtures("fixture_client")
async def test_a_user_file_declares_a_button_and_an_event(
    hass: HomeAssistant, config_dir: Path, fixture_client: type[FixtureClient]
) -> None:
    text = OTHER_PLUG_FILE.replace("0x7f03", "0x0208").replace("0x0004", "0x0101")
    text = text.replace("0x0401", "0x000a").split("parameters:")[0] + BUTTON_AND_EVENT
    _write(config_dir / "zwave_quirks", "my_hank.yaml", text)
    await setup_fixture_entry(hass)
    button = _entity(hass, "button", 2, "reset")
    event = _entity(hass, "event", 2, "scene")
    assert button is not None and event is not None
    state = hass.states.get(event)
    assert state is not None and state.attributes["event_types"] == ["scene_activated"]
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    invoked = [c for c in fixture_client.last.commands if c["command"] == "endpoint.invoke_cc_api"]
    assert [(c["commandClass"], c["methodName"]) for c in invoked] == [(50, "reset")]


def test_a_button_does_only_what_the_format_names(tmp_path: Path) -> None:
    text = OTHER_PLUG_FILE + BUTTON_AND_EVENT.replace("reset_meters", "set_value")
    error = load_file(_write(tmp_path, "other_plug.yaml", text))
    assert isinstance(error, UserQuirkError)
    assert error.message.startswith("buttons[0].action:"), error


@pytest.mark.usefixtures("other_plug_home")
async def test_a_broken_file_s_issue_goes_with_the_last_entry(
    hass: HomeAssistant, config_dir: Path
) -> None:
    _write(config_dir / "zwave_quirks", "other_plug.yaml", "fingerprints: [\n")
    entry = await setup_fixture_entry(hass)
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "user_quirk_invalid_other_plug.yaml") is not None
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, "user_quirk_invalid_other_plug.yaml") is None


def test_the_export_form_takes_long_range_node_ids() -> None:
    """Z-Wave Long Range node ids go up to 4000: the form's box and the schema agree."""
    services = Path(__file__).parents[1] / "custom_components/zwave_quirks/services.yaml"
    field = yaml.safe_load(services.read_text())["export_quirk"]["fields"]["node_id"]
    assert field["selector"]["number"]["max"] == 4000
    assert EXPORT_QUIRK_SCHEMA({"node_id": 4000})["node_id"] == 4000
    with pytest.raises(vol.Invalid):
        EXPORT_QUIRK_SCHEMA({"node_id": 4001})


# the second parameter again, for other firmware: a larger range (its last line the firmware)
LARGER_RANGE_FOR_FIRMWARE_2 = (
    OTHER_PLUG_FILE[OTHER_PLUG_FILE.index("  - number: 2\n") :].replace(
        "    max: 2500\n", "    max: 5000\n"
    )
    + '    firmware: {min: "2.0"}\n'
)


def test_firmware_variants_of_a_declaration(tmp_path: Path) -> None:
    """One parameter (or entity) declared again for a firmware range: the node's applies."""
    text = OTHER_PLUG_FILE.replace(
        "    max: 2500\n", '    max: 2500\n    firmware: {below: "2.0"}\n'
    )
    quirk = load_file(_write(tmp_path, "other_plug.yaml", text + LARGER_RANGE_FOR_FIRMWARE_2))
    assert not isinstance(quirk, UserQuirkError), quirk
    fingerprint = quirk.fingerprints[0]
    for version, high in (((1, 2), 2500), ((2, 1), 5000)):
        (param,) = [p for p in quirk.resolve(fingerprint, version).parameters if p.number == 2]
        assert param.max == high, version
    # without a range, the second is a key used twice
    twice = load_file(
        _write(
            tmp_path,
            "twice.yaml",
            OTHER_PLUG_FILE
            + LARGER_RANGE_FOR_FIRMWARE_2.replace('    firmware: {min: "2.0"}\n', ""),
        )
    )
    assert isinstance(twice, UserQuirkError) and "is parameters[1]'s already" in twice.message
    # ranges that overlap: at the second's firmware
    overlap = load_file(
        _write(
            tmp_path, "overlap.yaml", text + LARGER_RANGE_FOR_FIRMWARE_2.replace('"2.0"', '"1.5"')
        )
    )
    assert isinstance(overlap, UserQuirkError), overlap
    assert "parameters[2].firmware: the key config_2 is parameters[1]'s already for firmware" in (
        overlap.message
    )
    assert overlap.line == len(text.splitlines()) + len(LARGER_RANGE_FOR_FIRMWARE_2.splitlines())


@pytest.mark.usefixtures("other_plug_home")
async def test_the_node_s_firmware_picks_the_variant(hass: HomeAssistant, config_dir: Path) -> None:
    """The captured plug has firmware 1.2: the variant below 2.0 applies, not the other."""
    text = OTHER_PLUG_FILE.replace(
        "    max: 2500\n", '    max: 2500\n    firmware: {below: "2.0"}\n'
    )
    _write(config_dir / "zwave_quirks", "other_plug.yaml", text + LARGER_RANGE_FOR_FIRMWARE_2)
    await setup_fixture_entry(hass)
    number = _entity(hass, "number", OTHER_PLUG, "config_2")
    assert number is not None
    state = hass.states.get(number)
    assert state is not None and state.attributes["max"] == 2500
