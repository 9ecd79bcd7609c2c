"""The simulator's launcher runs on the Python it claims (stdlib only, 3.11+)."""

from __future__ import annotations

import ast
import re

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
