"""Every bad write is refused with nothing sent; cases generated from the quirk declarations.

For each parameter of each quirk: out of range, off step, unknown option,
non-finite and read-only writes, through its entity and through
``set_parameter``. A parameter variant that no fixture node uses is skipped
(add a fixture for a new quirk: the coverage test below asks for one).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zwave_quirks.binding import NodeBinding
from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.quirks.model import ConfigParam, Quirk
from custom_components.zwave_quirks.quirks.registry import QUIRKS

from .fixture_client import FixtureClient
from .helpers import entity_id

# one node of each device a quirk supports
pytestmark = pytest.mark.usefixtures("every_device")
NON_FINITE = [math.inf, -math.inf, math.nan, "inf", "nan"]


def bad_values(param: ConfigParam) -> list[tuple[str, Any]]:
    """(what, display value) pairs the device must never be sent."""
    if param.read_only:
        return [("read only", param.default / param.scale), ("read only, text", "on")]
    cases: list[tuple[str, Any]] = [("non-finite", value) for value in NON_FINITE]
    cases.append(("unknown option", "no_such_option"))
    if param.options:
        outside = max(param.options) + 1
        cases += [("not an option", outside), ("fraction", min(param.options) + 0.5)]
        return cases
    low, high = param.span
    cases += [
        ("below the range", (low - param.step) / param.scale),
        ("above the range", (high + param.step) / param.scale),
        ("huge", 1e15),
        ("huge negative", -1e15),
        ("between raw steps", (param.min + 0.5) / param.scale),  # type: ignore[operator]
    ]
    if param.step > 1:
        cases.append(("off step", (param.min + 1) / param.scale))  # type: ignore[operator]
    return cases


# one case per parameter variant (an entry per case is the slow part), its values in a loop
CASES = [
    pytest.param(quirk, param, id=f"{quirk.key}-{param.number}-{param.key}-{index}")
    for quirk in QUIRKS
    for index, param in enumerate(quirk.parameters)
]


def binding_for(entry: MockConfigEntry, quirk: Quirk, param: ConfigParam) -> NodeBinding:
    for binding in entry.runtime_data.bindings.values():
        if binding.resolved.quirk is quirk and param in binding.resolved.parameters:
            return binding
    pytest.skip(f"no fixture node uses this variant of parameter {param.number}")


def commands(client: type[FixtureClient]) -> list[dict[str, Any]]:
    return list(client.last.commands)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(("quirk", "param"), CASES)
async def test_bad_writes_are_refused_with_nothing_sent(
    hass: HomeAssistant,
    fixture_entry: MockConfigEntry,
    fixture_client: type[FixtureClient],
    quirk: Quirk,
    param: ConfigParam,
) -> None:
    binding = binding_for(fixture_entry, quirk, param)
    for what, value in bad_values(param):
        await _assert_refused(hass, fixture_client, binding, param, value, what)


async def _assert_refused(
    hass: HomeAssistant,
    fixture_client: type[FixtureClient],
    binding: NodeBinding,
    param: ConfigParam,
    value: Any,
    what: str,
) -> None:
    before = commands(fixture_client)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_parameter",
            {"device_id": binding.device_id, "parameter": param.number, "value": value},
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN, what
    assert commands(fixture_client) == before, what

    if param.platform is None:
        return
    entity = entity_id(
        hass, binding.home_id, binding.node_id, param.entity_key, param.platform.value
    )
    state = hass.states.get(entity)
    if param.options:
        service, data = "select_option", {"option": str(value)}
    elif isinstance(value, str):
        return  # the number's own schema refuses text before any code of ours runs
    else:
        service, data = "set_value", {"value": value}
    with pytest.raises((HomeAssistantError, ValueError)):
        await hass.services.async_call(
            param.platform.value, service, {"entity_id": entity, **data}, blocking=True
        )
    assert commands(fixture_client) == before, what
    assert hass.states.get(entity) == state, what


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_parameter_switches_send_only_accepted_values(
    hass: HomeAssistant, fixture_entry: MockConfigEntry, fixture_client: type[FixtureClient]
) -> None:
    """A switch writes the off value or a working one, never anything else."""
    switched = 0
    for binding in fixture_entry.runtime_data.bindings.values():
        for param in binding.resolved.parameters:
            if param.switch_key is None:
                continue
            entity = entity_id(hass, binding.home_id, binding.node_id, param.switch_key, "switch")
            for service in ("turn_off", "turn_on", "turn_on", "turn_off"):
                sent = len(fixture_client.last.set_values())
                await hass.services.async_call(
                    "switch", service, {"entity_id": entity}, blocking=True
                )
                for command in fixture_client.last.set_values()[sent:]:
                    assert param.accepts(command["value"]), (entity, service, command)
            switched += 1
    assert switched


async def test_every_quirk_has_a_fixture_node(fixture_entry: MockConfigEntry) -> None:
    """So that the generated cases above run for every quirk, not skip."""
    bound = {binding.resolved.quirk.key for binding in fixture_entry.runtime_data.bindings.values()}
    assert bound == {quirk.key for quirk in QUIRKS}
