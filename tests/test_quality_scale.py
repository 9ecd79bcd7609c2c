"""quality_scale.yaml walks every rule up to Platinum, and its claims hold in the code."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import yaml

from custom_components.zwave_quirks import PLATFORMS

ROOT = Path(__file__).resolve().parents[1]
COMPONENT = ROOT / "custom_components" / "zwave_quirks"

# hassfest's ALL_RULES (script/hassfest/quality_scale.py in Home Assistant core)
RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
        "config-flow-test-coverage", "dependency-transparency", "docs-actions",
        "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
        "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
        "docs-examples", "docs-known-limitations", "docs-supported-devices",
        "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
        "entity-category", "entity-device-class", "entity-disabled-by-default",
        "entity-translations", "exception-translations", "icon-translations",
        "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip


def _rules() -> dict[str, dict[str, str]]:
    data = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text(encoding="utf-8"))
    return {
        name: rule if isinstance(rule, dict) else {"status": rule}
        for name, rule in data["rules"].items()
    }


def test_every_rule_up_to_platinum_is_done_or_exempt_with_a_reason() -> None:
    rules = _rules()
    assert set(rules) == {rule for tier in RULES.values() for rule in tier}
    for name, rule in rules.items():
        assert rule["status"] in ("done", "exempt"), name
        if rule["status"] == "exempt":
            assert rule.get("comment"), name


def test_claims_that_the_code_can_show() -> None:
    rules = _rules()
    assert rules["brands"]["status"] == "done"
    assert (COMPONENT / "brand" / "icon.png").is_file()
    # parallel-updates: every platform sets it
    for platform in PLATFORMS:
        module = importlib.import_module(f"custom_components.zwave_quirks.{platform.value}")
        assert isinstance(module.PARALLEL_UPDATES, int), platform
    # has-entity-name, appropriate-polling (set in the base entity's class body)
    source = (COMPONENT / "entity.py").read_text(encoding="utf-8")
    assert "_attr_has_entity_name = True" in source
    assert "_attr_should_poll = False" in source
    # strict-typing
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert mypy["strict"] is True
    assert mypy["warn_unreachable"] is True
    # repair-issues and exception-translations
    en = yaml.safe_load((COMPONENT / "translations" / "en.json").read_text(encoding="utf-8"))
    assert en["issues"]
    assert en["exceptions"]
    # icon-translations
    assert (COMPONENT / "icons.json").is_file()
