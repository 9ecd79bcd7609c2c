"""Capture node-state fixtures from the simulated network through the real server.

Usage: .venv/bin/python scripts/dev/capture_fixtures.py
Writes tests/fixtures/<device>_state.json (what the server's start_listening
returns for each node a quirk supports, named by tests.fixture_client.fixture_name;
the first node of each device), tests/fixtures/controller_state.json, and
tests/fixtures/other_<kind>_state.json for each of the simulator's devices no
quirk supports (its --others: thermostat, multisensor, dimmer, metering plug,
lock), which the benchmarks' mixed homes are made of.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "simulator"))
sys.path.insert(0, str(ROOT))

from launcher import Simulator  # noqa: E402

from custom_components.zwave_quirks.quirks.registry import find_quirk  # noqa: E402
from tests.fixture_client import fixture_name  # noqa: E402

# the simulator's other kinds, by their made-up manufacturer ids (simulator/src/devices.js)
OTHERS = {
    0x7F00: "thermostat",
    0x7F01: "multisensor",
    0x7F02: "dimmer",
    0x7F03: "metering_plug",
    0x7F04: "lock",
}

OTHERS_AFTER = 3  # shipped devices before the others: nodes 2-4, the others 5-9


async def capture(url: str) -> dict[str, Any]:
    """Return the full state the server sends on start_listening."""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_json()  # version
        await ws.send_json({"command": "initialize", "messageId": "i", "schemaVersion": 50})
        await ws.receive_json()
        await ws.send_json({"command": "start_listening", "messageId": "s"})
        while True:
            message = await ws.receive_json()
            if message.get("messageId") == "s":
                state: dict[str, Any] = message["result"]["state"]
                return state


def main() -> None:
    """Start the simulator, capture, write the fixtures."""
    out = ROOT / "tests" / "fixtures"
    with tempfile.TemporaryDirectory() as cache:
        # one of each shipped device
        with Simulator(cache_dir=Path(cache) / "shipped") as sim:
            state = asyncio.run(capture(sim.url))
        # the others on the first three: their node ids stay when a device is added
        with Simulator(
            cache_dir=Path(cache) / "others", nodes=OTHERS_AFTER, others=len(OTHERS)
        ) as sim:
            nodes = asyncio.run(capture(sim.url))["nodes"]
    others = [node for node in nodes if node.get("manufacturerId") in OTHERS]
    written: set[str] = set()
    for node in [*state["nodes"], *others]:
        ids = (node.get("manufacturerId"), node.get("productType"), node.get("productId"))
        resolved = find_quirk(ids, node.get("firmwareVersion"))
        name = None
        if resolved is not None:  # a device a quirk supports, named after its fingerprint
            name = fixture_name(resolved.fingerprint.manufacturer, resolved.fingerprint.model)
        elif (kind := OTHERS.get(node.get("manufacturerId", -1))) is not None:
            name = f"other_{kind}"
        if name is not None and name not in written:
            written.add(name)
            _write(out / f"{name}_state.json", node)
    _write(
        out / "controller_state.json",
        {"controller": state["controller"], "driver": state.get("driver")},
    )


# what changes from one capture (or machine) to the next without the device changing
VOLATILE = frozenset({"lastSeen", "statistics", "logConfig"})


def _steady(data: object) -> object:
    if isinstance(data, dict):
        return {k: _steady(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [_steady(v) for v in data]
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write a fixture, unless it differs from the one there only in what is volatile."""
    if path.exists() and _steady(json.loads(path.read_text())) == _steady(data):
        return
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
