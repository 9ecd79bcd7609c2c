"""What is derived from the quirk declarations (README tables, icons.json) is current."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from custom_components.zwave_quirks.quirks.model import Fingerprint, QuirkError
from custom_components.zwave_quirks.quirks.registry import QUIRKS

ROOT = Path(__file__).resolve().parents[1]


def test_derived_files_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "derive.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def derive(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """scripts/derive.py as a module."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import derive  # noqa: PLC0415

    return derive


def _new_device(derive: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """A third shipped quirk: the Z-HAN2's declarations for another maker's device."""
    han = next(q for q in QUIRKS if q.key == "heatit_z_han2")
    other = Fingerprint(
        manufacturer_id=0x7F7F, product_type=1, product_id=2, manufacturer="Acme", model="P1"
    )
    new = dataclasses.replace(han, key="acme_p1", description="wall plug", fingerprints=(other,))
    # found first (the registry's order is the modules' names)
    monkeypatch.setattr(derive, "QUIRKS", [new, *QUIRKS])


def test_a_new_device_gets_its_readme_row_and_section(
    derive: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new_device(derive, monkeypatch)
    readme = derive.render((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "| Acme P1 wall plug | 0x7f7f / 0x0001 / 0x0002 | `quirks/acme_p1.py` |" in readme
    section = readme.index("### Acme P1\n\n<!-- tables:acme_p1 -->\n| entity |")
    # after the shipped devices' sections (the Z-HAN2's capacity tariff too), before the rest
    assert readme.index("### Capacity tariff (Z-HAN2)") < section
    assert section < readme.index("### Parameters that 0 turns off")
    # written once: a second run changes nothing
    assert derive.render(readme) == readme


def test_icons_are_the_declarations(derive: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    icons = derive.icons()
    written = json.loads((ROOT / "custom_components/zwave_quirks/icons.json").read_text())
    assert icons == written["entity"]
    assert icons["switch"]["power_report_threshold_enabled"] == {
        "default": "mdi:tune-variant",
        "state": {"off": "mdi:bell-off-outline"},
    }
    # the capacity sensors' other period has the same icon
    assert icons["sensor"]["energy_this_period"] == icons["sensor"]["energy_this_hour"]
    # one translation key, two icons: refused
    plug = QUIRKS[0]
    outlet = dataclasses.replace(plug.entities[0], key="other", icon="mdi:power")
    clash = dataclasses.replace(plug, key="clash", entities=(outlet,), parameters=())
    monkeypatch.setattr(derive, "QUIRKS", [*QUIRKS, clash])
    with pytest.raises(SystemExit, match="outlet has two icons"):
        derive.icons()
    # and one with an icon, one without (the energy sensor has the device class's icon)
    energy = next(e for e in plug.entities if e.key == "energy")
    flash = dataclasses.replace(
        plug, key="clash", entities=(dataclasses.replace(energy, icon="mdi:flash"),), parameters=()
    )
    monkeypatch.setattr(derive, "QUIRKS", [*QUIRKS, flash])
    with pytest.raises(SystemExit, match="energy has two icons"):
        derive.icons()


def test_an_icon_is_mdi_and_a_name() -> None:
    plug = QUIRKS[0]
    outlet = dataclasses.replace(plug.entities[0], icon="power-socket")
    with pytest.raises(QuirkError, match="is not mdi:<name>"):
        dataclasses.replace(plug, entities=(outlet,))


def test_tables_name_every_parameter_and_entity(derive: ModuleType) -> None:
    EN, tables = derive.EN, derive.tables  # noqa: N806

    for quirk in QUIRKS:
        text = tables(quirk)
        for param in quirk.parameters:
            assert f"\n| {param.number} | " in text, (quirk.key, param.number)
            if param.platform is not None:
                assert EN[param.platform.value][param.key]["name"] in text, param.key
        for decl in quirk.entities:
            assert f"| {EN[decl.platform.value][decl.translation_key]['name']} |" in text


def test_the_changelog_and_the_user_agent_name_the_manifest_version() -> None:
    import json  # noqa: PLC0415
    import re  # noqa: PLC0415

    from custom_components.zwave_quirks.const import USER_AGENT  # noqa: PLC0415

    manifest = json.loads((ROOT / "custom_components/zwave_quirks/manifest.json").read_text())
    newest = re.search(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert newest is not None
    assert newest[1] == manifest["version"]
    assert {"zwave_quirks": manifest["version"]} == USER_AGENT
