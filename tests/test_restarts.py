"""Real restarts of Home Assistant: 5 graceful (SIGTERM) and 5 kills (SIGKILL).

Home Assistant runs as its own process (`hass`) with its recorder on the
default SQLite database, this integration and a fresh simulated network. Two
meters report all the time, as real ones do: the plug (node 2) and the Z-HAN2
(node 4) send their power every second and their energy register every 3 s,
also while Home Assistant is down. Once, after a kill, Home Assistant starts
while the Z-Wave JS server is down; the server comes back 30 s later.
Twice, while Home Assistant is down, a meter repeats a stale (lower) total,
which the server hands over at the next start.

Afterwards:
- the same devices and entities, with the same entity ids: none removed,
  none added;
- each energy sensor never went down, ends on the meter's register, and the
  long-term statistics' `sum` (what the energy dashboard shows) equals the
  energy the meters counted: nothing lost to a kill, nothing counted twice;
- the month's capacity peaks (seeded into the stored tracker before the first
  restart) are kept, and the hour's energy is the hour's true energy;
- Home Assistant started while the server was down without waiting for it;
- a plug that the capacity blueprint's service turned off for the hour is on
  again after a start, when the hour ended while Home Assistant was down.

The recorder compiles a period only once it has ended; the test hook
(tests/hass_components/zwq_recorder_hook) has it compile them at the end.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .conftest import NETWORK_NODES, ROOT, Simulator
from .hass_process import HASS, Hass, wait_until

pytestmark = pytest.mark.skipif(not HASS.exists(), reason=f"no {HASS}")

HOOK = ROOT / "tests" / "hass_components" / "zwq_recorder_hook"
CONFIGURATION = """\
frontend:
config:
diagnostics:
recorder:
zwq_recorder_hook:
logger:
  default: warning
  logs:
    custom_components.zwave_quirks: info
"""
PLUG, HAN = 2, 4
WATTS = {PLUG: 1800.0, HAN: 3600.0}
ENERGY = {PLUG: "sensor.hank_electronics_hkzw_so03_energy", HAN: "sensor.heatit_z_han2_energy"}
PEAK_AVERAGE = "sensor.heatit_z_han2_capacity_peak_average"
THIS_HOUR = "sensor.heatit_z_han2_energy_this_hour"
SEEDED_PEAK_KW = 9.0
# the restarts: how Home Assistant stops, and whether the server is down at the next start
RESTARTS = [
    (signal.SIGTERM, False),
    (signal.SIGKILL, False),
    (signal.SIGTERM, False),
    (signal.SIGKILL, True),
    (signal.SIGTERM, False),
    (signal.SIGKILL, False),
    (signal.SIGTERM, False),
    (signal.SIGKILL, False),
    (signal.SIGTERM, False),
    (signal.SIGKILL, False),
]
# while Home Assistant is down after these restarts, a meter repeats a stale total
STALE_AFTER = {2: PLUG, 5: HAN}
SERVER_DOWN_SECONDS = 30
# before this restart (a kill) the capacity blueprint's service turns the plug off for
# the hour; Home Assistant is down when the hour ends
SHED_BEFORE = 8
OUTLET = "switch.hank_electronics_hkzw_so03_outlet"
ESTIMATE = "sensor.heatit_z_han2_estimated_energy_this_hour"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No `hass` fixture here: Home Assistant runs as a process of its own."""


class Meters(threading.Thread):
    """Power every second and the energy register every 3 s; the register grows with the power."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__(daemon=True)
        self.sim = sim
        self.began = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.base = {node: float(sim.node_state(node)["meters"]["kWh"]) for node in WATTS}
        self.reported = dict(self.base)
        self.paused: set[int] = set()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.sent = 0

    def register(self, node: int, at: float | None = None) -> float:
        hours = ((time.monotonic() if at is None else at) - self.began) / 3600
        return round(self.base[node] + WATTS[node] / 1000 * hours, 3)

    def report_energy(self, node: int, value: float | None = None) -> None:
        with self.lock:
            value = self.register(node) if value is None else value
            self.sim.report_meter(node, "kWh", value)
            self.sent += 1
            if value >= self.reported[node]:
                self.reported[node] = value

    def run(self) -> None:
        tick = 0
        while not self.stopped.wait(1.0):
            for node, watts in WATTS.items():
                self.sim.report_meter(node, "W", watts)
                if tick % 3 == 0 and node not in self.paused:
                    self.report_energy(node)
            tick += 1

    def stop(self) -> None:
        self.stopped.set()
        self.join(10)


def _number(hass: Hass, entity_id: str) -> float | None:
    state = hass.state(entity_id)
    try:
        return float(state["state"]) if state else None
    except ValueError:
        return None


def _on_the_register(hass: Hass, meters: Meters) -> None:
    """Until each energy sensor shows its meter's last register."""
    for node, entity_id in ENERGY.items():
        wait_until(
            f"{entity_id} on the register",
            lambda node=node, entity_id=entity_id: (
                _number(hass, entity_id) == meters.reported[node]
            ),
            15,
        )


