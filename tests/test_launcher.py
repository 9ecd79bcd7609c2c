"""The simulator's launcher runs on the Python it claims (stdlib only, 3.11+)."""

from __future__ import annotations

import ast
import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_socket

from .conftest import ROOT, Simulator

LAUNCHER = ROOT / "simulator" / "launcher.py"


def test_launcher_parses_on_the_python_it_claims() -> None:
    source = LAUNCHER.read_text(encoding="utf-8")
    claim = re.search(r"Python (\d+)\.(\d+)\+", source)
    assert claim is not None, "the launcher no longer says which Python it needs"
    version = (int(claim[1]), int(claim[2]))
    assert version == (3, 11)
    ast.parse(source, filename=str(LAUNCHER), feature_version=version)


def test_a_killed_simulator_starts_again_at_once(simulator: Simulator) -> None:
    """A kill leaves zwave-js's cache locks, stale only after 10 s: the launcher removes them."""
    pytest_socket.enable_socket()
    try:
        if not simulator.running:
            simulator.start()
        assert list((simulator.cache_dir / "locks").glob("*.lock"))
        simulator.kill()
        assert not list((simulator.cache_dir / "locks").glob("*.lock"))
        simulator.start(timeout=30)
        assert simulator.running
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)


def test_a_foreign_plug_never_replaces_a_shipped_device_unasked(tmp_path: Path) -> None:
    """It is the last of the --nodes nodes: without --nodes it would drop the last device."""
    with pytest.raises(ValueError, match="give nodes"):
        Simulator(tmp_path, foreign_plug=True)
    node = shutil.which("node")
    assert node is not None
    main = ROOT / "simulator" / "src" / "main.js"
    args = ["--ws-port", "1", "--control-port", "2", "--cache-dir", str(tmp_path)]
    result = subprocess.run(
        [node, str(main), *args, "--foreign-plug"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--foreign-plug needs --nodes" in result.stderr


def test_a_kill_right_after_the_first_start_keeps_every_value(
    tmp_path: Path, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver's cache has what the interview read by READY: a restart from it has it too.

    zwave-js writes its cache at most once a second by default, and the restarted driver
    does not ask again for what a kill lost (a CI run once saw the Z-HAN2's parameters 9-11
    without values); the simulator writes every change at once.
    """
    # as the session's simulator (zwave-js's 10 ms per frame)
    sim = Simulator(tmp_path / "cache", nodes=3, log_path=tmp_path / "sim.log")
    try:
        sim.start()
        sim.kill()
        sim.start(timeout=60)
        # the fixture capture's start_listening
        monkeypatch.syspath_prepend(str(ROOT / "scripts" / "dev"))
        from capture_fixtures import capture  # noqa: PLC0415

        state = asyncio.run(capture(sim.url))
    finally:
        sim.stop()
    han = next(n for n in state["nodes"] if n["nodeId"] == 4)
    read = {v["property"] for v in han["values"] if v["commandClass"] == 112 and "value" in v}
    assert read == set(range(1, 12))


def test_a_simulator_keeps_its_ports_out_of_the_ephemeral_range(tmp_path: Path) -> None:
    """Its ports stay across restarts; an outgoing connection may take one of that range
    while it is stopped (a CI run failed with EADDRINUSE on a restart)."""
    low, _high = sys.modules[Simulator.__module__]._ephemeral_ports()
    pytest_socket.enable_socket()  # the launcher binds to find a free port
    try:
        sims = [Simulator(tmp_path / str(i)) for i in range(5)]
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)
    for sim in sims:
        assert sim.ws_port < low and sim.control_port < low
        assert sim.ws_port != sim.control_port
