"""A realistic home: 6 supported nodes among 225 devices no quirk supports.

Run: .venv/bin/python bench/mixed_home.py [--repeat 5] [--others 225] [--reports 2000]

Two simulated networks, each the real Z-Wave JS server (simulator/): the mixed home (two
of each supported device, then `--others` nodes of other kinds: thermostats,
multisensors, dimmers, another maker's metering plugs, locks) and the 6 supported nodes
alone. Per repeat, alternating, each in a fresh Home Assistant with its real client:

- ours on the mixed home (the node filter on: nodefilter.py);
- ours on the mixed home without the node filter (as before it);
- ours on the 6 nodes alone;
- core's Z-Wave JS on the mixed home.

Setup: from `async_setup(entry)` to `async_block_till_done()` with every enabled entity's
state written (checked). Memory: tracemalloc's traced bytes added by the setup, after
`gc.collect()`, in a separate run. Then, in one Home Assistant with ours on the mixed
home: the process CPU time per value update of an unsupported node and of a supported
one (the simulator's load generator sends power reports; the idle CPU of the same span
is subtracted). The floor: a bare client of the server's API in a Home Assistant of its own
(its state, then every message dropped unread), the least any client costs. Medians; the
last lines are the ratios of the issue's goals, and our costs above the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from unittest.mock import patch

from harness import CORE, OURS, entity_counts, make_entry
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from live import live_home_assistant

# imported before Home Assistant mounts its test configuration's custom_components
from custom_components.zwave_quirks import transport
from simulator.launcher import Simulator

SUPPORTED = 6
# reports per second in the update cost (the whole network's)
RATE = 200
MIXED, ALONE, UNFILTERED, CORE_MIXED = "ours, mixed", "ours, 6 alone", "ours, no filter", "core"


def start(cache: Path, others: int) -> Simulator:
    sim = Simulator(
        cache / f"mixed-{SUPPORTED}-{others}",
        nodes=SUPPORTED,
        others=others,
        tx_delay=1,
        log_level="warn",
        log_path=cache / f"mixed-{others}.log",
    )
    began = time.monotonic()
    sim.start(timeout=1800)
    print(f"simulator: {SUPPORTED} + {others} nodes ready in {time.monotonic() - began:.1f} s")
    return sim


def unfiltered(stack: ExitStack) -> None:
    """Ours as before the node filter: the library gets the session itself."""
    stack.enter_context(patch.object(transport, "filtered_session", lambda session, _f: session))


@asynccontextmanager
async def fresh_home_assistant(
    domain: str, sim: Simulator, before: Callable[[ExitStack], None] | None
) -> AsyncIterator[tuple[HomeAssistant, ConfigEntry]]:
    """A fresh Home Assistant (patched by ``before``) and the domain's entry, not set up."""
    with ExitStack() as stack:
        if before is not None:
            before(stack)
        async with live_home_assistant() as hass:
            entry = make_entry(domain, sim.url)
            entry.add_to_hass(hass)
            yield hass, entry
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()


async def one_setup(
    domain: str, sim: Simulator, trace: bool, before: Callable[[ExitStack], None] | None
) -> tuple[float, float, int, int]:
    """Seconds to set up, process CPU seconds (or bytes added when tracing), enabled entities."""
    async with fresh_home_assistant(domain, sim, before) as (hass, entry):
        gc.collect()
        if trace:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        began, cpu = time.perf_counter(), time.process_time()
        assert await hass.config_entries.async_setup(entry.entry_id), domain
        await hass.async_block_till_done()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        added = 0
        if trace:
            gc.collect()
            added = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.stop()
        _created, enabled, written = entity_counts(hass, entry)
        assert written == enabled, (domain, written, enabled)
    return elapsed, cpu, added, enabled


async def cpu_per_report(
    hass: HomeAssistant, sim: Simulator, nodes: list[int], reports: int, rate: float
) -> float:
    """Process CPU seconds per report of these nodes, the idle CPU of the same span less.

    Both spans make one request to the simulator and then only wait (no polling).
    """
    seconds = reports / rate
    span = seconds + 1.5  # the last reports through
    gc.collect()  # not the garbage of an earlier Home Assistant
    cpu = time.process_time()
    await hass.async_add_executor_job(sim.load_status)
    await asyncio.sleep(span)
    await hass.async_block_till_done()
    idle = time.process_time() - cpu
    cpu = time.process_time()
    await hass.async_add_executor_job(sim.start_load, rate, seconds, nodes, None)
    await asyncio.sleep(span)
    await hass.async_block_till_done()
    spent = time.process_time() - cpu - idle
    status = await hass.async_add_executor_job(sim.wait_load, 60)
    assert status["sent"] >= reports * 0.95, status
    return max(spent, 0.0) / reports