def _storage(config: Path, key: str) -> Any:
    return json.loads((config / ".storage" / key).read_text(encoding="utf-8"))["data"]


def _ours(config: Path, entry_id: str) -> tuple[set[tuple[str, str]], set[str]]:
    """The entry's entities (entity id, unique id) and devices, from the registries' files."""
    entities = {
        (e["entity_id"], e["unique_id"])
        for e in _storage(config, "core.entity_registry")["entities"]
        if e["config_entry_id"] == entry_id
    }
    devices = {
        d["id"]
        for d in _storage(config, "core.device_registry")["devices"]
        # 2026.10 keeps one config entry per device, 2026.11 a list
        if entry_id in d.get("config_entries", [d.get("config_entry_id")])
    }
    return entities, devices


def _seed_peak(config: Path, tz: ZoneInfo) -> bool:
    """A peak of SEEDED_PEAK_KW earlier today (or yesterday, this month) in the stored tracker."""
    now = datetime.now(tz)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - start < timedelta(hours=1):
        start -= timedelta(hours=1)
        if start.month != now.month:
            return False
    (path,) = (config / ".storage").glob(f"zwave_quirks.readings.*.{HAN}")
    stored = json.loads(path.read_text(encoding="utf-8"))
    capacity = stored["data"]["capacity"]
    capacity["month"] = [now.year, now.month]
    capacity["days"][start.date().isoformat()] = [start.isoformat(), SEEDED_PEAK_KW, False]
    path.write_text(json.dumps(stored), encoding="utf-8")
    return True


def _entry_state(hass: Hass, entry_id: str) -> str:
    entries = hass.api("config/config_entries/entry")
    return str(next(e["state"] for e in entries if e["entry_id"] == entry_id))


def _states(db: Path, entity_id: str) -> list[float]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT s.state FROM states s JOIN states_meta m ON s.metadata_id = m.metadata_id"
            " WHERE m.entity_id = ? ORDER BY s.last_updated_ts",
            (entity_id,),
        ).fetchall()
    values = []
    for (state,) in rows:
        try:
            values.append(float(state))
        except TypeError, ValueError:
            continue
    return values


def _statistics(db: Path, entity_id: str, table: str) -> list[tuple[float, float]]:
    with sqlite3.connect(db) as con:
        return con.execute(
            f"SELECT s.start_ts, s.sum FROM {table} s JOIN statistics_meta m"  # noqa: S608
            " ON s.metadata_id = m.id WHERE m.statistic_id = ? ORDER BY s.start_ts",
            (entity_id,),
        ).fetchall()


@pytest.fixture
def simulator_fresh(tmp_path: Path, socket_enabled: None) -> Iterator[Simulator]:
    sim = Simulator(
        cache_dir=tmp_path / "zwave-cache",
        log_path=tmp_path / "simulator.log",
        nodes=NETWORK_NODES,
    )
    try:
        sim.start()
        yield sim
    finally:
        sim.stop()


