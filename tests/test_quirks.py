"""Quirk declarations: checked at import, matched to exactly one device."""

from __future__ import annotations

from pathlib import Path

import pytest
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass

from custom_components.zwave_quirks.quirks import registry
from custom_components.zwave_quirks.quirks.hank_hkzw_so03 import HANK, ZEN06
from custom_components.zwave_quirks.quirks.heatit_z_han2 import Z_HAN2
from custom_components.zwave_quirks.quirks.model import (
    ButtonDecl,
    ConfigParam,
    Fingerprint,
    FirmwareRange,
    PowerLimit,
    Quirk,
    QuirkError,
    SensorDecl,
    ValueRef,
    When,
)
from custom_components.zwave_quirks.quirks.registry import (
    QUIRKS,
    AmbiguousQuirkError,
    find_quirk,
)

from .fixture_client import FIXTURES, SUPPORTED_FIXTURES

ROOT = Path(__file__).resolve().parents[1]
FP = Fingerprint(manufacturer_id=1, product_type=2, product_id=3, manufacturer="M", model="X")


def test_no_two_shipped_quirks_match_the_same_device() -> None:
    for quirk in QUIRKS:
        for fingerprint in quirk.fingerprints:
            for version in (None, "1.0", "1.3", "2.0"):
                # raises AmbiguousQuirkError on an overlap
                found = find_quirk(fingerprint.ids, version)
                assert found is not None
                assert found.quirk is quirk


def test_overlapping_quirks_are_an_error() -> None:
    other = Quirk(key="copy", fingerprints=(HANK,))
    with pytest.raises(AmbiguousQuirkError):
        find_quirk(HANK.ids, "1.0", quirks=(*QUIRKS, other))


def test_unknown_device_has_no_quirk() -> None:
    assert find_quirk((0x0086, 0x0003, 0x0062), "1.0") is None
    assert find_quirk((None, None, None), None) is None


def test_plug_fingerprints_differ_only_in_manufacturer() -> None:
    assert HANK.ids[1:] == ZEN06.ids[1:]
    assert HANK.manufacturer_id != ZEN06.manufacturer_id


@pytest.mark.parametrize(
    ("fingerprint", "firmware", "led_options", "has_30", "default_173"),
    [
        (HANK, "1.0", 2, False, 0),
        (HANK, "1.3", 2, False, 0),
        (ZEN06, "1.2", 2, False, 0),
        (ZEN06, "1.3", 4, True, 300),
        (ZEN06, "1.3.0", 4, True, 300),
        (ZEN06, "2.0", 4, True, 300),
        (ZEN06, None, 2, False, 0),
        (ZEN06, "garbage", 2, False, 0),
    ],
)
def test_plug_variants(
    fingerprint: Fingerprint,
    firmware: str | None,
    led_options: int,
    has_30: bool,
    default_173: int,
) -> None:
    resolved = find_quirk(fingerprint.ids, firmware)
    assert resolved is not None
    led = resolved.parameter(27)
    assert led is not None
    assert len(led.options) == led_options
    assert (resolved.parameter(30) is not None) is has_30
    param_173 = resolved.parameter(173)
    assert param_173 is not None
    assert param_173.default == default_173


def test_plug_parameter_21_has_three_states() -> None:
    resolved = find_quirk(HANK.ids, "1.0")
    assert resolved is not None
    param = resolved.parameter(21)
    assert param is not None
    assert param.options == {0: "previous", 1: "on", 2: "off"}
    assert not param.accepts(3)


def test_han_parameters() -> None:
    resolved = find_quirk(Z_HAN2.ids, "1.0")
    assert resolved is not None
    assert sorted(p.number for p in resolved.parameters) == list(range(1, 12))
    p7, p8 = resolved.parameter(7), resolved.parameter(8)
    assert p7 is not None
    assert p8 is not None
    assert (p7.min, p7.max, p7.step, p7.scale, p7.off) == (5, 100, 5, 10, 0)
    assert p7.span == (0, 100)
    assert p8.signed
    assert (p8.min, p8.max) == (-60, 60)
    for number in (9, 10):
        param = resolved.parameter(number)
        assert param is not None
        assert param.read_only
        assert param.platform is None


def test_unique_entity_keys_per_device() -> None:
    for quirk in QUIRKS:
        for fingerprint in quirk.fingerprints:
            resolved = quirk.resolve(fingerprint, (1, 3))
            keys = [e.key for e in resolved.entities]
            keys += [p.entity_key for p in resolved.parameters if p.platform]
            keys += [p.switch_key for p in resolved.parameters if p.switch_key]
            assert len(keys) == len(set(keys))


