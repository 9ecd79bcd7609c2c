"""Live benchmarks: a real Home Assistant, the real Z-Wave JS server on the simulated network.

Shared by soak.py and end_to_end.py. The simulator's load generator makes nodes send power
reports (W), each value unique per node, and logs when each left the node (ms since the epoch,
the clock of time.time()); a listener records every state change of the power sensors (its
time_fired). A report is seen when its value became the sensor's state; latency is
time_fired minus the time the report left the node.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
from harness import CORE, MAX_NODES, OURS, ROOT, config_dir, make_entry
from homeassistant import loader
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import async_test_home_assistant
from zwave_js_server import client as zwave_client

# imported before Home Assistant mounts its test configuration's custom_components
import custom_components.zwave_quirks  # noqa: F401
from simulator.launcher import Simulator

# a report this close before a server stop may be lost with the connection: not counted as
# sent while connected (see Windows)
EDGE_SECONDS = 1.0
# a report sent this shortly before the reconnect's state dump may be missing from it
IN_FLIGHT_SECONDS = 1.0
# the power sensor's unique id in each integration
POWER_UNIQUE_ID: dict[str, Callable[[int, int], str]] = {
    OURS: lambda home, node: f"{home}.{node}.power",
    CORE: lambda home, node: f"{home}.{node}-50-0-value-66049",
}


def parse_arguments(parser: argparse.ArgumentParser, nodes: int) -> argparse.Namespace:
    """Parse with the simulator's arguments (--nodes, --tx-delay, --cache) added."""
    parser.add_argument("--nodes", type=int, default=nodes, help=f"3..{MAX_NODES}")
    parser.add_argument(
        "--tx-delay", type=int, default=1, help="ms per frame on the mock radio (zwave-js: 10)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "zwave-quirks-live",
        help="simulator caches (per node count; kept for a warm start) and the report log",
    )
    args = parser.parse_args()
    if not 3 <= args.nodes <= MAX_NODES:
        parser.error(
            f"--nodes must be 3..{MAX_NODES}: Z-Wave classic node ids are 1..232 and "
            "node 1 is the controller"
        )
    args.cache.mkdir(parents=True, exist_ok=True)
    return args


def start_simulator(args: argparse.Namespace) -> tuple[Simulator, list[int]]:
    """A running simulator of args.nodes nodes, and its node ids.

    Its cache (per node count) is kept in args.cache: the first start interviews every node,
    later ones reuse the cache.
    """
    sim = Simulator(
        args.cache / f"nodes-{args.nodes}",
        nodes=args.nodes,
        tx_delay=args.tx_delay,
        log_level="warn",
        log_path=args.cache / "sim.log",
    )
    t0 = time.monotonic()
    info = sim.start(timeout=1800)
    print(f"simulator: {args.nodes} nodes ready in {time.monotonic() - t0:.1f} s", flush=True)
    return sim, list(info["nodes"])


@asynccontextmanager
async def live_home_assistant() -> AsyncIterator[HomeAssistant]:
    """A real Home Assistant with custom integrations enabled.

    Only the HTTP client's resolver is plain (Home Assistant's goes through zeroconf, which
    needs the network integration); the addresses are 127.0.0.1 anyway.
    """
    logging.basicConfig(level=logging.ERROR)
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]  # what HA closes
    with patch("homeassistant.helpers.aiohttp_client._async_make_resolver", return_value=resolver):
        async with async_test_home_assistant(config_dir=config_dir()) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            yield hass
            await hass.async_stop(force=True)


async def setup_power_sensors(
    hass: HomeAssistant, domain: str, sim: Simulator, nodes: Iterable[int]
) -> tuple[ConfigEntry, dict[str, int], int]:
    """Set up `domain` against the simulator: its entry, power sensor -> node, sensors enabled.

    Power sensors that the integration disables by default are enabled in the entity
    registry (and the entry reloaded); the count of those is returned.
    """
    entry = make_entry(domain, sim.url)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id), domain
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    sensors: dict[str, int] = {}
    enabled = 0
    for node in nodes:
        unique_id = POWER_UNIQUE_ID[domain](sim.home_id, node)
        entity_id = registry.async_get_entity_id("sensor", domain, unique_id)
        assert entity_id is not None, (domain, node)
        if registry.async_get(entity_id).disabled:  # type: ignore[union-attr]
            registry.async_update_entity(entity_id, disabled_by=None)
            enabled += 1
        sensors[entity_id] = node
    if enabled:
        await hass.config_entries.async_reload(entry.entry_id)
    await wait_available(hass, sensors, 600)
    return entry, sensors, enabled


