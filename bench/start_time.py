"""Start time: is Home Assistant's start held up by our entry when the Z-Wave JS server is down?

Run: .venv/bin/python bench/start_time.py [--repeat 7]

A real `hass` process (tests/hass_process.py) with the recorder on SQLite, started from
copies of one prepared config dir, alternating four variants in each round:
(a) without our entry, server down; (b) with our entry, server down (connection refused);
(c) with our entry, server up; (d) with our entry, its address a server that hangs (a local
listener that accepts TCP connections and never sends a byte). Time: from spawning `hass` to
its core state RUNNING (/api/config polled every 0.05 s), beside Home Assistant's own
"Home Assistant initialized in X s", and our entry's state when RUNNING was seen.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import Simulator  # noqa: E402
from tests.hass_process import Hass, wait_until  # noqa: E402

OURS = "zwave_quirks"
CONFIGURATION = """\
frontend:
config:
recorder:
logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
"""
INITIALIZED = re.compile(r"Home Assistant initialized in ([\d.]+)s")
GOAL_SECONDS = 1.0
# variant: (label, config dir, server up)
VARIANTS = {
    "a": ("without our entry, server down", "without", False),
    "b": ("ours, server down (refused)", "with", False),
    "c": ("ours, server up", "with", True),
    "d": ("ours, server hangs", "hanging", False),
}


class SilentServer(threading.Thread):
    """A listener on 127.0.0.1 that accepts connections and never sends a byte."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = int(self.listener.getsockname()[1])
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.held.append(conn)  # read nothing, answer nothing

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)
        self.listener.close()
        for conn in self.held:
            conn.close()


def _store(config: Path, key: str) -> dict[str, Any]:
    return dict(json.loads((config / ".storage" / key).read_text(encoding="utf-8")))


def _write_store(config: Path, key: str, stored: dict[str, Any]) -> None:
    (config / ".storage" / key).write_text(json.dumps(stored, indent=4), encoding="utf-8")


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)
    (target / "hass-output.log").unlink(missing_ok=True)


def _without_entry(config: Path, entry_id: str) -> None:
    """Our entry, its devices, entities, restored states and stores removed."""
    entries = _store(config, "core.config_entries")
    entries["data"]["entries"] = [
        e for e in entries["data"]["entries"] if e["entry_id"] != entry_id
    ]
    _write_store(config, "core.config_entries", entries)
    devices = _store(config, "core.device_registry")
    for key in ("devices", "deleted_devices"):
        devices["data"][key] = [
            # 2026.10 keeps one config entry per device, 2026.11 a list
            d
            for d in devices["data"].get(key, [])
            if entry_id not in d.get("config_entries", [d.get("config_entry_id")])
        ]
    _write_store(config, "core.device_registry", devices)
    entities = _store(config, "core.entity_registry")
    ours = {e["entity_id"] for e in entities["data"]["entities"] if e["platform"] == OURS}
    for key in ("entities", "deleted_entities"):
        entities["data"][key] = [
            e for e in entities["data"].get(key, []) if e.get("platform") != OURS
        ]
    _write_store(config, "core.entity_registry", entities)
    restore = _store(config, "core.restore_state")
    restore["data"] = [s for s in restore["data"] if s["state"]["entity_id"] not in ours]
    _write_store(config, "core.restore_state", restore)
    for path in (config / ".storage").glob(f"{OURS}.*"):
        path.unlink()


def _with_url(config: Path, entry_id: str, url: str) -> None:
    entries = _store(config, "core.config_entries")
    for entry in entries["data"]["entries"]:
        if entry["entry_id"] == entry_id:
            entry["data"]["url"] = url
    _write_store(config, "core.config_entries", entries)


def _entry_state(hass: Hass) -> str:
    entries = hass.api("config/config_entries/entry")
    return next((str(e["state"]) for e in entries if e["domain"] == OURS), "-")