# --- bad declarations fail when they are built ------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 3, "min": 0, "max": 1}, "size 3"),
        ({"size": 1, "min": 0, "max": 256}, "does not fit"),
        ({"size": 1, "min": -1, "max": 1}, "does not fit"),
        ({"size": 1, "min": -129, "max": 1, "signed": True}, "does not fit"),
        ({"size": 1, "min": 5, "max": 1}, "min 5 > max 1"),
        ({"size": 1, "min": 0, "max": 100, "step": 7}, "step 7"),
        ({"size": 1, "min": 0, "max": 10, "default": 11}, "default 11"),
        ({"size": 1, "min": 0, "max": 10, "step": 5, "default": 3}, "default 3"),
        ({"size": 1, "options": {0: "a", 1: "a"}}, "not unique"),
        ({"size": 1, "options": {0: "a"}, "min": 0, "max": 1}, "exclude"),
        ({"size": 1, "options": {300: "a"}}, "does not fit"),
        ({"size": 1}, "needs min and max"),
        ({"size": 1, "min": 0, "max": 10, "scale": 0}, "scale"),
        ({"size": 1, "min": 0, "max": 10, "off": 0}, "lies in the working range"),
        ({"size": 1, "options": {0: "a", 1: "b"}, "off": 2}, "only a writable number"),
        ({"size": 1, "min": 1, "max": 10, "off": 0, "read_only": True}, "only a writable"),
        ({"size": 1, "min": 1, "max": 10, "off": 256, "default": 1}, "does not fit"),
        ({"size": 1, "min": 1, "max": 10, "off": 0}, "needs a working on_value"),
        ({"size": 1, "min": 1, "max": 10, "off": 0, "on_value": 11}, "working on_value"),
        ({"size": 1, "min": 0, "max": 10, "on_value": 5}, "on_value without an off value"),
    ],
)
def test_bad_parameter_declarations(kwargs: dict, message: str) -> None:
    kwargs = {"number": 1, "key": "k", "default": 0} | kwargs
    with pytest.raises(QuirkError, match=message):
        ConfigParam(**kwargs)


def test_off_value() -> None:
    """0 = disabled beside a working range: accepted, never a working value."""
    param = ConfigParam(number=1, size=2, key="k", default=0, min=30, max=600, off=0, on_value=60)
    assert param.accepts(0)
    assert param.accepts(30)
    assert not param.accepts(29)
    assert not param.is_working(0)
    assert param.span == (0, 600)
    assert param.resume_value == 60
    assert param.switch_key == "config_1_enabled"
    plain = ConfigParam(number=2, size=1, key="p", default=3, min=0, max=10)
    assert plain.switch_key is None
    assert plain.span == (0, 10)
    assert plain.resume_value == 3


def test_bad_quirk_declarations() -> None:
    param = ConfigParam(number=1, size=1, key="a", default=0, min=0, max=1)
    with pytest.raises(QuirkError, match="no fingerprint"):
        Quirk(key="q", fingerprints=())
    with pytest.raises(QuirkError, match="two default variants"):
        Quirk(key="q", fingerprints=(FP,), parameters=(param, param))
    other_key = ConfigParam(number=2, size=1, key="a", default=0, min=0, max=1)
    with pytest.raises(QuirkError, match="key a used twice"):
        Quirk(key="q", fingerprints=(FP,), parameters=(param, other_key))
    sensor = SensorDecl(
        key="config_1", translation_key="x", sources=(ValueRef(command_class=1, property="p"),)
    )
    with pytest.raises(QuirkError, match="used twice"):
        Quirk(key="q", fingerprints=(FP,), entities=(sensor,), parameters=(param,))
    with pytest.raises(QuirkError, match="duplicate fingerprint"):
        Quirk(key="q", fingerprints=(FP, FP))


def test_overlapping_firmware_variants_are_an_error() -> None:
    first = ConfigParam(
        number=1,
        size=1,
        key="a",
        default=0,
        min=0,
        max=1,
        when=When(firmware=FirmwareRange(min="1.0", below="2.0")),
    )
    second = ConfigParam(
        number=1,
        size=1,
        key="a",
        default=0,
        min=0,
        max=2,
        when=When(firmware=FirmwareRange(min="1.5")),
    )
    with pytest.raises(QuirkError, match="same device and firmware"):
        Quirk(key="q", fingerprints=(FP,), parameters=(first, second))
    disjoint = ConfigParam(
        number=1,
        size=1,
        key="a",
        default=0,
        min=0,
        max=2,
        when=When(firmware=FirmwareRange(min="2.0")),
    )
    quirk = Quirk(key="q", fingerprints=(FP,), parameters=(first, disjoint))
    assert quirk.resolve(FP, (2, 1)).parameters == (disjoint,)
    assert quirk.resolve(FP, (1, 2)).parameters == (first,)
    assert quirk.resolve(FP, None).parameters == ()


def test_condition_on_a_foreign_fingerprint_is_an_error() -> None:
    param = ConfigParam(
        number=1, size=1, key="a", default=0, min=0, max=1, when=When(fingerprints=(HANK,))
    )
    with pytest.raises(QuirkError, match="foreign fingerprint"):
        Quirk(key="q", fingerprints=(FP,), parameters=(param,))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs min or below"),
        ({"min": "2.0", "below": "1.0"}, "empty"),
        ({"min": "x"}, "bad firmware"),
    ],
)
def test_bad_firmware_ranges(kwargs: dict, message: str) -> None:
    with pytest.raises(QuirkError, match=message):
        FirmwareRange(**kwargs)


