"""Every name, option and error the quirks and the code use is translated, with an icon."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.const import Platform

from custom_components.zwave_quirks.quirks.model import ResolvedQuirk
from custom_components.zwave_quirks.quirks.registry import QUIRKS

COMPONENT = Path(__file__).parent.parent / "custom_components" / "zwave_quirks"
LANGUAGES = ("en", "nb")


def _load(name: str) -> dict[str, Any]:
    return json.loads((COMPONENT / name).read_text(encoding="utf-8"))


def _flatten(data: Any, prefix: str = "") -> set[str]:
    if not isinstance(data, dict):
        return {prefix}
    return set().union(*(_flatten(v, f"{prefix}/{k}") for k, v in data.items()))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _every_variant() -> list[ResolvedQuirk]:
    return [
        quirk.resolve(fingerprint, version)
        for quirk in QUIRKS
        for fingerprint in quirk.fingerprints
        for version in (None, (1, 0), (1, 3), (9, 9))
    ]


def _entity_keys() -> dict[Platform, dict[str, set[str]]]:
    """Translation keys per platform, each with the option keys it needs."""
    keys: dict[Platform, dict[str, set[str]]] = {}
    for resolved in _every_variant():
        for decl in resolved.entities:
            keys.setdefault(decl.platform, {}).setdefault(decl.translation_key, set())
        for param in resolved.parameters:
            if param.platform is None:
                continue
            options = keys.setdefault(param.platform, {}).setdefault(param.key, set())
            options.update(param.options.values())
            if param.switch_key:
                keys.setdefault(Platform.SWITCH, {}).setdefault(f"{param.key}_enabled", set())
    return keys


def test_languages_have_the_same_keys() -> None:
    en = _flatten(_load("translations/en.json"))
    for language in LANGUAGES[1:]:
        assert _flatten(_load(f"translations/{language}.json")) == en, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entity_name_and_option_is_translated(language: str) -> None:
    entity = _load(f"translations/{language}.json")["entity"]
    for platform, keys in _entity_keys().items():
        for key, options in keys.items():
            assert entity[platform.value][key]["name"], (language, platform, key)
            assert options <= set(entity[platform.value][key].get("state", {})), (key, options)


def test_icons_for_every_configuration_entity_and_none_stale() -> None:
    icons = _load("icons.json")["entity"]
    names = _load("translations/en.json")["entity"]
    for platform, keys in _entity_keys().items():
        if platform is Platform.SENSOR:
            continue  # sensors with a device class have Home Assistant's icons
        for key in keys:
            assert icons[platform.value][key]["default"].startswith("mdi:"), key
    for platform, entries in icons.items():
        assert set(entries) <= set(names[platform]), platform


def test_every_raised_error_is_translated_with_the_same_placeholders() -> None:
    # the code outside the quirks raises errors; the quirks name entities
    source = "\n".join(p.read_text(encoding="utf-8") for p in COMPONENT.glob("*.py"))
    used = set(re.findall(r'translation_key="(\w+)"', source))
    used |= set(re.findall(r'_invalid\(\s*"(\w+)"', source))
    used |= set(re.findall(r'(?:ConnectError\(\s*|reason = )"(\w+)"', source))
    used |= set(re.findall(r'else "(\w+)"\n\s+raise ConnectError', source))
    assert {"cannot_connect", "bad_server", "wrong_network", "driver_not_ready"} <= used
    ranged = set(re.findall(r'_range_error\(\s*"(\w+)"', source))
    assert ranged, "the range errors moved; update this test"
    used |= ranged | {f"{key}_or_off" for key in ranged}
    errors = {
        language: _load(f"translations/{language}.json")["exceptions"] for language in LANGUAGES
    }
    for key in used:
        texts = [errors[language][key]["message"] for language in LANGUAGES]
        assert len({frozenset(_placeholders(text)) for text in texts}) == 1, key


# Characters a name shows uncut on the device page's card at 1440 px wide:
# a number's input box leaves about 22 (the browser test measures every name
# and fails on a cut one); a switch's toggle and a select's menu leave more.
NAME_ROOM = {
    Platform.NUMBER: 21,
    Platform.SWITCH: 27,
    Platform.SELECT: 27,
    Platform.BUTTON: 27,
    Platform.SENSOR: 27,
    Platform.EVENT: 27,
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_names_fit_the_device_page(language: str) -> None:
    entity = _load(f"translations/{language}.json")["entity"]
    too_long = [
        f"{platform}.{key}: {item['name']!r} ({len(item['name'])} characters)"
        for platform, items in entity.items()
        for key, item in items.items()
        if len(item["name"]) > NAME_ROOM[Platform(platform)]
    ]
    assert not too_long


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_parameter_switch_sorts_next_to_its_number(language: str) -> None:
    """The device page sorts a card's entities by name: the pair must stay together."""
    entity = _load(f"translations/{language}.json")["entity"]
    for resolved in _every_variant():
        names: dict[str, str] = {}
        for param in resolved.parameters:
            if param.platform is not None:
                names[param.entity_key] = entity[param.platform.value][param.key]["name"]
            if param.switch_key is not None:
                names[param.switch_key] = entity["switch"][f"{param.key}_enabled"]["name"]
        order = sorted(names, key=lambda key: names[key].casefold())
        for param in resolved.parameters:
            if param.switch_key is not None:
                number = order.index(param.entity_key)
                assert order[number + 1] == param.switch_key, (
                    resolved.fingerprint.model,
                    [names[key] for key in order],
                )


def test_set_parameter_offers_every_writable_parameter() -> None:
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text(encoding="utf-8"))
    offered = services["set_parameter"]["fields"]["parameter"]["selector"]["select"]["options"]
    writable = {param.key for quirk in QUIRKS for param in quirk.parameters if not param.read_only}
    assert sorted(offered) == sorted(writable)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_parameter_set_parameter_offers_is_named(language: str) -> None:
    """The form's list shows names (selector.parameter.options), none missing or stale."""
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text(encoding="utf-8"))
    offered = services["set_parameter"]["fields"]["parameter"]["selector"]["select"]["options"]
    names = _load(f"translations/{language}.json")["selector"]["parameter"]["options"]
    assert set(names) == set(offered)
    assert all(names.values())


def test_option_labels_name_one_option_in_every_language() -> None:
    """set_parameter takes an option by key or label in any shipped language."""
    entity = {lang: _load(f"translations/{lang}.json")["entity"] for lang in LANGUAGES}
    for quirk in QUIRKS:
        for param in quirk.parameters:
            names = {
                key: {key.casefold()}
                | {entity[lang]["select"][param.key]["state"][key].casefold() for lang in LANGUAGES}
                for key in param.options.values()
            }
            for key, words in names.items():
                others = set().union(*(w for k, w in names.items() if k != key))
                assert not words & others, (param.key, key, words & others)
