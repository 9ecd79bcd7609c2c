"""Capture node-state fixtures from the simulated network through the real server.

Usage: .venv/bin/python scripts/dev/capture_fixtures.py
Writes tests/fixtures/<device>_state.json (what the server's start_listening
returns for each node), tests/fixtures/controller_state.json, and
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

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "simulator"))

from launcher import Simulator  # noqa: E402

NAMES = {2: "hank_hkzw_so03", 3: "zooz_zen06", 4: "heatit_z_han2"}
# the simulator's other kinds, by their made-up manufacturer ids (simulator/src/devices.js)
OTHERS = {
    0x7F00: "thermostat",
    0x7F01: "multisensor",
    0x7F02: "dimmer",
    0x7F03: "metering_plug",
    0x7F04: "lock",
}


async def capture(url: str) -> dict:
    """Return the full state the server sends on start_listening."""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_json()  # version
        await ws.send_json({"command": "initialize", "messageId": "i", "schemaVersion": 50})
        await ws.receive_json()
        await ws.send_json({"command": "start_listening", "messageId": "s"})
        while True:
            message = await ws.receive_json()
            if message.get("messageId") == "s":
                return message["result"]["state"]


def main() -> None:
    """Start the simulator, capture, write the fixtures."""
    out = ROOT / "tests" / "fixtures"
    with (
        tempfile.TemporaryDirectory() as cache,
        Simulator(cache_dir=Path(cache), others=len(OTHERS)) as sim,
    ):
        state = asyncio.run(capture(sim.url))
    for node in state["nodes"]:
        name = NAMES.get(node["nodeId"])
        if name is None and (kind := OTHERS.get(node.get("manufacturerId", -1))) is not None:
            name = f"other_{kind}"
        if name is not None:
            path = out / f"{name}_state.json"
            path.write_text(json.dumps(node, indent=2, sort_keys=True) + "\n")
            print("wrote", path.relative_to(ROOT))
    controller = {"controller": state["controller"], "driver": state.get("driver")}
    (out / "controller_state.json").write_text(
        json.dumps(controller, indent=2, sort_keys=True) + "\n"
    )


if __name__ == "__main__":
    main()