@asynccontextmanager
async def bare_client(hass: HomeAssistant, sim: Simulator) -> AsyncIterator[float]:
    """The least any client of the server's API does; yields the seconds its state took.

    It connects as the library does, initializes, sends start_listening, parses the state
    (in the executor, as ours does), and then receives every message and drops it unread.
    """
    session = async_get_clientsession(hass)
    began = time.perf_counter()
    ws = await session.ws_connect(sim.url, heartbeat=55, compress=15, max_msg_size=0)
    version = await ws.receive_json()
    schema = version["maxSchemaVersion"]
    await ws.send_json({"command": "initialize", "messageId": "i", "schemaVersion": schema})
    assert (await ws.receive_json())["success"]
    await ws.send_json({"command": "start_listening", "messageId": "l"})
    state = await hass.async_add_executor_job(json.loads, (await ws.receive()).data)
    assert state["success"] and state["result"]["state"]["nodes"], state.get("errorCode")
    elapsed = time.perf_counter() - began
    del state  # it keeps nothing (a heap as large as the state makes every collection slower)

    async def drain() -> None:
        while not ws.closed:
            await ws.receive()

    task = hass.async_create_background_task(drain(), "bare client")
    try:
        yield elapsed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await ws.close()


async def floor_costs(
    mixed: Simulator, alone: Simulator, reports: int, rounds: int, repeat: int
) -> tuple[float, float, float]:
    """The bare client: ms to its state on the mixed home and on the 6 alone (median), and
    µs of process CPU per report of an unsupported node (median)."""
    states: dict[Simulator, list[float]] = {mixed: [], alone: []}
    for _ in range(repeat):
        for sim in (mixed, alone):
            async with live_home_assistant() as hass, bare_client(hass, sim) as elapsed:
                states[sim].append(elapsed)
    async with live_home_assistant() as hass, bare_client(hass, mixed):
        await asyncio.sleep(2)
        costs = [
            await cpu_per_report(hass, mixed, unsupported_nodes(mixed), reports, RATE)
            for _ in range(rounds)
        ]
    return (
        statistics.median(states[mixed]) * 1e3,
        statistics.median(states[alone]) * 1e3,
        statistics.median(costs) * 1e6,
    )


def unsupported_nodes(sim: Simulator) -> list[int]:
    """The others that meter: of their kinds in turn (thermostat, multisensor, dimmer,
    metering plug, lock: simulator/README.md), the dimmers and the plugs."""
    assert sim.ready_info is not None
    others = [n for i, n in enumerate(sim.ready_info["others"]) if i % 5 in (2, 3)]
    assert others, sim.ready_info
    return others


