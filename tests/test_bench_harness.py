"""The benchmarks' Home Assistant (bench/harness.py): its own configuration folder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest_homeassistant_custom_component

BENCH = Path(__file__).parents[1] / "bench"


def test_each_home_assistant_of_a_benchmark_starts_with_empty_registries() -> None:
    """Not the test plugin's folder (in the installed package), where the registries
    grew with every run: 25,738 devices once, saved in the middle of a measured span."""
    spec = importlib.util.spec_from_file_location("bench_harness", BENCH / "harness.py")
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    path = list(sys.path)
    try:
        spec.loader.exec_module(harness)
        first = Path(harness.config_dir())
    finally:
        sys.path[:] = path
    plugin = Path(pytest_homeassistant_custom_component.__file__).parent
    assert plugin not in first.parents
    (first / ".storage").mkdir()
    (first / ".storage" / "core.device_registry").write_text("{}", encoding="utf-8")
    (first / "blueprints").mkdir()
    second = Path(harness.config_dir())
    assert second == first
    assert not (second / ".storage").exists()
    assert (second / "blueprints").is_dir()  # what the integration copied stays
