"""Shared bench harness: a real Home Assistant, both integrations fed by the fixture client."""

from __future__ import annotations

import atexit
import copy
import functools
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import ThreadedResolver  # noqa: E402
from homeassistant import loader  # noqa: E402
from homeassistant.config_entries import ConfigEntry  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import entity_registry as er  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from tests.fixture_client import FIXTURES, HOME_ID, FixtureClient  # noqa: E402

OURS, CORE = "zwave_quirks", "zwave_js"
# plugs and a HAN meter, mixed in this order
KINDS = ("hank_hkzw_so03", "zooz_zen06", "heatit_z_han2")
# the simulator's devices no quirk supports, captured by scripts/dev/capture_fixtures.py
OTHER_KINDS = tuple(
    f"other_{k}" for k in ("thermostat", "multisensor", "dimmer", "metering_plug", "lock")
)
# a mixed home's supported nodes: two of each kind (bench/mixed_home.py has the same six)
MIXED_SUPPORTED = 6


@functools.cache
def _config_folder() -> Path:
    """The configuration folder of every Home Assistant a benchmark starts (one per process)."""
    folder = Path(tempfile.mkdtemp(prefix="zwave-quirks-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def config_dir() -> str:
    """A configuration folder of this process's own, its registries empty.

    Not the test plugin's own folder: that is in the installed package, and its
    registries grew with every benchmark run (25,738 devices once, saved in the
    middle of a measured span). What the integration copies there (its
    blueprints) stays from one Home Assistant to the next, as after a first start.
    """
    shutil.rmtree(_config_folder() / ".storage", ignore_errors=True)
    return str(_config_folder())


class BenchClient(FixtureClient):
    """The tests' fixture client, with the attributes core's zwave_js reads too."""

    server_logging_enabled = False


def _renumber(obj: Any, node_id: int) -> Any:
    if isinstance(obj, dict):
        return {k: node_id if k == "nodeId" else _renumber(v, node_id) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_renumber(v, node_id) for v in obj]
    return obj


# Z-Wave classic node ids are 1-232, and node 1 is the controller
MAX_NODES = 231


def network_state(size: int, mixed: bool = False) -> dict[str, Any]:
    """A start_listening state of `size` nodes (ids 2..size+1), copies of the fixtures.

    Mixed: a realistic home, the first MIXED_SUPPORTED nodes supported and the
    rest devices no quirk supports (thermostats, sensors, dimmers, plugs, locks).
    """
    if not 1 <= size <= MAX_NODES:
        raise ValueError(f"a Z-Wave classic network has 1 to {MAX_NODES} nodes, not {size}")
    controller = json.loads((FIXTURES / "controller_state.json").read_text())
    names = (*KINDS, *OTHER_KINDS) if mixed else KINDS
    nodes = {k: json.loads((FIXTURES / f"{k}_state.json").read_text()) for k in names}

    def kind(i: int) -> str:
        if not mixed or i < MIXED_SUPPORTED:
            return KINDS[i % len(KINDS)]
        return OTHER_KINDS[(i - MIXED_SUPPORTED) % len(OTHER_KINDS)]

    return {
        "controller": controller["controller"],
        "driver": controller["driver"],
        "nodes": [_renumber(copy.deepcopy(nodes[kind(i)]), i + 2) for i in range(size)],
    }


def _patch_clients(stack: ExitStack) -> None:
    """Both integrations connect to the fixture client."""
    version = FixtureClient("", None).version
    for module in (
        "custom_components.zwave_quirks.transport",
        "homeassistant.components.zwave_js",
    ):
        client = f"{module}.Client" if "quirks" in module else f"{module}.ZwaveClient"
        stack.enter_context(patch(client, BenchClient))
        # the fixture client needs no session (a real one resolves through zeroconf)
        stack.enter_context(patch(f"{module}.async_get_clientsession", MagicMock()))
    stack.enter_context(
        patch(
            "custom_components.zwave_quirks.transport.async_check_server",
            AsyncMock(return_value=version),
        )
    )


@asynccontextmanager
async def home_assistant(fixture_client: bool = True) -> AsyncIterator[HomeAssistant]:
    """A real Home Assistant with custom integrations enabled.

    fixture_client: both integrations' clients are patched (False: they connect for real).
    """
    with ExitStack() as stack:
        if fixture_client:
            _patch_clients(stack)
        else:
            # a real session resolves through zeroconf: a plain resolver, as the tests' plugin
            # (mock_zeroconf_resolver) uses; Home Assistant closes it with real_close
            resolver = ThreadedResolver()
            resolver.real_close = resolver.close  # type: ignore[attr-defined]
            stack.enter_context(
                patch(
                    "homeassistant.helpers.aiohttp_client._async_make_resolver",
                    return_value=resolver,
                )
            )
        async with async_test_home_assistant(config_dir=config_dir()) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            yield hass
            await hass.async_stop(force=True)


def make_entry(domain: str, url: str = "ws://127.0.0.1:3000") -> MockConfigEntry:
    data: dict[str, Any] = {"url": url}
    if domain == CORE:
        data |= {"use_addon": False, "integration_created_addon": False}
    return MockConfigEntry(domain=domain, data=data, unique_id=str(HOME_ID), title="bench")


def entity_counts(hass: HomeAssistant, entry: ConfigEntry) -> tuple[int, int, int]:
    """Entities created and enabled in the registry, and states written."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    enabled = [e for e in entries if not e.disabled]
    written = sum(1 for e in enabled if hass.states.get(e.entity_id) is not None)
    return len(entries), len(enabled), written


def median(xs: list[float]) -> float:
    return statistics.median(xs)