def prepare(work: Path, sim: Simulator, silent_port: int) -> tuple[str, int]:
    """The three config dirs under ``work``; the owner's token and our devices' count."""
    config = work / "with"
    hass = Hass(config, CONFIGURATION)
    try:
        hass.start()
        token = hass.onboard()
        entry_id = hass.add_entry(OURS, {"url": sim.url})["entry_id"]
        wait_until("our entry loaded", lambda: _entry_state(hass) == "loaded", 60)
        time.sleep(2)  # the entities' first states
    finally:
        hass.stop()  # gracefully: the registries are written
    (config / "hass-output.log").rename(work / "prepare.log")
    devices = [
        d
        for d in _store(config, "core.device_registry")["data"]["devices"]
        if entry_id in d.get("config_entries", [d.get("config_entry_id")])
    ]
    _copy(config, work / "without")
    _without_entry(work / "without", entry_id)
    _copy(config, work / "hanging")
    _with_url(work / "hanging", entry_id, f"ws://127.0.0.1:{silent_port}")
    return token, len(devices)


def one_start(work: Path, variant: str, token: str) -> tuple[float, float | None, str]:
    """Seconds from spawn to RUNNING, Home Assistant's own figure, our entry's state then."""
    run = work / "run"
    shutil.rmtree(run, ignore_errors=True)
    _copy(work / VARIANTS[variant][1], run)
    hass = Hass(run, CONFIGURATION)
    hass.token = token
    try:
        spawned = hass.spawn()
        hass.wait_running(every=0.05)
        elapsed = time.monotonic() - spawned
        state = _entry_state(hass)
    finally:
        hass.stop(sig=signal.SIGKILL)  # the copy is thrown away
    found = INITIALIZED.findall(hass.log.read_text(encoding="utf-8", errors="replace"))
    return elapsed, float(found[-1]) if found else None, state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    began = time.monotonic()
    silent = SilentServer()
    silent.start()
    with tempfile.TemporaryDirectory(prefix="zwq-start-") as tmp:
        work = Path(tmp)
        sim = Simulator(cache_dir=work / "zwave-cache", log_path=work / "simulator.log")
        try:
            sim.start()
            token, devices = prepare(work, sim, silent.port)
            times: dict[str, list[float]] = {v: [] for v in VARIANTS}
            inits: dict[str, list[float]] = {v: [] for v in VARIANTS}
            states: dict[str, Counter[str]] = {v: Counter() for v in VARIANTS}
            order = list(VARIANTS)
            server_up = True
            for n in range(args.repeat):
                # alternating, each round starting one variant further on
                for variant in order[n % len(order) :] + order[: n % len(order)]:
                    wanted = VARIANTS[variant][2]
                    if wanted != server_up:
                        sim.start_server() if wanted else sim.stop_server()
                        server_up = wanted
                    elapsed, init, state = one_start(work, variant, token)
                    times[variant].append(elapsed)
                    if init is not None:
                        inits[variant].append(init)
                    states[variant][state] += 1
        finally:
            sim.stop()
            silent.stop()
    print(
        f"{'variant':<36} {'start s':>8} {'min':>6} {'max':>6} {'HA init s':>10}"
        f"  entry at RUNNING   (spawn to RUNNING, median of {args.repeat})"
    )
    medians = {}
    for variant, (label, _dir, _up) in VARIANTS.items():
        xs = times[variant]
        medians[variant] = statistics.median(xs)
        init = f"{statistics.median(inits[variant]):.2f}" if inits[variant] else "-"
        seen = ", ".join(f"{s} x{k}" for s, k in states[variant].most_common())
        print(
            f"({variant}) {label:<32} {medians[variant]:>8.2f} {min(xs):>6.2f} {max(xs):>6.2f}"
            f" {init:>10}  {seen}"
        )
    late = medians["b"] - medians["a"]
    verdict = "met" if late <= GOAL_SECONDS else "missed"
    print(
        f"(b)-(a) {late:+.2f} s (goal <= {GOAL_SECONDS:.0f} s: {verdict});"
        f" (d)-(a) {medians['d'] - medians['a']:+.2f} s;"
        f" (c)-(a) {medians['c'] - medians['a']:+.2f} s;"
        f" {devices} devices of ours; whole run {time.monotonic() - began:.0f} s"
    )


if __name__ == "__main__":
    main()