def available(hass: HomeAssistant, entity_id: str) -> bool:
    state = hass.states.get(entity_id)
    return state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


async def wait_available(hass: HomeAssistant, entity_ids: Iterable[str], limit: float) -> float:
    """Seconds until every entity has a state (not unavailable or unknown)."""
    t0 = time.monotonic()
    pending = list(entity_ids)
    async with asyncio.timeout(limit):
        while pending := [e for e in pending if not available(hass, e)]:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return time.monotonic() - t0


class Watcher:
    """Every state change of the watched sensors: entity -> [(time_fired, state)]."""

    def __init__(self, hass: HomeAssistant, entity_ids: Iterable[str]) -> None:
        self.seen: dict[str, list[tuple[float, str]]] = {e: [] for e in entity_ids}
        self.last_change = time.time()
        self._remove = hass.bus.async_listen(EVENT_STATE_CHANGED, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        changes = self.seen.get(event.data["entity_id"])
        new = event.data["new_state"]
        if changes is not None and new is not None:
            changes.append((event.time_fired_timestamp, new.state))
            self.last_change = event.time_fired_timestamp

    def changes(self, since: float = 0) -> int:
        """State changes to a number (not unavailable) since then."""
        return sum(
            1
            for changes in self.seen.values()
            for t, state in changes
            if t >= since and state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
        )

    async def quiet(self, seconds: float, limit: float) -> None:
        """Wait until no watched state changed for `seconds` (at most `limit`)."""
        end = time.time() + limit
        while time.time() < end and time.time() - self.last_change < seconds:  # noqa: ASYNC110
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        self._remove()

    def save(self, path: Path) -> None:
        """The observations as JSON, to analyse a run again."""
        path.write_text(json.dumps(self.seen))


@dataclass(frozen=True, slots=True)
class Report:
    """One report as the simulator logged it."""

    node: int
    tenths: int  # value in 0.1 W, unique per node within a simulator's run
    sent: float  # seconds since the epoch
    acked: float | None  # when the controller's ACK reached the node (None: not within 1 s)
    server_running: bool


def read_reports(path: Path) -> list[Report]:
    with path.open(newline="") as f:
        return [
            Report(
                int(row["node"]),
                round(float(row["value"]) * 10),
                float(row["sentAt"]) / 1000,
                float(row["ackedAt"]) / 1000 if row["ackedAt"] else None,
                row["serverRunning"] == "1",
            )
            for row in csv.DictReader(f)
        ]


async def run_load(
    hass: HomeAssistant, sim: Simulator, rate: float, seconds: float, log: Path
) -> dict:
    """Start the simulator's load generator (returns at once); the log is written at its end."""
    return await hass.async_add_executor_job(sim.start_load, rate, seconds, None, log)


async def wait_load_done(hass: HomeAssistant, sim: Simulator, limit: float) -> dict:
    """The load generator's status once its run has ended and its log is written."""
    status = await hass.async_add_executor_job(sim.wait_load, limit)
    assert status["logWritten"], status
    return status


@dataclass
class Outcome:
    """Reports of one run as one integration saw them."""

    sent: int = 0
    changes: int = 0  # state changes to a number seen during the run
    connected: int = 0  # reports sent while connected
    seen: int = 0  # of those, seen as state
    lost: list[Report] = field(default_factory=list)  # sent while connected, never seen
    outage: int = 0  # reports sent in an outage window (see Windows)
    outage_seen: int = 0
    reconnects: int = 0  # sensors that came back after a stop (summed over the stops)
    stale: int = 0  # of those, came back without the node's latest value
    latencies: list[float] = field(default_factory=list)  # seconds, connected ones
    sent_at: list[float] = field(default_factory=list)  # when each of those was sent
    # from the controller's ACK (the frame had crossed the mock radio) to the state
    after_ack: list[float] = field(default_factory=list)

    def pct(self, p: float, latencies: list[float] | None = None) -> float:
        """Latency percentile in ms (nan without samples)."""
        xs = self.latencies if latencies is None else latencies
        if len(xs) < 2:
            return xs[0] * 1e3 if xs else float("nan")
        return statistics.quantiles(xs, n=1000, method="inclusive")[round(p * 10) - 1] * 1e3


WINDOWS = (
    f"A report counts as sent while connected unless it left the node in an outage window of "
    f"its sensor: from {EDGE_SECONDS:g} s before a server stop was requested until the "
    f"integration's new client received the server's state dump (from then on the server sends "
    f"every report as an event) and the sensor was no longer unavailable (a sensor shows the "
    f"node's latest value when it comes back). Lost: sent while connected, and its value never "
    f"became the sensor's state. "
    f"Stale: a sensor that came back from 'unavailable' with a value older than the node's "
    f"latest as of the dump (reports sent less than {IN_FLIGHT_SECONDS:g} s before it may be "
    f"missing from it)."
)


@contextmanager
def dump_clock() -> Iterator[list[float]]:
    """Times (time.time()) at which a client received the server's state dump.

    From the moment the server answers start_listening, every driver event goes to that client
    as an event; what happened before is in the dump.
    """
    times: list[float] = []
    real = zwave_client.Driver

    def driver(*args: Any) -> Any:
        times.append(time.time())
        return real(*args)

    with patch.object(zwave_client, "Driver", driver):
        yield times


def outages(stops: list[float], dumps: list[float]) -> list[tuple[float, float]]:
    """Per server stop, the outage window: EDGE_SECONDS before it until the next state dump."""
    return [
        (stop - EDGE_SECONDS, min((d for d in dumps if d > stop), default=float("inf")))
        for stop in stops
    ]


def came_back(changes: list[tuple[float, str]], stop: float) -> tuple[float, int] | None:
    """When a sensor got a value again after being unavailable after a stop, and the value."""
    became_unavailable = False
    for t, state in changes:
        if t < stop:
            continue
        if state == STATE_UNAVAILABLE:
            became_unavailable = True
        elif became_unavailable:
            return t, round(float(state) * 10)
    return None


def came_back_current(reports: list[Report], back: int, dump: float) -> bool:
    """Whether the value after a reconnect was the node's latest as of the dump, or newer.

    reports: the node's, in order. Latest: the last one sent at least IN_FLIGHT_SECONDS before
    the dump (none: not judged); the sensor must show it or a later one.
    """
    settled = sum(1 for r in reports if r.sent <= dump - IN_FLIGHT_SECONDS)
    return not settled or back in {r.tenths for r in reports[settled - 1 :]}


def analyse(
    reports: list[Report],
    sensors: dict[str, int],
    watcher: Watcher,
    since: float,
    windows: list[tuple[float, float]] = (),  # type: ignore[assignment]
) -> Outcome:
    """Match the reports with one integration's state changes (values are unique per node)."""
    out = Outcome(sent=len(reports))
    by_node: dict[int, list[Report]] = {node: [] for node in sensors.values()}
    for report in reports:
        if report.node in by_node:
            by_node[report.node].append(report)
    for entity_id, node in sensors.items():
        changes = [c for c in watcher.seen[entity_id] if c[0] >= since]
        first_seen: dict[int, float] = {}
        for t, state in changes:
            if state not in (STATE_UNAVAILABLE, STATE_UNKNOWN):
                out.changes += 1
                first_seen.setdefault(round(float(state) * 10), t)
        # this sensor's outages last until the dump and until it has a value again
        own = []
        for start, dump in windows:
            back = came_back(changes, start + EDGE_SECONDS)
            own.append((start, max(dump, back[0]) if back else dump))
            if back is not None:
                out.reconnects += 1
                out.stale += not came_back_current(by_node[node], back[1], dump)
        for report in by_node[node]:
            seen_at = first_seen.get(report.tenths)
            if any(start <= report.sent <= end for start, end in own):
                out.outage += 1
                out.outage_seen += seen_at is not None
            elif seen_at is None:
                out.connected += 1
                out.lost.append(report)
            else:
                out.connected += 1
                out.seen += 1
                out.latencies.append(seen_at - report.sent)
                out.sent_at.append(report.sent)
                if report.acked is not None:
                    out.after_ack.append(seen_at - report.acked)
    return out


def peak_rss_mib(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def our_tasks() -> list[str]:
    """Unfinished asyncio tasks running code of either integration or the client library."""
    marks = ("zwave_quirks", "zwave_js_server", f"components{os.sep}zwave_js")
    left = []
    for task in asyncio.all_tasks():
        if task.done() or task is asyncio.current_task():
            continue
        code = getattr(task.get_coro(), "cr_code", None)
        where = f"{task.get_name()} {code.co_filename if code else ''}"
        if any(m in where for m in marks):
            left.append(where)
    return left


__all__ = ["CORE", "OURS", "ROOT"]