def test_firmware_conditional_fingerprint() -> None:
    fp = Fingerprint(
        manufacturer_id=1,
        product_type=2,
        product_id=3,
        manufacturer="M",
        model="X",
        firmware=FirmwareRange(min="2.0"),
    )
    quirk = Quirk(key="q", fingerprints=(fp,))
    assert quirk.match((1, 2, 3), (2, 0)) is fp
    assert quirk.match((1, 2, 3), (1, 9)) is None
    assert quirk.match((1, 2, 3), None) is None


def test_sensor_declaration_checks() -> None:
    with pytest.raises(QuirkError, match="needs a source"):
        SensorDecl(key="s", translation_key="s", sources=())
    ref = ValueRef(command_class=1, property="p")
    with pytest.raises(QuirkError, match="convert"):
        SensorDecl(key="s", translation_key="s", sources=(ref, ref))
    with pytest.raises(QuirkError, match="alternatives"):
        SensorDecl(key="s", translation_key="s", sources=(ref,), alternatives=True)
    with pytest.raises(QuirkError, match="max_power"):
        SensorDecl(
            key="s",
            translation_key="s",
            sources=(ref,),
            state_class=SensorStateClass.TOTAL_INCREASING,
        )
    with pytest.raises(QuirkError, match="max_power only"):
        SensorDecl(
            key="s",
            translation_key="s",
            sources=(ref,),
            state_class=SensorStateClass.MEASUREMENT,
            max_power=PowerLimit(watts=1),
        )
    with pytest.raises(QuirkError, match="above 0 W"):
        PowerLimit(watts=0)


def test_every_total_of_the_shipped_quirks_is_guarded() -> None:
    for quirk in QUIRKS:
        for decl in quirk.entities:
            if isinstance(decl, SensorDecl) and decl.guard_total:
                assert decl.max_power is not None, (quirk.key, decl.key)


def test_han_reads_scale_1_as_exported_energy() -> None:
    """Heatit's driver: the "kVAh" scale carries the exported kWh (see the quirk)."""
    resolved = find_quirk(Z_HAN2.ids, "1.0")
    assert resolved is not None
    sensors = {d.key: d for d in resolved.declared(SensorDecl)}
    assert "apparent_energy" not in sensors
    export = sensors["energy_export"]
    assert (export.device_class, export.state_class, export.unit) == (
        SensorDeviceClass.ENERGY,
        SensorStateClass.TOTAL_INCREASING,
        "kWh",
    )
    assert export.enabled_by_default
    # scale 0 produced first, then scale 1 produced, then scale 1 consumed
    assert [ref.property_key for ref in export.sources] == [0x10002, 0x10102, 0x10101]
    assert export.alternatives
    assert export.convert is None
    assert sensors["temperature"].no_reading == (-999.9,)
    assert sensors["meter_serial"].private
    assert [d.key for d in resolved.declared(ButtonDecl)] == ["reset_meters"]
    assert all(p.private for p in resolved.parameters if p.number in (9, 10))
    limit = sensors["energy"].max_power
    assert limit is not None
    assert limit.scaled_by is not None
    assert limit.scaled_by.property == 11


def test_value_ids() -> None:
    assert ValueRef(command_class=112, property=7).value_id(4) == "4-112-0-7"
    assert ValueRef(command_class=50, property="value", property_key=65537).value_id(2) == (
        "2-50-0-value-65537"
    )


def test_the_registry_finds_every_quirk_module() -> None:
    """A new device's module is found without being listed (issue 22: fewer files)."""
    modules = {
        p.stem
        for p in (ROOT / "custom_components" / "zwave_quirks" / "quirks").glob("*.py")
        if p.stem not in registry.NOT_QUIRKS and not p.stem.startswith("_")
    }
    assert {"hank_hkzw_so03", "heatit_z_han2"} <= modules
    assert {quirk.key for quirk in registry.QUIRKS} == modules


def test_every_shipped_quirk_says_what_its_devices_are() -> None:
    """The list of supported devices is written from it (scripts/derive.py)."""
    for quirk in registry.QUIRKS:
        assert quirk.description and quirk.description == quirk.description.strip(), quirk.key


def test_a_quirk_module_without_a_quirk_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "somequirks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TypeError, match="quirk module helper has no QUIRK"):
        registry.discover("somequirks")


def test_every_supported_device_has_a_captured_fixture() -> None:
    """The fixture list is derived from the quirks: a new device needs its captured state."""
    assert {"hank_hkzw_so03", "zooz_zen06", "heatit_z_han2"} <= set(SUPPORTED_FIXTURES)
    for name in SUPPORTED_FIXTURES:
        assert (FIXTURES / f"{name}_state.json").is_file(), (
            f"{name}: run scripts/dev/capture_fixtures.py"
        )
