"""Event path: value-updated events pushed through the client library into Home Assistant.

Per event: ours, core's zwave_js, and the floor (the library parsing the event
plus one plain async_write_ha_state of a minimal entity); for comparison, the
same with a minimal SensorEntity (a device class and a unit) in place of the
minimal entity. Power, energy and temperature events, in rounds alternating
the paths; median per round.

Run: .venv/bin/python bench/event_path.py [--events 100000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from harness import CORE, OURS, BenchClient, home_assistant, make_entry, median, network_state
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_component import EntityComponent
from zwave_js_server.event import Event
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node

from tests.fixture_client import LOG_CONFIG

PLUG, HAN = 2, 4  # a HKZW-SO03 plug and a Z-HAN2 in network_state(3)
METER = {"commandClassName": "Meter", "commandClass": 50, "endpoint": 0, "property": "value"}
POWER = METER | {"propertyKey": 66049, "propertyName": "value", "propertyKeyName": "Electric_W"}
ENERGY = METER | {"propertyKey": 65537, "propertyName": "value", "propertyKeyName": "Electric_kWh"}
TEMPERATURE = {
    "commandClassName": "Multilevel Sensor",
    "commandClass": 49,
    "endpoint": 0,
    "property": "Air temperature",
    "propertyName": "Air temperature",
}


def make_events(count: int, start: int) -> list[tuple[int, dict[str, Any]]]:
    """(node id, event data): power, energy (rising) and temperature in turn."""
    events = []
    for i in range(start, start + count):
        kind = i % 3
        if kind == 0:
            node_id, args = PLUG, POWER | {"newValue": float(i % 2000), "prevValue": 0.0}
        elif kind == 1:
            node_id, args = PLUG, ENERGY | {"newValue": 1.23 + i * 1e-4, "prevValue": 1.23}
        else:
            node_id, args = HAN, TEMPERATURE | {"newValue": 15 + (i % 100) / 10, "prevValue": 20}
        events.append(
            (node_id, {"source": "node", "event": "value updated", "nodeId": node_id, "args": args})
        )
    return events


class FloorEntity(Entity):
    """A minimal entity: its state is the last value."""

    _attr_should_poll = False
    _attr_name = "floor"

    def __init__(self) -> None:
        self.value: Any = None

    @property
    def state(self) -> Any:
        return self.value


class FloorSensor(SensorEntity):
    """A minimal sensor: a device class and a unit, its native value the last value."""

    _attr_should_poll = False
    _attr_name = "floor sensor"
    _attr_device_class = SensorDeviceClass.POWER
    _attr_native_unit_of_measurement = UnitOfPower.WATT

    def __init__(self) -> None:
        self.value: Any = None

    @property
    def native_value(self) -> Any:
        return self.value


async def setup_floor(
    hass: HomeAssistant, state: dict[str, Any], entity: FloorEntity | FloorSensor
) -> dict[int, Node]:
    """A driver of its own and one entity written once per value-updated event."""
    component: EntityComponent[Entity] = EntityComponent(
        logging.getLogger(__name__), f"bench_{type(entity).__name__.lower()}", hass
    )
    await component.async_add_entities([entity])
    driver = Driver(BenchClient("", None), json.loads(json.dumps(state)), LOG_CONFIG)  # type: ignore[arg-type]

    def written(event: dict[str, Any]) -> None:
        entity.value = event["value"].value
        entity.async_write_ha_state()

    nodes = driver.controller.nodes
    for node in nodes.values():
        node.on("value updated", written)
    return nodes


async def setup_integration(hass: HomeAssistant, domain: str) -> Callable[[], dict[int, Node]]:
    entry = make_entry(domain)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = BenchClient.last
    return lambda: client.driver.controller.nodes  # type: ignore[union-attr]


async def push(hass: HomeAssistant, nodes: dict[int, Node], events: list) -> float:
    """Seconds per event, all state writes done."""
    t0 = time.perf_counter()
    for node_id, data in events:
        nodes[node_id].receive_event(Event("value updated", dict(data)))
    await hass.async_block_till_done()
    return (time.perf_counter() - t0) / len(events)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    state = network_state(3)
    BenchClient.state = state
    per_round = args.events // args.rounds
    async with home_assistant() as hass:
        ours = await setup_integration(hass, OURS)
        core = await setup_integration(hass, CORE)
        floor = await setup_floor(hass, state, FloorEntity())
        floor_sensor = await setup_floor(hass, state, FloorSensor())
        paths = {
            OURS: ours,
            CORE: core,
            "floor": lambda: floor,
            "floor_sensor": lambda: floor_sensor,
        }
        # warm-up
        for get in paths.values():
            await push(hass, get(), make_events(300, 0))
        results: dict[str, list[float]] = {name: [] for name in paths}
        for r in range(args.rounds):
            events = make_events(per_round, 300 + r * per_round)
            for name, get in paths.items():  # alternating
                results[name].append(await push(hass, get(), events))
        # each path wrote the last temperature
        last = f"{make_events(1, 300 + args.rounds * per_round - 1)[0][1]['args']['newValue']}"
        written = {s.entity_id for s in hass.states.async_all() if s.state == last}
        assert len(written) >= len(paths), written
    us = {name: median(v) * 1e6 for name, v in results.items()}
    print(f"{'path':<13} {'us/event':>9}   ({args.rounds} rounds of {per_round} events, median)")
    for name, value in us.items():
        print(f"{name:<13} {value:>9.1f}")
    print(
        f"ours/core {us[OURS] / us[CORE]:.2f}x; ours/floor {us[OURS] / us['floor']:.2f}x; "
        f"core/floor {us[CORE] / us['floor']:.2f}x; "
        f"ours/floor_sensor {us[OURS] / us['floor_sensor']:.2f}x; "
        f"floor_sensor/floor {us['floor_sensor'] / us['floor']:.2f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
