"""The documentation's tables are written from the quirk declarations and are current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from custom_components.zwave_quirks.quirks.registry import QUIRKS

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tables_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs_tables.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tables_name_every_parameter_and_entity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    from docs_tables import EN, tables  # noqa: PLC0415

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
