"""Malformed and hostile events from the server never escape into Home Assistant.

Hypothesis generates value events for the three nodes: wrong types, missing
keys, unknown command classes and properties, values out of every declared
range, huge and negative numbers, NaN and infinities, strings where numbers
belong. Whatever arrives, no exception leaves the integration's code, every
entity shows a valid state (or unknown, or its last good one), and an
unexpected value is logged once, not once per event.
"""

from __future__ import annotations

import logging
import math
import traceback
from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.event import Event

from .fixture_client import FixtureClient
from .helpers import HAN, PLUG, ZEN06

OURS = str(Path(__file__).resolve().parents[1] / "custom_components")
METER_KEYS = [0x10001, 0x10002, 0x10101, 0x10102, 0x10201, 0x10401, 0x10501]

numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [0, -1, 1, 255, 256, 65535, 2**31, -(2**31), -999.9, 1e308, -21474836.48, math.nan]
    ),
    st.sampled_from([math.inf, -math.inf]),
)
junk = st.one_of(
    numbers,
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
targets = st.one_of(
    st.tuples(st.just(50), st.just("value"), st.sampled_from(METER_KEYS)),
    st.tuples(st.just(49), st.just("Air temperature"), st.none()),
    st.tuples(
        st.just(112), st.sampled_from([1, 3, 7, 8, 9, 10, 11, 20, 21, 27, 30, 171]), st.none()
    ),
    st.tuples(st.just(37), st.sampled_from(["currentValue", "targetValue"]), st.none()),
    st.tuples(st.just(43), st.just("sceneId"), st.none()),
    st.tuples(st.integers(0, 300), st.one_of(st.text(max_size=6), st.integers()), st.none()),
)


@st.composite
def value_events(draw: st.DrawFn) -> tuple[int, str, dict[str, Any]]:
    node_id = draw(st.sampled_from([PLUG, ZEN06, HAN, 99]))
    kind = draw(
        st.sampled_from(["value updated", "value added", "metadata updated", "value notification"])
    )
    command_class, prop, key = draw(targets)
    args: dict[str, Any] = {
        "commandClassName": "x",
        "commandClass": command_class,
        "endpoint": draw(st.sampled_from([0, 0, 0, 1])),
        "property": prop,
        "newValue": draw(junk),
        "prevValue": draw(junk),
        "value": draw(junk),
        "propertyName": str(prop),
    }
    if key is not None:
        args["propertyKey"] = key
    if draw(st.booleans()):
        args["metadata"] = {
            "type": draw(st.sampled_from(["number", "string", "any"])),
            "min": draw(junk),
            "max": draw(junk),
            "states": draw(
                st.one_of(
                    st.none(), st.dictionaries(st.text(max_size=2), st.text(max_size=3), max_size=2)
                )
            ),
        }
    for missing in draw(st.lists(st.sampled_from(list(args)), max_size=2)):
        args.pop(missing, None)
    return node_id, kind, args


@pytest.fixture
def client(fixture_client: type[FixtureClient]) -> type[FixtureClient]:
    return fixture_client


@pytest.fixture
def loaded(fixture_entry: MockConfigEntry) -> MockConfigEntry:
    return fixture_entry


def _deliver(entry: MockConfigEntry, node_id: int, kind: str, args: dict[str, Any]) -> None:
    """Hand an event to the library as the client's listen loop does.

    The library may refuse a malformed event itself (its model raises while
    parsing, before any of our code runs); our code must never raise.
    """
    binding = entry.runtime_data.bindings.get(node_id)
    if binding is None or binding.node is None:
        return
    data = {"source": "node", "event": kind, "nodeId": node_id, "args": args}
    try:
        binding.node.receive_event(Event(type=kind, data=data))
    except Exception as err:
        frames = [frame.filename for frame in traceback.extract_tb(err.__traceback__)]
        if any(name.startswith(OURS) for name in frames):
            raise AssertionError("".join(traceback.format_exception(err))) from err


def _check_errors(caplog: pytest.LogCaptureFixture) -> None:
    """The library logs an exception a handler raised: none may come from our code."""
    for record in caplog.records:
        if record.exc_info and record.exc_info[2] is not None:
            frames = [f.filename for f in traceback.extract_tb(record.exc_info[2])]
            if any(name.startswith(OURS) for name in frames):
                raise AssertionError("".join(traceback.format_exception(*record.exc_info)))


def _check_states(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        state = hass.states.get(entity.entity_id)
        if state is None or state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            continue
        attributes = state.attributes
        if entity.domain == "sensor" and attributes.get("state_class"):
            value = float(state.state)
            # a finite value near the largest float may print as one that parses as inf
            assert state.state.lower().lstrip("-") not in ("nan", "inf"), entity.entity_id
            if attributes["state_class"] == "total_increasing":
                assert value >= 0, (entity.entity_id, state.state)
        elif entity.domain == "number":
            value = float(state.state)
            assert attributes["min"] <= value <= attributes["max"], (entity.entity_id, value)
        elif entity.domain == "select":
            assert state.state in attributes["options"], (entity.entity_id, state.state)
        elif entity.domain == "switch":
            assert state.state in ("on", "off"), (entity.entity_id, state.state)


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=st.lists(value_events(), min_size=1, max_size=4))
async def test_hostile_events_never_escape(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    events: list[tuple[int, str, dict[str, Any]]],
) -> None:
    caplog.set_level(logging.WARNING)
    for node_id, kind, args in events:
        _deliver(loaded, node_id, kind, args)
        await hass.async_block_till_done()
        _check_errors(caplog)
        _check_states(hass, loaded)
        # the same bad value again and again is one warning, not one per event
        caplog.clear()
        for _ in range(3):
            _deliver(loaded, node_id, kind, dict(args))
            await hass.async_block_till_done()
        _check_errors(caplog)
        warnings = [
            r
            for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.startswith("custom_components")
        ]
        assert len(warnings) <= 1, [r.getMessage() for r in warnings]