async def update_costs(
    sim: Simulator, reports: int, rounds: int, before: Callable[[ExitStack], None] | None
) -> tuple[float, float]:
    """Median µs of process CPU per report: of an unsupported node, of a supported one."""
    supported = list(range(2, SUPPORTED + 2))  # they all meter
    others = unsupported_nodes(sim)
    async with fresh_home_assistant(OURS, sim, before) as (hass, entry):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await asyncio.sleep(2)
        theirs, ours = [], []
        for _ in range(rounds):  # alternating
            theirs.append(await cpu_per_report(hass, sim, others, reports, RATE))
            ours.append(await cpu_per_report(hass, sim, supported, reports, RATE))
    return statistics.median(theirs) * 1e6, statistics.median(ours) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--others", type=int, default=225)
    parser.add_argument("--reports", type=int, default=2000, help="per round of the update cost")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "zwave-quirks-live"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    mixed, alone = start(args.cache, args.others), start(args.cache, 0)
    try:
        runs: list[tuple[str, str, Simulator, Callable[[ExitStack], None] | None]] = [
            (MIXED, OURS, mixed, None),
            (UNFILTERED, OURS, mixed, unfiltered),
            (ALONE, OURS, alone, None),
            (CORE_MIXED, CORE, mixed, None),
        ]
        for _name, domain, sim, before in runs:  # imports and first-use caches
            await one_setup(domain, sim, False, before)
        times: dict[str, list[float]] = {name: [] for name, *_ in runs}
        cpus: dict[str, list[float]] = {name: [] for name, *_ in runs}
        mems: dict[str, list[float]] = {name: [] for name, *_ in runs}
        enabled: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, domain, sim, before in runs:
                seconds, cpu, _m, enabled[name] = await one_setup(domain, sim, False, before)
                times[name].append(seconds)
                cpus[name].append(cpu)
                *_s, added, _e = await one_setup(domain, sim, True, before)
                mems[name].append(added)
        unsupported_us, supported_us = await update_costs(mixed, args.reports, args.rounds, None)
        unfiltered_us, _ = await update_costs(mixed, args.reports, args.rounds, unfiltered)
        floor_mixed_ms, floor_alone_ms, floor_us = await floor_costs(
            mixed, alone, args.reports, args.rounds, args.repeat
        )
    finally:
        mixed.stop()
        alone.stop()
    total = SUPPORTED + args.others

    def median(values: dict[str, list[float]], name: str) -> float:
        return statistics.median(values[name])

    def ratio(a: str, b: str, values: dict[str, list[float]]) -> float:
        return median(values, a) / median(values, b)

    print(
        f"\n{'':17} {'setup ms':>9} {'CPU ms':>7} {'memory MiB':>11} {'entities':>9}"
        f"   ({total} nodes, {SUPPORTED} supported; median of {args.repeat})"
    )
    for name, *_ in runs:
        print(
            f"{name:17} {median(times, name) * 1e3:>9.1f} {median(cpus, name) * 1e3:>7.1f}"
            f" {median(mems, name) / 2**20:>11.2f} {enabled[name]:>9}"
        )
    print(
        f"value update, process CPU per report ({RATE}/s, {args.reports} per round, median of"
        f" {args.rounds}): unsupported node {unsupported_us:.0f} µs (without the filter"
        f" {unfiltered_us:.0f} µs), supported node {supported_us:.0f} µs"
    )
    print(
        f"goals: memory {ratio(MIXED, ALONE, mems):.2f}x the 6 alone (<= 1.3),"
        f" setup {ratio(MIXED, ALONE, times):.2f}x (<= 1.5; CPU {ratio(MIXED, ALONE, cpus):.2f}x);"
        f" {ratio(MIXED, CORE_MIXED, mems):.3f}x core's memory (<= 0.1),"
        f" {ratio(MIXED, CORE_MIXED, times):.3f}x core's setup (<= 0.05);"
        f" an unsupported update {unsupported_us / supported_us:.0%} of a supported one (<= 5 %)"
    )
    print(
        f"without the filter: memory {ratio(UNFILTERED, ALONE, mems):.2f}x,"
        f" setup {ratio(UNFILTERED, ALONE, times):.2f}x (CPU {ratio(UNFILTERED, ALONE, cpus):.2f}x)"
        f" the 6 alone; an unsupported update {unfiltered_us / supported_us:.0%} of a supported one"
    )

    alone_ms = median(times, ALONE) * 1e3
    ours_ms = median(times, MIXED) * 1e3 - alone_ms  # what the mixed home adds
    server_ms = floor_mixed_ms - floor_alone_ms  # of it, the server's bigger state
    print(
        f"floor (a bare client: connect, start_listening, the state parsed, every message"
        f" dropped unread): state {floor_mixed_ms:.1f} ms on the mixed home,"
        f" {floor_alone_ms:.1f} ms on the 6 alone; {floor_us:.0f} µs per unsupported report"
    )
    print(
        f"above the floor: the mixed home adds {ours_ms:.1f} ms to our setup, of which the"
        f" server's state {server_ms:.1f} ms (ours {ours_ms - server_ms:.1f} ms,"
        f" {(alone_ms + ours_ms - server_ms) / alone_ms:.2f}x"
        f" the 6 alone); an unsupported update {unsupported_us - floor_us:.0f} µs,"
        f" {(unsupported_us - floor_us) / supported_us:.0%} of a supported one"
    )


if __name__ == "__main__":
    asyncio.run(main())
