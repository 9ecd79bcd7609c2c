"""The manifest's requirement never fights the Z-Wave library that core's Z-Wave JS pins.

Home Assistant installs a requirement at start when ``util.package.is_installed``
says it is not met (``requirements.py``): with our former ``==0.73.1`` pin on
2026.11, whose Z-Wave JS pins 0.74.0, the library flipped between the two at
every start, and core's Z-Wave JS failed to import. Run through Home
Assistant's own requirements path, with the library version each supported
release's Z-Wave JS pins installed.
"""

from __future__ import annotations

import json
from importlib.metadata import version as real_version
from pathlib import Path
from unittest.mock import patch

import pytest
from homeassistant import requirements
from homeassistant.components import zwave_js
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.util import package

from custom_components.zwave_quirks.const import DOMAIN

from .conftest import ROOT

LIBRARY = "zwave-js-server-python"
# what Home Assistant's own Z-Wave JS pins, release by release
CORE_PINS = {"2026.10": "0.73.1", "2026.11": "0.74.0"}
# the next library release, run by the 2026.11-lib0.75 leg
NEXT = "0.75.0"


def ours() -> list[str]:
    manifest = ROOT / "custom_components" / DOMAIN / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["requirements"]


def core_requirement() -> str:
    manifest = Path(zwave_js.__file__).with_name("manifest.json")
    (requirement,) = json.loads(manifest.read_text(encoding="utf-8"))["requirements"]
    return requirement


async def installs_for(hass: HomeAssistant, requirement: list[str], installed: str) -> list[str]:
    """What Home Assistant installs for these requirements, with ``installed`` there."""

    def version(name: str) -> str | None:
        return installed if name == LIBRARY else real_version(name)

    hass.config.skip_pip = False  # the test plugin skips pip; users' Home Assistant does not
    with (
        patch.object(package, "version", version),
        patch.object(package, "install_package", return_value=True) as install,
    ):
        await requirements.async_process_requirements(hass, DOMAIN, requirement, False)
    return [call.args[0] for call in install.call_args_list]


def test_the_running_release_pins_a_known_version() -> None:
    """The table above holds for the Home Assistant this leg runs on."""
    release = f"{MAJOR_VERSION}.{MINOR_VERSION}"
    assert release in CORE_PINS, (
        f"Home Assistant {release} is not in CORE_PINS: add what its zwave_js pins"
        f" ({core_requirement()}), and a test leg (scripts/leg)"
    )
    assert core_requirement() == f"{LIBRARY}=={CORE_PINS[release]}"


@pytest.mark.parametrize(
    "installed",
    # what each supported release pins, the running release's pin (also on a
    # newer release, in the scheduled workflow), and the next library release
    sorted({*CORE_PINS.values(), core_requirement().partition("==")[2], NEXT}),
)
async def test_nothing_is_installed_over_what_core_pins(
    hass: HomeAssistant, installed: str
) -> None:
    assert await installs_for(hass, ours(), installed) == []


async def test_core_pin_is_installed_before_we_load(hass: HomeAssistant) -> None:
    """Updating from 0.1.0 on 2026.11, with its 0.73.1 still installed.

    zwave_js is one of our after_dependencies: Home Assistant processes its
    requirements with ours, so core's pin is installed before our code imports
    the library (and holds an older copy that core's import would then find).
    """
    pin = core_requirement()
    left_by_0_1_0 = "0.73.1"
    hass.config.skip_pip = False

    def version(name: str) -> str | None:
        return left_by_0_1_0 if name == LIBRARY else real_version(name)

    with (
        patch.object(package, "version", version),
        patch.object(package, "install_package", return_value=True) as install,
    ):
        await requirements.async_get_integration_with_requirements(hass, DOMAIN)
    installed = [call.args[0] for call in install.call_args_list if LIBRARY in call.args[0]]
    # 2026.11: core's 0.74.0; 2026.10 pins what 0.1.0 left, so nothing
    assert installed == ([] if pin.endswith(f"=={left_by_0_1_0}") else [pin])


async def test_a_pin_would_install_over_core(hass: HomeAssistant) -> None:
    """The former manifest, on 2026.11: the check above can fail."""
    assert await installs_for(hass, [f"{LIBRARY}==0.73.1"], CORE_PINS["2026.11"]) == [
        f"{LIBRARY}==0.73.1"
    ]


def test_the_bound_is_below_every_supported_release() -> None:
    (requirement,) = ours()
    for installed in [*CORE_PINS.values(), NEXT]:
        with patch.object(package, "version", lambda _name, v=installed: v):
            assert package.is_installed(requirement), installed
        with patch.object(package, "version", lambda _name: "0.73.0"):
            assert not package.is_installed(requirement)