def test_restarts_lose_nothing_and_count_nothing_twice(
    simulator_fresh: Simulator, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    sim = simulator_fresh
    config = tmp_path / "config"
    hass = Hass(config, CONFIGURATION, components=(HOOK,), skip_location=True)
    report: list[str] = []
    meters: Meters | None = None
    try:
        hass.start()
        hass.onboard()
        entry_id = hass.add_entry("zwave_quirks", {"url": sim.url})["entry_id"]
        tz = ZoneInfo(hass.api("config")["time_zone"])
        for entity_id in ENERGY.values():
            wait_until(entity_id, lambda e=entity_id: _number(hass, e) is not None, 60)
        began = datetime.now(UTC)
        meters = Meters(sim)
        meters.start()
        time.sleep(4)
        hass.stop()  # the registries and the readings are written
        entities, devices = _ours(config, entry_id)
        assert len(devices) == 4, devices  # the network and its three nodes
        seeded = _seed_peak(config, tz)

        starts: list[str] = []
        db = config / "home-assistant_v2.db"
        pace = random.Random(19)  # noqa: S311 - not for secrets
        unrecorded = {"stop": 0, "kill": 0}
        for n, (stop_signal, server_down) in enumerate([(None, False), *RESTARTS]):
            if n == SHED_BEFORE:
                sim.press_switch(PLUG, True)
                wait_until("the outlet on", lambda: hass.state(OUTLET)["state"] == "on", 15)  # type: ignore[index]
                answer = hass.api(
                    "services/zwave_quirks/turn_off_for_period?return_response",
                    {"entity_id": OUTLET, "meter": ESTIMATE},
                )
                assert answer["service_response"]["turned_off"] == [OUTLET], answer
                wait_until("the plug off", lambda: not sim.node_state(PLUG)["switch"], 15)
            if n:
                shown = {node: _number(hass, e) for node, e in ENERGY.items()}
                hass.stop(sig=stop_signal)
                kind = "kill" if stop_signal == signal.SIGKILL else "stop"
                # what the recorder has: what the statistics are made of
                before = {node: _states(db, e)[-1] for node, e in ENERGY.items()}
                unrecorded[kind] += sum(before[node] != shown[node] for node in ENERGY)
                if n in STALE_AFTER:  # the meter repeats an old total while we are down
                    node = STALE_AFTER[n]
                    meters.paused.add(node)
                    time.sleep(1.5)
                    meters.report_energy(node, meters.register(node) - 0.5)
                if server_down:
                    sim.stop_server()
                if n == SHED_BEFORE:  # the hour ends while Home Assistant is down
                    shed = config / ".storage" / "zwave_quirks.shed"
                    stored = json.loads(shed.read_text(encoding="utf-8"))
                    (note,) = stored["data"]["loads"].values()
                    note["until"] = datetime.now(UTC).isoformat()
                    shed.write_text(json.dumps(stored), encoding="utf-8")
            spawned = hass.spawn()
            hass.wait_running(every=0.05)
            started = time.monotonic() - spawned
            if server_down:
                # Home Assistant has started; our entry waits for the server, not the other way
                assert _entry_state(hass, entry_id) == "setup_retry"
                assert hass.state(ENERGY[PLUG])["state"] == "unavailable"  # type: ignore[index]
                time.sleep(max(0.0, SERVER_DOWN_SECONDS - (time.monotonic() - spawned)))
                sim.start_server()
            if n:
                starts.append(
                    f"{n}: after a {kind}{', server down' if server_down else ''}:"
                    f" started in {started:.1f} s"
                )
            wait_until(
                "our energy sensors", lambda: all(_number(hass, e) for e in ENERGY.values()), 60
            )
            for node, entity_id in ENERGY.items():
                value = _number(hass, entity_id)
                assert value is not None
                if n:
                    assert value >= before[node], (n, entity_id, value, before[node])  # type: ignore[operator]
            if seeded and n:
                assert _number(hass, PEAK_AVERAGE) == SEEDED_PEAK_KW, n
            if n == SHED_BEFORE:
                wait_until("the plug on again", lambda: sim.node_state(PLUG)["switch"], 30)
                shed = config / ".storage" / "zwave_quirks.shed"
                wait_until(
                    "the note gone",
                    lambda shed=shed: (
                        json.loads(shed.read_text(encoding="utf-8"))["data"]["loads"] == {}
                    ),
                    15,
                )
                report.append(
                    f"plug turned off for the hour before restart {n} (a kill), the hour ended"
                    " while Home Assistant was down: on again after the start"
                )
            meters.paused.clear()
            time.sleep(2)  # reports flow
            _on_the_register(hass, meters)
            time.sleep(pace.uniform(0, 2))  # a power cut comes at any moment

        meters.stop()
        for node in WATTS:  # the last register, and all of it shown
            meters.report_energy(node)
        _on_the_register(hass, meters)
        hour_kwh = _number(hass, THIS_HOUR)
        ended = datetime.now(UTC)
        hass.api(
            "services/zwq_recorder_hook/compile",
            {"start": began.isoformat(), "end": datetime.now(UTC).isoformat()},
            timeout=120,
        )
        hass.stop()
        assert _ours(config, entry_id) == (entities, devices)

        for node, entity_id in ENERGY.items():
            values = _states(db, entity_id)
            assert values == sorted(values), f"{entity_id} went down: {values}"
            truth = meters.reported[node] - values[0]
            hourly = _statistics(db, entity_id, "statistics")
            short = _statistics(db, entity_id, "statistics_short_term")
            assert hourly, entity_id
            report.append(
                f"{entity_id}: true {truth:.3f} kWh, statistics sum {hourly[-1][1]:.3f} kWh"
                f" (5-minute {short[-1][1]:.3f}), {len(values)} states"
            )
            assert hourly[-1][1] == pytest.approx(truth, abs=0.0005), report[-1]
            assert short[-1][1] == pytest.approx(truth, abs=0.0005), report[-1]
        # the hour's energy: what the meter counted since the hour began, or since its
        # first reading (the tracker counts from there)
        hour_start = ended.replace(minute=0, second=0, microsecond=0)
        if hour_start <= began:
            hour_truth = meters.reported[HAN] - _states(db, ENERGY[HAN])[0]
        else:
            at = meters.began + (hour_start - meters.started_at).total_seconds()
            hour_truth = meters.reported[HAN] - meters.register(HAN, at)
        report.append(f"energy this hour: {hour_kwh} kWh, true {hour_truth:.3f} kWh")
        assert hour_kwh == pytest.approx(hour_truth, abs=0.002), report[-1]
        report.append(f"capacity peak seeded: {seeded}")
        report.extend(starts)
        report.append(
            "energy states shown but not recorded when Home Assistant went down:"
            f" {unrecorded['stop']} after the {len(RESTARTS) // 2} stops,"
            f" {unrecorded['kill']} after the {len(RESTARTS) // 2} kills"
        )
        report.append(f"energy reports sent: {meters.sent}")
    finally:
        if meters is not None:
            meters.stop()
        hass.stop()
        record_property("restarts", "\n".join(report))
        print("\n".join(report))
        errors = hass.error_lines()
    assert not [e for e in errors if "zwave_quirks" in e], errors
