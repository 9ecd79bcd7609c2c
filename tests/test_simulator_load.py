"""The simulator with more nodes (--nodes) and its load generator, through to the sensors."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

from .conftest import Simulator
from .helpers import entity_id, wait_for

# one of each shipped device from node 2, then copies of them in turn
NODES = range(2, 8)


async def test_six_nodes_and_a_load(
    hass: HomeAssistant, socket_enabled: None, tmp_path: Path
) -> None:
    sim = Simulator(tmp_path / "cache", nodes=6, tx_delay=1, log_path=tmp_path / "sim.log")
    await hass.async_add_executor_job(sim.start)
    try:
        status = await hass.async_add_executor_job(sim.status)
        ids = {n["nodeId"]: n["manufacturerId"] for n in status["nodes"]}
        assert sorted(ids) == list(NODES)
        assert sim.ready_info is not None
        shipped = sim.ready_info["shipped"]
        assert all(ids[n] == ids[2 + (n - 2) % shipped] for n in NODES), ids
        assert [ids[n] for n in (2, 3, 4)] == [0x0208, 0x027A, 0x019B]
        entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id))
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

        log = tmp_path / "load.csv"
        await hass.async_add_executor_job(sim.start_load, 60, 0.5, None, log)
        await hass.async_add_executor_job(sim.wait_load, 10)
        with log.open(newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 30
        values: dict[int, list[str]] = defaultdict(list)
        for row in rows:
            values[int(row["node"])].append(row["value"])
        assert set(values) == set(NODES)
        for node, sent in values.items():
            assert len(set(sent)) == len(sent), node  # unique per node
            power = entity_id(hass, sim.home_id, node, "power", "sensor")
            last = float(sent[-1])
            await wait_for(hass, lambda p=power, v=last: float(hass.states.get(p).state) == v)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await hass.async_add_executor_job(sim.stop)
